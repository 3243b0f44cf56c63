// A .log file dumped as Kafka's DumpLogSegments.dumpLog prints it: one line per batch, and with
// deep iteration one `|` line per record (control records as their marker, data records with
// their key and payload when asked).
import { basename } from 'node:path';
import { ATTR_DELETE_HORIZON, BATCH, CompressionType, TimestampType, isBatchCrcValid } from '../../protocol/records/batch.js';
import { decompress } from '../../protocol/records/compression.js';
import { ControlRecordType, controlRecordType, parseEndTxnMarker } from '../../protocol/records/control-record.js';
import { type BatchHeader, type DecodedRecord, readBatchHeader, readRecords } from '../../protocol/records/record.js';
import { NO_SEQUENCE, incrementSequence } from '../../storage/producer-state.js';
import { baseOffsetOfFile, type FileBatch, LogFile } from './files.js';
import type { DumpFindings } from './findings.js';
import type { RecordParser } from './record-parsers.js';

export interface LogDumpOptions {
  /** Print records, not only batches. */
  deepIteration: boolean;
  /** Print each data record's key and payload (through `parser`). */
  printData: boolean;
  skipRecordMetadata: boolean;
  parser: RecordParser;
  /** Only batches that end within this many bytes of the file start (Kafka's --max-bytes). */
  maxBytes: number;
}

/** Kafka's --max-bytes default (Integer.MAX_VALUE): only then are trailing bytes reported. */
export const MAX_BYTES_DEFAULT = 0x7fffffff;

/** Kafka's control record types beyond the transaction markers (KRaft's), by type id. */
const CONTROL_TYPE_NAMES: Record<number, string> = {
  2: 'LEADER_CHANGE',
  3: 'SNAPSHOT_HEADER',
  4: 'SNAPSHOT_FOOTER',
  5: 'KRAFT_VERSION',
  6: 'KRAFT_VOTERS',
};

/** Kafka's CompressionType.name: none, gzip, snappy, lz4, zstd. */
function codecName(codec: CompressionType): string {
  const name = CompressionType[codec] as string | undefined;
  if (name === undefined) throw new Error(`Unknown compression type id: ${codec}`);
  return name.toLowerCase();
}

/** DefaultRecordBatch.lastSequence. */
const lastSequenceOf = (h: BatchHeader): number =>
  h.baseSequence === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(h.baseSequence, h.lastOffsetDelta);

/** Kafka's `deleteHorizonMs` (an OptionalLong): the base timestamp when the batch carries one. */
const deleteHorizonOf = (h: BatchHeader): string =>
  (h.attributes & ATTR_DELETE_HORIZON) !== 0 ? `OptionalLong[${h.baseTimestamp}]` : 'OptionalLong.empty';

function batchLine(batch: FileBatch, h: BatchHeader, position: number): string {
  // LogFile yields only batches of at least a header's size, so validity is the CRC alone.
  const valid = isBatchCrcValid(batch.bytes, 0, h.size);
  return `baseOffset: ${h.baseOffset} lastOffset: ${h.baseOffset + h.lastOffsetDelta} count: ${h.recordCount}` +
    ` baseSequence: ${h.baseSequence} lastSequence: ${lastSequenceOf(h)}` +
    ` producerId: ${h.producerId} producerEpoch: ${h.producerEpoch}` +
    ` partitionLeaderEpoch: ${h.partitionLeaderEpoch} isTransactional: ${h.isTransactional}` +
    ` isControl: ${h.isControl} deleteHorizonMs: ${deleteHorizonOf(h)}` +
    ` position: ${position} ${TimestampType[h.timestampType]}: ${h.maxTimestamp}` +
    ` size: ${h.size} magic: ${h.magic} compresscodec: ${codecName(h.compression)} crc: ${h.crc} isvalid: ${valid}`;
}

/** The records of a batch, CRC unchecked (a batch failing its CRC is still dumped, as Kafka does). */
export function recordsOf(batch: FileBatch, h: BatchHeader): DecodedRecord[] {
  const block = decompress(h.compression, batch.bytes.subarray(BATCH.records, h.size));
  const logAppendTime = h.timestampType === TimestampType.LogAppendTime ? h.maxTimestamp : null;
  return readRecords(block, h.recordCount, h.baseOffset, h.baseTimestamp, logAppendTime);
}

function controlRecordText(record: DecodedRecord): string {
  const type = controlRecordType(record.key);
  if (type === ControlRecordType.ABORT || type === ControlRecordType.COMMIT) {
    const marker = parseEndTxnMarker(record.key, record.value);
    return ` endTxnMarker: ${marker.commit ? 'COMMIT' : 'ABORT'} coordinatorEpoch: ${marker.coordinatorEpoch}`;
  }
  return ` controlType: ${CONTROL_TYPE_NAMES[type] ?? 'UNKNOWN'}(${type})`;
}

function recordLine(record: DecodedRecord, h: BatchHeader, opts: LogDumpOptions): string {
  let line = '';
  let prefix = '| ';
  if (!opts.skipRecordMetadata) {
    const sequence = h.baseSequence >= 0 ? incrementSequence(h.baseSequence, record.offsetDelta) : NO_SEQUENCE;
    line += `${prefix}offset: ${record.offset} ${TimestampType[h.timestampType]}: ${record.timestamp}` +
      ` keySize: ${record.key?.length ?? -1} valueSize: ${record.value?.length ?? -1}` +
      ` sequence: ${sequence} headerKeys: [${record.headers.map((x) => x.key).join(',')}]`;
    prefix = ' ';
    if (h.isControl) line += controlRecordText(record);
  }
  if (opts.printData && !h.isControl) {
    const { key, payload } = opts.parser(record);
    if (key !== undefined) line += `${prefix}key: ${key}`;
    // Kafka prints the payload after a space whatever came before it.
    if (payload !== undefined) line += ` payload: ${payload}`;
  }
  return line;
}

/** Dumps a .log file to `out`; non-consecutive record offsets go to `findings`. */
export function dumpLog(path: string, opts: LogDumpOptions, findings: DumpFindings, out: (text: string) => void): void {
  out(`Log starting offset: ${baseOffsetOfFile(path)}\n`);
  const file = LogFile.open(path);
  try {
    let validBytes = 0;
    let lastOffset = -1;
    for (const batch of file.batches(0, opts.maxBytes)) {
      const h = readBatchHeader(batch.bytes);
      const lines = [batchLine(batch, h, validBytes)];
      if (opts.deepIteration) {
        for (const record of recordsOf(batch, h)) {
          if (lastOffset !== -1 && record.offset !== lastOffset + 1) findings.nonConsecutive(path, lastOffset, record.offset);
          lastOffset = record.offset;
          lines.push(recordLine(record, h, opts));
        }
      }
      out(lines.join('\n') + '\n');
      validBytes += h.size;
    }
    const trailingBytes = Math.min(file.size, opts.maxBytes) - validBytes;
    if (trailingBytes > 0 && opts.maxBytes === MAX_BYTES_DEFAULT) out(`Found ${trailingBytes} invalid bytes at the end of ${basename(path)}\n`);
  } finally {
    file.close();
  }
}
