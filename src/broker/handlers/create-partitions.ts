// CreatePartitions (37): grows topics; each topic succeeds or fails on its own.
// A topic named twice is refused (once in the answer), as KafkaApis does.
import { ErrorCode } from '../../protocol/errors.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../protocol/messages/create-partitions.js';
import type { RequestContext } from '../router.js';

type TopicResult = CreatePartitionsResponse['results'][number];

export async function handleCreatePartitions(ctx: RequestContext, req: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results = new Map<string, TopicResult>();
  for (const t of req.topics) {
    if (results.has(t.name)) continue;
    if (counts.get(t.name)! > 1) {
      results.set(t.name, { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' });
      continue;
    }
    const error = await ctx.broker.topics.createPartitions({
      name: t.name, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null,
    }, req.validateOnly);
    if (error) results.set(t.name, { name: t.name, ...error });
    // ZooKeeper-mode Kafka grows the topic but, told not to wait, answers that it timed out.
    else if (req.timeoutMs <= 0 && !req.validateOnly) results.set(t.name, { name: t.name, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
    else results.set(t.name, { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  return { throttleTimeMs: 0, results: [...results.values()] };
}
