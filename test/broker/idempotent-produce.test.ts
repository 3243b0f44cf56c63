// Idempotent and transactional Produce and read_committed Fetch on the wire (raw client, exact
// batches): a resent batch is acknowledged with its original offset and not appended twice, a
// sequence gap gets OUT_OF_ORDER_SEQUENCE_NUMBER, transactional records need a transactional id,
// and read_committed readers stop at the last stable offset until a marker moves it, then get
// the aborted transactions of what they read.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import type { WriteTxnMarkersResponse } from '../../src/protocol/messages/write-txn-markers.js';
import { buildBatch, decodeBatches } from '../../src/protocol/records/record.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: EmbeddedBroker;
let c: RawClient;
before(async () => {
  // The transactional batches here belong to no transaction the coordinator knows: accepted as
  // Kafka 3.5 accepted them, without transaction verification (its own test: txn-verification).
  broker = await startBroker({ topics: ['idem', 'txn'], config: { 'transaction.partition.verification.enable': false } });
  c = await RawClient.connect(broker.port);
});
after(async () => {
  c.close();
  await broker.stop();
});

function batch(producerId: number, sequence: number, count: number, transactional = false): Buffer {
  return buildBatch({
    baseTimestamp: Date.now(),
    producerId,
    producerEpoch: 0,
    baseSequence: sequence,
    isTransactional: transactional,
    records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(`s${sequence + i}`), headers: [] })),
  });
}

async function produce(topic: string, records: Buffer, transactionalId: string | null = null) {
  const r = await c.request<ProduceResponse>(ApiKey.Produce, 9, {
    transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return r!.responses[0].partitionResponses[0];
}

async function fetch(topic: string, isolationLevel: number, fetchOffset = 0) {
  const req: Partial<FetchRequest> = {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
    forgottenTopicsData: [], rackId: '',
  };
  const r = await c.request<FetchResponse>(ApiKey.Fetch, 11, req);
  const p = r!.responses[0].partitions[0];
  // Decoded responses hold the records as one slice of the frame.
  const records = decodeBatches(p.records as Buffer);
  return { ...p, batches: records.map((b) => ({ offset: b.baseOffset, control: b.isControl, values: b.records.map((x) => x.value?.toString()) })) };
}

test('a resent batch gets its original offset and is not appended twice; a gap gets OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
  const first = await produce('idem', batch(4242, 0, 3));
  assert.deepEqual([first.errorCode, first.baseOffset], [ErrorCode.NONE, 0]);
  const second = await produce('idem', batch(4242, 3, 2));
  assert.equal(second.baseOffset, 3);
  for (const [sequence, count, offset] of [[0, 3, 0], [3, 2, 3]]) {
    const again = await produce('idem', batch(4242, sequence, count));
    assert.deepEqual([again.errorCode, again.baseOffset], [ErrorCode.NONE, offset]);
  }
  const gap = await produce('idem', batch(4242, 6, 1));
  assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.match(gap.errorMessage ?? '', /^Out of order sequence number for producer 4242 at offset 5 in partition idem-0: 6 \(incoming seq\. number\), 4 \(current end sequence number\)$/);
  assert.equal(gap.baseOffset, -1);
  const read = await fetch('idem', 0);
  assert.equal(read.highWatermark, 5);
  assert.deepEqual(read.batches.flatMap((b) => b.values), ['s0', 's1', 's2', 's3', 's4']);
  assert.equal((await produce('idem', batch(4242, 5, 1))).baseOffset, 5);
});

test('transactional records without a transactional id are refused', async () => {
  const r = await produce('txn', batch(77, 0, 1, true), null);
  assert.equal(r.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
});

test('read_committed stops at the last stable offset; markers move it; aborted transactions come with the data', async () => {
  assert.equal((await produce('txn', batch(11, 0, 2, true), 'tx-a')).baseOffset, 0); // 0-1, open
  assert.equal((await produce('txn', batch(12, 0, 1), null)).baseOffset, 2); // 2: idempotent only
  let committed = await fetch('txn', 1);
  assert.deepEqual([committed.lastStableOffset, committed.highWatermark, committed.batches.length], [0, 3, 0]);
  assert.deepEqual(committed.abortedTransactions, []);
  const uncommitted = await fetch('txn', 0);
  assert.equal(uncommitted.lastStableOffset, 0);
  assert.equal(uncommitted.abortedTransactions, null);
  assert.deepEqual(uncommitted.batches.map((b) => b.offset), [0, 2]);

  const written = await c.request<WriteTxnMarkersResponse>(ApiKey.WriteTxnMarkers, 1, {
    markers: [{ producerId: 11, producerEpoch: 0, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: 'txn', partitionIndexes: [0] }] }],
  });
  assert.equal(written!.markers[0].topics[0].partitions[0].errorCode, ErrorCode.NONE);
  committed = await fetch('txn', 1);
  assert.deepEqual([committed.lastStableOffset, committed.highWatermark], [4, 4]);
  assert.deepEqual(committed.abortedTransactions, [{ producerId: 11, firstOffset: 0 }]);
  assert.deepEqual(committed.batches.map((b) => [b.offset, b.control]), [[0, false], [2, false], [3, true]]);
  // Past the aborted transaction nothing is reported any more.
  assert.deepEqual((await fetch('txn', 1, 4)).abortedTransactions, []);
});
