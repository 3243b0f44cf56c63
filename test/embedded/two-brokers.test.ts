// Two embedded brokers in one process share nothing: each has its own port,
// data, topics and groups, and stopping both leaves nothing running.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/index.js';
import { consume, kafkaClient, produce } from './kafkajs.js';
import { activeResources, grownSince, openFilesUnder, trackBrokerResources, type BrokerResourceTracker, type ResourceCounts } from './leaks.js';

let resourcesBefore: ResourceCounts;
let tracker: BrokerResourceTracker;
let a: EmbeddedBroker;
let b: EmbeddedBroker;

before(async () => {
  resourcesBefore = await activeResources();
  tracker = trackBrokerResources();
  a = await startBroker({ topics: [{ name: 'events', partitions: 3 }] });
  b = await startBroker(); // 'events' is auto-created here on first produce
});
after(async () => {
  await a?.stop();
  await b?.stop();
});

const values = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const sorted = (xs: string[]): string[] => [...xs].sort();

test('each broker has its own port and data dir', () => {
  assert.notEqual(a.port, b.port);
  assert.notEqual(a.dataDir, b.dataDir);
  assert.equal(a.bootstrap, `127.0.0.1:${a.port}`);
});

test('KafkaJS produces to both; each reads back only its own records', async () => {
  await produce(a.bootstrap, 'events', values('a', 30));
  await produce(b.bootstrap, 'events', values('b', 5));
  const fromA = await consume(a.bootstrap, 'events', 'readers-a', 30);
  const fromB = await consume(b.bootstrap, 'events', 'readers-b', 5);
  assert.deepEqual(sorted(fromA.map((r) => r.value)), sorted(values('a', 30)));
  assert.deepEqual(new Set(fromA.map((r) => r.partition)), new Set([0, 1, 2]));
  assert.deepEqual(sorted(fromB.map((r) => r.value)), sorted(values('b', 5)));
});

test("a group's committed offsets live on its own broker only", async () => {
  const adminA = kafkaClient(a.bootstrap).admin();
  const adminB = kafkaClient(b.bootstrap).admin();
  await adminA.connect();
  await adminB.connect();
  try {
    const [offsets] = await adminA.fetchOffsets({ groupId: 'readers-a', topics: ['events'] });
    const committed = offsets.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    assert.equal(committed, 30);
    assert.deepEqual((await adminA.listGroups()).groups.map((g) => g.groupId), ['readers-a']);
    assert.deepEqual((await adminB.listGroups()).groups.map((g) => g.groupId), ['readers-b']);
  } finally {
    await adminA.disconnect();
    await adminB.disconnect();
  }
});

test('stopped in the other order, both leave no socket, timer, open file or temp dir', async () => {
  await b.stop();
  // A still serves after B stopped.
  assert.equal((await consume(a.bootstrap, 'events', 'late-reader', 30)).length, 30);
  await a.stop();
  assert.equal(existsSync(a.dataDir), false);
  assert.equal(existsSync(b.dataDir), false);
  assert.deepEqual([...openFilesUnder(a.dataDir), ...openFilesUnder(b.dataDir)], []);
  assert.deepEqual(await tracker.leftovers(), []);
  assert.deepEqual(await grownSince(resourcesBefore), []);
});
