// InitProducerId (22): a producer id and epoch, fresh for an idempotent
// producer, from the transaction coordinator for a transactional id.
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import type { RequestContext } from '../router.js';

/** InitProducerId v4 introduced PRODUCER_FENCED; older clients know it as INVALID_PRODUCER_EPOCH. */
const PRODUCER_FENCED_VERSION = 4;

export function handleInitProducerId(ctx: RequestContext, req: InitProducerIdRequest): InitProducerIdResponse {
  const result = ctx.broker.transactions.initProducerId(req);
  const errorCode = result.errorCode === ErrorCode.PRODUCER_FENCED && ctx.version < PRODUCER_FENCED_VERSION
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : result.errorCode;
  return { throttleTimeMs: 0, errorCode, producerId: result.producerId, producerEpoch: result.producerEpoch };
}
