// EndTxn (26): commits or aborts the producer's transaction; answered once
// PrepareCommit/PrepareAbort is replicated in __transaction_state, markers follow.
import { type MaybePromise, andThen } from '../../coordinator/completion.js';
import type { EndTxnRequest, EndTxnResponse } from '../../protocol/messages/end-txn.js';
import type { RequestContext } from '../router.js';
import { fencedErrorFor } from './producer-fenced.js';

export function handleEndTxn(ctx: RequestContext, req: EndTxnRequest): MaybePromise<EndTxnResponse> {
  const ended = ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
  return andThen(ended, (errorCode) => ({ throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, ctx.version, 2) }));
}
