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

/** current_leader_epoch that asks for no fencing check. */
const NO_EPOCH = -1;

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
  const fail = (errorCode: number): PartitionResult => ({ errorCode, partition, leaderEpoch: -1, endOffset: -1 });
  const state = broker.metadata.topic(topic)?.partitions[partition];
  const log = broker.topics.partitionLog(topic, partition);
  if (!state) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!log) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (wanted.currentLeaderEpoch !== NO_EPOCH) {
    if (wanted.currentLeaderEpoch < state.leaderEpoch) return fail(ErrorCode.FENCED_LEADER_EPOCH);
    if (wanted.currentLeaderEpoch > state.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  if (state.leader !== broker.nodeId) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const epochs = log.leaderEpochs;
  // Kafka records a leader's epoch at the log end when it becomes leader; Samsa records it with
  // the first append of the epoch. Not recorded yet means nothing was appended since, so the log
  // end is still where the epoch began.
  if (epochs.latestEpoch < state.leaderEpoch) epochs.assign(state.leaderEpoch, log.logEndOffset);
  const found = epochs.endOffsetFor(wanted.leaderEpoch, log.logEndOffset);
  return { errorCode: ErrorCode.NONE, partition, leaderEpoch: found.epoch, endOffset: found.endOffset };
}
