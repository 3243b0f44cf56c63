// One log segment: <base>.log with its sparse .index and .timeindex, and the aborted-transaction
// .txnindex. Appends are synchronous
// writes at the end of the .log (page cache, on the event loop); reads go through the shared
// file-descriptor cache on the threadpool.
import { ftruncateSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { type BatchHeader, scanBatchHeaders } from './batch-scan.js';
import type { FileCache } from './file-cache.js';
import { renameForDeletion } from './file-deleter.js';
import { fsyncFd, readRange, writeFullySync } from './file-io.js';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, segmentPath } from './file-names.js';
import { OffsetIndex } from './offset-index.js';
import type { SegmentTail } from './tail-cache.js';
import { TimeIndex, type TimestampOffset } from './time-index.js';
import { TransactionIndex } from './txn-index.js';

export interface SegmentSettings {
  indexIntervalBytes: number;
  maxIndexSize: number;
}

export interface RollLimits {
  segmentBytes: number;
  segmentMs: number;
}

export class LogSegment {
  readonly logPath: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;
  /** Bytes in the .log. */
  size: number;
  /** Millisecond time the segment object was created; rolls by time when no batch timestamp is known. */
  private created: number;
  private bytesSinceLastIndexEntry = 0;
  /** Largest batch max timestamp in the segment and that batch's last offset (-1: none). */
  private maxTimestampSoFar = -1;
  private offsetOfMaxTimestampSoFar = -1;
  /** Max timestamp of the first batch: segment.ms counts from it. */
  private firstBatchTimestamp: number | undefined;
  /** Recent bytes kept in memory while the segment is active. */
  private tail: SegmentTail | undefined;
  /**
   * The .log once renamed for deletion (retention, a cleaner swap, truncation), null if it was
   * already gone: reads in flight finish on it, as in Kafka, until it is unlinked. A cleaned
   * segment may take the old name meanwhile.
   */
  private retiredLogPath: string | null | undefined;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    size: number,
    readonly settings: SegmentSettings,
    /** Random part of segment.jitter.ms subtracted from segment.ms for this segment. */
    readonly rollJitterMs: number,
    private readonly files: FileCache,
    now: number,
    /** Appended to every file name: '.cleaned' while the cleaner writes the segment (Kafka's fileSuffix). */
    fileSuffix = '',
  ) {
    this.logPath = segmentPath(dir, baseOffset, LOG_SUFFIX) + fileSuffix;
    this.offsetIndex = new OffsetIndex(segmentPath(dir, baseOffset, INDEX_SUFFIX) + fileSuffix, baseOffset, settings.maxIndexSize, files);
    this.timeIndex = new TimeIndex(segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX) + fileSuffix, baseOffset, settings.maxIndexSize, files);
    this.txnIndex = new TransactionIndex(segmentPath(dir, baseOffset, TXN_INDEX_SUFFIX) + fileSuffix);
    this.size = size;
    this.created = now;
  }

  /**
   * A new active segment: an empty .log (replacing a leftover). The index files are written at
   * the first persist (roll, flush or close); until then recovery would rebuild them.
   */
  static create(
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    rollJitterMs: number,
    files: FileCache,
    now: number,
    fileSuffix = '',
  ): LogSegment {
    const segment = new LogSegment(dir, baseOffset, 0, settings, rollJitterMs, files, now, fileSuffix);
    files.withFdSync(segment.logPath, (fd) => ftruncateSync(fd, 0), true);
    segment.resetIndexes();
    return segment;
  }

  get indexesLoaded(): boolean {
    return this.offsetIndex.loaded && this.timeIndex.loaded;
  }

  /** The segment's largest timestamp and its offset; indexes must be loaded. */
  get maxTimestamp(): TimestampOffset | undefined {
    return this.maxTimestampSoFar < 0
      ? undefined
      : { timestamp: this.maxTimestampSoFar, offset: this.offsetOfMaxTimestampSoFar };
  }

  /** Loads both index files; false when either is missing or corrupt. `nextOffset` bounds their entries. */
  async loadIndexes(nextOffset: number): Promise<boolean> {
    const [offsetsOk, timesOk] = await Promise.all([
      this.offsetIndex.load(this.size, nextOffset),
      this.timeIndex.load(this.size, nextOffset),
    ]);
    if (!offsetsOk || !timesOk) return false;
    const last = this.timeIndex.lastEntry();
    if (last) this.trackMaxTimestamp(last.timestamp, last.offset);
    return true;
  }

  /** Empties both indexes before they are rebuilt from the .log. */
  resetIndexes(): void {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestampSoFar = this.offsetOfMaxTimestampSoFar = -1;
    this.firstBatchTimestamp = undefined;
  }

  /** Reads the first batch's max timestamp, which segment.ms counts from (after a reopen). */
  async loadFirstBatchTimestamp(): Promise<void> {
    if (this.size === 0 || this.firstBatchTimestamp !== undefined) return;
    const first = await scanBatchHeaders((p, l) => this.read(p, l), 0, this.size, () => true);
    this.firstBatchTimestamp = first?.maxTimestamp;
  }

  /**
   * Writes `records` (whole batches with offsets assigned) at the end of the .log and indexes them;
   * and, unless `cache` is 'none', caches them in the in-memory tail ('keep': the caller gave the
   * buffer up, see SegmentTail.append). On a failed write the .log is cut back so no partial batch
   * remains.
   */
  append(records: Buffer, largestOffset: number, largestTimestamp: number, offsetOfLargestTimestamp: number, cache: 'none' | 'copy' | 'keep' = 'none'): void {
    const position = this.size;
    this.files.withFdSync(this.logPath, (fd) => {
      try {
        writeFullySync(fd, records, position);
      } catch (err) {
        ftruncateSync(fd, position);
        throw err;
      }
    });
    this.size += records.length;
    if (cache !== 'none') this.tail?.append(position, records, cache === 'keep');
    this.indexAppended(position, records.length, largestOffset, largestTimestamp, offsetOfLargestTimestamp);
  }

  /**
   * Index bookkeeping for bytes now at [position, position + size): Kafka's rule, an entry
   * (largest offset, start position) once more than index.interval.bytes were appended since the
   * last one. Shared by append and by the index rebuild during recovery (one call per batch).
   */
  indexAppended(position: number, size: number, largestOffset: number, largestTimestamp: number, offsetOfLargestTimestamp: number): void {
    if (position === 0) this.firstBatchTimestamp = largestTimestamp;
    this.trackMaxTimestamp(largestTimestamp, offsetOfLargestTimestamp);
    if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes) {
      this.offsetIndex.append(largestOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
  }

  /** Kafka's roll rule for an append of `messagesSize` bytes (never rolls an empty segment). */
  shouldRoll(messagesSize: number, maxTimestampInMessages: number, maxOffsetInMessages: number, now: number, limits: RollLimits): boolean {
    if (this.size === 0) return false;
    const waited =
      this.firstBatchTimestamp !== undefined && this.firstBatchTimestamp >= 0
        ? maxTimestampInMessages - this.firstBatchTimestamp
        : now - this.created;
    return (
      this.size > limits.segmentBytes - messagesSize ||
      waited > limits.segmentMs - this.rollJitterMs ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      !this.offsetIndex.canAppendOffset(maxOffsetInMessages)
    );
  }

  /** Caches what is appended from now on in `tail`; undefined stops caching and releases the memory. */
  useTail(tail: SegmentTail | undefined): void {
    this.tail?.reset(this.size);
    this.tail = tail;
  }

  /** The segment stops being active (roll or close): final time-index entry, indexes written at their used size. */
  onBecomeInactive(): void {
    this.useTail(undefined);
    if (this.maxTimestampSoFar >= 0) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this.offsetIndex.persist();
    this.timeIndex.persist();
  }

  /**
   * Reads [position, position + length) of the .log; shorter at the end of the file or of an
   * in-memory tail chunk (which always ends on a batch boundary). `held`: as SegmentTail.read.
   */
  async read(position: number, length: number, held = false): Promise<Buffer> {
    if (this.retiredLogPath !== undefined) return readRetired(this.retiredLogPath, position, length);
    const cached = this.tail?.read(position, length, held);
    if (cached) return cached;
    const file = await this.files.acquire(this.logPath);
    try {
      return await readRange(file.fd, position, length);
    } finally {
      this.files.release(file);
    }
  }

  /** First batch whose last offset is >= offset, starting no earlier than `minPosition`; indexes must be loaded. */
  translateOffset(offset: number, minPosition = 0): Promise<BatchHeader | undefined> {
    const start = Math.max(this.offsetIndex.lookup(offset).position, minPosition);
    return this.scan(start, (h) => h.lastOffset >= offset);
  }

  /** First batch at or after `startingOffset` whose max timestamp is >= timestamp; indexes must be loaded. */
  findBatchByTimestamp(timestamp: number, startingOffset: number): Promise<BatchHeader | undefined> {
    const indexed = this.timeIndex.lookup(timestamp);
    const start = this.offsetIndex.lookup(Math.max(indexed.offset, startingOffset)).position;
    return this.scan(start, (h) => h.maxTimestamp >= timestamp && h.lastOffset >= startingOffset);
  }

  /** The last batch in the file (scanning from the last index entry), or undefined if empty. */
  async lastBatch(): Promise<BatchHeader | undefined> {
    let last: BatchHeader | undefined;
    await this.scan(this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position, (h) => {
      last = h;
      return false;
    });
    return last;
  }

  /**
   * Cuts the segment at `position`, the start of the first batch with offsets >= offset
   * (found with translateOffset). Synchronous so no append interleaves.
   */
  truncateAt(offset: number, position: number, now: number): void {
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    this.truncateLog(position);
    this.offsetIndex.persist();
    this.timeIndex.persist();
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestampSoFar = this.offsetOfMaxTimestampSoFar = -1;
    const last = this.timeIndex.lastEntry();
    if (last) this.trackMaxTimestamp(last.timestamp, last.offset);
    if (position === 0) {
      this.created = now;
      this.firstBatchTimestamp = undefined;
    }
  }

  /** Cuts the .log alone (recovery of a torn tail, whose rebuilt indexes hold only valid batches). */
  truncateLog(position: number): void {
    this.files.withFdSync(this.logPath, (fd) => ftruncateSync(fd, position));
    this.size = position;
    this.tail?.reset(position);
  }

  /** Writes pending index entries and fsyncs the .log and the indexes. */
  async flush(): Promise<void> {
    this.offsetIndex.persist();
    this.timeIndex.persist();
    await Promise.all([this.logPath, this.offsetIndex.path, this.timeIndex.path, this.txnIndex.path].map((path) => this.fsync(path)));
  }

  /**
   * Renames the files to .deleted (so a crash cannot resurrect them) and returns their new paths.
   * Reads that hold a descriptor keep reading it; later reads of the segment fail with ENOENT.
   */
  renameForDeletion(): string[] {
    this.useTail(undefined);
    const renamed: string[] = [];
    for (const path of [this.logPath, this.offsetIndex.path, this.timeIndex.path, this.txnIndex.path]) {
      this.files.forget(path);
      const deleted = renameForDeletion(path);
      if (path === this.logPath) this.retiredLogPath = deleted ?? null;
      if (deleted) renamed.push(deleted);
    }
    return renamed;
  }

  /** Renames the files to .deleted at once, then unlinks them. */
  async delete(): Promise<void> {
    await Promise.all(this.renameForDeletion().map((path) => unlink(path)));
  }

  private trackMaxTimestamp(timestamp: number, offset: number): void {
    if (timestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = timestamp;
      this.offsetOfMaxTimestampSoFar = offset;
    }
  }

  private scan(start: number, visit: (h: BatchHeader) => boolean): Promise<BatchHeader | undefined> {
    return scanBatchHeaders((p, l) => this.read(p, l), start, this.size, visit);
  }

  private async fsync(path: string): Promise<void> {
    let file;
    try {
      file = await this.files.acquire(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted by a truncation meanwhile
      throw err;
    }
    try {
      await fsyncFd(file.fd);
    } finally {
      this.files.release(file);
    }
  }
}

/**
 * A read of a retired segment's renamed .log, opened for this read only: no cached descriptor
 * keeps the file (and its disk space) once it is unlinked. ENOENT once it is, as for any file gone.
 */
async function readRetired(path: string | null, position: number, length: number): Promise<Buffer> {
  if (path === null) throw Object.assign(new Error('the segment\'s .log was deleted'), { code: 'ENOENT' });
  const handle = await open(path, 'r');
  try {
    return await readRange(handle.fd, position, length);
  } finally {
    await handle.close();
  }
}
