// OffsetCommit (8): the coordinator validates the committer, writes the offsets
// to __consumer_offsets and answers once they are replicated. v1 carries a commit
// time per partition, v2-v4 a retention time; v0 commits like a non-member.
import { type MaybePromise, andThen } from '../../coordinator/completion.js';
import type { PartitionCommit, PartitionError } from '../../coordinator/group/index.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/offset-commit.js';
import type { RequestContext } from '../router.js';

export function handleOffsetCommit(ctx: RequestContext, req: OffsetCommitRequest): MaybePromise<OffsetCommitResponse> {
  const results = ctx.broker.groups.commitOffsets({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    generationId: req.generationIdOrMemberEpoch,
    retentionTimeMs: req.retentionTimeMs,
    partitions: partitionCommits(req.topics),
  });
  return andThen(results, (r) => ({ throttleTimeMs: 0, topics: resultTopics(req.topics, r) }));
}

/** The shape OffsetCommit and TxnOffsetCommit requests share. */
interface CommitTopic {
  name: string;
  partitions: {
    partitionIndex: number;
    committedOffset: number;
    committedLeaderEpoch: number;
    committedMetadata: string | null;
    /** OffsetCommit v1 only. */
    commitTimestamp?: number;
  }[];
}

/** A commit request's partitions in request order, as the coordinator takes them. */
export function partitionCommits(topics: readonly CommitTopic[]): PartitionCommit[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name,
    partition: p.partitionIndex,
    offset: p.committedOffset,
    leaderEpoch: p.committedLeaderEpoch,
    metadata: p.committedMetadata,
    commitTimestamp: p.commitTimestamp ?? -1,
  })));
}

/** The coordinator's results, which come back in request order, as the response's topics. */
export function resultTopics(
  topics: readonly CommitTopic[], results: readonly PartitionError[], errorFor: (code: number) => number = (code) => code,
): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  let i = 0;
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorFor(results[i++].errorCode) })),
  }));
}
