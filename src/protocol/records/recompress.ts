// Recompression on produce: where a topic's compression.type names a codec
// and a producer's batch uses another (uncompressed counts as one), the
// broker stores the records in a new magic-2 batch with the topic's codec, as
// Kafka's LogValidator.buildRecordsAndAssignOffsets does. The new batch keeps
// the producer id, epoch, base sequence, transactional flag and every
// record's timestamp, key, value and headers; as in Kafka's
// MemoryRecordsBuilder, records get offset deltas 0..n-1, attributes 0 and
// timestamp deltas from the first record's timestamp, which becomes the base
// timestamp. The batch comes out as CreateTime with base offset 0: the log
// append assigns offsets and, on a LogAppendTime topic, sets the timestamp
// type and the max timestamp (Kafka's builder writes the topic's type and the
// append time at the same point). (De)compression runs off the event loop;
// the record pass in between stays on it (about 1 ms per MiB of 100-byte
// records), and records already laid out as Kafka would write them are not
// re-encoded.
import {
  BATCH, CompressionType, baseTimestampOf, compressionOf, isTransactionalBatch, partitionLeaderEpochOf, producerEpochOf,
  producerIdOf, baseSequenceOf, recordCountOf,
} from './batch.js';
import { compressAsync, decompressAsync } from './compression.js';
import { RecordCursor, malformed } from './cursor.js';
import { encodeRecords, readRecords, writeBatchHeader } from './record.js';

export interface TargetCompression {
  type: CompressionType;
  /** Kafka's compression.<codec>.level for the target codec (see compressAsync). */
  level?: number;
}

/**
 * The single validated magic-2 batch `batch` (base offset 0, as a producer
 * sends it) rewritten with the target codec. Throws RecordsError when its
 * records cannot be decompressed or parsed.
 */
export async function recompressBatch(batch: Buffer, target: TargetCompression): Promise<Buffer> {
  const source = compressionOf(batch);
  const count = recordCountOf(batch);
  const sent = batch.subarray(BATCH.records);
  let block = source === CompressionType.None ? sent : await decompressAsync(source, sent);
  let baseTimestamp = baseTimestampOf(batch);
  const layout = surveyRecords(block, count);
  let { maxTimestampDelta } = layout;
  if (!layout.asKafkaWrites) {
    const records = readRecords(block, count, 0, baseTimestamp);
    baseTimestamp = records[0].timestamp;
    block = encodeRecords(records.map((r, i) => ({ ...r, offsetDelta: i, timestampDelta: r.timestamp - baseTimestamp })));
    maxTimestampDelta = -Infinity;
    for (const r of records) maxTimestampDelta = Math.max(maxTimestampDelta, r.timestamp - baseTimestamp);
  }
  const body = target.type === CompressionType.None ? block : await compressAsync(target.type, block, { level: target.level });
  const out = Buffer.allocUnsafe(BATCH.records + body.length);
  out.set(body, BATCH.records);
  writeBatchHeader(out, {
    compression: target.type,
    partitionLeaderEpoch: partitionLeaderEpochOf(batch),
    lastOffsetDelta: count - 1,
    baseTimestamp,
    maxTimestamp: baseTimestamp + maxTimestampDelta,
    producerId: producerIdOf(batch),
    producerEpoch: producerEpochOf(batch),
    baseSequence: baseSequenceOf(batch),
    isTransactional: isTransactionalBatch(batch),
    recordCount: count,
  });
  return out;
}

/**
 * One pass over the record varints: whether the records already are as Kafka
 * rebuilds them (attributes 0, offset deltas 0..count-1, first timestamp delta
 * 0), and their largest timestamp delta. Throws RecordsError(INVALID_RECORD)
 * on malformed bytes.
 */
function surveyRecords(block: Buffer, count: number): { asKafkaWrites: boolean; maxTimestampDelta: number } {
  const c = new RecordCursor(block, 0, block.length);
  let asKafkaWrites = true;
  let maxTimestampDelta = -Infinity;
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    const end = c.pos + length;
    const attributes = block[c.skip(1) - 1];
    const timestampDelta = c.varlong();
    const offsetDelta = c.varint();
    if (attributes !== 0 || offsetDelta !== i || (i === 0 && timestampDelta !== 0)) asKafkaWrites = false;
    if (timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
    c.skip(Math.max(0, c.varint())); // key
    c.skip(Math.max(0, c.varint())); // value
    const headers = c.varint();
    if (headers < 0) throw malformed(`record ${i} has ${headers} headers`, c.pos);
    for (let h = 0; h < headers; h++) {
      const keyLength = c.varint();
      if (keyLength < 0) throw malformed('null header key', c.pos);
      c.skip(keyLength);
      c.skip(Math.max(0, c.varint())); // value
    }
    if (c.pos !== end) throw malformed(`record ${i} declares ${length} bytes but holds ${length + c.pos - end}`, c.pos);
  }
  if (c.pos !== block.length) throw malformed(`${block.length - c.pos} bytes after the last of ${count} records`, c.pos);
  return { asKafkaWrites, maxTimestampDelta };
}
