// Broker configuration: Kafka's server.properties keys and defaults. Keys Samsa
// reads are defined here; Kafka keys Samsa does not use yet are accepted with a
// warning; anything else stops start-up naming the key.
import { type ConfigDef, type ConfigValue, ConfigError, atLeast, between, oneOf, parseConfigValue } from '../storage/config-def.js';
import { describeValue, isPlainObject } from '../arguments.js';
import { CLEANER_PAUSE_POINTS } from '../storage/cleaner/test-pause.js';
import { TOPIC_CONFIG_DEFS, gzipLevel, topicDefaultsFrom, type TopicConfigs } from '../storage/topic-config.js';

const LONG_MAX = Number.MAX_SAFE_INTEGER;

const listenerList = (v: ConfigValue): string | undefined => {
  if (!Array.isArray(v)) return undefined;
  for (const l of v) {
    try { parseListener(l); } catch (e) { return (e as Error).message; }
  }
  return undefined;
};

/** Broker keys Samsa reads, with Kafka's defaults. */
export const BROKER_CONFIG_DEFS: ReadonlyMap<string, ConfigDef> = new Map<string, ConfigDef>([
  ['broker.id', { type: 'int', default: -1, validate: atLeast(-1) }],
  ['node.id', { type: 'int', default: -1, validate: atLeast(-1) }],
  ['listeners', { type: 'list', default: ['PLAINTEXT://:9092'], validate: listenerList }],
  ['advertised.listeners', { type: 'list', default: null, validate: listenerList }],
  ['log.dir', { type: 'string', default: '/tmp/kafka-logs' }],
  ['log.dirs', { type: 'list', default: null }],
  ['num.partitions', { type: 'int', default: 1, validate: atLeast(1) }],
  ['default.replication.factor', { type: 'int', default: 1, validate: atLeast(1) }],
  ['auto.create.topics.enable', { type: 'boolean', default: true }],
  ['delete.topic.enable', { type: 'boolean', default: true }],
  ['log.segment.bytes', { type: 'int', default: 1073741824, validate: atLeast(14) }],
  ['log.roll.ms', { type: 'long', default: null, validate: atLeast(1) }],
  ['log.roll.hours', { type: 'int', default: 168, validate: atLeast(1) }],
  ['log.roll.jitter.ms', { type: 'long', default: null, validate: atLeast(0) }],
  ['log.roll.jitter.hours', { type: 'int', default: 0, validate: atLeast(0) }],
  ['log.index.interval.bytes', { type: 'int', default: 4096, validate: atLeast(0) }],
  ['log.index.size.max.bytes', { type: 'int', default: 10485760, validate: atLeast(4) }],
  ['log.flush.interval.messages', { type: 'long', default: LONG_MAX, validate: atLeast(1) }],
  ['log.flush.interval.ms', { type: 'long', default: null, validate: atLeast(0) }],
  ['log.flush.scheduler.interval.ms', { type: 'long', default: LONG_MAX, validate: atLeast(0) }],
  ['log.flush.offset.checkpoint.interval.ms', { type: 'int', default: 60000, validate: atLeast(0) }],
  ['log.flush.start.offset.checkpoint.interval.ms', { type: 'int', default: 60000, validate: atLeast(0) }],
  ['replica.high.watermark.checkpoint.interval.ms', { type: 'long', default: 5000, validate: atLeast(0) }],
  ['log.retention.ms', { type: 'long', default: null, validate: atLeast(-1) }],
  ['log.retention.minutes', { type: 'int', default: null, validate: atLeast(-1) }],
  ['log.retention.hours', { type: 'int', default: 168, validate: atLeast(-1) }],
  ['log.retention.bytes', { type: 'long', default: -1 }],
  ['log.retention.check.interval.ms', { type: 'long', default: 300000, validate: atLeast(1) }],
  ['log.initial.task.delay.ms', { type: 'long', default: 30000, validate: atLeast(0) }],
  ['log.cleanup.policy', { type: 'list', default: ['delete'] }],
  ['log.segment.delete.delay.ms', { type: 'long', default: 60000, validate: atLeast(0) }],
  ['log.message.timestamp.type', { type: 'string', default: 'CreateTime', validate: oneOf('CreateTime', 'LogAppendTime') }],
  ['log.message.timestamp.difference.max.ms', { type: 'long', default: LONG_MAX, validate: atLeast(0) }],
  ['log.message.timestamp.before.max.ms', { type: 'long', default: LONG_MAX, validate: atLeast(0) }],
  ['log.message.timestamp.after.max.ms', { type: 'long', default: LONG_MAX, validate: atLeast(0) }],
  ['log.message.downconversion.enable', { type: 'boolean', default: true }],
  ['log.preallocate', { type: 'boolean', default: false }],
  ['log.cleaner.delete.retention.ms', { type: 'long', default: 86400000, validate: atLeast(0) }],
  ['log.cleaner.min.compaction.lag.ms', { type: 'long', default: 0, validate: atLeast(0) }],
  ['log.cleaner.max.compaction.lag.ms', { type: 'long', default: LONG_MAX, validate: atLeast(1) }],
  ['log.cleaner.min.cleanable.ratio', { type: 'double', default: 0.5 }],
  ['log.cleaner.enable', { type: 'boolean', default: true }],
  ['log.cleaner.threads', { type: 'int', default: 1, validate: atLeast(0) }],
  ['log.cleaner.dedupe.buffer.size', { type: 'long', default: 134217728 }],
  ['log.cleaner.io.buffer.size', { type: 'int', default: 524288, validate: atLeast(0) }],
  ['log.cleaner.io.buffer.load.factor', { type: 'double', default: 0.9 }],
  ['log.cleaner.backoff.ms', { type: 'long', default: 15000, validate: atLeast(0) }],
  ['compression.type', { type: 'string', default: 'producer', validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer') }],
  ['compression.gzip.level', { type: 'int', default: -1, validate: gzipLevel }],
  ['compression.lz4.level', { type: 'int', default: 9, validate: between(1, 17) }],
  ['compression.zstd.level', { type: 'int', default: 3, validate: between(-131072, 22) }],
  ['message.max.bytes', { type: 'int', default: 1048588, validate: atLeast(0) }],
  ['min.insync.replicas', { type: 'int', default: 1, validate: atLeast(1) }],
  ['replica.lag.time.max.ms', { type: 'long', default: 30000, validate: atLeast(1) }],
  ['replica.fetch.max.bytes', { type: 'int', default: 1048576, validate: atLeast(0) }],
  ['replica.fetch.min.bytes', { type: 'int', default: 1 }],
  ['replica.fetch.wait.max.ms', { type: 'int', default: 500 }],
  ['replica.fetch.backoff.ms', { type: 'int', default: 1000, validate: atLeast(0) }],
  ['replica.fetch.response.max.bytes', { type: 'int', default: 10485760, validate: atLeast(0) }],
  ['replica.socket.timeout.ms', { type: 'int', default: 30000 }],
  /** Replication quotas (bytes/s) for the replicas topics list in leader/follower.replication.throttled.replicas; Kafka sets them dynamically only. */
  ['leader.replication.throttled.rate', { type: 'long', default: LONG_MAX, validate: atLeast(0) }],
  ['follower.replication.throttled.rate', { type: 'long', default: LONG_MAX, validate: atLeast(0) }],
  ['replication.quota.window.num', { type: 'int', default: 11, validate: atLeast(1) }],
  ['replication.quota.window.size.seconds', { type: 'int', default: 1, validate: atLeast(1) }],
  ['num.replica.fetchers', { type: 'int', default: 1, validate: atLeast(1) }],
  ['offsets.commit.timeout.ms', { type: 'int', default: 5000, validate: atLeast(1) }],
  ['request.timeout.ms', { type: 'int', default: 30000, validate: atLeast(0) }],
  ['unclean.leader.election.enable', { type: 'boolean', default: false }],
  ['socket.request.max.bytes', { type: 'int', default: 104857600, validate: atLeast(1) }],
  ['connections.max.idle.ms', { type: 'long', default: 600000 }],
  ['fetch.max.bytes', { type: 'int', default: 57671680, validate: atLeast(1024) }],
  ['max.incremental.fetch.session.cache.slots', { type: 'int', default: 1000, validate: atLeast(0) }],
  ['offsets.topic.num.partitions', { type: 'int', default: 50, validate: atLeast(1) }],
  ['offsets.topic.replication.factor', { type: 'short', default: 3, validate: atLeast(1) }],
  ['offsets.topic.segment.bytes', { type: 'int', default: 104857600, validate: atLeast(1) }],
  ['offsets.retention.minutes', { type: 'int', default: 10080, validate: atLeast(1) }],
  ['offsets.retention.check.interval.ms', { type: 'long', default: 600000, validate: atLeast(1) }],
  ['offset.metadata.max.bytes', { type: 'int', default: 4096 }],
  ['group.initial.rebalance.delay.ms', { type: 'int', default: 3000, validate: atLeast(0) }],
  ['group.min.session.timeout.ms', { type: 'int', default: 6000 }],
  ['group.max.session.timeout.ms', { type: 'int', default: 1800000 }],
  ['group.max.size', { type: 'int', default: 2147483647, validate: atLeast(1) }],
  ['producer.id.expiration.ms', { type: 'int', default: 86400000, validate: atLeast(1) }],
  ['producer.id.expiration.check.interval.ms', { type: 'int', default: 600000, validate: atLeast(1) }],
  ['transaction.state.log.num.partitions', { type: 'int', default: 50, validate: atLeast(1) }],
  ['transaction.state.log.replication.factor', { type: 'short', default: 3, validate: atLeast(1) }],
  ['transaction.state.log.segment.bytes', { type: 'int', default: 104857600, validate: atLeast(1) }],
  ['transaction.state.log.min.isr', { type: 'int', default: 2, validate: atLeast(1) }],
  ['transaction.state.log.load.buffer.size', { type: 'int', default: 5242880, validate: atLeast(1) }],
  ['transaction.max.timeout.ms', { type: 'int', default: 900000, validate: atLeast(1) }],
  ['transactional.id.expiration.ms', { type: 'int', default: 604800000, validate: atLeast(1) }],
  ['transaction.abort.timed.out.transaction.cleanup.interval.ms', { type: 'int', default: 10000, validate: atLeast(1) }],
  ['transaction.remove.expired.transaction.cleanup.interval.ms', { type: 'int', default: 3600000, validate: atLeast(1) }],
  ['transaction.partition.verification.enable', { type: 'boolean', default: true }],
  /** Set: cluster mode, metadata in ZooKeeper (host:port[,host:port...][/chroot]); unset: one broker, metadata in a local file. */
  ['zookeeper.connect', { type: 'string', default: null }],
  ['zookeeper.session.timeout.ms', { type: 'int', default: 18000, validate: atLeast(1) }],
  /** Unset: zookeeper.session.timeout.ms. */
  ['zookeeper.connection.timeout.ms', { type: 'int', default: null, validate: atLeast(1) }],
  ['broker.rack', { type: 'string', default: null }],
  ['controlled.shutdown.enable', { type: 'boolean', default: true }],
  ['controlled.shutdown.max.retries', { type: 'int', default: 3, validate: atLeast(0) }],
  ['controlled.shutdown.retry.backoff.ms', { type: 'long', default: 5000, validate: atLeast(0) }],
  ['auto.leader.rebalance.enable', { type: 'boolean', default: true }],
  ['leader.imbalance.check.interval.seconds', { type: 'long', default: 300, validate: atLeast(1) }],
  ['leader.imbalance.per.broker.percentage', { type: 'int', default: 10, validate: atLeast(0) }],
  /** Samsa's bound on open segment files per broker (Kafka keeps every segment open). */
  ['samsa.log.open.files.max', { type: 'int', default: 1000, validate: atLeast(10) }],
  /** Tests only: the point of a cleaning where the log cleaner stops for good (see storage/cleaner/test-pause.ts). */
  ['samsa.test.cleaner.pause.at', { type: 'string', default: null, validate: oneOf(...CLEANER_PAUSE_POINTS) }],
]);

/** Kafka broker keys Samsa accepts but does not act on yet (one warning line each). */
const KAFKA_KEYS_NOT_USED = new Set([
  'zookeeper.set.acl',
  'num.network.threads', 'num.io.threads', 'num.recovery.threads.per.data.dir',
  'socket.send.buffer.bytes', 'socket.receive.buffer.bytes', 'socket.listen.backlog.size',
  'queued.max.requests', 'background.threads',
  'inter.broker.listener.name', 'inter.broker.protocol.version', 'listener.security.protocol.map',
  'security.inter.broker.protocol', 'sasl.enabled.mechanisms', 'authorizer.class.name', 'super.users',
  'log.message.format.version', 'group.coordinator.rebalance.protocols', 'process.roles', 'controller.quorum.voters',
  'controller.listener.names', 'metadata.log.dir', 'broker.id.generation.enable', 'reserved.broker.max.id',
  'offsets.load.buffer.size', 'offsets.topic.compression.codec',
  'quota.window.num', 'quota.window.size.seconds', 'metric.reporters', 'metrics.num.samples',
  'metrics.sample.window.ms', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.key.password',
  'ssl.truststore.location', 'ssl.truststore.password', 'ssl.client.auth', 'max.connections',
  'max.connections.per.ip', 'log.cleaner.io.max.bytes.per.second',
]);

export interface Listener {
  name: string;
  host: string;
  port: number;
}

/** Parses `NAME://host:port` ([::1] for IPv6; empty host = all interfaces). */
export function parseListener(spec: string): Listener {
  const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(spec.trim());
  if (!m) throw new Error(`'${spec}' is not a listener of the form PLAINTEXT://host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`'${spec}' has port ${port} above 65535`);
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { name: m[1].toUpperCase(), host, port };
}

/** Kafka's ConfigSource, as a layer of broker configuration. */
export type BrokerConfigLayer = 'dynamic-broker' | 'dynamic-default' | 'static' | 'default';

/**
 * Broker keys that AlterConfigs may change at run time: as in Kafka's DynamicLogConfig, the
 * broker synonyms of topic configs (the defaults of every topic without its own value); and, of
 * Kafka's DynamicProducerStateManagerConfig, the one read per request.
 */
export const DYNAMIC_BROKER_KEYS: ReadonlySet<string> = new Set([
  ...[...TOPIC_CONFIG_DEFS.values()].flatMap((d) => d.synonyms.map((s) => s.key)).filter((k) => BROKER_CONFIG_DEFS.has(k)),
  'transaction.partition.verification.enable',
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
]);

/**
 * Validates dynamic broker configs as Kafka's DynamicBrokerConfig.validate does; throws ConfigError
 * naming the first bad key. Samsa has no plugins, so a key it does not know is refused too.
 */
export function parseDynamicBrokerConfigs(raw: Readonly<Record<string, string>>): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  const nonDynamic = Object.keys(raw).filter((k) => !DYNAMIC_BROKER_KEYS.has(k) && (BROKER_CONFIG_DEFS.has(k) || KAFKA_KEYS_NOT_USED.has(k)));
  if (nonDynamic.length > 0) throw new ConfigError(nonDynamic[0], `Cannot update these configs dynamically: ${nonDynamic.join(', ')}`);
  for (const [key, value] of Object.entries(raw)) {
    const def = BROKER_CONFIG_DEFS.get(key);
    if (!def) throw new ConfigError(key, 'unknown broker config');
    out.set(key, parseConfigValue(key, def, value));
  }
  return out;
}

export type RawConfig = Record<string, unknown> | Map<string, unknown>;

export class BrokerConfig {
  /** Dynamic configs (AlterConfigs on brokers): cluster-wide default, and this broker's own. */
  private readonly dynamicDefault = new Map<string, ConfigValue>();
  private readonly dynamicBroker = new Map<string, ConfigValue>();

  private constructor(
    /** server.properties values over Kafka's defaults. */
    private readonly values: ReadonlyMap<string, ConfigValue>,
    /** Keys set in server.properties (or overrides). */
    private readonly explicit: ReadonlySet<string>,
    readonly warnings: readonly string[],
  ) {}

  /** Parses and validates; throws ConfigError naming the first bad key. */
  static parse(raw: RawConfig): BrokerConfig {
    if (!(raw instanceof Map) && !isPlainObject(raw)) {
      throw new TypeError(`BrokerConfig.parse: config must be an object or a Map of server.properties keys to values, got ${describeValue(raw)}`);
    }
    const given = raw instanceof Map ? raw : new Map(Object.entries(raw));
    const values = new Map<string, ConfigValue>();
    const warnings: string[] = [];
    for (const [key, value] of given) {
      const def = BROKER_CONFIG_DEFS.get(key);
      if (def) values.set(key, parseConfigValue(key, def, value));
      else if (KAFKA_KEYS_NOT_USED.has(key)) warnings.push(`config ${key} is a Kafka setting Samsa does not use yet; ignored`);
      else throw new ConfigError(key, 'unknown config key');
    }
    const explicit = new Set(values.keys());
    for (const [key, def] of BROKER_CONFIG_DEFS) if (!values.has(key)) values.set(key, def.default);
    const config = new BrokerConfig(values, explicit, warnings);
    config.checkConsistency();
    return config;
  }

  private checkConsistency(): void {
    const brokerId = this.int('broker.id');
    const nodeId = this.int('node.id');
    if (brokerId >= 0 && nodeId >= 0 && brokerId !== nodeId) {
      throw new ConfigError('node.id', `${nodeId} differs from broker.id ${brokerId}`);
    }
    const names = new Set<string>();
    for (const l of this.listeners) {
      if (names.has(l.name)) throw new ConfigError('listeners', `listener name ${l.name} appears twice`);
      names.add(l.name);
    }
    if (this.listeners.length === 0) throw new ConfigError('listeners', 'at least one listener is required');
    for (const a of this.advertisedListeners) {
      if (!names.has(a.name)) throw new ConfigError('advertised.listeners', `listener ${a.name} is not in listeners`);
    }
    if (this.logDirs.length === 0) throw new ConfigError('log.dirs', 'at least one directory is required');
    if (this.get('zookeeper.connect') !== null && brokerId < 0 && nodeId < 0) {
      throw new ConfigError('broker.id', 'is required with zookeeper.connect: every broker of a cluster needs its own id');
    }
  }

  /** The value in force: this broker's dynamic value, else the cluster-wide dynamic default, else the static one. */
  get(key: string): ConfigValue {
    if (!this.values.has(key)) throw new Error(`no broker config ${key}`);
    const dynamic = this.dynamicBroker.get(key) ?? this.dynamicDefault.get(key);
    return dynamic !== undefined ? dynamic : (this.values.get(key) as ConfigValue);
  }

  /**
   * Where a key's value may come from, most specific first (Kafka's DescribeConfigs synonym order):
   * dynamic for this broker, dynamic cluster default, server.properties, Kafka's default.
   */
  layers(key: string): { source: BrokerConfigLayer; value: ConfigValue }[] {
    const out: { source: BrokerConfigLayer; value: ConfigValue }[] = [];
    if (!this.values.has(key)) return out;
    const perBroker = this.dynamicBroker.get(key);
    if (perBroker !== undefined) out.push({ source: 'dynamic-broker', value: perBroker });
    const clusterDefault = this.dynamicDefault.get(key);
    if (clusterDefault !== undefined) out.push({ source: 'dynamic-default', value: clusterDefault });
    if (this.explicit.has(key)) out.push({ source: 'static', value: this.values.get(key) as ConfigValue });
    const def = BROKER_CONFIG_DEFS.get(key)!.default;
    if (def !== null) out.push({ source: 'default', value: def });
    return out;
  }

  /**
   * Replaces the dynamic configs of one level (already validated with parseDynamicBrokerConfigs):
   * 'default' for the cluster-wide default, 'broker' for this broker.
   */
  setDynamic(level: 'default' | 'broker', configs: ReadonlyMap<string, ConfigValue>): void {
    const layer = level === 'default' ? this.dynamicDefault : this.dynamicBroker;
    layer.clear();
    for (const [k, v] of configs) layer.set(k, v);
    this.topicDefaultsCache = undefined;
  }
  int(key: string): number { return this.get(key) as number; }
  bool(key: string): boolean { return this.get(key) as boolean; }
  str(key: string): string { return this.get(key) as string; }

  /** Every defined key (for DescribeConfigs). */
  keys(): IterableIterator<string> { return this.values.keys(); }

  get nodeId(): number {
    const id = Math.max(this.int('node.id'), this.int('broker.id'));
    return id < 0 ? 0 : id;
  }
  get listeners(): Listener[] { return (this.get('listeners') as string[]).map(parseListener); }
  get advertisedListeners(): Listener[] {
    const adv = this.get('advertised.listeners') as string[] | null;
    return adv ? adv.map(parseListener) : this.listeners;
  }
  get logDirs(): string[] {
    return (this.get('log.dirs') as string[] | null) ?? [this.str('log.dir')];
  }

  private topicDefaultsCache: TopicConfigs | undefined;

  /** Broker-level defaults for every topic config key (Kafka's derivations of ms/minutes/hours keys). */
  topicDefaults(): TopicConfigs {
    this.topicDefaultsCache ??= Object.freeze(this.computeTopicDefaults());
    return this.topicDefaultsCache;
  }

  private computeTopicDefaults(): TopicConfigs {
    return topicDefaultsFrom((key) => (this.values.has(key) ? this.get(key) : undefined) ?? null);
  }
}
