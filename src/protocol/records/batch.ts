// Record batch (magic 2) header accessors. All functions work in place on a
// buffer holding one or more batches, so the produce and fetch paths never
// parse individual records.
import { crc32c } from '@node-rs/crc32';

/** Byte offsets of the v2 batch header fields. */
export const BATCH = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

/** Bytes before batchLength counts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
export const BATCH_HEADER_SIZE = 61;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/**
 * Kafka's codec names: `none` (a producer's compression.type) and `uncompressed` (a topic's) both
 * mean no compression.
 */
export const CODEC_BY_NAME = {
  none: CompressionType.None,
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
} as const;

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export const baseOffsetOf = (b: Buffer, at = 0): number => Number(b.readBigInt64BE(at + BATCH.baseOffset));
export const batchLengthOf = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH.batchLength);
/** Total size of the batch starting at `at`, including the 12-byte log overhead. */
export const batchSizeOf = (b: Buffer, at = 0): number => LOG_OVERHEAD + b.readInt32BE(at + BATCH.batchLength);
export const magicOf = (b: Buffer, at = 0): number => b.readInt8(at + BATCH.magic);
export const attributesOf = (b: Buffer, at = 0): number => b.readInt16BE(at + BATCH.attributes);
export const lastOffsetDeltaOf = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH.lastOffsetDelta);
export const lastOffsetOf = (b: Buffer, at = 0): number => baseOffsetOf(b, at) + lastOffsetDeltaOf(b, at);
export const baseTimestampOf = (b: Buffer, at = 0): number => Number(b.readBigInt64BE(at + BATCH.baseTimestamp));
export const maxTimestampOf = (b: Buffer, at = 0): number => Number(b.readBigInt64BE(at + BATCH.maxTimestamp));
export const producerIdOf = (b: Buffer, at = 0): number => Number(b.readBigInt64BE(at + BATCH.producerId));
export const producerEpochOf = (b: Buffer, at = 0): number => b.readInt16BE(at + BATCH.producerEpoch);
export const baseSequenceOf = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH.baseSequence);
export const recordCountOf = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH.recordCount);
export const partitionLeaderEpochOf = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH.partitionLeaderEpoch);
export const compressionOf = (b: Buffer, at = 0): CompressionType => attributesOf(b, at) & ATTR_COMPRESSION_MASK;
export const timestampTypeOf = (b: Buffer, at = 0): TimestampType =>
  (attributesOf(b, at) & ATTR_TIMESTAMP_TYPE) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
export const isControlBatch = (b: Buffer, at = 0): boolean => (attributesOf(b, at) & ATTR_CONTROL) !== 0;
export const isTransactionalBatch = (b: Buffer, at = 0): boolean => (attributesOf(b, at) & ATTR_TRANSACTIONAL) !== 0;

/** CRC-32C over attributes..end of the batch at `at` (size = total batch size). */
export function computeBatchCrc(b: Buffer, at: number, size: number): number {
  return crc32c(b.subarray(at + BATCH.attributes, at + size)) >>> 0;
}

export function isBatchCrcValid(b: Buffer, at: number, size: number): boolean {
  return b.readUInt32BE(at + BATCH.crc) === computeBatchCrc(b, at, size);
}

/** Rewrites the stored CRC after a field inside the CRC range (maxTimestamp, attributes) changed. */
export function rewriteBatchCrc(b: Buffer, at: number, size: number): void {
  b.writeUInt32BE(computeBatchCrc(b, at, size), at + BATCH.crc);
}

export function setBaseOffset(b: Buffer, at: number, offset: number): void {
  b.writeBigInt64BE(BigInt(offset), at + BATCH.baseOffset);
}

export function setPartitionLeaderEpoch(b: Buffer, at: number, epoch: number): void {
  b.writeInt32BE(epoch, at + BATCH.partitionLeaderEpoch);
}

/** Calls `fn(position, size)` for each complete batch in `buf`; returns the bytes covered by complete batches. */
export function forEachBatch(buf: Buffer, fn: (at: number, size: number) => void): number {
  let at = 0;
  while (at + LOG_OVERHEAD <= buf.length) {
    const size = batchSizeOf(buf, at);
    if (size < BATCH_HEADER_SIZE || at + size > buf.length) break;
    fn(at, size);
    at += size;
  }
  return at;
}
