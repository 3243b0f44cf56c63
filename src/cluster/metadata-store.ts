// What the broker knows about the cluster: brokers, topics, partition state,
// topic configs. The single-node store keeps it in a local file; a ZooKeeper
// store (clusters) implements the same interface later.
import type { TopicConfigs } from '../storage/topic-config.js';

export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  /** 16-byte topic id (Kafka 2.8+ partition.metadata / Metadata v10+). */
  topicId: Buffer;
  partitions: PartitionState[];
  /** Overrides only; defaults come from the broker config. */
  configs: TopicConfigs;
  internal: boolean;
}

export interface BrokerRegistration {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface NewTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: TopicConfigs;
  internal?: boolean;
  /** Kept when a topic is adopted from files that name it (partition.metadata); else a fresh one. */
  topicId?: Buffer;
}

export interface MetadataStore {
  readonly clusterId: string;
  /** Announces this broker's advertised endpoint (after its listeners are bound). */
  registerBroker(self: BrokerRegistration): Promise<void>;
  controllerId(): number;
  liveBrokers(): BrokerRegistration[];
  topics(): IterableIterator<TopicMetadata>;
  topic(name: string): TopicMetadata | undefined;
  topicById(topicId: Buffer): TopicMetadata | undefined;
  createTopic(spec: NewTopic): Promise<TopicMetadata>;
  deleteTopic(name: string): Promise<void>;
  /** Replaces a topic's config overrides (already validated). */
  setTopicConfigs(name: string, configs: TopicConfigs): Promise<void>;
  /** Appends partitions to a topic, one replica list per new partition (already validated). */
  createPartitions(name: string, assignments: number[][]): Promise<TopicMetadata>;
  /**
   * Dynamic broker configs as Kafka keeps them under /config/brokers: entity '' is the
   * cluster-wide default, a decimal broker id one broker. Values as given (strings).
   */
  brokerConfigs(entity: string): Readonly<Record<string, string>>;
  /** Replaces the dynamic configs of one broker entity ('' = cluster default). */
  setBrokerConfigs(entity: string, configs: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}
