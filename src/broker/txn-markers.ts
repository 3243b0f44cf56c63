// Transaction markers on a single node: the coordinator's COMMIT/ABORT markers
// go straight into the local partition logs (what WriteTxnMarkers does on the
// partition leader in a cluster). A marker counts once the partition's in-sync
// replicas have it (Kafka appends markers with acks=all), and only then does a
// marker on a __consumer_offsets partition complete the group's transactional
// offset commits.
import { type GroupCoordinator, OFFSETS_TOPIC } from '../coordinator/group/index.js';
import { type TxnMarker, type TxnMarkerWriter, partitionKey } from '../coordinator/transaction/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { LogClosedError, ProducerStateError } from '../storage/errors.js';
import type { ReplicaManager } from '../cluster/replica-manager.js';
import { type MaybePromise, andThen } from '../coordinator/completion.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { BrokerConfig } from './config.js';
import type { PartitionWaits } from './partition-waits.js';
import type { Logger } from './logger.js';

/** The parts of a broker markers touch. */
export interface MarkerTargets {
  replicas: Pick<ReplicaManager, 'leaderLog' | 'leaderEpoch' | 'afterLeaderAppend'>;
  /** Waits for the in-sync replicas, request.timeout.ms at most (Kafka's WriteTxnMarkers timeout). */
  delayedProduces: Pick<PartitionWaits<PartitionLog>, 'await'>;
  config: Pick<BrokerConfig, 'int'>;
  groups: Pick<GroupCoordinator, 'completeTransactionalOffsets'>;
  log: Pick<Logger, 'error'>;
}

export class LocalTxnMarkerWriter implements TxnMarkerWriter {
  constructor(private readonly broker: MarkerTargets) {}

  async write(marker: TxnMarker): Promise<Map<string, number>> {
    // Appended one partition after the other; then the replication of all is awaited.
    const written = marker.partitions.map((tp) => this.writeOne(marker, tp.topic, tp.partition));
    const errors = await Promise.all(written);
    return new Map(marker.partitions.map((tp, i) => [partitionKey(tp), errors[i]]));
  }

  /** Kafka's WriteTxnMarkers path for one partition: append the control batch, then, once replicated, tell the group coordinator. */
  private writeOne(marker: TxnMarker, topic: string, partition: number): MaybePromise<number> {
    const { replicas, groups, log, delayedProduces, config } = this.broker;
    const partitionLog = replicas.leaderLog(topic, partition);
    if (typeof partitionLog === 'number') return partitionLog;
    const before = partitionLog.size;
    try {
      partitionLog.appendTxnMarker({
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        coordinatorEpoch: marker.coordinatorEpoch,
        commit: marker.commit,
        leaderEpoch: replicas.leaderEpoch(partitionLog),
        now: Date.now(),
      });
    } catch (e) {
      if (e instanceof ProducerStateError) return e.code;
      if (e instanceof LogClosedError) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      log.error(`writing a transaction marker to ${topic}-${partition} failed: ${(e as Error).stack ?? String(e)}`);
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
    replicas.afterLeaderAppend(partitionLog, partitionLog.size - before);
    const replicated = delayedProduces.await(partitionLog, partitionLog.logEndOffset, config.int('request.timeout.ms'));
    return andThen(replicated, (error) => {
      if (error === ErrorCode.NONE && topic === OFFSETS_TOPIC) groups.completeTransactionalOffsets(partition, marker.producerId, marker.commit);
      return error;
    });
  }
}
