// Samsa's Admin client against an in-process broker: every call of the admin list
// (partitions, configs, groups and their offsets, partition offsets, deleting records, the cluster).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, Consumer, KafkaError, Producer, startBroker, type ConsumerRecord, type EmbeddedBroker } from '../../src/index.js';

let broker: EmbeddedBroker;
let admin: Admin;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1 } });
  admin = new Admin({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await admin.close();
  await broker.stop();
});

async function produce(topic: string, values: string[], timestamps?: number[]): Promise<void> {
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  await producer.sendBatch(values.map((value, i) => ({ topic, value, partition: 0, timestamp: timestamps?.[i] })));
  await producer.close();
}

async function pollUntil(consumer: Consumer, count: number, rounds = 100): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < rounds && out.length < count; i++) out.push(...(await consumer.poll(200)));
  return out;
}

function isKafkaError(type: string): (e: Error) => boolean {
  return (e) => e instanceof KafkaError && e.type === type;
}

test('createPartitions raises the count; validateOnly changes nothing; shrinking is refused', async () => {
  await admin.createTopics([{ name: 'growing', partitions: 2 }]);
  await admin.createPartitions([{ topic: 'growing', count: 5 }], { validateOnly: true });
  assert.equal((await admin.describeTopics(['growing']))[0].partitions.length, 2);
  await admin.createPartitions([{ topic: 'growing', count: 5 }]);
  assert.deepEqual((await admin.describeTopics(['growing']))[0].partitions.map((p) => p.partition), [0, 1, 2, 3, 4]);
  await assert.rejects(admin.createPartitions([{ topic: 'growing', count: 3 }]), isKafkaError('INVALID_PARTITIONS'));
  await assert.rejects(admin.createPartitions([{ topic: 'no-such-topic', count: 3 }]), isKafkaError('UNKNOWN_TOPIC_OR_PARTITION'));
});

test('describeConfigs and alterConfigs on a topic and on the broker', async () => {
  await admin.createTopics([{ name: 'configured', configs: { 'retention.ms': 60_000 } }]);
  const [before] = await admin.describeConfigs([{ type: 'topic', name: 'configured', keys: ['retention.ms', 'cleanup.policy'] }]);
  const byName = new Map(before.configs.map((c) => [c.name, c]));
  assert.deepEqual({ ...byName.get('retention.ms') }, { name: 'retention.ms', value: '60000', readOnly: false, source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false, isSensitive: false });
  assert.equal(byName.get('cleanup.policy')!.value, 'delete');
  assert.equal(byName.get('cleanup.policy')!.isDefault, true);

  // A value sets a key, null removes the override, unnamed keys keep theirs.
  await admin.alterConfigs([{ type: 'topic', name: 'configured', configs: { 'max.message.bytes': 5000 } }]);
  await admin.alterConfigs([{ type: 'topic', name: 'configured', configs: { 'retention.ms': null } }]);
  const [after] = await admin.describeConfigs([{ type: 'topic', name: 'configured', keys: ['retention.ms', 'max.message.bytes'] }]);
  const changed = new Map(after.configs.map((c) => [c.name, c]));
  assert.equal(changed.get('max.message.bytes')!.value, '5000');
  assert.equal(changed.get('max.message.bytes')!.source, 'DYNAMIC_TOPIC_CONFIG');
  assert.equal(changed.get('retention.ms')!.source, 'DEFAULT_CONFIG');
  await assert.rejects(admin.alterConfigs([{ type: 'topic', name: 'configured', configs: { 'no.such.config': 1 } }]), isKafkaError('INVALID_CONFIG'));

  const [brokerConfigs] = await admin.describeConfigs([{ type: 'broker', name: '0', keys: ['num.partitions'] }]);
  assert.deepEqual(brokerConfigs.configs.map((c) => [c.name, c.value]), [['num.partitions', '1']]);
});

test('groups: list, describe, alter/list/delete their offsets, delete', async () => {
  await produce('grouped', ['a', 'b', 'c']);
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'admin-group', autoOffsetReset: 'earliest', enableAutoCommit: false, clientId: 'reader-1' });
  consumer.subscribe(['grouped']);
  assert.equal((await pollUntil(consumer, 3)).length, 3);
  await consumer.commitSync();

  assert.ok((await admin.listGroups()).some((g) => g.groupId === 'admin-group' && g.protocolType === 'consumer' && g.state === 'Stable'));
  const [live] = await admin.describeGroups(['admin-group']);
  assert.equal(live.state, 'Stable');
  assert.equal(live.protocolType, 'consumer');
  assert.equal(live.members.length, 1);
  assert.equal(live.members[0].clientId, 'reader-1');
  assert.deepEqual(live.members[0].assignment, [{ topic: 'grouped', partition: 0 }]);
  // Offsets and the group itself cannot be removed while a member is in it.
  await assert.rejects(admin.deleteGroups(['admin-group']), isKafkaError('NON_EMPTY_GROUP'));
  await assert.rejects(admin.alterGroupOffsets('admin-group', [{ topic: 'grouped', partition: 0, offset: 1 }]), isKafkaError('UNKNOWN_MEMBER_ID'));
  await consumer.close();

  assert.deepEqual((await admin.listGroupOffsets('admin-group')).map((o) => [o.topic, o.partition, o.offset]), [['grouped', 0, 3]]);
  await admin.alterGroupOffsets('admin-group', [{ topic: 'grouped', partition: 0, offset: 1 }]);
  assert.deepEqual((await admin.listGroupOffsets('admin-group', [{ topic: 'grouped', partition: 0 }])).map((o) => o.offset), [1]);
  // A new member starts from the altered offset.
  const again = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'admin-group', enableAutoCommit: false });
  again.subscribe(['grouped']);
  assert.deepEqual((await pollUntil(again, 2)).map((r) => r.value!.toString()), ['b', 'c']);
  await again.close();

  await admin.deleteGroupOffsets('admin-group', [{ topic: 'grouped', partition: 0 }]);
  assert.deepEqual(await admin.listGroupOffsets('admin-group'), []);
  // As in Kafka, an empty group without offsets is gone.
  assert.equal((await admin.describeGroups(['admin-group']))[0].state, 'Dead');

  await admin.alterGroupOffsets('admin-group', [{ topic: 'grouped', partition: 0, offset: 2 }]);
  assert.equal((await admin.describeGroups(['admin-group']))[0].state, 'Empty');
  await admin.deleteGroups(['admin-group']);
  assert.ok(!(await admin.listGroups()).some((g) => g.groupId === 'admin-group'));
  await assert.rejects(admin.deleteGroups(['admin-group']), isKafkaError('GROUP_ID_NOT_FOUND'));
});

test('listOffsets: earliest, latest, by timestamp', async () => {
  await produce('offsets', ['a', 'b', 'c'], [1000, 2000, 3000]);
  const tp = { topic: 'offsets', partition: 0 };
  const found = await admin.listOffsets([{ ...tp, at: 'earliest' }, { ...tp, at: 'latest' }, { ...tp, at: 1500 }, { ...tp, at: 3000 }, { ...tp, at: 9999 }]);
  assert.deepEqual(found.map((o) => [o.offset, o.timestamp]), [[0, -1], [3, -1], [1, 2000], [2, 3000], [-1, -1]]);
  await assert.rejects(admin.listOffsets([{ topic: 'offsets', partition: 7, at: 'latest' }]), isKafkaError('UNKNOWN_TOPIC_OR_PARTITION'));
});

test('deleteRecords moves the low watermark; consumers start there', async () => {
  await admin.createTopics([{ name: 'trimmed', partitions: 2 }]);
  await produce('trimmed', Array.from({ length: 10 }, (_, i) => String(i)));
  const marks = await admin.deleteRecords([{ topic: 'trimmed', partition: 0, offset: 4 }, { topic: 'trimmed', partition: 1, offset: -1 }]);
  assert.deepEqual(marks, [{ topic: 'trimmed', partition: 0, lowWatermark: 4 }, { topic: 'trimmed', partition: 1, lowWatermark: 0 }]);
  assert.deepEqual((await admin.listOffsets([{ topic: 'trimmed', partition: 0, at: 'earliest' }])).map((o) => o.offset), [4]);
  assert.deepEqual((await admin.deleteRecords([{ topic: 'trimmed', partition: 0, offset: 6 }])).map((m) => m.lowWatermark), [6]);

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest' });
  consumer.assign([{ topic: 'trimmed', partition: 0 }]);
  assert.deepEqual((await pollUntil(consumer, 4)).map((r) => r.offset), [6, 7, 8, 9]);
  await consumer.close();

  // -1 stands for the high watermark: everything goes.
  assert.deepEqual((await admin.deleteRecords([{ topic: 'trimmed', partition: 0, offset: -1 }])).map((m) => m.lowWatermark), [10]);
  await assert.rejects(admin.deleteRecords([{ topic: 'trimmed', partition: 0, offset: 11 }]), isKafkaError('OFFSET_OUT_OF_RANGE'));
  await assert.rejects(admin.deleteRecords([{ topic: 'no-such-topic', partition: 0, offset: 1 }]), isKafkaError('UNKNOWN_TOPIC_OR_PARTITION'));
  await admin.createTopics([{ name: 'compacted', configs: { 'cleanup.policy': 'compact' } }]);
  await assert.rejects(admin.deleteRecords([{ topic: 'compacted', partition: 0, offset: 0 }]), isKafkaError('POLICY_VIOLATION'));
});

test('describeCluster: the cluster id, the controller and the brokers', async () => {
  const cluster = await admin.describeCluster();
  assert.equal(typeof cluster.clusterId, 'string');
  assert.equal(cluster.controller, 0);
  assert.deepEqual(cluster.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]), [[0, broker.bootstrap]]);
});
