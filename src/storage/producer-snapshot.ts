// Kafka's producer-state snapshot files (<offset>.snapshot, ProducerStateManager's format):
// version int16 (1), CRC-32C uint32 over everything after it, then an int32-counted array of
// 46-byte entries (producer id int64, epoch int16, last sequence int32, last offset int64, offset
// delta int32, timestamp int64, coordinator epoch int32, current transaction first offset int64).
// A snapshot at offset N holds the state of every batch below N.
import { crc32c } from '@node-rs/crc32';
import { closeSync, fsyncSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CorruptSnapshotError } from './errors.js';
import { SNAPSHOT_SUFFIX, parseSnapshotFileName, segmentPath } from './file-names.js';
import { ProducerStateEntry } from './producer-state.js';

const SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const HEADER_SIZE = ENTRIES_OFFSET + 4;
const ENTRY_SIZE = 46;

export function encodeSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const b = Buffer.alloc(HEADER_SIZE + list.length * ENTRY_SIZE);
  b.writeInt16BE(SNAPSHOT_VERSION, 0);
  b.writeInt32BE(list.length, ENTRIES_OFFSET);
  let at = HEADER_SIZE;
  for (const e of list) {
    b.writeBigInt64BE(BigInt(e.producerId), at);
    b.writeInt16BE(e.producerEpoch, at + 8);
    b.writeInt32BE(e.lastSeq, at + 10);
    b.writeBigInt64BE(BigInt(e.lastDataOffset), at + 14);
    b.writeInt32BE(e.lastOffsetDelta, at + 22);
    b.writeBigInt64BE(BigInt(e.lastTimestamp), at + 26);
    b.writeInt32BE(e.coordinatorEpoch, at + 34);
    b.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), at + 38);
    at += ENTRY_SIZE;
  }
  b.writeUInt32BE(crc32c(b.subarray(ENTRIES_OFFSET)) >>> 0, CRC_OFFSET);
  return b;
}

/** The producers of a snapshot; throws CorruptSnapshotError on a wrong version, CRC or length. */
export function decodeSnapshot(b: Buffer): ProducerStateEntry[] {
  if (b.length < HEADER_SIZE) throw new CorruptSnapshotError(`Snapshot failed schema validation: ${b.length} bytes`);
  const version = b.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) throw new CorruptSnapshotError(`Snapshot contained an unknown file version ${version}`);
  const crc = b.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(b.subarray(ENTRIES_OFFSET)) >>> 0;
  if (crc !== computed) {
    throw new CorruptSnapshotError(`Snapshot is corrupt (CRC is no longer valid). Stored crc: ${crc}. Computed crc: ${computed}`);
  }
  const count = b.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || b.length !== HEADER_SIZE + count * ENTRY_SIZE) {
    throw new CorruptSnapshotError(`Snapshot failed schema validation: ${count} entries in ${b.length} bytes`);
  }
  const entries: ProducerStateEntry[] = [];
  for (let i = 0, at = HEADER_SIZE; i < count; i++, at += ENTRY_SIZE) {
    const lastOffset = Number(b.readBigInt64BE(at + 14));
    const timestamp = Number(b.readBigInt64BE(at + 26));
    const batches = lastOffset >= 0 ? [{ lastSeq: b.readInt32BE(at + 10), lastOffset, offsetDelta: b.readInt32BE(at + 22), timestamp }] : [];
    entries.push(new ProducerStateEntry(
      Number(b.readBigInt64BE(at)),
      b.readInt16BE(at + 8),
      b.readInt32BE(at + 34),
      timestamp,
      Number(b.readBigInt64BE(at + 38)),
      batches,
    ));
  }
  return entries;
}

export const snapshotPath = (dir: string, offset: number): string => segmentPath(dir, offset, SNAPSHOT_SUFFIX);

/** Offsets of the snapshot files in a partition directory, ascending. */
export function listSnapshots(dir: string): number[] {
  const offsets: number[] = [];
  for (const name of readdirSync(dir)) {
    const offset = parseSnapshotFileName(name);
    if (offset !== undefined) offsets.push(offset);
  }
  return offsets.sort((a, b) => a - b);
}

/**
 * Writes the snapshot at `offset` synchronously (appends wait for it: it is taken at a roll or
 * at close). `sync` fsyncs it too; a snapshot torn by a power loss fails its CRC and an older one is used.
 */
export function writeSnapshot(dir: string, offset: number, entries: Iterable<ProducerStateEntry>, sync: boolean): void {
  const data = encodeSnapshot(entries);
  const fd = openSync(snapshotPath(dir, offset), 'w');
  try {
    for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, done);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function readSnapshot(dir: string, offset: number): Promise<ProducerStateEntry[]> {
  return decodeSnapshot(await readFile(snapshotPath(dir, offset)));
}

export function deleteSnapshot(dir: string, offset: number): void {
  try {
    unlinkSync(snapshotPath(dir, offset));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
