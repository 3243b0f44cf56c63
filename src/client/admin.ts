// The admin client: topics (create, list, describe, delete, add partitions),
// configs, consumer groups and their offsets, partition offsets, deleting
// records, transactions and producers, and the cluster. Each call goes where Kafka wants it (controller, group
// coordinator, partition leader, any broker) and fails with a KafkaError
// naming the first topic, group or resource the broker refused.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { CreatePartitionsResponse } from '../protocol/messages/create-partitions.js';
import type { CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import type { DeleteGroupsResponse } from '../protocol/messages/delete-groups.js';
import type { DeleteRecordsResponse } from '../protocol/messages/delete-records.js';
import type { DeleteTopicsResponse } from '../protocol/messages/delete-topics.js';
import type { DescribeClusterResponse } from '../protocol/messages/describe-cluster.js';
import type { DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import type { DescribeGroupsResponse } from '../protocol/messages/describe-groups.js';
import type { DescribeProducersResponse } from '../protocol/messages/describe-producers.js';
import type { DescribeTransactionsResponse } from '../protocol/messages/describe-transactions.js';
import type { IncrementalAlterConfigsResponse } from '../protocol/messages/incremental-alter-configs.js';
import type { ListGroupsResponse } from '../protocol/messages/list-groups.js';
import type { ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import type { ListTransactionsResponse } from '../protocol/messages/list-transactions.js';
import type { OffsetDeleteResponse } from '../protocol/messages/offset-delete.js';
import type { WriteTxnMarkersResponse } from '../protocol/messages/write-txn-markers.js';
import { Cluster, CoordinatorType } from './cluster.js';
import type { Connection } from './connection.js';
import { decodeAssignment } from './consumer-protocol.js';
import { KafkaError, KafkaStateError, throwIfError } from './errors.js';
import { GroupMembership } from './group-membership.js';
import { resolveClientOptions, sleep, type ClientOptions } from './options.js';
import { partitionKey, type TopicPartition, type TopicPartitionOffset } from './types.js';

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
  /** Replica broker ids of each partition, by partition number (then partitions and replicationFactor are not given). */
  assignments?: number[][];
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
  /** Kafka's topic id as Kafka prints it (base64url; all-zero 'AAAAAAAAAAAAAAAAAAAAAA' from brokers without ids). */
  topicId: string;
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
  /** With includeSynonyms: the values this key has at each level, most specific first (source names as above). */
  synonyms?: { name: string; value: string | null; source: string }[];
}

/** A consumer group in listGroups(). */
export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Stable, Empty, ...; '' from brokers before Kafka 2.6, whose ListGroups (below v4) does not say. */
  state: string;
}

/** A described consumer group. */
export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor (for consumer groups) chosen by the group. */
  protocol: string;
  /** The broker coordinating the group. */
  coordinator: { nodeId: number; host: string; port: number };
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; assignment: TopicPartition[] }[];
}

/** An offset lookup: the first offset, the end, or the first offset at or after a timestamp. */
export interface OffsetSpec extends TopicPartition {
  at: 'earliest' | 'latest' | number;
}

/** A transactional id in listTransactions(), with the broker coordinating it. */
export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  /** Kafka's TransactionState name: Empty, Ongoing, PrepareCommit, CompleteAbort, ... */
  state: string;
  coordinatorId: number;
}

/** A transactional id as its coordinator describes it. */
export interface TransactionDescription {
  transactionalId: string;
  coordinatorId: number;
  state: string;
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** When the open transaction began; -1 when none is open. */
  transactionStartTimeMs: number;
  /** Partitions the open transaction wrote to (or awaits markers on). */
  partitions: TopicPartition[];
}

/** An active idempotent or transactional producer of a partition (DescribeProducers). */
export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** -1 when no transaction marker was written yet. */
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction; -1 when none is open. */
  currentTransactionStartOffset: number;
}

/** A transaction to abort by writing an ABORT marker to one partition (for a hanging transaction). */
export interface AbortTransactionSpec extends TopicPartition {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

/** A broker's ApiVersions answer: each API's range and the version this client speaks of it (null: none); or why it could not be asked. */
export interface BrokerApiVersions {
  broker: { nodeId: number; host: string; port: number; rack: string | null };
  apis?: { apiKey: number; minVersion: number; maxVersion: number; usable: number | null }[];
  error?: string;
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
        assignments: t.assignments?.map((brokerIds: number[], partitionIndex: number) => ({ partitionIndex, brokerIds })) ?? [],
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
        topicId: info.topicId.toString('base64url'),
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

  /** Raises topics' partition counts to `count`; `assignments` places the new partitions (replica broker ids of each). */
  async createPartitions(requests: readonly { topic: string; count: number; assignments?: number[][] }[], options: { validateOnly?: boolean } = {}): Promise<void> {
    const response = await this.onController<CreatePartitionsResponse>(ApiKey.CreatePartitions, {
      topics: requests.map((r) => ({ name: r.topic, count: r.count, assignments: r.assignments?.map((brokerIds) => ({ brokerIds })) ?? null })),
      timeoutMs: this.timeoutMs,
      validateOnly: options.validateOnly ?? false,
    }, (r) => r.results.map((t) => t.errorCode));
    for (const t of response.results) throwIfError(t.errorCode, t.errorMessage ?? `topic ${t.name}`);
  }

  /** Configs of topics or brokers (all keys, or `keys`); with includeSynonyms, each entry's values at every level. */
  async describeConfigs(resources: readonly (ConfigResource & { keys?: string[] })[], options: { includeSynonyms?: boolean } = {}): Promise<(ConfigResource & { configs: ConfigEntry[] })[]> {
    const out: (ConfigResource & { configs: ConfigEntry[] })[] = [];
    for (const resource of resources) {
      const response = await this.configConnection(resource, (c) => c.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, {
        resources: [{ resourceType: RESOURCE_TYPES[resource.type], resourceName: resource.name, configurationKeys: resource.keys ?? null }],
        includeSynonyms: options.includeSynonyms ?? false,
        includeDocumentation: false,
      }));
      const result = response.results[0];
      throwIfError(result.errorCode, result.errorMessage ?? `${resource.type} ${resource.name}`);
      out.push({
        type: resource.type,
        name: resource.name,
        configs: result.configs.map((c) => {
          const source = c.configSource >= 0 ? CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN' : (c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN');
          const entry: ConfigEntry = { name: c.name, value: c.value, readOnly: c.readOnly, source, isDefault: source === 'DEFAULT_CONFIG', isSensitive: c.isSensitive };
          if (options.includeSynonyms) entry.synonyms = c.synonyms.map((y) => ({ name: y.name, value: y.value, source: CONFIG_SOURCES[y.source] ?? 'UNKNOWN' }));
          return entry;
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

  /**
   * Groups known to any broker; `states` (Kafka's state names, e.g. 'Stable') keeps those in one of
   * them. A broker before ListGroups v4 (Kafka 2.6) reports no states ('') and cannot filter by them.
   */
  async listGroups(options: { states?: readonly string[] } = {}): Promise<GroupListing[]> {
    const statesFilter = [...(options.states ?? [])];
    await this.cluster.refresh();
    const out = new Map<string, GroupListing>();
    await Promise.all(this.cluster.brokerList().map(async (b) => {
      const connection = await this.cluster.connectionTo(b.nodeId);
      const version = connection.version(ApiKey.ListGroups) ?? 0;
      if (statesFilter.length > 0 && version < 4) {
        throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${b.nodeId} speaks ListGroups up to v${version}; listing groups by state needs v4 or newer`);
      }
      const r = await connection.request<ListGroupsResponse>(ApiKey.ListGroups, { statesFilter, typesFilter: [] });
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
        coordinator: await this.coordinatorNode(groupId, CoordinatorType.GROUP),
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
    const found = new Map<OffsetSpec, { offset: number; timestamp: number }>();
    await Promise.all([...await this.byLeader(specs)].map(async ([leader, list]) => {
      const connection = await this.cluster.connectionTo(leader);
      checkListOffsetsVersion(connection.version(ApiKey.ListOffsets) ?? 0, list, leader);
      // Kafka refuses a partition named twice in one request (INVALID_REQUEST): repeats go in later requests.
      for (const round of onePerPartition(list)) {
        const topics = new Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }[]>();
        for (const s of round) {
          const timestamp = s.at === 'earliest' ? -2 : s.at === 'latest' ? -1 : s.at;
          topics.set(s.topic, [...(topics.get(s.topic) ?? []), { partitionIndex: s.partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }]);
        }
        const r = await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, {
          replicaId: -1,
          isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        });
        for (const t of r.topics) {
          for (const p of t.partitions) {
            throwIfError(p.errorCode, `${t.name}-${p.partitionIndex}`);
            const spec = round.find((s) => s.topic === t.name && s.partition === p.partitionIndex);
            if (spec) found.set(spec, { offset: p.oldStyleOffsets.length > 0 ? p.oldStyleOffsets[0] : p.offset, timestamp: p.timestamp });
          }
        }
      }
    }));
    return specs.map((s) => ({ topic: s.topic, partition: s.partition, ...(found.get(s) ?? { offset: -1, timestamp: -1 }) }));
  }

  /**
   * Deletes the records below `offset` (-1: the high watermark) of each partition (DeleteRecords at
   * the leader); returns the partitions' low watermarks (log start offsets) afterwards.
   */
  async deleteRecords(requests: readonly TopicPartitionOffset[]): Promise<{ topic: string; partition: number; lowWatermark: number }[]> {
    if (!Array.isArray(requests)) throw new KafkaStateError('deleteRecords() takes an array of { topic, partition, offset }', 'INVALID_REQUEST');
    const found = new Map<string, number>();
    await Promise.all([...await this.byLeader(requests)].map(async ([leader, list]) => {
      const topics = new Map<string, { partitionIndex: number; offset: number }[]>();
      for (const r of list) topics.set(r.topic, [...(topics.get(r.topic) ?? []), { partitionIndex: r.partition, offset: r.offset }]);
      const connection = await this.cluster.connectionTo(leader);
      const response = await connection.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, {
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        timeoutMs: this.timeoutMs,
      });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          throwIfError(p.errorCode, `${t.name}-${p.partitionIndex}`);
          found.set(partitionKey(t.name, p.partitionIndex), p.lowWatermark);
        }
      }
    }));
    return requests.map((r) => ({ topic: r.topic, partition: r.partition, lowWatermark: found.get(partitionKey(r.topic, r.partition)) ?? -1 }));
  }

  /** Transactional ids held by every broker's transaction coordinator, optionally filtered by state, producer id or open duration. */
  async listTransactions(filters: { states?: string[]; producerIds?: number[]; minDurationMs?: number } = {}): Promise<TransactionListing[]> {
    await this.cluster.refresh();
    const perBroker = await Promise.all(this.cluster.brokerList().map(async (b) => {
      const connection = await this.cluster.connectionTo(b.nodeId);
      const r = await connection.request<ListTransactionsResponse>(ApiKey.ListTransactions, {
        stateFilters: filters.states ?? [], producerIdFilters: filters.producerIds ?? [], durationFilter: filters.minDurationMs ?? -1,
      });
      throwIfError(r.errorCode, `listing transactions on broker ${b.nodeId}`);
      return r.transactionStates.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState, coordinatorId: b.nodeId }));
    }));
    return perBroker.flat();
  }

  /** State, producer and open partitions of transactional ids (TRANSACTIONAL_ID_NOT_FOUND for an unknown one). */
  async describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
    const out: TransactionDescription[] = [];
    for (const id of transactionalIds) {
      const r = await this.onCoordinator<DescribeTransactionsResponse>(id, ApiKey.DescribeTransactions, { transactionalIds: [id] }, (x) => x.transactionStates[0]?.errorCode ?? 0, CoordinatorType.TRANSACTION);
      const t = r.transactionStates[0];
      out.push({
        transactionalId: t.transactionalId,
        coordinatorId: (await this.coordinatorNode(id, CoordinatorType.TRANSACTION)).nodeId,
        state: t.transactionState,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        transactionTimeoutMs: t.transactionTimeoutMs,
        transactionStartTimeMs: t.transactionStartTimeMs,
        partitions: t.topics.flatMap((x) => x.partitions.map((partition) => ({ topic: x.topic, partition }))),
      });
    }
    return out;
  }

  /** Active producers of partitions, asked of each partition's leader (or of broker `brokerId`). */
  async describeProducers(partitions: readonly TopicPartition[], options: { brokerId?: number } = {}): Promise<(TopicPartition & { producers: ProducerState[] })[]> {
    let byBroker: Map<number, TopicPartition[]>;
    if (options.brokerId === undefined) {
      byBroker = await this.byLeader(partitions);
    } else {
      await this.cluster.refresh();
      byBroker = new Map([[options.brokerId, [...partitions]]]);
    }
    const found = new Map<string, ProducerState[]>();
    await Promise.all([...byBroker].map(async ([nodeId, list]) => {
      const topics = new Map<string, number[]>();
      for (const p of list) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
      const connection = await this.cluster.connectionTo(nodeId);
      const r = await connection.request<DescribeProducersResponse>(ApiKey.DescribeProducers, {
        topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      });
      for (const t of r.topics) {
        for (const p of t.partitions) {
          throwIfError(p.errorCode, p.errorMessage ?? `${t.name}-${p.partitionIndex}`);
          found.set(partitionKey(t.name, p.partitionIndex), p.activeProducers.map((a) => ({
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            lastSequence: a.lastSequence,
            lastTimestamp: a.lastTimestamp,
            coordinatorEpoch: a.coordinatorEpoch,
            currentTransactionStartOffset: a.currentTxnStartOffset,
          })));
        }
      }
    }));
    return partitions.map((p) => ({ topic: p.topic, partition: p.partition, producers: found.get(partitionKey(p.topic, p.partition)) ?? [] }));
  }

  /** Aborts a producer's open transaction on one partition by having its leader write an ABORT marker (WriteTxnMarkers). */
  async abortTransaction(spec: AbortTransactionSpec): Promise<void> {
    const [[leader]] = await this.byLeader([spec]);
    const connection = await this.cluster.connectionTo(leader);
    const r = await connection.request<WriteTxnMarkersResponse>(ApiKey.WriteTxnMarkers, {
      markers: [{
        producerId: spec.producerId,
        producerEpoch: spec.producerEpoch,
        transactionResult: false,
        topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
        coordinatorEpoch: spec.coordinatorEpoch,
      }],
    });
    for (const m of r.markers) for (const t of m.topics) for (const p of t.partitions) throwIfError(p.errorCode, `${t.name}-${p.partitionIndex}`);
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

  /** Each broker with the API version ranges it advertises and the version this client would use of each (Kafka's BrokerApiVersionsCommand). */
  async brokerApiVersions(): Promise<BrokerApiVersions[]> {
    await this.cluster.refresh();
    const brokers = this.cluster.brokerList().sort((a, b) => a.nodeId - b.nodeId);
    return Promise.all(brokers.map(async (broker) => {
      try {
        const connection = await this.cluster.connectionTo(broker.nodeId);
        return { broker, apis: connection.brokerApiVersions.map((a) => ({ ...a, usable: connection.version(a.apiKey) ?? null })) };
      } catch (e) {
        return { broker, error: (e as Error).message };
      }
    }));
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.cluster.close();
  }

  /** Partitions by the id of their leader; fails for a partition without one. */
  private async byLeader<T extends TopicPartition>(partitions: readonly T[]): Promise<Map<number, T[]>> {
    await this.cluster.refresh([...new Set(partitions.map((p) => p.topic))]);
    const out = new Map<number, T[]>();
    for (const p of partitions) {
      const leader = this.cluster.topic(p.topic)?.partitions[p.partition]?.leader ?? -1;
      if (leader < 0) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${p.topic}-${p.partition}`);
      out.set(leader, [...(out.get(leader) ?? []), p]);
    }
    return out;
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

  /** Sends to the coordinator of a group (or, with type TRANSACTION, of a transactional id), retrying while it moves or loads. */
  private async onCoordinator<T>(key: string, apiKey: number, body: unknown, code: (r: T) => number, type: number = CoordinatorType.GROUP): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const connection = await this.cluster.coordinator(key, type);
      const r = await connection.request<T>(apiKey, body);
      const c = code(r);
      if (c === ErrorCode.NOT_COORDINATOR || c === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.cluster.forgetCoordinator(key, type);
      const retry = c === ErrorCode.NOT_COORDINATOR || c === ErrorCode.COORDINATOR_NOT_AVAILABLE || c === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      if (!retry || Date.now() >= deadline) {
        throwIfError(c, `${type === CoordinatorType.GROUP ? 'group' : 'transactional id'} ${key}`);
        return r;
      }
      await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
    }
  }

  /** The broker coordinating a group or transactional id (cached after the first lookup). */
  private async coordinatorNode(key: string, type: number): Promise<{ nodeId: number; host: string; port: number }> {
    const c = await this.cluster.coordinator(key, type);
    return { nodeId: c.nodeId, host: c.host, port: c.port };
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

/** The ListOffsets version a special timestamp needs (Java's ListOffsetsRequest.Builder): max timestamp, earliest local, latest tiered. */
const LIST_OFFSETS_MIN_VERSION: ReadonlyMap<number, number> = new Map([[-3, 7], [-4, 8], [-5, 9]]);

/** An older broker would read such a timestamp as a time to search from: refuse it as Java does (UNSUPPORTED_VERSION). */
function checkListOffsetsVersion(version: number, specs: readonly OffsetSpec[], leader: number): void {
  for (const s of specs) {
    const needed = typeof s.at === 'number' ? LIST_OFFSETS_MIN_VERSION.get(s.at) : undefined;
    if (needed !== undefined && version < needed) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${leader} speaks ListOffsets up to v${version}; timestamp ${s.at} needs v${needed} or newer`);
    }
  }
}

/** Splits `list` into rounds in which each partition appears at most once, in order. */
function onePerPartition<T extends TopicPartition>(list: readonly T[]): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of list) {
    const k = partitionKey(item.topic, item.partition);
    const round = seen.get(k) ?? 0;
    seen.set(k, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}

function safeAssignment(b: Buffer): TopicPartition[] {
  try {
    return decodeAssignment(b).partitions;
  } catch {
    return [];
  }
}
