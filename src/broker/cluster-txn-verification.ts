// Transaction verification in a cluster (KIP-890, Kafka's
// AddPartitionsToTxnManager): a partition leader asks the transaction
// coordinator of the producer's transactional id, the leader of its
// __transaction_state partition, whether the partitions are in the producer's
// ongoing transaction. This broker's own coordinator is asked directly; another
// broker with AddPartitionsToTxn v4+ verify_only, one request per broker for
// every verification queued for it in the same turn of the event loop.
import type { BrokerChannel } from '../cluster/broker-channel.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import {
  TRANSACTION_STATE_TOPIC, type TopicPartition, type TxnPartitionVerifier, type TxnToVerify, partitionKey, partitionsByTopic,
  unverifiedPartitions,
} from '../coordinator/transaction/index.js';
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../protocol/messages/add-partitions-to-txn.js';
import type { Logger } from './logger.js';

/** One transaction's verification waiting for the next request to its coordinator. */
interface QueuedVerification {
  txn: TxnToVerify;
  partitions: Map<string, TopicPartition>;
  /** The callers asking about this transaction (several produce requests may ask at once). */
  waiters: { partitions: readonly TopicPartition[]; resolve: (unverified: Map<string, number>) => void }[];
}

export class ClusterTxnPartitionVerifier implements TxnPartitionVerifier {
  /** By coordinator broker id, then transactional id. */
  private readonly queues = new Map<number, Map<string, QueuedVerification>>();

  constructor(
    private readonly nodeId: number,
    private readonly metadata: Pick<MetadataStore, 'topic' | 'liveBrokers'>,
    /** The __transaction_state partition of a transactional id. */
    private readonly partitionFor: (transactionalId: string) => number,
    /** This broker's own coordinator. */
    private readonly local: TxnPartitionVerifier,
    private readonly channel: Pick<BrokerChannel, 'request'>,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  verify(txn: TxnToVerify, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const stateTopic = this.metadata.topic(TRANSACTION_STATE_TOPIC);
    const coordinator = stateTopic?.partitions[this.partitionFor(txn.transactionalId)]?.leader ?? -1;
    if (coordinator === this.nodeId) return this.local.verify(txn, partitions);
    if (!this.metadata.liveBrokers().some((b) => b.nodeId === coordinator)) {
      return Promise.resolve(allOf(partitions, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
    return new Promise((resolve) => this.enqueue(coordinator, txn, partitions, resolve));
  }

  private enqueue(brokerId: number, txn: TxnToVerify, partitions: readonly TopicPartition[], resolve: (unverified: Map<string, number>) => void): void {
    let queue = this.queues.get(brokerId);
    if (!queue) {
      this.queues.set(brokerId, (queue = new Map()));
      setImmediate(() => void this.send(brokerId));
    }
    const queued = queue.get(txn.transactionalId);
    if (queued && (queued.txn.producerId !== txn.producerId || queued.txn.producerEpoch !== txn.producerEpoch)) {
      // Another producer (epoch) of the same id: the older one loses, as in Kafka's AddPartitionsToTxnManager.
      if (queued.txn.producerEpoch > txn.producerEpoch) {
        resolve(allOf(partitions, ErrorCode.INVALID_PRODUCER_EPOCH));
        return;
      }
      const error = queued.txn.producerEpoch < txn.producerEpoch ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.NETWORK_EXCEPTION;
      for (const w of queued.waiters) w.resolve(allOf(w.partitions, error));
      queue.delete(txn.transactionalId);
    }
    let entry = queue.get(txn.transactionalId);
    if (!entry) queue.set(txn.transactionalId, (entry = { txn, partitions: new Map(), waiters: [] }));
    for (const tp of partitions) entry.partitions.set(partitionKey(tp), tp);
    entry.waiters.push({ partitions, resolve });
  }

  private async send(brokerId: number): Promise<void> {
    const queue = [...(this.queues.get(brokerId)?.values() ?? [])];
    this.queues.delete(brokerId);
    const transactions = queue.map(({ txn, partitions }) => ({
      transactionalId: txn.transactionalId,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      verifyOnly: true,
      topics: [...partitionsByTopic(partitions.values())].map(([name, indexes]) => ({ name, partitions: indexes })),
    }));
    let response: AddPartitionsToTxnResponse | undefined;
    try {
      response = await this.channel.request<AddPartitionsToTxnResponse, AddPartitionsToTxnRequest>(brokerId, ApiKey.AddPartitionsToTxn, { transactions });
    } catch (e) {
      this.log.warn(`verifying transactions with broker ${brokerId} failed: ${(e as Error).message}`);
    }
    const answered = new Map<string, number>();
    for (const r of response?.resultsByTransaction ?? []) {
      for (const t of r.topicResults) {
        for (const p of t.resultsByPartition) answered.set(`${r.transactionalId}:${partitionKey({ topic: t.name, partition: p.partitionIndex })}`, p.partitionErrorCode);
      }
    }
    for (const { txn, waiters } of queue) {
      for (const { partitions, resolve } of waiters) {
        resolve(unverifiedPartitions(partitions, (tp) => {
          // Unreachable coordinator: retriable for the producer (Kafka answers NETWORK_EXCEPTION).
          if (!response) return ErrorCode.NETWORK_EXCEPTION;
          if (response.errorCode !== ErrorCode.NONE) return response.errorCode;
          return answered.get(`${txn.transactionalId}:${partitionKey(tp)}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        }, txn.abortableSupported));
      }
    }
  }
}

function allOf(partitions: readonly TopicPartition[], error: number): Map<string, number> {
  return new Map(partitions.map((tp) => [partitionKey(tp), error]));
}
