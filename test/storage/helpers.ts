// Test helpers for storage: v2 batches from plain strings (through the record codec in
// src/protocol/records), temp dirs, and the shared reference files.
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileCache } from '../../src/storage/file-cache.js';
import { buildBatch as buildRecordBatch, decodeBatches as decodeRecordBatches } from '../../src/protocol/records/record.js';

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
  const bytes = (v: string | Buffer | null | undefined): Buffer | null => (v === null || v === undefined ? null : Buffer.from(v));
  return buildRecordBatch({
    baseOffset: opts.baseOffset ?? 0,
    baseTimestamp: opts.baseTimestamp ?? 1_700_000_000_000,
    maxTimestamp: opts.maxTimestamp,
    records: records.map((r, i) => ({
      offsetDelta: i,
      timestampDelta: r.timestampDelta ?? 0,
      key: bytes(r.key),
      value: bytes(r.value),
      headers: (r.headers ?? []).map(([key, value]) => ({ key, value: Buffer.from(value) })),
    })),
  });
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

/** Decodes the records of whole batches, one after another. */
export function decodeBatches(buf: Buffer): DecodedRecord[] {
  return decodeRecordBatches(buf).flatMap((b) => b.records.map((r) => ({
    offset: r.offset, timestamp: r.timestamp, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null,
  })));
}

/** A fresh directory under os.tmpdir(); removed by the returned function. */
export function makeTempDir(prefix = 'samsa-storage-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temp dir and a file cache for the tests of one file, closed and removed after them. */
export function tempStorage(maxOpenFiles: number): { tmp: ReturnType<typeof makeTempDir>; files: FileCache } {
  const tmp = makeTempDir();
  const files = new FileCache(maxOpenFiles);
  after(() => {
    files.closeAll();
    tmp.remove();
  });
  return { tmp, files };
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

/** One segment as its .log file shows it. */
export interface SegmentFile {
  base: number;
  size: number;
  /** Largest batch max timestamp in the file. */
  maxTimestamp: number;
}

/** The live segment files of a partition directory, read from their bytes (batch header: length at 8, max timestamp at 35). */
export function segmentFiles(dir: string): SegmentFile[] {
  return readdirSync(dir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => {
      const buf = readFileSync(join(dir, name));
      let maxTimestamp = -1;
      for (let at = 0; at + 61 <= buf.length; at += 12 + buf.readInt32BE(at + 8)) {
        maxTimestamp = Math.max(maxTimestamp, Number(buf.readBigInt64BE(at + 35)));
      }
      return { base: Number(name.slice(0, 20)), size: buf.length, maxTimestamp };
    });
}
