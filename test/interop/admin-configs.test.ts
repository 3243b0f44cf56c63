// Topic and broker configs through third-party admin clients: DescribeConfigs
// (sources, synonyms, documentation), AlterConfigs and IncrementalAlterConfigs,
// applied live to the partitions and kept across a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import '../helpers/platformatic.js';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../src/protocol/errors.js';
import { kcat, python, run } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';


/** Kafka's ConfigSource ids. */
const { ConfigResourceTypes: KafkaJsResourceTypes, Kafka, logLevel } = kafkajs;

const TOPIC_CONFIG = 1, DYNAMIC_BROKER = 2, DYNAMIC_DEFAULT = 3, STATIC_BROKER = 4, DEFAULT = 5;

interface Described { value: string | null; source: number; read_only: boolean; synonyms: [string, string | null, number][] }
type Outcome = { error: string | number | null; message?: string };

const STATIC = { 'log.segment.bytes': 536870912 };
let broker: BrokerProcess;

before(async () => { broker = await startBrokerProcess({ overrides: STATIC }); });
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

function confluent<T>(actions: unknown[]): Promise<T> {
  return python<T>('admin_configs.py', [broker.bootstrap, 'confluent', JSON.stringify(actions)]);
}

function kafkaPython<T>(actions: unknown[]): Promise<T> {
  return python<T>('admin_configs.py', [broker.bootstrap, 'kafka-python', JSON.stringify(actions)]);
}

async function withPlatformatic<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap] });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

async function createTopic(name: string, config: Record<string, string> = {}): Promise<void> {
  const [result] = await confluentCreate(name, config);
  assert.equal(result, null);
}

function confluentCreate(name: string, config: Record<string, string>): Promise<(string | null)[]> {
  // kcat cannot create topics with configs; KafkaJS can.
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  return admin.connect()
    .then(() => admin.createTopics({ topics: [{ topic: name, numPartitions: 1, configEntries: Object.entries(config).map(([k, v]) => ({ name: k, value: v })) }] }))
    .then(() => [null], (e: Error) => [e.message])
    .finally(() => admin.disconnect());
}

test('confluent-kafka describes a topic: override, static broker value and default, with synonyms', async () => {
  await createTopic('cfg-describe', { 'retention.ms': '3600000' });
  const [configs] = await confluent<Record<string, Described>[]>([{ op: 'describe', type: 'topic', name: 'cfg-describe' }]);
  assert.deepEqual(configs['retention.ms'], {
    value: '3600000', source: TOPIC_CONFIG, read_only: false, sensitive: false, synonyms: [['retention.ms', '3600000', TOPIC_CONFIG]],
  });
  assert.equal(configs['segment.bytes'].source, STATIC_BROKER);
  assert.equal(configs['segment.bytes'].value, '536870912');
  assert.equal(configs['cleanup.policy'].source, DEFAULT);
  assert.equal(configs['cleanup.policy'].value, 'delete');
  assert.equal(configs['max.message.bytes'].value, '1048588');
  assert.ok(Object.keys(configs).length >= 25);

  // confluent-kafka keys synonyms by name, so read the whole list with @platformatic/kafka (v4):
  // as in Kafka, a value from server.properties is listed over Kafka's default.
  const [described] = await withPlatformatic((admin) => admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cfg-describe', configurationKeys: ['segment.bytes', 'retention.ms'] }],
    includeSynonyms: true,
  }));
  const synonyms = Object.fromEntries(described.configs.map((c) => [c.name, c.synonyms.map((s) => [s.name, s.value, s.source])]));
  assert.deepEqual(synonyms, {
    'segment.bytes': [['log.segment.bytes', '536870912', STATIC_BROKER], ['log.segment.bytes', '1073741824', DEFAULT]],
    // Kafka lists retention.ms's broker synonyms from log.retention.ms on; only the hours have a value here.
    'retention.ms': [['retention.ms', '3600000', TOPIC_CONFIG]],
  });
});

test('alter retention.ms with the full API (confluent-kafka) and the incremental one (@platformatic/kafka), then restart', async () => {
  await createTopic('cfg-alter', { 'cleanup.policy': 'compact', 'retention.ms': '1000' });
  // AlterConfigs replaces the whole set: cleanup.policy goes back to its default.
  const [altered, [after]] = await confluent<[Outcome[], Record<string, Described>]>([
    { op: 'alter', resources: [{ type: 'topic', name: 'cfg-alter', configs: { 'retention.ms': '7200000' } }] },
    { op: 'describe', type: 'topic', name: 'cfg-alter', keys: ['retention.ms', 'cleanup.policy'] },
  ]).then((r) => [r[0], [r[1]]] as const);
  assert.deepEqual(altered, [{ error: null }]);
  assert.equal(after['retention.ms'].value, '7200000');
  assert.equal(after['cleanup.policy'].value, 'delete');
  assert.equal(after['cleanup.policy'].source, DEFAULT);

  await withPlatformatic(async (admin) => {
    await admin.incrementalAlterConfigs({
      resources: [{
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: 'cfg-alter',
        configs: [
          { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '86400000' },
          { name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: 'compact' },
          { name: 'segment.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '600000' },
        ],
      }],
    });
    await admin.incrementalAlterConfigs({
      resources: [{
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: 'cfg-alter',
        configs: [{ name: 'segment.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE }],
      }],
    });
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cfg-alter', configurationKeys: ['retention.ms', 'cleanup.policy', 'segment.ms'] }],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const byName = new Map(described.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('retention.ms')?.value, '86400000');
    assert.equal(byName.get('retention.ms')?.configSource, TOPIC_CONFIG);
    assert.equal(byName.get('retention.ms')?.configType, 5); // LONG
    assert.match(byName.get('retention.ms')?.documentation ?? '', /\w+/);
    assert.equal(byName.get('cleanup.policy')?.value, 'delete,compact');
    assert.equal(byName.get('cleanup.policy')?.configType, 7); // LIST
    assert.equal(byName.get('segment.ms')?.configSource, DEFAULT);
    assert.equal(byName.size, 3);
  });

  await broker.stop();
  broker = await startBrokerProcess({ dataDir: broker.dataDir, overrides: STATIC });
  const [restarted] = await confluent<Record<string, Described>[]>([
    { op: 'describe', type: 'topic', name: 'cfg-alter', keys: ['retention.ms', 'cleanup.policy'] },
  ]);
  assert.equal(restarted['retention.ms'].value, '86400000');
  assert.equal(restarted['retention.ms'].source, TOPIC_CONFIG);
  assert.equal(restarted['cleanup.policy'].value, 'delete,compact');
});

test('KafkaJS describes and alters configs', async () => {
  await createTopic('cfg-kafkajs');
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: KafkaJsResourceTypes.TOPIC, name: 'cfg-kafkajs', configEntries: [{ name: 'retention.ms', value: '123456' }] }],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: KafkaJsResourceTypes.TOPIC, name: 'cfg-kafkajs', configNames: ['retention.ms', 'segment.bytes'] }],
    });
    const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e]));
    assert.equal(entries.get('retention.ms')?.configValue, '123456');
    assert.equal(entries.get('retention.ms')?.configSource, TOPIC_CONFIG);
    assert.equal(entries.get('segment.bytes')?.configSource, STATIC_BROKER);
    assert.equal(entries.size, 2);
  } finally {
    await admin.disconnect();
  }
});

test('kafka-python describes (v2) and alters (v1) configs', async () => {
  await createTopic('cfg-kp', { 'retention.ms': '5000' });
  type Entries = Record<string, { value: string; source: number }>;
  const [before, altered, after] = await kafkaPython<[Entries, Outcome[], Entries]>([
    { op: 'describe', type: 'topic', name: 'cfg-kp', keys: ['retention.ms', 'cleanup.policy'] },
    { op: 'alter', resources: [{ type: 'topic', name: 'cfg-kp', configs: { 'retention.ms': '6000' } }] },
    { op: 'describe', type: 'topic', name: 'cfg-kp', keys: ['retention.ms'] },
  ]);
  assert.equal(before['retention.ms'].value, '5000');
  assert.equal(before['retention.ms'].source, TOPIC_CONFIG);
  assert.equal(before['cleanup.policy'].source, DEFAULT);
  assert.deepEqual(altered, [{ error: null, message: null }]);
  assert.equal(after['retention.ms'].value, '6000');
});

test('a cluster-wide dynamic default is the source of a topic value and applies to produce at once', async () => {
  await createTopic('cfg-dynamic');
  await withPlatformatic(async (admin) => {
    await admin.incrementalAlterConfigs({
      resources: [{
        resourceType: ConfigResourceTypes.BROKER,
        resourceName: '',
        configs: [
          { name: 'log.retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '2592000000' },
          { name: 'message.max.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '2000' },
        ],
      }],
    });
  });
  const [topic, brokerDefault, brokerOwn] = await confluent<Record<string, Described>[]>([
    { op: 'describe', type: 'topic', name: 'cfg-dynamic', keys: ['retention.ms', 'max.message.bytes'] },
    { op: 'describe', type: 'broker', name: '0', keys: ['log.retention.ms', 'broker.id'] },
    { op: 'describe', type: 'broker', name: '0', keys: ['log.retention.hours'] },
  ]);
  assert.deepEqual(topic['retention.ms'], {
    value: '2592000000', source: DYNAMIC_DEFAULT, read_only: false, sensitive: false,
    synonyms: [['log.retention.ms', '2592000000', DYNAMIC_DEFAULT], ['log.retention.hours', '168', DEFAULT]],
  });
  assert.equal(topic['max.message.bytes'].value, '2000');
  assert.equal(brokerDefault['log.retention.ms'].source, DYNAMIC_DEFAULT);
  assert.equal(brokerDefault['log.retention.ms'].read_only, false);
  assert.equal(brokerDefault['broker.id'].read_only, true);
  assert.equal(brokerOwn['log.retention.hours'].value, '168');

  // The new message.max.bytes is live: a 3,000-byte record is refused, a small one accepted.
  const big = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'cfg-dynamic', '-X', 'message.max.bytes=100000', '-z', 'none'], { input: 'x'.repeat(3000) });
  assert.match(big.stderr, /MSG_SIZE_TOO_LARGE|too large/i);
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'cfg-dynamic'], 'small\n');
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'cfg-dynamic', '-o', 'beginning', '-e', '-q']);
  assert.equal(out, 'small\n');

  // A per-broker value wins over the cluster default; deleting both restores the static defaults.
  const [setOwn, own] = await confluent<[Outcome[], Record<string, Described>]>([
    { op: 'alter', resources: [{ type: 'broker', name: '0', configs: { 'log.retention.ms': '1000000' } }] },
    { op: 'describe', type: 'topic', name: 'cfg-dynamic', keys: ['retention.ms'] },
  ]);
  assert.deepEqual(setOwn, [{ error: null }]);
  assert.equal(own['retention.ms'].source, DYNAMIC_BROKER);
  const [ownSynonyms] = await withPlatformatic((admin) => admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cfg-dynamic', configurationKeys: ['retention.ms'] }],
    includeSynonyms: true,
  }));
  assert.deepEqual(ownSynonyms.configs[0].synonyms.map((s) => [s.name, s.value, s.source]), [
    ['log.retention.ms', '1000000', DYNAMIC_BROKER], ['log.retention.ms', '2592000000', DYNAMIC_DEFAULT], ['log.retention.hours', '168', DEFAULT],
  ]);

  // Restart: dynamic broker configs are kept.
  await broker.stop();
  broker = await startBrokerProcess({ dataDir: broker.dataDir, overrides: STATIC });
  const [kept] = await confluent<Record<string, Described>[]>([{ op: 'describe', type: 'topic', name: 'cfg-dynamic', keys: ['retention.ms', 'max.message.bytes'] }]);
  assert.equal(kept['retention.ms'].value, '1000000');
  assert.equal(kept['max.message.bytes'].value, '2000');

  await withPlatformatic(async (admin) => {
    for (const resourceName of ['', '0']) {
      await admin.incrementalAlterConfigs({
        resources: [{
          resourceType: ConfigResourceTypes.BROKER,
          resourceName,
          configs: [
            { name: 'log.retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE },
            { name: 'message.max.bytes', configOperation: IncrementalAlterConfigOperationTypes.DELETE },
          ],
        }],
      });
    }
  });
  const [reset] = await confluent<Record<string, Described>[]>([{ op: 'describe', type: 'topic', name: 'cfg-dynamic', keys: ['retention.ms', 'max.message.bytes'] }]);
  assert.equal(reset['retention.ms'].value, '604800000');
  assert.equal(reset['max.message.bytes'].value, '1048588');
});

test('validate-only checks a change and makes none', async () => {
  await createTopic('cfg-validate', { 'retention.ms': '1000' });
  const [ok, bad, after] = await confluent<[Outcome[], Outcome[], Record<string, Described>]>([
    { op: 'alter', validate_only: true, resources: [{ type: 'topic', name: 'cfg-validate', configs: { 'retention.ms': '2000' } }] },
    { op: 'alter', validate_only: true, resources: [{ type: 'topic', name: 'cfg-validate', configs: { 'retention.ms': '-7' } }] },
    { op: 'describe', type: 'topic', name: 'cfg-validate', keys: ['retention.ms'] },
  ]);
  assert.deepEqual(ok, [{ error: null }]);
  assert.equal(bad[0].error, 'INVALID_CONFIG');
  assert.equal(after['retention.ms'].value, '1000');
});

test('a topic max.message.bytes override applies to produce at once', async () => {
  await createTopic('cfg-live');
  const [altered] = await confluent<Outcome[][]>([
    { op: 'alter', resources: [{ type: 'topic', name: 'cfg-live', configs: { 'max.message.bytes': '1000' } }] },
  ]);
  assert.deepEqual(altered, [{ error: null }]);
  const big = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'cfg-live', '-z', 'none'], { input: 'y'.repeat(2000) });
  assert.match(big.stderr, /MSG_SIZE_TOO_LARGE|too large/i);
});

test('bad input: each resource gets Kafka\'s error and the others in the same request are still applied', async () => {
  for (const t of ['cfg-bad-1', 'cfg-bad-2', 'cfg-bad-3', 'cfg-ok']) await createTopic(t);
  const [results, ok, untouched] = await confluent<[Outcome[], Record<string, Described>, Record<string, Described>]>([
    {
      op: 'alter',
      resources: [
        { type: 'topic', name: 'cfg-bad-1', configs: { 'no.such.config': '1' } },
        { type: 'topic', name: 'cfg-bad-2', configs: { 'retention.ms': 'ten' } },
        { type: 'topic', name: 'cfg-bad-3', configs: { 'segment.bytes': '10' } },
        { type: 'topic', name: 'cfg-missing', configs: { 'retention.ms': '1' } },
        { type: 'broker', name: '0', configs: { 'broker.id': '7' } },
        { type: 'topic', name: 'cfg-ok', configs: { 'retention.ms': '1' } },
      ],
    },
    { op: 'describe', type: 'topic', name: 'cfg-ok', keys: ['retention.ms'] },
    { op: 'describe', type: 'topic', name: 'cfg-bad-2', keys: ['retention.ms'] },
  ]);
  assert.equal(results[0].error, 'INVALID_CONFIG');
  assert.match(results[0].message ?? '', /Unknown topic config name: no\.such\.config/);
  assert.equal(results[1].error, 'INVALID_CONFIG');
  assert.match(results[1].message ?? '', /retention\.ms: 'ten' is not an integer/);
  assert.equal(results[2].error, 'INVALID_CONFIG');
  assert.match(results[2].message ?? '', /segment\.bytes: '10' must be at least 14/);
  assert.equal(results[3].error, 'UNKNOWN_TOPIC_OR_PART');
  // A read-only broker key: Kafka answers INVALID_REQUEST for broker resources (KAFKA-13609).
  assert.equal(results[4].error, 'INVALID_REQUEST');
  assert.match(results[4].message ?? '', /Cannot update these configs dynamically: broker\.id/);
  assert.deepEqual(results[5], { error: null });
  assert.equal(ok['retention.ms'].value, '1');
  assert.equal(untouched['retention.ms'].value, '604800000');

  // The same resource twice: Kafka refuses both entries (kafka-python shows both answers; librdkafka cannot match them).
  const [twice] = await kafkaPython<Outcome[][]>([{
    op: 'alter',
    resources: [
      { type: 'topic', name: 'cfg-bad-1', configs: { 'retention.ms': '1' } },
      { type: 'topic', name: 'cfg-bad-1', configs: { 'retention.ms': '2' } },
    ],
  }]);
  assert.deepEqual(twice.map((r) => r.error), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);

  const [unknownTopic] = await confluent<Outcome[]>([{ op: 'describe', type: 'topic', name: 'cfg-missing' }]);
  assert.equal(unknownTopic.error, 'UNKNOWN_TOPIC_OR_PART');
});
