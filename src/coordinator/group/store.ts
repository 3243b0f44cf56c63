// __consumer_offsets as the coordinator's durable state: each group's records
// go to one partition, appended through the PartitionLog (so they are durable
// and fetchable like any other record), and are replayed on start.
import { ErrorCode } from '../../protocol/errors.js';
import { type MaybePromise, andThen } from '../completion.js';
import { ControlRecordType, controlRecordType } from '../../protocol/records/control-record.js';
import { buildBatch, decodeBatches } from '../../protocol/records/record.js';
import { ProducerStateError } from '../../storage/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { NO_SEQUENCE } from '../../storage/producer-state.js';
import type { VerificationGuard } from '../../storage/verification-state.js';
import type { PartitionVerification, TxnToVerify } from '../transaction/index.js';
import { GroupOffsets } from './group-offsets.js';
import { offsetsPartitionFor } from './partition-for.js';
import { type KeyValue, type StoredGroup, parseOffsetsTopicRecord } from './records.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** Bytes read per step while loading a partition (Kafka's offsets.load.buffer.size). */
const LOAD_BUFFER_BYTES = 5 * 1024 * 1024;

export interface OffsetsLogAccess {
  /** The log of a __consumer_offsets partition, when this broker has it. */
  offsetsLog(partition: number): PartitionLog | undefined;
  /**
   * Called after every append (`lastOffset` its last offset). Single node: the broker advances the
   * high watermark, wakes waiting fetches and answers NONE at once. In a cluster the coordinator's
   * writes are acks=all, as Kafka appends them with requiredAcks -1: it resolves once the high
   * watermark passed `lastOffset`, with NONE or the error an acks=all produce would get
   * (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER, ...).
   */
  afterAppend(log: PartitionLog, bytes: number, lastOffset: number): MaybePromise<number>;
  /**
   * Starts the transaction verification of a transactional write (Kafka 3.6+); absent, or
   * undefined returned while transaction.partition.verification.enable is off: the offsets are
   * written unverified, as Kafka 3.5 did.
   */
  verifyTransaction?(log: PartitionLog, txn: TxnToVerify, baseSequence: number): PartitionVerification | undefined;
}

/** What replaying a partition left for one group. */
export interface LoadedGroup {
  /** Latest membership record; null if none survives (never written, or tombstoned). */
  stored: StoredGroup | null;
  /** Committed offsets, and transactional ones whose marker is not in the log yet. */
  offsets: GroupOffsets;
}

/** The transactional producer writing a TxnOffsetCommit's records. */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}

export interface AppendOutcome {
  /** NONE, the error of the write (a refused producer's, or NOT_COORDINATOR), or of its replication (as afterAppend gives it). */
  errorCode: number;
  /** Offset of the appended batch; -1 when nothing was appended. */
  baseOffset: number;
}

export class OffsetsTopicStore {
  constructor(
    private readonly access: OffsetsLogAccess,
    readonly partitions: number,
    private readonly now: () => number,
    /** The leader epoch of a partition this broker leads: its appends carry it. */
    private readonly leaderEpoch: (partition: number) => number,
    private readonly warn: (msg: string) => void,
  ) {}

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitions);
  }

  /** Whether a partition's log holds nothing to load. */
  isEmpty(partition: number): boolean {
    const log = this.access.offsetsLog(partition);
    return !log || log.logEndOffset === log.logStartOffset;
  }

  /** Starts verifying that the group's partition is in the producer's transaction (records carry no sequence, as Kafka's coordinator writes them). */
  startTxnVerification(groupId: string, txn: TxnToVerify): PartitionVerification | undefined {
    const log = this.access.offsetsLog(this.partitionFor(groupId));
    return log && this.access.verifyTransaction?.(log, txn, NO_SEQUENCE);
  }

  /**
   * Appends a group's records as one batch (CreateTime = now, like Kafka); a transactional
   * producer's records go in a transactional batch with its id and epoch (sequence 0: the
   * coordinator's appends are not sequence-checked), with the guard of its verification when
   * verification is on. A refused producer gets the partition's error (e.g.
   * INVALID_PRODUCER_EPOCH, as Kafka passes it on); NOT_COORDINATOR when the partition is gone or
   * the write failed. Resolves once the records are replicated (at once on a single node).
   */
  append(groupId: string, records: readonly KeyValue[], producer: TxnProducer | null = null, verificationGuard?: VerificationGuard): MaybePromise<AppendOutcome> {
    if (records.length === 0) return { errorCode: ErrorCode.NONE, baseOffset: -1 };
    const log = this.access.offsetsLog(this.partitionFor(groupId));
    if (!log) return { errorCode: ErrorCode.NOT_COORDINATOR, baseOffset: -1 };
    const now = this.now();
    const batch = buildBatch({
      baseTimestamp: now,
      records: records.map((r, i) => ({ offsetDelta: i, timestampDelta: 0, key: r.key, value: r.value, headers: [] })),
      ...(producer && { ...producer, baseSequence: 0, isTransactional: true }),
    });
    let baseOffset: number;
    let lastOffset: number;
    try {
      ({ baseOffset, lastOffset } = log.append(batch, { leaderEpoch: this.leaderEpoch(log.partition), timestampType: log.config.messageTimestampType, now, origin: 'coordinator', verificationGuard }));
    } catch (e) {
      if (e instanceof ProducerStateError) return { errorCode: e.code, baseOffset: -1 };
      this.warn(`writing group ${groupId} to ${OFFSETS_TOPIC}-${log.partition} failed: ${(e as Error).message}`);
      return { errorCode: ErrorCode.NOT_COORDINATOR, baseOffset: -1 };
    }
    return andThen(this.access.afterAppend(log, batch.length, lastOffset), (errorCode) => ({ errorCode, baseOffset }));
  }

  /**
   * Replays one partition from its log start, as Kafka's loadGroupsAndOffsets: the last record
   * per key wins and tombstones delete; a transactional batch's offsets stay pending for their
   * producer until its marker (a control batch) commits or drops them.
   */
  async load(partition: number): Promise<Map<string, LoadedGroup>> {
    const groups = new Map<string, LoadedGroup>();
    const log = this.access.offsetsLog(partition);
    if (!log) return groups;
    const entry = (groupId: string): LoadedGroup => {
      let g = groups.get(groupId);
      if (!g) groups.set(groupId, (g = { stored: null, offsets: new GroupOffsets() }));
      return g;
    };
    /** Producer id → the groups holding its pending offsets. */
    const openTransactions = new Map<number, Set<LoadedGroup>>();
    let offset = log.logStartOffset;
    // The end is read on every round: markers written meanwhile are replayed too.
    while (offset < log.logEndOffset) {
      const { records } = await log.read(offset, LOAD_BUFFER_BYTES, { minOneBatch: true, maxOffset: log.logEndOffset });
      const readFrom = offset;
      for (const chunk of records) {
        for (const batch of decodeBatches(chunk)) {
          offset = batch.baseOffset + batch.lastOffsetDelta + 1;
          if (batch.isControl) {
            if (batch.records.length === 0) continue;
            const commit = controlRecordType(batch.records[0].key) === ControlRecordType.COMMIT;
            for (const g of openTransactions.get(batch.producerId) ?? []) g.offsets.completePending(batch.producerId, commit);
            openTransactions.delete(batch.producerId);
            continue;
          }
          const recordOffset = batch.records[0]?.offset ?? batch.baseOffset;
          for (const r of batch.records) {
            if (r.key === null) continue;
            const rec = parseOffsetsTopicRecord(r.key, r.value);
            if (rec.kind === 'offset') {
              const g = entry(rec.group);
              if (!batch.isTransactional) {
                if (rec.value) g.offsets.commit(rec.topic, rec.partition, { value: rec.value, recordOffset });
                else g.offsets.deleteCommitted(rec.topic, rec.partition);
                continue;
              }
              let open = openTransactions.get(batch.producerId);
              if (!open) openTransactions.set(batch.producerId, (open = new Set()));
              open.add(g);
              if (rec.value) g.offsets.addPending(batch.producerId, rec.topic, rec.partition, { value: rec.value, recordOffset });
              else g.offsets.deletePending(batch.producerId, rec.topic, rec.partition);
            } else if (rec.kind === 'group') {
              entry(rec.group).stored = rec.value;
            }
          }
        }
      }
      if (offset === readFrom) break;
    }
    for (const [groupId, g] of groups) if (g.stored === null && g.offsets.isEmpty) groups.delete(groupId);
    return groups;
  }
}
