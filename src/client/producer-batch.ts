// A producer batch: records are encoded straight into one growing buffer
// behind room for the 61-byte batch header, so appending a record allocates
// nothing but (rarely) a bigger buffer. When the batch is sent its records
// are compressed once; the producer id, epoch and sequence are stamped into
// the header (again, with a new CRC, only if a retry changes them).
import { BATCH, BATCH_HEADER_SIZE, CompressionType, rewriteBatchCrc } from '../protocol/records/batch.js';
import { compressAsync } from '../protocol/records/compression.js';
import { writeBatchHeader, writeVarint } from '../protocol/records/record.js';
import { varintSize } from '../protocol/primitives.js';
import { RecordCursor } from '../protocol/records/cursor.js';
import type { RecordData, RecordHeaders, RecordMetadata } from './types.js';

/** Told the outcome of each record of a batch, by the record's index in what the caller passed. */
export interface Completion {
  done(index: number, metadata: RecordMetadata): void;
  fail(index: number, error: Error): void;
}

const INITIAL_CAPACITY = 16 * 1024;

export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  /** Order of creation, across partitions: retried batches go back in this order. */
  readonly id: number;
  readonly createdAt: number;
  readonly maxSize: number;
  private buf: Buffer;
  private pos = BATCH_HEADER_SIZE;
  count = 0;
  baseTimestamp = -1;
  private maxTimestamp = -1;
  private readonly completions: Completion[] = [];
  private readonly indexes: number[] = [];
  private readonly timestamps: number[] = [];
  /** Set once appending stops. */
  closed = false;
  /** The wire form, made on first send. */
  private wire: Buffer | null = null;
  /** Stamped producer id, epoch and base sequence of `wire`. */
  private stamped: [number, number, number] | null = null;
  /** Base sequence assigned for the current send (-1: not idempotent). */
  sequence = -1;
  /** Send attempts so far. */
  attempts = 0;
  settled = false;
  private readonly onSettled: (() => void)[] = [];

  /** `capacityHint`: the size the partition's previous batch reached, so a steady stream allocates once per batch instead of doubling up to it. */
  constructor(topic: string, partition: number, id: number, maxSize: number, firstRecordSize: number, createdAt = Date.now(), capacityHint = INITIAL_CAPACITY) {
    this.topic = topic;
    this.partition = partition;
    this.id = id;
    this.createdAt = createdAt;
    this.maxSize = maxSize;
    this.buf = Buffer.allocUnsafe(Math.max(BATCH_HEADER_SIZE + firstRecordSize, Math.min(maxSize, capacityHint > 0 ? capacityHint : INITIAL_CAPACITY)));
  }

  /** Bytes the batch holds (header included, before compression). */
  get size(): number {
    return this.pos;
  }

  /** Whether a record of `recordSize` encoded bytes still fits (an empty batch takes any record). */
  fits(recordSize: number): boolean {
    return this.count === 0 || this.pos + recordSize <= this.maxSize;
  }

  /**
   * Appends a record. `sizes` is what recordSize() computed for it; the caller checked fits().
   * Returns the encoded size.
   */
  append(timestamp: number, key: RecordData, value: RecordData, headers: RecordHeaders | undefined, sizes: RecordSizes, completion: Completion, index: number): void {
    if (this.count === 0) this.baseTimestamp = timestamp;
    const total = sizes.total;
    if (this.pos + total > this.buf.length) this.grow(this.pos + total);
    const b = this.buf;
    let p = writeVarint(b, this.pos, sizes.body);
    b[p++] = 0; // attributes
    p = writeVarint(b, p, timestamp - this.baseTimestamp);
    p = writeVarint(b, p, this.count);
    p = writeData(b, p, key, sizes.key);
    p = writeData(b, p, value, sizes.value);
    if (headers === undefined) {
      b[p++] = 0;
    } else {
      p = writeHeaders(b, p, headers);
    }
    this.pos = p;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.count++;
    this.completions.push(completion);
    this.indexes.push(index);
    this.timestamps.push(timestamp);
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, Math.min(this.maxSize, this.buf.length * 2)));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The batch as sent: compressed on the first call, stamped with the producer's identity and sequence. */
  async toWire(compression: CompressionType, producerId: number, producerEpoch: number, transactional: boolean): Promise<Buffer> {
    if (!this.wire) {
      const records = this.buf.subarray(BATCH_HEADER_SIZE, this.pos);
      let wire: Buffer;
      if (compression === CompressionType.None) {
        wire = this.buf.subarray(0, this.pos);
      } else {
        const compressed = await compressAsync(compression, records);
        wire = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
        compressed.copy(wire, BATCH_HEADER_SIZE);
      }
      writeBatchHeader(wire, {
        compression,
        baseTimestamp: this.baseTimestamp,
        maxTimestamp: this.maxTimestamp,
        lastOffsetDelta: this.count - 1,
        recordCount: this.count,
        producerId,
        producerEpoch,
        baseSequence: this.sequence,
        isTransactional: transactional,
      });
      this.wire = wire;
      this.stamped = [producerId, producerEpoch, this.sequence];
      return wire;
    }
    const [id, epoch, sequence] = this.stamped!;
    if (id !== producerId || epoch !== producerEpoch || sequence !== this.sequence) {
      this.wire.writeBigInt64BE(BigInt(producerId), BATCH.producerId);
      this.wire.writeInt16BE(producerEpoch, BATCH.producerEpoch);
      this.wire.writeInt32BE(this.sequence, BATCH.baseSequence);
      rewriteBatchCrc(this.wire, 0, this.wire.length);
      this.stamped = [producerId, producerEpoch, this.sequence];
    }
    return this.wire;
  }

  /**
   * The records again, one batch each, ordered between this batch's id and the next (Java's split
   * of a batch the broker refused as too large). This batch is left empty and settled.
   */
  split(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    const c = new RecordCursor(this.buf, BATCH_HEADER_SIZE, this.pos);
    const sizes: RecordSizes = { key: 0, value: 0, body: 0, total: 0 };
    for (let i = 0; i < this.count; i++) {
      const end = c.varint() + c.pos;
      c.skip(1);
      c.varlong(); // timestamp delta: the timestamp is kept in `timestamps`
      c.varint();
      const key = c.nullableBytes();
      const value = c.nullableBytes();
      const headers: [string, Buffer | null][] = [];
      for (let h = c.varint(); h > 0; h--) headers.push([c.nullableBytes()!.toString('utf8'), c.nullableBytes()]);
      c.pos = end;
      recordSize(sizes, 0, 0, key, value, headers);
      const single = new ProducerBatch(this.topic, this.partition, this.id + i / this.count, this.maxSize, sizes.total, this.createdAt);
      single.append(this.timestamps[i], key, value, headers, sizes, this.completions[i], this.indexes[i]);
      single.closed = true;
      out.push(single);
    }
    this.count = 0;
    this.settle();
    return out;
  }

  /** Reports every record written at `baseOffset` (-1 when unknown); logAppendTime replaces the timestamps when not -1. */
  complete(baseOffset: number, logAppendTime: number): void {
    if (this.settled) return;
    for (let i = 0; i < this.count; i++) {
      this.completions[i].done(this.indexes[i], {
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTime >= 0 ? logAppendTime : this.timestamps[i],
      });
    }
    this.settle();
  }

  /** Fails every record of the batch. */
  fail(error: Error): void {
    if (this.settled) return;
    for (let i = 0; i < this.count; i++) this.completions[i].fail(this.indexes[i], error);
    this.settle();
  }

  /** Resolves once the batch completed or failed. */
  whenSettled(): Promise<void> {
    if (this.settled) return Promise.resolve();
    return new Promise((resolve) => this.onSettled.push(resolve));
  }

  private settle(): void {
    this.settled = true;
    this.buf = EMPTY;
    this.wire = null;
    for (const f of this.onSettled.splice(0)) f();
  }
}

const EMPTY = Buffer.alloc(0);

/** Sizes of one record's parts, worked out once and reused while writing it. */
export interface RecordSizes {
  /** Bytes of key/value (-1 = null). */
  key: number;
  value: number;
  /** The record body (after its length varint). */
  body: number;
  /** Everything the record adds to the batch. */
  total: number;
}

/** Fills `out` with the encoded sizes of a record at `offsetDelta`, `timestampDelta` from the batch start. */
export function recordSize(out: RecordSizes, timestampDelta: number, offsetDelta: number, key: RecordData, value: RecordData, headers: RecordHeaders | undefined): void {
  const k = dataLength(key);
  const v = dataLength(value);
  const body = 1 + varintSize(timestampDelta) + varintSize(offsetDelta) + (k < 0 ? 1 : varintSize(k) + k) + (v < 0 ? 1 : varintSize(v) + v)
    + (headers === undefined ? 1 : headersSize(headers));
  out.key = k;
  out.value = v;
  out.body = body;
  out.total = varintSize(body) + body;
}

function dataLength(d: RecordData | undefined): number {
  if (d === null || d === undefined) return -1;
  return typeof d === 'string' ? Buffer.byteLength(d, 'utf8') : d.length;
}

function headerEntries(headers: RecordHeaders): readonly (readonly [string, Buffer | string | null])[] {
  return Array.isArray(headers) ? headers : Object.entries(headers);
}

function headersSize(headers: RecordHeaders): number {
  const entries = headerEntries(headers);
  let size = varintSize(entries.length);
  for (const [name, value] of entries) {
    const n = Buffer.byteLength(name, 'utf8');
    const v = dataLength(value);
    size += varintSize(n) + n + (v < 0 ? 1 : varintSize(v) + v);
  }
  return size;
}

function writeHeaders(b: Buffer, p: number, headers: RecordHeaders): number {
  const entries = headerEntries(headers);
  p = writeVarint(b, p, entries.length);
  for (const [name, value] of entries) {
    p = writeData(b, p, name, Buffer.byteLength(name, 'utf8'));
    p = writeData(b, p, value, dataLength(value));
  }
  return p;
}

function writeData(b: Buffer, p: number, d: RecordData | undefined, length: number): number {
  if (length < 0 || d === null || d === undefined) {
    b[p] = 1; // zigzag(-1)
    return p + 1;
  }
  p = writeVarint(b, p, length);
  if (typeof d === 'string') {
    b.write(d, p, length, 'utf8');
  } else if (length < 32) {
    for (let i = 0; i < length; i++) b[p + i] = d[i];
  } else {
    d.copy(b, p); // measured faster than TypedArray#set here, and than a loop from ~32 bytes
  }
  return p + length;
}
