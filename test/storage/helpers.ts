// Test helpers for storage: minimal v2 batch building/decoding (uncompressed records only; the
// full record codec lives in src/protocol/records), temp dirs, and the shared reference files.
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BATCH, BATCH_HEADER_SIZE, computeBatchCrc, recordCountOf } from '../../src/protocol/records/batch.js';

/** /work/shared, resolved from dist/test/storage/helpers.js. */
export const SHARED_DIR = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const KAFKA_LOGDIR = join(SHARED_DIR, 'reference', 'kafka-2.4.1-logdir');

export interface TestRecord {
  key?: string | null;
  value: string | Buffer | null;
  timestampDelta?: number;
  headers?: Array<[string, string]>;
}

export interface BatchOptions {
  baseTimestamp?: number;
  /** Written as given; defaults to the largest record timestamp. */
  maxTimestamp?: number;
  baseOffset?: number;
}

/** An uncompressed v2 batch with a valid CRC (baseOffset 0, leader epoch -1, no producer id). */
export function buildBatch(records: TestRecord[], opts: BatchOptions = {}): Buffer {
  const baseTimestamp = opts.baseTimestamp ?? 1_700_000_000_000;
  const body = Buffer.concat(records.map((r, i) => encodeRecord(r, i)));
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  const maxDelta = Math.max(...records.map((r) => r.timestampDelta ?? 0));
  batch.writeBigInt64BE(BigInt(opts.baseOffset ?? 0), BATCH.baseOffset);
  batch.writeInt32BE(batch.length - 12, BATCH.batchLength);
  batch.writeInt32BE(-1, BATCH.partitionLeaderEpoch);
  batch.writeInt8(2, BATCH.magic);
  batch.writeInt16BE(0, BATCH.attributes);
  batch.writeInt32BE(records.length - 1, BATCH.lastOffsetDelta);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BATCH.baseTimestamp);
  batch.writeBigInt64BE(BigInt(opts.maxTimestamp ?? baseTimestamp + maxDelta), BATCH.maxTimestamp);
  batch.writeBigInt64BE(-1n, BATCH.producerId);
  batch.writeInt16BE(-1, BATCH.producerEpoch);
  batch.writeInt32BE(-1, BATCH.baseSequence);
  batch.writeInt32BE(records.length, BATCH.recordCount);
  body.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BATCH.crc);
  return batch;
}

/** `count` records of `valueSize` bytes each, values tagged with `tag` and the record index. */
export function valueBatch(count: number, valueSize: number, tag = 'v', opts: BatchOptions = {}): Buffer {
  const records: TestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(valueSize, 'x');
    value.write(`${tag}-${i};`);
    records.push({ value, timestampDelta: i });
  }
  return buildBatch(records, opts);
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

/** Decodes the records of uncompressed batches (whole batches, one after another). */
export function decodeBatches(buf: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (let at = 0; at + BATCH_HEADER_SIZE <= buf.length; ) {
    const size = 12 + buf.readInt32BE(at + BATCH.batchLength);
    const baseOffset = Number(buf.readBigInt64BE(at));
    const baseTimestamp = Number(buf.readBigInt64BE(at + BATCH.baseTimestamp));
    const cursor = { at: at + BATCH_HEADER_SIZE };
    for (let i = 0; i < recordCountOf(buf, at); i++) {
      const length = readVarint(buf, cursor);
      const end = cursor.at + length;
      cursor.at++; // attributes
      const timestampDelta = readVarint(buf, cursor);
      const offsetDelta = readVarint(buf, cursor);
      const key = readBytes(buf, cursor);
      const value = readBytes(buf, cursor);
      out.push({ offset: baseOffset + offsetDelta, timestamp: baseTimestamp + timestampDelta, key, value });
      cursor.at = end;
    }
    at += size;
  }
  return out;
}

/** A fresh directory under os.tmpdir(); removed by the returned function. */
export function makeTempDir(prefix = 'samsa-storage-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Copies the Kafka-written reference log dir (read-only files) into `dest`, writable. */
export function copyKafkaLogDir(dest: string): void {
  cpSync(KAFKA_LOGDIR, dest, { recursive: true });
  makeWritable(dest);
}

function makeWritable(path: string): void {
  const isDir = statSync(path).isDirectory();
  chmodSync(path, isDir ? 0o755 : 0o644);
  if (isDir) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

function encodeRecord(r: TestRecord, offsetDelta: number): Buffer {
  const parts: Buffer[] = [
    Buffer.from([0]),
    varint(r.timestampDelta ?? 0),
    varint(offsetDelta),
    bytesField(r.key ?? null),
    bytesField(r.value),
    varint(r.headers?.length ?? 0),
  ];
  for (const [k, v] of r.headers ?? []) parts.push(bytesField(k), bytesField(v));
  const body = Buffer.concat(parts);
  return Buffer.concat([varint(body.length), body]);
}

function bytesField(v: string | Buffer | null): Buffer {
  if (v === null) return varint(-1);
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  return Buffer.concat([varint(b.length), b]);
}

function varint(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const bytes: number[] = [];
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

function readVarint(buf: Buffer, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = buf[cursor.at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    scale *= 128;
  }
}

function readBytes(buf: Buffer, cursor: { at: number }): string | null {
  const length = readVarint(buf, cursor);
  if (length < 0) return null;
  const s = buf.toString('utf8', cursor.at, cursor.at + length);
  cursor.at += length;
  return s;
}
