// Samsa's client against an in-process broker: the contract of the issue (producer, consumer,
// admin), every codec, bad input, seeks, pauses, commits, transactions.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  Admin, Consumer, KafkaConnectionError, KafkaError, Producer, murmur2, startBroker, type CompressionCodec, type ConsumerRecord, type EmbeddedBroker,
} from '../../src/index.js';
import { forEachBatch } from '../../src/protocol/records/batch.js';
import { readBatchHeader } from '../../src/protocol/records/record.js';

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1 } });
});
after(() => broker.stop());

async function pollUntil(consumer: Consumer, count: number, rounds = 100): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < rounds && out.length < count; i++) out.push(...(await consumer.poll(200)));
  return out;
}

test('murmur2 matches Kafka\'s published test vectors (UtilsTest.testMurmur2)', () => {
  const vectors: [string, number][] = [
    ['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107],
  ];
  for (const [input, hash] of vectors) assert.equal(murmur2(Buffer.from(input)), hash, input);
});

test('the contract: admin, producer send/sendBatch, consumer poll/commit/seek, async iterator', async () => {
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }]);
  assert.ok((await admin.listTopics()).includes('orders'));
  const [described] = await admin.describeTopics(['orders']);
  assert.equal(described.name, 'orders');
  assert.deepEqual(described.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]), [[0, 0, [0], [0]], [1, 0, [0], [0]], [2, 0, [0], [0]]]);

  const producer = new Producer({ bootstrapServers: broker.bootstrap, acks: 'all', lingerMs: 5, compression: 'lz4' });
  const meta = await producer.send({ topic: 'orders', key: 'order-1', value: Buffer.from('coffee'), headers: { source: 'web', raw: Buffer.from([1, 2]) }, timestamp: 1_700_000_000_000 });
  assert.deepEqual(meta, { topic: 'orders', partition: meta.partition, offset: 0, timestamp: 1_700_000_000_000 });
  const metas = await producer.sendBatch([
    { topic: 'orders', key: 'order-2', value: 'tea', headers: [['x', 'a'], ['x', 'b']] },
    { topic: 'orders', key: 'order-3', value: null },
    { topic: 'orders', key: 'order-1', value: 'cake', partition: 2 },
  ]);
  assert.equal(metas.length, 3);
  assert.equal(metas[2].partition, 2);
  await producer.flush();
  await producer.close();

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'billing', autoOffsetReset: 'earliest', enableAutoCommit: false });
  consumer.subscribe(['orders']);
  const records = await pollUntil(consumer, 4);
  assert.equal(records.length, 4);
  const first = records.find((r) => r.key?.toString() === 'order-1' && r.value?.toString() === 'coffee')!;
  assert.deepEqual({ ...first, key: first.key!.toString(), value: first.value!.toString(), headers: first.headers.map(([k, v]) => [k, v?.toString('hex')]) }, {
    topic: 'orders', partition: meta.partition, offset: 0, key: 'order-1', value: 'coffee', timestamp: 1_700_000_000_000, timestampType: 'CreateTime',
    headers: [['source', Buffer.from('web').toString('hex')], ['raw', '0102']], leaderEpoch: first.leaderEpoch,
  });
  const tea = records.find((r) => r.value?.toString() === 'tea')!;
  assert.deepEqual(tea.headers.map(([k, v]) => [k, v!.toString()]), [['x', 'a'], ['x', 'b']]);
  const tombstone = records.find((r) => r.value === null)!;
  assert.equal(tombstone.key!.toString(), 'order-3');
  await consumer.commitSync();
  const committed = await consumer.committed(consumer.assignment());
  assert.deepEqual(committed.map((c) => c.offset).sort(), [...consumer.assignment().map((tp) => records.filter((r) => r.partition === tp.partition).length)].sort());

  // seek back and read the same record again, through the async iterator.
  consumer.seek({ topic: 'orders', partition: meta.partition }, 0);
  for await (const record of consumer) {
    assert.equal(record.offset, 0);
    assert.equal(record.partition, meta.partition);
    break;
  }
  await consumer.close();

  await admin.deleteTopics(['orders']);
  assert.ok(!(await admin.listTopics()).includes('orders'));
  await admin.close();
});

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionCodec[]) {
  test(`${codec}: 5,000 records round trip in order`, async () => {
    const topic = `codec-${codec}`;
    const producer = new Producer({ bootstrapServers: broker.bootstrap, compression: codec, batchSize: 64 * 1024 });
    const values = Array.from({ length: 5000 }, (_, i) => `record ${i} ${'x'.repeat(i % 50)}`);
    const metas = await producer.sendBatch(values.map((value) => ({ topic, value })));
    await producer.close();
    assert.deepEqual(metas.map((m) => m.offset), values.map((_, i) => i));
    const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const records = await pollUntil(consumer, values.length);
    await consumer.close();
    assert.deepEqual(records.map((r) => r.value!.toString()), values);
    assert.deepEqual(records.map((r) => r.offset), values.map((_, i) => i));
  });
}

test('batches fill while requests wait: with buffer memory exhausted only the last batch is partly full', async () => {
  // Java's Sender closes a batch only as it goes into a request. A batch closed as soon as it lingered
  // or memory ran out would wait behind full ones anyway, and make requests smaller.
  const topic = 'full-batches';
  const producer = new Producer({
    bootstrapServers: broker.bootstrap, acks: 1, lingerMs: 0, batchSize: 16 * 1024, bufferMemory: 64 * 1024, maxInFlightRequestsPerConnection: 1,
  });
  const value = Buffer.alloc(1000, 'v');
  const metas = await producer.sendBatch(Array.from({ length: 2000 }, () => ({ topic, value })));
  await producer.close();
  assert.deepEqual(metas.map((m) => m.offset), metas.map((_, i) => i));
  const log = await readFile(join(broker.dataDir, `${topic}-0`, '00000000000000000000.log'));
  const counts: number[] = [];
  forEachBatch(log, (at) => counts.push(readBatchHeader(log, at).recordCount));
  assert.equal(counts.reduce((a, b) => a + b, 0), 2000);
  const full = Math.max(...counts);
  assert.ok(full * 1010 > 15 * 1024, `a full batch holds ${full} records`);
  assert.deepEqual(counts.slice(0, -1).filter((c) => c !== full), [], `batch record counts: ${counts.join(' ')}`);
});

test('an unreachable bootstrap server fails with a clear error within requestTimeoutMs', async () => {
  const producer = new Producer({ bootstrapServers: '127.0.0.1:1', requestTimeoutMs: 1500 });
  const started = Date.now();
  await assert.rejects(producer.send({ topic: 't', value: 'v' }), (e: Error) => {
    assert.ok(e instanceof KafkaConnectionError, String(e));
    assert.match(e.message, /no broker reachable within 1500 ms \(bootstrap servers 127\.0\.0\.1:1\).*ECONNREFUSED/);
    return true;
  });
  // The deadline is requestTimeoutMs; the bound here only catches a hang.
  assert.ok(Date.now() - started < 1500 + 5000);
  await producer.close();
  const consumer = new Consumer({ bootstrapServers: '127.0.0.1:1', groupId: 'g', requestTimeoutMs: 1000 });
  consumer.subscribe(['t']);
  await assert.rejects(consumer.poll(100_000), KafkaConnectionError);
  await consumer.close();
});

test('a record over message.max.bytes is refused with MESSAGE_TOO_LARGE and the producer keeps working', async () => {
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: 'small', partitions: 1, configs: { 'max.message.bytes': 2000 } }]);
  await admin.close();
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  const before = producer.send({ topic: 'small', value: 'before' });
  const big = producer.send({ topic: 'small', value: Buffer.alloc(5000, 1) });
  const afterIt = producer.send({ topic: 'small', value: 'after' });
  await assert.rejects(big, (e: Error) => e instanceof KafkaError && e.type === 'MESSAGE_TOO_LARGE' && e.code === 10 && !e.retriable);
  assert.equal((await before).offset, 0);
  assert.equal((await afterIt).offset, 1);
  assert.equal((await producer.send({ topic: 'small', value: 'later' })).offset, 2);
  // Over maxRequestSize: refused before sending, with the same error.
  await assert.rejects(producer.send({ topic: 'small', value: Buffer.alloc(2 * 1024 * 1024) }), (e: Error) => e instanceof KafkaError && e.type === 'MESSAGE_TOO_LARGE');
  await producer.close();
});

test('pause, resume, seekToBeginning, seekToEnd, position, assign without a group', async () => {
  const topic = 'positions';
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic, value: String(i) })));
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'latest' });
  const tp = { topic, partition: 0 };
  consumer.assign([tp]);
  assert.equal(await consumer.position(tp), 10);
  consumer.seekToBeginning();
  assert.equal(await consumer.position(tp), 0);
  assert.equal((await pollUntil(consumer, 10)).length, 10);
  consumer.pause([tp]);
  assert.deepEqual(consumer.paused(), [tp]);
  await producer.send({ topic, value: '10' });
  assert.deepEqual(await consumer.poll(300), []);
  consumer.resume([tp]);
  const [next] = await pollUntil(consumer, 1);
  assert.equal(next.value!.toString(), '10');
  consumer.seekToEnd([tp]);
  assert.equal(await consumer.position(tp), 11);
  await assert.rejects(consumer.commitSync(), /groupId/);
  await consumer.close();
  await producer.close();
});

test('wakeup() breaks a waiting poll', async () => {
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'latest' });
  consumer.assign([{ topic: 'positions', partition: 0 }]);
  const polling = consumer.poll(60_000);
  setTimeout(() => consumer.wakeup(), 200);
  await assert.rejects(polling, (e: Error) => e.name === 'WakeupError');
  await consumer.close();
});

test('auto-commit: close() commits the positions and leaves the group', async () => {
  const topic = 'autocommit';
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic, value: String(i) })));
  await producer.close();
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'auto', autoOffsetReset: 'earliest' });
  consumer.subscribe([topic]);
  assert.equal((await pollUntil(consumer, 5)).length, 5);
  await consumer.close();
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  assert.deepEqual((await admin.listGroupOffsets('auto')).map((o) => [o.topic, o.partition, o.offset]), [[topic, 0, 5]]);
  const [group] = await admin.describeGroups(['auto']);
  assert.equal(group.members.length, 0);
  await admin.close();
});

test('transactions: committed records are read with read_committed, aborted ones are not', async () => {
  const topic = 'txn';
  const producer = new Producer({ bootstrapServers: broker.bootstrap, transactionalId: 'txn-test' });
  await producer.initTransactions();
  producer.beginTransaction();
  await producer.sendBatch([{ topic, value: 'a1' }, { topic, value: 'a2' }]);
  await producer.abortTransaction();
  producer.beginTransaction();
  await producer.send({ topic, value: 'c1' });
  await producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 3 }], 'txn-group');
  await producer.commitTransaction();
  await assert.rejects(producer.send({ topic, value: 'outside' }), /beginTransaction/);
  await producer.close();

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
  consumer.assign([{ topic, partition: 0 }]);
  const records = await pollUntil(consumer, 1);
  assert.deepEqual(records.map((r) => r.value!.toString()), ['c1']);
  await consumer.close();
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  assert.deepEqual((await admin.listGroupOffsets('txn-group')).map((o) => o.offset), [3]);
  await admin.close();
});

test('a custom partitioner and keyed records', async () => {
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: 'custom', partitions: 4 }]);
  await admin.close();
  const producer = new Producer({ bootstrapServers: broker.bootstrap, partitioner: ({ partitionCount }) => partitionCount - 1 });
  const metas = await producer.sendBatch([{ topic: 'custom', key: 'a', value: '1' }, { topic: 'custom', value: '2' }]);
  assert.deepEqual(metas.map((m) => m.partition), [3, 3]);
  await producer.close();
});
