// The log cleaner of one LogManager, Kafka's LogCleaner and LogCleanerManager: log.cleaner.threads
// loops, each with its own worker thread, pick the compacted log with the highest dirty ratio
// (above min.cleanable.dirty.ratio, or any dirty bytes once max.compaction.lag.ms is exceeded),
// have the worker clean it (cleaner-thread.ts, clean-log.ts), swap each cleaned group in
// (PartitionLog.replaceSegments) and checkpoint how far the log is clean (cleaner-offset-checkpoint
// in each log dir). Idle loops wait log.cleaner.backoff.ms. Every config is read from the log at
// each check, so a topic changed at run time is judged by its new values.
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CLEANED_SUFFIX, CLEANER_OFFSET_CHECKPOINT, partitionDirName } from '../file-names.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from '../offset-checkpoint.js';
import type { PartitionLog } from '../partition-log.js';
import type { LogSegment } from '../segment.js';
import type { CleanResult } from './clean-log.js';
import { CleanerThreadHandle, CleaningFailedError } from './cleaner-thread-handle.js';
import { pauseForTest } from './test-pause.js';

export interface CleanerConfig {
  /** log.cleaner.threads */
  threads: number;
  /** log.cleaner.dedupe.buffer.size: offset-map memory shared by all threads. */
  dedupeBufferSize: number;
  /** log.cleaner.io.buffer.size: I/O buffer memory shared by all threads. */
  ioBufferSize: number;
  /** log.cleaner.io.buffer.load.factor */
  ioBufferLoadFactor: number;
  /** log.cleaner.backoff.ms: the wait when no log needs cleaning. */
  backoffMs: number;
  /** samsa.test.cleaner.pause.at (tests only). */
  pauseAt?: string;
}

export interface CleanerHost {
  logs(): Iterable<PartitionLog>;
  /** The log dir holding the log now. */
  dirOf(log: PartitionLog): string | undefined;
  onError(err: unknown): void;
}

/** Kafka's LogToClean: a log with its dirty range and sizes. */
interface LogToClean {
  log: PartitionLog;
  firstDirtyOffset: number;
  /** Base offset of the first segment not to clean. */
  firstUncleanableOffset: number;
  cleanableBytes: number;
  cleanableRatio: number;
  needCompactionNow: boolean;
}

/** One cleaning of the last run, for tests and the benchmark. */
export interface CleaningRecord {
  topic: string;
  partition: number;
  startOffset: number;
  result: CleanResult;
  elapsedMs: number;
}

export class LogCleaner {
  /** Cleaner checkpoints by partition dir name (`topic-partition`). */
  private readonly checkpoints: Map<string, number>;
  /** Logs being cleaned, with the flag that stops their worker. */
  private readonly inProgress = new Map<PartitionLog, Int32Array>();
  /** Logs whose cleaning failed unexpectedly (Kafka's uncleanable partitions): skipped from then on. */
  private readonly uncleanable = new WeakSet<PartitionLog>();
  private readonly firstBatchTimestamps = new WeakMap<LogSegment, number>();
  private readonly threads: CleanerThreadHandle[];
  private readonly loops: Promise<void>[];
  private readonly sleepers = new Set<() => void>();
  /** Log choices run one at a time, so two threads never take the same log. */
  private choosing: Promise<unknown> = Promise.resolve();
  /** Checkpoint writes run one at a time. */
  private checkpointing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Called after each cleaning (tests, benchmark). */
  onCleaned: ((record: CleaningRecord) => void) | undefined;

  private constructor(
    private readonly config: CleanerConfig,
    private readonly dirs: readonly string[],
    private readonly host: CleanerHost,
    checkpoints: Map<string, number>,
  ) {
    this.checkpoints = checkpoints;
    const memoryBytes = Math.floor(config.dedupeBufferSize / config.threads);
    const ioBufferSize = Math.floor(config.ioBufferSize / config.threads / 2);
    this.threads = Array.from(
      { length: config.threads },
      () => new CleanerThreadHandle({ memoryBytes, loadFactor: config.ioBufferLoadFactor, ioBufferSize, pauseAt: config.pauseAt }),
    );
    this.loops = this.threads.map((thread) => this.loop(thread));
  }

  /** Reads the cleaner checkpoints of `dirs` and starts the threads. */
  static async start(config: CleanerConfig, dirs: readonly string[], host: CleanerHost): Promise<LogCleaner> {
    const checkpoints = new Map<string, number>();
    for (const dir of dirs) for (const [name, offset] of await readOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT))) checkpoints.set(name, offset);
    return new LogCleaner(config, dirs, host, checkpoints);
  }

  /** The offset up to which the log was cleaned, if it ever was. */
  cleanedOffset(log: PartitionLog): number | undefined {
    return this.checkpoints.get(partitionDirName(log.topic, log.partition));
  }

  /** Stops the log's cleaning in progress, if any (its partition is deleted or moves). */
  abort(log: PartitionLog): void {
    const flag = this.inProgress.get(log);
    if (flag) Atomics.store(flag, 0, 1);
  }

  /** Drops the checkpoint of a deleted partition. */
  forget(log: PartitionLog): void {
    this.abort(log);
    if (this.checkpoints.delete(partitionDirName(log.topic, log.partition))) void this.writeCheckpoints().catch((e: unknown) => this.host.onError(e));
  }

  /** Stops every cleaning and thread and writes the checkpoints. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const flag of this.inProgress.values()) Atomics.store(flag, 0, 1);
    for (const wake of this.sleepers) wake();
    await Promise.all(this.loops);
    await Promise.all(this.threads.map((t) => t.terminate()));
    await this.writeCheckpoints();
  }

  private async loop(thread: CleanerThreadHandle): Promise<void> {
    while (!this.stopped) {
      let cleaned = false;
      try {
        cleaned = await this.cleanFilthiestLog(thread);
      } catch (err) {
        this.host.onError(err);
      }
      if (!cleaned) await this.sleep(this.config.backoffMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }

  private async cleanFilthiestLog(thread: CleanerThreadHandle): Promise<boolean> {
    const choice = this.choosing.then(() => this.grabFilthiestCompactedLog(Date.now()));
    this.choosing = choice.catch(() => undefined);
    const ltc = await choice;
    if (!ltc) return false;
    const abort = new SharedArrayBuffer(4);
    this.inProgress.set(ltc.log, new Int32Array(abort));
    try {
      await this.cleanLog(thread, ltc, abort);
    } catch (err) {
      removeCleanedFiles(ltc.log.dir);
      const expected = (err instanceof CleaningFailedError && err.aborted) || ltc.log.cleanerExcluded || this.stopped;
      if (!expected) {
        this.uncleanable.add(ltc.log);
        this.host.onError(new Error(`cleaning ${ltc.log.topic}-${ltc.log.partition} failed, the partition is not cleaned any more: ${(err as Error).message}`));
      }
    } finally {
      this.inProgress.delete(ltc.log);
    }
    return true;
  }

  /** Kafka's grabFilthiestCompactedLog (taking it is the caller's part). */
  private async grabFilthiestCompactedLog(now: number): Promise<LogToClean | undefined> {
    if (this.stopped) return undefined;
    let filthiest: LogToClean | undefined;
    for (const log of [...this.host.logs()]) {
      if (!log.config.cleanupPolicy.includes('compact') || this.inProgress.has(log) || this.uncleanable.has(log) || log.cleanerExcluded) continue;
      const ltc = await this.logToClean(log, now);
      if (!ltc || log.cleanerExcluded) continue;
      const cleanable = (ltc.needCompactionNow && ltc.cleanableBytes > 0) || ltc.cleanableRatio > log.config.minCleanableDirtyRatio;
      if (cleanable && (!filthiest || ltc.cleanableRatio > filthiest.cleanableRatio)) filthiest = ltc;
    }
    return filthiest;
  }

  /** Kafka's cleanableOffsets, maxCompactionDelay and LogToClean's sizes; undefined for an empty log. */
  private async logToClean(log: PartitionLog, now: number): Promise<LogToClean | undefined> {
    const config = log.config;
    const name = partitionDirName(log.topic, log.partition);
    const checkpoint = this.checkpoints.get(name);
    let firstDirtyOffset = checkpoint ?? log.logStartOffset;
    if (firstDirtyOffset < log.logStartOffset || firstDirtyOffset > log.logEndOffset) {
      // Truncated or moved past by retention: the whole log is dirty again.
      firstDirtyOffset = log.logStartOffset;
      this.checkpoints.set(name, firstDirtyOffset);
    }
    const sealed = log.sealedSegments;
    const active = log.activeSegmentBaseOffset;
    const dirty = segmentsFrom(sealed, active, firstDirtyOffset);
    let uncleanable = Math.min(log.lastStableOffset, active);
    const minLag = Math.max(config.minCompactionLagMs, 0);
    if (minLag > 0) {
      for (const s of dirty) {
        if ((await log.segmentLargestTimestamp(s)) > now - minLag) {
          uncleanable = Math.min(uncleanable, s.baseOffset);
          break;
        }
      }
    }
    uncleanable = Math.max(firstDirtyOffset, uncleanable);
    // calculateCleanableBytes: cleaning stops at the base of the segment holding `uncleanable`.
    const firstUncleanableOffset = segmentsFrom(sealed, active, uncleanable)[0]?.baseOffset ?? active;
    const from = Math.min(firstDirtyOffset, firstUncleanableOffset);
    const cleanableBytes = sumSizes(segmentsFrom(sealed, active, from).filter((s) => s.baseOffset < firstUncleanableOffset));
    const cleanBytes = sumSizes(sealed.filter((s) => s.baseOffset < firstDirtyOffset));
    const totalBytes = cleanBytes + cleanableBytes;
    if (totalBytes === 0) return undefined;
    return {
      log,
      firstDirtyOffset,
      firstUncleanableOffset,
      cleanableBytes,
      cleanableRatio: cleanableBytes / totalBytes,
      needCompactionNow: (await this.maxCompactionDelay(log, dirty, now)) > 0,
    };
  }

  /** Kafka's maxCompactionDelay: how long past max.compaction.lag.ms the oldest dirty segment is. */
  private async maxCompactionDelay(log: PartitionLog, dirty: readonly LogSegment[], now: number): Promise<number> {
    const cleanUntil = now - Math.max(log.config.maxCompactionLagMs, 0);
    if (cleanUntil <= 0) return 0;
    let earliest = Infinity;
    for (const s of dirty) {
      let ts = this.firstBatchTimestamps.get(s);
      if (ts === undefined) this.firstBatchTimestamps.set(s, (ts = await log.segmentFirstBatchTimestamp(s)));
      if (ts > 0 && ts < earliest) earliest = ts;
    }
    return earliest < cleanUntil ? cleanUntil - earliest : 0;
  }

  private async cleanLog(thread: CleanerThreadHandle, ltc: LogToClean, abort: SharedArrayBuffer): Promise<void> {
    const { log } = ltc;
    const config = log.config;
    const sealed = log.sealedSegments;
    const byBase = new Map(sealed.map((s) => [s.baseOffset, s]));
    const started = Date.now();
    const result = await thread.run(
      {
        dir: log.dir,
        segments: [...sealed.map((s) => ({ baseOffset: s.baseOffset, size: s.size })), { baseOffset: log.activeSegmentBaseOffset, size: 0 }],
        firstDirtyOffset: ltc.firstDirtyOffset,
        firstUncleanableOffset: ltc.firstUncleanableOffset,
        now: started,
        segmentBytes: config.segmentBytes,
        maxIndexSize: config.maxIndexSize,
        indexIntervalBytes: config.indexIntervalBytes,
        deleteRetentionMs: config.deleteRetentionMs,
        lastRecordsOfActiveProducers: log.lastRecordsOfActiveProducers(),
      },
      abort,
      (group) => log.replaceSegments(group.replaced.map((base) => byBase.get(base)!), group.size, (step) => pauseForTest(this.config.pauseAt, step)),
    );
    pauseForTest(this.config.pauseAt, 'swapped');
    this.checkpoints.set(partitionDirName(log.topic, log.partition), result.endOffset);
    await this.writeCheckpoints();
    this.onCleaned?.({ topic: log.topic, partition: log.partition, startOffset: ltc.firstDirtyOffset, result, elapsedMs: Date.now() - started });
  }

  /** Rewrites cleaner-offset-checkpoint in every log dir from the logs it holds now. */
  private writeCheckpoints(): Promise<void> {
    const byDir = new Map<string, { topic: string; partition: number; offset: number }[]>(this.dirs.map((d) => [d, []]));
    for (const log of this.host.logs()) {
      const offset = this.checkpoints.get(partitionDirName(log.topic, log.partition));
      const dir = this.host.dirOf(log);
      if (offset !== undefined && dir !== undefined) byDir.get(dir)?.push({ topic: log.topic, partition: log.partition, offset });
    }
    const write = (): Promise<unknown> => Promise.all([...byDir].map(([dir, entries]) => writeOffsetCheckpoint(join(dir, CLEANER_OFFSET_CHECKPOINT), entries)));
    const run = this.checkpointing.then(write).then(() => undefined);
    this.checkpointing = run.catch(() => undefined);
    return run;
  }
}

/** Kafka's nonActiveLogSegmentsFrom: the sealed segments from the one holding `offset` on (none from the active one on). */
function segmentsFrom(sealed: readonly LogSegment[], activeBase: number, offset: number): readonly LogSegment[] {
  if (offset >= activeBase) return [];
  let i = sealed.length;
  while (i > 0 && sealed[i - 1].baseOffset > offset) i--;
  return sealed.slice(Math.max(0, i - 1));
}

function sumSizes(segments: readonly LogSegment[]): number {
  return segments.reduce((n, s) => n + s.size, 0);
}

/** Leftovers of a cleaning that did not finish (a swap that went ahead left none). */
function removeCleanedFiles(dir: string): void {
  try {
    for (const name of readdirSync(dir)) if (name.endsWith(CLEANED_SUFFIX)) unlinkSync(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // the partition was deleted meanwhile
  }
}
