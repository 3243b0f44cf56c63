// The admin client: topics (create, list, describe, delete, add partitions),
// configs, consumer groups and their offsets, partition offsets, and the
// cluster. Each call goes where Kafka wants it (controller, group
// coordinator, partition leader, any broker) and fails with a KafkaError
// naming the first topic, group or resource the broker refused.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { CreatePartitionsResponse } from '../protocol/messages/create-partitions.js';
import type { CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import type { DeleteGroupsResponse } from '../protocol/messages/delete-groups.js';
import type { DeleteTopicsResponse } from '../protocol/messages/delete-topics.js';
import type { DescribeClusterResponse } from '../protocol/messages/describe-cluster.js';
import type { DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import type { DescribeGroupsResponse } from '../protocol/messages/describe-groups.js';
import type { IncrementalAlterConfigsResponse } from '../protocol/messages/incremental-alter-configs.js';
import type { ListGroupsResponse } from '../protocol/messages/list-groups.js';
import type { ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import type { OffsetDeleteResponse } from '../protocol/messages/offset-delete.js';
import { Cluster, CoordinatorType } from './cluster.js';
import type { Connection } from './connection.js';
import { decodeAssignment } from './consumer-protocol.js';
import { KafkaError, KafkaStateError, throwIfError } from './errors.js';
import { GroupMembership } from './group-membership.js';
import { resolveClientOptions, sleep, type ClientOptions } from './options.js';
import type { TopicPartition, TopicPartitionOffset } from './types.js';

/** Admin client options: the shared client options. */
export type AdminOptions = ClientOptions;

/** A topic to create. */
export interface NewTopic {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Topic configs, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string | number | boolean>;
}

/** A partition of a described topic. */
export interface PartitionDescription {
  partition: number;
  /** Broker id of the leader (-1: none). */
  leader: number;
  replicas: number[];
  isr: number[];
}

/** A described topic. */
export interface TopicDescription {
  name: string;
  internal: boolean;
  partitions: PartitionDescription[];
}

/** A config resource: a topic, or a broker by id ('' for the cluster-wide default). */
export interface ConfigResource {
  type: 'topic' | 'broker';
  name: string;
}

/** One config entry as DescribeConfigs reports it. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** Kafka's ConfigSource name: DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, ... */
  source: string;
  isDefault: boolean;
  isSensitive: boolean;
}

/** A consumer group in listGroups(). */
export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

/** A described consumer group. */
export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor (for consumer groups) chosen by the group. */
  protocol: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; assignment: TopicPartition[] }[];
}

/** An offset lookup: the first offset, the end, or the first offset at or after a timestamp. */
export interface OffsetSpec extends TopicPartition {
  at: 'earliest' | 'latest' | number;
}

/** The cluster as DescribeCluster (or Metadata) reports it. */
export interface ClusterDescription {
  clusterId: string | null;
  controller: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
}

const RESOURCE_TYPES = { topic: 2, broker: 4 } as const;
const CONFIG_SOURCES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG'];

/** Manages topics, configs and consumer groups. */
export class Admin {
  private readonly cluster: Cluster;

  /** Checks the options; connects on first use. */
  constructor(options: AdminOptions) {
    this.cluster = new Cluster(resolveClientOptions(options, 'samsa-admin'));
  }

  private get timeoutMs(): number {
    return this.cluster.options.requestTimeoutMs;
  }

  /** Creates topics; fails with the first refusal (e.g. TOPIC_ALREADY_EXISTS). */
  async createTopics(topics: readonly NewTopic[], options: { validateOnly?: boolean } = {}): Promise<void> {
    if (!Array.isArray(topics)) throw new KafkaStateError('createTopics() takes an array of topics', 'INVALID_REQUEST');
    const response = await this.onController<CreateTopicsResponse>(ApiKey.CreateTopics, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.partitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value: String(value) })),
      })),
      timeoutMs: this.timeoutMs,
      validateOnly: options.validateOnly ?? false,
    }, (r) => r.topics.map((t) => t.errorCode));
    for (const t of response.topics) throwIfError(t.errorCode, t.errorMessage ?? `topic ${t.name}`);
  }

  /** Names of the topics, internal ones (like __consumer_offsets) left out unless asked for. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    await this.cluster.refresh(null);
    return this.cluster.topicNames().filter((n) => options.includeInternal || !this.cluster.topic(n)!.isInternal).sort();
  }

  /** Partitions, leaders, replicas and in-sync replicas of topics; fails for a topic that does not exist. */
  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    if (!Array.isArray(names)) throw new KafkaStateError('describeTopics() takes an array of names', 'INVALID_REQUEST');
    await this.cluster.refresh(names);
    return names.map((name) => {
      const info = this.cluster.topic(name);
      if (!info) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`);
      return {
        name,
        internal: info.isInternal,
        partitions: info.partitions.filter((p) => p).map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })),
      };
    });
  }

  /** Deletes topics; fails with the first refusal (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
  async deleteTopics(names: readonly string[]): Promise<void> {
    if (!Array.isArray(names)) throw new KafkaStateError('deleteTopics() takes an array of names', 'INVALID_REQUEST');
    const response = await this.onController<DeleteTopicsResponse>(ApiKey.DeleteTopics, {
      topics: names.map((name) => ({ name, topicId: undefined })),
      topicNames: names,
      timeoutMs: this.timeoutMs,
    }, (r) => r.responses.map((t) => t.errorCode));
    for (const t of response.responses) throwIfError(t.errorCode, t.errorMessage ?? `topic ${t.name}`);
  }

  /** Raises topics' partition counts to `count`. */
  async createPartitions(requests: readonly { topic: string; count: number }[], options: { validateOnly?: boolean } = {}): Promise<void> {
    const response = await this.onController<CreatePartitionsResponse>(ApiKey.CreatePartitions, {
      topics: requests.map((r) => ({ name: r.topic, count: r.count, assignments: null })),
      timeoutMs: this.timeoutMs,
      validateOnly: options.validateOnly ?? false,
    }, (r) => r.results.map((t) => t.errorCode));
    for (const t of response.results) throwIfError(t.errorCode, t.errorMessage ?? `topic ${t.name}`);
  }

  /** Configs of topics or brokers (all keys, or `keys`). */
  async describeConfigs(resources: readonly (ConfigResource & { keys?: string[] })[]): Promise<(ConfigResource & { configs: ConfigEntry[] })[]> {
    const out: (ConfigResource & { configs: ConfigEntry[] })[] = [];
    for (const resource of resources) {
      const response = await this.configConnection(resource, (c) => c.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, {
        resources: [{ resourceType: RESOURCE_TYPES[resource.type], resourceName: resource.name, configurationKeys: resource.keys ?? null }],
        includeSynonyms: false,
        includeDocumentation: false,
      }));
      const result = response.results[0];
      throwIfError(result.errorCode, result.errorMessage ?? `${resource.type} ${resource.name}`);
      out.push({
        type: resource.type,
        name: resource.name,
        configs: result.configs.map((c) => {
          const source = c.configSource >= 0 ? CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN' : (c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN');
          return { name: c.name, value: c.value, readOnly: c.readOnly, source, isDefault: source === 'DEFAULT_CONFIG', isSensitive: c.isSensitive };
        }),
      });
    }
    return out;
  }

  /** Sets configs (IncrementalAlterConfigs): a value sets the key, null removes the override. Keys not named keep their values. */
  async alterConfigs(changes: readonly (ConfigResource & { configs: Record<string, string | number | boolean | null> })[], options: { validateOnly?: boolean } = {}): Promise<void> {
    for (const change of changes) {
      const response = await this.configConnection(change, (c) => c.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, {
        resources: [{
          resourceType: RESOURCE_TYPES[change.type],
          resourceName: change.name,
          configs: Object.entries(change.configs).map(([name, value]) => ({ name, configOperation: value === null ? 1 : 0, value: value === null ? null : String(value) })),
        }],
        validateOnly: options.validateOnly ?? false,
      }));
      for (const r of response.responses) throwIfError(r.errorCode, r.errorMessage ?? `${change.type} ${change.name}`);
    }
  }

  /** Consumer groups known to any broker. */
  async listGroups(): Promise<GroupListing[]> {
    await this.cluster.refresh();
    const out = new Map<string, GroupListing>();
    await Promise.all(this.cluster.brokerList().map(async (b) => {
      const connection = await this.cluster.connectionTo(b.nodeId);
      const r = await connection.request<ListGroupsResponse>(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] });
      throwIfError(r.errorCode, `listing groups on broker ${b.nodeId}`);
      for (const g of r.groups) out.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
    }));
    return [...out.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  /** State, members and assignments of groups. */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = [];
    for (const groupId of groupIds) {
      const r = await this.onCoordinator<DescribeGroupsResponse>(groupId, ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, (x) => x.groups[0]?.errorCode ?? 0);
      const g = r.groups[0];
      out.push({
        groupId: g.groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: g.protocolType === 'consumer' ? safeAssignment(m.memberAssignment) : [],
        })),
      });
    }
    return out;
  }

  /** Deletes empty groups and their offsets. */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    for (const groupId of groupIds) {
      const r = await this.onCoordinator<DeleteGroupsResponse>(groupId, ApiKey.DeleteGroups, { groupsNames: [groupId] }, (x) => x.results[0]?.errorCode ?? 0);
      for (const g of r.results) throwIfError(g.errorCode, `group ${g.groupId}`);
    }
  }

  /** A group's committed offsets (all partitions it has, or those given). */
  async listGroupOffsets(groupId: string, partitions?: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const deadline = Date.now() + this.timeoutMs;
    const committed = await this.membership(groupId).committed(partitions ?? null, false, deadline);
    return partitions ? committed : committed.filter((o) => o.offset >= 0);
  }

  /** Sets a group's committed offsets (the group must have no active members). */
  async alterGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.membership(groupId).commit(offsets, false, Date.now() + this.timeoutMs);
  }

  /** Removes a group's committed offsets for these partitions (OffsetDelete). */
  async deleteGroupOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<void> {
    const topics = new Map<string, { partitionIndex: number }[]>();
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), { partitionIndex: p.partition }]);
    const r = await this.onCoordinator<OffsetDeleteResponse>(groupId, ApiKey.OffsetDelete, {
      groupId, topics: [...topics].map(([name, list]) => ({ name, partitions: list })),
    }, (x) => x.errorCode);
    for (const t of r.topics) for (const p of t.partitions) throwIfError(p.errorCode, `group ${groupId}, ${t.name}-${p.partitionIndex}`);
  }

  /** Offsets of partitions: the first, the end (next offset to be written), or the first at or after a timestamp (-1 if none). */
  async listOffsets(specs: readonly OffsetSpec[], options: { isolationLevel?: 'read_uncommitted' | 'read_committed' } = {}): Promise<(TopicPartitionOffset & { timestamp: number })[]> {
    await this.cluster.refresh([...new Set(specs.map((s) => s.topic))]);
    const byLeader = new Map<number, OffsetSpec[]>();
    for (const s of specs) {
      const leader = this.cluster.topic(s.topic)?.partitions[s.partition]?.leader ?? -1;
      if (leader < 0) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${s.topic}-${s.partition}`);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), s]);
    }
    const found = new Map<string, { offset: number; timestamp: number }>();
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const topics = new Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }[]>();
      for (const s of list) {
        const timestamp = s.at === 'earliest' ? -2 : s.at === 'latest' ? -1 : s.at;
        topics.set(s.topic, [...(topics.get(s.topic) ?? []), { partitionIndex: s.partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }]);
      }
      const connection = await this.cluster.connectionTo(leader);
      const r = await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, {
        replicaId: -1,
        isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      });
      for (const t of r.topics) {
        for (const p of t.partitions) {
          throwIfError(p.errorCode, `${t.name}-${p.partitionIndex}`);
          found.set(`${t.name}\u0000${p.partitionIndex}`, { offset: p.oldStyleOffsets.length > 0 ? p.oldStyleOffsets[0] : p.offset, timestamp: p.timestamp });
        }
      }
    }));
    return specs.map((s) => ({ topic: s.topic, partition: s.partition, ...(found.get(`${s.topic}\u0000${s.partition}`) ?? { offset: -1, timestamp: -1 }) }));
  }

  /** The cluster id, controller and brokers. */
  async describeCluster(): Promise<ClusterDescription> {
    const r = await this.cluster.withAnyBroker(async (c) => (c.version(ApiKey.DescribeCluster) === undefined ? null : c.request<DescribeClusterResponse>(ApiKey.DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1 })));
    if (r) {
      throwIfError(r.errorCode, r.errorMessage);
      return { clusterId: r.clusterId, controller: r.controllerId, brokers: r.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })) };
    }
    await this.cluster.refresh();
    return { clusterId: this.cluster.clusterId, controller: this.cluster.controller, brokers: this.cluster.brokerList() };
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.cluster.close();
  }

  private membership(groupId: string): GroupMembership {
    return new GroupMembership(this.cluster, {
      groupId, groupInstanceId: null, sessionTimeoutMs: 0, rebalanceTimeoutMs: 0, heartbeatIntervalMs: 0, assignors: [],
    }, { topics: () => [], owned: () => [], partitionCounts: async () => new Map(), rejoinNeeded: () => {} });
  }

  /** Sends to the controller, retrying NOT_CONTROLLER (after a metadata refresh) until requestTimeoutMs. */
  private async onController<T>(apiKey: number, body: unknown, codes: (r: T) => number[]): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const connection = await this.cluster.controllerConnection();
      const r = await connection.request<T>(apiKey, body);
      if (!codes(r).includes(ErrorCode.NOT_CONTROLLER) || Date.now() >= deadline) return r;
      await this.cluster.refresh();
      await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
    }
  }

  /** Sends to a group's coordinator, retrying while it moves or loads. */
  private async onCoordinator<T>(groupId: string, apiKey: number, body: unknown, code: (r: T) => number): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const connection = await this.cluster.coordinator(groupId, CoordinatorType.GROUP);
      const r = await connection.request<T>(apiKey, body);
      const c = code(r);
      if (c === ErrorCode.NOT_COORDINATOR || c === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.cluster.forgetCoordinator(groupId, CoordinatorType.GROUP);
      const retry = c === ErrorCode.NOT_COORDINATOR || c === ErrorCode.COORDINATOR_NOT_AVAILABLE || c === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      if (!retry || Date.now() >= deadline) {
        throwIfError(c, `group ${groupId}`);
        return r;
      }
      await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
    }
  }

  /** Broker configs go to that broker; topic configs (and the cluster default) to any. */
  private async configConnection<T>(resource: ConfigResource, fn: (c: Connection) => Promise<T>): Promise<T> {
    if (resource.type === 'broker' && resource.name !== '') {
      await this.cluster.refresh();
      return fn(await this.cluster.connectionTo(Number(resource.name)));
    }
    return this.cluster.withAnyBroker(fn);
  }
}

function safeAssignment(b: Buffer): TopicPartition[] {
  try {
    return decodeAssignment(b).partitions;
  } catch {
    return [];
  }
}
