// Single-node MetadataStore: topics and their partition state in one JSON file
// in the first log dir, replaced atomically on every change.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic-file.js';
import type { TopicConfigs } from '../storage/topic-config.js';
import type { BrokerRegistration, MetadataEvent, MetadataStore, NewTopic, PartitionState, TopicMetadata } from './metadata-store.js';

/** The single-node metadata file in the first log dir. */
export const LOCAL_METADATA_FILE = 'samsa-metadata.json';
const FILE = LOCAL_METADATA_FILE;

interface StoredTopic {
  name: string;
  topicId: string; // base64url, as Kafka prints topic ids
  /** version and controllerEpoch are absent in files written before partition states had them. */
  partitions: (Omit<PartitionState, 'version' | 'controllerEpoch'> & Partial<PartitionState>)[];
  configs: TopicMetadata['configs'];
  internal: boolean;
}

export class LocalMetadataStore implements MetadataStore {
  readonly clustered = false;
  private readonly listeners: ((event: MetadataEvent) => void)[] = [];
  private readonly byName = new Map<string, TopicMetadata>();
  /** Keyed by the topic id in hex (Fetch v13+ and Metadata v12 name topics by id). */
  private readonly byId = new Map<string, TopicMetadata>();
  /** Dynamic broker configs by entity ('' = cluster default, else a broker id). */
  private readonly brokerEntities = new Map<string, Record<string, string>>();
  private self: BrokerRegistration | null = null;
  /** Serializes file writes so they land in the order the changes were made. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly clusterId: string,
    private readonly nodeId: number,
    private readonly path: string,
  ) {}

  static async open(dir: string, clusterId: string, nodeId: number): Promise<LocalMetadataStore> {
    const store = new LocalMetadataStore(clusterId, nodeId, join(dir, FILE));
    let text: string | null = null;
    try {
      text = await readFile(store.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text !== null) {
      const stored = JSON.parse(text) as { version: number; topics: StoredTopic[]; brokerConfigs?: Record<string, Record<string, string>> };
      for (const t of stored.topics) {
        const partitions = t.partitions.map((p) => ({ ...p, version: p.version ?? 0, controllerEpoch: p.controllerEpoch ?? 0 }));
        store.add({ ...t, partitions, topicId: Buffer.from(t.topicId, 'base64url') });
      }
      for (const [entity, configs] of Object.entries(stored.brokerConfigs ?? {})) store.brokerEntities.set(entity, configs);
    }
    return store;
  }

  async registerBroker(self: BrokerRegistration): Promise<void> {
    this.self = self;
  }

  controllerId(): number {
    return this.nodeId;
  }

  liveBrokers(): BrokerRegistration[] {
    return this.self ? [this.self] : [];
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

  private add(topic: TopicMetadata): void {
    this.byName.set(topic.name, topic);
    this.byId.set(topic.topicId.toString('hex'), topic);
  }

  async createTopic(spec: NewTopic): Promise<TopicMetadata> {
    if (this.byName.has(spec.name)) throw new Error(`topic ${spec.name} already exists`);
    const topic: TopicMetadata = {
      name: spec.name,
      topicId: spec.topicId ?? randomBytes(16),
      partitions: Array.from({ length: spec.partitions }, (_, partition) => newPartition(partition, spec.assignments?.[partition] ?? [this.nodeId])),
      configs: spec.configs,
      internal: spec.internal ?? false,
    };
    this.add(topic);
    await this.persist();
    this.emit({ type: 'partitions', topic: topic.name, partitions: topic.partitions.map((p) => p.partition) });
    return topic;
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.byName.get(name);
    if (!topic) return;
    this.byName.delete(name);
    this.byId.delete(topic.topicId.toString('hex'));
    await this.persist();
    this.emit({ type: 'topic-deleted', topic: name });
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<void> {
    const topic = this.byName.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist`);
    topic.configs = configs;
    await this.persist();
    this.emit({ type: 'topic-configs', topic: name });
  }

  async createPartitions(name: string, assignments: number[][]): Promise<TopicMetadata> {
    const topic = this.byName.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist`);
    const first = topic.partitions.length;
    for (const replicas of assignments) topic.partitions.push(newPartition(topic.partitions.length, replicas));
    await this.persist();
    this.emit({ type: 'partitions', topic: name, partitions: topic.partitions.slice(first).map((p) => p.partition) });
    return topic;
  }

  brokerConfigs(entity: string): Readonly<Record<string, string>> {
    return this.brokerEntities.get(entity) ?? {};
  }

  async setBrokerConfigs(entity: string, configs: Record<string, string>): Promise<void> {
    if (Object.keys(configs).length === 0) this.brokerEntities.delete(entity);
    else this.brokerEntities.set(entity, { ...configs });
    await this.persist();
    this.emit({ type: 'broker-configs', entity });
  }

  onChange(listener: (event: MetadataEvent) => void): void {
    this.listeners.push(listener);
  }

  /** One broker is every partition's only replica: its ISR never changes, but the write is honoured like ZooKeeper's. */
  async updateIsr(topic: string, partition: number, isr: number[], expected: PartitionState): Promise<PartitionState | null> {
    const state = this.byName.get(topic)?.partitions[partition];
    if (!state || state.version !== expected.version) return null;
    state.isr = [...isr];
    state.version++;
    await this.persist();
    this.emit({ type: 'partitions', topic, partitions: [partition] });
    return state;
  }

  private emit(event: MetadataEvent): void {
    for (const l of this.listeners) l(event);
  }

  private persist(): Promise<void> {
    const body = JSON.stringify({
      version: 1,
      topics: [...this.byName.values()].map((t) => ({ ...t, topicId: t.topicId.toString('base64url') })),
      brokerConfigs: Object.fromEntries(this.brokerEntities),
    });
    this.writing = this.writing.then(() => writeFileAtomic(this.path, body));
    return this.writing;
  }

  async close(): Promise<void> {
    await this.writing;
  }
}

/** A new partition's first state: led by its first replica, every replica in sync, epoch 0. */
function newPartition(partition: number, replicas: readonly number[]): PartitionState {
  return { partition, leader: replicas[0], leaderEpoch: 0, replicas: [...replicas], isr: [...replicas], version: 0, controllerEpoch: 0 };
}
