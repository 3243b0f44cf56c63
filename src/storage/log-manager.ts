// All partition logs of one broker across its log dirs: loading (bounded parallelism),
// creation, asynchronous deletion, moves between log dirs, periodic checkpoints and flushes,
// clean shutdown. Everything is per instance: several brokers may run in one process.
import { existsSync, renameSync } from 'node:fs';
import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FrameMemory } from '../protocol/frame-memory.js';
import { writeFileAtomic } from './atomic-file.js';
import { lockLogDir, unlockLogDir } from './dir-lock.js';
import { FileCache } from './file-cache.js';
import { DelayedFileDeleter } from './file-deleter.js';
import {
  CLEAN_SHUTDOWN_MARKER,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  isDeletedPartitionDirName,
  isValidTopicName,
  parsePartitionDirName,
  partitionDirName,
} from './file-names.js';
import { FutureLog, futureDirName, fsyncPath, isFutureDirName } from './future-log.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config.js';
import { type PartitionOffset, readOffsetCheckpoint, writeOffsetCheckpoint } from './offset-checkpoint.js';
import { type LogContext, PartitionLog } from './partition-log.js';
import { type CleanerConfig, LogCleaner } from './cleaner/log-cleaner.js';
import type { Decompress } from './record-timestamps.js';
import { TailCache } from './tail-cache.js';

export interface LogManagerOptions {
  logDirs: readonly string[];
  /** Config for a topic found on disk; defaults to Kafka's defaults. */
  configFor?: (topic: string) => LogConfig;
  /** Open file descriptors kept across all partitions. */
  maxOpenFiles?: number;
  /** Partitions opened (and recovered) at the same time while loading. */
  loadConcurrency?: number;
  /** log.flush.offset.checkpoint.interval.ms and log.flush.start.offset.checkpoint.interval.ms */
  recoveryCheckpointIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms */
  highWatermarkCheckpointIntervalMs?: number;
  /** How often flush.ms is checked (log.flush.scheduler.interval.ms). */
  flushCheckIntervalMs?: number;
  /** Memory for recently appended bytes served to consumers at the tail (0: read files only). */
  tailCacheBytes?: number;
  /** Where request frames appended as `owned` come from: the tail cache gives them back there. */
  frameMemory?: FrameMemory;
  /** Record decompression for exact ListOffsets answers inside compressed batches. */
  decompress?: Decompress;
  /** producer.id.expiration.ms and producer.id.expiration.check.interval.ms */
  producerIdExpirationMs?: number;
  producerIdExpirationCheckIntervalMs?: number;
  /** log.retention.check.interval.ms: how often old segments are deleted (deleteOldSegments). */
  retentionCheckIntervalMs?: number;
  /** log.initial.task.delay.ms: when the first retention check runs after opening. */
  initialTaskDelayMs?: number;
  /** Failures of background work; defaults to a process warning. */
  onBackgroundError?: (err: unknown) => void;
  /** The log cleaner's settings (log.cleaner.*); absent, compacted logs are not cleaned (log.cleaner.enable=false). */
  cleaner?: CleanerConfig;
}

interface LogDir {
  path: string;
  /** As DescribeLogDirs reports it and AlterReplicaLogDirs names it. */
  absolutePath: string;
  partitions: number;
}

/** A partition being copied into another log dir (AlterReplicaLogDirs). */
interface LogMove {
  destination: LogDir;
  future: FutureLog;
  /** Settles once the log was swapped in (and checkpointed) or the copy was dropped. */
  done: Promise<void>;
}

/** One log dir as DescribeLogDirs shows it. */
export interface LogDirListing {
  absolutePath: string;
  logs: PartitionLog[];
  /** Copies being made into this dir, each with the log it copies. */
  futures: { log: PartitionLog; size: number; logEndOffset: number }[];
}

/** What AlterReplicaLogDirs did: no such log here, it is already in that dir, or it is moving (or was already moving) there. */
export type LogDirChange = 'no-log' | 'in-place' | 'moving';

const DEFAULTS = {
  maxOpenFiles: 1024,
  loadConcurrency: 8,
  recoveryCheckpointIntervalMs: 60_000,
  highWatermarkCheckpointIntervalMs: 5_000,
  flushCheckIntervalMs: 1_000,
  tailCacheBytes: 64 * 1024 * 1024,
  producerIdExpirationCheckIntervalMs: 600_000,
  retentionCheckIntervalMs: 300_000,
  initialTaskDelayMs: 30_000,
};
/** Largest allocation of the tail cache (fewer, larger chunks cost less per byte). */
const TAIL_CHUNK_BYTES = 1024 * 1024;

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly dirOf = new Map<PartitionLog, LogDir>();
  private readonly moves = new Map<PartitionLog, LogMove>();
  /** Every move still running, including stopped ones still removing their copy. */
  private readonly moveTasks = new Set<Promise<void>>();
  /** Log dirs asked for partitions not created yet (AlterReplicaLogDirs first, like Kafka's reassignment tool). */
  private readonly preferredDirs = new Map<string, LogDir>();
  private readonly deletions = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** The retention check running, if any: checks never overlap. */
  private retentionCheck: Promise<number> | undefined;
  /** Checkpoint files are rewritten one at a time (they share temp file names). */
  private checkpointing: Promise<void> = Promise.resolve();
  private closed = false;
  private cleaner: LogCleaner | undefined;

  private constructor(
    private readonly dirs: LogDir[],
    private readonly ctx: LogContext,
    private readonly configFor: (topic: string) => LogConfig,
  ) {}

  static async open(options: LogManagerOptions): Promise<LogManager> {
    if (options.logDirs.length === 0) throw new Error('at least one log dir is required');
    const opts = { ...DEFAULTS, ...options };
    const onBackgroundError = options.onBackgroundError ?? ((err: unknown) => process.emitWarning(err as Error));
    const ctx: LogContext = {
      files: new FileCache(opts.maxOpenFiles),
      tail: opts.tailCacheBytes > 0 ? new TailCache(opts.tailCacheBytes, TAIL_CHUNK_BYTES, options.frameMemory) : undefined,
      decompress: options.decompress,
      onBackgroundError,
      producerIdExpirationMs: options.producerIdExpirationMs,
      deleter: new DelayedFileDeleter(onBackgroundError),
    };
    const dirs: LogDir[] = options.logDirs.map((path) => ({ path, absolutePath: resolve(path), partitions: 0 }));
    const manager = new LogManager(dirs, ctx, options.configFor ?? (() => ({ ...DEFAULT_LOG_CONFIG })));
    const locked: LogDir[] = [];
    try {
      for (const dir of dirs) {
        await mkdir(dir.path, { recursive: true });
        lockLogDir(dir.path);
        locked.push(dir);
      }
      const cleanShutdown = dirs.map((dir) => existsSync(join(dir.path, CLEAN_SHUTDOWN_MARKER)));
      for (let i = 0; i < dirs.length; i++) await manager.loadDir(dirs[i], cleanShutdown[i], opts.loadConcurrency);
      // Only now: a crash while running must trigger recovery at the next start.
      await Promise.all(dirs.map((dir) => unlink(join(dir.path, CLEAN_SHUTDOWN_MARKER)).catch(ignoreMissing)));
    } catch (err) {
      ctx.files.closeAll();
      for (const dir of locked) unlockLogDir(dir.path);
      throw err;
    }
    if (options.cleaner) {
      manager.cleaner = await LogCleaner.start(options.cleaner, dirs.map((d) => d.path), {
        logs: () => manager.logs.values(),
        dirOf: (log) => manager.dirOf.get(log)?.path,
        onError: onBackgroundError,
      });
    }
    manager.every(opts.recoveryCheckpointIntervalMs, () => manager.checkpointRecoveryOffsets());
    manager.every(opts.highWatermarkCheckpointIntervalMs, () => manager.checkpointHighWatermarks());
    manager.every(opts.flushCheckIntervalMs, async () => {
      const now = Date.now();
      for (const log of manager.logs.values()) log.flushIfDue(now);
    });
    manager.every(opts.producerIdExpirationCheckIntervalMs, async () => {
      const now = Date.now();
      for (const log of manager.logs.values()) log.removeExpiredProducers(now);
    });
    // Like Kafka's kafka-log-retention task: first after the initial delay, then periodically.
    const firstCheck = setTimeout(() => {
      manager.every(opts.retentionCheckIntervalMs, async () => void (await manager.deleteOldSegments()));
      manager.deleteOldSegments().catch(ctx.onBackgroundError);
    }, opts.initialTaskDelayMs);
    firstCheck.unref();
    manager.timers.push(firstCheck);
    return manager;
  }

  /** The log cleaner, when compaction is on. */
  get logCleaner(): LogCleaner | undefined {
    return this.cleaner;
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition));
  }

  allLogs(): IterableIterator<PartitionLog> {
    return this.logs.values();
  }

  /** Returns the partition's log, creating it in its preferred log dir or the one with the fewest partitions if needed. */
  createLog(topic: string, partition: number, config: LogConfig): PartitionLog {
    this.checkOpen();
    if (!isValidTopicName(topic)) throw new Error(`invalid topic name '${topic}'`);
    if (!Number.isInteger(partition) || partition < 0) throw new Error(`invalid partition ${partition}`);
    const existing = this.getLog(topic, partition);
    if (existing) return existing;
    const key = partitionDirName(topic, partition);
    const dir = this.preferredDirs.get(key) ?? this.dirs.reduce((a, b) => (b.partitions < a.partitions ? b : a));
    this.preferredDirs.delete(key);
    const log = PartitionLog.create(topic, partition, join(dir.path, partitionDirName(topic, partition)), config, this.ctx);
    this.add(log, dir);
    return log;
  }

  /**
   * Renames the partition directory to `<topic>-<partition>.<uuid>-delete` at once (cheap), then
   * removes the files asynchronously; resolves when they are gone.
   */
  deleteLog(topic: string, partition: number): Promise<void> {
    const key = partitionDirName(topic, partition);
    const log = this.logs.get(key);
    if (!log) return Promise.resolve();
    this.logs.delete(key);
    this.dirOf.get(log)!.partitions--;
    this.dirOf.delete(log);
    this.moves.delete(log);
    this.cleaner?.forget(log);
    log.abandon();
    const doomed = `${log.dir}.${randomUUID().replaceAll('-', '')}-delete`;
    renameSync(log.dir, doomed);
    return this.removeInBackground(doomed);
  }

  /** True when `path` is the absolute path of one of the log dirs. */
  hasLogDir(path: string): boolean {
    return this.dirs.some((d) => d.absolutePath === path);
  }

  /** Every log dir with its logs and the copies being made into it. */
  listLogDirs(): LogDirListing[] {
    const listings = new Map<LogDir, LogDirListing>(this.dirs.map((d) => [d, { absolutePath: d.absolutePath, logs: [], futures: [] }]));
    for (const [log, dir] of this.dirOf) listings.get(dir)!.logs.push(log);
    for (const [log, move] of this.moves) {
      listings.get(move.destination)!.futures.push({ log, size: move.future.size, logEndOffset: move.future.logEndOffset });
    }
    return [...listings.values()];
  }

  /**
   * AlterReplicaLogDirs, as Kafka's ReplicaManager does it: a move to another dir stops, a log not
   * created yet will be created in that dir, a log elsewhere starts moving there (copied in the
   * background, then swapped in). `path` must be a log dir (hasLogDir); throws if the copy's
   * directory cannot be created.
   */
  alterLogDir(topic: string, partition: number, path: string): LogDirChange {
    this.checkOpen();
    const destination = this.dirs.find((d) => d.absolutePath === path);
    if (!destination) throw new Error(`${path} is not a log dir`);
    const key = partitionDirName(topic, partition);
    const log = this.logs.get(key);
    const moving = log && this.moves.get(log);
    if (moving && moving.destination !== destination) {
      log.cancelMove();
      this.moves.delete(log);
    }
    if (!log) {
      if (isValidTopicName(topic) && Number.isInteger(partition) && partition >= 0) this.preferredDirs.set(key, destination);
      return 'no-log';
    }
    if (this.dirOf.get(log) === destination) return 'in-place';
    if (!this.moves.has(log)) this.startMove(log, destination);
    return 'moving';
  }

  /** Resolves when the partition's move (if one is running) has finished or stopped. */
  async whenMoved(topic: string, partition: number): Promise<void> {
    const log = this.getLog(topic, partition);
    await (log && this.moves.get(log))?.done;
  }

  /**
   * A retention check of every log (Kafka's cleanupLogs, rules in retention.ts), each against its
   * current config; the log start offsets are checkpointed when segments went. A check already
   * running is joined. Resolves to the number of segments deleted.
   */
  deleteOldSegments(): Promise<number> {
    this.retentionCheck ??= this.checkRetention().finally(() => (this.retentionCheck = undefined));
    return this.retentionCheck;
  }

  /** Writes recovery-point-offset-checkpoint and log-start-offset-checkpoint in every log dir. */
  async checkpointRecoveryOffsets(): Promise<void> {
    await this.checkpoint(RECOVERY_POINT_CHECKPOINT, (log) => log.recoveryPoint);
    await this.checkpointLogStartOffsets();
  }

  /** Writes log-start-offset-checkpoint in every log dir. */
  checkpointLogStartOffsets(): Promise<void> {
    // Like Kafka, only partitions whose start moved past their first segment are listed.
    return this.checkpoint(LOG_START_OFFSET_CHECKPOINT, (log) =>
      log.logStartOffset > log.segmentBaseOffsets[0] ? log.logStartOffset : undefined,
    );
  }

  /** Writes replication-offset-checkpoint (high watermarks) in every log dir. */
  checkpointHighWatermarks(): Promise<void> {
    return this.checkpoint(REPLICATION_OFFSET_CHECKPOINT, (log) => log.highWatermark);
  }

  /** Flushes and closes every log, writes all checkpoints and the clean-shutdown marker, unlocks the dirs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cleaner?.stop();
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const log of this.moves.keys()) log.cancelMove();
    await Promise.allSettled(this.moveTasks);
    await this.retentionCheck?.catch(() => undefined);
    await this.ctx.deleter?.close();
    await Promise.allSettled(this.deletions);
    await forEachBounded([...this.logs.values()], DEFAULTS.loadConcurrency, (log) => log.close());
    await this.checkpointRecoveryOffsets();
    await this.checkpointHighWatermarks();
    for (const dir of this.dirs) await writeFileAtomic(join(dir.path, CLEAN_SHUTDOWN_MARKER), '');
    this.ctx.files.closeAll();
    for (const dir of this.dirs) unlockLogDir(dir.path);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('log manager is closed');
  }

  private add(log: PartitionLog, dir: LogDir): void {
    this.logs.set(partitionDirName(log.topic, log.partition), log);
    this.dirOf.set(log, dir);
    dir.partitions++;
  }

  private startMove(log: PartitionLog, destination: LogDir): void {
    this.cleaner?.abort(log);
    const future = new FutureLog(join(destination.path, futureDirName(log.topic, log.partition)), this.ctx.files);
    const target = join(destination.path, partitionDirName(log.topic, log.partition));
    let source: LogDir | undefined;
    let retired = '';
    // Called synchronously inside the log's switch: the old directory is retired at once and the
    // bookkeeping follows the log before anything else runs.
    const switched = (oldDir: string): void => {
      retired = `${oldDir}.${randomUUID().replaceAll('-', '')}-delete`;
      renameSync(oldDir, retired);
      source = this.dirOf.get(log)!;
      source.partitions--;
      destination.partitions++;
      this.dirOf.set(log, destination);
      this.moves.delete(log);
    };
    const done = log
      .moveTo(future, target, switched)
      .then(
        async (moved) => {
          if (!moved) return this.dropFuture(future);
          void this.removeInBackground(retired);
          await Promise.all([fsyncPath(source!.path), fsyncPath(destination.path)]);
          await this.checkpointRecoveryOffsets();
          await this.checkpointHighWatermarks();
        },
        (err: unknown) => {
          this.ctx.onBackgroundError(err);
          return this.dropFuture(future);
        },
      )
      .catch(this.ctx.onBackgroundError)
      .finally(() => {
        this.moveTasks.delete(done);
        if (this.moves.get(log)?.done === done) this.moves.delete(log);
      });
    this.moves.set(log, { destination, future, done });
    this.moveTasks.add(done);
  }

  /** Closes and removes a copy that will not be swapped in. */
  private dropFuture(future: FutureLog): Promise<void> {
    future.close();
    return this.removeInBackground(future.dir);
  }

  private async loadDir(dir: LogDir, hadCleanShutdown: boolean, concurrency: number): Promise<void> {
    const [recoveryPoints, logStartOffsets, highWatermarks] = await Promise.all(
      [RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT].map((name) =>
        readOffsetCheckpoint(join(dir.path, name)),
      ),
    );
    const partitions: Array<{ name: string; topic: string; partition: number }> = [];
    for (const entry of await readdir(dir.path, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      // A copy interrupted by a restart is dropped: the current log is complete.
      if (isDeletedPartitionDirName(entry.name) || isFutureDirName(entry.name)) {
        void this.removeInBackground(join(dir.path, entry.name));
        continue;
      }
      const parsed = parsePartitionDirName(entry.name);
      if (!parsed) continue; // -stray and unrelated directories
      if (this.logs.has(entry.name)) throw new Error(`partition ${entry.name} exists in more than one log dir`);
      partitions.push({ name: entry.name, ...parsed });
    }
    await forEachBounded(partitions, concurrency, async ({ name, topic, partition }) => {
      const log = await PartitionLog.open(topic, partition, join(dir.path, name), this.configFor(topic), this.ctx, {
        recoveryPoint: recoveryPoints.get(name) ?? 0,
        logStartOffset: logStartOffsets.get(name) ?? 0,
        highWatermark: highWatermarks.get(name) ?? 0,
        hadCleanShutdown,
      });
      this.add(log, dir);
    });
  }

  private async checkRetention(): Promise<number> {
    const now = Date.now();
    let deleted = 0;
    await forEachBounded([...this.logs.values()], DEFAULTS.loadConcurrency, async (log) => {
      // A log's check may be all synchronous (indexes in memory): let I/O and timers run between logs.
      await yieldToEventLoop();
      try {
        const count = await log.deleteOldSegments(now);
        deleted += count;
      } catch (err) {
        this.ctx.onBackgroundError(err);
      }
    });
    if (deleted > 0 && !this.closed) await this.checkpointLogStartOffsets();
    return deleted;
  }

  private removeInBackground(path: string): Promise<void> {
    const removal = rm(path, { recursive: true, force: true }).finally(() => this.deletions.delete(removal));
    this.deletions.add(removal);
    return removal;
  }

  /** Rewrites checkpoint file `name` in every dir from `offsetOf` (undefined: partition left out). */
  private checkpoint(name: string, offsetOf: (log: PartitionLog) => number | undefined): Promise<void> {
    const entries = new Map<LogDir, PartitionOffset[]>(this.dirs.map((dir) => [dir, []]));
    for (const log of this.logs.values()) {
      const offset = offsetOf(log);
      if (offset !== undefined) entries.get(this.dirOf.get(log)!)!.push({ topic: log.topic, partition: log.partition, offset });
    }
    const write = (): Promise<unknown> =>
      Promise.all([...entries].map(([dir, list]) => writeOffsetCheckpoint(join(dir.path, name), list)));
    const run = this.checkpointing.then(write).then(() => undefined);
    this.checkpointing = run.catch(() => undefined);
    return run;
  }

  private every(intervalMs: number, task: () => Promise<void>): void {
    const timer = setInterval(() => task().catch(this.ctx.onBackgroundError), intervalMs);
    timer.unref();
    this.timers.push(timer);
  }
}

async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
