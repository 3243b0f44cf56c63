// One partition's log: an ordered list of segments, the offsets the broker needs (log start,
// log end, high watermark, last stable offset, recovery point), the leader-epoch cache and the
// producer state (idempotence and transactions).
import { mkdirSync, renameSync } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ATTR_TIMESTAMP_TYPE,
  BATCH,
  BATCH_HEADER_SIZE,
  attributesOf,
  baseOffsetOf,
  batchSizeOf,
  forEachBatch,
  isBatchCrcValid,
  lastOffsetDeltaOf,
  lastOffsetOf,
  maxTimestampOf,
  partitionLeaderEpochOf,
  rewriteBatchCrc,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '../protocol/records/batch.js';
import { endTxnMarkerKey, endTxnMarkerValue } from '../protocol/records/control-record.js';
import { buildBatch } from '../protocol/records/record.js';
import { CorruptLogError, LogClosedError, OffsetOutOfRangeError } from './errors.js';
import type { FileCache } from './file-cache.js';
import { type DelayedFileDeleter, renameForDeletion } from './file-deleter.js';
import { CLEANED_SUFFIX, LEADER_EPOCH_CHECKPOINT, SWAP_SUFFIX } from './file-names.js';
import { type FutureLog, type LogSnapshot, fsyncPath } from './future-log.js';
import { removeSegmentFiles, renameSegmentFiles } from './cleaner/segment-files.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogConfig, TimestampType } from './log-config.js';
import { deleteSnapshot, listSnapshots, snapshotPath, writeSnapshot } from './producer-snapshot.js';
import { type AppendOrigin, type ProducerAnalysis, ProducerStateManager, firstOffsetOf, hasProducerId } from './producer-state.js';
import { loadProducerState, rebuildProducerState } from './producer-state-load.js';
import { type Decompress, findRecord } from './record-timestamps.js';
import type { VerificationGuard } from './verification-state.js';
import { loadSegments, recoverSegment } from './recovery.js';
import { countDeletableSegments } from './retention.js';
import { LogSegment } from './segment.js';
import type { TailCache } from './tail-cache.js';
import type { TimestampOffset } from './time-index.js';

/** Extra bytes the first read of a fetch covers beyond maxBytes: the usual distance from an
 * offset-index entry to the wanted batch (index.interval.bytes plus one append). */
const SEEK_LOOKAHEAD_BYTES = 64 * 1024;
/** Appends are copied into the tail cache only this long after a fetch reached the log end:
 * the copy costs the append path, and only consumers at the tail gain from it. */
const TAIL_READER_WINDOW_MS = 10_000;
/** A log-dir move copies at most this much synchronously at its switch; more is copied in another round first. */
const SWITCH_COPY_MAX_BYTES = 1024 * 1024;
/** A read that raced log-dir moves runs again over the moved segments, at most this often in all. */
const READ_ATTEMPTS = 3;

export interface AppendOptions {
  /** Leader epoch written into each batch; a newer one starts a leader-epoch-checkpoint entry. */
  leaderEpoch: number;
  timestampType: TimestampType;
  now: number;
  /** Who appends, as Kafka's AppendOrigin: decides the producer-state checks. Default 'client'. */
  origin?: AppendOrigin;
  /**
   * Set when transaction verification is on (transaction.partition.verification.enable): the guard
   * from maybeStartTransactionVerification, or VerificationGuard.SENTINEL when none was needed. A
   * transactional batch that would start its producer's transaction here is refused
   * (INVALID_TXN_STATE) unless it carries the guard of the producer's verification in progress.
   */
  verificationGuard?: VerificationGuard;
  /**
   * The caller gives `records` up: nothing writes them again (a produce request's frame), so the
   * tail cache may keep them instead of a copy.
   */
  owned?: boolean;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker time written as max timestamp for LogAppendTime, else -1 (a duplicate: its batch's timestamp). */
  logAppendTime: number;
  logStartOffset: number;
  /** The batch repeated one of its producer's last five: nothing was appended, the offsets are the original ones. */
  duplicate?: boolean;
}

/** A COMMIT or ABORT marker written by the transaction coordinator. */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  leaderEpoch: number;
  now: number;
}

/** One producer as DescribeProducers shows it. */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** -1 when no transaction is open. */
  currentTxnStartOffset: number;
}

export interface ReadOptions {
  /** Return the first batch even when it is larger than maxBytes. */
  minOneBatch: boolean;
  /** Exclusive upper bound on returned offsets (e.g. the high watermark). */
  maxOffset: number;
  /**
   * The caller releases each record buffer's memory (FrameMemory.release of its `buffer`) once
   * nothing reads it any more (a fetch response, once written): request frames kept by the tail
   * cache are then reused; without it, a frame read from memory is never reused.
   */
  held?: boolean;
}

export interface ReadResult {
  /** Whole batches: slices of the buffers read (usually one per segment), never copied together. */
  records: Buffer[];
  size: number;
}

/** What the LogManager provides to every partition log. */
export interface LogContext {
  files: FileCache;
  /** Recently appended bytes kept in memory; absent to always read files. */
  tail?: TailCache;
  decompress?: Decompress;
  /** Failures of background work (flushes) that have no caller to report to. */
  onBackgroundError: (err: unknown) => void;
  /** producer.id.expiration.ms; Kafka's default (one day) when absent. */
  producerIdExpirationMs?: number;
  /** Unlinks the files of deleted segments after file.delete.delay.ms; absent, they are unlinked at once. */
  deleter?: DelayedFileDeleter;
}

const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;

export interface OpenOptions {
  recoveryPoint: number;
  logStartOffset: number;
  highWatermark: number;
  hadCleanShutdown: boolean;
}

export class PartitionLog {
  /** Called after every append; set by the owner (the broker wakes waiting fetches). */
  onAppend: ((log: PartitionLog) => void) | undefined;
  private unflushedMessages = 0;
  private lastFlushTime: number;
  private closed = false;
  /** Abandoned for deletion: nothing is written any more. */
  private deleted = false;
  /** Truncations and log-dir moves run one at a time. */
  private exclusive: Promise<unknown> = Promise.resolve();
  /** The log-dir move in progress, if any; set `cancelled` to stop it. */
  private move: { cancelled: boolean } | undefined;
  /** Background flushes run one after another; at most one waits to start. */
  private backgroundFlush: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private readonly indexLoads = new Map<LogSegment, Promise<void>>();
  /** When a fetch last reached the log end (a consumer at the tail). */
  private tailReadAt = -Infinity;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    /** The partition directory; changes when the log moves to another log dir. */
    private currentDir: string,
    public config: LogConfig,
    private readonly ctx: LogContext,
    /** Replaced, never mutated, so a read holding the old array sees a consistent list. */
    private segments: readonly LogSegment[],
    private epochs: LeaderEpochCache,
    public logStartOffset: number,
    /** Offset the next appended record gets. */
    public logEndOffset: number,
    /** Offsets below it are fsynced; recovery scans from it after a crash. */
    public recoveryPoint: number,
    public highWatermark: number,
    private readonly producers: ProducerStateManager,
  ) {
    this.lastFlushTime = Date.now();
  }

  /** Creates the directory and an empty first segment for a new partition. */
  static create(topic: string, partition: number, dir: string, config: LogConfig, ctx: LogContext): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const segment = LogSegment.create(dir, 0, segmentSettings(config), rollJitter(config), ctx.files, Date.now());
    segment.useTail(ctx.tail?.newSegmentTail(0));
    const epochs = LeaderEpochCache.empty(join(dir, LEADER_EPOCH_CHECKPOINT));
    const producers = new ProducerStateManager(`${topic}-${partition}`);
    return new PartitionLog(topic, partition, dir, config, ctx, [segment], epochs, 0, 0, 0, 0, producers);
  }

  /** Opens an existing partition directory, recovering it as needed. */
  static async open(topic: string, partition: number, dir: string, config: LogConfig, ctx: LogContext, opts: OpenOptions): Promise<PartitionLog> {
    const epochs = await LeaderEpochCache.load(join(dir, LEADER_EPOCH_CHECKPOINT));
    const { segments, logEndOffset, recoveredFrom } = await loadSegments(dir, {
      settings: segmentSettings(config),
      files: ctx.files,
      rollJitterMs: () => rollJitter(config),
      now: Date.now(),
      recoveryPoint: opts.recoveryPoint,
      logStartOffset: opts.logStartOffset,
      hadCleanShutdown: opts.hadCleanShutdown,
      epochs,
    });
    epochs.truncateFromEnd(logEndOffset);
    const active = segments[segments.length - 1];
    active.useTail(ctx.tail?.newSegmentTail(active.size));
    const logStartOffset = Math.min(Math.max(opts.logStartOffset, segments[0].baseOffset), logEndOffset);
    const recoveryPoint = Math.min(opts.recoveryPoint, logEndOffset);
    const highWatermark = Math.min(Math.max(opts.highWatermark, logStartOffset), logEndOffset);
    const producers = await loadProducerState(dir, segments, {
      partition: `${topic}-${partition}`,
      logStartOffset,
      logEndOffset,
      now: Date.now(),
      expirationMs: ctx.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      hadCleanShutdown: opts.hadCleanShutdown,
      recoveredFrom,
    });
    return new PartitionLog(topic, partition, dir, config, ctx, segments, epochs, logStartOffset, logEndOffset, recoveryPoint, highWatermark, producers);
  }

  get dir(): string {
    return this.currentDir;
  }

  get leaderEpochs(): LeaderEpochCache {
    return this.epochs;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Bytes of all segments. */
  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Base offsets of the segments, oldest first. */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  private get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Appends already-validated v2 batches. Patches baseOffset and partitionLeaderEpoch in place
   * (and for LogAppendTime the timestamp type and max timestamp, rewriting the CRC), rolls the
   * active segment first if needed, and writes synchronously: appends are ordered. Batches with
   * a producer id go through Kafka's producer-state checks first (ProducerStateError); a
   * duplicate of a recent batch is answered with its original offsets and not appended.
   */
  append(records: Buffer, opts: AppendOptions): AppendResult {
    this.checkOpen();
    const logAppendTime = opts.timestampType === 'LogAppendTime';
    const baseOffset = this.logEndOffset;
    let nextOffset = baseOffset;
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    let idempotent = false;
    const covered = forEachBatch(records, (at, size) => {
      if (hasProducerId(records, at)) idempotent = true;
      setBaseOffset(records, at, nextOffset);
      setPartitionLeaderEpoch(records, at, opts.leaderEpoch);
      if (logAppendTime) {
        records.writeInt16BE(attributesOf(records, at) | ATTR_TIMESTAMP_TYPE, at + BATCH.attributes);
        records.writeBigInt64BE(BigInt(opts.now), at + BATCH.maxTimestamp);
        rewriteBatchCrc(records, at, size);
      }
      nextOffset += lastOffsetDeltaOf(records, at) + 1;
      const batchMaxTimestamp = maxTimestampOf(records, at);
      if (batchMaxTimestamp > maxTimestamp) {
        maxTimestamp = batchMaxTimestamp;
        offsetOfMaxTimestamp = nextOffset - 1;
      }
    });
    if (covered === 0 || covered !== records.length) throw new CorruptLogError('append expects whole record batches');
    // Batches without a producer id (the hot path) skip the producer state entirely.
    const analysis = idempotent ? this.producers.analyze(records, opts.origin ?? 'client', opts.verificationGuard) : undefined;
    if (analysis?.duplicate) {
      const d = analysis.duplicate;
      return { baseOffset: firstOffsetOf(d), lastOffset: d.lastOffset, logAppendTime: d.timestamp, logStartOffset: this.logStartOffset, duplicate: true };
    }
    this.epochs.assign(opts.leaderEpoch, baseOffset);
    this.writeBatches(records, nextOffset, maxTimestamp, offsetOfMaxTimestamp, analysis, opts.now, opts.owned ?? false);
    return { baseOffset, lastOffset: nextOffset - 1, logAppendTime: logAppendTime ? opts.now : -1, logStartOffset: this.logStartOffset };
  }

  /**
   * A follower's append of batches fetched from the leader (Kafka's appendAsFollower): offsets,
   * leader epochs and timestamps stay as the leader wrote them; each batch of a newer leader epoch
   * starts an entry of the epoch cache; producer state is updated without sequence checks
   * (origin 'replication'). A trailing partial batch is left out. Throws CorruptLogError when the
   * first batch does not start at the log end offset or a batch's CRC is wrong (then nothing is
   * appended). Nothing keeps `records` afterwards (the tail cache copies them): the replica
   * fetcher reuses their memory for its next response.
   */
  appendAsFollower(records: Buffer, now: number): AppendResult {
    this.checkOpen();
    const baseOffset = this.logEndOffset;
    let nextOffset = baseOffset;
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    let idempotent = false;
    const covered = forEachBatch(records, (at, size) => {
      if (baseOffsetOf(records, at) !== nextOffset) {
        throw new CorruptLogError(`batch at offset ${baseOffsetOf(records, at)} does not follow the log end offset ${nextOffset} of ${this.topic}-${this.partition}`);
      }
      // As Kafka's analyzeAndValidateRecords for every append: bytes damaged on the way are not replicated.
      if (!isBatchCrcValid(records, at, size)) {
        throw new CorruptLogError(`batch at offset ${nextOffset} of ${this.topic}-${this.partition} is corrupt (stored CRC differs from the computed one)`);
      }
      if (hasProducerId(records, at)) idempotent = true;
      nextOffset = lastOffsetOf(records, at) + 1;
      const batchMaxTimestamp = maxTimestampOf(records, at);
      if (batchMaxTimestamp > maxTimestamp) {
        maxTimestamp = batchMaxTimestamp;
        offsetOfMaxTimestamp = nextOffset - 1;
      }
    });
    if (covered === 0) return { baseOffset, lastOffset: baseOffset - 1, logAppendTime: -1, logStartOffset: this.logStartOffset };
    const batches = covered === records.length ? records : records.subarray(0, covered);
    const analysis = idempotent ? this.producers.analyze(batches, 'replication') : undefined;
    forEachBatch(batches, (at) => this.epochs.assign(partitionLeaderEpochOf(batches, at), baseOffsetOf(batches, at)));
    this.writeBatches(batches, nextOffset, maxTimestamp, offsetOfMaxTimestamp, analysis, now);
    return { baseOffset, lastOffset: nextOffset - 1, logAppendTime: -1, logStartOffset: this.logStartOffset };
  }

  /** Writes batches that end just before `nextOffset` to the active segment (rolled first if due) and moves the log end. */
  private writeBatches(
    records: Buffer, nextOffset: number, maxTimestamp: number, offsetOfMaxTimestamp: number, analysis: ProducerAnalysis | undefined, now: number,
    owned = false,
  ): void {
    const lastOffset = nextOffset - 1;
    let active = this.activeSegment;
    if (active.shouldRoll(records.length, maxTimestamp, lastOffset, now, this.config)) active = this.roll(now);
    const tailReaders = now - this.tailReadAt < TAIL_READER_WINDOW_MS;
    active.append(records, lastOffset, maxTimestamp, offsetOfMaxTimestamp, !tailReaders ? 'none' : owned ? 'keep' : 'copy');
    this.unflushedMessages += nextOffset - this.logEndOffset;
    this.logEndOffset = nextOffset;
    if (analysis) this.applyProducerState(analysis, active);
    this.producers.mapEndOffset = nextOffset;

    if (this.unflushedMessages >= this.config.flushIntervalMessages) this.flushInBackground();
    this.onAppend?.(this);
  }

  /**
   * Appends a transaction marker: a control batch (transactional) of one COMMIT or ABORT control
   * record with the coordinator epoch. It ends the producer's transaction here, records an abort
   * in the .txnindex and moves the last stable offset. Throws ProducerStateError for a stale
   * producer epoch or coordinator epoch.
   */
  appendTxnMarker(m: TxnMarker): AppendResult {
    const batch = buildBatch({
      baseTimestamp: m.now,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      isTransactional: true,
      isControl: true,
      records: [{ offsetDelta: 0, timestampDelta: 0, key: endTxnMarkerKey(m.commit), value: endTxnMarkerValue(m.coordinatorEpoch), headers: [] }],
    });
    return this.append(batch, { leaderEpoch: m.leaderEpoch, timestampType: this.config.messageTimestampType, now: m.now, origin: 'coordinator' });
  }

  /**
   * Kafka's LSO: the first offset of the earliest transaction not yet decided (or whose marker is
   * not below the high watermark yet), capped by the high watermark.
   */
  get lastStableOffset(): number {
    const hw = this.highWatermark;
    const unstable = this.producers.firstUnstableOffset(hw);
    return unstable === undefined || unstable >= hw ? hw : Math.max(unstable, this.logStartOffset);
  }

  /** The aborted transactions a read_committed fetch of [fetchOffset, upperBoundOffset) returns (Kafka's collectAbortedTransactions). */
  async abortedTransactions(fetchOffset: number, upperBoundOffset: number): Promise<{ producerId: number; firstOffset: number }[]> {
    const segments = this.segments;
    const aborted: { producerId: number; firstOffset: number }[] = [];
    for (let i = segmentIndexFor(segments, fetchOffset); i < segments.length; i++) {
      const { txns, complete } = segments[i].txnIndex.collect(fetchOffset, upperBoundOffset);
      for (const t of txns) aborted.push({ producerId: t.producerId, firstOffset: t.firstOffset });
      if (complete) break;
    }
    return aborted;
  }

  /** Producers with state on this partition (DescribeProducers). */
  activeProducers(): ActiveProducer[] {
    return [...this.producers.entries()].map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      lastSequence: e.lastSeq,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.currentTxnFirstOffset,
    }));
  }

  /** True while the producer has a transaction open on this partition. */
  hasOngoingTransaction(producerId: number): boolean {
    return this.producers.hasOngoingTransaction(producerId);
  }

  /**
   * Kafka's maybeStartTransactionVerification, before a transactional append: the sentinel while
   * the producer's transaction is ongoing here, else the guard the append must carry once the
   * transaction coordinator has verified the partition (the same guard until it is used).
   */
  maybeStartTransactionVerification(producerId: number, sequence: number, producerEpoch: number): VerificationGuard {
    return this.producers.startVerification(producerId, sequence, producerEpoch, Date.now());
  }

  /** producer.id.expiration.ms: forgets producers idle that long without an open transaction. */
  removeExpiredProducers(now: number): void {
    this.producers.removeExpired(now, this.ctx.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS);
  }

  /**
   * Whole batches from the one containing `fetchOffset`, up to maxBytes (the first batch even if
   * larger when minOneBatch) and only batches ending below maxOffset and the log end offset.
   * Usually one read per segment: the first read starts at the offset-index entry and covers the
   * distance to the wanted batch as well.
   */
  async read(fetchOffset: number, maxBytes: number, opts: ReadOptions): Promise<ReadResult> {
    this.checkOpen();
    const { logStartOffset, logEndOffset } = this;
    if (fetchOffset < logStartOffset || fetchOffset > logEndOffset) {
      throw new OffsetOutOfRangeError(fetchOffset, logStartOffset, logEndOffset);
    }
    // A consumer fetching at the end (or receiving everything up to it) is at the tail.
    if (fetchOffset === logEndOffset) this.tailReadAt = Date.now();
    const limit = Math.min(opts.maxOffset, logEndOffset);
    const result = await this.withSegments((segments) => {
      // A read run again after segment deletion must not skip past a log start that moved meanwhile.
      if (fetchOffset < this.logStartOffset) throw new OffsetOutOfRangeError(fetchOffset, this.logStartOffset, this.logEndOffset);
      return this.readBatches(segments, fetchOffset, maxBytes, opts.minOneBatch, limit, opts.held ?? false);
    });
    if (result.nextOffset >= logEndOffset) this.tailReadAt = Date.now();
    return { records: result.records, size: result.size };
  }

  private async readBatches(
    segments: readonly LogSegment[], fetchOffset: number, maxBytes: number, minOneBatch: boolean, limit: number, held: boolean,
  ): Promise<ReadResult & { nextOffset: number }> {
    const records: Buffer[] = [];
    let size = 0;
    let offset = fetchOffset;
    /** Size of the first batch once found, so a re-read can fetch it whole under minOneBatch. */
    let firstBatchSize = 0;
    reading: for (let i = segmentIndexFor(segments, fetchOffset); i < segments.length; i++) {
      const segment = segments[i];
      try {
        await this.ensureIndexes(segments, i);
      } catch (err) {
        if (deletedAfterFirstBatches(err, records)) break;
        throw err;
      }
      // Until the first batch is found, batches ending below `offset` are skipped.
      let seeking = records.length === 0;
      let position = seeking ? segment.offsetIndex.lookup(offset).position : 0;
      const end = segment.size;
      while (position < end) {
        const firstFits = records.length === 0 && minOneBatch;
        // No batch is smaller than its header: with less room than that the read is complete (reading on would take nothing, forever).
        if (offset >= limit || (maxBytes - size < BATCH_HEADER_SIZE && !firstFits)) return { records, size, nextOffset: offset };
        const room = Math.max(0, maxBytes - size);
        const want = seeking ? room + SEEK_LOOKAHEAD_BYTES : firstFits ? Math.max(room, firstBatchSize) : room;
        const asked = Math.min(want, end - position);
        let buf: Buffer;
        try {
          buf = await segment.read(position, asked, held);
        } catch (err) {
          if (deletedAfterFirstBatches(err, records)) break reading;
          throw err;
        }
        let at = 0;
        if (seeking) {
          at = skipBatchesBelow(buf, offset);
          if (at + BATCH_HEADER_SIZE > buf.length) {
            if (held) this.ctx.tail?.unlend(buf);
            position += at; // the wanted batch starts beyond this read
            continue;
          }
          seeking = false;
          firstBatchSize = batchSizeOf(buf, at);
        }
        const taken = takeBatches(buf, at, limit, room, firstFits);
        if (taken.bytes > 0) {
          records.push(buf.subarray(at, at + taken.bytes));
          size += taken.bytes;
          offset = taken.nextOffset;
        } else if (held) {
          this.ctx.tail?.unlend(buf);
        }
        if (taken.full) return { records, size, nextOffset: offset };
        // No progress on a short read: the file ended early (a concurrent truncation). A full read
        // without progress held part of a large first batch, which the next read takes whole.
        if (at + taken.bytes === 0 && buf.length < asked) break;
        position += at + taken.bytes;
      }
    }
    return { records, size, nextOffset: offset };
  }

  /** ListOffsets by timestamp: the first record at or after the log start with timestamp >= ts, or null. */
  async offsetForTimestamp(timestamp: number): Promise<TimestampOffset | null> {
    this.checkOpen();
    const startingOffset = this.logStartOffset;
    return this.withSegments((segments) => this.findOffsetForTimestamp(segments, timestamp, startingOffset));
  }

  private async findOffsetForTimestamp(segments: readonly LogSegment[], timestamp: number, startingOffset: number): Promise<TimestampOffset | null> {
    for (let i = 0; i < segments.length; i++) {
      await this.ensureIndexes(segments, i);
      const segment = segments[i];
      const max = segment.maxTimestamp;
      if (!max || max.timestamp < timestamp) continue;
      const header = await segment.findBatchByTimestamp(timestamp, startingOffset);
      if (!header) continue;
      const batch = await segment.read(header.position, header.size);
      const record = findRecord(batch, this.ctx.decompress, (o, t) => t >= timestamp && o >= startingOffset);
      if (record === null) return { offset: Math.max(header.baseOffset, startingOffset), timestamp: header.maxTimestamp };
      if (record) return record;
    }
    return null;
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the record with the largest timestamp, or null for an empty log. */
  async maxTimestampOffset(): Promise<TimestampOffset | null> {
    this.checkOpen();
    return this.withSegments((segments) => this.findMaxTimestampOffset(segments));
  }

  private async findMaxTimestampOffset(segments: readonly LogSegment[]): Promise<TimestampOffset | null> {
    let best: { segment: LogSegment; max: TimestampOffset } | undefined;
    for (let i = 0; i < segments.length; i++) {
      await this.ensureIndexes(segments, i);
      const max = segments[i].maxTimestamp;
      if (max && (!best || max.timestamp > best.max.timestamp)) best = { segment: segments[i], max };
    }
    if (!best) return null;
    const { segment, max } = best;
    const header = await segment.translateOffset(max.offset);
    if (!header) return max;
    const batch = await segment.read(header.position, header.size);
    return findRecord(batch, this.ctx.decompress, (_, t) => t === max.timestamp) ?? max;
  }

  /** Moves the high watermark (clamped to [logStartOffset, logEndOffset]) and returns it. */
  updateHighWatermark(offset: number): number {
    this.highWatermark = Math.min(Math.max(offset, this.logStartOffset), this.logEndOffset);
    return this.highWatermark;
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset`, mid-segment too (a lower one changes
   * nothing); the segments wholly below it go at the next retention check. Returns the log start
   * offset. Throws OffsetOutOfRangeError above the high watermark.
   */
  deleteRecordsBefore(offset: number): number {
    this.checkOpen();
    if (offset > this.highWatermark) throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.highWatermark);
    this.raiseLogStartOffset(offset);
    return this.logStartOffset;
  }

  /**
   * One retention check (Kafka's deleteOldSegments, rules in retention.ts) against the current
   * config: the oldest segments it allows are dropped, the log start offset moves to the first
   * segment kept, and their files are renamed .deleted and unlinked after file.delete.delay.ms.
   * Skipped while the log moves to another log dir. Resolves to the number of segments deleted.
   */
  deleteOldSegments(now: number): Promise<number> {
    if (this.closed || this.move) return Promise.resolve(0);
    return this.runExclusive(() => this.deleteRetainedSegments(now));
  }

  // --- what the log cleaner (cleaner/log-cleaner.ts) works with ---

  /** The sealed segments (all but the active one), oldest first: what the cleaner may rewrite. */
  get sealedSegments(): readonly LogSegment[] {
    return this.segments.slice(0, -1);
  }

  get activeSegmentBaseOffset(): number {
    return this.activeSegment.baseOffset;
  }

  /** Closed, deleted or moving to another log dir: the cleaner leaves it alone (Kafka pauses cleaning for moves). */
  get cleanerExcluded(): boolean {
    return this.closed || this.move !== undefined;
  }

  /** Kafka's LogSegment.largestTimestamp of one of this log's segments. */
  segmentLargestTimestamp(segment: LogSegment): Promise<number> {
    const segments = this.segments;
    return this.largestTimestamp(segments, Math.max(0, segments.indexOf(segment)));
  }

  /** Kafka's getFirstBatchTimestamp: the first batch's max timestamp, -1 for an empty segment. */
  async segmentFirstBatchTimestamp(segment: LogSegment): Promise<number> {
    if (segment.size < BATCH_HEADER_SIZE) return -1;
    return maxTimestampOf(await segment.read(0, BATCH_HEADER_SIZE));
  }

  /**
   * Kafka's lastRecordsOfActiveProducers: each producer's last data batch (its last offset), or,
   * when its last entry is a marker, its epoch. The cleaner keeps those batches for their sequences.
   */
  lastRecordsOfActiveProducers(): [producerId: number, last: { lastDataOffset: number; producerEpoch: number }][] {
    return [...this.producers.entries()].map((e) => [e.producerId, { lastDataOffset: e.lastDataOffset, producerEpoch: e.producerEpoch }]);
  }

  /**
   * Swaps the cleaner's output in for `old` (consecutive sealed segments), as Kafka's
   * replaceSegments: the cleaned files `<base>.*.cleaned` (complete and fsynced, base = old[0]'s)
   * are renamed `.swap` (.log first: from then on recovery completes the swap), the old segments
   * renamed `.deleted` (unlinked after file.delete.delay.ms) and retired, the swap files renamed to
   * their final names and the segment list replaced, all in one synchronous step. Resolves false
   * (the cleaned files removed) when the log changed meanwhile: closed, moving, or `old` no longer
   * in it as it was (retention, truncation). `onStep` is called after each rename phase (test hook).
   */
  replaceSegments(old: readonly LogSegment[], cleanedSize: number, onStep: (step: string) => void = () => {}): Promise<boolean> {
    return this.runExclusive(async () => {
      const stillThere = (): boolean => {
        const first = this.segments.indexOf(old[0]);
        return !this.cleanerExcluded && first >= 0 && first + old.length < this.segments.length && old.every((s, i) => this.segments[first + i] === s);
      };
      // Retired segments are never loaded again, and their names will be the new files'.
      if (stillThere()) for (const s of old) await this.ensureIndexes(this.segments, this.segments.indexOf(s));
      const base = old[0].baseOffset;
      if (!stillThere()) {
        removeSegmentFiles(this.dir, base, CLEANED_SUFFIX);
        return false;
      }
      for (const s of old) void s.txnIndex.all;
      renameSegmentFiles(this.dir, base, CLEANED_SUFFIX, SWAP_SUFFIX);
      onStep('swap-renamed');
      // Reads in flight over the old segments finish on their renamed files.
      const renamed = old.flatMap((s) => s.renameForDeletion());
      onStep('old-deleted');
      renameSegmentFiles(this.dir, base, SWAP_SUFFIX, '');
      const cleaned = new LogSegment(this.dir, base, cleanedSize, segmentSettings(this.config), rollJitter(this.config), this.ctx.files, Date.now());
      const first = this.segments.indexOf(old[0]);
      this.segments = [...this.segments.slice(0, first), cleaned, ...this.segments.slice(first + old.length)];
      if (this.ctx.deleter) this.ctx.deleter.schedule(renamed, this.config.fileDeleteDelayMs);
      else void Promise.all(renamed.map((path) => unlink(path))).catch(this.ctx.onBackgroundError);
      fsyncPath(this.dir).catch(this.ctx.onBackgroundError);
      return true;
    });
  }

  /** Removes every record with offset >= `offset` (follower truncation); no-op at or past the log end. */
  truncateTo(offset: number): Promise<void> {
    return this.runExclusive(() => this.truncate(offset));
  }

  /** Empties the log and restarts it at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.runExclusive(async () => {
      this.checkOpen();
      await this.restartAt(offset);
    });
  }

  /**
   * Moves the log into another log dir while it stays in use. `future` is filled in rounds off
   * the event loop; once little is left, the switch runs synchronously, so appends wait only for
   * it: the rest is copied, the active segment rolled, the copy renamed to `dir` and swapped in,
   * then `onSwitch(oldDir)` is called (the owner retires the old directory at once). Resolves
   * false when cancelled (cancelMove, close, abandon) before the switch.
   */
  moveTo(future: FutureLog, dir: string, onSwitch: (oldDir: string) => void): Promise<boolean> {
    const move = { cancelled: false };
    this.move = move;
    const cancelled = (): boolean => move.cancelled || this.closed;
    return this.runExclusive(() => this.copyAndSwitch(future, dir, onSwitch, cancelled)).finally(() => {
      if (this.move === move) this.move = undefined;
    });
  }

  cancelMove(): void {
    if (this.move) this.move.cancelled = true;
  }

  /** fsyncs everything appended so far and advances the recovery point. */
  async flush(): Promise<void> {
    if (this.deleted) return;
    const upTo = this.logEndOffset;
    const { segments, dir } = this;
    this.unflushedMessages = 0;
    this.lastFlushTime = Date.now();
    const dirty = segments.filter((_, i) => i === segments.length - 1 || segments[i + 1].baseOffset > this.recoveryPoint);
    await Promise.all([...dirty.map((s) => s.flush()), this.epochs.flush()]);
    // After a move, what was fsynced here were the old files.
    if (this.dir === dir) this.recoveryPoint = Math.max(this.recoveryPoint, upTo);
  }

  /** flush.ms: called periodically by the LogManager. */
  flushIfDue(now: number): void {
    if (this.logEndOffset > this.recoveryPoint && now - this.lastFlushTime >= this.config.flushIntervalMs) this.flushInBackground();
  }

  /** Final time-index entry, indexes at their used size, everything fsynced; then the log is unusable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.cancelMove();
    await this.exclusive;
    this.closed = true;
    await this.backgroundFlush;
    this.activeSegment.onBecomeInactive();
    await this.flush();
    // So the next open need not replay the log.
    this.takeSnapshot(true);
    this.ctx.files.forgetDir(this.dir);
  }

  /** Stops using the files without flushing: the partition is being deleted. */
  abandon(): void {
    this.closed = this.deleted = true;
    this.activeSegment.useTail(undefined);
    this.ctx.files.forgetDir(this.dir);
  }

  private checkOpen(): void {
    if (this.closed) throw new LogClosedError(`log ${this.topic}-${this.partition} is closed`);
  }

  private runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(task);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs a read over the current segment list. A log-dir move renames the files under reads in
   * flight: such a read (its file gone, the list since replaced) runs again over the moved segments.
   */
  private async withSegments<T>(read: (segments: readonly LogSegment[]) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const segments = this.segments;
      try {
        return await read(segments);
      } catch (err) {
        const raced = segments !== this.segments && (err as NodeJS.ErrnoException).code === 'ENOENT';
        if (!raced || attempt >= READ_ATTEMPTS) throw err;
      }
    }
  }

  private snapshot(): LogSnapshot {
    return { segments: this.segments, sizes: this.segments.map((s) => s.size), logEndOffset: this.logEndOffset };
  }

  private async copyAndSwitch(future: FutureLog, dir: string, onSwitch: (oldDir: string) => void, cancelled: () => boolean): Promise<boolean> {
    try {
      while (!cancelled()) {
        await future.copy(this.snapshot(), cancelled);
        if (cancelled() || future.pendingBytes(this.segments) > SWITCH_COPY_MAX_BYTES) continue;
        await this.epochs.flush();
        await future.copyPartitionFiles(this.dir);
        await future.sync();
        if (cancelled() || future.pendingBytes(this.segments) > SWITCH_COPY_MAX_BYTES) continue;
        this.switchTo(future, dir, onSwitch);
        return true;
      }
    } catch (err) {
      if (!cancelled()) throw err; // else: a deletion took the files away mid-copy
    }
    return false;
  }

  /** Synchronous, so no append, roll or read of the segment list interleaves. */
  private switchTo(future: FutureLog, dir: string, onSwitch: (oldDir: string) => void): void {
    const oldDir = this.dir;
    const segments = this.segments;
    const active = this.activeSegment;
    // Writes its final index entries, so the copy of its indexes is complete; the copy becomes a
    // sealed segment and a new active segment starts in the new dir.
    active.onBecomeInactive();
    try {
      future.finishSync(segments, this.logEndOffset);
      renameSync(future.dir, dir);
    } catch (err) {
      active.useTail(this.ctx.tail?.newSegmentTail(active.size));
      throw err;
    }
    this.currentDir = dir;
    const now = Date.now();
    const sealed = active.size > 0 ? segments : segments.slice(0, -1);
    this.segments = [
      ...sealed.map((s) => new LogSegment(dir, s.baseOffset, s.size, segmentSettings(this.config), rollJitter(this.config), this.ctx.files, now)),
      this.newSegment(this.logEndOffset, now),
    ];
    const epochs = LeaderEpochCache.empty(join(dir, LEADER_EPOCH_CHECKPOINT));
    for (const e of this.epochs.all) epochs.assign(e.epoch, e.startOffset);
    this.epochs = epochs;
    this.recoveryPoint = Math.min(this.recoveryPoint, future.syncedOffset);
    this.ctx.files.forgetDir(oldDir);
    onSwitch(oldDir);
    this.flushInBackground();
  }

  /** Producer state after an append's batches are in the log; aborts go into the .txnindex of the segment holding the marker. */
  private applyProducerState(analysis: ProducerAnalysis, segment: LogSegment): void {
    this.producers.apply(analysis, (txn) => segment.txnIndex.append(txn));
  }

  /** A producer-state snapshot at the log end, unless the latest one is already there (as Kafka's takeSnapshot). */
  private takeSnapshot(sync: boolean): void {
    const state = this.producers;
    if (state.mapEndOffset <= state.lastSnapshotOffset) return;
    writeSnapshot(this.dir, state.mapEndOffset, state.entries(), sync);
    state.lastSnapshotOffset = state.mapEndOffset;
  }

  private roll(now: number): LogSegment {
    this.activeSegment.onBecomeInactive();
    const segment = this.newSegment(this.logEndOffset, now);
    // Like Kafka, a producer-state snapshot at the new segment's base: recovery replays from there.
    this.takeSnapshot(false);
    this.segments = [...this.segments, segment];
    // Like Kafka, the segments that just became inactive are fsynced in the background.
    this.flushInBackground();
    return segment;
  }

  /** A new empty active segment at `baseOffset`. */
  private newSegment(baseOffset: number, now: number): LogSegment {
    const segment = LogSegment.create(this.dir, baseOffset, segmentSettings(this.config), rollJitter(this.config), this.ctx.files, now);
    segment.useTail(this.ctx.tail?.newSegmentTail(0));
    return segment;
  }

  private flushInBackground(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    this.backgroundFlush = this.backgroundFlush
      .then(() => {
        this.flushQueued = false;
        return this.flush();
      })
      .catch(this.ctx.onBackgroundError);
  }

  /** Loads a segment's indexes on first use, rebuilding them from the .log when missing or corrupt. */
  private ensureIndexes(segments: readonly LogSegment[], i: number): Promise<void> {
    const segment = segments[i];
    if (segment.indexesLoaded) return Promise.resolve();
    let load = this.indexLoads.get(segment);
    if (!load) {
      const nextOffset = i + 1 < segments.length ? segments[i + 1].baseOffset : this.logEndOffset;
      load = segment
        .loadIndexes(nextOffset)
        .then(async (ok) => {
          if (!ok) await recoverSegment(segment, { truncate: false });
        })
        .finally(() => this.indexLoads.delete(segment));
      this.indexLoads.set(segment, load);
    }
    return load;
  }

  private async deleteRetainedSegments(now: number): Promise<number> {
    if (this.closed) return 0;
    const segments = this.segments;
    const config = this.config;
    const count = await countDeletableSegments(segments, this, config, now, (i) => this.largestTimestamp(segments, i));
    if (count === 0) return 0;
    return this.removeOldestSegments(segments.slice(0, count), config.fileDeleteDelayMs) ? count : 0;
  }

  /** Kafka's LogSegment.largestTimestamp: the largest record timestamp, else the file's modification time. */
  private async largestTimestamp(segments: readonly LogSegment[], i: number): Promise<number> {
    await this.ensureIndexes(segments, i);
    return segments[i].maxTimestamp?.timestamp ?? (await stat(segments[i].logPath)).mtimeMs;
  }

  /**
   * Synchronous, so no append, roll or read of the segment list interleaves. Gives up (false)
   * when `doomed` is no longer the start of the list (a cleaner swap or truncation came first)
   * or would leave no segment.
   */
  private removeOldestSegments(doomed: readonly LogSegment[], fileDeleteDelayMs: number): boolean {
    const current = this.segments;
    if (this.closed || current.length <= doomed.length || doomed.some((s, i) => current[i] !== s)) return false;
    const kept = current.slice(doomed.length);
    this.segments = kept;
    this.raiseLogStartOffset(kept[0].baseOffset);
    // Producer snapshots below the first segment kept can never be used again (Kafka deletes them with their segments).
    const snapshots = listSnapshots(this.dir).filter((offset) => offset < kept[0].baseOffset);
    const renamed = [
      ...doomed.flatMap((s) => s.renameForDeletion()),
      ...snapshots.flatMap((offset) => renameForDeletion(snapshotPath(this.dir, offset)) ?? []),
    ];
    if (this.ctx.deleter) this.ctx.deleter.schedule(renamed, fileDeleteDelayMs);
    else void Promise.all(renamed.map((path) => unlink(path))).catch(this.ctx.onBackgroundError);
    return true;
  }

  /** Kafka's maybeIncrementLogStartOffset: offsets below the new start are gone for readers and for recovery. */
  private raiseLogStartOffset(offset: number): void {
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = offset;
    this.highWatermark = Math.max(this.highWatermark, offset);
    this.recoveryPoint = Math.max(this.recoveryPoint, offset);
    this.epochs.truncateFromStart(offset);
  }

  private async truncate(offset: number): Promise<void> {
    this.checkOpen();
    if (offset >= this.logEndOffset) return;
    if (offset <= this.segments[0].baseOffset) return this.restartAt(offset);
    const i = segmentIndexFor(this.segments, offset);
    await this.ensureIndexes(this.segments, i);
    const segment = this.segments[i];
    await segment.loadFirstBatchTimestamp(); // it may become the active segment
    const first = await segment.translateOffset(offset);
    // From here on synchronous: appends that slipped in while reading are cut away too.
    const kept = this.segments.indexOf(segment);
    const doomed = this.segments.slice(kept + 1);
    this.segments = this.segments.slice(0, kept + 1);
    segment.truncateAt(offset, first?.position ?? segment.size, Date.now());
    if (doomed.length > 0) segment.useTail(this.ctx.tail?.newSegmentTail(segment.size));
    this.truncated(first ? Math.min(offset, first.baseOffset) : offset);
    await Promise.all(doomed.map((s) => s.delete()));
    await rebuildProducerState(this.producers, this.dir, this.segments, {
      logStartOffset: this.logStartOffset,
      logEndOffset: this.logEndOffset,
      now: Date.now(),
      expirationMs: this.ctx.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
    });
  }

  private async restartAt(offset: number): Promise<void> {
    const doomed = this.segments;
    const deletion = Promise.all(doomed.map((s) => s.delete()));
    this.segments = [this.newSegment(offset, Date.now())];
    this.epochs.clear();
    this.logStartOffset = offset;
    this.truncated(offset);
    this.highWatermark = offset; // the log is empty and starts there
    this.producers.clear(offset);
    for (const snapshot of listSnapshots(this.dir)) deleteSnapshot(this.dir, snapshot);
    await deletion;
  }

  private truncated(logEndOffset: number): void {
    this.logEndOffset = logEndOffset;
    this.epochs.truncateFromEnd(logEndOffset);
    this.recoveryPoint = Math.min(this.recoveryPoint, logEndOffset);
    this.highWatermark = Math.min(this.highWatermark, logEndOffset);
  }
}

function segmentSettings(config: LogConfig): { indexIntervalBytes: number; maxIndexSize: number } {
  return { indexIntervalBytes: config.indexIntervalBytes, maxIndexSize: config.maxIndexSize };
}

function rollJitter(config: LogConfig): number {
  const range = Math.min(config.segmentJitterMs, config.segmentMs);
  return range > 0 ? Math.floor(Math.random() * range) : 0;
}

/** Index of the segment holding `offset`: the last one whose base offset is <= it (0 if none). */
function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid].baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A later segment was deleted (or moved) under a read that already holds batches: the read ends with those. */
function deletedAfterFirstBatches(err: unknown, records: readonly Buffer[]): boolean {
  return records.length > 0 && (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Position in `buf` of the first batch whose last offset is >= offset (may lie beyond `buf`). */
function skipBatchesBelow(buf: Buffer, offset: number): number {
  let at = 0;
  while (at + BATCH_HEADER_SIZE <= buf.length && lastOffsetOf(buf, at) < offset) at += batchSizeOf(buf, at);
  return at;
}

/**
 * Whole batches from `at` that end below `limit` and fit in `room` bytes (the first one always,
 * with `firstFits`). `full` when a batch was refused (limit or room): the fetch is complete;
 * otherwise the walk stopped at the end of `buf` and the caller reads on.
 */
function takeBatches(buf: Buffer, at: number, limit: number, room: number, firstFits: boolean): { bytes: number; nextOffset: number; full: boolean } {
  let end = at;
  let nextOffset = -1;
  while (end + BATCH_HEADER_SIZE <= buf.length) {
    const size = batchSizeOf(buf, end);
    const last = lastOffsetOf(buf, end);
    if (last >= limit || (end - at + size > room && !(firstFits && end === at))) return { bytes: end - at, nextOffset, full: true };
    if (end + size > buf.length) break;
    nextOffset = last + 1;
    end += size;
  }
  return { bytes: end - at, nextOffset, full: false };
}
