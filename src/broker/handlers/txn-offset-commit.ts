// TxnOffsetCommit (28): a transactional producer's offset commit for a group.
// The coordinator checks the member (v3+ carries generation, member id and
// instance id), has the transaction coordinator verify that the group's
// __consumer_offsets partition is in the transaction (AddOffsetsToTxn added
// it) unless the transaction wrote there already, writes the offsets in a
// transactional batch and keeps them pending until the transaction's marker.
import { type MaybePromise, andThen } from '../../coordinator/completion.js';
import type { PartitionError } from '../../coordinator/group/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/messages/txn-offset-commit.js';
import type { RequestContext } from '../router.js';
import { partitionCommits, resultTopics } from './offset-commit.js';

/** The first version whose clients handle TRANSACTION_ABORTABLE (Kafka's genericError). */
const ABORTABLE_VERSION = 4;

export function handleTxnOffsetCommit(ctx: RequestContext, req: TxnOffsetCommitRequest): MaybePromise<TxnOffsetCommitResponse> {
  const results = ctx.broker.groups.txnCommitOffsets({
    transactionalId: req.transactionalId,
    abortableSupported: ctx.version >= ABORTABLE_VERSION,
    groupId: req.groupId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    generationId: req.generationId,
    partitions: partitionCommits(req.topics),
  });
  const respond = (r: readonly PartitionError[]): TxnOffsetCommitResponse => ({ throttleTimeMs: 0, topics: resultTopics(req.topics, r, errorFor(ctx.version)) });
  return andThen(results, respond);
}

/** Clients before v2 (Kafka 0.11-1.x) may crash on COORDINATOR_LOAD_IN_PROGRESS (KAFKA-7296). */
function errorFor(version: number): (code: number) => number {
  return (code) => (version < 2 && code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code);
}
