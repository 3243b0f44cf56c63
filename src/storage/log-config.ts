// Per-partition log settings (Kafka's topic-level configs), with Kafka's defaults.

export type TimestampType = 'CreateTime' | 'LogAppendTime';
export type CleanupPolicy = 'delete' | 'compact';
/** Topic compression.type: 'producer' keeps the producer's codec, the others are what the broker stores. */
export type TopicCompression = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface LogConfig {
  /** segment.bytes: roll before an append would take the active segment past this size. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first batch is this old (in record timestamps). */
  segmentMs: number;
  /** segment.jitter.ms: each segment subtracts a random amount below this from segmentMs. */
  segmentJitterMs: number;
  /** index.interval.bytes: bytes appended between offset/time index entries. */
  indexIntervalBytes: number;
  /** segment.index.bytes: capacity of each index file; a full index rolls the segment. */
  maxIndexSize: number;
  /** flush.messages: fsync after this many unflushed records. */
  flushIntervalMessages: number;
  /** flush.ms: fsync when the last flush is this old. */
  flushIntervalMs: number;
  messageTimestampType: TimestampType;
  /** max.message.bytes: largest batch accepted (checked by the broker). */
  maxMessageBytes: number;
  /** retention.ms (-1: unlimited). */
  retentionMs: number;
  /** retention.bytes (-1: unlimited). */
  retentionBytes: number;
  cleanupPolicy: readonly CleanupPolicy[];
  /** file.delete.delay.ms: wait before deleting a segment's files. */
  fileDeleteDelayMs: number;
  /** min.cleanable.dirty.ratio: the dirty share of a compacted log above which it is cleaned. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: records younger than this stay uncompacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: a dirty segment older than this is cleaned whatever the dirty ratio. */
  maxCompactionLagMs: number;
  /** delete.retention.ms: how long the cleaner keeps tombstones (and emptied transactions' markers). */
  deleteRetentionMs: number;
  /** compression.type: where not 'producer', batches in another codec are recompressed on produce. */
  compressionType: TopicCompression;
  /** compression.gzip.level, compression.lz4.level, compression.zstd.level (KIP-390; gzip -1 = zlib's default). */
  compressionLevels: { gzip: number; lz4: number; zstd: number };
}

/** Kafka's Long.MAX_VALUE defaults ("never") as the largest safe JS integer. */
const NEVER = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentJitterMs: 0,
  indexIntervalBytes: 4096,
  maxIndexSize: 10 * 1024 * 1024,
  flushIntervalMessages: NEVER,
  flushIntervalMs: NEVER,
  messageTimestampType: 'CreateTime',
  maxMessageBytes: 1024 * 1024 + 12,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze(['delete'] as CleanupPolicy[]),
  fileDeleteDelayMs: 60_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  deleteRetentionMs: 86_400_000,
  compressionType: 'producer',
  compressionLevels: Object.freeze({ gzip: -1, lz4: 9, zstd: 3 }),
});

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}
