// DeleteTopics (20): by name, or by topic id from v6.
import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/messages/delete-topics.js';
import type { RequestContext } from '../router.js';

const NO_ID = Buffer.alloc(16);

export async function handleDeleteTopics(ctx: RequestContext, req: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  const { topics: service, metadata } = ctx.broker;
  const wanted = ctx.version >= 6
    ? req.topics.map((t) => ({ name: t.name ?? metadata.topicById(t.topicId)?.name ?? null, topicId: t.topicId }))
    : req.topicNames.map((name) => ({ name, topicId: NO_ID }));
  const responses: DeleteTopicsResponse['responses'] = [];
  for (const w of wanted) {
    if (w.name === null) {
      responses.push({ name: null, topicId: w.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null });
      continue;
    }
    const result = await service.delete(w.name);
    responses.push({ name: w.name, topicId: result.topic?.topicId ?? w.topicId, errorCode: result.errorCode, errorMessage: result.errorMessage });
  }
  return { throttleTimeMs: 0, responses };
}
