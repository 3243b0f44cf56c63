// CreatePartitions at the protocol level: Kafka's checks and messages, one
// result per topic, validate-only, and that new partitions take records at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../src/protocol/messages/create-partitions.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { kcat } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: EmbeddedBroker;
let c: RawClient;
/** This broker's id (the default broker.id). */
let nodeId: number;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 2 } });
  c = await RawClient.connect(broker.port);
  const md = await c.request<MetadataResponse>(ApiKey.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  nodeId = md!.brokers[0].nodeId;
});
after(async () => {
  c.close();
  await broker.stop();
});

type Topic = CreatePartitionsRequest['topics'][number];
const grow = (name: string, count: number, assignments: number[][] | null = null): Topic =>
  ({ name, count, assignments: assignments && assignments.map((brokerIds) => ({ brokerIds })) });

async function createPartitions(topics: Topic[], opts: { version?: number; validateOnly?: boolean; timeoutMs?: number } = {}) {
  const r = await c.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, opts.version ?? 3, {
    topics, timeoutMs: opts.timeoutMs ?? 5000, validateOnly: opts.validateOnly ?? false,
  });
  assert.ok(r);
  return r.results;
}

async function describe(topic: string) {
  const md = await c.request<MetadataResponse>(ApiKey.Metadata, 12, {
    topics: [{ topicId: Buffer.alloc(16), name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false,
  });
  return md!.topics[0];
}

async function partitionsOf(topic: string) {
  return (await describe(topic)).partitions.map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes }));
}

test('a topic grows; Metadata shows the new partitions at once, led by this broker', async () => {
  await broker.createTopics({ name: 'grow-me', partitions: 2 });
  const results = await createPartitions([grow('grow-me', 5)]);
  assert.deepEqual(results, [{ name: 'grow-me', errorCode: ErrorCode.NONE, errorMessage: null }]);
  assert.deepEqual(await partitionsOf('grow-me'), [0, 1, 2, 3, 4].map((partition) => ({ partition, leader: nodeId, replicas: [nodeId] })));

  // The new partitions take records and serve them.
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'grow-me', '-p', '4'], 'on-four\n');
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'grow-me', '-p', '4', '-o', 'beginning', '-e', '-q']);
  assert.equal(out, 'on-four\n');
});

test('validate-only checks everything and changes nothing', async () => {
  await broker.createTopics({ name: 'validate-me', partitions: 2 });
  const results = await createPartitions([grow('validate-me', 4), grow('validate-me-not', 4)], { validateOnly: true });
  assert.deepEqual(results.map((r) => [r.name, r.errorCode]), [['validate-me', ErrorCode.NONE], ['validate-me-not', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  assert.equal((await partitionsOf('validate-me')).length, 2);
});

test('shrinking, equal counts, unknown topics and the partition cap are refused with Kafka\'s messages', async () => {
  await broker.createTopics({ name: 'four', partitions: 4 });
  const results = await createPartitions([grow('four', 2), grow('missing', 3)]);
  assert.deepEqual(results, [
    { name: 'four', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic currently has 4 partitions, which is higher than the requested 2.' },
    { name: 'missing', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The topic \'missing\' does not exist.' },
  ]);

  const [same] = await createPartitions([grow('four', 4)]);
  assert.deepEqual(same, { name: 'four', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 4 partitions.' });
  const [tooMany] = await createPartitions([grow('four', 10_001)]);
  assert.deepEqual(tooMany, { name: 'four', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be at most 10000.' });
  assert.equal((await partitionsOf('four')).length, 4);
});

test('explicit assignments are checked against the live brokers', async () => {
  await broker.createTopics({ name: 'assigned', partitions: 1 });
  const stranger = nodeId + 7;
  const cases: [number[][], string][] = [
    [[[nodeId], [stranger], [stranger, nodeId + 8]], `Unknown broker(s) in replica assignment: ${stranger}, ${nodeId + 8}.`],
    [[[nodeId]], 'Increasing the number of partitions by 3 but 1 assignments provided.'],
    [[[nodeId], [], [nodeId]], 'Cannot have replication factor of 0 for partition id 2.'],
    [[[nodeId], [nodeId], [nodeId, nodeId]], `Duplicate brokers not allowed in replica assignment: ${nodeId}, ${nodeId} for partition id 3.`],
  ];
  for (const [assignments, message] of cases) {
    const [r] = await createPartitions([grow('assigned', 4, assignments)]);
    assert.deepEqual(r, { name: 'assigned', errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: message });
  }
  assert.equal((await partitionsOf('assigned')).length, 1);

  const [ok] = await createPartitions([grow('assigned', 3, [[nodeId], [nodeId]])]);
  assert.equal(ok.errorCode, ErrorCode.NONE);
  assert.deepEqual((await partitionsOf('assigned')).map((p) => p.replicas), [[nodeId], [nodeId], [nodeId]]);
});

test('a topic named twice is refused once; the other topics still grow', async () => {
  await broker.createTopics({ name: 'twice', partitions: 1 }, { name: 'once', partitions: 1 });
  const results = await createPartitions([grow('twice', 2), grow('once', 3), grow('twice', 4)], { version: 0 });
  assert.deepEqual(results, [
    { name: 'twice', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' },
    { name: 'once', errorCode: ErrorCode.NONE, errorMessage: null },
  ]);
  assert.equal((await partitionsOf('twice')).length, 1);
  assert.equal((await partitionsOf('once')).length, 3);
});

test('a zero timeout still grows the topic but answers REQUEST_TIMED_OUT, as ZooKeeper-mode Kafka does', async () => {
  await broker.createTopics({ name: 'no-wait', partitions: 1 });
  const [r] = await createPartitions([grow('no-wait', 2)], { timeoutMs: 0 });
  assert.deepEqual(r, { name: 'no-wait', errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
  assert.equal((await partitionsOf('no-wait')).length, 2);
});

test('internal topics can be grown, as in Kafka', async () => {
  await broker.createTopics({ name: '__transaction_state', partitions: 1 });
  const [r] = await createPartitions([grow('__transaction_state', 2)]);
  assert.equal(r.errorCode, ErrorCode.NONE);
  const described = await describe('__transaction_state');
  assert.equal(described.isInternal, true);
  assert.equal(described.partitions.length, 2);
});
