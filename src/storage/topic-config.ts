// Topic-level configs (Kafka's LogConfig keys). Each has a broker-level key
// whose value is the default for topics without an override.
import { type ConfigDef, type ConfigValue, ConfigError, atLeast, between, oneOf, parseConfigValue } from './config-def.js';
import type { CleanupPolicy, LogConfig, TimestampType, TopicCompression } from './log-config.js';

export interface TopicConfigDef extends ConfigDef {
  /** Broker key providing the default, e.g. log.segment.bytes for segment.bytes. */
  brokerKey?: string;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** Kafka's gzip level: zlib's 1-9, or -1 for zlib's default. */
export const gzipLevel = (v: ConfigValue): string | undefined =>
  typeof v === 'number' && v !== -1 && (v < 1 || v > 9) ? 'must be -1 or between 1 and 9' : undefined;

export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map<string, TopicConfigDef>([
  ['cleanup.policy', { type: 'list', default: ['delete'], brokerKey: 'log.cleanup.policy', validate: (v) => Array.isArray(v) && v.every((p) => p === 'delete' || p === 'compact') ? undefined : 'must be a list of delete, compact' }],
  ['compression.type', { type: 'string', default: 'producer', brokerKey: 'compression.type', validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer') }],
  ['compression.gzip.level', { type: 'int', default: -1, brokerKey: 'compression.gzip.level', validate: gzipLevel }],
  ['compression.lz4.level', { type: 'int', default: 9, brokerKey: 'compression.lz4.level', validate: between(1, 17) }],
  ['compression.zstd.level', { type: 'int', default: 3, brokerKey: 'compression.zstd.level', validate: between(-131072, 22) }],
  ['delete.retention.ms', { type: 'long', default: 86400000, brokerKey: 'log.cleaner.delete.retention.ms', validate: atLeast(0) }],
  ['file.delete.delay.ms', { type: 'long', default: 60000, brokerKey: 'log.segment.delete.delay.ms', validate: atLeast(0) }],
  ['flush.messages', { type: 'long', default: LONG_MAX, brokerKey: 'log.flush.interval.messages', validate: atLeast(1) }],
  ['flush.ms', { type: 'long', default: LONG_MAX, brokerKey: 'log.flush.interval.ms', validate: atLeast(0) }],
  ['index.interval.bytes', { type: 'int', default: 4096, brokerKey: 'log.index.interval.bytes', validate: atLeast(0) }],
  ['max.compaction.lag.ms', { type: 'long', default: LONG_MAX, brokerKey: 'log.cleaner.max.compaction.lag.ms', validate: atLeast(1) }],
  ['max.message.bytes', { type: 'int', default: 1048588, brokerKey: 'message.max.bytes', validate: atLeast(0) }],
  ['message.downconversion.enable', { type: 'boolean', default: true, brokerKey: 'log.message.downconversion.enable' }],
  ['message.timestamp.type', { type: 'string', default: 'CreateTime', brokerKey: 'log.message.timestamp.type', validate: oneOf('CreateTime', 'LogAppendTime') }],
  ['message.timestamp.difference.max.ms', { type: 'long', default: LONG_MAX, brokerKey: 'log.message.timestamp.difference.max.ms', validate: atLeast(0) }],
  ['message.timestamp.before.max.ms', { type: 'long', default: LONG_MAX, brokerKey: 'log.message.timestamp.before.max.ms', validate: atLeast(0) }],
  ['message.timestamp.after.max.ms', { type: 'long', default: LONG_MAX, brokerKey: 'log.message.timestamp.after.max.ms', validate: atLeast(0) }],
  ['min.cleanable.dirty.ratio', { type: 'double', default: 0.5, brokerKey: 'log.cleaner.min.cleanable.ratio', validate: between(0, 1) }],
  ['min.compaction.lag.ms', { type: 'long', default: 0, brokerKey: 'log.cleaner.min.compaction.lag.ms', validate: atLeast(0) }],
  ['min.insync.replicas', { type: 'int', default: 1, brokerKey: 'min.insync.replicas', validate: atLeast(1) }],
  ['preallocate', { type: 'boolean', default: false, brokerKey: 'log.preallocate' }],
  ['retention.bytes', { type: 'long', default: -1, brokerKey: 'log.retention.bytes' }],
  ['retention.ms', { type: 'long', default: 604800000, validate: atLeast(-1) }],
  ['segment.bytes', { type: 'int', default: 1073741824, brokerKey: 'log.segment.bytes', validate: atLeast(14) }],
  ['segment.index.bytes', { type: 'int', default: 10485760, brokerKey: 'log.index.size.max.bytes', validate: atLeast(4) }],
  ['segment.jitter.ms', { type: 'long', default: 0, validate: atLeast(0) }],
  ['segment.ms', { type: 'long', default: 604800000, validate: atLeast(1) }],
  ['unclean.leader.election.enable', { type: 'boolean', default: false, brokerKey: 'unclean.leader.election.enable' }],
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
    compressionType: v('compression.type') as TopicCompression,
    compressionLevels: { gzip: num('compression.gzip.level'), lz4: num('compression.lz4.level'), zstd: num('compression.zstd.level') },
  };
}
