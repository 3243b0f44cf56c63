// Records inside a magic-2 batch (compat doc 3.6): decoding a whole batch into
// records, and building a batch from records. Not on the broker's produce or
// fetch path (those work on batch headers); used by the client, the
// coordinators, format conversion and tests.
import { varintSize } from '../primitives.js';
import {
  ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, BATCH, BATCH_HEADER_SIZE, CompressionType, LOG_OVERHEAD, TimestampType,
  attributesOf, baseOffsetOf, baseSequenceOf, baseTimestampOf, batchSizeOf, compressionOf, forEachBatch, isBatchCrcValid,
  isControlBatch, isTransactionalBatch, lastOffsetDeltaOf, magicOf, maxTimestampOf, partitionLeaderEpochOf, producerEpochOf,
  producerIdOf, recordCountOf, rewriteBatchCrc, timestampTypeOf,
} from './batch.js';
import { compress, decompress } from './compression.js';
import { RecordCursor, malformed } from './cursor.js';
import { RecordErrorCode, RecordsError } from './errors.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  /** null = tombstone. */
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedRecord extends Record {
  offset: number;
  /** baseTimestamp + timestampDelta, or the batch's maxTimestamp for LogAppendTime batches (as Kafka clients report it). */
  timestamp: number;
}

export interface BatchHeader {
  baseOffset: number;
  /** Total bytes, including the 12-byte log overhead. */
  size: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface DecodedBatch extends BatchHeader {
  records: DecodedRecord[];
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: baseOffsetOf(buf, at),
    size: batchSizeOf(buf, at),
    partitionLeaderEpoch: partitionLeaderEpochOf(buf, at),
    magic: magicOf(buf, at),
    crc: buf.readUInt32BE(at + BATCH.crc),
    attributes: attributesOf(buf, at),
    compression: compressionOf(buf, at),
    timestampType: timestampTypeOf(buf, at),
    isTransactional: isTransactionalBatch(buf, at),
    isControl: isControlBatch(buf, at),
    lastOffsetDelta: lastOffsetDeltaOf(buf, at),
    baseTimestamp: baseTimestampOf(buf, at),
    maxTimestamp: maxTimestampOf(buf, at),
    producerId: producerIdOf(buf, at),
    producerEpoch: producerEpochOf(buf, at),
    baseSequence: baseSequenceOf(buf, at),
    recordCount: recordCountOf(buf, at),
  };
}

/**
 * Decodes the batch starting at `at` (its CRC is checked), decompressing its
 * records. Keys, values and header values are views into `buf` or into the
 * decompressed block. Throws RecordsError.
 */
export function decodeRecords(buf: Buffer, at = 0): DecodedBatch {
  if (at + LOG_OVERHEAD > buf.length) throw corrupt(`truncated batch at ${at}`);
  const size = batchSizeOf(buf, at);
  if (size < BATCH_HEADER_SIZE || at + size > buf.length) throw corrupt(`batch at ${at} has a bad length (${size} bytes)`);
  if (magicOf(buf, at) !== 2) throw corrupt(`batch at ${at} has magic ${magicOf(buf, at)}, expected 2`);
  if (!isBatchCrcValid(buf, at, size)) throw corrupt(`batch at ${at} fails its CRC check`);

  const block = decompress(compressionOf(buf, at), buf.subarray(at + BATCH.records, at + size));
  const header = readBatchHeader(buf, at);
  const logAppendTime = header.timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : null;
  const records = readRecords(block, header.recordCount, header.baseOffset, header.baseTimestamp, logAppendTime);
  // Adding `records` to the header object: an object spread measured in microseconds here.
  return Object.assign(header, { records });
}

/**
 * Parses `count` records from an uncompressed records block. A LogAppendTime
 * batch passes its append time, which stands for every record's timestamp.
 * Throws RecordsError(INVALID_RECORD) on malformed bytes.
 */
export function readRecords(
  block: Buffer, count: number, baseOffset: number, baseTimestamp: number, logAppendTime: number | null = null,
): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  const c = new RecordCursor(block, 0, block.length);
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    const end = c.pos + length;
    c.skip(1); // attributes: unused
    const timestampDelta = c.varlong();
    const offsetDelta = c.varint();
    const key = c.nullableBytes();
    const value = c.nullableBytes();
    const headerCount = c.varint();
    if (headerCount < 0) throw malformed(`negative header count ${headerCount}`, c.pos);
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = c.nullableBytes();
      if (headerKey === null) throw malformed('null header key', c.pos);
      headers.push({ key: headerKey.toString('utf8'), value: c.nullableBytes() });
    }
    if (c.pos !== end) throw malformed(`record ${i} declares ${length} bytes but holds ${length + c.pos - end}`, c.pos);
    records.push({
      offsetDelta, timestampDelta, key, value, headers,
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
    });
  }
  if (c.pos !== block.length) throw malformed(`${block.length - c.pos} bytes after the last of ${count} records`, c.pos);
  return records;
}

/** Decodes every complete batch in `buf` (a trailing partial batch, as fetch responses may end with, is ignored). */
export function decodeBatches(buf: Buffer): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  forEachBatch(buf, (at) => batches.push(decodeRecords(buf, at)));
  return batches;
}

export interface BuildBatchOptions {
  /** At least one; offsetDelta increasing (gaps allowed, as after compaction). */
  records: readonly Record[];
  baseTimestamp: number;
  baseOffset?: number;
  compression?: CompressionType;
  timestampType?: TimestampType;
  /** Defaults to the largest record timestamp; LogAppendTime batches carry the append time here. */
  maxTimestamp?: number;
  /** -1 (not idempotent) by default, like producerEpoch and baseSequence. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
}

/** Builds a magic-2 batch with a valid CRC-32C. */
export function buildBatch(opts: BuildBatchOptions): Buffer {
  const { records } = opts;
  if (records.length === 0) throw new Error('buildBatch: a batch needs at least one record');
  const compression = opts.compression ?? CompressionType.None;
  let b: Buffer;
  if (compression === CompressionType.None) {
    const plan = planRecords(records);
    b = Buffer.allocUnsafe(BATCH_HEADER_SIZE + plan.size);
    writeRecords(records, plan, b, BATCH.records);
  } else {
    const compressed = compress(compression, encodeRecords(records));
    b = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    b.set(compressed, BATCH.records);
  }
  let maxDelta = records[0].timestampDelta;
  for (const r of records) if (r.timestampDelta > maxDelta) maxDelta = r.timestampDelta;
  writeBatchHeader(b, {
    ...opts,
    compression,
    lastOffsetDelta: records[records.length - 1].offsetDelta,
    maxTimestamp: opts.maxTimestamp ?? opts.baseTimestamp + maxDelta,
    recordCount: records.length,
  });
  return b;
}

/** Header fields of a batch being written; the optional ones default as in BuildBatchOptions. */
export type BatchHeaderFields = Omit<BuildBatchOptions, 'records' | 'compression' | 'maxTimestamp'> & {
  compression: CompressionType;
  lastOffsetDelta: number;
  maxTimestamp: number;
  recordCount: number;
};

/** Writes the 61-byte header of the batch filling all of `b` (records already in place) and its CRC. */
export function writeBatchHeader(b: Buffer, h: BatchHeaderFields): void {
  const size = b.length;
  const attributes = h.compression
    | ((h.timestampType ?? TimestampType.CreateTime) === TimestampType.LogAppendTime ? ATTR_TIMESTAMP_TYPE : 0)
    | (h.isTransactional ? ATTR_TRANSACTIONAL : 0)
    | (h.isControl ? ATTR_CONTROL : 0);
  b.writeBigInt64BE(BigInt(h.baseOffset ?? 0), BATCH.baseOffset);
  b.writeInt32BE(size - LOG_OVERHEAD, BATCH.batchLength);
  b.writeInt32BE(h.partitionLeaderEpoch ?? -1, BATCH.partitionLeaderEpoch);
  b.writeInt8(2, BATCH.magic);
  b.writeInt16BE(attributes, BATCH.attributes);
  b.writeInt32BE(h.lastOffsetDelta, BATCH.lastOffsetDelta);
  b.writeBigInt64BE(BigInt(h.baseTimestamp), BATCH.baseTimestamp);
  b.writeBigInt64BE(BigInt(h.maxTimestamp), BATCH.maxTimestamp);
  b.writeBigInt64BE(BigInt(h.producerId ?? -1), BATCH.producerId);
  b.writeInt16BE(h.producerEpoch ?? -1, BATCH.producerEpoch);
  b.writeInt32BE(h.baseSequence ?? -1, BATCH.baseSequence);
  b.writeInt32BE(h.recordCount, BATCH.recordCount);
  rewriteBatchCrc(b, 0, size);
}

/** The uncompressed records block of a batch holding `records`. */
export function encodeRecords(records: readonly Record[]): Buffer {
  const plan = planRecords(records);
  const block = Buffer.allocUnsafe(plan.size);
  writeRecords(records, plan, block, 0);
  return block;
}

function corrupt(message: string): RecordsError {
  return new RecordsError(RecordErrorCode.CORRUPT_MESSAGE, message);
}

// --- record encoding ---

/** Sizes worked out once before writing: each record's body size, header keys as UTF-8. */
interface EncodingPlan {
  bodySizes: number[];
  headerKeys: Buffer[];
  size: number;
}

const nullableSize = (v: Buffer | null): number => (v === null ? 1 : varintSize(v.length) + v.length);

function planRecords(records: readonly Record[]): EncodingPlan {
  const plan: EncodingPlan = { bodySizes: [], headerKeys: [], size: 0 };
  for (const r of records) {
    let body = 1 + varintSize(r.timestampDelta) + varintSize(r.offsetDelta) + nullableSize(r.key) + nullableSize(r.value)
      + varintSize(r.headers.length);
    for (const h of r.headers) {
      const key = Buffer.from(h.key, 'utf8');
      plan.headerKeys.push(key);
      body += nullableSize(key) + nullableSize(h.value);
    }
    plan.bodySizes.push(body);
    plan.size += varintSize(body) + body;
  }
  return plan;
}

/** Writes the records at `out[at..]`, which must hold `plan.size` bytes. */
function writeRecords(records: readonly Record[], plan: EncodingPlan, out: Buffer, at: number): void {
  let pos = at;
  let headerIndex = 0;
  records.forEach((r, i) => {
    pos = writeVarint(out, pos, plan.bodySizes[i]);
    out[pos++] = 0;
    pos = writeVarint(out, pos, r.timestampDelta);
    pos = writeVarint(out, pos, r.offsetDelta);
    pos = writeNullable(out, pos, r.key);
    pos = writeNullable(out, pos, r.value);
    pos = writeVarint(out, pos, r.headers.length);
    for (const h of r.headers) {
      pos = writeNullable(out, pos, plan.headerKeys[headerIndex++]);
      pos = writeNullable(out, pos, h.value);
    }
  });
}

/** Zigzag varint/varlong; exact for |v| < 2^52, which covers offsets and timestamp deltas. */
export function writeVarint(b: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 0x80) {
    b[pos++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  b[pos++] = z;
  return pos;
}

function writeNullable(b: Buffer, pos: number, v: Buffer | null): number {
  if (v === null) return writeVarint(b, pos, -1);
  pos = writeVarint(b, pos, v.length);
  b.set(v, pos); // cheaper than Buffer#copy for small values
  return pos + v.length;
}
