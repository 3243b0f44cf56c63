// The four files of one segment under a temporary suffix (.cleaned, .swap), renamed together as
// Kafka's LogSegment.changeFileSuffixes does: the .log first, so its suffix says how far a swap got.
import { renameSync, unlinkSync } from 'node:fs';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, segmentPath } from '../file-names.js';

const SEGMENT_FILE_SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX];

/** Renames segment `base`'s files from suffix `from` to `to`; the .log must exist, an index file may not. */
export function renameSegmentFiles(dir: string, base: number, from: string, to: string): void {
  for (const kind of SEGMENT_FILE_SUFFIXES) {
    const path = segmentPath(dir, base, kind);
    try {
      renameSync(path + from, path + to);
    } catch (err) {
      if (kind === LOG_SUFFIX || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Removes segment `base`'s files with suffix `suffix` (those that exist). */
export function removeSegmentFiles(dir: string, base: number, suffix: string): void {
  for (const kind of SEGMENT_FILE_SUFFIXES) {
    try {
      unlinkSync(segmentPath(dir, base, kind) + suffix);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
