// KafkaJS 2.2.4 (never flexible; Produce v7, Fetch v11, Metadata v6) against a broker started as `samsa start`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

let broker: BrokerProcess;
let kafka: Kafka;
before(async () => {
  broker = await startBrokerProcess();
  kafka = new Kafka({ clientId: 'samsa-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

test('produce to an auto-created topic with keys, headers, null values and gzip; consume in a group', async () => {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const sent = await producer.send({
    topic: 'kjs-basic',
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: [
      { key: 'a', value: 'one', headers: { h: 'x' } },
      { key: 'b', value: null },
      { key: null, value: '' },
    ],
  });
  assert.equal(sent[0].errorCode, 0);
  assert.equal(sent[0].baseOffset, '0');
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'kjs-basic-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'kjs-basic', fromBeginning: true });
  const got: [string, string | null, string | null, string][] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push([message.offset, message.key?.toString() ?? null, message.value?.toString() ?? null, JSON.stringify(message.headers ?? {})]);
        if (got.length === 3) resolve();
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  assert.deepEqual(got, [
    ['0', 'a', 'one', JSON.stringify({ h: Buffer.from('x') })],
    ['1', 'b', null, '{}'],
    ['2', null, '', '{}'],
  ]);
});

test('admin: create with configs, offsets by timestamp, delete', async () => {
  const admin = kafka.admin();
  await admin.connect();
  assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 4, configEntries: [{ name: 'retention.ms', value: '60000' }] }] }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 4 }] }), false);
  const md = await admin.fetchTopicMetadata({ topics: ['kjs-admin'] });
  assert.equal(md.topics[0].partitions.length, 4);

  const producer = kafka.producer();
  await producer.connect();
  const base = 1_700_000_000_000;
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: 'kjs-admin', messages: [{ partition: 2, value: `t${i}`, timestamp: String(base + i * 1000) }] });
  }
  await producer.disconnect();
  const byTime = await admin.fetchTopicOffsetsByTimestamp('kjs-admin', base + 2500);
  assert.equal(byTime.find((p) => p.partition === 2)?.offset, '3');
  const latest = await admin.fetchTopicOffsets('kjs-admin');
  assert.deepEqual(latest.find((p) => p.partition === 2), { partition: 2, offset: '5', high: '5', low: '0' });

  await admin.deleteTopics({ topics: ['kjs-admin'] });
  assert.ok(!(await admin.listTopics()).includes('kjs-admin'));
  await admin.disconnect();
});

test('a LogAppendTime topic stamps records with the broker\'s clock, not the producer\'s', async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'kjs-append-time', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const before = Date.now();
  const [sent] = await producer.send({ topic: 'kjs-append-time', messages: [{ value: 'old', timestamp: '1000' }] });
  await producer.disconnect();
  assert.ok(Number(sent.logAppendTime) >= before, `logAppendTime ${sent.logAppendTime}`);

  const consumer = kafka.consumer({ groupId: 'kjs-append-time-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'kjs-append-time', fromBeginning: true });
  const stamp = await new Promise<string>((resolve, reject) => {
    consumer.run({ eachMessage: async ({ message }) => resolve(message.timestamp) }).catch(reject);
  });
  await consumer.disconnect();
  assert.equal(stamp, sent.logAppendTime);
});
