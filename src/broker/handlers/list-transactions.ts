// ListTransactions (66): transactional ids by state, producer id and (v1+)
// how long their transaction has been open.
import type { ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/messages/list-transactions.js';
import type { RequestContext } from '../router.js';

export function handleListTransactions(ctx: RequestContext, req: ListTransactionsRequest): ListTransactionsResponse {
  const listed = ctx.broker.transactions.listTransactions(req.producerIdFilters, req.stateFilters, req.durationFilter);
  return { throttleTimeMs: 0, ...listed };
}
