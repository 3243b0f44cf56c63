// Partition directories the metadata store does not know become topics at
// start-up: here Samsa's own data dir with its metadata file removed, so the
// internal __consumer_offsets is adopted too and committed offsets survive.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

test('topics and committed offsets come back when samsa-metadata.json is gone', async () => {
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
  const first = await startBroker({ keepData: true, topics: [{ name: 'orders', partitions: 3 }], config: { 'offsets.topic.num.partitions': 5 } });
  const dataDir = first.dataDir;
  try {
    const kafka = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [0, 1, 2].map((p) => ({ partition: p, value: `v${p}` })) });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 2, offset: '1' }] });
    await admin.disconnect();
    await first.stop();
    rmSync(join(dataDir, 'samsa-metadata.json'));

    const second = await startBroker({ dataDir, logger, config: { 'offsets.topic.num.partitions': 5 } });
    try {
      const admin2 = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin2.connect();
      const md = await admin2.fetchTopicMetadata({ topics: ['orders', '__consumer_offsets'] });
      assert.deepEqual(md.topics.map((t) => [t.name, t.partitions.length]).sort(), [['__consumer_offsets', 5], ['orders', 3]]);
      const offsets = await admin2.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
      assert.deepEqual(offsets[0].partitions.find((p) => p.partition === 2)?.offset, '1');
      const ends = await admin2.fetchTopicOffsets('orders');
      assert.deepEqual(ends.map((e) => e.high).sort(), ['1', '1', '1']);
      await admin2.disconnect();
      assert.ok(warnings.some((w) => /adopted topic orders with 3 partition\(s\).*defaults/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /adopted internal topic __consumer_offsets with 5 partition\(s\)/.test(w)), warnings.join('\n'));
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
