// Transaction markers in a cluster (Kafka's TransactionMarkerChannelManager):
// each partition's marker goes to the partition's leader. Those this broker
// leads are written locally; the others go as WriteTxnMarkers requests over the
// broker channel, one request per broker carrying every marker queued for it in
// the same turn of the event loop. A partition without a live leader, or whose
// leader does not answer, gets a retriable error: the coordinator's marker
// channel sends it again after a pause, to the leader the metadata names then.
import type { BrokerChannel } from '../cluster/broker-channel.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import {
  type TopicPartition, type TxnMarker, type TxnMarkerWriter, partitionKey, partitionsByTopic,
} from '../coordinator/transaction/index.js';
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../protocol/messages/write-txn-markers.js';
import type { Logger } from './logger.js';

interface QueuedMarker {
  marker: TxnMarker;
  resolve: (errors: Map<string, number>) => void;
}

export class ClusterTxnMarkerWriter implements TxnMarkerWriter {
  /** By broker id: markers waiting for the next WriteTxnMarkers request to it. */
  private readonly queues = new Map<number, QueuedMarker[]>();

  constructor(
    private readonly nodeId: number,
    private readonly metadata: Pick<MetadataStore, 'topic' | 'liveBrokers'>,
    /** Writes the markers of partitions this broker leads. */
    private readonly local: TxnMarkerWriter,
    private readonly channel: Pick<BrokerChannel, 'request'>,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  async write(marker: TxnMarker): Promise<Map<string, number>> {
    const errors = new Map<string, number>();
    const live = new Set(this.metadata.liveBrokers().map((b) => b.nodeId));
    const byLeader = new Map<number, TopicPartition[]>();
    for (const tp of marker.partitions) {
      const leader = this.metadata.topic(tp.topic)?.partitions[tp.partition]?.leader ?? -1;
      if (leader !== this.nodeId && !live.has(leader)) {
        // Kafka parks such markers until the partition has a leader again.
        errors.set(partitionKey(tp), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        continue;
      }
      const partitions = byLeader.get(leader);
      if (partitions) partitions.push(tp);
      else byLeader.set(leader, [tp]);
    }
    const written = await Promise.all([...byLeader].map(([leader, partitions]) => (leader === this.nodeId
      ? this.local.write({ ...marker, partitions })
      : this.enqueue(leader, { ...marker, partitions }))));
    for (const result of written) for (const [key, error] of result) errors.set(key, error);
    return errors;
  }

  private enqueue(brokerId: number, marker: TxnMarker): Promise<Map<string, number>> {
    return new Promise((resolve) => {
      let queue = this.queues.get(brokerId);
      if (!queue) {
        this.queues.set(brokerId, (queue = []));
        setImmediate(() => void this.send(brokerId));
      }
      queue.push({ marker, resolve });
    });
  }

  /** One WriteTxnMarkers request with every marker queued for the broker; each marker gets its partitions' errors. */
  private async send(brokerId: number): Promise<void> {
    const queue = this.queues.get(brokerId) ?? [];
    this.queues.delete(brokerId);
    const markers = queue.map(({ marker }) => ({
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      transactionResult: marker.commit,
      coordinatorEpoch: marker.coordinatorEpoch,
      topics: [...partitionsByTopic(marker.partitions)].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    }));
    let response: WriteTxnMarkersResponse | undefined;
    try {
      response = await this.channel.request<WriteTxnMarkersResponse, WriteTxnMarkersRequest>(brokerId, ApiKey.WriteTxnMarkers, { markers });
    } catch (e) {
      this.log.warn(`sending transaction markers to broker ${brokerId} failed: ${(e as Error).message}; they are sent again`);
    }
    const answered = new Map<string, number>();
    for (const m of response?.markers ?? []) {
      for (const t of m.topics) for (const p of t.partitions) answered.set(`${m.producerId}:${partitionKey({ topic: t.name, partition: p.partitionIndex })}`, p.errorCode);
    }
    for (const { marker, resolve } of queue) {
      resolve(new Map(marker.partitions.map((tp) => {
        const key = partitionKey(tp);
        // Not answered: the request failed (retried), or the broker left the partition out.
        const error = response ? answered.get(`${marker.producerId}:${key}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR : ErrorCode.NETWORK_EXCEPTION;
        return [key, error];
      })));
    }
  }
}
