// The public API's other functions check their arguments too: an embedded
// broker's createTopics/deleteTopics (names and topic objects, one by one or as
// arrays; all checked before any is created or deleted), BrokerConfig.parse
// and Broker.start. startBroker's own options are in start-options.test.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { Broker, BrokerConfig, startBroker, type EmbeddedBroker } from '../../src/index.js';
import { kafkaClient } from './kafkajs.js';
import { activeResources, grownSince, trackBrokerResources } from './leaks.js';

let broker: EmbeddedBroker;
let admin: Admin;
let scratch: string;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 2, 'auto.create.topics.enable': false }, topics: ['existing'] });
  admin = kafkaClient(broker.bootstrap).admin();
  await admin.connect();
  scratch = mkdtempSync(join(tmpdir(), 'samsa-api-arguments-'));
});
after(async () => {
  await admin.disconnect();
  await broker.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Topic names with their partition counts, as a client sees them. */
async function topicPartitions(): Promise<Record<string, number>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: await admin.listTopics() });
  return Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]).sort());
}

/** Calls its argument lists without TypeScript's checks, as JavaScript callers can. */
type Untyped = (...args: unknown[]) => Promise<void>;
const createTopics = (...args: unknown[]): Promise<void> => (broker.createTopics as Untyped)(...args);
const deleteTopics = (...args: unknown[]): Promise<void> => (broker.deleteTopics as Untyped)(...args);

test('createTopics and deleteTopics take topics one by one, as arrays, or both', async () => {
  await broker.createTopics('one', 'two');
  await broker.createTopics(['three', { name: 'four', partitions: 3 }]);
  await broker.createTopics({ name: 'five', partitions: 1 }, ['six', { name: 'seven', config: { 'cleanup.policy': 'compact' } }]);
  await broker.createTopics();
  assert.deepEqual(await topicPartitions(), { existing: 2, five: 1, four: 3, one: 2, seven: 2, six: 2, three: 2, two: 2 });

  await broker.deleteTopics('one', 'two');
  await broker.deleteTopics(['three', 'four']);
  await broker.deleteTopics('five', ['six', 'seven']);
  assert.deepEqual(await topicPartitions(), { existing: 2 });
});

/** createTopics arguments with good entries before a bad one, and the error that names the bad one. */
const badCreates: [string, unknown[], { name: string; message: RegExp }][] = [
  ['an entry that is a number', ['first', 5], { name: 'TypeError', message: /^createTopics: topics\[1\]: must be a topic name or \{ name, partitions, config \}, got 5$/ }],
  ['an entry that is null, in an array after a name', ['first', ['second', null]], { name: 'TypeError', message: /^createTopics: topics\[2\]: must be a topic name or \{ name, partitions, config \}, got null$/ }],
  ['an array inside an array', [['first', ['nested']]], { name: 'TypeError', message: /^createTopics: topics\[1\]: must be a topic name or \{ name, partitions, config \}, got an array$/ }],
  ['partitions given as a string', [['first', { name: 'second', partitions: '3' }]], { name: 'TypeError', message: /^createTopics: topics\[1\]: partitions must be a positive integer, got '3'$/ }],
  ['negative partitions', ['first', { name: 'second', partitions: -1 }], { name: 'RangeError', message: /^createTopics: topics\[1\]: partitions must be a positive integer, got -1$/ }],
  ['fractional partitions', ['first', { name: 'second', partitions: 1.5 }], { name: 'RangeError', message: /^createTopics: topics\[1\]: partitions must be a positive integer, got 1\.5$/ }],
  ['a name that is not a string', ['first', { name: 7 }], { name: 'TypeError', message: /^createTopics: topics\[1\]: name must be a string, got 7$/ }],
  ['an empty name', ['first', ''], { name: 'RangeError', message: /^createTopics: topics\[1\]: topic name is empty$/ }],
  ['a name with a space', ['first', { name: 'has space' }], { name: 'RangeError', message: /^createTopics: topics\[1\]: topic name "has space" contains characters other than/ }],
  ['a topic key that does not exist', ['first', { name: 'second', replicationFactor: 1 }], { name: 'TypeError', message: /^createTopics: topics\[1\]: unknown key 'replicationFactor' \(a topic has name, partitions, config\)$/ }],
  ['a config that is an array', ['first', { name: 'second', config: [['cleanup.policy', 'compact']] }], { name: 'TypeError', message: /^createTopics: topics\[1\]: config must be an object of config keys to values, got an array$/ }],
  ['a config value that is undefined', ['first', { name: 'second', config: { 'retention.ms': undefined } }], { name: 'TypeError', message: /^createTopics: topics\[1\]: config retention\.ms: must be a string, number or boolean, got undefined$/ }],
  ['a name given twice', ['first', ['second', 'first']], { name: 'RangeError', message: /^createTopics: topics\[2\]: 'first' is also topics\[0\]$/ }],
  // The broker's own checks, also made for every entry before any is created.
  ['a config value the broker refuses', ['first', { name: 'second', config: { 'cleanup.policy': 'sideways' } }], { name: 'Error', message: /^createTopics: second: INVALID_CONFIG/ }],
  ['a topic that exists', ['first', 'existing'], { name: 'Error', message: /^createTopics: existing: TOPIC_ALREADY_EXISTS/ }],
];

for (const [what, args, expected] of badCreates) {
  test(`createTopics with ${what} is refused naming it, and creates none of the topics`, async () => {
    await assert.rejects(createTopics(...args), expected);
    assert.deepEqual(await topicPartitions(), { existing: 2 });
  });
}

const badDeletes: [string, unknown[], { name: string; message: RegExp }][] = [
  ['a name that is an object', ['existing', { name: 'x' }], { name: 'TypeError', message: /^deleteTopics: names\[1\]: must be a topic name, got an object$/ }],
  ['an empty name in an array', [['existing', '']], { name: 'RangeError', message: /^deleteTopics: names\[1\]: topic name is empty$/ }],
  ['a name given twice', ['existing', ['existing']], { name: 'RangeError', message: /^deleteTopics: names\[1\]: 'existing' is also names\[0\]$/ }],
];

for (const [what, args, expected] of badDeletes) {
  test(`deleteTopics with ${what} is refused naming it, and deletes none of the topics`, async () => {
    await assert.rejects(deleteTopics(...args), expected);
    assert.deepEqual(await topicPartitions(), { existing: 2 });
  });
}

test('createTopics and deleteTopics after stop() reject saying so', async () => {
  const stopped = await startBroker({ dataDir: join(scratch, 'stopped') });
  await stopped.stop();
  await assert.rejects(stopped.createTopics('late'), /^Error: createTopics: the broker is stopped$/);
  await assert.rejects(stopped.deleteTopics('late'), /^Error: deleteTopics: the broker is stopped$/);
});

test('BrokerConfig.parse refuses what is not an object or a Map of keys', () => {
  for (const [raw, got] of [[null, 'null'], [undefined, 'undefined'], ['num.partitions=3', "'num.partitions=3'"], [42, '42'], [['num.partitions'], 'an array']] as const) {
    assert.throws(() => BrokerConfig.parse(raw as unknown as Record<string, unknown>), {
      name: 'TypeError',
      message: `BrokerConfig.parse: config must be an object or a Map of server.properties keys to values, got ${got}`,
    });
  }
  assert.equal(BrokerConfig.parse(new Map([['num.partitions', '3']])).int('num.partitions'), 3);
  assert.equal(BrokerConfig.parse({ 'num.partitions': 3 }).int('num.partitions'), 3);
});

test('Broker.start refuses a config not from BrokerConfig.parse, or a logger without methods, before touching disk or network', async () => {
  const dir = join(scratch, 'never-made');
  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  const config = BrokerConfig.parse({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir });
  const calls: [string, () => Promise<Broker>, string][] = [
    ['a plain object as config', () => Broker.start({ 'log.dirs': dir } as unknown as BrokerConfig, logger), 'Broker.start: config must come from BrokerConfig.parse(), got an object'],
    ['no logger', () => Broker.start(config, undefined as unknown as typeof logger), 'Broker.start: log must be an object with info, warn and error methods, got undefined'],
    ['a logger without error', () => Broker.start(config, { info: logger.info, warn: logger.warn } as typeof logger), 'Broker.start: log.error must be a function, got undefined'],
  ];
  for (const [what, call, message] of calls) {
    const before = await activeResources();
    const tracker = trackBrokerResources();
    await assert.rejects(call(), { name: 'TypeError', message }, what);
    assert.equal(existsSync(dir), false, what);
    assert.deepEqual(await tracker.leftovers(), [], what);
    assert.deepEqual(await grownSince(before), [], what);
  }
});
