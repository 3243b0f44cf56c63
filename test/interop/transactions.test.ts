// Transactional producers of real clients against `samsa start`: kcat and
// confluent-kafka (librdkafka) and KafkaJS commit and abort transactions that
// read_committed readers see or not; a zombie producer with the same
// transactional.id is fenced; a transaction abandoned by its producer is
// aborted by the coordinator after transaction.timeout.ms and stops holding
// back the last stable offset. Every wait is bounded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { DescribeProducersResponse } from '../../src/protocol/messages/describe-producers.js';
import type { DescribeTransactionsResponse } from '../../src/protocol/messages/describe-transactions.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import type { ListTransactionsResponse } from '../../src/protocol/messages/list-transactions.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat, python, run } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

const WAIT_MS = 60_000;

let broker: BrokerProcess;
let raw: RawClient;
let kafka: Kafka;
before(async () => {
  broker = await startBrokerProcess({
    overrides: { 'transaction.state.log.num.partitions': 4, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500 },
  });
  raw = await RawClient.connect(broker.port);
  kafka = new Kafka({ clientId: 'samsa-txn-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
after(async () => {
  raw?.close();
  await broker?.stop();
  removeDir(broker.dataDir);
});

async function createTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
}

/** Partition 0's values from the start to the end the isolation level allows. */
async function read(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`]);
  return out.split('\n').filter((l) => l !== '');
}

async function describeTransaction(transactionalId: string): Promise<DescribeTransactionsResponse['transactionStates'][number]> {
  const r = await raw.request<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, 0, { transactionalIds: [transactionalId] });
  assert.ok(r);
  return r.transactionStates[0];
}

async function waitForState(transactionalId: string, state: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const described = await describeTransaction(transactionalId);
    if (described.transactionState === state) return;
    if (Date.now() > deadline) throw new Error(`${transactionalId} stayed ${described.transactionState} (error ${described.errorCode}), expected ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kcat: a transactional produce is committed at exit; librdkafka finds transaction support', async () => {
  await createTopic('txn-kcat');
  const r = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'txn-kcat', '-p', '0', '-X', 'transactional.id=txn-kcat-id', '-X', 'debug=eos'], { input: 'k1\nk2\n', timeoutMs: WAIT_MS });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Transactions not supported/);
  assert.match(r.stderr, /Transaction successfully committed/);
  assert.deepEqual(await read('txn-kcat', 'read_committed'), ['k1', 'k2']);
  const described = await describeTransaction('txn-kcat-id');
  assert.equal(described.errorCode, ErrorCode.NONE);
  assert.equal(described.transactionState, 'CompleteCommit');
});

test('confluent-kafka: committed transactions are visible to read_committed, aborted ones only to read_uncommitted', async () => {
  await createTopic('txn-ck');
  const r = await python<{ committed: string[]; uncommitted: string[] }>('txn_producer.py', ['commit_abort', broker.bootstrap, 'txn-ck', 'txn-ck-id']);
  assert.deepEqual(r.committed, ['c-0', 'c-1', 'c-2', 'd-0', 'd-1']);
  assert.deepEqual(r.uncommitted, ['c-0', 'c-1', 'c-2', 'a-0', 'a-1', 'a-2', 'd-0', 'd-1']);
  // kcat's reader agrees, and the control records are skipped.
  assert.deepEqual(await read('txn-ck', 'read_committed'), r.committed);
  // The producer's state on the partition: one producer, no transaction open.
  const producers = await raw.request<DescribeProducersResponse>(ApiKey.DescribeProducers, 0, { topics: [{ name: 'txn-ck', partitionIndexes: [0] }] });
  const [partition] = producers!.topics[0].partitions;
  assert.equal(partition.errorCode, ErrorCode.NONE);
  assert.equal(partition.activeProducers.length, 1);
  assert.equal(partition.activeProducers[0].producerId, (await describeTransaction('txn-ck-id')).producerId);
  assert.equal(partition.activeProducers[0].currentTxnStartOffset, -1);
});

test('confluent-kafka: a zombie producer with the same transactional.id is fenced and its transaction aborted', async () => {
  await createTopic('txn-ck-zombie');
  const r = await python<{ error: string | null; fatal: boolean; committed: string[] }>('txn_producer.py', ['zombie', broker.bootstrap, 'txn-ck-zombie', 'txn-ck-zombie-id']);
  assert.ok(r.error === '_FENCED' || r.error === 'PRODUCER_FENCED' || r.error === 'INVALID_PRODUCER_EPOCH', `error ${r.error}`);
  assert.equal(r.fatal, true);
  assert.deepEqual(r.committed, ['p-0']);
});

test('KafkaJS: transactions committed and aborted', async () => {
  await createTopic('txn-kjs');
  const producer = kafka.producer({ transactionalId: 'txn-kjs-id', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send({ topic: 'txn-kjs', messages: [{ value: 'c-0' }, { value: 'c-1' }] });
  await committed.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'txn-kjs', messages: [{ value: 'a-0' }] });
  await aborted.abort();
  const last = await producer.transaction();
  await last.send({ topic: 'txn-kjs', messages: [{ value: 'd-0' }] });
  await last.commit();
  await producer.disconnect();
  assert.deepEqual(await read('txn-kjs', 'read_committed'), ['c-0', 'c-1', 'd-0']);
  assert.deepEqual(await read('txn-kjs', 'read_uncommitted'), ['c-0', 'c-1', 'a-0', 'd-0']);
  const listed = await raw.request<ListTransactionsResponse>(ApiKey.ListTransactions, 1, { stateFilters: ['CompleteCommit'], producerIdFilters: [], durationFilter: -1 });
  assert.ok(listed!.transactionStates.some((s) => s.transactionalId === 'txn-kjs-id'));
});

test('KafkaJS: a zombie producer is fenced once another takes its transactional id', async () => {
  await createTopic('txn-kjs-zombie');
  const zombie = kafka.producer({ transactionalId: 'txn-kjs-zombie-id', idempotent: true, maxInFlightRequests: 1 });
  await zombie.connect();
  const open = await zombie.transaction();
  await open.send({ topic: 'txn-kjs-zombie', messages: [{ value: 'z-0' }] });
  const successor = kafka.producer({ transactionalId: 'txn-kjs-zombie-id', idempotent: true, maxInFlightRequests: 1 });
  await successor.connect();
  const next = await successor.transaction();
  await next.send({ topic: 'txn-kjs-zombie', messages: [{ value: 's-0' }] });
  await next.commit();
  await assert.rejects(open.commit(), (e: Error & { type?: string }) => {
    assert.ok(e.type === 'INVALID_PRODUCER_EPOCH' || e.type === 'PRODUCER_FENCED', `${e.name}: ${e.type}: ${e.message}`);
    return true;
  });
  await zombie.disconnect();
  await successor.disconnect();
  assert.deepEqual(await read('txn-kjs-zombie', 'read_committed'), ['s-0']);
});

test('a transaction its producer abandoned is aborted after transaction.timeout.ms and no longer holds back the LSO', async () => {
  await createTopic('txn-abandoned');
  // What a read_committed Fetch reports: [last stable offset, high watermark].
  const stableAndEnd = async (): Promise<[number, number]> => {
    const r = await raw.request<FetchResponse>(ApiKey.Fetch, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1,
      topics: [{ topic: 'txn-abandoned', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    });
    const p = r!.responses[0].partitions[0];
    return [Number(p.lastStableOffset), Number(p.highWatermark)];
  };
  // What ListOffsets LATEST answers a read_committed and a read_uncommitted consumer.
  const latest = async (): Promise<[number, number]> => {
    const offsets = [];
    for (const isolationLevel of [1, 0]) {
      const r = await raw.request<ListOffsetsResponse>(ApiKey.ListOffsets, 2, {
        replicaId: -1, isolationLevel, topics: [{ name: 'txn-abandoned', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
      });
      offsets.push(Number(r!.topics[0].partitions[0].offset));
    }
    return offsets as [number, number];
  };
  await python('txn_producer.py', ['abandon', broker.bootstrap, 'txn-abandoned', 'txn-abandoned-id', '10000']);
  // Written after the open transaction: read_committed readers reach it only once that one ends.
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'txn-abandoned', '-p', '0'], 'after\n');
  assert.equal((await describeTransaction('txn-abandoned-id')).transactionState, 'Ongoing');
  assert.deepEqual(await stableAndEnd(), [0, 2]);
  assert.deepEqual(await latest(), [0, 2]);
  await waitForState('txn-abandoned-id', 'CompleteAbort');
  assert.equal((await describeTransaction('txn-abandoned-id')).producerEpoch, 1);
  assert.deepEqual(await read('txn-abandoned', 'read_committed'), ['after']);
  assert.deepEqual(await read('txn-abandoned', 'read_uncommitted'), ['h-0', 'after']);
  // The abort marker took offset 2; the LSO caught up with the log end.
  assert.deepEqual(await stableAndEnd(), [3, 3]);
  assert.deepEqual(await latest(), [3, 3]);
});
