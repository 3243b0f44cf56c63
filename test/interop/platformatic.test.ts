// @platformatic/kafka: a client that negotiates the newest versions we serve,
// so it drives the flexible encodings (Produce v9+, Fetch v12+, Metadata v9+,
// ListOffsets v6+, CreateTopics v5+, DescribeCluster) that older clients never send.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { withConnection } from '../helpers/platformatic.js';
import {
  Admin, Consumer, MessagesStreamModes, Producer, describeClusterV1, fetchV16, metadataV12,
  stringDeserializers, stringSerializers,
} from '@platformatic/kafka';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';


let broker: EmbeddedBroker;
let admin: Admin;
before(async () => {
  broker = await startBroker();
  admin = new Admin({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap] });
});
after(async () => {
  await admin.close();
  await broker.stop();
});


test('create, produce with headers, list offsets, fetch v16 by topic id, delete', async () => {
  const created = await admin.createTopics({ topics: ['pl-topic'], partitions: 2, replicas: 1 });
  assert.equal(created[0].partitions, 2);

  const producer = new Producer({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  const sent = await producer.send({
    messages: [
      { topic: 'pl-topic', partition: 1, key: 'k1', value: 'v1', headers: new Map([['h', 'x']]) },
      { topic: 'pl-topic', partition: 1, key: 'k2', value: 'v2' },
    ],
  });
  await producer.close();
  assert.deepEqual(sent.offsets?.map((o) => [o.partition, Number(o.offset)]), [[1, 0]]);

  const offsets = await admin.listOffsets({ topics: [{ name: 'pl-topic', partitions: [{ partitionIndex: 1, timestamp: -1n }] }] });
  assert.equal(Number(offsets[0].partitions[0].offset), 2);

  const records = await withConnection(broker.port, async (c) => {
    const md = await metadataV12.api.async(c, ['pl-topic'], false, false);
    const topicId = md.topics[0].topicId;
    const r = await fetchV16.api.async(c, 0, 1, 1 << 20, 0, 0, -1,
      [{ topicId, partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }], [], '');
    const p = r.responses[0].partitions[0];
    assert.equal(p.errorCode, 0);
    assert.equal(Number(p.highWatermark), 2);
    return (p.records ?? []).flatMap((b) => b.records.map((rec) => [String(rec.key), String(rec.value), rec.headers.map(([k, v]) => `${k}=${v}`).join()]));
  });
  assert.deepEqual(records, [['k1', 'v1', 'h=x'], ['k2', 'v2', '']]);

  await admin.deleteTopics({ topics: ['pl-topic'] });
  const remaining = await admin.listTopics();
  assert.ok(!remaining.includes('pl-topic'));
});

test('DescribeCluster v1 names this broker as controller', async () => {
  const r = await withConnection(broker.port, (c) => describeClusterV1.api.async(c, false, 1));
  assert.equal(r.errorCode, 0);
  assert.equal(r.controllerId, 0);
  assert.deepEqual(r.brokers.map((b) => [b.brokerId, b.host, b.port]), [[0, '127.0.0.1', broker.port]]);
  assert.match(r.clusterId, /^[A-Za-z0-9_-]{22}$/);
});

test('a consumer group member reads everything through incremental fetch sessions', async () => {
  await admin.createTopics({ topics: ['pl-session'], partitions: 3, replicas: 1 });
  const producer = new Producer({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  const consumer = new Consumer({
    clientId: 'samsa-test', groupId: 'pl-session-group', bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers, maxWaitTime: 200,
  });
  try {
    const stream = await consumer.consume({ topics: ['pl-session'], mode: MessagesStreamModes.EARLIEST });
    const seen: string[] = [];
    const done = (async () => {
      for await (const m of stream) {
        seen.push(m.value as string);
        if (seen.length === 30) break;
      }
    })();
    // Produce in rounds, so the member keeps fetching (incrementally) between them.
    for (let round = 0; round < 3; round++) {
      await producer.send({
        messages: Array.from({ length: 10 }, (_, i) => ({ topic: 'pl-session', partition: i % 3, value: `r${round}-${i}` })),
      });
      const target = (round + 1) * 10;
      for (let i = 0; i < 100 && seen.length < target; i++) await new Promise((r) => setTimeout(r, 50));
    }
    await done;
    await stream.close();
    assert.deepEqual([...seen].sort(), Array.from({ length: 30 }, (_, k) => `r${Math.floor(k / 10)}-${k % 10}`).sort());
  } finally {
    await consumer.close(true);
    await producer.close();
  }
});

test('group admin: commit offsets, list them for two groups, filter and describe groups, delete offsets and groups', async () => {
  await admin.createTopics({ topics: ['pl-admin'], partitions: 2, replicas: 1 });
  // OffsetCommit with generation -1: a "simple" (standalone) commit, which creates an Empty group.
  for (const groupId of ['pl-g1', 'pl-g2']) {
    await admin.alterConsumerGroupOffsets({ groupId, topics: [{ name: 'pl-admin', partitionOffsets: [{ partition: 0, offset: 5n }, { partition: 1, offset: 7n }] }] });
  }
  // OffsetFetch v8+: several groups in one request.
  const listed = await admin.listConsumerGroupOffsets({ groups: ['pl-g1', 'pl-g2'] });
  for (const g of listed) {
    const offsets = g.topics[0].partitions.map((p) => [p.partitionIndex, Number(p.committedOffset)]).sort();
    assert.deepEqual(offsets, [[0, 5], [1, 7]], g.groupId);
  }
  const empty = await admin.listGroups({ states: ['EMPTY'] });
  assert.ok(empty.has('pl-g1') && empty.has('pl-g2'));
  assert.equal((await admin.listGroups({ states: ['STABLE'] })).has('pl-g1'), false);
  const described = await admin.describeGroups({ groups: ['pl-g1'] });
  assert.equal(described.get('pl-g1')?.state, 'Empty'); // Kafka's wire name for the state

  // OffsetDelete on one partition, then DeleteGroups.
  await admin.deleteConsumerGroupOffsets({ groupId: 'pl-g1', topics: [{ name: 'pl-admin', partitionIndexes: [0] }] });
  const after = await admin.listConsumerGroupOffsets({ groups: ['pl-g1'] });
  const left = after[0].topics.flatMap((t) => t.partitions).filter((p) => p.committedOffset >= 0n).map((p) => p.partitionIndex);
  assert.deepEqual(left, [1]);
  await admin.deleteGroups({ groups: ['pl-g1', 'pl-g2'] });
  const remaining = await admin.listGroups();
  assert.equal(remaining.has('pl-g1') || remaining.has('pl-g2'), false);
});

test('deleting a topic removes its committed offsets from every group', async () => {
  await admin.createTopics({ topics: ['pl-gone'], partitions: 1, replicas: 1 });
  await admin.alterConsumerGroupOffsets({ groupId: 'pl-gone-group', topics: [{ name: 'pl-gone', partitionOffsets: [{ partition: 0, offset: 3n }] }] });
  await admin.deleteTopics({ topics: ['pl-gone'] });
  await admin.createTopics({ topics: ['pl-gone'], partitions: 1, replicas: 1 });
  const [g] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: 'pl-gone-group', topics: [{ name: 'pl-gone', partitionIndexes: [0] }] }] });
  assert.equal(Number(g.topics[0].partitions[0].committedOffset), -1);
  // The group had nothing else: it is gone too.
  assert.equal((await admin.listGroups()).has('pl-gone-group'), false);
});
