// __transaction_state as the coordinator's durable state: each transactional
// id's records go to one partition (Kafka's Utils.abs(id.hashCode) % partitions),
// appended through the PartitionLog, and are replayed when the partition loads.
import { ErrorCode } from '../../protocol/errors.js';
import { type MaybePromise, andThen } from '../completion.js';
import { buildBatch, decodeBatches } from '../../protocol/records/record.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { offsetsPartitionFor } from '../group/partition-for.js';
import { type KeyValue, type StoredTransaction, parseTransactionLogRecord } from './records.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export interface TransactionLogAccess {
  /** The log of a __transaction_state partition, when this broker has it. */
  transactionLog(partition: number): PartitionLog | undefined;
  /**
   * Called after every append (`lastOffset` its last offset). Single node: the broker advances the
   * high watermark, wakes waiting fetches and answers NONE at once. In a cluster the coordinator's
   * writes are acks=all, as Kafka appends them with requiredAcks -1: it resolves once the high
   * watermark passed `lastOffset`, with NONE or the error an acks=all produce would get.
   */
  afterAppend(log: PartitionLog, bytes: number, lastOffset: number): MaybePromise<number>;
}

export class TransactionStateStore {
  constructor(
    readonly access: TransactionLogAccess,
    readonly partitions: number,
    private readonly loadBufferBytes: number,
    private readonly warn: (msg: string) => void,
  ) {}

  /** The same hash as __consumer_offsets uses for group ids. */
  partitionFor(transactionalId: string): number {
    return offsetsPartitionFor(transactionalId, this.partitions);
  }

  /**
   * Appends records to one partition as one batch (CreateTime = now, the partition's leader epoch).
   * Gives, once they are replicated, NONE or the error Kafka's coordinator answers for a failed
   * append: NOT_COORDINATOR when the partition is gone.
   */
  append(partition: number, leaderEpoch: number, records: readonly KeyValue[], now: number): MaybePromise<number> {
    const log = this.access.transactionLog(partition);
    if (!log) return ErrorCode.NOT_COORDINATOR;
    const batch = buildBatch({
      baseTimestamp: now,
      records: records.map((r, i) => ({ offsetDelta: i, timestampDelta: 0, key: r.key, value: r.value, headers: [] })),
    });
    let lastOffset: number;
    try {
      ({ lastOffset } = log.append(batch, { leaderEpoch, timestampType: log.config.messageTimestampType, now }));
    } catch (e) {
      this.warn(`writing to ${TRANSACTION_STATE_TOPIC}-${partition} failed: ${(e as Error).message}`);
      return ErrorCode.NOT_COORDINATOR;
    }
    return andThen(this.access.afterAppend(log, batch.length, lastOffset), appendErrorFor);
  }

  /** Whether a partition's log holds nothing to load. */
  isEmpty(partition: number): boolean {
    const log = this.access.transactionLog(partition);
    return !log || log.logEndOffset === log.logStartOffset;
  }

  /** Replays one partition from its log start: the last record per transactional id wins, tombstones delete. */
  async load(partition: number): Promise<Map<string, StoredTransaction>> {
    const loaded = new Map<string, StoredTransaction>();
    const log = this.access.transactionLog(partition);
    if (!log) return loaded;
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end) {
      const { records } = await log.read(offset, this.loadBufferBytes, { minOneBatch: true, maxOffset: end });
      const readFrom = offset;
      for (const chunk of records) {
        for (const batch of decodeBatches(chunk)) {
          offset = batch.baseOffset + batch.lastOffsetDelta + 1;
          if (batch.isControl) continue;
          for (const r of batch.records) {
            if (r.key === null) throw new Error(`a record at offset ${batch.baseOffset + r.offsetDelta} of ${TRANSACTION_STATE_TOPIC}-${partition} has no key`);
            const rec = parseTransactionLogRecord(r.key, r.value);
            if (rec.kind === 'unknown') {
              this.warn(`Unknown message key with version ${rec.keyVersion} while loading transaction state from ${TRANSACTION_STATE_TOPIC}-${partition}. Ignoring it.`);
            } else if (rec.value === null) {
              loaded.delete(rec.transactionalId);
            } else {
              loaded.set(rec.transactionalId, rec.value);
            }
          }
        }
      }
      if (offset === readFrom) break;
    }
    return loaded;
  }
}

/** What the coordinator answers for a write that failed to replicate (Kafka's appendTransactionToLog). */
function appendErrorFor(error: number): number {
  switch (error) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      // Clients retry these without looking for the coordinator again.
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return error;
  }
}
