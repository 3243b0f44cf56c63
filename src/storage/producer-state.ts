// Producer state of one partition, as Kafka's ProducerStateManager, ProducerStateEntry and
// ProducerAppendInfo keep it: per producer id the epoch, the last five batches' sequence ranges
// (duplicates of them are acknowledged, not appended), the coordinator epoch of the last
// transaction marker and the first offset of the ongoing transaction; per partition the ongoing
// transactions, which hold back the last stable offset; the transaction verifications in
// progress (Kafka 3.6+). Works on batch headers only; a control batch's one record is read for
// its COMMIT/ABORT type.
import { ErrorCode } from '../protocol/errors.js';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH,
  attributesOf,
  baseSequenceOf,
  baseTimestampOf,
  batchSizeOf,
  compressionOf,
  forEachBatch,
  lastOffsetDeltaOf,
  producerEpochOf,
} from '../protocol/records/batch.js';
import { decompress } from '../protocol/records/compression.js';
import { type EndTxnMarker, parseEndTxnMarker } from '../protocol/records/control-record.js';
import { RecordCursor } from '../protocol/records/cursor.js';
import { ProducerStateError } from './errors.js';
import { VerificationGuard, VerificationStateEntry } from './verification-state.js';

/** Kafka's AppendOrigin: clients get every check, the coordinators no sequence checks, replication none. */
export type AppendOrigin = 'client' | 'coordinator' | 'replication';

export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** Batches per producer whose duplicates are recognised (Kafka's NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;

/** One appended batch of a producer: what a duplicate of it is answered with. */
export interface BatchMetadata {
  lastSeq: number;
  lastOffset: number;
  /** lastOffset - firstOffset, which is also lastSeq - firstSeq. */
  offsetDelta: number;
  /** The batch's max timestamp. */
  timestamp: number;
}

export const firstOffsetOf = (b: BatchMetadata): number => b.lastOffset - b.offsetDelta;
export const firstSeqOf = (b: BatchMetadata): number => decrementSequence(b.lastSeq, b.offsetDelta);

/** Sequences wrap from Integer.MAX_VALUE to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

/** int64 field as a number without a BigInt allocation (exact below 2^53): read per idempotent batch. */
const int64At = (b: Buffer, at: number): number => b.readInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);

/** True when a batch (header at `at`) carries a producer id; one int32 read, for the hot path. */
export const hasProducerId = (records: Buffer, at: number): boolean => records.readInt32BE(at + BATCH.producerId) >= 0;

export class ProducerStateEntry {
  constructor(
    readonly producerId: number,
    public producerEpoch: number,
    public coordinatorEpoch: number,
    public lastTimestamp: number,
    /** First offset of the ongoing transaction, -1 when none. */
    public currentTxnFirstOffset: number,
    /** Oldest first, at most BATCHES_TO_RETAIN. */
    readonly batches: BatchMetadata[] = [],
  ) {}

  static empty(producerId: number): ProducerStateEntry {
    return new ProducerStateEntry(producerId, NO_PRODUCER_EPOCH, -1, -1, -1);
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  get firstSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : firstSeqOf(this.batches[0]);
  }

  get lastSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : this.batches[this.batches.length - 1].lastSeq;
  }

  get lastDataOffset(): number {
    return this.isEmpty ? -1 : this.batches[this.batches.length - 1].lastOffset;
  }

  get lastOffsetDelta(): number {
    return this.isEmpty ? 0 : this.batches[this.batches.length - 1].offsetDelta;
  }

  /** The same producer with no batches: what an append builds on before it is merged back. */
  withoutBatches(): ProducerStateEntry {
    return new ProducerStateEntry(this.producerId, this.producerEpoch, this.coordinatorEpoch, this.lastTimestamp, this.currentTxnFirstOffset);
  }

  addBatch(producerEpoch: number, lastSeq: number, lastOffset: number, offsetDelta: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(producerEpoch);
    this.addBatchMetadata({ lastSeq, lastOffset, offsetDelta, timestamp });
    this.lastTimestamp = timestamp;
  }

  /** A new epoch forgets the old epoch's batches. */
  maybeUpdateProducerEpoch(producerEpoch: number): void {
    if (this.producerEpoch === producerEpoch) return;
    this.batches.length = 0;
    this.producerEpoch = producerEpoch;
  }

  /** Merges what an append produced (Kafka's ProducerStateEntry.update). */
  update(next: ProducerStateEntry): void {
    this.maybeUpdateProducerEpoch(next.producerEpoch);
    for (const b of next.batches) this.addBatchMetadata(b);
    this.coordinatorEpoch = next.coordinatorEpoch;
    this.currentTxnFirstOffset = next.currentTxnFirstOffset;
    this.lastTimestamp = next.lastTimestamp;
  }

  /** A transaction marker: the transaction ends, batches are kept. */
  endTransaction(producerEpoch: number, coordinatorEpoch: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(producerEpoch);
    this.coordinatorEpoch = coordinatorEpoch;
    this.currentTxnFirstOffset = -1;
    this.lastTimestamp = timestamp;
  }

  /** The retained batch with exactly this sequence range in this epoch, if any. */
  findDuplicate(producerEpoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (producerEpoch !== this.producerEpoch) return undefined;
    for (const b of this.batches) if (b.lastSeq === lastSeq && firstSeqOf(b) === firstSeq) return b;
    return undefined;
  }

  private addBatchMetadata(batch: BatchMetadata): void {
    if (this.batches.length === BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(batch);
  }
}

/** A transaction whose marker was just appended. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  /** The marker's offset. */
  lastOffset: number;
  isAborted: boolean;
}

/** An aborted transaction as the .txnindex records it. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  /** The last stable offset right after the abort marker. */
  lastStableOffset: number;
}

/** The changes one producer's batches in one append make (Kafka's ProducerAppendInfo). */
export class ProducerAppend {
  readonly updated: ProducerStateEntry;
  /** First offsets of the transactions this append starts. */
  readonly startedTxns: number[] = [];
  /** Set by a transactional batch or a marker: the producer's verification has served its purpose. */
  endsVerification = false;

  constructor(
    private readonly partition: string,
    readonly producerId: number,
    private readonly current: ProducerStateEntry,
    private readonly origin: AppendOrigin,
    /** The producer's transaction verification in progress, if any. */
    private readonly verification: VerificationStateEntry | undefined,
  ) {
    this.updated = current.withoutBatches();
  }

  appendData(epoch: number, firstSeq: number, lastSeq: number, lastTimestamp: number, firstOffset: number, lastOffset: number, transactional: boolean): void {
    this.checkProducerEpoch(epoch, firstOffset);
    if (this.origin === 'client') this.checkSequence(epoch, firstSeq, firstOffset);
    this.updated.addBatch(epoch, lastSeq, lastOffset, lastOffset - firstOffset, lastTimestamp);
    if (transactional) this.endsVerification = true;
    const ongoing = this.updated.currentTxnFirstOffset >= 0;
    if (ongoing && !transactional) {
      throw new ProducerStateError(
        ErrorCode.INVALID_TXN_STATE,
        `Expected transactional write from producer ${this.producerId} at offset ${firstOffset} in partition ${this.partition}`,
      );
    }
    if (!ongoing && transactional) {
      this.updated.currentTxnFirstOffset = firstOffset;
      this.startedTxns.push(firstOffset);
    }
  }

  /** A COMMIT or ABORT marker at `offset`; returns the transaction it ends, unless it had no data here. */
  appendMarker(commit: boolean, coordinatorEpoch: number, epoch: number, offset: number, timestamp: number): CompletedTxn | undefined {
    this.checkProducerEpoch(epoch, offset);
    if (this.updated.coordinatorEpoch > coordinatorEpoch && this.origin !== 'replication') {
      throw new ProducerStateError(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `Invalid coordinator epoch for producerId ${this.producerId} at offset ${offset} in partition ${this.partition}: ` +
          `${coordinatorEpoch} (zombie), ${this.updated.coordinatorEpoch} (current)`,
      );
    }
    const first = this.updated.currentTxnFirstOffset;
    this.updated.endTransaction(epoch, coordinatorEpoch, timestamp);
    this.endsVerification = true;
    return first >= 0 ? { producerId: this.producerId, firstOffset: first, lastOffset: offset, isAborted: !commit } : undefined;
  }

  private checkProducerEpoch(epoch: number, offset: number): void {
    if (epoch >= this.updated.producerEpoch || this.origin === 'replication') return;
    // Since Kafka 2.7 this is INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED: the client may abort and retry.
    throw new ProducerStateError(
      ErrorCode.INVALID_PRODUCER_EPOCH,
      `Epoch of producer ${this.producerId} at offset ${offset} in ${this.partition} is ${epoch}, ` +
        `which is smaller than the last seen epoch ${this.updated.producerEpoch}`,
    );
  }

  private checkSequence(epoch: number, firstSeq: number, offset: number): void {
    const { updated, current, verification } = this;
    if (verification && firstSeq > verification.lowestSequence) {
      throw new ProducerStateError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Out of order sequence number for producer ${this.producerId} at offset ${offset} in partition ${this.partition}: ` +
          `${firstSeq} (incoming seq. number), ${verification.lowestSequence} (earliest seen sequence)`,
      );
    }
    if (epoch !== updated.producerEpoch) {
      if (firstSeq !== 0 && updated.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new ProducerStateError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${this.producerId}at offset ${offset} in partition ${this.partition}: ` +
            `${epoch} (request epoch), ${firstSeq} (seq. number), ${updated.producerEpoch} (current producer epoch)`,
        );
      }
      return;
    }
    const lastSeq = !updated.isEmpty ? updated.lastSeq : epoch === current.producerEpoch ? current.lastSeq : NO_SEQUENCE;
    // No epoch known (all its batches gone from the log): any sequence is accepted.
    if (current.producerEpoch === NO_PRODUCER_EPOCH || inSequence(lastSeq, firstSeq)) return;
    throw new ProducerStateError(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `Out of order sequence number for producer ${this.producerId} at offset ${offset} in partition ${this.partition}: ` +
        `${firstSeq} (incoming seq. number), ${lastSeq} (current end sequence number)`,
    );
  }
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

/** What the batches of one append do to the producer state, worked out before anything is written. */
export interface ProducerAnalysis {
  appends: Map<number, ProducerAppend>;
  completed: CompletedTxn[];
  /** Set when the append repeats one of a producer's retained batches: nothing is appended. */
  duplicate?: BatchMetadata;
}

/** The COMMIT/ABORT marker in a control batch with its record's timestamp, or undefined for an empty one (cleaned away). */
function readEndTxnMarker(buf: Buffer, at: number): (EndTxnMarker & { timestamp: number }) | undefined {
  if (buf.readInt32BE(at + BATCH.recordCount) === 0) return undefined;
  const block = decompress(compressionOf(buf, at), buf.subarray(at + BATCH.records, at + batchSizeOf(buf, at)));
  const c = new RecordCursor(block, 0, block.length);
  c.varint(); // record length
  c.skip(1); // attributes
  const timestamp = baseTimestampOf(buf, at) + c.varlong();
  c.varint(); // offset delta
  const key = c.nullableBytes();
  const value = c.nullableBytes();
  return { ...parseEndTxnMarker(key, value), timestamp };
}

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** Transaction verifications in progress, by producer id. */
  private readonly verifications = new Map<number, VerificationStateEntry>();
  /** Ongoing transactions, first offset → producer id (few at a time: scanned for the earliest). */
  private ongoing = new Map<number, number>();
  /** Completed transactions whose marker may be above the high watermark: first offset → marker offset. */
  private unreplicated = new Map<number, number>();
  /** The offset up to which (exclusive) the state reflects the log. */
  mapEndOffset = 0;
  /** Offset of the latest snapshot written or loaded: a snapshot is only taken past it. */
  lastSnapshotOffset = 0;

  /** `partition` is "topic-partition", for Kafka's error messages. */
  constructor(readonly partition: string) {}

  get producerCount(): number {
    return this.producers.size;
  }

  entries(): IterableIterator<ProducerStateEntry> {
    return this.producers.values();
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** True while the producer has a transaction open on this partition. */
  hasOngoingTransaction(producerId: number): boolean {
    return (this.producers.get(producerId)?.currentTxnFirstOffset ?? -1) >= 0;
  }

  /**
   * Kafka's maybeStartTransactionVerification: the sentinel while the producer's transaction is
   * ongoing here (nothing to verify), else the guard of its verification, created on first use.
   */
  startVerification(producerId: number, sequence: number, epoch: number, now: number): VerificationGuard {
    if (this.hasOngoingTransaction(producerId)) return VerificationGuard.SENTINEL;
    let entry = this.verifications.get(producerId);
    if (!entry) this.verifications.set(producerId, (entry = new VerificationStateEntry(now, sequence, epoch)));
    entry.maybeUpdateLowestSequenceAndEpoch(sequence, epoch);
    return entry.guard;
  }

  /**
   * Checks the batches with a producer id of `records` (offsets already assigned) against the
   * state without changing it (Kafka's analyzeAndValidateProducerState). Throws ProducerStateError.
   * With `verificationGuard` (transaction verification on), a transactional batch from a client
   * or coordinator that would start a transaction must carry its verification's guard.
   */
  analyze(records: Buffer, origin: AppendOrigin, verificationGuard?: VerificationGuard): ProducerAnalysis {
    const appends = new Map<number, ProducerAppend>();
    const completed: CompletedTxn[] = [];
    let duplicate: BatchMetadata | undefined;
    forEachBatch(records, (at) => {
      if (duplicate || !hasProducerId(records, at)) return;
      const producerId = int64At(records, at + BATCH.producerId);
      const epoch = producerEpochOf(records, at);
      const attributes = attributesOf(records, at);
      const firstOffset = int64At(records, at + BATCH.baseOffset);
      const delta = lastOffsetDeltaOf(records, at);
      const firstSeq = baseSequenceOf(records, at);
      const lastSeq = firstSeq < 0 ? NO_SEQUENCE : incrementSequence(firstSeq, delta);
      if (origin === 'client') {
        duplicate = this.producers.get(producerId)?.findDuplicate(epoch, firstSeq, lastSeq);
        if (duplicate) return;
      }
      const control = (attributes & ATTR_CONTROL) !== 0;
      if (verificationGuard && origin !== 'replication' && !control && (attributes & ATTR_TRANSACTIONAL) !== 0) {
        this.checkVerified(producerId, verificationGuard);
      }
      let append = appends.get(producerId);
      if (!append) {
        const current = this.producers.get(producerId) ?? ProducerStateEntry.empty(producerId);
        append = new ProducerAppend(this.partition, producerId, current, origin, this.verifications.get(producerId));
        appends.set(producerId, append);
      }
      if (control) {
        const marker = readEndTxnMarker(records, at);
        const txn = marker && append.appendMarker(marker.commit, marker.coordinatorEpoch, epoch, firstOffset, marker.timestamp);
        if (txn) completed.push(txn);
      } else {
        const transactional = (attributes & ATTR_TRANSACTIONAL) !== 0;
        append.appendData(epoch, firstSeq, lastSeq, int64At(records, at + BATCH.maxTimestamp), firstOffset, firstOffset + delta, transactional);
      }
    });
    return duplicate ? { appends: new Map(), completed: [], duplicate } : { appends, completed };
  }

  /**
   * Applies an analysis once its batches are in the log: producers updated, transactions started
   * and completed; `onAborted` receives each aborted transaction for the .txnindex.
   */
  apply(analysis: ProducerAnalysis, onAborted: (txn: AbortedTxn) => void): void {
    for (const append of analysis.appends.values()) {
      const current = this.producers.get(append.producerId);
      if (current) current.update(append.updated);
      else this.producers.set(append.producerId, append.updated);
      for (const first of append.startedTxns) this.ongoing.set(first, append.producerId);
      if (append.endsVerification) this.verifications.delete(append.producerId);
    }
    for (const txn of analysis.completed) {
      if (txn.isAborted) onAborted({ ...txn, lastStableOffset: this.lastStableOffsetAfter(txn) });
      this.ongoing.delete(txn.firstOffset);
      this.unreplicated.set(txn.firstOffset, txn.lastOffset);
    }
  }

  /**
   * The first offset not yet decided for read_committed readers: the earliest ongoing
   * transaction, or a completed one whose marker is not below the high watermark yet.
   */
  firstUnstableOffset(highWatermark: number): number | undefined {
    for (const [first, last] of this.unreplicated) {
      if (last < highWatermark) this.unreplicated.delete(first);
    }
    let unstable: number | undefined;
    for (const first of this.ongoing.keys()) if (unstable === undefined || first < unstable) unstable = first;
    for (const first of this.unreplicated.keys()) if (unstable === undefined || first < unstable) unstable = first;
    return unstable;
  }

  /** Removes producers idle for `expirationMs` without an ongoing transaction, and verifications that old (producer.id.expiration.ms). */
  removeExpired(now: number, expirationMs: number): void {
    for (const [id, entry] of this.producers) {
      if (isExpired(entry, now, expirationMs)) this.producers.delete(id);
    }
    for (const [id, entry] of this.verifications) {
      if (now - entry.timestamp >= expirationMs) this.verifications.delete(id);
    }
  }

  /** Replaces the whole state with snapshot entries, leaving out expired producers. */
  load(entries: readonly ProducerStateEntry[], mapEndOffset: number, now: number, expirationMs: number): void {
    this.clear(mapEndOffset);
    this.lastSnapshotOffset = mapEndOffset;
    const live = entries.filter((e) => !isExpired(e, now, expirationMs));
    for (const entry of live) this.producers.set(entry.producerId, entry);
    for (const e of live) if (e.currentTxnFirstOffset >= 0) this.ongoing.set(e.currentTxnFirstOffset, e.producerId);
  }

  clear(mapEndOffset: number): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicated.clear();
    this.mapEndOffset = this.lastSnapshotOffset = mapEndOffset;
  }

  /**
   * Kafka's guard against hanging transactions: a transactional write that would start the
   * producer's transaction here must carry the guard its verification created; the check is
   * against the state before this append.
   */
  private checkVerified(producerId: number, requestGuard: VerificationGuard): void {
    if (this.hasOngoingTransaction(producerId)) return;
    const guard = this.verifications.get(producerId)?.guard ?? VerificationGuard.SENTINEL;
    if (!guard.verify(requestGuard)) throw new ProducerStateError(ErrorCode.INVALID_TXN_STATE, 'Record was not part of an ongoing transaction');
  }

  /** The last stable offset written with an abort into the .txnindex: another producer's open transaction, else after the marker. */
  private lastStableOffsetAfter(txn: CompletedTxn): number {
    let next: number | undefined;
    for (const [first, producerId] of this.ongoing) {
      if (producerId !== txn.producerId && (next === undefined || first < next)) next = first;
    }
    return next ?? txn.lastOffset + 1;
  }
}

function isExpired(entry: ProducerStateEntry, now: number, expirationMs: number): boolean {
  return entry.currentTxnFirstOffset < 0 && now - entry.lastTimestamp >= expirationMs;
}
