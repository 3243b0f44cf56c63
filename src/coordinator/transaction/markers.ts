// Writing a finished transaction's COMMIT/ABORT markers to its partitions and
// then its CompleteCommit/CompleteAbort record (Kafka's
// TransactionMarkerChannelManager and its completion handler). Where markers
// go is behind TxnMarkerWriter: the local partition logs, and in a cluster the
// leaders of the others.
import { ErrorCode } from '../../protocol/errors.js';
import { andThen } from '../completion.js';
import type { Timers } from '../group/clock.js';
import type { CoordinatorLog } from '../group/config.js';
import { type TopicPartition, partitionKey } from './metadata.js';
import type { PendingCompletion, TransactionStateManager } from './state-manager.js';

export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  partitions: TopicPartition[];
}

export interface TxnMarkerWriter {
  /** Writes one marker to each partition; the error code per partitionKey() ("topic-partition"). */
  write(marker: TxnMarker): Promise<Map<string, number>>;
}

/** Errors after which the marker is sent again (the partition may come back or get a leader). */
const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.KAFKA_STORAGE_ERROR,
  // The partition leader could not be reached (Kafka resends after a disconnection).
  ErrorCode.NETWORK_EXCEPTION,
]);
/** The producer or coordinator moved on: this transaction's markers are no longer wanted. */
const OBSOLETE = new Set<number>([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTION_COORDINATOR_FENCED]);
/** The partition cannot hold markers, so the producer cannot have written to it either. */
const SKIPPED = new Set<number>([ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, ErrorCode.UNSUPPORTED_VERSION]);

/** Pause before resending markers or retrying the completion record. */
export const MARKER_RETRY_BACKOFF_MS = 100;

export class TxnMarkerChannel {
  /** By transactional id: transactions whose markers are being written. */
  private readonly pending = new Map<string, PendingCompletion>();

  constructor(
    private readonly txnManager: TransactionStateManager,
    private readonly writer: TxnMarkerWriter,
    private readonly partitionExists: (topic: string, partition: number) => boolean,
    private readonly timers: Timers,
    private readonly log: CoordinatorLog,
  ) {}

  get numTxnsWithPendingMarkers(): number {
    return this.pending.size;
  }

  /** Starts writing the markers of a transaction whose PrepareCommit/PrepareAbort is in the log. */
  addTxnMarkersToSend(completion: PendingCompletion): void {
    this.pending.set(completion.transactionalId, completion);
    this.send(completion, completion.txn.topicPartitions());
  }

  private send(completion: PendingCompletion, partitions: readonly TopicPartition[]): void {
    const { txn } = completion;
    // A partition without a leader is most likely deleted: Kafka skips it.
    const live: TopicPartition[] = [];
    for (const tp of partitions) {
      if (this.partitionExists(tp.topic, tp.partition)) live.push(tp);
      else {
        this.log.info(`Couldn't find leader endpoint for partition ${partitionKey(tp)} while trying to send transaction markers for ${completion.transactionalId}, it is likely deleted already and hence can be skipped`);
        txn.removePartition(tp);
      }
    }
    if (live.length === 0) {
      this.maybeWriteTxnCompletion(completion);
      return;
    }
    const marker = { producerId: txn.producerId, producerEpoch: txn.producerEpoch, coordinatorEpoch: completion.coordinatorEpoch, commit: completion.commit, partitions: live };
    this.writer.write(marker).then(
      (errors) => this.onWritten(completion, live, errors),
      (e: unknown) => {
        this.log.warn(`writing transaction markers for ${completion.transactionalId} failed: ${(e as Error).message}; retrying`);
        this.retry(completion, live);
      },
    );
  }

  /** Kafka's TransactionMarkerRequestCompletionHandler, for one transaction's marker. */
  private onWritten(completion: PendingCompletion, partitions: readonly TopicPartition[], errors: Map<string, number>): void {
    if (this.pending.get(completion.transactionalId) !== completion) return;
    const lookup = this.txnManager.getTransactionState(completion.transactionalId);
    if (!lookup.ok || lookup.txn !== completion.txn || lookup.coordinatorEpoch !== completion.coordinatorEpoch) {
      this.log.info(`no longer completing transaction ${completion.transactionalId} (coordinator moved or reloaded); cancel sending transaction markers`);
      this.pending.delete(completion.transactionalId);
      return;
    }
    const retry: TopicPartition[] = [];
    for (const tp of partitions) {
      const error = errors.get(partitionKey(tp)) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (error === ErrorCode.NONE || SKIPPED.has(error)) {
        completion.txn.removePartition(tp);
      } else if (RETRIABLE.has(error)) {
        this.log.info(`Sending ${completion.transactionalId}'s transaction marker for partition ${partitionKey(tp)} has failed with error ${error}, retrying`);
        retry.push(tp);
      } else if (OBSOLETE.has(error)) {
        this.log.info(`Sending ${completion.transactionalId}'s transaction marker for partition ${partitionKey(tp)} has permanently failed with error ${error}; cancel sending any more transaction markers`);
        this.pending.delete(completion.transactionalId);
        return;
      } else {
        // Kafka treats anything else as fatal for this transaction: it stays pending until the partition reloads.
        this.log.error(`Unexpected error ${error} while sending txn marker for ${completion.transactionalId} to ${partitionKey(tp)}`);
        this.pending.delete(completion.transactionalId);
        return;
      }
    }
    if (retry.length > 0) this.retry(completion, retry);
    else this.maybeWriteTxnCompletion(completion);
  }

  private retry(completion: PendingCompletion, partitions: readonly TopicPartition[]): void {
    this.timers.set(`markers:${completion.transactionalId}`, MARKER_RETRY_BACKOFF_MS, () => {
      if (this.pending.get(completion.transactionalId) === completion) this.send(completion, partitions);
    });
  }

  private maybeWriteTxnCompletion(completion: PendingCompletion): void {
    if (completion.txn.partitions.size > 0 || this.pending.get(completion.transactionalId) !== completion) return;
    this.pending.delete(completion.transactionalId);
    this.writeTxnCompletion(completion);
  }

  /** Every marker is written: record CompleteCommit/CompleteAbort, retrying while the log is unavailable. */
  private writeTxnCompletion(completion: PendingCompletion): void {
    const { transactionalId, coordinatorEpoch, transit } = completion;
    const lookup = this.txnManager.getTransactionState(transactionalId);
    if (!lookup.ok || lookup.txn !== completion.txn || lookup.coordinatorEpoch !== coordinatorEpoch) {
      this.log.info(`No longer the coordinator for ${transactionalId} with coordinator epoch ${coordinatorEpoch}; cancel appending ${transit.state} to transaction log`);
      return;
    }
    const written = this.txnManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit, (e) => e === ErrorCode.COORDINATOR_NOT_AVAILABLE);
    void andThen(written, (error) => {
      if (error === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
        this.timers.set(`completion:${transactionalId}`, MARKER_RETRY_BACKOFF_MS, () => this.writeTxnCompletion(completion));
      } else if (error !== ErrorCode.NONE && error !== ErrorCode.NOT_COORDINATOR && error !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
        this.log.error(`Unexpected error ${error} while appending to transaction log for ${transactionalId}`);
      }
    });
  }

  /** The partition moved (this broker became or stopped being its leader): its transactions' markers are no longer sent from here. */
  removeMarkersForTxnTopicPartition(partition: number): void {
    for (const transactionalId of [...this.pending.keys()]) {
      if (this.txnManager.partitionFor(transactionalId) === partition) this.pending.delete(transactionalId);
    }
  }

  close(): void {
    this.pending.clear();
  }
}
