// InitProducerId (22): a producer id and epoch, fresh for an idempotent
// producer, from the transaction coordinator for a transactional id.
import { type MaybePromise, andThen } from '../../coordinator/completion.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import type { RequestContext } from '../router.js';
import { fencedErrorFor } from './producer-fenced.js';

export function handleInitProducerId(ctx: RequestContext, req: InitProducerIdRequest): MaybePromise<InitProducerIdResponse> {
  return andThen(ctx.broker.transactions.initProducerId(req), ({ errorCode, producerId, producerEpoch }) => (
    { throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, ctx.version, 4), producerId, producerEpoch }));
}
