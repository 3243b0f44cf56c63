// InitProducerId (22): a producer id and epoch, fresh for an idempotent
// producer, from the transaction coordinator for a transactional id.
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import type { RequestContext } from '../router.js';
import { fencedErrorFor } from './producer-fenced.js';

export function handleInitProducerId(ctx: RequestContext, req: InitProducerIdRequest): InitProducerIdResponse {
  const { errorCode, producerId, producerEpoch } = ctx.broker.transactions.initProducerId(req);
  return { throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, ctx.version, 4), producerId, producerEpoch };
}
