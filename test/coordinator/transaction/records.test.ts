// __transaction_state records in Kafka's layout (TransactionLogKey v0,
// TransactionLogValue v0, as Kafka 3.9 writes them), checked against bytes
// built by hand from the schema, and decoded back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTransactionLogRecord, transactionRecord, type StoredTransaction } from '../../../src/coordinator/transaction/records.js';

const ongoing: StoredTransaction = {
  producerId: 4242,
  producerEpoch: 7,
  txnTimeoutMs: 60_000,
  state: 'Ongoing',
  partitions: [{ topic: 'ab', partition: 0 }, { topic: 'ab', partition: 3 }, { topic: 'c', partition: 1 }],
  txnLastUpdateTimestamp: 1_700_000_000_123,
  txnStartTimestamp: 1_700_000_000_100,
};

function string(s: string): Buffer {
  const b = Buffer.alloc(2 + s.length);
  b.writeInt16BE(s.length, 0);
  b.write(s, 2);
  return b;
}

const int16 = (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; };
const int32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
const int64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); return b; };

test('key: version 0 and the transactional id', () => {
  assert.deepEqual(transactionRecord('tx-1', null).key, Buffer.concat([int16(0), string('tx-1')]));
});

test('value v0: id, epoch, timeout, status byte, partitions by topic, timestamps', () => {
  const expected = Buffer.concat([
    int16(0), int64(4242), int16(7), int32(60_000), Buffer.from([1]),
    int32(2), string('ab'), int32(2), int32(0), int32(3), string('c'), int32(1), int32(1),
    int64(1_700_000_000_123), int64(1_700_000_000_100),
  ]);
  const { key, value } = transactionRecord('tx-1', ongoing);
  assert.deepEqual(value, expected);
  assert.deepEqual(parseTransactionLogRecord(key, value), { kind: 'transaction', transactionalId: 'tx-1', value: ongoing });
});

test('Empty is written with null partitions; a tombstone has no value', () => {
  const empty: StoredTransaction = { ...ongoing, state: 'Empty', partitions: [], txnStartTimestamp: -1 };
  const { key, value } = transactionRecord('tx-1', empty);
  // Null array: length -1 after the status byte (0 = Empty).
  assert.deepEqual(value!.subarray(2 + 8 + 2 + 4, 2 + 8 + 2 + 4 + 5), Buffer.concat([Buffer.from([0]), int32(-1)]));
  assert.deepEqual(parseTransactionLogRecord(key, value), { kind: 'transaction', transactionalId: 'tx-1', value: empty });
  assert.throws(() => transactionRecord('tx-1', { ...empty, partitions: ongoing.partitions }));
  assert.deepEqual(parseTransactionLogRecord(key, null), { kind: 'transaction', transactionalId: 'tx-1', value: null });
});

test('value v1 (flexible, written once transaction.version 1 is on) is read too; unknown key versions are skipped', () => {
  // v1: compact strings and arrays (length + 1), and an empty tagged-field section.
  const v1 = Buffer.concat([
    int16(1), int64(5), int16(0), int32(1000), Buffer.from([4]),
    Buffer.from([2, 2]), Buffer.from('t'), Buffer.from([2]), int32(9), Buffer.from([0]),
    int64(20), int64(10), Buffer.from([0]),
  ]);
  const parsed = parseTransactionLogRecord(transactionRecord('x', null).key, v1);
  assert.deepEqual(parsed, {
    kind: 'transaction', transactionalId: 'x',
    value: { producerId: 5, producerEpoch: 0, txnTimeoutMs: 1000, state: 'CompleteCommit', partitions: [{ topic: 't', partition: 9 }], txnLastUpdateTimestamp: 20, txnStartTimestamp: 10 },
  });
  assert.deepEqual(parseTransactionLogRecord(Buffer.concat([int16(5), string('x')]), null), { kind: 'unknown', keyVersion: 5 });
});
