// DeleteRecords (21): moves partitions' log start offsets up, as Kafka's
// ReplicaManager.deleteRecords does on a leader; the segments wholly below the
// new start go at the next retention check. Only the leader answers
// (NOT_LEADER_OR_FOLLOWER elsewhere). As Kafka's DelayedDeleteRecords, the answer
// waits until every replica on a live broker starts its log there too (followers
// take the new start from their next fetch and report it in the one after), or
// gives REQUEST_TIMED_OUT after the request's timeout; the low watermark answered
// is the lowest of those log starts (Kafka's lowWatermarkIfLeader).
import { INTERNAL_TOPICS } from '../../cluster/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/delete-records.js';
import { LogClosedError } from '../../storage/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

/** The offset standing for the high watermark (Kafka's DeleteRecordsRequest.HIGH_WATERMARK). */
const HIGH_WATERMARK = -1;

type PartitionResult = DeleteRecordsResponse['topics'][number]['partitions'][number];

/** A partition's local outcome: an error, or the leader's log moved and the offset every replica must reach. */
type LocalResult = { errorCode: number; lowWatermark: number; log?: PartitionLog; requiredOffset?: number };

export async function handleDeleteRecords(ctx: RequestContext, req: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  const { broker } = ctx;
  // Like Kafka's map of partitions: one answer per partition, the last offset named for it wins.
  const requested = new Map<string, Map<number, number>>();
  for (const t of req.topics) {
    let partitions = requested.get(t.name);
    if (!partitions) requested.set(t.name, (partitions = new Map()));
    for (const p of t.partitions) partitions.set(p.partitionIndex, p.offset);
  }
  const local = [...requested].map(([name, partitions]) => ({
    name,
    partitions: [...partitions].map(([partitionIndex, offset]) => ({ partitionIndex, result: deleteLocally(broker, name, partitionIndex, offset) })),
  }));
  // Kafka checkpoints the new start only periodically; writing it now keeps it across a crash.
  if (local.some((t) => t.partitions.some((p) => p.result.log))) await broker.logs.checkpointLogStartOffsets();
  const topics = await Promise.all(local.map(async ({ name, partitions }) => ({
    name,
    partitions: await Promise.all(partitions.map(async ({ partitionIndex, result }): Promise<PartitionResult> => ({
      partitionIndex, ...(await replicated(broker, result, req.timeoutMs)),
    }))),
  })));
  return { throttleTimeMs: 0, topics };
}

function deleteLocally(broker: BrokerContext, topic: string, partition: number, offset: number): LocalResult {
  const failed = (errorCode: number): LocalResult => ({ lowWatermark: -1, errorCode });
  const log = broker.replicas.leaderLog(topic, partition);
  if (typeof log === 'number') return failed(log);
  if (INTERNAL_TOPICS.has(topic)) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION);
  if (!log.config.cleanupPolicy.includes('delete')) return failed(ErrorCode.POLICY_VIOLATION);
  const target = offset === HIGH_WATERMARK ? log.highWatermark : offset;
  if (target < 0 || target > log.highWatermark) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    log.deleteRecordsBefore(target);
  } catch (err) {
    if (err instanceof LogClosedError) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    throw err;
  }
  return { errorCode: ErrorCode.NONE, lowWatermark: broker.replicas.lowWatermark(log), log, requiredOffset: target };
}

/** The answer once every live replica starts at the required offset: its low watermark then, or the wait's error with the first one. */
async function replicated(broker: BrokerContext, local: LocalResult, timeoutMs: number): Promise<{ lowWatermark: number; errorCode: number }> {
  const { log, requiredOffset, lowWatermark } = local;
  if (!log || requiredOffset === undefined) return { lowWatermark, errorCode: local.errorCode };
  const errorCode = await broker.delayedDeleteRecords.await(log, requiredOffset, timeoutMs);
  return errorCode === ErrorCode.NONE ? { lowWatermark: broker.replicas.lowWatermark(log), errorCode } : { lowWatermark, errorCode };
}
