// One partition's records from one Fetch response, read lazily: when the
// response arrives only the batch headers are looked at (and compressed
// batches are decompressed off the event loop); records become objects only
// as poll() takes them. Control batches and, for read_committed, batches of
// aborted transactions are skipped as Kafka's consumer does. With checkCrcs
// (Java's check.crcs) each batch's CRC is checked once, when it is first
// read (a compressed one before it is decompressed), so batches never read
// (after a seek, at close) cost nothing.
import {
  BATCH, BATCH_HEADER_SIZE, LOG_OVERHEAD, TimestampType, baseOffsetOf, baseTimestampOf, batchSizeOf, compressionOf, isBatchCrcValid,
  isControlBatch, isTransactionalBatch, lastOffsetDeltaOf, magicOf, maxTimestampOf, partitionLeaderEpochOf, producerIdOf, recordCountOf,
  timestampTypeOf, CompressionType,
} from '../protocol/records/batch.js';
import { decompressAsync } from '../protocol/records/compression.js';
import { ControlRecordType, controlRecordType } from '../protocol/records/control-record.js';
import { RecordCursor } from '../protocol/records/cursor.js';
import { KafkaError } from './errors.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ConsumerRecord } from './types.js';

interface BatchView {
  baseOffset: number;
  lastOffset: number;
  count: number;
  baseTimestamp: number;
  /** For LogAppendTime batches, every record's timestamp; else -1. */
  logAppendTime: number;
  leaderEpoch: number;
  producerId: number;
  transactional: boolean;
  control: boolean;
  /** The uncompressed records. */
  block: Buffer;
  /** The whole batch while its CRC is still to be checked; null once checked (or when not checking). */
  unchecked: Buffer | null;
}

/** How a partition's records are read. */
export interface ReadOptions {
  /** Skip aborted transactions' records (isolation.level=read_committed). */
  readCommitted: boolean;
  /** Check each batch's CRC before reading it (check.crcs). */
  checkCrcs: boolean;
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

const EMPTY_HEADERS: [string, Buffer | null][] = [];
Object.freeze(EMPTY_HEADERS);

/** Whether a batch's CRC matches (checked once: a match is remembered). */
function crcMatches(batch: BatchView): boolean {
  const b = batch.unchecked;
  if (b !== null && !isBatchCrcValid(b, 0, b.length)) return false;
  batch.unchecked = null;
  return true;
}

function corrupt(topic: string, partition: number, batch: BatchView): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${topic}-${partition}: batch at offset ${batch.baseOffset} fails its CRC check`);
}

export class FetchedRecords {
  readonly topic: string;
  readonly partition: number;
  private readonly batches: BatchView[];
  private batchIndex = 0;
  private cursor: RecordCursor | null = null;
  private left = 0;
  /** Offset of the next record to return (or past the end once exhausted). */
  nextOffset: number;
  private readonly aborted: AbortedTransaction[];
  private readonly abortedProducers = new Set<number>();
  private readonly readCommitted: boolean;

  private constructor(topic: string, partition: number, batches: BatchView[], fetchOffset: number, aborted: AbortedTransaction[] | null, readCommitted: boolean) {
    this.topic = topic;
    this.partition = partition;
    this.batches = batches;
    this.nextOffset = fetchOffset;
    this.aborted = (aborted ?? []).slice().sort((a, b) => a.firstOffset - b.firstOffset);
    this.readCommitted = readCommitted;
  }

  /**
   * Reads the batch headers of `records` (a Fetch response's record set for this partition) and
   * decompresses what is compressed. Batches ending before `fetchOffset` are dropped; a trailing
   * partial batch is ignored. Throws KafkaError(CORRUPT_MESSAGE) on a compressed batch's bad CRC.
   */
  static async parse(
    topic: string, partition: number, records: Buffer, fetchOffset: number, aborted: AbortedTransaction[] | null, options: ReadOptions,
  ): Promise<FetchedRecords> {
    const batches: BatchView[] = [];
    const pending: Promise<void>[] = [];
    let at = 0;
    while (at + LOG_OVERHEAD <= records.length) {
      const size = batchSizeOf(records, at);
      if (size < BATCH_HEADER_SIZE || at + size > records.length) break;
      if (magicOf(records, at) !== 2) {
        throw new KafkaError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `${topic}-${partition} holds a magic ${magicOf(records, at)} batch at byte ${at}; this client reads magic 2 only`);
      }
      const lastOffset = baseOffsetOf(records, at) + lastOffsetDeltaOf(records, at);
      if (lastOffset >= fetchOffset) {
        const codec = compressionOf(records, at);
        const view: BatchView = {
          baseOffset: baseOffsetOf(records, at),
          lastOffset,
          count: recordCountOf(records, at),
          baseTimestamp: baseTimestampOf(records, at),
          logAppendTime: timestampTypeOf(records, at) === TimestampType.LogAppendTime ? maxTimestampOf(records, at) : -1,
          leaderEpoch: partitionLeaderEpochOf(records, at),
          producerId: producerIdOf(records, at),
          transactional: isTransactionalBatch(records, at),
          control: isControlBatch(records, at),
          block: records.subarray(at + BATCH.records, at + size),
          unchecked: options.checkCrcs ? records.subarray(at, at + size) : null,
        };
        if (codec !== CompressionType.None) {
          if (!crcMatches(view)) throw corrupt(topic, partition, view);
          pending.push(decompressAsync(codec, view.block).then((b) => { view.block = b; }));
        }
        batches.push(view);
      }
      at += size;
    }
    await Promise.all(pending);
    return new FetchedRecords(topic, partition, batches, fetchOffset, aborted, options.readCommitted);
  }

  /** The offset after the last complete batch (where the next fetch starts), or `fallback` when there is none. */
  endOffset(fallback: number): number {
    return this.batches.length > 0 ? this.batches[this.batches.length - 1].lastOffset + 1 : fallback;
  }

  /** Whether records or batches remain. */
  get exhausted(): boolean {
    return this.batchIndex >= this.batches.length;
  }

  /**
   * Moves up to `max` records into `out`; returns how many. Advances nextOffset past skipped batches too.
   * Throws KafkaError(CORRUPT_MESSAGE) when the next batch fails its CRC check (after returning the records before it).
   */
  take(max: number, out: ConsumerRecord[]): number {
    let taken = 0;
    while (taken < max && this.batchIndex < this.batches.length) {
      const batch = this.batches[this.batchIndex];
      if (this.cursor === null) {
        if (!crcMatches(batch)) {
          if (taken > 0) break; // the next take() throws
          throw corrupt(this.topic, this.partition, batch);
        }
        if (this.skip(batch)) {
          this.nextBatch(batch);
          continue;
        }
        this.cursor = new RecordCursor(batch.block, 0, batch.block.length);
        this.left = batch.count;
      }
      const c = this.cursor;
      while (taken < max && this.left > 0) {
        this.left--;
        const length = c.varint();
        const end = c.pos + length;
        c.skip(1); // attributes
        const timestampDelta = c.varlong();
        const offset = batch.baseOffset + c.varint();
        const key = c.nullableBytes();
        const value = c.nullableBytes();
        const headerCount = c.varint();
        let headers = EMPTY_HEADERS;
        if (headerCount > 0) {
          headers = [];
          for (let h = 0; h < headerCount; h++) {
            const name = c.nullableBytes();
            headers.push([name === null ? '' : name.toString('utf8'), c.nullableBytes()]);
          }
        }
        c.pos = end;
        // Compacted or re-fetched batches may hold records before the position.
        if (offset < this.nextOffset) continue;
        out.push({
          topic: this.topic,
          partition: this.partition,
          offset,
          key,
          value,
          headers,
          timestamp: batch.logAppendTime >= 0 ? batch.logAppendTime : batch.baseTimestamp + timestampDelta,
          timestampType: batch.logAppendTime >= 0 ? 'LogAppendTime' : 'CreateTime',
          leaderEpoch: batch.leaderEpoch,
        });
        this.nextOffset = offset + 1;
        taken++;
      }
      if (this.left === 0) this.nextBatch(batch);
    }
    return taken;
  }

  private nextBatch(batch: BatchView): void {
    this.batchIndex++;
    this.cursor = null;
    if (batch.lastOffset + 1 > this.nextOffset) this.nextOffset = batch.lastOffset + 1;
  }

  /** Control batches always; with read_committed, batches of transactions that were aborted. */
  private skip(batch: BatchView): boolean {
    if (this.readCommitted) {
      // Producers whose aborted transaction has started by this batch.
      while (this.aborted.length > 0 && this.aborted[0].firstOffset <= batch.lastOffset) {
        this.abortedProducers.add(this.aborted.shift()!.producerId);
      }
      if (batch.control) {
        if (batch.transactional && this.isAbortMarker(batch)) this.abortedProducers.delete(batch.producerId);
        return true;
      }
      return batch.transactional && this.abortedProducers.has(batch.producerId);
    }
    return batch.control;
  }

  private isAbortMarker(batch: BatchView): boolean {
    const c = new RecordCursor(batch.block, 0, batch.block.length);
    c.varint();
    c.skip(1);
    c.varlong();
    c.varint();
    return controlRecordType(c.nullableBytes()) === ControlRecordType.ABORT;
  }
}
