// Opening a partition directory: leftovers of interrupted operations are cleaned up or completed,
// segments are listed, and every segment that may hold unflushed data (from the recovery point
// on, or all of the unflushed ones when the broker did not shut down cleanly) is scanned batch
// by batch: size, magic, CRC-32C and offset order. The first bad or torn batch and everything
// after it are truncated away; indexes of scanned segments are rebuilt on the way.
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  baseOffsetOf,
  batchSizeOf,
  isBatchCrcValid,
  lastOffsetDeltaOf,
  magicOf,
  maxTimestampOf,
  partitionLeaderEpochOf,
} from '../protocol/records/batch.js';
import { scanBatchHeaders } from './batch-scan.js';
import { CorruptLogError } from './errors.js';
import type { FileCache } from './file-cache.js';
import { readRange } from './file-io.js';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  SWAP_SUFFIX,
  TEMP_SUFFIX,
  TIME_INDEX_SUFFIX,
  parseSegmentFileName,
  segmentPath,
} from './file-names.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import { LogSegment, type SegmentSettings } from './segment.js';

/** Bytes read per step while scanning a segment. */
const RECOVERY_READ_BYTES = 1024 * 1024;

export interface SegmentRecovery {
  /** Offset after the last valid batch, or undefined when the segment holds none. */
  nextOffset: number | undefined;
  truncated: boolean;
}

/**
 * Scans the whole segment, rebuilding both indexes from its valid batches. With `truncate` the
 * invalid tail is cut off the file; without it (a lazy index rebuild) the file is left alone.
 */
export async function recoverSegment(
  segment: LogSegment,
  opts: { truncate: boolean; epochs?: LeaderEpochCache },
): Promise<SegmentRecovery> {
  segment.resetIndexes();
  const fileSize = segment.size;
  let validBytes = 0;
  let nextOffset: number | undefined;
  let minBaseOffset = segment.baseOffset;
  scan: while (validBytes < fileSize) {
    const position = validBytes;
    let chunk = await segment.read(position, Math.min(RECOVERY_READ_BYTES, fileSize - position));
    let at = 0;
    while (at + LOG_OVERHEAD <= chunk.length) {
      const size = batchSizeOf(chunk, at);
      if (size < BATCH_HEADER_SIZE || position + at + size > fileSize) break scan;
      if (at + size > chunk.length) {
        if (at > 0) break;
        chunk = await segment.read(position, size); // a batch larger than one read
      }
      const lastOffset = validBatchLastOffset(chunk, at, size, minBaseOffset, segment);
      if (lastOffset === undefined) break scan;
      opts.epochs?.assign(partitionLeaderEpochOf(chunk, at), baseOffsetOf(chunk, at));
      segment.indexAppended(position + at, size, lastOffset, maxTimestampOf(chunk, at), lastOffset);
      nextOffset = minBaseOffset = lastOffset + 1;
      at += size;
      validBytes = position + at;
    }
    if (at === 0) break; // a torn header at the end of the file
  }
  const truncated = validBytes < fileSize;
  if (truncated && opts.truncate) segment.truncateLog(validBytes);
  segment.offsetIndex.persist();
  segment.timeIndex.persist();
  return { nextOffset, truncated };
}

/** Last offset of a well-formed batch at `at`, or undefined if it is corrupt or out of order. */
function validBatchLastOffset(buf: Buffer, at: number, size: number, minBaseOffset: number, segment: LogSegment): number | undefined {
  if (magicOf(buf, at) !== 2 || !isBatchCrcValid(buf, at, size)) return undefined;
  const baseOffset = baseOffsetOf(buf, at);
  const lastOffset = baseOffset + lastOffsetDeltaOf(buf, at);
  if (baseOffset < minBaseOffset || lastOffset < baseOffset) return undefined;
  return segment.offsetIndex.canAppendOffset(lastOffset) ? lastOffset : undefined;
}

export interface LoadContext {
  settings: SegmentSettings;
  files: FileCache;
  /** segment.jitter.ms draw for each segment. */
  rollJitterMs: () => number;
  now: number;
  recoveryPoint: number;
  logStartOffset: number;
  hadCleanShutdown: boolean;
  epochs: LeaderEpochCache;
}

export interface LoadedLog {
  segments: LogSegment[];
  logEndOffset: number;
  /** Base offset of the first segment scanned by recovery (its .txnindex and later ones need rebuilding), if any. */
  recoveredFrom?: number;
}

interface SegmentFiles {
  hasLog: boolean;
  hasIndexes: boolean;
}

export async function loadSegments(dir: string, ctx: LoadContext): Promise<LoadedLog> {
  const found = await cleanDirectory(dir);
  const bases = [...found.keys()].filter((b) => found.get(b)!.hasLog).sort((a, b) => a - b);
  const segments: LogSegment[] = [];
  for (const base of bases) {
    const { size } = await stat(segmentPath(dir, base, LOG_SUFFIX));
    segments.push(new LogSegment(dir, base, size, ctx.settings, ctx.rollJitterMs(), ctx.files, ctx.now));
  }
  if (segments.length === 0) {
    segments.push(LogSegment.create(dir, ctx.logStartOffset, ctx.settings, ctx.rollJitterMs(), ctx.files, ctx.now));
    return { segments, logEndOffset: ctx.logStartOffset };
  }

  let firstUnflushed = segments.length;
  if (!ctx.hadCleanShutdown) {
    firstUnflushed = 0;
    while (firstUnflushed + 1 < segments.length && segments[firstUnflushed + 1].baseOffset <= ctx.recoveryPoint) firstUnflushed++;
  }
  let activeNextOffset: number | undefined;
  let activeRecovered = false;
  let recoveredFrom: number | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (i < firstUnflushed && found.get(segment.baseOffset)!.hasIndexes) continue;
    recoveredFrom ??= segment.baseOffset;
    const result = await recoverSegment(segment, { truncate: true, epochs: ctx.epochs });
    if (result.truncated && i + 1 < segments.length) {
      await Promise.all(segments.splice(i + 1).map((s) => s.delete()));
    }
    if (i === segments.length - 1) {
      activeNextOffset = result.nextOffset;
      activeRecovered = true;
    }
  }

  const active = segments[segments.length - 1];
  if (!activeRecovered) {
    const end = await activeSegmentEnd(active, ctx.epochs);
    activeNextOffset = end.nextOffset;
    if (end.recovered) recoveredFrom ??= active.baseOffset;
  }
  await active.loadFirstBatchTimestamp();
  return { segments, logEndOffset: activeNextOffset ?? active.baseOffset, recoveredFrom };
}

/**
 * Next offset of an active segment that was not scanned (clean shutdown, or below the recovery
 * point): its indexes are loaded and its batches walked from the last index entry; an index that
 * fails validation or a log that does not end on a batch boundary sends it through recovery.
 */
async function activeSegmentEnd(active: LogSegment, epochs: LeaderEpochCache): Promise<{ nextOffset: number | undefined; recovered: boolean }> {
  if (await active.loadIndexes(Number.MAX_SAFE_INTEGER)) {
    try {
      const last = await active.lastBatch();
      if (last ? last.position + last.size === active.size : active.size === 0) return { nextOffset: last && last.lastOffset + 1, recovered: false };
    } catch (err) {
      if (!(err instanceof CorruptLogError)) throw err;
    }
  }
  return { nextOffset: (await recoverSegment(active, { truncate: true, epochs })).nextOffset, recovered: true };
}

/**
 * Removes files of interrupted operations (.deleted, .cleaned, .tmp, indexes without a .log),
 * completes interrupted swaps, and lists the segment files that remain.
 */
async function cleanDirectory(dir: string): Promise<Map<number, SegmentFiles>> {
  const names = await readdir(dir);
  const swaps: { baseOffset: number; suffix: string }[] = [];
  const kinds = new Map<number, Set<string>>();
  const add = (base: number, suffix: string): void => {
    let set = kinds.get(base);
    if (!set) kinds.set(base, (set = new Set()));
    set.add(suffix);
  };
  for (const name of names) {
    if (name.endsWith(DELETED_SUFFIX) || name.endsWith(CLEANED_SUFFIX) || name.endsWith(TEMP_SUFFIX)) {
      await unlink(join(dir, name));
    } else if (name.endsWith(SWAP_SUFFIX)) {
      const parsed = parseSegmentFileName(name.slice(0, -SWAP_SUFFIX.length));
      if (parsed) swaps.push(parsed);
      else await unlink(join(dir, name));
    } else {
      const parsed = parseSegmentFileName(name);
      if (parsed) add(parsed.baseOffset, parsed.suffix);
    }
  }
  for (const swap of swaps) if (swap.suffix === LOG_SUFFIX) await dropReplacedSegments(dir, swap.baseOffset, kinds);
  // As Kafka's LogLoader: every .swap file left becomes its segment file. The cleaner renames the
  // .log first both ways, so an index .swap without a .log.swap is from a swap already committed.
  for (const { baseOffset, suffix } of swaps) {
    await rename(segmentPath(dir, baseOffset, suffix) + SWAP_SUFFIX, segmentPath(dir, baseOffset, suffix));
    add(baseOffset, suffix);
  }
  const segments = new Map<number, SegmentFiles>();
  for (const [base, set] of kinds) {
    if (!set.has(LOG_SUFFIX)) {
      for (const suffix of set) await unlink(segmentPath(dir, base, suffix));
      continue;
    }
    segments.set(base, { hasLog: true, hasIndexes: set.has(INDEX_SUFFIX) && set.has(TIME_INDEX_SUFFIX) });
  }
  return segments;
}

/**
 * A `<base>.log.swap` is the cleaner's committed replacement for the segments from `base` up to
 * the offset after its last batch (Kafka's min/max swap offsets): those not deleted yet go now.
 */
async function dropReplacedSegments(dir: string, base: number, kinds: Map<number, Set<string>>): Promise<void> {
  const nextOffset = await nextOffsetOfFile(segmentPath(dir, base, LOG_SUFFIX) + SWAP_SUFFIX);
  for (const [oldBase, set] of kinds) {
    if (oldBase < base || oldBase >= Math.max(nextOffset, base + 1)) continue;
    for (const suffix of set) await unlink(segmentPath(dir, oldBase, suffix));
    kinds.delete(oldBase);
  }
}

async function nextOffsetOfFile(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    let next = 0;
    await scanBatchHeaders(
      (position, length) => readRange(file.fd, position, length),
      0,
      size,
      (h) => {
        next = h.lastOffset + 1;
        return false;
      },
    );
    return next;
  } catch (err) {
    if (err instanceof CorruptLogError) return 0;
    throw err;
  } finally {
    await file.close();
  }
}
