// FindCoordinator (10): group keys are served by the leader of the group's
// __consumer_offsets partition, transactional ids by the leader of theirs in
// __transaction_state; each topic is created on first use, as Kafka does: in a
// cluster only once as many brokers are alive as its replication factor (until
// then COORDINATOR_NOT_AVAILABLE), on a single node with a replication factor
// capped by the one broker. v4+ answer several keys.
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import { OFFSETS_TOPIC } from '../../coordinator/group/index.js';
import { TRANSACTION_STATE_TOPIC } from '../../coordinator/transaction/index.js';
import type { BrokerContext } from '../context.js';
import { internalTopic, type InternalTopic } from '../internal-topics.js';
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
  let name: string;
  let partition: number;
  if (keyType === GROUP_KEY) {
    name = OFFSETS_TOPIC;
    partition = broker.groups.partitionFor(key);
  } else if (keyType === TRANSACTION_KEY) {
    name = TRANSACTION_STATE_TOPIC;
    partition = broker.transactions.partitionFor(key);
  } else {
    return failure(key, ErrorCode.INVALID_REQUEST, `Unknown coordinator type ${keyType}`);
  }
  const live = broker.metadata.liveBrokers().length;
  const topic = internalTopic(name, broker.config, broker.metadata.clustered ? Infinity : live)!;
  const created = await ensureInternalTopic(broker, topic, live);
  if (created !== ErrorCode.NONE) return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const leader = broker.metadata.topic(topic.name)?.partitions[partition]?.leader;
  const node = broker.metadata.liveBrokers().find((b) => b.nodeId === leader);
  if (!node) return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  return { key, nodeId: node.nodeId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

/** Creates an internal topic unless it exists; returns NONE when it does afterwards. */
async function ensureInternalTopic(broker: BrokerContext, topic: InternalTopic, liveBrokers: number): Promise<number> {
  const { metadata, topics } = broker;
  if (metadata.topic(topic.name)) return ErrorCode.NONE;
  if (liveBrokers < topic.replicationFactor) {
    broker.log.error(`Number of alive brokers '${liveBrokers}' does not meet the required replication factor '${topic.replicationFactor}' for ${topic.name}. This error can be ignored if the cluster is starting up and not all brokers are up yet.`);
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
  const result = await topics.create({ ...topic, internal: true });
  if (result.errorCode === ErrorCode.NONE || result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return ErrorCode.NONE;
  broker.log.warn(`creating ${topic.name} failed: ${result.errorMessage ?? result.errorCode}`);
  return result.errorCode;
}

function failure(key: string, errorCode: number, errorMessage = errorInfo(errorCode)?.message ?? null): Coordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}
