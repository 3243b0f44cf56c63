// Message format v0/v1 (compat doc 3.8): Produce v0-v2 message sets are
// converted to one v2 batch on the way in; stored v2 batches are converted
// down for Fetch v0-v1 (magic 0) and v2-v3 (magic 1) on the way out.
//
// Entry: offset int64, size int32, then the message: crc uint32 (CRC-32/IEEE
// over magic..end), magic int8, attributes int8 (codec bits 0-2, timestamp type
// bit 3 in magic 1), timestamp int64 (magic 1 only), key, value (int32-length
// bytes, -1 = null). A compressed wrapper holds an inner message set in its
// value; in magic 1 the inner offsets are relative and the wrapper carries the
// absolute offset of the last inner message. The magic byte sits at offset 16,
// as in a v2 batch, so `magicOf` tells the formats apart.
import { crc32 } from '@node-rs/crc32';
import { CompressionType, TimestampType, compressionOf, forEachBatch, isControlBatch, magicOf } from './batch.js';
import { compress, decompress } from './compression.js';
import { RecordErrorCode, RecordsError } from './errors.js';
import { buildBatch, decodeRecords } from './record.js';

export type LegacyMagic = 0 | 1;

/** A message as a consumer sees it: compressed wrappers are unpacked, offsets absolute. */
export interface LegacyMessage {
  offset: number;
  magic: LegacyMagic;
  /** -1 in magic 0. */
  timestamp: number;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
}

const ENTRY_HEADER = 12; // offset + size
const ATTR_CODEC = 0x07;
const ATTR_LOG_APPEND_TIME = 0x08;
const messageOverhead = (magic: number): number => 4 + 1 + 1 + (magic === 1 ? 8 : 0) + 4 + 4;

/** One top-level (shallow) entry of a message set. */
interface Entry {
  offset: number;
  magic: LegacyMagic;
  attributes: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Reads every message of a message set, unpacking compressed wrappers. A
 * trailing partial entry (fetch responses may end with one) is ignored.
 */
export function readLegacyMessages(messageSet: Buffer): LegacyMessage[] {
  return unpack(readEntries(messageSet, true));
}

/**
 * Converts a Produce v0-v2 message set into one v2 batch (base offset 0, no
 * producer id), as Kafka does on append. The batch keeps the wrapper's codec
 * unless `compression` names the topic's. Throws RecordsError: CORRUPT_MESSAGE
 * for bad CRCs, lengths and undecompressable wrappers; INVALID_RECORD for
 * mixed magics, several entries next to a compressed wrapper, or nested
 * compression; UNSUPPORTED_COMPRESSION_TYPE for zstd or unknown codecs.
 */
export function legacyToV2(messageSet: Buffer, opts: { compression?: CompressionType } = {}): Buffer {
  const entries = readEntries(messageSet, false);
  if (entries.length === 0) throw new RecordsError(RecordErrorCode.INVALID_RECORD, 'empty message set');
  const { magic } = entries[0];
  if (entries.some((e) => e.magic !== magic)) throw new RecordsError(RecordErrorCode.INVALID_RECORD, 'message set mixes magic 0 and 1');
  const sourceCodec: CompressionType = entries[0].attributes & ATTR_CODEC;
  if (entries.length > 1 && entries.some((e) => (e.attributes & ATTR_CODEC) !== CompressionType.None)) {
    throw new RecordsError(RecordErrorCode.INVALID_RECORD, 'a compressed message must be alone in its message set');
  }
  const messages = unpack(entries);
  const baseTimestamp = messages[0].timestamp;
  return buildBatch({
    records: messages.map((m, i) => ({
      offsetDelta: i, timestampDelta: m.timestamp - baseTimestamp, key: m.key, value: m.value, headers: [],
    })),
    baseTimestamp,
    compression: opts.compression ?? sourceCodec,
  });
}

/**
 * Converts stored v2 batches into a message set of the given magic, as Kafka's
 * broker does for old fetch versions: offsets, keys, values and timestamps
 * (magic 1) kept, headers dropped, control batches skipped, each compressed
 * batch recompressed into one wrapper with its own codec. Records below
 * `fromOffset` are dropped from uncompressed batches (librdkafka relies on it).
 * Trailing partial batches are ignored. zstd has no magic 0/1 form: as in
 * Kafka's LazyDownConversionRecords, conversion ends before the first zstd
 * batch, so the client reads what came before and fetches again from there;
 * when nothing comes before it, RecordsError(UNSUPPORTED_COMPRESSION_TYPE) is
 * thrown, Kafka's answer to that fetch. (Kafka converts in chunks of up to
 * 128 KiB and may stop at the start of the chunk holding the zstd batch.)
 */
export function v2ToLegacy(batches: Buffer, magic: LegacyMagic, opts: { fromOffset?: number } = {}): Buffer {
  const fromOffset = opts.fromOffset ?? -1;
  const parts: Buffer[] = [];
  let zstdSeen = false;
  forEachBatch(batches, (at) => {
    if (zstdSeen) return;
    if (magicOf(batches, at) !== 2) throw new RecordsError(RecordErrorCode.CORRUPT_MESSAGE, `stored batch at ${at} is not magic 2`);
    if (isControlBatch(batches, at)) return;
    const codec = compressionOf(batches, at);
    if (codec === CompressionType.Zstd) {
      if (parts.length === 0) throw new RecordsError(RecordErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `zstd batches cannot be converted to magic ${magic}`);
      zstdSeen = true;
      return;
    }
    const batch = decodeRecords(batches, at);
    const timestampAttr = magic === 1 && batch.timestampType === TimestampType.LogAppendTime ? ATTR_LOG_APPEND_TIME : 0;
    if (codec === CompressionType.None) {
      for (const r of batch.records) {
        if (r.offset >= fromOffset) parts.push(writeEntry(r.offset, magic, timestampAttr, r.timestamp, r.key, r.value));
      }
      return;
    }
    const { records } = batch;
    if (records.length === 0) return;
    const first = records[0].offset;
    let maxTimestamp = -1;
    const inner = records.map((r) => {
      if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
      return writeEntry(magic === 1 ? r.offset - first : r.offset, magic, timestampAttr, r.timestamp, r.key, r.value);
    });
    const wrapperTimestamp = timestampAttr ? batch.maxTimestamp : maxTimestamp;
    const value = compress(codec, Buffer.concat(inner), magic);
    parts.push(writeEntry(records[records.length - 1].offset, magic, codec | timestampAttr, wrapperTimestamp, null, value));
  });
  return Buffer.concat(parts);
}

function corrupt(message: string): RecordsError {
  return new RecordsError(RecordErrorCode.CORRUPT_MESSAGE, message);
}

/** Shallow entries; a partial last entry is skipped when `partialTailOk`, else it is corrupt. */
function readEntries(buf: Buffer, partialTailOk: boolean): Entry[] {
  const entries: Entry[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + ENTRY_HEADER + messageOverhead(0) > buf.length) {
      if (partialTailOk) break;
      throw corrupt(`truncated message at ${at}`);
    }
    const size = buf.readInt32BE(at + 8);
    const start = at + ENTRY_HEADER;
    const end = start + size;
    if (size < messageOverhead(0)) throw corrupt(`message at ${at} has a bad size ${size}`);
    if (end > buf.length) {
      if (partialTailOk) break;
      throw corrupt(`message at ${at} runs past the end of the message set`);
    }
    const magic = buf.readInt8(start + 4);
    if (magic !== 0 && magic !== 1) throw corrupt(`message at ${at} has magic ${magic}`);
    if (size < messageOverhead(magic)) throw corrupt(`message at ${at} has a bad size ${size}`);
    if (crc32(buf.subarray(start + 4, end)) >>> 0 !== buf.readUInt32BE(start)) throw corrupt(`message at ${at} fails its CRC check`);

    let pos = start + 6;
    const timestamp = magic === 1 ? Number(buf.readBigInt64BE(pos)) : -1;
    if (magic === 1) pos += 8;
    const key = readBytes(buf, pos, end, at);
    pos += 4 + (key?.length ?? 0);
    const value = readBytes(buf, pos, end, at);
    pos += 4 + (value?.length ?? 0);
    if (pos !== end) throw corrupt(`message at ${at} has ${end - pos} bytes after its value`);
    entries.push({ offset: Number(buf.readBigInt64BE(at)), magic, attributes: buf[start + 5], timestamp, key, value });
    at = end;
  }
  return entries;
}

function readBytes(buf: Buffer, pos: number, end: number, entryAt: number): Buffer | null {
  if (pos + 4 > end) throw corrupt(`message at ${entryAt} ends early`);
  const n = buf.readInt32BE(pos);
  if (n < -1 || pos + 4 + n > end) throw corrupt(`message at ${entryAt} has a bad field length ${n}`);
  return n < 0 ? null : buf.subarray(pos + 4, pos + 4 + n);
}

/** Deep iteration: plain messages as they are, compressed wrappers replaced by their inner messages. */
function unpack(entries: Entry[]): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  for (const e of entries) {
    const codec: CompressionType = e.attributes & ATTR_CODEC;
    if (codec === CompressionType.None) {
      out.push(toMessage(e, e.offset, e));
      continue;
    }
    if (codec === CompressionType.Zstd) throw new RecordsError(RecordErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd needs magic 2');
    if (e.value === null) throw corrupt(`compressed message at offset ${e.offset} has no value`);
    const inner = readEntries(decompress(codec, e.value, e.magic), false);
    if (inner.length === 0) throw corrupt(`compressed message at offset ${e.offset} is empty`);
    // magic 1: inner offsets are relative; the wrapper holds the last one's absolute offset.
    const shift = e.magic === 1 ? e.offset - inner[inner.length - 1].offset : 0;
    // A LogAppendTime wrapper's timestamp stands for all its inner messages.
    const timeSource = isLogAppendTime(e) ? e : null;
    for (const m of inner) {
      if (m.magic !== e.magic) throw new RecordsError(RecordErrorCode.INVALID_RECORD, `inner message magic ${m.magic} in a magic ${e.magic} wrapper`);
      if ((m.attributes & ATTR_CODEC) !== 0) throw new RecordsError(RecordErrorCode.INVALID_RECORD, 'nested compressed message');
      out.push(toMessage(m, m.offset + shift, timeSource ?? m));
    }
  }
  return out;
}

const isLogAppendTime = (e: Entry): boolean => e.magic === 1 && (e.attributes & ATTR_LOG_APPEND_TIME) !== 0;

function toMessage(e: Entry, offset: number, timeSource: Entry): LegacyMessage {
  return {
    offset,
    magic: e.magic,
    timestamp: timeSource.timestamp,
    timestampType: isLogAppendTime(timeSource) ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    key: e.key,
    value: e.value,
  };
}

function writeEntry(offset: number, magic: LegacyMagic, attributes: number, timestamp: number, key: Buffer | null, value: Buffer | null): Buffer {
  const size = messageOverhead(magic) + (key?.length ?? 0) + (value?.length ?? 0);
  const b = Buffer.allocUnsafe(ENTRY_HEADER + size);
  b.writeBigInt64BE(BigInt(offset), 0);
  b.writeInt32BE(size, 8);
  let pos = ENTRY_HEADER + 4;
  b.writeInt8(magic, pos++);
  b.writeInt8(attributes, pos++);
  if (magic === 1) {
    b.writeBigInt64BE(BigInt(timestamp), pos);
    pos += 8;
  }
  for (const field of [key, value]) {
    b.writeInt32BE(field?.length ?? -1, pos);
    pos += 4;
    if (field) pos += field.copy(b, pos);
  }
  b.writeUInt32BE(crc32(b.subarray(ENTRY_HEADER + 4)) >>> 0, ENTRY_HEADER);
  return b;
}
