// What the cleaner keeps of one record batch: Kafka's cleaner RecordFilter applied through
// MemoryRecords.filterTo. A batch is dropped, written unchanged, reduced to an empty header (the
// last batch of an active producer: its sequence and epoch must survive), or rebuilt from its
// retained records with its own codec. A rebuilt batch keeps its base offset, last offset delta,
// producer fields and leader epoch; records keep their offsets (gaps are fine) and timestamps. A
// batch that keeps a tombstone or an emptied transaction's marker gets a delete horizon (now +
// delete.retention.ms) as its base timestamp, flagged in its attributes, as Kafka 3.x writes it;
// once that time has passed a later cleaning drops them.
import { varintSize } from '../../protocol/primitives.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH,
  BATCH_HEADER_SIZE,
  CompressionType,
  LOG_OVERHEAD,
  attributesOf,
  baseOffsetOf,
  baseTimestampOf,
  lastOffsetOf,
  maxTimestampOf,
  producerEpochOf,
  recordCountOf,
  rewriteBatchCrc,
} from '../../protocol/records/batch.js';
import { compress, decompress } from '../../protocol/records/compression.js';
import { ControlRecordType, controlRecordType } from '../../protocol/records/control-record.js';
import { RecordCursor } from '../../protocol/records/cursor.js';
import { writeVarint } from '../../protocol/records/record.js';
import { hasProducerId } from '../producer-state.js';
import type { OffsetMap } from './offset-map.js';
import type { CleanedTransactionMetadata } from './txn-metadata.js';

/** A producer's last data batch (or, without one, its epoch at its last marker): kept for its sequence state. */
export interface LastRecord {
  /** Last offset of its last data batch, -1 when its last entry is a marker. */
  lastDataOffset: number;
  producerEpoch: number;
}

export interface FilterContext {
  map: OffsetMap;
  /** The time the cleaning started (Kafka's currentTime). */
  now: number;
  deleteRetentionMs: number;
  txns: CleanedTransactionMetadata;
  lastRecordsOfActiveProducers: ReadonlyMap<number, LastRecord>;
}

/** Where a record lies in an uncompressed records block. */
interface RecordSpan {
  /** Its first byte (the length varint) and its end. */
  start: number;
  end: number;
  /** Where the offset delta varint starts: everything from there on is copied as it is. */
  tail: number;
  offset: number;
  timestamp: number;
  /** -1 for a null key. */
  keyStart: number;
  keyEnd: number;
  hasValue: boolean;
}

export interface FilterOutcome {
  /** The batch to write, or undefined when nothing of it stays. */
  batch: Buffer | undefined;
  recordsRead: number;
  recordsKept: number;
}

const int64At = (b: Buffer, at: number): number => b.readInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);
const producerIdAt = (b: Buffer, at: number): number => int64At(b, at + BATCH.producerId);

/** Filters the whole batch buf[at, at + size). */
export function filterBatch(buf: Buffer, at: number, size: number, ctx: FilterContext): FilterOutcome {
  const attributes = attributesOf(buf, at);
  const isControl = (attributes & ATTR_CONTROL) !== 0;
  const hasDeleteHorizon = (attributes & ATTR_DELETE_HORIZON) !== 0;
  const deleteHorizon = hasDeleteHorizon ? baseTimestampOf(buf, at) : -1;
  const baseOffset = baseOffsetOf(buf, at);
  const lastOffset = lastOffsetOf(buf, at);
  const producerId = producerIdAt(buf, at);
  const logAppendTime = (attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? maxTimestampOf(buf, at) : undefined;
  const block = recordsBlock(buf, at, size, attributes);
  const records = scanRecords(block, recordCountOf(buf, at), baseOffset, baseTimestampOf(buf, at), logAppendTime);

  const canDiscardBatch = isControl
    ? ctx.txns.onControlBatchRead(producerId, lastOffset, markerType(block, records))
    : ctx.txns.onBatchRead(producerId, lastOffset, (attributes & ATTR_TRANSACTIONAL) !== 0);
  const discardBatchRecords = isControl ? canDiscardBatch && hasDeleteHorizon && deleteHorizon <= ctx.now : canDiscardBatch;
  const retainEmpty = hasProducerId(buf, at) && isLastBatchOfProducer(ctx, producerId, lastOffset, isControl, producerEpochOf(buf, at));
  if (!retainEmpty && discardBatchRecords) return { batch: undefined, recordsRead: 0, recordsKept: 0 };

  const kept: RecordSpan[] = [];
  let containsTombstones = false;
  if (!discardBatchRecords) {
    for (const r of records) {
      if (!isControl && !shouldRetainRecord(ctx, r, block, hasDeleteHorizon, deleteHorizon)) continue;
      kept.push(r);
      if (!r.hasValue) containsTombstones = true;
    }
  }
  const outcome = { recordsRead: records.length, recordsKept: kept.length };
  if (kept.length > 0) {
    const needsDeleteHorizon = (containsTombstones || (canDiscardBatch && isControl)) && !hasDeleteHorizon;
    if (kept.length === records.length && !needsDeleteHorizon) return { batch: buf.subarray(at, at + size), ...outcome };
    const horizon = needsDeleteHorizon ? ctx.now + ctx.deleteRetentionMs : deleteHorizon;
    return { batch: rebuildBatch(buf, at, attributes, block, kept, horizon, logAppendTime), ...outcome };
  }
  return { batch: retainEmpty ? emptyBatch(buf, at, attributes) : undefined, ...outcome };
}

/** Kafka's isBatchLastRecordOfProducer. */
function isLastBatchOfProducer(ctx: FilterContext, producerId: number, lastOffset: number, isControl: boolean, epoch: number): boolean {
  const last = ctx.lastRecordsOfActiveProducers.get(producerId);
  if (!last) return false;
  return last.lastDataOffset >= 0 ? lastOffset === last.lastDataOffset : isControl && epoch === last.producerEpoch;
}

/** Kafka's Cleaner.shouldRetainRecord for a data record. */
function shouldRetainRecord(ctx: FilterContext, r: RecordSpan, block: Buffer, hasDeleteHorizon: boolean, deleteHorizon: number): boolean {
  if (r.offset > ctx.map.latestOffset) return true;
  if (r.keyStart < 0) return false;
  if (r.offset < ctx.map.get(block, r.keyStart, r.keyEnd)) return false;
  return r.hasValue || !hasDeleteHorizon || ctx.now < deleteHorizon;
}

/** COMMIT (true) or ABORT (false) of the control batch buf[at, at + size); undefined when it has no record left. */
export function controlBatchType(buf: Buffer, at: number, size: number): boolean | undefined {
  const block = recordsBlock(buf, at, size, attributesOf(buf, at));
  return markerType(block, scanRecords(block, Math.min(1, recordCountOf(buf, at)), baseOffsetOf(buf, at), 0, undefined));
}

function markerType(block: Buffer, records: readonly RecordSpan[]): boolean | undefined {
  const first = records[0];
  if (!first) return undefined;
  const key = first.keyStart < 0 ? null : block.subarray(first.keyStart, first.keyEnd);
  return controlRecordType(key) === ControlRecordType.COMMIT;
}

function recordsBlock(buf: Buffer, at: number, size: number, attributes: number): Buffer {
  const data = buf.subarray(at + BATCH.records, at + size);
  const codec = (attributes & ATTR_COMPRESSION_MASK) as CompressionType;
  return codec === CompressionType.None ? data : decompress(codec, data);
}

/** Locates each record of an uncompressed block; throws RecordsError on malformed bytes. */
function scanRecords(block: Buffer, count: number, baseOffset: number, baseTimestamp: number, logAppendTime: number | undefined): RecordSpan[] {
  const records: RecordSpan[] = [];
  const c = new RecordCursor(block, 0, block.length);
  for (let i = 0; i < count; i++) {
    const start = c.pos;
    const length = c.varint();
    const end = c.pos + length;
    c.skip(1); // attributes
    const timestampDelta = c.varlong();
    const tail = c.pos;
    const offsetDelta = c.varint();
    const keyLength = c.varint();
    const keyStart = keyLength < 0 ? -1 : c.pos;
    if (keyLength > 0) c.skip(keyLength);
    const valueLength = c.varint();
    c.pos = end;
    records.push({
      start,
      end,
      tail,
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      keyStart,
      keyEnd: keyStart < 0 ? -1 : keyStart + keyLength,
      hasValue: valueLength >= 0,
    });
  }
  return records;
}

/**
 * The batch with only `kept`, as Kafka's MemoryRecordsBuilder writes it: base timestamp the
 * delete horizon (when >= 0) or the first record's timestamp, record attributes 0, timestamp
 * deltas from the new base, the rest of each record copied as it was.
 */
function rebuildBatch(
  buf: Buffer, at: number, attributes: number, block: Buffer, kept: readonly RecordSpan[], deleteHorizon: number, logAppendTime: number | undefined,
): Buffer {
  const baseTimestamp = deleteHorizon >= 0 ? deleteHorizon : kept[0].timestamp;
  let blockSize = 0;
  let maxTimestamp = -1;
  const bodySizes = kept.map((r) => {
    const body = 1 + varintSize(r.timestamp - baseTimestamp) + (r.end - r.tail);
    blockSize += varintSize(body) + body;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    return body;
  });
  const out = Buffer.allocUnsafe(blockSize);
  let pos = 0;
  kept.forEach((r, i) => {
    pos = writeVarint(out, pos, bodySizes[i]);
    out[pos++] = 0;
    pos = writeVarint(out, pos, r.timestamp - baseTimestamp);
    pos += block.copy(out, pos, r.tail, r.end);
  });
  const codec = (attributes & ATTR_COMPRESSION_MASK) as CompressionType;
  const body = codec === CompressionType.None ? out : compress(codec, out);
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
  buf.copy(batch, 0, at, at + BATCH.records);
  batch.set(body, BATCH.records);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH.batchLength);
  const flags = deleteHorizon >= 0 ? attributes | ATTR_DELETE_HORIZON : attributes & ~ATTR_DELETE_HORIZON;
  batch.writeInt16BE(flags, BATCH.attributes);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BATCH.baseTimestamp);
  batch.writeBigInt64BE(BigInt(logAppendTime ?? maxTimestamp), BATCH.maxTimestamp);
  batch.writeInt32BE(kept.length, BATCH.recordCount);
  rewriteBatchCrc(batch, 0, batch.length);
  return batch;
}

/** Kafka's DefaultRecordBatch.writeEmptyHeader: the header alone, uncompressed, no records, no base timestamp. */
function emptyBatch(buf: Buffer, at: number, attributes: number): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  buf.copy(batch, 0, at, at + BATCH.records);
  batch.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, BATCH.batchLength);
  batch.writeInt16BE(attributes & (ATTR_TIMESTAMP_TYPE | ATTR_TRANSACTIONAL | ATTR_CONTROL), BATCH.attributes);
  batch.writeBigInt64BE(-1n, BATCH.baseTimestamp);
  batch.writeInt32BE(0, BATCH.recordCount);
  rewriteBatchCrc(batch, 0, batch.length);
  return batch;
}
