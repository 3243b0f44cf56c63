// FindCoordinator (10): group keys are served by the leader of the group's
// __consumer_offsets partition; the topic is created on first use, as Kafka
// does. Transaction keys have no coordinator yet. v4+ answer several keys.
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import { OFFSETS_TOPIC } from '../../coordinator/group/index.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

const GROUP_KEY = 0;
const TRANSACTION_KEY = 1;

type Coordinator = FindCoordinatorResponse['coordinators'][number];

export async function handleFindCoordinator(ctx: RequestContext, req: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
  const keys = ctx.version >= 4 ? req.coordinatorKeys : [req.key];
  const coordinators: Coordinator[] = [];
  for (const key of keys) coordinators.push(await findCoordinator(ctx.broker, req.keyType, key));
  if (ctx.version >= 4) return { throttleTimeMs: 0, coordinators } as FindCoordinatorResponse;
  const { errorCode, errorMessage, nodeId, host, port } = coordinators[0];
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port } as FindCoordinatorResponse;
}

async function findCoordinator(broker: BrokerContext, keyType: number, key: string): Promise<Coordinator> {
  if (keyType === TRANSACTION_KEY) return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (keyType !== GROUP_KEY) return failure(key, ErrorCode.INVALID_REQUEST, `Unknown coordinator type ${keyType}`);
  const created = await ensureOffsetsTopic(broker);
  if (created !== ErrorCode.NONE) return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const partition = broker.groups.partitionFor(key);
  const leader = broker.metadata.topic(OFFSETS_TOPIC)?.partitions[partition]?.leader;
  const node = broker.metadata.liveBrokers().find((b) => b.nodeId === leader);
  if (!node) return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  return { key, nodeId: node.nodeId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

/** Creates __consumer_offsets (compacted, internal) unless it exists; returns NONE when it does afterwards. */
async function ensureOffsetsTopic(broker: BrokerContext): Promise<number> {
  const { metadata, config, topics } = broker;
  if (metadata.topic(OFFSETS_TOPIC)) return ErrorCode.NONE;
  const result = await topics.create({
    name: OFFSETS_TOPIC,
    numPartitions: config.int('offsets.topic.num.partitions'),
    replicationFactor: Math.min(config.int('offsets.topic.replication.factor'), metadata.liveBrokers().length),
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(config.int('offsets.topic.segment.bytes')) },
    internal: true,
  });
  if (result.errorCode === ErrorCode.NONE || result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return ErrorCode.NONE;
  broker.log.warn(`creating ${OFFSETS_TOPIC} failed: ${result.errorMessage ?? result.errorCode}`);
  return result.errorCode;
}

function failure(key: string, errorCode: number, errorMessage = errorInfo(errorCode)?.message ?? null): Coordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}
