// Record-level timestamps inside one batch, for ListOffsets by timestamp. Reads only each
// record's length, attributes, timestampDelta and offsetDelta varints. Compressed batches need
// the broker's decompressor; without one the batch-level answer is used.
import {
  ATTR_TIMESTAMP_TYPE,
  BATCH,
  CompressionType,
  attributesOf,
  baseOffsetOf,
  baseTimestampOf,
  compressionOf,
  maxTimestampOf,
  recordCountOf,
} from '../protocol/records/batch.js';
import { CorruptLogError } from './errors.js';
import type { TimestampOffset } from './time-index.js';

/** Decompresses a batch's records section (the bytes after the 61-byte header). */
export type Decompress = (codec: CompressionType, data: Buffer) => Buffer;

/**
 * Calls `fn(offset, timestamp)` per record until it returns true; resolves that record, or
 * undefined. Returns null when the records cannot be read (compressed, no decompressor).
 */
export function findRecord(
  batch: Buffer,
  decompress: Decompress | undefined,
  fn: (offset: number, timestamp: number) => boolean,
): TimestampOffset | undefined | null {
  const baseOffset = baseOffsetOf(batch);
  const logAppendTime = (attributesOf(batch) & ATTR_TIMESTAMP_TYPE) !== 0;
  const maxTimestamp = maxTimestampOf(batch);
  const baseTimestamp = baseTimestampOf(batch);
  const codec = compressionOf(batch);
  let records = batch.subarray(BATCH.records);
  if (codec !== CompressionType.None) {
    if (!decompress) return null;
    records = decompress(codec, records);
  }
  const count = recordCountOf(batch);
  const cursor = { at: 0 };
  for (let i = 0; i < count && cursor.at < records.length; i++) {
    const length = readVarint(records, cursor);
    const next = cursor.at + length;
    cursor.at++; // attributes
    const timestampDelta = readVarint(records, cursor);
    const offsetDelta = readVarint(records, cursor);
    const record = {
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta,
    };
    if (fn(record.offset, record.timestamp)) return record;
    cursor.at = next;
  }
  return undefined;
}

/** Zigzag varint/varlong as a JS number (exact below 2^53). */
function readVarint(buf: Buffer, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (cursor.at >= buf.length) break;
    const byte = buf[cursor.at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    scale *= 128;
  }
  throw new CorruptLogError('malformed varint in record');
}
