// What dump-log finds wrong while it dumps, reported on stderr after all files, in Kafka's words
// and order (DumpLogSegments' misMatchesForIndexFilesMap, TimeIndexDumpErrors and
// nonConsecutivePairsForLogFilesMap). Files are keyed by absolute path, as Kafka keys them.
import { resolve } from 'node:path';

type Pairs = Map<string, Array<[number, number]>>;

function add(map: Pairs, file: string, pair: [number, number], newestFirst: boolean): void {
  const key = resolve(file);
  const list = map.get(key) ?? [];
  // Kafka prepends to an immutable list for these two, so they print newest first.
  if (newestFirst) list.unshift(pair);
  else list.push(pair);
  map.set(key, list);
}

export class DumpFindings {
  private readonly indexMismatches: Pairs = new Map();
  private readonly timestampMismatches: Pairs = new Map();
  private readonly outOfOrderTimestamps: Pairs = new Map();
  private readonly indexedOffsetsNotFound: Pairs = new Map();
  private readonly nonConsecutiveOffsets: Pairs = new Map();

  /** An offset-index entry whose offset is not the last offset of the batch at its position. */
  indexMismatch(indexFile: string, indexOffset: number, logOffset: number): void {
    add(this.indexMismatches, indexFile, [indexOffset, logOffset], true);
  }

  /** A time-index entry whose timestamp is not the max timestamp of its batch. */
  timestampMismatch(timeIndexFile: string, indexTimestamp: number, logTimestamp: number): void {
    add(this.timestampMismatches, timeIndexFile, [indexTimestamp, logTimestamp], false);
  }

  outOfOrderTimestamp(timeIndexFile: string, indexTimestamp: number, previousTimestamp: number): void {
    add(this.outOfOrderTimestamps, timeIndexFile, [indexTimestamp, previousTimestamp], false);
  }

  /** A time-index offset that is not a batch's last offset (-1: no batch reaches it). */
  indexedOffsetNotFound(timeIndexFile: string, indexOffset: number, logOffset: number): void {
    add(this.indexedOffsetsNotFound, timeIndexFile, [indexOffset, logOffset], false);
  }

  /** Deep iteration saw `next` right after `previous`. */
  nonConsecutive(logFile: string, previous: number, next: number): void {
    add(this.nonConsecutiveOffsets, logFile, [previous, next], true);
  }

  /** Kafka's closing report, as stderr lines. */
  report(): string[] {
    const lines: string[] = [];
    for (const [file, pairs] of this.indexMismatches) {
      lines.push(`Mismatches in :${file}`);
      for (const [index, log] of pairs) lines.push(`  Index offset: ${index}, log offset: ${log}`);
    }
    for (const [file, pairs] of this.timestampMismatches) {
      lines.push(`Found timestamp mismatch in :${file}`);
      for (const [index, log] of pairs) lines.push(`  Index timestamp: ${index}, log timestamp: ${log}`);
    }
    for (const [file, pairs] of this.outOfOrderTimestamps) {
      lines.push(`Found out of order timestamp in :${file}`);
      for (const [index, previous] of pairs) lines.push(`  Index timestamp: ${index}, Previously indexed timestamp: ${previous}`);
    }
    for (const pairs of this.indexedOffsetsNotFound.values()) {
      lines.push('The following indexed offsets are not found in the log.');
      for (const [index, log] of pairs) lines.push(`Indexed offset: ${index}, found log offset: ${log}`);
    }
    for (const [file, pairs] of this.nonConsecutiveOffsets) {
      lines.push(`Non-consecutive offsets in ${file}`);
      for (const [first, second] of pairs) lines.push(`  ${first} is followed by ${second}`);
    }
    return lines;
  }
}
