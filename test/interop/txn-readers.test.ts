// Readers of partitions written by transactional producers (confluent-kafka, and two interleaved
// KafkaJS producers) against `samsa start`: librdkafka's read_committed consumer returns only
// committed records, at their offsets (gaps where the markers and the aborted records are), and
// ends at the log end offset; read_uncommitted returns the aborted records too. kafka-python 2.0.2
// has no isolation levels (KafkaConsumer refuses isolation_level; it always reads uncommitted) and
// hands the control records to the application: through it the markers are checked as a
// third-party parser sees them (CRC-checked batches, Kafka's key and value layout).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api-keys.js';
import type { DescribeTransactionsResponse } from '../../src/protocol/messages/describe-transactions.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { python } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

const WAIT_MS = 60_000;

let broker: BrokerProcess;
let kafka: Kafka;
let raw: RawClient;
before(async () => {
  broker = await startBrokerProcess({ overrides: { 'transaction.state.log.num.partitions': 4 } });
  raw = await RawClient.connect(broker.port);
  kafka = new Kafka({ clientId: 'samsa-txn-readers', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
after(async () => {
  raw?.close();
  await broker?.stop();
  if (broker) removeDir(broker.dataDir);
});

async function createTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
}

/** Markers are written after EndTxn is answered: waits until they are (bounded). */
async function waitForState(transactionalId: string, state: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = await raw.request<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, 0, { transactionalIds: [transactionalId] });
    const described = r!.transactionStates[0];
    if (described.transactionState === state) return;
    if (Date.now() > deadline) throw new Error(`${transactionalId} stayed ${described.transactionState}, expected ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Partition {
  offsets: number[];
  values: string[];
  position: number;
}

/** Partition 0 as librdkafka's consumer reads it: [offset, value] pairs and the final position. */
async function librdkafka(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<{ records: [number, string][]; position: number }> {
  const { 0: p } = await python<Record<string, Partition>>('read_topic.py', [broker.bootstrap, topic, isolation]);
  return { records: p.offsets.map((o, i) => [o, p.values[i]]), position: p.position };
}

interface KafkaPythonRead {
  read_committed_error: string | null;
  records: { offset: number; key: string | null; value: string | null }[];
  position: number;
}

/**
 * Partition 0 as kafka-python 2.0.2 reads it: [offset, value] pairs for data records and
 * [offset, 'COMMIT' | 'ABORT'] for markers (key: int16 version 0, int16 type; value: int16
 * version 0, int32 coordinator epoch), and the final position.
 */
async function kafkaPython(topic: string): Promise<{ records: [number, string][]; position: number }> {
  const r = await python<KafkaPythonRead>('kafka_python_txn_reader.py', [broker.bootstrap, topic]);
  // The day kafka-python learns isolation levels, it belongs in the read_committed checks too.
  assert.match(r.read_committed_error ?? '', /Unrecognized configs.*isolation_level/);
  const records = r.records.map(({ offset, key, value }): [number, string] => {
    const marker = key !== null && /^0000000[01]$/.test(key) && value !== null && /^0000[0-9a-f]{8}$/.test(value);
    if (marker) return [offset, key === '00000001' ? 'COMMIT' : 'ABORT'];
    return [offset, Buffer.from(value ?? '', 'hex').toString()];
  });
  return { records, position: r.position };
}

test('one producer: commit, abort, commit (confluent-kafka)', async () => {
  await createTopic('txn-read-ck');
  await python('txn_producer.py', ['commit_abort', broker.bootstrap, 'txn-read-ck', 'txn-read-ck-id']);
  // c-0..c-2, COMMIT at 3, a-0..a-2 (aborted), ABORT at 7, d-0 d-1, COMMIT at 10; log end 11.
  assert.deepEqual(await librdkafka('txn-read-ck', 'read_committed'), {
    records: [[0, 'c-0'], [1, 'c-1'], [2, 'c-2'], [8, 'd-0'], [9, 'd-1']],
    position: 11,
  });
  assert.deepEqual(await librdkafka('txn-read-ck', 'read_uncommitted'), {
    records: [[0, 'c-0'], [1, 'c-1'], [2, 'c-2'], [4, 'a-0'], [5, 'a-1'], [6, 'a-2'], [8, 'd-0'], [9, 'd-1']],
    position: 11,
  });
  assert.deepEqual(await kafkaPython('txn-read-ck'), {
    records: [[0, 'c-0'], [1, 'c-1'], [2, 'c-2'], [3, 'COMMIT'], [4, 'a-0'], [5, 'a-1'], [6, 'a-2'], [7, 'ABORT'], [8, 'd-0'], [9, 'd-1'], [10, 'COMMIT']],
    position: 11,
  });
});

test('two producers interleaved on one partition, one aborts (KafkaJS)', async () => {
  await createTopic('txn-read-kjs');
  const producer = (id: string) => kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
  const [x, y] = [producer('txn-read-x'), producer('txn-read-y')];
  await Promise.all([x.connect(), y.connect()]);
  try {
    const tx = await x.transaction();
    await tx.send({ topic: 'txn-read-kjs', messages: [{ value: 'x-0', partition: 0 }] });
    const ty = await y.transaction();
    await ty.send({ topic: 'txn-read-kjs', messages: [{ value: 'y-0', partition: 0 }] });
    await ty.abort();
    // y's ABORT marker before x-1, for the offsets below.
    await waitForState('txn-read-y', 'CompleteAbort');
    await tx.send({ topic: 'txn-read-kjs', messages: [{ value: 'x-1', partition: 0 }] });
    await tx.commit();
  } finally {
    await Promise.all([x.disconnect(), y.disconnect()]);
  }
  // x-0, y-0 (aborted), ABORT of y at 2, x-1, COMMIT of x at 4; log end 5.
  assert.deepEqual(await librdkafka('txn-read-kjs', 'read_committed'), { records: [[0, 'x-0'], [3, 'x-1']], position: 5 });
  assert.deepEqual(await librdkafka('txn-read-kjs', 'read_uncommitted'), { records: [[0, 'x-0'], [1, 'y-0'], [3, 'x-1']], position: 5 });
  assert.deepEqual(await kafkaPython('txn-read-kjs'), {
    records: [[0, 'x-0'], [1, 'y-0'], [2, 'ABORT'], [3, 'x-1'], [4, 'COMMIT']],
    position: 5,
  });
});
