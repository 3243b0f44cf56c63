// Topic lifecycle on this broker: create (explicitly or on first use), delete,
// and the partition logs behind them, kept in step with the metadata store.
import { dirname } from 'node:path';
import { isBeingReassigned } from '../cluster/reassignment.js';
import { IncompleteRackInfoError, assignReplicas, startIndexAfter } from '../cluster/replica-assignment.js';
import { topicNameProblem, INTERNAL_TOPICS } from '../cluster/topic-names.js';
import { TopicExistsError, type MetadataStore, type TopicMetadata } from '../cluster/metadata-store.js';
import { ErrorCode } from '../protocol/errors.js';
import { ConfigError } from '../storage/config-def.js';
import type { LogManager } from '../storage/log-manager.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { readPartitionTopicId } from '../storage/partition-metadata.js';
import { logConfigFor, parseTopicConfigs, type TopicConfigs } from '../storage/topic-config.js';
import { loadDynamicBrokerConfigs } from './config-admin.js';
import type { BrokerConfig } from './config.js';
import { internalTopic } from './internal-topics.js';
import type { Logger } from './logger.js';

const MAX_PARTITIONS_PER_TOPIC = 10_000;

export interface CreateTopicSpec {
  name: string;
  /** -1: the broker's num.partitions. */
  numPartitions: number;
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number;
  /** Manual assignment: partition → broker ids. */
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
  configs?: Record<string, string | null>;
  internal?: boolean;
}

/** A validated creation: what the topic will be. */
export interface TopicPlan {
  partitions: number;
  replicationFactor: number;
  configs: TopicConfigs;
  /** Replica lists, one per partition. */
  assignments: number[][];
}

/** CreatePartitions: grow a topic to `count` partitions. */
export interface NewPartitionsSpec {
  name: string;
  count: number;
  /** Replica lists of the new partitions, in partition order; null: the broker places them. */
  assignments: number[][] | null;
}

interface TopicError {
  errorCode: number;
  errorMessage: string | null;
}

export interface TopicResult {
  errorCode: number;
  errorMessage: string | null;
  plan?: TopicPlan;
  topic?: TopicMetadata;
}

export class TopicService {
  /** Creations in progress, so concurrent auto-creates of one name share one creation. */
  private readonly creating = new Map<string, Promise<TopicResult>>();
  /** Deletions of local logs in progress, by topic. */
  private readonly deleting = new Map<string, Promise<void>>();

  constructor(
    private readonly config: BrokerConfig,
    private readonly metadata: MetadataStore,
    private readonly logs: LogManager,
    private readonly log: Logger,
    /** Told after a topic is deleted (the group coordinator drops its committed offsets). */
    private readonly onDeleted: (topic: string) => void = () => {},
  ) {
    // Whoever changed the metadata (this broker, another one, the controller), the local logs follow.
    metadata.onChange((event) => {
      if (event.type === 'partitions') {
        const topic = metadata.topic(event.topic);
        if (topic) this.openLogs(topic);
        // After the other listeners (the replica manager stops following first).
        if (topic) setImmediate(() => this.deleteUnassignedLogs(event.topic, event.partitions));
      } else if (event.type === 'topic-deleted') {
        this.deleting.set(event.topic, this.deleteLocalLogs(event.topic).finally(() => this.deleting.delete(event.topic)));
      } else if (event.type === 'topic-configs') {
        this.refreshLogConfigs(event.topic);
      } else if (event.type === 'broker-configs' && (event.entity === '' || event.entity === String(config.nodeId))) {
        // Dynamic broker configs changed (through any broker): the topic defaults they give change too.
        loadDynamicBrokerConfigs({ config, metadata, nodeId: config.nodeId, log });
        this.refreshLogConfigs();
      }
    });
  }

  private async deleteLocalLogs(name: string): Promise<void> {
    const local = [...this.logs.allLogs()].filter((l) => l.topic === name);
    await Promise.all(local.map((l) => this.logs.deleteLog(name, l.partition)));
    this.onDeleted(name);
    this.log.info(`deleted topic ${name}`);
  }

  /** Logs of these partitions whose replica moved off this broker (a reassignment) are deleted, as Kafka's StopReplica with delete. */
  private deleteUnassignedLogs(topic: string, partitions: number[]): void {
    for (const p of partitions) {
      const state = this.metadata.topic(topic)?.partitions[p];
      if (!state || state.replicas.includes(this.config.nodeId) || !this.logs.getLog(topic, p)) continue;
      this.log.info(`deleting ${topic}-${p}: its replica on this broker was reassigned away`);
      this.logs.deleteLog(topic, p).catch((e: unknown) => this.log.error(`deleting ${topic}-${p} failed: ${(e as Error).message}`));
    }
  }

  /**
   * Cluster mode: local logs of topics the cluster no longer has, or of partitions no longer
   * assigned here (deleted or moved while this broker was down), are deleted.
   */
  async deleteStrayLogs(): Promise<void> {
    for (const l of [...this.logs.allLogs()]) {
      const state = this.metadata.topic(l.topic)?.partitions[l.partition];
      if (state?.replicas.includes(this.config.nodeId)) continue;
      this.log.warn(`deleting ${l.topic}-${l.partition} in ${l.dir}: the cluster has no such replica on this broker`);
      await this.logs.deleteLog(l.topic, l.partition);
    }
  }

  /** The partition's log, if this broker hosts it. */
  partitionLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.getLog(topic, partition);
  }

  /** In-sync replica count of a partition and the topic's min.insync.replicas (acks=all). */
  insyncReplicas(topic: string, partition: number): { isr: number; minIsr: number } {
    const t = this.metadata.topic(topic);
    const isr = t?.partitions[partition]?.isr.length ?? 0;
    const minIsr = (t?.configs['min.insync.replicas'] as number | undefined) ?? this.config.int('min.insync.replicas');
    return { isr, minIsr };
  }

  /** message.timestamp.before/after.max.ms of a topic (difference.max.ms bounds both, as in Kafka 3.6+). */
  timestampLimits(topic: string): { beforeMaxMs: number; afterMaxMs: number } {
    const own = this.metadata.topic(topic)?.configs ?? {};
    const defaults = this.config.topicDefaults();
    const get = (k: string): number => (k in own ? own[k] : defaults[k]) as number;
    const diff = get('message.timestamp.difference.max.ms');
    return { beforeMaxMs: Math.min(get('message.timestamp.before.max.ms'), diff), afterMaxMs: Math.min(get('message.timestamp.after.max.ms'), diff) };
  }

  /** Validates a creation the way Kafka's controller does; returns the error or the resolved spec. */
  validate(spec: CreateTopicSpec): TopicResult {
    const nameProblem = topicNameProblem(spec.name);
    if (nameProblem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem };
    if (this.metadata.topic(spec.name)) {
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${spec.name}' already exists.` };
    }
    const manual = spec.assignments && spec.assignments.length > 0;
    if (manual && (spec.numPartitions !== -1 || spec.replicationFactor !== -1)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.' };
    }
    const partitions = manual ? spec.assignments!.length : spec.numPartitions === -1 ? this.config.int('num.partitions') : spec.numPartitions;
    const rf = manual ? spec.assignments![0].brokerIds.length
      : spec.replicationFactor === -1 ? this.config.int('default.replication.factor') : spec.replicationFactor;
    if (partitions <= 0) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be larger than 0.' };
    if (partitions > MAX_PARTITIONS_PER_TOPIC) {
      // Like KRaft's cap on records per operation: one request must not make the broker build millions of logs.
      return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `Number of partitions must be at most ${MAX_PARTITIONS_PER_TOPIC}.` };
    }
    if (rf <= 0) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'Replication factor must be larger than 0.' };
    const live = this.metadata.liveBrokers();
    if (rf > live.length) {
      return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `Replication factor: ${rf} larger than available brokers: ${live.length}.` };
    }
    const assignments = this.placeReplicas(spec, partitions, rf);
    if (!Array.isArray(assignments)) return assignments;
    if (manual) {
      const ids = new Set(live.map((b) => b.nodeId));
      for (const a of spec.assignments!) {
        if (a.brokerIds.some((id) => !ids.has(id))) {
          return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Unknown broker in the assignment of partition ${a.partitionIndex}.` };
        }
      }
    }
    let configs: TopicConfigs;
    try {
      const given: Record<string, string> = {};
      for (const [k, v] of Object.entries(spec.configs ?? {})) if (v !== null) given[k] = v;
      configs = parseTopicConfigs(given);
    } catch (e) {
      const msg = e instanceof ConfigError ? e.message : String(e);
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: msg };
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, plan: { partitions, replicationFactor: rf, configs, assignments } };
  }

  async create(spec: CreateTopicSpec, validateOnly = false): Promise<TopicResult> {
    const pending = this.creating.get(spec.name);
    if (pending) {
      await pending;
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${spec.name}' already exists.` };
    }
    const checked = this.validate(spec);
    if (checked.errorCode !== ErrorCode.NONE || validateOnly) return checked;
    const creation = this.doCreate(spec, checked.plan!);
    this.creating.set(spec.name, creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(spec.name);
    }
  }

  private async doCreate(spec: CreateTopicSpec, plan: TopicPlan): Promise<TopicResult> {
    let topic: TopicMetadata;
    try {
      topic = await this.metadata.createTopic({
        name: spec.name, ...plan, internal: spec.internal ?? INTERNAL_TOPICS.has(spec.name),
      });
    } catch (e) {
      // Created meanwhile by another broker.
      if (e instanceof TopicExistsError) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: e.message };
      throw e;
    }
    this.openLogs(topic);
    this.log.info(`created topic ${spec.name} with ${plan.partitions} partition(s)`);
    return { errorCode: ErrorCode.NONE, errorMessage: null, plan, topic };
  }

  /** The replica lists of a new topic: as requested, else Kafka's placement over the live brokers (racks considered) from a random start. */
  private placeReplicas(spec: CreateTopicSpec, partitions: number, replicationFactor: number): number[][] | TopicError {
    if (spec.assignments && spec.assignments.length > 0) {
      return [...spec.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => a.brokerIds);
    }
    const brokers = this.liveBrokerRacks();
    if (brokers instanceof IncompleteRackInfoError) return this.placementFailed(spec.name, brokers);
    return assignReplicas(brokers, partitions, replicationFactor, -1, 0);
  }

  /** Live brokers by id with their racks (this broker alone before it registered); rack info all or nothing. */
  private liveBrokerRacks(): { nodeId: number; rack: string | null }[] | IncompleteRackInfoError {
    const live = this.metadata.liveBrokers();
    const brokers = live.length > 0 ? live.map((b) => ({ nodeId: b.nodeId, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId)
      : [{ nodeId: this.config.nodeId, rack: this.config.get('broker.rack') as string | null }];
    const withRack = brokers.filter((b) => b.rack !== null).length;
    return withRack > 0 && withRack < brokers.length ? new IncompleteRackInfoError() : brokers;
  }

  /** Kafka answers an AdminOperationException with UNKNOWN_SERVER_ERROR and no message (3.x); the reason goes to the log. */
  private placementFailed(topic: string, e: Error): TopicError {
    this.log.error(`cannot place the replicas of topic ${topic}: ${e.message}`);
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
  }

  /** Replaces a topic's config overrides (validated) and applies them to its partitions at once. */
  async setConfigs(name: string, configs: TopicConfigs): Promise<void> {
    await this.metadata.setTopicConfigs(name, configs);
    this.refreshLogConfigs(name);
    this.log.info(`topic ${name} configs are now ${JSON.stringify(configs)}`);
  }

  /** Recomputes the LogConfig of the hosted partitions of one topic, or of all (after a broker default changed). */
  refreshLogConfigs(name?: string): void {
    const defaults = this.config.topicDefaults();
    const topics = name === undefined ? [...this.metadata.topics()] : [this.metadata.topic(name)];
    for (const topic of topics) {
      if (!topic) continue;
      const logConfig = logConfigFor(defaults, topic.configs);
      for (const p of topic.partitions) {
        const log = this.logs.getLog(topic.name, p.partition);
        if (log) log.config = logConfig;
      }
    }
  }

  /** Creates (or opens) the logs of every partition this broker leads. */
  openLogs(topic: TopicMetadata): void {
    const logConfig = logConfigFor(this.config.topicDefaults(), topic.configs);
    for (const p of topic.partitions) {
      if (!p.replicas.includes(this.config.nodeId)) continue;
      if (!this.logs.getLog(topic.name, p.partition)) this.logs.createLog(topic.name, p.partition, logConfig);
    }
  }

  /** Grows a topic (CreatePartitions), validated as Kafka's ZooKeeper-mode admin path does. */
  async createPartitions(spec: NewPartitionsSpec, validateOnly: boolean): Promise<TopicError | null> {
    const planned = this.newPartitionsAssignment(spec);
    if (!Array.isArray(planned)) return planned;
    if (validateOnly) return null;
    // No await between the checks and this call: a concurrent request sees the new count.
    const topic = await this.metadata.createPartitions(spec.name, planned);
    // A deletion while the metadata was written leaves nothing to open.
    if (this.metadata.topic(spec.name) === topic) this.openLogs(topic);
    this.log.info(`added ${planned.length} partition(s) to topic ${spec.name}, now ${topic.partitions.length}`);
    return null;
  }

  /** Replica lists for the new partitions, or why there are none (ZkAdminManager.createPartitions, AdminZkClient). */
  private newPartitionsAssignment(spec: NewPartitionsSpec): number[][] | TopicError {
    // Kafka reads the brokers (failing on incomplete rack info) before looking at any topic.
    const brokers = this.liveBrokerRacks();
    if (brokers instanceof IncompleteRackInfoError) return this.placementFailed(spec.name, brokers);
    const topic = this.metadata.topic(spec.name);
    // Kafka refuses to grow a topic while a reassignment moves one of its partitions (a race with the controller).
    if (topic?.partitions.some(isBeingReassigned)) {
      return { errorCode: ErrorCode.REASSIGNMENT_IN_PROGRESS, errorMessage: `A partition reassignment is in progress for the topic '${spec.name}'.` };
    }
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `The topic '${spec.name}' does not exist.` };
    const current = topic.partitions.length;
    const invalid = (errorMessage: string): TopicError => ({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage });
    if (spec.count < current) return invalid(`Topic currently has ${current} partitions, which is higher than the requested ${spec.count}.`);
    if (spec.count === current) return invalid(`Topic already has ${current} partitions.`);
    if (spec.count > MAX_PARTITIONS_PER_TOPIC) return invalid(`Number of partitions must be at most ${MAX_PARTITIONS_PER_TOPIC}.`);
    const added = spec.count - current;
    const partition0 = topic.partitions[0].replicas;
    if (spec.assignments === null) {
      if (partition0.length > brokers.length) {
        return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `Replication factor: ${partition0.length} larger than available brokers: ${brokers.length}.` };
      }
      return assignReplicas(brokers, added, partition0.length, startIndexAfter(brokers, partition0[0]), current);
    }
    const problem = replicaAssignmentProblem(spec.assignments, added, current, partition0.length, new Set(brokers.map((b) => b.nodeId)));
    return problem === null ? spec.assignments : { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: problem };
  }

  /**
   * Partition directories found in the log dirs whose topic the metadata store does not know (a log
   * dir written by Kafka, or metadata lost) become topics: as many partitions as the highest
   * partition number found, the topic id of Kafka's partition.metadata when there is one, internal
   * topics with the configs the broker gives them, other topics with default configs (one warning each).
   */
  async adoptOrphanLogs(): Promise<void> {
    const found = new Map<string, PartitionLog[]>();
    for (const l of this.logs.allLogs()) {
      if (this.metadata.topic(l.topic)) continue;
      found.set(l.topic, [...(found.get(l.topic) ?? []), l]);
    }
    for (const [name, logs] of found) {
      const partitions = Math.max(...logs.map((l) => l.partition)) + 1;
      const internal = internalTopic(name, this.config, 1);
      const configs = parseTopicConfigs(internal?.configs ?? {});
      const topicId = await topicIdOf(logs);
      await this.metadata.createTopic({ name, partitions, replicationFactor: 1, configs, internal: internal !== undefined, topicId });
      this.refreshLogConfigs(name);
      const dirs = [...new Set(logs.map((l) => dirname(l.dir)))].join(', ');
      this.log.warn(internal
        ? `adopted internal topic ${name} with ${partitions} partition(s) found in ${dirs}`
        : `adopted topic ${name} with ${partitions} partition(s) found in ${dirs}; its topic configs are at their defaults (set them with AlterConfigs)`);
    }
  }

  /** Metadata-triggered creation (auto.create.topics.enable). */
  async autoCreate(name: string): Promise<TopicResult> {
    const existing = this.metadata.topic(name);
    if (existing) return { errorCode: ErrorCode.NONE, errorMessage: null, topic: existing };
    const pending = this.creating.get(name);
    if (pending) return pending;
    return this.create({ name, numPartitions: -1, replicationFactor: -1 });
  }

  async delete(name: string): Promise<TopicResult> {
    const topic = this.metadata.topic(name);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    if (!this.config.bool('delete.topic.enable')) {
      return { errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' };
    }
    if (topic.internal) {
      return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `Topic ${name} is internal and cannot be deleted.` };
    }
    await this.metadata.deleteTopic(name);
    await this.deleting.get(name);
    return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
  }
}

/** What is wrong with explicit replica lists for new partitions numbered from `first`, in Kafka's order and words. */
function replicaAssignmentProblem(assignments: number[][], added: number, first: number, replicationFactor: number, live: Set<number>): string | null {
  const unknown = [...new Set(assignments.flat())].filter((id) => !live.has(id));
  if (unknown.length > 0) return `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`;
  if (assignments.length !== added) return `Increasing the number of partitions by ${added} but ${assignments.length} assignments provided.`;
  for (const [i, replicas] of assignments.entries()) {
    if (replicas.length === 0) return `Cannot have replication factor of 0 for partition id ${first + i}.`;
    if (new Set(replicas).size !== replicas.length) {
      return `Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${first + i}.`;
    }
  }
  const bad = assignments.map((replicas, i) => ({ partition: first + i, rf: replicas.length })).filter((a) => a.rf !== replicationFactor);
  if (bad.length === 0) return null;
  return `Inconsistent replication factor between partitions, partition 0 has ${replicationFactor} while partitions ` +
    `[${bad.map((b) => b.partition).join(', ')}] have replication factors [${bad.map((b) => b.rf).join(', ')}], respectively.`;
}

/** The topic id Kafka recorded for these partitions, if any (the first partition that names one). */
async function topicIdOf(logs: PartitionLog[]): Promise<Buffer | undefined> {
  for (const l of logs) {
    const id = await readPartitionTopicId(l.dir);
    if (id) return id;
  }
  return undefined;
}
