// What the broker knows about the cluster: brokers, topics, partition state,
// topic configs. The single-node store keeps it in a local file; the ZooKeeper
// store (clusters) keeps it in Kafka 2.x's znodes, written by the controller
// (partition leaders and epochs) and by partition leaders (their ISR).
import type { TopicConfigs } from '../storage/topic-config.js';

export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** Version of the stored state (the state znode's zkVersion; the local store counts writes): ISR updates are conditional on it. */
  version: number;
  /** Epoch of the controller that last elected this partition's leader. */
  controllerEpoch: number;
  /** While a reassignment (KIP-455) moves the partition: the replicas being added and removed (`replicas` holds both). */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

/** What changed, told to onChange listeners after the store's view was updated. */
export type MetadataEvent =
  /** The set of live brokers (registrations) changed. */
  | { type: 'brokers' }
  /** Partitions created, added, or their state (leader, leader epoch, ISR) or replicas changed. */
  | { type: 'partitions'; topic: string; partitions: number[] }
  /** A topic is gone (its partitions' logs are to be deleted by their replicas). */
  | { type: 'topic-deleted'; topic: string }
  | { type: 'topic-configs'; topic: string }
  /** Dynamic broker configs of an entity ('' = cluster default) changed. */
  | { type: 'broker-configs'; entity: string };

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
  /** Kafka's broker epoch (KIP-380): the zxid that created the registration; absent on a single node. */
  epoch?: number;
}

export interface NewTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: TopicConfigs;
  internal?: boolean;
  /** Kept when a topic is adopted from files that name it (partition.metadata); else a fresh one. */
  topicId?: Buffer;
  /** Replica lists, one per partition (already placed and validated); absent: every partition on this broker alone. */
  assignments?: number[][];
}

export interface MetadataStore {
  readonly clusterId: string;
  /** True for a store shared by several brokers (ZooKeeper): partition leadership can be elsewhere. */
  readonly clustered: boolean;
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
  /** Calls `listener` after every change, whoever made it (this broker included). */
  onChange(listener: (event: MetadataEvent) => void): void;
  /**
   * A partition leader's ISR change (Kafka 2.x: the leader writes the state itself, conditional on
   * the version it knows). Resolves to the new state, or null when the stored version differs (the
   * controller or another leader wrote first; the new state arrives as a 'partitions' event).
   */
  updateIsr(topic: string, partition: number, isr: number[], expected: PartitionState): Promise<PartitionState | null>;
  close(): Promise<void>;
}

/** A topic creation that lost a race with another one of the same name (another broker created it first). */
export class TopicExistsError extends Error {
  override name = 'TopicExistsError';
}
