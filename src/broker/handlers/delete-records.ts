// DeleteRecords (21): moves partitions' log start offsets up, as Kafka's
// ReplicaManager.deleteRecords does on a leader; the segments wholly below the
// new start go at the next retention check. Only the leader answers
// (NOT_LEADER_OR_FOLLOWER elsewhere); followers take the new start from their
// next fetch. The low watermark answered is the leader's log start offset.
import { INTERNAL_TOPICS } from '../../cluster/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/delete-records.js';
import { LogClosedError } from '../../storage/errors.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

/** The offset standing for the high watermark (Kafka's DeleteRecordsRequest.HIGH_WATERMARK). */
const HIGH_WATERMARK = -1;

type PartitionResult = DeleteRecordsResponse['topics'][number]['partitions'][number];

export async function handleDeleteRecords(ctx: RequestContext, req: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  // Like Kafka's map of partitions: one answer per partition, the last offset named for it wins.
  const requested = new Map<string, Map<number, number>>();
  for (const t of req.topics) {
    let partitions = requested.get(t.name);
    if (!partitions) requested.set(t.name, (partitions = new Map()));
    for (const p of t.partitions) partitions.set(p.partitionIndex, p.offset);
  }
  let moved = false;
  const topics = [...requested].map(([name, partitions]) => ({
    name,
    partitions: [...partitions].map(([partitionIndex, offset]): PartitionResult => {
      const r = deleteRecords(ctx.broker, name, partitionIndex, offset);
      if (r.errorCode === ErrorCode.NONE) moved = true;
      return { partitionIndex, ...r };
    }),
  }));
  // Kafka checkpoints the new start only periodically; writing it now keeps it across a crash.
  if (moved) await ctx.broker.logs.checkpointLogStartOffsets();
  return { throttleTimeMs: 0, topics };
}

function deleteRecords(broker: BrokerContext, topic: string, partition: number, offset: number): { lowWatermark: number; errorCode: number } {
  const failed = (errorCode: number): { lowWatermark: number; errorCode: number } => ({ lowWatermark: -1, errorCode });
  const log = broker.replicas.leaderLog(topic, partition);
  if (typeof log === 'number') return failed(log);
  if (INTERNAL_TOPICS.has(topic)) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION);
  if (!log.config.cleanupPolicy.includes('delete')) return failed(ErrorCode.POLICY_VIOLATION);
  const target = offset === HIGH_WATERMARK ? log.highWatermark : offset;
  if (target < 0 || target > log.highWatermark) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    return { lowWatermark: log.deleteRecordsBefore(target), errorCode: ErrorCode.NONE };
  } catch (err) {
    if (err instanceof LogClosedError) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    throw err;
  }
}
