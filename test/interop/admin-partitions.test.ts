// CreatePartitions through the admin clients of confluent-kafka, kafka-python
// and KafkaJS against `samsa start`: topics grow (8 -> 12), refusals carry
// Kafka's errors per topic, producers use the new partitions at once, and a
// restart keeps them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { kcat, python } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

type Outcome = Record<string, [string, string] | null>;

let broker: BrokerProcess;
before(async () => { broker = await startBrokerProcess(); });
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

/** Partition count of a topic as kcat's Metadata request sees it. */
async function kcatPartitions(topic: string): Promise<number> {
  const listing = JSON.parse(await kcat(['-b', broker.bootstrap, '-L', '-t', topic, '-J'])) as { topics: { topic: string; partitions: unknown[] }[] };
  return listing.topics.find((t) => t.topic === topic)!.partitions.length;
}

test('confluent-kafka grows a topic from 8 to 12 partitions; kcat produces to the new ones', async () => {
  const r = await python<{
    validate_only: Outcome; after_validate_only: number; grow: Outcome; after_grow: number; shrink: Outcome;
    mixed: Outcome; after_mixed: Record<string, number>;
  }>('admin_partitions.py', [broker.bootstrap, 'confluent', 'ck-grow']);
  assert.deepEqual(r.validate_only, { 'ck-grow': null });
  assert.equal(r.after_validate_only, 8);
  assert.deepEqual(r.grow, { 'ck-grow': null });
  assert.equal(r.after_grow, 12);
  assert.deepEqual(r.shrink, { 'ck-grow': ['INVALID_PARTITIONS', 'Topic currently has 12 partitions, which is higher than the requested 6.'] });
  // One request, four topics: each fails or succeeds on its own.
  assert.deepEqual(r.mixed, {
    'ck-grow-missing': ['UNKNOWN_TOPIC_OR_PART', 'The topic \'ck-grow-missing\' does not exist.'],
    'ck-grow': ['INVALID_PARTITIONS', 'Topic already has 12 partitions.'],
    'ck-grow-assigned': ['INVALID_REPLICA_ASSIGNMENT', r.mixed['ck-grow-assigned']![1]],
    'ck-grow-grown': null,
  });
  assert.match(r.mixed['ck-grow-assigned']![1], /^Unknown broker\(s\) in replica assignment: \d+\.$/);
  assert.deepEqual(r.after_mixed, { 'ck-grow': 12, 'ck-grow-assigned': 1, 'ck-grow-grown': 3 });

  assert.equal(await kcatPartitions('ck-grow'), 12);
  for (const p of [8, 9, 10, 11]) {
    await kcat(['-b', broker.bootstrap, '-P', '-t', 'ck-grow', '-p', String(p)], `on-${p}\n`);
    const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'ck-grow', '-p', String(p), '-o', 'beginning', '-e', '-q']);
    assert.equal(out, `on-${p}\n`);
  }
  // A keyed producer spreads over all 12 partitions.
  const keyed = Array.from({ length: 200 }, (_, i) => `key-${i}:v${i}`).join('\n') + '\n';
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'ck-grow', '-K:'], keyed);
  const consumed = await kcat(['-b', broker.bootstrap, '-C', '-t', 'ck-grow', '-o', 'beginning', '-e', '-q', '-f', '%p\n']);
  const used = new Set(consumed.trim().split('\n').map(Number));
  assert.deepEqual([...used].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test('kafka-python\'s KafkaAdminClient.create_partitions', async () => {
  const r = await python<{ after_validate_only: number; grow: [string, number, string | null][]; after_grow: number; shrink: string | null }>(
    'admin_partitions.py', [broker.bootstrap, 'kafka-python', 'kp-grow'],
  );
  assert.equal(r.after_validate_only, 2);
  assert.deepEqual(r.grow, [['kp-grow', 0, null]]);
  assert.equal(r.after_grow, 5);
  assert.equal(r.shrink, 'InvalidPartitionsError');
  assert.equal(await kcatPartitions('kp-grow'), 5);
});

test('KafkaJS admin.createPartitions, then its producer writes to a new partition', async () => {
  const kafka = new Kafka({ clientId: 'samsa-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'kjs-grow', numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 4 }], validateOnly: true });
    assert.equal((await admin.fetchTopicMetadata({ topics: ['kjs-grow'] })).topics[0].partitions.length, 2);
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 4 }] });
    assert.equal((await admin.fetchTopicMetadata({ topics: ['kjs-grow'] })).topics[0].partitions.length, 4);
    await assert.rejects(
      admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 3 }] }),
      (e: Error & { type?: string }) => e.type === 'INVALID_PARTITIONS',
    );

    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: 'kjs-grow', messages: [{ partition: 3, value: 'on-3' }] });
    await producer.disconnect();
    assert.deepEqual([sent.partition, sent.baseOffset], [3, '0']);
  } finally {
    await admin.disconnect();
  }
});

test('a restart keeps the added partitions and their records', async () => {
  const before = { dataDir: broker.dataDir, port: broker.port };
  assert.equal(await broker.stop(), 0);
  broker = await startBrokerProcess(before);
  assert.equal(await kcatPartitions('ck-grow'), 12);
  assert.equal(await kcatPartitions('ck-grow-grown'), 3);
  assert.equal(await kcatPartitions('kp-grow'), 5);
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'ck-grow', '-p', '10', '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n']);
  assert.equal(out.split('\n')[0], ':on-10');
});
