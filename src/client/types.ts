// Public record and partition types shared by the producer, the consumer and the admin client.

/** A key or value as the caller gives it: bytes, a string (sent as UTF-8) or null. */
export type RecordData = Buffer | string | null;

/**
 * Record headers: an object of name → value, or an array of [name, value] pairs when a name
 * repeats (the order is kept).
 */
export type RecordHeaders =
  | { readonly [name: string]: Buffer | string }
  | readonly (readonly [name: string, value: Buffer | string | null])[];

/** A record to send. */
export interface ProducerRecord {
  topic: string;
  key?: RecordData;
  value: RecordData;
  headers?: RecordHeaders;
  /** Sends to this partition instead of asking the partitioner. */
  partition?: number;
  /** CreateTime in ms since the epoch; default now. */
  timestamp?: number;
}

/** Where a record was written. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The record's offset; -1 with acks=0 (the broker does not say). */
  offset: number;
  /** The record's CreateTime, or the broker's append time for LogAppendTime topics. */
  timestamp: number;
}

/** A topic-partition. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A topic-partition and an offset (a position, or a committed offset: the next record to read). */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
  /** Committed metadata string (commits only). */
  metadata?: string | null;
}

/** A record read by the consumer. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** [name, value] pairs in the order written (names may repeat). */
  headers: [name: string, value: Buffer | null][];
  /** ms since the epoch: CreateTime, or LogAppendTime for topics that use it. */
  timestamp: number;
  /** Which of the two `timestamp` is (the topic's message.timestamp.type when it was written). */
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** The partition leader epoch the record was written in (-1 when unknown). */
  leaderEpoch: number;
}

/** Compression codecs for produced batches (`compression.type`). */
export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Key of a topic-partition in maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
