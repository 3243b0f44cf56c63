// OffsetCommit (8): the coordinator validates the committer, writes the offsets
// to __consumer_offsets and only then is the answer sent. v1 carries a commit
// time per partition, v2-v4 a retention time; v0 commits like a non-member.
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/offset-commit.js';
import type { RequestContext } from '../router.js';

export function handleOffsetCommit(ctx: RequestContext, req: OffsetCommitRequest): OffsetCommitResponse {
  const results = ctx.broker.groups.commitOffsets({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    generationId: req.generationIdOrMemberEpoch,
    retentionTimeMs: req.retentionTimeMs,
    partitions: req.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
      commitTimestamp: p.commitTimestamp,
    }))),
  });
  // Results come back in request order.
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: results[i++].errorCode })),
    })),
  };
}
