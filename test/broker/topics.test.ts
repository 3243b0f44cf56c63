// CreateTopics / DeleteTopics validation as Kafka does it, and Metadata's
// auto-creation rules, at the protocol level.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { CreateTopicsResponse } from '../../src/protocol/messages/create-topics.js';
import type { DeleteTopicsResponse } from '../../src/protocol/messages/delete-topics.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: EmbeddedBroker;
let c: RawClient;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 2 } });
  c = await RawClient.connect(broker.port);
});
after(async () => {
  c.close();
  await broker.stop();
});

const topic = (name: string, numPartitions = 1, replicationFactor = 1, configs: { name: string; value: string }[] = []) =>
  ({ name, numPartitions, replicationFactor, assignments: [], configs });

async function create(topics: ReturnType<typeof topic>[], validateOnly = false) {
  const r = await c.request<CreateTopicsResponse>(ApiKey.CreateTopics, 5, { topics, timeoutMs: 5000, validateOnly });
  assert.ok(r);
  return Object.fromEntries(r.topics.map((t) => [t.name, t]));
}

test('CreateTopics validates names, counts, replication factor and configs', async () => {
  const r = await create([
    topic('ok-topic', 3, 1, [{ name: 'cleanup.policy', value: 'compact' }]),
    topic('bad name!'),
    topic('x'.repeat(250)),
    topic('zero-partitions', 0),
    topic('absurd-partitions', 2_000_000_000),
    topic('too-many-replicas', 1, 3),
    topic('bad-config', 1, 1, [{ name: 'retention.ms', value: 'soon' }]),
    topic('unknown-config', 1, 1, [{ name: 'no.such.config', value: '1' }]),
    topic('defaults', -1, -1),
  ]);
  assert.equal(r['ok-topic'].errorCode, ErrorCode.NONE);
  assert.equal(r['ok-topic'].numPartitions, 3);
  assert.equal(r['ok-topic'].configs?.find((e) => e.name === 'cleanup.policy')?.value, 'compact');
  assert.equal(r['bad name!'].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  assert.equal(r['x'.repeat(250)].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  assert.equal(r['zero-partitions'].errorCode, ErrorCode.INVALID_PARTITIONS);
  assert.equal(r['absurd-partitions'].errorCode, ErrorCode.INVALID_PARTITIONS);
  assert.equal(r['too-many-replicas'].errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  assert.equal(r['bad-config'].errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(r['bad-config'].errorMessage ?? '', /retention\.ms/);
  assert.equal(r['unknown-config'].errorCode, ErrorCode.INVALID_CONFIG);
  assert.equal(r.defaults.errorCode, ErrorCode.NONE);
  assert.equal(r.defaults.numPartitions, 2);

  const again = await create([topic('ok-topic')]);
  assert.equal(again['ok-topic'].errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
});

test('validate-only creates nothing; a name twice in one request is refused', async () => {
  const r = await create([topic('only-validated', 4)], true);
  assert.equal(r['only-validated'].errorCode, ErrorCode.NONE);
  assert.equal(r['only-validated'].numPartitions, 4);
  const md = await c.request<MetadataResponse>(ApiKey.Metadata, 4, { topics: [{ name: 'only-validated' }], allowAutoTopicCreation: false });
  assert.equal(md?.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const dup = await c.request<CreateTopicsResponse>(ApiKey.CreateTopics, 5, { topics: [topic('twice'), topic('twice')], timeoutMs: 5000, validateOnly: false });
  assert.ok(dup?.topics.every((t) => t.errorCode === ErrorCode.INVALID_REQUEST));
});

test('Metadata auto-creates only when allowed, and rejects illegal names', async () => {
  const md = await c.request<MetadataResponse>(ApiKey.Metadata, 4, {
    topics: [{ name: 'auto-made' }, { name: 'bad/name' }], allowAutoTopicCreation: true,
  });
  const byName = Object.fromEntries((md?.topics ?? []).map((t) => [t.name, t]));
  assert.equal(byName['auto-made'].errorCode, ErrorCode.NONE);
  assert.equal(byName['auto-made'].partitions.length, 2);
  assert.equal(byName['bad/name'].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  assert.equal(md?.clusterId?.length, 22);
  assert.deepEqual(md?.brokers.map((b) => [b.nodeId, b.host, b.port]), [[0, '127.0.0.1', broker.port]]);
});

test('DeleteTopics: known, unknown, and internal topics', async () => {
  await create([topic('doomed')]);
  const r = await c.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, 3, { topicNames: ['doomed', 'never-was'], timeoutMs: 5000 });
  const byName = Object.fromEntries((r?.responses ?? []).map((t) => [t.name, t.errorCode]));
  assert.deepEqual(byName, { doomed: ErrorCode.NONE, 'never-was': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  const md = await c.request<MetadataResponse>(ApiKey.Metadata, 4, { topics: [{ name: 'doomed' }], allowAutoTopicCreation: false });
  assert.equal(md?.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});
