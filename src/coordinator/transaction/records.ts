// The records of __transaction_state, in Kafka's layouts: key and value are an
// int16 schema version followed by that version's struct (written for Samsa
// from Kafka's TransactionLogKey/TransactionLogValue schemas). One key per
// transactional id; a null value is a tombstone (the id expired).
import { defineMessage } from '../../protocol/codec.js';
import { Reader } from '../../protocol/primitives.js';
import { readVersioned, writeVersioned } from '../versioned-record.js';
import { type TopicPartition, type TransactionState, stateFromId, stateId } from './metadata.js';

/** What one value record says about a transactional id. */
export interface StoredTransaction {
  producerId: number;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  /** Empty in state Empty (Kafka writes null there). */
  partitions: TopicPartition[];
  txnLastUpdateTimestamp: number;
  /** -1 while no transaction has started. */
  txnStartTimestamp: number;
}

interface TransactionLogValue {
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  transactionStatus: number;
  transactionPartitions: { topic: string; partitionIds: number[] }[] | null;
  transactionLastUpdateTimestampMs: number;
  transactionStartTimestampMs: number;
}

// apiKey is meaningless for these records; -1 marks them as not being an API.
const TransactionLogKeySchema = defineMessage<{ transactionalId: string }>({
  name: 'TransactionLogKey',
  apiKey: -1,
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [{ name: 'transactionalId', type: 'string', versions: '0' }],
});

const TransactionLogValueSchema = defineMessage<TransactionLogValue>({
  name: 'TransactionLogValue',
  apiKey: -1,
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'transactionStatus', type: 'int8', versions: '0+' },
    {
      name: 'transactionPartitions',
      versions: '0+',
      nullableVersions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0+' },
            { name: 'partitionIds', type: { array: 'int32' }, versions: '0+' },
          ],
        },
      },
    },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: '0+' },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: '0+' },
  ],
});

const KEY_VERSION = 0;
/** Kafka 3.9 writes value version 0 until transaction.version 1 is finalized (flexible records). */
const VALUE_VERSION = 0;

export interface KeyValue {
  key: Buffer;
  value: Buffer | null;
}

export function transactionRecord(transactionalId: string, txn: StoredTransaction | null): KeyValue {
  const key = writeVersioned(TransactionLogKeySchema, KEY_VERSION, { transactionalId });
  if (txn === null) return { key, value: null };
  if (txn.state === 'Empty' && txn.partitions.length > 0) {
    throw new Error(`transaction ${transactionalId} is Empty yet has partitions`);
  }
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of txn.partitions) {
    const ids = byTopic.get(topic);
    if (ids) ids.push(partition);
    else byTopic.set(topic, [partition]);
  }
  const value = writeVersioned(TransactionLogValueSchema, VALUE_VERSION, {
    producerId: txn.producerId,
    producerEpoch: txn.producerEpoch,
    transactionTimeoutMs: txn.txnTimeoutMs,
    transactionStatus: stateId(txn.state),
    transactionPartitions: txn.state === 'Empty' ? null : [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds })),
    transactionLastUpdateTimestampMs: txn.txnLastUpdateTimestamp,
    transactionStartTimestampMs: txn.txnStartTimestamp,
  });
  return { key, value };
}

export type TransactionLogRecord =
  | { kind: 'transaction'; transactionalId: string; value: StoredTransaction | null }
  /** A key version this coordinator does not know: skipped, as Kafka does. */
  | { kind: 'unknown'; keyVersion: number };

/** Decodes one record of __transaction_state; throws ProtocolError for a malformed one. */
export function parseTransactionLogRecord(key: Buffer, value: Buffer | null): TransactionLogRecord {
  const r = new Reader(key);
  const keyVersion = r.int16();
  if (keyVersion !== KEY_VERSION) return { kind: 'unknown', keyVersion };
  const { transactionalId } = TransactionLogKeySchema.decode(r, keyVersion);
  if (value === null) return { kind: 'transaction', transactionalId, value: null };
  const v = readVersioned(TransactionLogValueSchema, value);
  const state = stateFromId(v.transactionStatus);
  return {
    kind: 'transaction',
    transactionalId,
    value: {
      producerId: v.producerId,
      producerEpoch: v.producerEpoch,
      txnTimeoutMs: v.transactionTimeoutMs,
      state,
      // Kafka ignores partitions stored with an Empty state.
      partitions: state === 'Empty' ? [] : (v.transactionPartitions ?? []).flatMap((t) => t.partitionIds.map((partition) => ({ topic: t.topic, partition }))),
      txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
      txnStartTimestamp: v.transactionStartTimestampMs,
    },
  };
}
