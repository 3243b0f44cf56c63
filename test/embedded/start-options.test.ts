// startBroker's options: topics that exist when it resolves, server.properties
// keys, and bad options or option shapes that reject clearly and leave nothing behind.
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
  ['a bad topic config', { topics: [{ name: 't', config: { 'cleanup.policy': 'sideways' } }] }, /createTopics: t: INVALID_CONFIG/],
  ['a good topic before a bad topic config', { topics: ['fine', { name: 't', config: { 'cleanup.policy': 'sideways' } }] }, /createTopics: t: INVALID_CONFIG/],
];

const aLogger = { info: () => {}, warn: () => {}, error: () => {} };
/** Options of the wrong shape: refused before anything starts, as a TypeError (wrong type) or RangeError (wrong value). */
const badShapes: [string, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
  ['null options', null, TypeError, /^startBroker: options must be an object, got null$/],
  ['a string as options', 'localhost', TypeError, /^startBroker: options must be an object, got 'localhost'$/],
  ['an array as options', [{ port: 0 }], TypeError, /^startBroker: options must be an object, got an array$/],
  ['an unknown option', { topic: ['t'] }, TypeError, /^startBroker: unknown option 'topic' \(the options are port, host, dataDir, keepData, config, topics, logger\)$/],
  ['a port given as a string', { port: '9092' }, TypeError, /^startBroker: port must be an integer from 0 to 65535, got '9092'$/],
  ['a fractional port', { port: 1.5 }, RangeError, /^startBroker: port must be an integer from 0 to 65535, got 1\.5$/],
  ['a host that is not a string', { host: 127001 }, TypeError, /^startBroker: host must be a non-empty string, got 127001$/],
  ['an empty host', { host: '' }, RangeError, /^startBroker: host must be a non-empty string, got ''$/],
  ['a dataDir that is not a string', { dataDir: { path: '/tmp' } }, TypeError, /^startBroker: dataDir must be a non-empty string, got an object$/],
  ['an empty dataDir', { dataDir: '' }, RangeError, /^startBroker: dataDir must be a non-empty string, got ''$/],
  ['keepData that is not a boolean', { keepData: 'yes' }, TypeError, /^startBroker: keepData must be a boolean, got 'yes'$/],
  ['config that is a string', { config: 'num.partitions=3' }, TypeError, /^startBroker: config must be an object of config keys to values, got 'num\.partitions=3'$/],
  ['config that is a Map', { config: new Map([['num.partitions', 3]]) }, TypeError, /^startBroker: config must be an object of config keys to values, got a Map$/],
  ['a config value that is null', { config: { 'num.partitions': null } }, TypeError, /^startBroker: config num\.partitions: must be a string, number or boolean, got null$/],
  ['a config value that is an array', { config: { 'log.cleanup.policy': ['compact'] } }, TypeError, /^startBroker: config log\.cleanup\.policy: must be a string, number or boolean, got an array$/],
  ['topics that is not an array', { topics: 'orders' }, TypeError, /^startBroker: topics must be an array of topic names or \{ name, partitions, config \}, got 'orders'$/],
  ['a topic that is a number', { topics: ['ok', 42] }, TypeError, /^startBroker: topics\[1\]: must be a topic name or \{ name, partitions, config \}, got 42$/],
  ['a topic that is an array', { topics: [['nested']] }, TypeError, /^startBroker: topics\[0\]: must be a topic name or \{ name, partitions, config \}, got an array$/],
  ['a topic without a name', { topics: [{ partitions: 3 }] }, TypeError, /^startBroker: topics\[0\]: name must be a string, got undefined$/],
  ['an empty topic name', { topics: [''] }, RangeError, /^startBroker: topics\[0\]: topic name is empty$/],
  ['a bad topic name', { topics: ['ok', 'not ok!'] }, RangeError, /^startBroker: topics\[1\]: topic name "not ok!" contains characters other than/],
  ['a topic key that does not exist', { topics: [{ name: 't', partition: 3 }] }, TypeError, /^startBroker: topics\[0\]: unknown key 'partition' \(a topic has name, partitions, config\)$/],
  ['partitions given as a string', { topics: [{ name: 't', partitions: '3' }] }, TypeError, /^startBroker: topics\[0\]: partitions must be a positive integer, got '3'$/],
  ['zero partitions', { topics: [{ name: 't', partitions: 0 }] }, RangeError, /^startBroker: topics\[0\]: partitions must be a positive integer, got 0$/],
  ['a topic config that is not an object', { topics: [{ name: 't', config: 'cleanup.policy=compact' }] }, TypeError, /^startBroker: topics\[0\]: config must be an object of config keys to values, got 'cleanup\.policy=compact'$/],
  ['a topic config value that is an object', { topics: [{ name: 't', config: { 'retention.ms': { hours: 1 } } }] }, TypeError, /^startBroker: topics\[0\]: config retention\.ms: must be a string, number or boolean, got an object$/],
  ['a topic named twice', { topics: ['t', { name: 't', partitions: 2 }] }, RangeError, /^startBroker: topics\[1\]: 't' is also topics\[0\]$/],
  ['a logger that is a function', { logger: console.log }, TypeError, /^startBroker: logger must be an object with info, warn and error methods, got a function$/],
  ['a logger without warn', { logger: { ...aLogger, warn: undefined } }, TypeError, /^startBroker: logger\.warn must be a function, got undefined$/],
];

/** startBroker(options) rejects as `expected` says and leaves no temp dir, socket, timer or broker-made resource. */
async function rejectsLeavingNothing(options: unknown, expected: RegExp | { name: string; message: RegExp }): Promise<void> {
  const dirsBefore = readdirSync(privateTmp);
  const before = await activeResources();
  const tracker = trackBrokerResources();
  await assert.rejects(startBroker(options as StartBrokerOptions), expected);
  assert.deepEqual(readdirSync(privateTmp), dirsBefore);
  assert.deepEqual(await tracker.leftovers(), []);
  assert.deepEqual(await grownSince(before), []);
}

for (const [what, options, error] of badOptions) {
  test(`${what} rejects and leaves no temp dir, socket or timer`, () => rejectsLeavingNothing(options, error));
}

for (const [what, options, errorClass, message] of badShapes) {
  test(`${what} is refused with a ${errorClass.name} naming it, leaving nothing behind`, () =>
    rejectsLeavingNothing(options, { name: errorClass.name, message }));
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
