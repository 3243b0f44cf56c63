// TxnOffsetCommit (28): a transactional producer's offset commit for a group.
// The coordinator checks the member (v3+ carries generation, member id and
// instance id), writes the offsets to __consumer_offsets in a transactional
// batch and keeps them pending until the transaction's marker.
import { ErrorCode } from '../../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/messages/txn-offset-commit.js';
import type { RequestContext } from '../router.js';

export function handleTxnOffsetCommit(ctx: RequestContext, req: TxnOffsetCommitRequest): TxnOffsetCommitResponse {
  const results = ctx.broker.groups.txnCommitOffsets({
    groupId: req.groupId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    generationId: req.generationId,
    partitions: req.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
      commitTimestamp: -1,
    }))),
  });
  // Clients before v2 (Kafka 0.11-1.x) may crash on COORDINATOR_LOAD_IN_PROGRESS (KAFKA-7296).
  const errorFor = (code: number): number =>
    ctx.version < 2 && code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code;
  // Results come back in request order.
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorFor(results[i++].errorCode) })),
    })),
  };
}
