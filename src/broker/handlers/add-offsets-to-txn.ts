// AddOffsetsToTxn (25): adds the group's __consumer_offsets partition to the
// producer's transaction, so TxnOffsetCommit may write there.
import { type MaybePromise, andThen } from '../../coordinator/completion.js';
import { OFFSETS_TOPIC } from '../../coordinator/group/index.js';
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../protocol/messages/add-offsets-to-txn.js';
import type { RequestContext } from '../router.js';
import { fencedErrorFor } from './producer-fenced.js';

export function handleAddOffsetsToTxn(ctx: RequestContext, req: AddOffsetsToTxnRequest): MaybePromise<AddOffsetsToTxnResponse> {
  const { groups, transactions } = ctx.broker;
  const offsetsPartition = { topic: OFFSETS_TOPIC, partition: groups.partitionFor(req.groupId) };
  const added = transactions.addPartitionsToTransaction(req.transactionalId, req.producerId, req.producerEpoch, [offsetsPartition]);
  return andThen(added, (errorCode) => ({ throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, ctx.version, 2) }));
}
