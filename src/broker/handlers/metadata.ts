// Metadata (3): brokers, controller, cluster id and the requested topics,
// auto-creating unknown ones when the broker and the request allow it.
import type { TopicMetadata } from '../../cluster/metadata-store.js';
import { topicNameProblem } from '../../cluster/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AUTHORIZED_OPERATIONS_OMITTED, type MetadataRequest, type MetadataResponse } from '../../protocol/messages/metadata.js';
import type { RequestContext } from '../router.js';

type TopicEntry = MetadataResponse['topics'][number];
const NO_ID = Buffer.alloc(16);

export async function handleMetadata(ctx: RequestContext, req: MetadataRequest): Promise<MetadataResponse> {
  const { metadata, topics: topicService, config } = ctx.broker;
  // v0: an empty list means every topic; v1+: null means every topic.
  const all = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
  const autoCreate = config.bool('auto.create.topics.enable') && (ctx.version < 4 || req.allowAutoTopicCreation);
  const topics: TopicEntry[] = [];
  const live = metadata.clustered ? new Set(metadata.liveBrokers().map((b) => b.nodeId)) : null;
  const describe = (t: TopicMetadata): TopicEntry => describeTopic(t, live);
  if (all) {
    for (const t of metadata.topics()) topics.push(describe(t));
  } else {
    for (const wanted of req.topics ?? []) {
      if (wanted.name === null) {
        const byId = metadata.topicById(wanted.topicId);
        topics.push(byId ? describe(byId) : failed(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
        continue;
      }
      const known = metadata.topic(wanted.name);
      if (known) {
        topics.push(describe(known));
      } else if (topicNameProblem(wanted.name)) {
        topics.push(failed(wanted.name, NO_ID, ErrorCode.INVALID_TOPIC_EXCEPTION));
      } else if (autoCreate) {
        const result = await topicService.autoCreate(wanted.name);
        topics.push(result.topic ? describe(result.topic) : failed(wanted.name, NO_ID, result.errorCode));
      } else {
        topics.push(failed(wanted.name, NO_ID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      }
    }
  }
  return {
    throttleTimeMs: 0,
    brokers: metadata.liveBrokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    clusterId: metadata.clusterId,
    controllerId: metadata.controllerId(),
    topics,
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

/** `live`: the live broker ids in a cluster (a leader or replica elsewhere may be down), null on a single node. */
function describeTopic(t: TopicMetadata, live: ReadonlySet<number> | null): TopicEntry {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: t.partitions.map((p) => {
      // As Kafka's MetadataCache: a leader that is not alive is no leader.
      const leaderId = p.leader >= 0 && (live === null || live.has(p.leader)) ? p.leader : -1;
      return {
        errorCode: leaderId >= 0 ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p.partition,
        leaderId,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicas,
        isrNodes: p.isr,
        offlineReplicas: live === null ? [] : p.replicas.filter((r) => !live.has(r)),
      };
    }),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function failed(name: string | null, topicId: Buffer, errorCode: number): TopicEntry {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}
