// AlterReplicaLogDirs (34): move partitions to another of this broker's log dirs. As in Kafka's
// ReplicaManager: the answer comes at once and the copy runs in the background (watch it with
// DescribeLogDirs); a partition already in that dir needs nothing; one not hosted here is
// remembered, so it is created in that dir later.
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from '../../protocol/messages/alter-replica-log-dirs.js';
import { futureDirName } from '../../storage/future-log.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

/** Longest file name most file systems take; the copy's directory name must fit (KAFKA-4893). */
const MAX_FILE_NAME_LENGTH = 255;

export function handleAlterReplicaLogDirs(ctx: RequestContext, req: AlterReplicaLogDirsRequest): AlterReplicaLogDirsResponse {
  // Like Kafka's partitionDirs(): a partition named under several dirs goes to the last one.
  const destinations = new Map<string, Map<number, string>>();
  for (const dir of req.dirs) {
    for (const topic of dir.topics) {
      let partitions = destinations.get(topic.name);
      if (!partitions) destinations.set(topic.name, (partitions = new Map()));
      for (const p of topic.partitions) partitions.set(p, dir.path);
    }
  }
  return {
    throttleTimeMs: 0,
    results: [...destinations].map(([topicName, partitions]) => ({
      topicName,
      partitions: [...partitions].map(([partitionIndex, path]) => ({
        partitionIndex,
        errorCode: alterLogDir(ctx.broker, topicName, partitionIndex, path),
      })),
    })),
  };
}

function alterLogDir(broker: BrokerContext, topic: string, partition: number, path: string): number {
  if (futureDirName(topic, partition).length > MAX_FILE_NAME_LENGTH) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  if (!broker.logs.hasLogDir(path)) return ErrorCode.LOG_DIR_NOT_FOUND;
  let change;
  try {
    change = broker.logs.alterLogDir(topic, partition, path);
  } catch (err) {
    broker.log.warn(`cannot move ${topic}-${partition} to ${path}: ${(err as Error).message}`);
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }
  if (change === 'moving') broker.log.info(`moving ${topic}-${partition} to log dir ${path}`);
  if (change !== 'no-log') return ErrorCode.NONE;
  // A partition that exists without a replica here: Kafka keeps REPLICA_NOT_AVAILABLE for this API.
  return broker.metadata.topic(topic)?.partitions[partition] ? ErrorCode.REPLICA_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}
