// startBroker's options: topics that exist when it resolves, server.properties
// keys, and bad options that reject clearly and leave nothing behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker, type StartBrokerOptions } from '../../src/index.js';
import { kafkaClient } from './kafkajs.js';
import { activeResources, grownSince, trackBrokerResources } from './leaks.js';

// A private TMPDIR (os.tmpdir() reads it on each call) shows exactly which temp dirs startBroker leaves.
const savedTmp = process.env.TMPDIR;
let privateTmp: string;
/** Every broker started here, stopped again by the after-hook if a test failed before stopping it. */
const brokers: EmbeddedBroker[] = [];
before(() => {
  privateTmp = mkdtempSync(join(tmpdir(), 'samsa-embedded-options-'));
  process.env.TMPDIR = privateTmp;
});
after(async () => {
  for (const b of brokers) await b.stop();
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
});

async function start(options: StartBrokerOptions): Promise<EmbeddedBroker> {
  const b = await startBroker(options);
  brokers.push(b);
  return b;
}

test('topics given to startBroker exist with their partitions and configs when it resolves', async () => {
  const broker = await start({
    config: { 'num.partitions': 3, 'auto.create.topics.enable': false },
    topics: ['plain', { name: 'wide', partitions: 5 }, { name: 'compacted', partitions: 2, config: { 'cleanup.policy': 'compact', 'retention.ms': 60_000 } }],
  });
  const admin = kafkaClient(broker.bootstrap).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['plain', 'wide', 'compacted'] });
    assert.deepEqual(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length])), { plain: 3, wide: 5, compacted: 2 });
  } finally {
    await admin.disconnect();
  }
  // Samsa does not serve DescribeConfigs yet: read the topic configs from its metadata file.
  const stored = JSON.parse(readFileSync(join(broker.dataDir, 'samsa-metadata.json'), 'utf8')) as { topics: { name: string; configs: object }[] };
  assert.deepEqual(stored.topics.find((t) => t.name === 'compacted')?.configs, { 'cleanup.policy': ['compact'], 'retention.ms': 60_000 });
  await broker.stop();
});

test('createTopics and deleteTopics change the running broker', async () => {
  const broker = await start({});
  await broker.createTopics({ name: 'later', partitions: 2 }, 'later-too');
  await assert.rejects(broker.createTopics('later'), /createTopics: later: TOPIC_ALREADY_EXISTS/);
  const admin = kafkaClient(broker.bootstrap).admin();
  await admin.connect();
  try {
    assert.deepEqual((await admin.listTopics()).sort(), ['later', 'later-too']);
    await broker.deleteTopics('later');
    assert.deepEqual(await admin.listTopics(), ['later-too']);
  } finally {
    await admin.disconnect();
  }
  await assert.rejects(broker.deleteTopics('later'), /deleteTopics: later: UNKNOWN_TOPIC_OR_PARTITION/);
  await broker.stop();
});

const badOptions: [string, StartBrokerOptions, RegExp][] = [
  ['an unknown config key', { config: { 'no.such.key': 1 } }, /config no\.such\.key: unknown config key/],
  ['an unknown config key with keepData', { keepData: true, config: { 'no.such.key': 1 } }, /config no\.such\.key: unknown config key/],
  ['a bad config value', { config: { 'num.partitions': 0 } }, /config num\.partitions/],
  ['a negative port', { port: -1 }, /port must be an integer from 0 to 65535, got -1/],
  ['a listeners config', { config: { listeners: 'PLAINTEXT://:9092' } }, /config listeners: use the host, port and dataDir options instead/],
  ['a bad topic name', { topics: ['ok', 'not ok!'] }, /createTopics: not ok!: INVALID_TOPIC_EXCEPTION/],
  ['a bad topic config', { topics: [{ name: 't', config: { 'cleanup.policy': 'sideways' } }] }, /createTopics: t: INVALID_CONFIG/],
];

for (const [what, options, error] of badOptions) {
  test(`${what} rejects and leaves no temp dir, socket or timer`, async () => {
    const dirsBefore = readdirSync(privateTmp);
    const before = await activeResources();
    const tracker = trackBrokerResources();
    await assert.rejects(startBroker(options), error);
    assert.deepEqual(readdirSync(privateTmp), dirsBefore);
    assert.deepEqual(await tracker.leftovers(), []);
    assert.deepEqual(await grownSince(before), []);
  });
}

test('a second broker on a port in use rejects and leaves nothing behind', async () => {
  const first = await start({});
  const dirsBefore = readdirSync(privateTmp);
  const before = await activeResources();
  const tracker = trackBrokerResources();
  await assert.rejects(startBroker({ port: first.port }), new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${first.port}`));
  assert.deepEqual(readdirSync(privateTmp), dirsBefore);
  assert.deepEqual(await tracker.leftovers(), []);
  assert.deepEqual(await grownSince(before), []);
  await first.stop();
  assert.ok(!readdirSync(privateTmp).includes(basename(first.dataDir)));
});
