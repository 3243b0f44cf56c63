// Samsa's own client against other clients through a broker started as `samsa start`:
// its producer read by confluent-kafka and kafka-python (every codec), their producers read by
// its consumer, key partitioning checked against kcat's murmur2_random, and a consumer group
// shared with a confluent-kafka member.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Admin, Consumer, Producer, partitionForKey, type CompressionCodec, type ConsumerRecord } from '../../src/index.js';
import { kcat, python } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

const CODECS: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const COUNT = 300;

let broker: BrokerProcess;
before(async () => { broker = await startBrokerProcess({ overrides: { 'num.partitions': 3 } }); });
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

type PyRecord = [partition: number, offset: number, key: string, value: string | null, headers: [string, string | null][]];

function expected(i: number): { key: string; value: string | null; header: string } {
  return { key: `key-${i}`, value: i === 1 ? null : `value-${i}`, header: `hv-${i}` };
}

/** Reads `count` records from the beginning of every partition with Samsa's consumer (no group). */
async function readAll(topic: string, count: number): Promise<ConsumerRecord[]> {
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  const [described] = await admin.describeTopics([topic]);
  await admin.close();
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest' });
  consumer.assign(described.partitions.map((p) => ({ topic, partition: p.partition })));
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < 200 && out.length < count; i++) out.push(...(await consumer.poll(500)));
  await consumer.close();
  return out;
}

for (const codec of CODECS) {
  test(`Samsa producer (${codec}) → confluent-kafka and kafka-python consumers`, async () => {
    const topic = `samsa-out-${codec}`;
    const producer = new Producer({ bootstrapServers: broker.bootstrap, compression: codec, lingerMs: 5 });
    const metas = await producer.sendBatch(Array.from({ length: COUNT }, (_, i) => {
      const e = expected(i);
      return { topic, key: e.key, value: e.value, headers: [['h', e.header]] as [string, string][] };
    }));
    await producer.close();
    assert.equal(metas.length, COUNT);
    for (const client of ['confluent', 'kafka-python']) {
      const { records } = await python<{ records: PyRecord[] }>('client_interop.py', ['consume', client, broker.bootstrap, topic, String(COUNT)]);
      assert.equal(records.length, COUNT, client);
      const byKey = new Map(records.map((r) => [r[2], r]));
      for (let i = 0; i < COUNT; i++) {
        const e = expected(i);
        const r = byKey.get(e.key);
        assert.ok(r, `${client} did not read ${e.key}`);
        assert.equal(r[3], e.value);
        assert.deepEqual(r[4], [['h', e.header]]);
        // Where the producer said it wrote it.
        assert.equal(r[0], metas[i].partition);
        assert.equal(r[1], metas[i].offset);
      }
    }
  });

  for (const client of ['confluent', 'kafka-python']) {
    test(`${client} producer (${codec}) → Samsa consumer`, async () => {
      const topic = `${client}-in-${codec}`;
      await python('client_interop.py', ['produce', client, broker.bootstrap, topic, String(COUNT), codec]);
      const records = await readAll(topic, COUNT);
      assert.equal(records.length, COUNT);
      const byKey = new Map(records.map((r) => [r.key!.toString(), r]));
      for (let i = 0; i < COUNT; i++) {
        const e = expected(i);
        const r = byKey.get(e.key)!;
        assert.ok(r, `missing ${e.key}`);
        assert.equal(r.value === null ? null : r.value.toString(), e.value);
        assert.deepEqual(r.headers.map(([k, v]) => [k, v?.toString()]), [['h', e.header]]);
        // librdkafka and kafka-python partition keys with murmur2 too.
        if (client === 'kafka-python') assert.equal(r.partition, partitionForKey(e.key, 3));
      }
    });
  }
}

test('keys land in the partitions kcat chooses with partitioner=murmur2_random, both ways', async () => {
  const topic = 'murmur';
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: topic, partitions: 7 }]);
  await admin.close();
  const keys = Array.from({ length: 200 }, (_, i) => `user-${i * 7919}-${'x'.repeat(i % 13)}`);
  await kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K', ':', '-X', 'partitioner=murmur2_random'], keys.map((k) => `${k}:v`).join('\n') + '\n');
  const records = await readAll(topic, keys.length);
  assert.equal(records.length, keys.length);
  for (const r of records) assert.equal(r.partition, partitionForKey(r.key!, 7), `key ${r.key}`);

  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  const metas = await producer.sendBatch(keys.map((k) => ({ topic, key: `again-${k}`, value: 'w' })));
  await producer.close();
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k %p\n']);
  const kcatPartition = new Map(out.trim().split('\n').map((l) => l.split(' ')).map(([k, p]) => [k, Number(p)]));
  keys.forEach((k, i) => assert.equal(metas[i].partition, kcatPartition.get(`again-${k}`), `key again-${k}`));
});

/** A confluent-kafka group member (test/interop/py/groups_member.py) and its events. */
function confluentMember(group: string, topic: string): { events: Record<string, unknown>[]; stop: () => Promise<void>; assignment: () => number[] } {
  const script = fileURLToPath(new URL('../../../test/interop/py/groups_member.py', import.meta.url));
  const child = spawn('/usr/bin/python3', [script, 'confluent', broker.bootstrap, group, topic, JSON.stringify({ session_timeout_ms: 6000, max_seconds: 90 })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => events.push(JSON.parse(line) as Record<string, unknown>));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    events,
    assignment: () => {
      const last = events.filter((e) => e.event === 'assignment').at(-1) as { partitions: [string, number][] } | undefined;
      return (last?.partitions ?? []).map(([, p]) => p);
    },
    stop: async () => {
      child.stdin.end('stop\n');
      await exited;
    },
  };
}

test('Samsa consumers share a group with a confluent-kafka member', { timeout: 180_000 }, async () => {
  const topic = 'shared-group';
  const group = 'mixed';
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: topic, partitions: 6 }]);
  const options = { bootstrapServers: broker.bootstrap, groupId: group, autoOffsetReset: 'earliest' as const, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };
  const samsa = [new Consumer(options), new Consumer(options)];
  const confluent = confluentMember(group, topic);
  const received: ConsumerRecord[] = [];
  for (const c of samsa) c.subscribe([topic]);
  try {
    // Poll until the three members split the six partitions between them.
    let covered = false;
    for (let round = 0; round < 120 && !covered; round++) {
      for (const c of samsa) received.push(...(await c.poll(100)));
      const owned = [...samsa.flatMap((c) => c.assignment().map((p) => p.partition)), ...confluent.assignment()];
      covered = samsa.every((c) => c.assignment().length === 2) && confluent.assignment().length === 2 && new Set(owned).size === 6;
    }
    assert.ok(covered, `assignments: ${JSON.stringify(samsa.map((c) => c.assignment()))} + confluent ${JSON.stringify(confluent.assignment())}`);
    const described = await admin.describeGroups([group]);
    assert.equal(described[0].members.length, 3);
    assert.equal(described[0].protocol, 'range');

    const producer = new Producer({ bootstrapServers: broker.bootstrap });
    await producer.sendBatch(Array.from({ length: 600 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
    await producer.close();
    for (let round = 0; round < 200; round++) {
      for (const c of samsa) received.push(...(await c.poll(50)));
      const confluentCount = confluent.events.filter((e) => e.event === 'record').length;
      if (received.length + confluentCount >= 600) break;
    }
    const confluentRecords = confluent.events.filter((e) => e.event === 'record') as unknown as { partition: number; value: string }[];
    const samsaPartitions = new Set(samsa.flatMap((c) => c.assignment().map((p) => p.partition)));
    assert.equal(received.length + confluentRecords.length, 600);
    for (const r of received) assert.ok(samsaPartitions.has(r.partition));
    for (const r of confluentRecords) assert.ok(!samsaPartitions.has(r.partition));
    const values = new Set([...received.map((r) => r.value!.toString()), ...confluentRecords.map((r) => r.value)]);
    assert.equal(values.size, 600);
  } finally {
    await confluent.stop();
    for (const c of samsa) await c.close();
    await admin.close();
  }
});
