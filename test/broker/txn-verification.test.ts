// Transaction verification on the wire (Kafka 3.9's
// transaction.partition.verification.enable, on by default): a transactional
// Produce to a partition that AddPartitionsToTxn did not add is refused and
// appends nothing, so no hanging transaction holds the last stable offset back
// (INVALID_TXN_STATE, TRANSACTION_ABORTABLE for Produce v11); a fenced
// producer's late write gets INVALID_PRODUCER_EPOCH; a TxnOffsetCommit before
// AddOffsetsToTxn is refused; with verification switched off at run time, the
// write is appended as Kafka 3.5 did and holds the LSO back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { AddPartitionsToTxnResponse } from '../../src/protocol/messages/add-partitions-to-txn.js';
import type { DescribeProducersResponse } from '../../src/protocol/messages/describe-producers.js';
import type { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { IncrementalAlterConfigsResponse } from '../../src/protocol/messages/incremental-alter-configs.js';
import type { InitProducerIdResponse } from '../../src/protocol/messages/init-producer-id.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/offset-fetch.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import type { TxnOffsetCommitResponse } from '../../src/protocol/messages/txn-offset-commit.js';
import { buildBatch, decodeBatches } from '../../src/protocol/records/record.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil } from '../helpers/wait.js';

const WAIT_MS = 30_000;
const TRANSACTION_KEY = 1;

let broker: EmbeddedBroker;
let c: RawClient;
before(async () => {
  broker = await startBroker({
    topics: [{ name: 'v', partitions: 2 }, 'fenced', 'offsets-of', 'unverified'],
    config: { 'transaction.state.log.num.partitions': 4, 'offsets.topic.num.partitions': 4 },
  });
  c = await RawClient.connect(broker.port);
});
after(async () => {
  c.close();
  await broker.stop();
});

interface Producer { transactionalId: string; producerId: number; producerEpoch: number }

async function initProducer(transactionalId: string): Promise<Producer> {
  const found = await c.request<{ errorCode: number }>(ApiKey.FindCoordinator, 1, { key: transactionalId, keyType: TRANSACTION_KEY });
  assert.equal(found?.errorCode, ErrorCode.NONE);
  // An ongoing transaction is aborted first (CONCURRENT_TRANSACTIONS until its markers are written).
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = await c.request<InitProducerIdResponse>(ApiKey.InitProducerId, 1, { transactionalId, transactionTimeoutMs: 60_000 });
    assert.ok(r);
    if (r.errorCode === ErrorCode.NONE) return { transactionalId, producerId: r.producerId, producerEpoch: r.producerEpoch };
    assert.equal(r.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.ok(Date.now() < deadline, 'InitProducerId kept answering CONCURRENT_TRANSACTIONS');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function addPartitions(p: Producer, topic: string, partitions: number[]): Promise<number[]> {
  const r = await c.request<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, 3, {
    v3AndBelowTransactionalId: p.transactionalId, v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  return r!.resultsByTopicV3AndBelow[0].resultsByPartition.map((x) => x.partitionErrorCode);
}

async function endTxn(p: Producer, committed: boolean): Promise<number> {
  const r = await c.request<{ errorCode: number }>(ApiKey.EndTxn, 3, { ...p, committed });
  return r!.errorCode;
}

function batch(p: Pick<Producer, 'producerId' | 'producerEpoch'> | null, sequence: number, value: string): Buffer {
  return buildBatch({
    baseTimestamp: Date.now(),
    ...(p && { producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: sequence, isTransactional: true }),
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(value), headers: [] }],
  });
}

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

async function produce(version: number, transactionalId: string | null, topic: string, parts: { partition: number; records: Buffer }[]): Promise<PartitionResponse[]> {
  const r = await c.request<ProduceResponse>(ApiKey.Produce, version, {
    transactionalId, acks: -1, timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: parts.map((p) => ({ index: p.partition, records: p.records })) }],
  });
  return r!.responses[0].partitionResponses;
}

async function read(topic: string, partition: number, isolationLevel: number) {
  const req: Partial<FetchRequest> = {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
    forgottenTopicsData: [], rackId: '',
  };
  const r = await c.request<FetchResponse>(ApiKey.Fetch, 11, req);
  const p = r!.responses[0].partitions[0];
  const values = decodeBatches(p.records as Buffer).filter((b) => !b.isControl).flatMap((b) => b.records.map((x) => x.value?.toString()));
  return { highWatermark: Number(p.highWatermark), lastStableOffset: Number(p.lastStableOffset), values };
}

async function openTransactions(topic: string, partition: number): Promise<number[]> {
  const r = await c.request<DescribeProducersResponse>(ApiKey.DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [partition] }] });
  return r!.topics[0].partitions[0].activeProducers.filter((p) => p.currentTxnStartOffset >= 0).map((p) => p.producerId);
}

test('a transactional write to a partition not in the transaction appends nothing and holds nothing back', async () => {
  assert.equal((await produce(9, null, 'v', [{ partition: 0, records: batch(null, 0, 'plain') }]))[0].baseOffset, 0);
  const p = await initProducer('tx-a');

  const [old] = await produce(9, p.transactionalId, 'v', [{ partition: 0, records: batch(p, 0, 'stray') }]);
  assert.deepEqual([old.errorCode, old.errorMessage, old.baseOffset], [ErrorCode.INVALID_TXN_STATE, 'Partition was not added to the transaction', -1]);
  // Produce v11 clients handle TRANSACTION_ABORTABLE.
  const [v11] = await produce(11, p.transactionalId, 'v', [{ partition: 0, records: batch(p, 0, 'stray') }]);
  assert.deepEqual([v11.errorCode, v11.errorMessage, v11.baseOffset], [ErrorCode.TRANSACTION_ABORTABLE, null, -1]);
  assert.deepEqual(await read('v', 0, 1), { highWatermark: 1, lastStableOffset: 1, values: ['plain'] });
  assert.deepEqual(await openTransactions('v', 0), []);

  // Added to the transaction, the same write goes in; the transaction's next batch needs no new verification.
  assert.deepEqual(await addPartitions(p, 'v', [0]), [ErrorCode.NONE]);
  const [first] = await produce(9, p.transactionalId, 'v', [{ partition: 0, records: batch(p, 0, 'in-txn-0') }]);
  assert.deepEqual([first.errorCode, first.baseOffset], [ErrorCode.NONE, 1]);
  const [second] = await produce(9, p.transactionalId, 'v', [{ partition: 0, records: batch(p, 1, 'in-txn-1') }]);
  assert.deepEqual([second.errorCode, second.baseOffset], [ErrorCode.NONE, 2]);
  assert.equal((await read('v', 0, 1)).lastStableOffset, 1);
  assert.equal(await endTxn(p, true), ErrorCode.NONE);
  await waitUntil('the commit marker', WAIT_MS, async () => (await read('v', 0, 1)).lastStableOffset === 4);
  assert.deepEqual((await read('v', 0, 1)).values, ['plain', 'in-txn-0', 'in-txn-1']);
});

test('one request, one question: the partition in the transaction is appended, the other refused', async () => {
  const p = await initProducer('tx-both');
  assert.deepEqual(await addPartitions(p, 'v', [1]), [ErrorCode.NONE]);
  const before0 = (await read('v', 0, 0)).highWatermark;
  const answers = await produce(9, p.transactionalId, 'v', [{ partition: 0, records: batch(p, 0, 'not-added') }, { partition: 1, records: batch(p, 0, 'added') }]);
  assert.deepEqual(answers.map((a) => [a.index, a.errorCode]), [[0, ErrorCode.INVALID_TXN_STATE], [1, ErrorCode.NONE]]);
  assert.equal((await read('v', 0, 0)).highWatermark, before0);
  assert.equal(await endTxn(p, false), ErrorCode.NONE);
  await waitUntil('the abort marker', WAIT_MS, async () => (await openTransactions('v', 1)).length === 0);
  const aborted = await read('v', 1, 1);
  assert.equal(aborted.lastStableOffset, aborted.highWatermark);
});

test('transactional batches of two producers in one request: INVALID_PRODUCER_ID_MAPPING, nothing appended', async () => {
  const a = await initProducer('tx-one');
  const b = await initProducer('tx-two');
  const before1 = (await read('v', 1, 0)).highWatermark;
  const answers = await produce(9, a.transactionalId, 'v', [{ partition: 0, records: batch(a, 0, 'a') }, { partition: 1, records: batch(b, 0, 'b') }]);
  assert.deepEqual(answers.map((x) => x.errorCode), [ErrorCode.INVALID_PRODUCER_ID_MAPPING, ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
  assert.equal((await read('v', 1, 0)).highWatermark, before1);
});

test('a fenced producer\'s late write to a partition it never wrote gets INVALID_PRODUCER_EPOCH', async () => {
  const zombie = await initProducer('tx-fenced');
  const current = await initProducer('tx-fenced');
  assert.equal(current.producerId, zombie.producerId);
  assert.ok(current.producerEpoch > zombie.producerEpoch);
  const [late] = await produce(9, zombie.transactionalId, 'fenced', [{ partition: 0, records: batch(zombie, 0, 'late') }]);
  assert.deepEqual([late.errorCode, late.baseOffset], [ErrorCode.INVALID_PRODUCER_EPOCH, -1]);
  assert.equal((await read('fenced', 0, 0)).highWatermark, 0);
});

async function txnOffsetCommit(version: number, p: Producer, groupId: string, offset: number): Promise<number> {
  const r = await c.request<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, version, {
    transactionalId: p.transactionalId, groupId, producerId: p.producerId, producerEpoch: p.producerEpoch,
    generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'offsets-of', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  return r!.topics[0].partitions[0].errorCode;
}

/** [offset, errorCode] of offsets-of-0 with require_stable. */
async function stableOffset(groupId: string): Promise<[number, number]> {
  const r = await c.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: 'offsets-of', partitionIndexes: [0] }], requireStable: true });
  const [p] = r!.topics[0].partitions;
  return [Number(p.committedOffset), p.errorCode];
}

test('TxnOffsetCommit before AddOffsetsToTxn is refused; after it the offsets are pending until the commit', async () => {
  const group = 'verified-group';
  const found = await c.request<{ errorCode: number }>(ApiKey.FindCoordinator, 1, { key: group, keyType: 0 });
  assert.equal(found?.errorCode, ErrorCode.NONE);
  const p = await initProducer('tx-offsets');
  assert.equal(await txnOffsetCommit(3, p, group, 7), ErrorCode.INVALID_TXN_STATE);
  assert.equal(await txnOffsetCommit(4, p, group, 7), ErrorCode.TRANSACTION_ABORTABLE);
  assert.deepEqual(await stableOffset(group), [-1, ErrorCode.NONE]);

  const added = await c.request<{ errorCode: number }>(ApiKey.AddOffsetsToTxn, 3, { ...p, groupId: group });
  assert.equal(added?.errorCode, ErrorCode.NONE);
  assert.equal(await txnOffsetCommit(3, p, group, 7), ErrorCode.NONE);
  // The transaction has written to the group's partition: no verification any more.
  assert.equal(await txnOffsetCommit(4, p, group, 8), ErrorCode.NONE);
  assert.deepEqual(await stableOffset(group), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
  assert.equal(await endTxn(p, true), ErrorCode.NONE);
  await waitUntil('the committed offset', WAIT_MS, async () => (await stableOffset(group))[0] === 8);
});

async function setVerification(value: string | null): Promise<void> {
  const r = await c.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 0, {
    resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'transaction.partition.verification.enable', configOperation: value === null ? 1 : 0, value }] }],
    validateOnly: false,
  });
  assert.equal(r?.responses[0].errorCode, ErrorCode.NONE, r?.responses[0].errorMessage ?? '');
}

test('verification switched off at run time: the stray write is appended as Kafka 3.5 did, and holds the LSO back', async () => {
  const p = await initProducer('tx-unverified');
  await setVerification('false');
  try {
    const [stray] = await produce(9, p.transactionalId, 'unverified', [{ partition: 0, records: batch(p, 0, 'stray') }]);
    assert.deepEqual([stray.errorCode, stray.baseOffset], [ErrorCode.NONE, 0]);
    const read0 = await read('unverified', 0, 1);
    assert.deepEqual([read0.highWatermark, read0.lastStableOffset], [1, 0]);
    assert.deepEqual(await openTransactions('unverified', 0), [p.producerId]);
  } finally {
    await setVerification(null);
  }
  // On again: the next producer's stray write is refused.
  const q = await initProducer('tx-verified-again');
  const [refused] = await produce(9, q.transactionalId, 'unverified', [{ partition: 0, records: batch(q, 0, 'stray') }]);
  assert.equal(refused.errorCode, ErrorCode.INVALID_TXN_STATE);
});
