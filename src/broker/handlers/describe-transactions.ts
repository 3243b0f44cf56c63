// DescribeTransactions (65): the coordinator's state of each transactional id.
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../../protocol/messages/describe-transactions.js';
import type { RequestContext } from '../router.js';

export function handleDescribeTransactions(ctx: RequestContext, req: DescribeTransactionsRequest): DescribeTransactionsResponse {
  return { throttleTimeMs: 0, transactionStates: req.transactionalIds.map((id) => ctx.broker.transactions.describeTransaction(id)) };
}
