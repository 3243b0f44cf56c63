// CreateTopics (19): Kafka's validation (names, partitions, replication factor
// against live brokers, configs), validate-only, per-topic results.
import { ErrorCode } from '../../protocol/errors.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/messages/create-topics.js';
import { topicConfigEntries } from '../config-view.js';
import type { RequestContext } from '../router.js';

const NO_ID = Buffer.alloc(16);

export async function handleCreateTopics(ctx: RequestContext, req: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  const { topics: service, config } = ctx.broker;
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const results: CreateTopicsResponse['topics'] = [];
  for (const t of req.topics) {
    if ((seen.get(t.name) ?? 0) > 1) {
      results.push(entry(t.name, ErrorCode.INVALID_REQUEST, 'Create topics request from client contains multiple entries for the same topic.'));
      continue;
    }
    const configs: Record<string, string | null> = {};
    for (const c of t.configs) configs[c.name] = c.value;
    const result = await service.create({
      name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignments: t.assignments, configs,
    }, req.validateOnly);
    const e = entry(t.name, result.errorCode, result.errorMessage);
    if (result.plan) {
      e.topicId = result.topic?.topicId ?? NO_ID;
      e.numPartitions = result.plan.partitions;
      e.replicationFactor = result.plan.replicationFactor;
      e.configs = topicConfigEntries(config, result.plan.configs);
    }
    results.push(e);
  }
  return { throttleTimeMs: 0, topics: results };
}

function entry(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponse['topics'][number] {
  return {
    name, topicId: NO_ID, errorCode, errorMessage, topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1, replicationFactor: -1, configs: null,
  };
}
