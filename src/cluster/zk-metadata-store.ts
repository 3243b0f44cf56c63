// The MetadataStore of a cluster: Kafka 2.x's znodes in ZooKeeper, read into
// memory and kept current by watches. Any broker writes topic assignments and
// configs (with Kafka's change notifications); the controller (controller.ts)
// writes partition leaders; a partition's leader writes its ISR. A session
// expiry opens a new session and reloads everything, re-registering this broker.
import { randomBytes } from 'node:crypto';
import { ConfigError, formatConfigValue } from '../storage/config-def.js';
import { parseTopicConfigs, type TopicConfigs } from '../storage/topic-config.js';
import {
  TopicExistsError, type BrokerRegistration, type MetadataEvent, type MetadataStore, type NewTopic, type PartitionState, type TopicMetadata,
} from './metadata-store.js';
import { newClusterId } from './meta-properties.js';
import { INTERNAL_TOPICS } from './topic-names.js';
import {
  DEFAULT_ENTITY, PERSISTENT_PATHS, decodeBrokerInfo, decodeClusterId, decodeConfigChange, decodeController, decodeEntityConfig,
  decodePartitionState, decodeTopicAssignment, decodeTopicId, encodeBrokerInfo, encodeClusterId, encodeConfigChange,
  encodeEntityConfig, encodePartitionState, encodeTopicAssignment, zkPaths, type ZkReplicaAssignment,
} from './zk-layout.js';
import { ZooKeeperClient, ZooKeeperError, type ZkStat } from './zookeeper-client.js';

export interface ZkLogger {
  info(message: string): void;
  warn(message: string): void;
  error?(message: string): void;
}

export interface ZkMetadataStoreOptions {
  /** zookeeper.connect: host:port[,host:port...][/chroot]. */
  connect: string;
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
  nodeId: number;
  log: ZkLogger;
  /** How long topic creation, growth and deletion wait for the controller to act on them. */
  controllerWaitMs?: number;
}

/** Kafka's ZkNodeChangeNotificationListener purges notifications older than this. */
const CONFIG_CHANGE_EXPIRATION_MS = 15 * 60_000;
const DEFAULT_CONTROLLER_WAIT_MS = 30_000;
/** Topics written by Kafka before 2.8 have no id until the controller gives them one. */
const NO_TOPIC_ID = Buffer.alloc(16);

/** What Samsa writes in its registration's "software" field; Kafka's registrations have none. */
export const SAMSA_SOFTWARE = 'samsa';

/** Another live broker holds this broker id. */
export class DuplicateBrokerIdError extends Error {
  override name = 'DuplicateBrokerIdError';
}

export class ZkMetadataStore implements MetadataStore {
  readonly clustered = true;
  private client: ZooKeeperClient;
  private readonly brokers = new Map<number, BrokerRegistration>();
  /**
   * Live brokers registered by Apache Kafka (no "software" field). They are not Samsa's live
   * brokers: Kafka brokers take orders from a controller's requests, Samsa's from ZooKeeper.
   */
  private readonly kafkaBrokerIds = new Set<number>();
  private controller = -1;
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();
  /** zkVersion of each topic's assignment znode (partition additions are conditional on it). */
  private readonly assignmentVersions = new Map<string, number>();
  private readonly brokerEntities = new Map<string, Record<string, string>>();
  private readonly listeners: ((event: MetadataEvent) => void)[] = [];
  private readonly sessionListeners: ((client: ZooKeeperClient) => void)[] = [];
  /** Sequence number of the last config change notification applied. */
  private lastConfigChange = -1;
  private self: BrokerRegistration | null = null;
  private closed = false;
  /** The reload after a session expiry, if one is running. */
  private renewing: Promise<void> | undefined;

  private constructor(private readonly options: ZkMetadataStoreOptions, client: ZooKeeperClient, readonly clusterId: string) {
    this.client = client;
  }

  /**
   * Connects, creates Kafka's persistent paths, reads the cluster id (creating it on a new
   * cluster; `expectedClusterId` is meta.properties' and only proposed) and loads the cluster.
   */
  static async open(options: ZkMetadataStoreOptions, proposedClusterId: string | undefined): Promise<ZkMetadataStore> {
    const client = await ZooKeeperClient.connect(options);
    try {
      for (const path of PERSISTENT_PATHS) await client.createParents(path);
      const clusterId = await getOrCreateClusterId(client, proposedClusterId ?? newClusterId());
      const store = new ZkMetadataStore(options, client, clusterId);
      await store.loadAll();
      store.watchSession();
      return store;
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  /** The current ZooKeeper session (a new one after an expiry: ask again rather than keeping it). */
  get zk(): ZooKeeperClient {
    return this.client;
  }

  /** Called with the new client after a session expiry was recovered (the controller re-elects). */
  onNewSession(listener: (client: ZooKeeperClient) => void): void {
    this.sessionListeners.push(listener);
  }

  onChange(listener: (event: MetadataEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: MetadataEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.options.log.warn(`metadata listener failed on ${event.type}: ${(e as Error).stack ?? String(e)}`);
      }
    }
  }

  // ---- reads ---------------------------------------------------------------

  controllerId(): number {
    return this.controller;
  }

  liveBrokers(): BrokerRegistration[] {
    return [...this.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** Ids of the live Apache Kafka brokers registered in this cluster (a mixed cluster, which Samsa does not run in). */
  kafkaBrokers(): number[] {
    return [...this.kafkaBrokerIds].sort((a, b) => a - b);
  }

  topics(): IterableIterator<TopicMetadata> {
    return this.byName.values();
  }

  topic(name: string): TopicMetadata | undefined {
    return this.byName.get(name);
  }

  topicById(topicId: Buffer): TopicMetadata | undefined {
    return this.byId.get(topicId.toString('hex'));
  }

  brokerConfigs(entity: string): Readonly<Record<string, string>> {
    return this.brokerEntities.get(entity) ?? {};
  }

  // ---- loading and watches -------------------------------------------------

  private async loadAll(): Promise<void> {
    await Promise.all([this.refreshBrokers(), this.refreshController(), this.loadBrokerConfigs(), this.refreshConfigChanges(true)]);
    await this.refreshTopics();
  }

  private watchSession(): void {
    this.client.once('expired', () => {
      if (this.closed) return;
      this.options.log.warn(`ZooKeeper session ${this.client.sessionId} expired; opening a new one`);
      this.renewing = this.renewSession().finally(() => { this.renewing = undefined; });
    });
  }

  /** After an expiry: a new session, this broker registered again, everything reloaded (retried until it works or the store closes). */
  private async renewSession(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const client = await ZooKeeperClient.connect(this.options);
        if (this.closed) {
          await client.close();
          return;
        }
        this.client = client;
        this.watchSession();
        if (this.self) await this.createRegistration(this.self);
        await this.loadAll();
        // The old session's watches are gone: every known topic and partition state is read (and watched) again.
        await Promise.all([...this.byName.values()].map(async (t) => {
          await this.refreshAssignment(t.name);
          await Promise.all(t.partitions.map((p) => this.refreshState(t.name, p.partition)));
        }));
        this.options.log.info(`ZooKeeper session ${client.sessionId} established; metadata reloaded`);
        for (const l of this.sessionListeners) l(client);
        return;
      } catch (e) {
        this.options.log.warn(`reconnecting to ZooKeeper (attempt ${attempt}) failed: ${(e as Error).message}`);
        await sleep(Math.min(1000 * attempt, 5000));
      }
    }
  }

  /** Runs a watch-triggered refresh; failures from a closed or expired session are expected and dropped. */
  private refreshLater(what: string, refresh: () => Promise<void>): void {
    const client = this.client;
    refresh().catch((e: unknown) => {
      if (this.closed || client !== this.client || client.state === 'expired' || client.state === 'closed') return;
      this.options.log.warn(`refreshing ${what} from ZooKeeper failed: ${(e as Error).message}; retrying`);
      setTimeout(() => this.refreshLater(what, refresh), 1000).unref();
    });
  }

  private async refreshBrokers(): Promise<void> {
    const ids = await this.client.getChildren(zkPaths.brokerIds, () => this.refreshLater('brokers', () => this.refreshBrokers()));
    const live = new Set(ids.map(Number));
    let changed = false;
    for (const id of this.brokers.keys()) {
      if (!live.has(id)) {
        this.brokers.delete(id);
        changed = true;
      }
    }
    for (const id of this.kafkaBrokerIds) if (!live.has(id)) this.kafkaBrokerIds.delete(id);
    for (const id of live) {
      if (this.brokers.has(id) || this.kafkaBrokerIds.has(id)) continue;
      const data = await getOrNull(this.client, zkPaths.broker(id));
      if (!data) continue;
      const info = decodeBrokerInfo(id, data.data);
      if (info.software !== SAMSA_SOFTWARE) {
        this.kafkaBrokerIds.add(id);
        (this.options.log.error ?? this.options.log.warn).call(this.options.log, `an Apache Kafka broker (id ${id}) registered in this cluster: ` +
          'Samsa and Kafka brokers cannot run side by side (Kafka follows a controller\'s LeaderAndIsr requests, Samsa follows ZooKeeper); ' +
          `Samsa treats broker ${id} as offline and leaves its replicas out of leader elections. Stop it, and start a Samsa broker with its broker.id, zookeeper.connect and log.dirs instead`);
        continue;
      }
      const endpoint = info.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT') ?? info.endpoints[0];
      this.brokers.set(id, { nodeId: id, host: endpoint.host, port: endpoint.port, rack: info.rack, epoch: Number(data.stat.czxid) });
      changed = true;
    }
    if (changed) this.emit({ type: 'brokers' });
  }

  private async refreshController(): Promise<void> {
    const watch = (): void => this.refreshLater('controller', () => this.refreshController());
    const stat = await this.client.exists(zkPaths.controller, watch);
    let id = -1;
    if (stat) {
      const got = await getOrNull(this.client, zkPaths.controller);
      if (got) id = decodeController(got.data).brokerId;
    }
    if (id !== this.controller) {
      this.controller = id;
      this.emit({ type: 'brokers' });
    }
  }

  private async refreshTopics(): Promise<void> {
    const names = await this.client.getChildren(zkPaths.topics, () => this.refreshLater('topics', () => this.refreshTopics()));
    const present = new Set(names);
    for (const name of [...this.byName.keys()]) {
      if (!present.has(name)) this.dropTopic(name);
    }
    await Promise.all(names.filter((n) => !this.byName.has(n)).map((n) => this.refreshAssignment(n)));
  }

  private dropTopic(name: string): void {
    const topic = this.byName.get(name);
    if (!topic) return;
    this.byName.delete(name);
    this.byId.delete(topic.topicId.toString('hex'));
    this.assignmentVersions.delete(name);
    this.emit({ type: 'topic-deleted', topic: name });
  }

  /** Reads a topic's assignment (and, for a topic new to this broker, its configs and partition states). */
  private async refreshAssignment(name: string): Promise<void> {
    const got = await getOrNull(this.client, zkPaths.topic(name), () => this.refreshLater(`topic ${name}`, () => this.refreshAssignment(name)));
    if (!got) {
      this.dropTopic(name);
      return;
    }
    const assignment = decodeTopicAssignment(name, got.data);
    const topicId = decodeTopicId(name, got.data) ?? NO_TOPIC_ID;
    let topic = this.byName.get(name);
    const added: number[] = [];
    const moved: number[] = [];
    if (!topic) {
      topic = { name, topicId, partitions: [], configs: await this.readTopicConfigs(name), internal: INTERNAL_TOPICS.has(name) };
      if (this.byName.has(name)) return; // loaded meanwhile by a concurrent refresh
      this.byName.set(name, topic);
    } else if (!topic.topicId.equals(topicId)) {
      this.byId.delete(topic.topicId.toString('hex'));
      topic.topicId = topicId;
    }
    if (!topicId.equals(NO_TOPIC_ID)) this.byId.set(topicId.toString('hex'), topic);
    this.assignmentVersions.set(name, got.stat.version);
    for (const [p, a] of assignment) {
      const known = topic.partitions[p] as PartitionState | undefined;
      const replicas = { replicas: a.replicas, addingReplicas: a.addingReplicas, removingReplicas: a.removingReplicas };
      if (!known) {
        topic.partitions[p] = { partition: p, leader: -1, leaderEpoch: -1, ...replicas, isr: [], version: -1, controllerEpoch: -1 };
        added.push(p);
      } else if ([known.replicas, known.addingReplicas, known.removingReplicas].join('/') !== [a.replicas, a.addingReplicas, a.removingReplicas].join('/')) {
        Object.assign(known, replicas);
        moved.push(p);
      }
    }
    // States first, so listeners told of new partitions see their leaders when there are any.
    await Promise.all(added.map((p) => this.refreshState(name, p, false)));
    if (added.length + moved.length > 0 && this.byName.get(name) === topic) {
      this.emit({ type: 'partitions', topic: name, partitions: [...added, ...moved] });
    }
  }

  /** Reads one partition's state znode, watching it (or its creation when it does not exist yet). */
  private async refreshState(topic: string, partition: number, emit = true): Promise<void> {
    const path = zkPaths.partitionState(topic, partition);
    const watch = (): void => this.refreshLater(`${topic}-${partition}`, () => this.refreshState(topic, partition));
    const got = await getOrNull(this.client, path, watch);
    if (!got) {
      // Watch for its creation; it may have appeared between the two calls.
      if (await this.client.exists(path, watch)) await this.refreshState(topic, partition, emit);
      return;
    }
    const state = this.byName.get(topic)?.partitions[partition] as PartitionState | undefined;
    if (!state || got.stat.version < state.version) return;
    const s = decodePartitionState(topic, partition, got.data);
    if (got.stat.version === state.version && s.leaderEpoch === state.leaderEpoch) return;
    Object.assign(state, { leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, controllerEpoch: s.controllerEpoch, version: got.stat.version });
    if (emit) this.emit({ type: 'partitions', topic, partitions: [partition] });
  }

  private async readTopicConfigs(name: string): Promise<TopicConfigs> {
    const got = await getOrNull(this.client, zkPaths.topicConfig(name));
    return got ? this.parseStoredConfigs(`topic ${name}`, decodeEntityConfig(`config of topic ${name}`, got.data)) : {};
  }

  /** Stored overrides as typed values; one that Samsa does not know or cannot parse is skipped with a warning. */
  private parseStoredConfigs(what: string, raw: Record<string, string>): TopicConfigs {
    const out: TopicConfigs = {};
    for (const [key, value] of Object.entries(raw)) {
      try {
        Object.assign(out, parseTopicConfigs({ [key]: value }));
      } catch (e) {
        this.options.log.warn(`ignoring config ${key}=${value} of ${what}: ${e instanceof ConfigError ? e.message : String(e)}`);
      }
    }
    return out;
  }

  private async loadBrokerConfigs(): Promise<void> {
    const entities = await this.client.getChildren(zkPaths.brokerConfigs);
    for (const name of entities) await this.refreshBrokerConfig(name === DEFAULT_ENTITY ? '' : name, false);
  }

  private async refreshBrokerConfig(entity: string, emit = true): Promise<void> {
    const got = await getOrNull(this.client, zkPaths.brokerConfig(entity));
    const configs = got ? decodeEntityConfig(`config of broker ${entity || DEFAULT_ENTITY}`, got.data) : {};
    if (Object.keys(configs).length === 0) this.brokerEntities.delete(entity);
    else this.brokerEntities.set(entity, configs);
    if (emit) this.emit({ type: 'broker-configs', entity });
  }

  /** Applies config change notifications newer than the last one applied (at start-up: only notes where they end). */
  private async refreshConfigChanges(initial = false): Promise<void> {
    const names = await this.client.getChildren(zkPaths.configChanges, () => this.refreshLater('config changes', () => this.refreshConfigChanges()));
    const prefix = zkPaths.configChangePrefix.slice(zkPaths.configChanges.length + 1);
    const changes = names.filter((n) => n.startsWith(prefix)).map((n) => ({ name: n, seq: Number(n.slice(prefix.length)) })).sort((a, b) => a.seq - b.seq);
    for (const { name, seq } of changes) {
      const path = `${zkPaths.configChanges}/${name}`;
      const got = await getOrNull(this.client, path);
      if (!got) continue;
      if (!initial && seq > this.lastConfigChange) await this.applyConfigChange(got.data);
      if (Date.now() - got.stat.ctime > CONFIG_CHANGE_EXPIRATION_MS) await this.client.delete(path).catch(() => {});
    }
    if (changes.length > 0) this.lastConfigChange = Math.max(this.lastConfigChange, changes[changes.length - 1].seq);
  }

  private async applyConfigChange(data: Buffer): Promise<void> {
    const change = decodeConfigChange(data);
    if (change.entityType === 'topics') {
      const topic = this.byName.get(change.entityName);
      if (!topic) return;
      topic.configs = await this.readTopicConfigs(change.entityName);
      this.emit({ type: 'topic-configs', topic: change.entityName });
    } else if (change.entityType === 'brokers') {
      await this.refreshBrokerConfig(change.entityName === DEFAULT_ENTITY ? '' : change.entityName);
    }
  }

  // ---- writes --------------------------------------------------------------

  /**
   * Registers this broker under /brokers/ids/<id> (ephemeral). A registration left by this
   * broker's previous life (a session not yet expired after a crash) is waited out up to the
   * session timeout; one that outlives it belongs to another live broker with the same id.
   */
  async registerBroker(self: BrokerRegistration): Promise<void> {
    await this.createRegistration(self);
    this.self = self;
  }

  private async createRegistration(self: BrokerRegistration): Promise<void> {
    const path = zkPaths.broker(self.nodeId);
    const data = encodeBrokerInfo({
      id: self.nodeId,
      endpoints: [{ listener: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: self.host, port: self.port }],
      rack: self.rack,
      jmxPort: -1,
      timestamp: Date.now(),
      software: SAMSA_SOFTWARE,
    });
    const deadline = Date.now() + this.client.sessionTimeoutMs + 2_000;
    for (;;) {
      try {
        await this.client.create(path, data, 'ephemeral');
        break;
      } catch (e) {
        if (!(e instanceof ZooKeeperError) || e.code !== 'NODE_EXISTS') throw e;
      }
      const stat = await this.client.exists(path);
      // KAFKA-7165: our own create whose reply was lost to a reconnect.
      if (stat && stat.ephemeralOwner.toString(16) === BigInt(`0x${this.client.sessionId}`).toString(16)) break;
      if (Date.now() > deadline) {
        throw new DuplicateBrokerIdError(`broker.id ${self.nodeId} is already registered in ZooKeeper by another live broker ` +
          `(session 0x${stat?.ephemeralOwner.toString(16) ?? '?'}); each broker needs its own broker.id`);
      }
      if (stat) this.options.log.info(`broker.id ${self.nodeId} is still registered by a previous session; waiting for it to expire`);
      await sleep(500);
    }
    await this.refreshBrokers();
  }

  /**
   * Writes the topic's configs, then its assignment (as Kafka's AdminZkClient), and waits for the
   * controller to give every partition a state. Throws TopicExistsError when the name is taken.
   */
  async createTopic(spec: NewTopic): Promise<TopicMetadata> {
    const assignments = spec.assignments ?? Array.from({ length: spec.partitions }, () => [this.options.nodeId]);
    const topicId = spec.topicId ?? randomBytes(16);
    if (await this.client.exists(zkPaths.topic(spec.name))) throw new TopicExistsError(`Topic '${spec.name}' already exists.`);
    await this.writeEntityConfig('topics', spec.name, zkPaths.topicConfig(spec.name), configStrings(spec.configs), false);
    const assignment = new Map(assignments.map((replicas, p): [number, ZkReplicaAssignment] => [p, { replicas, addingReplicas: [], removingReplicas: [] }]));
    try {
      await this.client.create(zkPaths.topic(spec.name), encodeTopicAssignment(assignment, topicId));
    } catch (e) {
      if (e instanceof ZooKeeperError && e.code === 'NODE_EXISTS') throw new TopicExistsError(`Topic '${spec.name}' already exists.`);
      throw e;
    }
    await this.refreshAssignment(spec.name);
    return this.waitForStates(spec.name, assignments.length);
  }

  /** Resolves when every partition of the topic has a leader state, or after the controller wait (as it then stands). */
  private async waitForStates(name: string, count: number): Promise<TopicMetadata> {
    const ready = (): boolean => {
      const t = this.byName.get(name);
      return t !== undefined && t.partitions.length >= count && t.partitions.every((p) => p.version >= 0);
    };
    await this.waitFor(ready);
    const topic = this.byName.get(name);
    if (!topic) throw new Error(`topic ${name} was deleted while it was being written`);
    return topic;
  }

  private waitFor(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        const i = this.listeners.indexOf(check);
        if (i >= 0) this.listeners.splice(i, 1);
        resolve();
      };
      const check = (): void => { if (done()) finish(); };
      const timer = setTimeout(finish, this.options.controllerWaitMs ?? DEFAULT_CONTROLLER_WAIT_MS);
      this.listeners.push(check);
    });
  }

  /** Asks the controller to delete the topic (/admin/delete_topics) and waits until it is gone. */
  async deleteTopic(name: string): Promise<void> {
    try {
      await this.client.create(zkPaths.deleteTopic(name), null);
    } catch (e) {
      if (!(e instanceof ZooKeeperError) || e.code !== 'NODE_EXISTS') throw e;
    }
    await this.waitFor(() => !this.byName.has(name));
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<void> {
    const topic = this.byName.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist`);
    await this.writeEntityConfig('topics', name, zkPaths.topicConfig(name), configStrings(configs), true);
    topic.configs = configs;
    this.emit({ type: 'topic-configs', topic: name });
  }

  async setBrokerConfigs(entity: string, configs: Record<string, string>): Promise<void> {
    await this.writeEntityConfig('brokers', entity === '' ? DEFAULT_ENTITY : entity, zkPaths.brokerConfig(entity), configs, true);
    if (Object.keys(configs).length === 0) this.brokerEntities.delete(entity);
    else this.brokerEntities.set(entity, { ...configs });
    this.emit({ type: 'broker-configs', entity });
  }

  /** Sets or creates /config/<type>/<name>, then (when `notify`) announces it as Kafka does, for every other broker. */
  private async writeEntityConfig(entityType: string, entityName: string, path: string, configs: Record<string, string>, notify: boolean): Promise<void> {
    const data = encodeEntityConfig(configs);
    // Kafka's setOrCreateEntityConfigs: set, else create, else (another broker created it meanwhile,
    // e.g. both auto-creating __consumer_offsets) set again.
    const failedWith = (e: unknown, code: string): boolean => e instanceof ZooKeeperError && e.code === code;
    try {
      await this.client.setData(path, data);
    } catch (e) {
      if (!failedWith(e, 'NO_NODE')) throw e;
      try {
        await this.client.create(path, data);
      } catch (again) {
        if (!failedWith(again, 'NODE_EXISTS')) throw again;
        await this.client.setData(path, data);
      }
    }
    if (notify) {
      const created = await this.client.create(zkPaths.configChangePrefix, encodeConfigChange({ entityType, entityName }), 'persistent_sequential');
      // Our own change is applied already; the notification is for the others.
      const seq = Number(created.slice(zkPaths.configChangePrefix.length));
      if (seq === this.lastConfigChange + 1) this.lastConfigChange = seq;
    }
  }

  /** Adds partitions to the topic's assignment (conditional on the version read) and waits for their states. */
  async createPartitions(name: string, assignments: number[][]): Promise<TopicMetadata> {
    const got = await this.client.getData(zkPaths.topic(name));
    const assignment = decodeTopicAssignment(name, got.data);
    const topicId = decodeTopicId(name, got.data);
    const first = assignment.size;
    assignments.forEach((replicas, i) => assignment.set(first + i, { replicas, addingReplicas: [], removingReplicas: [] }));
    await this.client.setData(zkPaths.topic(name), encodeTopicAssignment(assignment, topicId), got.stat.version);
    await this.refreshAssignment(name);
    return this.waitForStates(name, assignment.size);
  }

  /** The leader's ISR change: a conditional write of the state znode (Kafka 2.x's Partition.updateIsr). */
  async updateIsr(topic: string, partition: number, isr: number[], expected: PartitionState): Promise<PartitionState | null> {
    const data = encodePartitionState({ leader: expected.leader, leaderEpoch: expected.leaderEpoch, isr, controllerEpoch: expected.controllerEpoch });
    let stat: ZkStat;
    try {
      stat = await this.client.setData(zkPaths.partitionState(topic, partition), data, expected.version);
    } catch (e) {
      if (e instanceof ZooKeeperError && (e.code === 'BAD_VERSION' || e.code === 'NO_NODE')) return null;
      throw e;
    }
    const state = this.byName.get(topic)?.partitions[partition] as PartitionState | undefined;
    if (!state) return null;
    if (stat.version > state.version) {
      Object.assign(state, { isr: [...isr], version: stat.version, leader: expected.leader, leaderEpoch: expected.leaderEpoch });
      this.emit({ type: 'partitions', topic, partitions: [partition] });
    }
    return state;
  }

  /** Waits for a session renewal in progress, so a caller that saw an expiry sees the reloaded view. */
  async settled(): Promise<void> {
    await this.renewing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

/** Reads /cluster/id, creating it with `proposed` on a new cluster (Kafka's getOrGenerateClusterId). */
async function getOrCreateClusterId(client: ZooKeeperClient, proposed: string): Promise<string> {
  const existing = await getOrNull(client, zkPaths.clusterId);
  if (existing) return decodeClusterId(existing.data);
  try {
    await client.createParents('/cluster');
    await client.create(zkPaths.clusterId, encodeClusterId(proposed));
    return proposed;
  } catch (e) {
    if (!(e instanceof ZooKeeperError) || e.code !== 'NODE_EXISTS') throw e;
    return decodeClusterId((await client.getData(zkPaths.clusterId)).data);
  }
}

async function getOrNull(client: ZooKeeperClient, path: string, watcher?: () => void): Promise<{ data: Buffer; stat: ZkStat } | null> {
  try {
    return await client.getData(path, watcher);
  } catch (e) {
    if (e instanceof ZooKeeperError && e.code === 'NO_NODE') return null;
    throw e;
  }
}

/** Typed overrides back to the strings Kafka keeps in ZooKeeper. */
function configStrings(configs: TopicConfigs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(configs)) {
    const s = formatConfigValue(v);
    if (s !== null) out[k] = s;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
