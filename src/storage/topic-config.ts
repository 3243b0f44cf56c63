// Topic-level configs (Kafka's LogConfig keys). Each has broker-level synonyms
// (Kafka's ServerTopicConfigSynonyms): the first one set gives the default for
// topics without an override.
import { type ConfigDef, type ConfigValue, ConfigError, atLeast, between, oneOf, parseConfigValue } from './config-def.js';
import type { CleanupPolicy, LogConfig, TimestampType, TopicCompression } from './log-config.js';

/** A broker key standing for a topic key; `scale` turns its unit into the topic key's (hours to ms). */
export interface BrokerSynonym {
  key: string;
  scale?: number;
}

export interface TopicConfigDef extends ConfigDef {
  /** Broker keys providing the default, in Kafka's order of precedence, e.g. log.segment.bytes for segment.bytes. */
  synonyms: readonly BrokerSynonym[];
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Kafka's ThrottledReplicaListValidator: '*', or partition:broker pairs. */
const throttledReplicas = (v: ConfigValue): string | undefined =>
  Array.isArray(v) && (v.every((s) => /^\d+:\d+$/.test(s)) || v.join('') === '*')
    ? undefined : "must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";

/** Kafka's gzip level: zlib's 1-9, or -1 for zlib's default. */
export const gzipLevel = (v: ConfigValue): string | undefined =>
  typeof v === 'number' && v !== -1 && (v < 1 || v > 9) ? 'must be -1 or between 1 and 9' : undefined;

export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map<string, TopicConfigDef>([
  ['cleanup.policy', { type: 'list', default: ['delete'], synonyms: [{ key: 'log.cleanup.policy' }], validate: (v) => Array.isArray(v) && v.every((p) => p === 'delete' || p === 'compact') ? undefined : 'must be a list of delete, compact' }],
  ['compression.type', { type: 'string', default: 'producer', synonyms: [{ key: 'compression.type' }], validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer') }],
  ['compression.gzip.level', { type: 'int', default: -1, synonyms: [{ key: 'compression.gzip.level' }], validate: gzipLevel }],
  ['compression.lz4.level', { type: 'int', default: 9, synonyms: [{ key: 'compression.lz4.level' }], validate: between(1, 17) }],
  ['compression.zstd.level', { type: 'int', default: 3, synonyms: [{ key: 'compression.zstd.level' }], validate: between(-131072, 22) }],
  ['delete.retention.ms', { type: 'long', default: 86400000, synonyms: [{ key: 'log.cleaner.delete.retention.ms' }], validate: atLeast(0) }],
  ['file.delete.delay.ms', { type: 'long', default: 60000, synonyms: [{ key: 'log.segment.delete.delay.ms' }], validate: atLeast(0) }],
  ['flush.messages', { type: 'long', default: LONG_MAX, synonyms: [{ key: 'log.flush.interval.messages' }], validate: atLeast(1) }],
  ['flush.ms', { type: 'long', default: LONG_MAX, synonyms: [{ key: 'log.flush.interval.ms' }, { key: 'log.flush.scheduler.interval.ms' }], validate: atLeast(0) }],
  ['follower.replication.throttled.replicas', { type: 'list', default: [], synonyms: [], validate: throttledReplicas }],
  ['index.interval.bytes', { type: 'int', default: 4096, synonyms: [{ key: 'log.index.interval.bytes' }], validate: atLeast(0) }],
  ['leader.replication.throttled.replicas', { type: 'list', default: [], synonyms: [], validate: throttledReplicas }],
  ['max.compaction.lag.ms', { type: 'long', default: LONG_MAX, synonyms: [{ key: 'log.cleaner.max.compaction.lag.ms' }], validate: atLeast(1) }],
  ['max.message.bytes', { type: 'int', default: 1048588, synonyms: [{ key: 'message.max.bytes' }], validate: atLeast(0) }],
  ['message.downconversion.enable', { type: 'boolean', default: true, synonyms: [{ key: 'log.message.downconversion.enable' }] }],
  ['message.timestamp.type', { type: 'string', default: 'CreateTime', synonyms: [{ key: 'log.message.timestamp.type' }], validate: oneOf('CreateTime', 'LogAppendTime') }],
  ['message.timestamp.difference.max.ms', { type: 'long', default: LONG_MAX, synonyms: [{ key: 'log.message.timestamp.difference.max.ms' }], validate: atLeast(0) }],
  ['message.timestamp.before.max.ms', { type: 'long', default: LONG_MAX, synonyms: [{ key: 'log.message.timestamp.before.max.ms' }], validate: atLeast(0) }],
  ['message.timestamp.after.max.ms', { type: 'long', default: LONG_MAX, synonyms: [{ key: 'log.message.timestamp.after.max.ms' }], validate: atLeast(0) }],
  ['min.cleanable.dirty.ratio', { type: 'double', default: 0.5, synonyms: [{ key: 'log.cleaner.min.cleanable.ratio' }], validate: between(0, 1) }],
  ['min.compaction.lag.ms', { type: 'long', default: 0, synonyms: [{ key: 'log.cleaner.min.compaction.lag.ms' }], validate: atLeast(0) }],
  ['min.insync.replicas', { type: 'int', default: 1, synonyms: [{ key: 'min.insync.replicas' }], validate: atLeast(1) }],
  ['preallocate', { type: 'boolean', default: false, synonyms: [{ key: 'log.preallocate' }] }],
  ['retention.bytes', { type: 'long', default: -1, synonyms: [{ key: 'log.retention.bytes' }] }],
  ['retention.ms', { type: 'long', default: 604800000, synonyms: [{ key: 'log.retention.ms' }, { key: 'log.retention.minutes', scale: MINUTE }, { key: 'log.retention.hours', scale: HOUR }], validate: atLeast(-1) }],
  ['segment.bytes', { type: 'int', default: 1073741824, synonyms: [{ key: 'log.segment.bytes' }], validate: atLeast(14) }],
  ['segment.index.bytes', { type: 'int', default: 10485760, synonyms: [{ key: 'log.index.size.max.bytes' }], validate: atLeast(4) }],
  ['segment.jitter.ms', { type: 'long', default: 0, synonyms: [{ key: 'log.roll.jitter.ms' }, { key: 'log.roll.jitter.hours', scale: HOUR }], validate: atLeast(0) }],
  ['segment.ms', { type: 'long', default: 604800000, synonyms: [{ key: 'log.roll.ms' }, { key: 'log.roll.hours', scale: HOUR }], validate: atLeast(1) }],
  ['unclean.leader.election.enable', { type: 'boolean', default: false, synonyms: [{ key: 'unclean.leader.election.enable' }] }],
]);

export type TopicConfigs = Record<string, ConfigValue>;

/** Validates topic config overrides (from CreateTopics or a stored topic); throws ConfigError naming the key. */
export function parseTopicConfigs(raw: Record<string, unknown>): TopicConfigs {
  const out: TopicConfigs = {};
  for (const [key, value] of Object.entries(raw)) {
    const def = TOPIC_CONFIG_DEFS.get(key);
    if (!def) throw new ConfigError(key, 'unknown topic config');
    out[key] = parseConfigValue(key, def, value);
  }
  return out;
}

/**
 * The broker-level default of every topic key: its first broker synonym with a value, scaled
 * (a negative retention stays -1), else the topic key's own default.
 */
export function topicDefaultsFrom(brokerValue: (key: string) => ConfigValue): TopicConfigs {
  const out: TopicConfigs = {};
  for (const [key, def] of TOPIC_CONFIG_DEFS) {
    out[key] = def.default;
    for (const { key: brokerKey, scale } of def.synonyms) {
      const v = brokerValue(brokerKey);
      if (v === null || v === undefined) continue;
      out[key] = scale && typeof v === 'number' ? (v < 0 ? -1 : v * scale) : v;
      break;
    }
  }
  return out;
}

/** The LogConfig of a topic: its overrides over the broker's topic defaults. */
export function logConfigFor(defaults: TopicConfigs, overrides: TopicConfigs): LogConfig {
  const v = (key: string): ConfigValue => (key in overrides ? overrides[key] : defaults[key]);
  const num = (key: string): number => v(key) as number;
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    segmentJitterMs: num('segment.jitter.ms'),
    indexIntervalBytes: num('index.interval.bytes'),
    maxIndexSize: num('segment.index.bytes'),
    flushIntervalMessages: num('flush.messages'),
    flushIntervalMs: num('flush.ms'),
    messageTimestampType: v('message.timestamp.type') as TimestampType,
    maxMessageBytes: num('max.message.bytes'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    cleanupPolicy: v('cleanup.policy') as CleanupPolicy[],
    fileDeleteDelayMs: num('file.delete.delay.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    maxCompactionLagMs: num('max.compaction.lag.ms'),
    deleteRetentionMs: num('delete.retention.ms'),
    compressionType: v('compression.type') as TopicCompression,
    compressionLevels: { gzip: num('compression.gzip.level'), lz4: num('compression.lz4.level'), zstd: num('compression.zstd.level') },
  };
}
