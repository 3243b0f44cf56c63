// One cleaning of one log, Kafka's Cleaner.doClean, run on a cleaner worker thread: it reads the
// segment files itself and writes the cleaned ones (`<base>.*.cleaned`) next to them; the main
// thread only swaps them in. The offset map is built over the dirty part [firstDirty,
// firstUncleanable) (as far as it fits), then every segment from the log start up to the end of
// what was mapped is rewritten, in groups whose sizes add up to at most segment.bytes (and the
// index size limit), each group into one segment with the base offset of its first.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, utimesSync } from 'node:fs';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH,
  BATCH_HEADER_SIZE,
  CompressionType,
  LOG_OVERHEAD,
  attributesOf,
  baseOffsetOf,
  batchSizeOf,
  compressionOf,
  lastOffsetOf,
  maxTimestampOf,
  recordCountOf,
} from '../../protocol/records/batch.js';
import { decompress } from '../../protocol/records/compression.js';
import { RecordCursor } from '../../protocol/records/cursor.js';
import { FileCache } from '../file-cache.js';
import { CLEANED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, segmentPath } from '../file-names.js';
import type { AbortedTxn } from '../producer-state.js';
import { LogSegment } from '../segment.js';
import { decodeTxnIndex } from '../txn-index.js';
import { type FilterContext, type LastRecord, controlBatchType, filterBatch } from './batch-filter.js';
import type { OffsetMap } from './offset-map.js';
import { CleanedTransactionMetadata } from './txn-metadata.js';

export interface SegmentRef {
  baseOffset: number;
  /** Bytes of its .log when the job was made; a sealed segment does not grow. */
  size: number;
}

export interface CleanJob {
  dir: string;
  /** Every segment of the log, oldest first, the active one last. */
  segments: SegmentRef[];
  firstDirtyOffset: number;
  /** Base offset of the first segment that may not be cleaned. */
  firstUncleanableOffset: number;
  /** When the cleaning started: tombstones and markers are judged against it. */
  now: number;
  segmentBytes: number;
  maxIndexSize: number;
  indexIntervalBytes: number;
  deleteRetentionMs: number;
  lastRecordsOfActiveProducers: [producerId: number, last: LastRecord][];
}

/** A cleaned segment ready in `<baseOffset>.*.cleaned`, to replace the segments `replaced` (base offsets). */
export interface CleanedGroup {
  baseOffset: number;
  replaced: number[];
  size: number;
}

export interface CleanStats {
  /** Bytes of the log read to build the offset map and to clean. */
  mapBytesRead: number;
  bytesRead: number;
  bytesWritten: number;
  messagesRead: number;
  messagesWritten: number;
}

export interface CleanResult {
  /** First offset not cleaned: the new cleaner checkpoint. */
  endOffset: number;
  stats: CleanStats;
}

export interface CleanerIo {
  /** Has the group swapped in; resolves false when the cleaning is to stop (the log changed). */
  swap(group: CleanedGroup): Promise<boolean>;
  /** Throws CleaningAbortedError when the cleaning is to stop. */
  checkDone(): void;
  /** Test hook: blocks at a named point when a test asked for it. */
  pause(point: string): void;
  ioBufferSize: number;
}

export class CleaningAbortedError extends Error {
  override name = 'CleaningAbortedError';
}

export async function cleanLog(job: CleanJob, map: OffsetMap, io: CleanerIo): Promise<CleanResult> {
  try {
    return await cleanLogFiles(job, map, io);
  } catch (err) {
    // Retention, a truncation or the partition's deletion took files away: this cleaning is moot.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CleaningAbortedError(`a file of the log is gone: ${(err as Error).message}`);
    throw err;
  }
}

async function cleanLogFiles(job: CleanJob, map: OffsetMap, io: CleanerIo): Promise<CleanResult> {
  const stats: CleanStats = { mapBytesRead: 0, bytesRead: 0, bytesWritten: 0, messagesRead: 0, messagesWritten: 0 };
  const aborted = new AbortedTxnIndexes(job);
  buildOffsetMap(job, map, aborted, io, stats);
  const endOffset = map.latestOffset + 1;
  io.pause('map-built');
  const sealed = job.segments.slice(0, -1).filter((s) => s.baseOffset < endOffset);
  const txns = new CleanedTransactionMetadata();
  const ctx: FilterContext = {
    map,
    now: job.now,
    deleteRetentionMs: job.deleteRetentionMs,
    txns,
    lastRecordsOfActiveProducers: new Map(job.lastRecordsOfActiveProducers),
  };
  for (const group of groupSegmentsBySize(job, sealed)) {
    const cleaned = await cleanSegments(job, group, ctx, aborted, io, stats);
    io.pause('cleaned');
    if (!(await io.swap(cleaned))) throw new CleaningAbortedError('the log changed while it was cleaned');
  }
  return { endOffset, stats };
}

/** Kafka's buildOffsetMap: the latest offset of every key in the dirty segments, as far as the map holds. */
function buildOffsetMap(job: CleanJob, map: OffsetMap, aborted: AbortedTxnIndexes, io: CleanerIo, stats: CleanStats): void {
  map.clear();
  const start = job.firstDirtyOffset;
  const end = job.firstUncleanableOffset;
  const segments = job.segments;
  const txns = new CleanedTransactionMetadata();
  txns.addAbortedTransactions(aborted.collect(start, end));
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i];
    const next = segments[i + 1].baseOffset;
    if (next <= start || segment.baseOffset >= end) continue;
    let full = false;
    const read = forEachSegmentBatch(job.dir, segment, io, (buf, at, size) => {
      const lastOffset = lastOffsetOf(buf, at);
      const attributes = attributesOf(buf, at);
      const producerId = Number(buf.readBigInt64BE(at + BATCH.producerId));
      if ((attributes & ATTR_CONTROL) !== 0) {
        txns.onControlBatchRead(producerId, lastOffset, controlBatchType(buf, at, size));
      } else if (!txns.onBatchRead(producerId, lastOffset, (attributes & ATTR_TRANSACTIONAL) !== 0)) {
        full = putKeys(buf, at, map, start);
        if (full) return false;
      }
      if (lastOffset >= start) map.updateLatestOffset(lastOffset);
      return true;
    });
    stats.mapBytesRead += read;
    if (full) return;
    // Offsets may have gaps: the map covers this segment up to the next one's base.
    map.updateLatestOffset(next - 1);
  }
}

/** Puts the keys of a data batch at or after `start` into the map; true when the map filled up first. */
function putKeys(buf: Buffer, at: number, map: OffsetMap, start: number): boolean {
  const size = batchSizeOf(buf, at);
  const codec = compressionOf(buf, at);
  const data = buf.subarray(at + BATCH.records, at + size);
  const block = codec === CompressionType.None ? data : decompress(codec, data);
  const baseOffset = baseOffsetOf(buf, at);
  const count = recordCountOf(buf, at);
  const c = new RecordCursor(block, 0, block.length);
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    const end = c.pos + length;
    c.skip(1);
    c.varlong();
    const offset = baseOffset + c.varint();
    const keyLength = c.varint();
    if (keyLength >= 0 && offset >= start) {
      if (map.size >= map.capacity) return true;
      map.put(block, c.pos, c.pos + keyLength, offset);
    }
    c.pos = end;
  }
  return false;
}

/** Kafka's groupSegmentsBySize. */
function groupSegmentsBySize(job: CleanJob, segments: readonly SegmentRef[]): SegmentRef[][] {
  const groups: SegmentRef[][] = [];
  const indexBytes = (s: SegmentRef, suffix: string): number => fileSize(segmentPath(job.dir, s.baseOffset, suffix));
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]];
    let logSize = segments[i].size;
    let offsetIndexSize = indexBytes(segments[i], INDEX_SUFFIX);
    let timeIndexSize = indexBytes(segments[i], TIME_INDEX_SUFFIX);
    for (i++; i < segments.length; i++) {
      const s = segments[i];
      const sOffsetIndex = indexBytes(s, INDEX_SUFFIX);
      const sTimeIndex = indexBytes(s, TIME_INDEX_SUFFIX);
      // The last offset the segment may hold, estimated from the next base (or the cleanable end).
      const lastOffset = i + 1 < segments.length ? segments[i + 1].baseOffset - 1 : job.firstUncleanableOffset - 1;
      const fits =
        logSize + s.size <= job.segmentBytes &&
        offsetIndexSize + sOffsetIndex <= job.maxIndexSize &&
        timeIndexSize + sTimeIndex <= job.maxIndexSize &&
        (s.size === 0 || lastOffset - group[group.length - 1].baseOffset <= 0x7fffffff);
      if (!fits) break;
      group.push(s);
      logSize += s.size;
      offsetIndexSize += sOffsetIndex;
      timeIndexSize += sTimeIndex;
    }
    groups.push(group);
  }
  return groups;
}

/** Kafka's cleanSegments: the group rewritten into `<base>.*.cleaned`, indexes and .txnindex included, fsynced. */
async function cleanSegments(
  job: CleanJob,
  group: readonly SegmentRef[],
  ctx: FilterContext,
  aborted: AbortedTxnIndexes,
  io: CleanerIo,
  stats: CleanStats,
): Promise<CleanedGroup> {
  const files = new FileCache(8);
  const base = group[0].baseOffset;
  const settings = { indexIntervalBytes: job.indexIntervalBytes, maxIndexSize: job.maxIndexSize };
  const cleaned = LogSegment.create(job.dir, base, settings, 0, files, job.now, CLEANED_SUFFIX);
  ctx.txns.cleanedIndex = cleaned.txnIndex;
  try {
    for (const [i, segment] of group.entries()) {
      const next = i + 1 < group.length ? group[i + 1].baseOffset : nextBaseAfter(job, segment);
      ctx.txns.addAbortedTransactions(aborted.collect(segment.baseOffset, next));
      stats.bytesRead += forEachSegmentBatch(job.dir, segment, io, (buf, at, size) => {
        const outcome = filterBatch(buf, at, size, ctx);
        stats.messagesRead += outcome.recordsRead;
        stats.messagesWritten += outcome.recordsKept;
        if (outcome.batch) {
          const lastOffset = lastOffsetOf(outcome.batch, 0);
          cleaned.append(outcome.batch, lastOffset, maxTimestampOf(outcome.batch, 0), lastOffset);
          stats.bytesWritten += outcome.batch.length;
          if (cleaned.size === outcome.batch.length) io.pause('cleaning');
        }
        return true;
      });
    }
    cleaned.onBecomeInactive();
    await cleaned.flush();
    // Kafka keeps the last modified time of the group's last segment.
    const { mtime } = statSync(segmentPath(job.dir, group[group.length - 1].baseOffset, LOG_SUFFIX));
    utimesSync(cleaned.logPath, mtime, mtime);
    return { baseOffset: base, replaced: group.map((s) => s.baseOffset), size: cleaned.size };
  } finally {
    files.closeAll();
  }
}

/** The base offset of the segment after `segment` in the log. */
function nextBaseAfter(job: CleanJob, segment: SegmentRef): number {
  const i = job.segments.indexOf(segment);
  return job.segments[i + 1].baseOffset;
}

/**
 * Calls `visit(buf, at, size)` for each batch of the segment's .log, read in chunks of the I/O
 * buffer size (larger for a larger batch), until it returns false; returns the bytes covered.
 */
function forEachSegmentBatch(dir: string, segment: SegmentRef, io: CleanerIo, visit: (buf: Buffer, at: number, size: number) => boolean): number {
  const fd = openSync(segmentPath(dir, segment.baseOffset, LOG_SUFFIX), 'r');
  try {
    const end = Math.min(segment.size, fstatSync(fd).size);
    let buf = Buffer.allocUnsafe(io.ioBufferSize);
    let position = 0;
    while (position + LOG_OVERHEAD <= end) {
      io.checkDone();
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - position), position);
      let at = 0;
      while (at + LOG_OVERHEAD <= n) {
        const size = batchSizeOf(buf, at);
        if (size < BATCH_HEADER_SIZE || position + at + size > end) return position + at; // a torn tail: recovery's to cut
        if (at + size > n) break;
        if (!visit(buf, at, size)) return position + at;
        at += size;
      }
      if (at === 0) buf = Buffer.allocUnsafe(batchSizeOf(buf, 0)); // a batch larger than the buffer
      position += at;
    }
    return position;
  } finally {
    closeSync(fd);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** The .txnindex files of the log, read once: Kafka's collectAbortedTransactions over them. */
class AbortedTxnIndexes {
  private readonly indexes: { baseOffset: number; txns: AbortedTxn[] }[];

  constructor(job: CleanJob) {
    this.indexes = job.segments.map((s) => {
      const path = segmentPath(job.dir, s.baseOffset, TXN_INDEX_SUFFIX);
      return { baseOffset: s.baseOffset, txns: fileSize(path) > 0 ? decodeTxnIndex(readFileSync(path), path) : [] };
    });
  }

  /** Aborted transactions overlapping [start, upperBound), from the segment holding `start` on until complete. */
  collect(start: number, upperBound: number): AbortedTxn[] {
    const found: AbortedTxn[] = [];
    let i = this.indexes.length - 1;
    while (i > 0 && this.indexes[i].baseOffset > start) i--;
    for (; i < this.indexes.length; i++) {
      for (const txn of this.indexes[i].txns) {
        if (txn.lastOffset >= start && txn.firstOffset < upperBound) found.push(txn);
        if (txn.lastStableOffset >= upperBound) return found;
      }
    }
    return found;
  }
}
