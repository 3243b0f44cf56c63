// How dump-log prints a data record's key and payload (Kafka's DumpLogSegments MessageParser):
// as UTF-8 text by default (StringDecoder), or decoded as a coordinator record of
// __transaction_state (--transaction-log-decoder) or __consumer_offsets (--offsets-decoder).
import { parseTransactionLogRecord } from '../../coordinator/transaction/records.js';
import type { DecodedRecord } from '../../protocol/records/record.js';

/** The key and payload to print; an absent one is left out of the line. */
export interface ParsedRecord {
  key?: string;
  payload?: string;
}

export type RecordParser = (record: DecodedRecord) => ParsedRecord;

/** Kafka's DecoderMessageParser with StringDecoder for both. */
export function stringParser(record: DecodedRecord): ParsedRecord {
  return {
    ...(record.key !== null && { key: record.key.toString('utf8') }),
    ...(record.value !== null && { payload: record.value.toString('utf8') }),
  };
}

/** Kafka's TransactionLog.formatRecordKeyAndValue. */
export function transactionLogParser(record: DecodedRecord): ParsedRecord {
  if (record.key === null) throw new Error(`the record at offset ${record.offset} has no key, so it is not a __transaction_state record`);
  const parsed = parseTransactionLogRecord(record.key, record.value);
  if (parsed.kind === 'unknown') return { key: `unknown::version=${parsed.keyVersion}` };
  const key = `transaction_metadata::transactionalId=${parsed.transactionalId}`;
  const txn = parsed.value;
  if (txn === null) return { key, payload: '<DELETE>' };
  const partitions = txn.partitions.map((p) => `${p.topic}-${p.partition}`).join(',');
  return {
    key,
    payload: `producerId:${txn.producerId},producerEpoch:${txn.producerEpoch},state=${txn.state},partitions=[${partitions}],` +
      `txnLastUpdateTimestamp=${txn.txnLastUpdateTimestamp},txnTimeoutMs=${txn.txnTimeoutMs}`,
  };
}
