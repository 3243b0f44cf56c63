// What a client knows about the cluster: one connection per broker (opened on
// first use, reopened after a failure), the brokers and the partitions'
// leaders from Metadata (refreshed on demand and when older than
// metadataMaxAgeMs), and group/transaction coordinators from FindCoordinator.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { FindCoordinatorResponse } from '../protocol/messages/find-coordinator.js';
import type { MetadataResponse } from '../protocol/messages/metadata.js';
import { Connection } from './connection.js';
import { KafkaConnectionError, KafkaError, KafkaStateError, KafkaTimeoutError } from './errors.js';
import { sleep, type ResolvedClientOptions } from './options.js';

/** One partition as the cluster metadata describes it. */
export interface PartitionInfo {
  partition: number;
  /** Broker id of the leader; -1 when there is none. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** The partition's own error (e.g. LEADER_NOT_AVAILABLE), 0 when none. */
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  /** Kafka's topic id (16 bytes; all zero from brokers before Metadata v10). */
  topicId: Buffer;
  isInternal: boolean;
  /** Indexed by partition number. */
  partitions: PartitionInfo[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** FindCoordinator key types. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

const RETRIABLE_TOPIC_ERRORS: ReadonlySet<number> = new Set([ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

export class Cluster {
  readonly options: ResolvedClientOptions;
  private readonly connections = new Map<number, Promise<Connection>>();
  private bootstrapConnection: Promise<Connection> | null = null;
  private readonly brokers = new Map<number, BrokerInfo>();
  private readonly topics = new Map<string, TopicInfo>();
  /** Topics the client uses; every refresh asks for all of them. */
  private readonly interesting = new Set<string>();
  private refreshing: Promise<void> | null = null;
  private lastRefresh = 0;
  private controllerId = -1;
  private clusterIdValue: string | null = null;
  private closed = false;

  constructor(options: ResolvedClientOptions) {
    this.options = options;
  }

  get clusterId(): string | null {
    return this.clusterIdValue;
  }

  get controller(): number {
    return this.controllerId;
  }

  /** Known brokers. */
  brokerList(): BrokerInfo[] {
    return [...this.brokers.values()];
  }

  /** Cached metadata for a topic (undefined when not loaded or the topic does not exist). */
  topic(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  /** Names of all topics seen in the last refresh of all topics. */
  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** Whether the metadata is older than metadataMaxAgeMs. */
  get stale(): boolean {
    return Date.now() - this.lastRefresh > this.options.metadataMaxAgeMs;
  }

  /**
   * Loads metadata for `topics` (added to the set kept fresh) or, with null, for every topic.
   * Concurrent calls share one request when they ask for no new topics.
   */
  async refresh(topics: readonly string[] | null = [], allowAutoTopicCreation = false): Promise<void> {
    const fresh = topics !== null && topics.every((t) => this.interesting.has(t));
    if (topics) for (const t of topics) this.interesting.add(t);
    if (this.refreshing && fresh) return this.refreshing;
    const run = this.loadMetadata(topics === null ? null : [...this.interesting], allowAutoTopicCreation);
    this.refreshing = run;
    try {
      await run;
    } finally {
      if (this.refreshing === run) this.refreshing = null;
    }
  }

  /**
   * Metadata for `topic`, refreshed until its partitions are known or `deadline` passes. As in the Java
   * producer's waitOnMetadata, a partition without a leader does not hold up the others: records for
   * it wait in their batch (and the sticky partitioner picks partitions that have a leader).
   * Throws KafkaTimeoutError naming the topic's last error (e.g. UNKNOWN_TOPIC_OR_PARTITION).
   */
  async waitForTopic(topic: string, deadline: number, allowAutoTopicCreation: boolean): Promise<TopicInfo> {
    let attempt = 0;
    while (true) {
      const known = this.topics.get(topic);
      if (known && known.partitions.length > 0) return known;
      if (attempt > 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new KafkaTimeoutError(`topic ${topic} not present in metadata in time (${this.topicErrors.get(topic) ?? 'no partitions'})`);
        await sleep(Math.min(left, this.options.retryBackoffMs * Math.min(attempt, 10)));
      }
      attempt++;
      await this.refresh([topic], allowAutoTopicCreation);
      const error = this.topicErrors.get(topic);
      if (error !== undefined && !RETRIABLE_TOPIC_ERRORS.has(error.code)) throw error;
    }
  }

  private readonly topicErrors = new Map<string, KafkaError>();

  private async loadMetadata(topics: string[] | null, allowAutoTopicCreation: boolean): Promise<void> {
    const response = await this.withAnyBroker((c) =>
      c.request<MetadataResponse>(ApiKey.Metadata, {
        topics: topics === null ? null : topics.map((name) => ({ name, topicId: undefined })),
        allowAutoTopicCreation,
        includeTopicAuthorizedOperations: false,
      }),
    );
    this.lastRefresh = Date.now();
    this.clusterIdValue = response.clusterId;
    this.controllerId = response.controllerId;
    const seen = new Set<number>();
    for (const b of response.brokers) {
      seen.add(b.nodeId);
      const old = this.brokers.get(b.nodeId);
      if (old && (old.host !== b.host || old.port !== b.port)) this.dropConnection(b.nodeId);
      this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    }
    for (const id of [...this.brokers.keys()]) {
      if (!seen.has(id)) {
        this.brokers.delete(id);
        this.dropConnection(id);
      }
    }
    if (topics === null) this.topics.clear();
    for (const t of response.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0) {
        this.topics.delete(t.name);
        this.topicErrors.set(t.name, new KafkaError(t.errorCode, `topic ${t.name}`));
        continue;
      }
      this.topicErrors.delete(t.name);
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leader: p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE ? -1 : p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          errorCode: p.errorCode,
        };
      }
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions });
    }
  }

  /** Marks a partition's leader unknown (after NOT_LEADER_OR_FOLLOWER and the like) until the next refresh. */
  invalidateLeader(topic: string, partition: number): void {
    const p = this.topics.get(topic)?.partitions[partition];
    if (p) p.leader = -1;
  }

  /** The connection to broker `nodeId`, opened if needed. */
  connectionTo(nodeId: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new KafkaStateError('the client is closed'));
    const existing = this.connections.get(nodeId);
    if (existing) return existing;
    const broker = this.brokers.get(nodeId);
    if (!broker) return Promise.reject(new KafkaConnectionError(`broker ${nodeId} is not in the cluster metadata`));
    const opening = Connection.open(nodeId, broker.host, broker.port, this.options);
    this.connections.set(nodeId, opening);
    opening.then(
      (c) => c.onClose(() => {
        if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
      }),
      () => {
        if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
      },
    );
    return opening;
  }

  /**
   * Runs `fn` on a connection to some broker: a known broker, else a bootstrap server. Connection
   * failures move on to the next candidate until requestTimeoutMs has passed; then the error names
   * every address tried.
   */
  async withAnyBroker<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    const failures = new Map<string, string>();
    for (let round = 0; ; round++) {
      const candidates: (() => Promise<Connection>)[] = [...this.brokers.keys()].map((id) => () => this.connectionTo(id));
      candidates.push(() => this.bootstrap(deadline));
      for (const open of candidates) {
        let connection: Connection;
        try {
          connection = await open();
        } catch (e) {
          if (e instanceof KafkaStateError) throw e;
          failures.set((e as Error).message, (e as Error).message);
          continue;
        }
        try {
          return await fn(connection);
        } catch (e) {
          if (!(e instanceof KafkaConnectionError)) throw e;
          failures.set(connection.address, (e as Error).message);
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new KafkaConnectionError(
          `no broker reachable within ${this.options.requestTimeoutMs} ms (bootstrap servers ${this.options.bootstrap.map((b) => `${b.host}:${b.port}`).join(', ')}): ${[...failures.values()].join('; ')}`,
        );
      }
      await sleep(Math.min(left, this.options.retryBackoffMs * Math.min(round + 1, 10)));
    }
  }

  /** A connection to the first bootstrap server that answers (tried in order, each within the deadline). */
  private bootstrap(deadline: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new KafkaStateError('the client is closed'));
    if (this.bootstrapConnection) return this.bootstrapConnection;
    const opening = (async () => {
      const errors: string[] = [];
      for (const { host, port } of this.options.bootstrap) {
        if (Date.now() >= deadline) break;
        try {
          return await Connection.open(-1, host, port, this.options, deadline);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      throw new KafkaConnectionError(errors.join('; ') || 'no time left to connect to the bootstrap servers');
    })();
    this.bootstrapConnection = opening;
    const forget = (): void => {
      if (this.bootstrapConnection === opening) this.bootstrapConnection = null;
    };
    opening.then((c) => c.onClose(forget), forget);
    return opening;
  }

  private readonly coordinators = new Map<string, number>();

  /** The coordinator of a group (type GROUP) or transactional id (type TRANSACTION), looked up and cached. */
  async coordinator(key: string, type: number): Promise<Connection> {
    const cacheKey = `${type}:${key}`;
    const known = this.coordinators.get(cacheKey);
    if (known !== undefined && this.brokers.has(known)) {
      try {
        return await this.connectionTo(known);
      } catch {
        this.coordinators.delete(cacheKey);
      }
    }
    const deadline = Date.now() + this.options.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const response = await this.withAnyBroker((c) =>
        c.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, { key, keyType: type, coordinatorKeys: [key] }),
      );
      const found = response.coordinators.length > 0 ? response.coordinators[0] : response;
      if (found.errorCode === 0) {
        if (!this.brokers.has(found.nodeId)) this.brokers.set(found.nodeId, { nodeId: found.nodeId, host: found.host, port: found.port, rack: null });
        this.coordinators.set(cacheKey, found.nodeId);
        return this.connectionTo(found.nodeId);
      }
      const error = new KafkaError(found.errorCode, found.errorMessage ?? `finding the coordinator of ${key}`);
      if (!error.retriable || Date.now() >= deadline) throw error;
      await sleep(this.options.retryBackoffMs * Math.min(attempt, 10));
    }
  }

  /** Forgets a cached coordinator (after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE). */
  forgetCoordinator(key: string, type: number): void {
    this.coordinators.delete(`${type}:${key}`);
  }

  /** The controller (for topic creation and deletion), from fresh metadata. */
  async controllerConnection(): Promise<Connection> {
    if (this.controllerId < 0 || !this.brokers.has(this.controllerId)) await this.refresh();
    if (this.controllerId < 0) return this.withAnyBroker(async (c) => c);
    return this.connectionTo(this.controllerId);
  }

  private dropConnection(nodeId: number): void {
    const c = this.connections.get(nodeId);
    this.connections.delete(nodeId);
    c?.then((conn) => conn.close(), () => {});
  }

  /** Closes every connection; later requests fail with KafkaStateError. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    if (this.bootstrapConnection) all.push(this.bootstrapConnection);
    this.connections.clear();
    this.bootstrapConnection = null;
    await Promise.all(all.map((p) => p.then((c) => c.close(), () => {})));
  }
}
