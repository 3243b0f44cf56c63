// OffsetForLeaderEpoch (23): the end offset of a leader epoch, from the
// partition's leader-epoch cache (Kafka's ReplicaManager/Partition
// lastOffsetForLeaderEpoch). Consumers use it to detect log truncation after
// a leader change (KIP-320), followers to find where to truncate. Kafka 3.9
// answers only as leader, whoever asks (replica_id is not looked at).
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/messages/offset-for-leader-epoch.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

type PartitionResult = OffsetForLeaderEpochResponse['topics'][number]['partitions'][number];

export function handleOffsetForLeaderEpoch(ctx: RequestContext, req: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => endOffset(ctx.broker, t.topic, p)),
    })),
  };
}

function endOffset(
  broker: BrokerContext,
  topic: string,
  wanted: OffsetForLeaderEpochRequest['topics'][number]['partitions'][number],
): PartitionResult {
  const { partition } = wanted;
  const log = broker.replicas.leaderLog(topic, partition, wanted.currentLeaderEpoch);
  if (typeof log === 'number') return { errorCode: log, partition, leaderEpoch: -1, endOffset: -1 };
  // The leader recorded its epoch at its log end when it became leader (KIP-279).
  const found = log.leaderEpochs.endOffsetFor(wanted.leaderEpoch, log.logEndOffset);
  return { errorCode: ErrorCode.NONE, partition, leaderEpoch: found.epoch, endOffset: found.endOffset };
}
