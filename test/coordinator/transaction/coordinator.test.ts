// The transaction coordinator over real logs: Kafka's state machine from
// InitProducerId to the markers, its errors (fencing, CONCURRENT_TRANSACTIONS,
// INVALID_TXN_STATE, INVALID_PRODUCER_ID_MAPPING, INVALID_TRANSACTION_TIMEOUT),
// the abort of timed-out transactions, expiry of idle ids, and recovery of a
// transaction left in PrepareCommit by a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { now, settle } from '../harness.js';
import { type Harness, TOPIC, initTxn, openHarness } from './harness.js';

const tp = (partition: number) => ({ topic: TOPIC, partition });

async function withHarness(fn: (h: Harness) => Promise<void>, config = {}): Promise<void> {
  const h = await openHarness(config);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** The control batches of a data partition: [producer id, epoch, commit?]. */
async function markersIn(h: Harness, partition: number): Promise<[number, number, boolean][]> {
  return (await h.batches(partition)).filter((b) => b.isControl)
    .map((b) => [b.producerId, b.producerEpoch, b.records[0].key!.readInt16BE(2) === 1]);
}

test('idempotent producers get fresh ids with epoch 0, whatever they send', () => withHarness(async (h) => {
  const first = now(h.coordinator.initProducerId({ transactionalId: null, transactionTimeoutMs: -1, producerId: -1, producerEpoch: -1 }));
  const second = now(h.coordinator.initProducerId({ transactionalId: null, transactionTimeoutMs: 2147483647, producerId: 7, producerEpoch: 3 }));
  assert.deepEqual(first, { errorCode: ErrorCode.NONE, producerId: 0, producerEpoch: 0 });
  assert.deepEqual(second, { errorCode: ErrorCode.NONE, producerId: 1, producerEpoch: 0 });
  // An id without an epoch (or the reverse) is malformed.
  assert.equal(now(h.coordinator.initProducerId({ transactionalId: null, transactionTimeoutMs: 1000, producerId: 5, producerEpoch: -1 })).errorCode, ErrorCode.INVALID_REQUEST);
}));

test('a committed transaction: Empty, Ongoing, PrepareCommit, CompleteCommit in the log; COMMIT markers in its partitions', () => withHarness(async (h) => {
  const { producerId, producerEpoch, errorCode } = initTxn(h, 'tx');
  assert.equal(errorCode, ErrorCode.NONE);
  assert.equal(producerEpoch, 0);
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]), ErrorCode.NONE);
  h.produce(0, producerId, producerEpoch, 0);
  // Adding a partition already in the transaction writes nothing.
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]), ErrorCode.NONE);
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(1), tp(0)]), ErrorCode.NONE);
  h.produce(1, producerId, producerEpoch, 0);
  assert.equal(h.coordinator.describeTransaction('tx').transactionState, 'Ongoing');
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
  await settle();

  const records = await h.stateRecords('tx');
  assert.deepEqual(records.map((r) => r?.state), ['Empty', 'Ongoing', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
  assert.deepEqual(records[3]!.partitions.map((p) => p.partition).sort(), [0, 1]);
  assert.deepEqual(records[4]!.partitions, []);
  assert.equal(records[1]!.txnStartTimestamp, h.clock.now());
  assert.deepEqual(await markersIn(h, 0), [[producerId, 0, true]]);
  assert.deepEqual(await markersIn(h, 1), [[producerId, 0, true]]);
  const described = h.coordinator.describeTransaction('tx');
  assert.equal(described.transactionState, 'CompleteCommit');
  assert.deepEqual(described.topics, []);
  // Committing again is answered as done; aborting it is not possible any more.
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE);
}));

test('an aborted transaction writes ABORT markers; the next transaction starts from CompleteAbort', () => withHarness(async (h) => {
  const { producerId, producerEpoch } = initTxn(h, 'tx');
  h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]);
  h.produce(0, producerId, producerEpoch, 0);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.NONE);
  await settle();
  assert.deepEqual(await markersIn(h, 0), [[producerId, 0, false]]);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE);
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(1)]), ErrorCode.NONE);
  assert.deepEqual(h.coordinator.describeTransaction('tx').topics, [{ topic: TOPIC, partitions: [1] }]);
}));

test('INVALID_TXN_STATE: ending a transaction that has not begun', () => withHarness(async (h) => {
  const { producerId, producerEpoch } = initTxn(h, 'tx');
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE);
}));

test('INVALID_PRODUCER_ID_MAPPING: an unknown transactional id, or another producer id', () => withHarness(async (h) => {
  const { producerId, producerEpoch } = initTxn(h, 'tx');
  assert.equal(h.coordinator.addPartitionsToTransaction('nobody', producerId, producerEpoch, [tp(0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId + 1, producerEpoch, [tp(0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(h.coordinator.endTxn('nobody', producerId, producerEpoch, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(h.coordinator.endTxn('tx', producerId + 1, producerEpoch, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(h.coordinator.addPartitionsToTransaction('', producerId, producerEpoch, [tp(0)]), ErrorCode.INVALID_REQUEST);
}));

test('INVALID_TRANSACTION_TIMEOUT: above transaction.max.timeout.ms, or not positive', () => withHarness(async (h) => {
  for (const transactionTimeoutMs of [60_001, 0, -1]) {
    assert.deepEqual(initTxn(h, 'tx', { transactionTimeoutMs }), { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 });
  }
  assert.equal(initTxn(h, 'tx', { transactionTimeoutMs: 60_000 }).errorCode, ErrorCode.NONE);
  assert.equal(initTxn(h, '').errorCode, ErrorCode.INVALID_REQUEST);
}, { transactionMaxTimeoutMs: 60_000 }));

test('a second InitProducerId bumps the epoch and fences the first producer (PRODUCER_FENCED)', () => withHarness(async (h) => {
  const zombie = initTxn(h, 'tx');
  const current = initTxn(h, 'tx');
  assert.deepEqual(current, { errorCode: ErrorCode.NONE, producerId: zombie.producerId, producerEpoch: 1 });
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', zombie.producerId, zombie.producerEpoch, [tp(0)]), ErrorCode.PRODUCER_FENCED);
  assert.equal(h.coordinator.endTxn('tx', zombie.producerId, zombie.producerEpoch, true), ErrorCode.PRODUCER_FENCED);
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', current.producerId, current.producerEpoch, [tp(0)]), ErrorCode.NONE);
}));

test('InitProducerId during a transaction aborts it with a bumped epoch: CONCURRENT_TRANSACTIONS, then the epoch after', () => withHarness(async (h) => {
  const zombie = initTxn(h, 'tx');
  h.coordinator.addPartitionsToTransaction('tx', zombie.producerId, zombie.producerEpoch, [tp(0)]);
  h.produce(0, zombie.producerId, zombie.producerEpoch, 0);
  h.markers.held = true;
  assert.equal(initTxn(h, 'tx').errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  // While the abort's markers are pending, the retry must wait as well.
  assert.equal(initTxn(h, 'tx').errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  assert.equal(h.coordinator.endTxn('tx', zombie.producerId, zombie.producerEpoch, true), ErrorCode.PRODUCER_FENCED);
  await h.markers.release();
  assert.deepEqual(await markersIn(h, 0), [[zombie.producerId, 1, false]]);
  assert.deepEqual(initTxn(h, 'tx'), { errorCode: ErrorCode.NONE, producerId: zombie.producerId, producerEpoch: 2 });
  assert.deepEqual((await h.stateRecords('tx')).map((r) => [r?.state, r?.producerEpoch]), [
    ['Empty', 0], ['Ongoing', 0], ['PrepareAbort', 1], ['CompleteAbort', 1], ['Empty', 2],
  ]);
}));

test('CONCURRENT_TRANSACTIONS while a commit\'s markers are written; INVALID_TXN_STATE for an abort of it', () => withHarness(async (h) => {
  const { producerId, producerEpoch } = initTxn(h, 'tx');
  h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]);
  h.markers.held = true;
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
  assert.equal(h.coordinator.describeTransaction('tx').transactionState, 'PrepareCommit');
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(1)]), ErrorCode.CONCURRENT_TRANSACTIONS);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.CONCURRENT_TRANSACTIONS);
  assert.equal(initTxn(h, 'tx').errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  await h.markers.release();
  assert.equal(h.coordinator.describeTransaction('tx').transactionState, 'CompleteCommit');
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(1)]), ErrorCode.NONE);
}));

test('a transaction open past its timeout is aborted by the coordinator and its producer fenced', () => withHarness(async (h) => {
  const { producerId, producerEpoch } = initTxn(h, 'tx', { transactionTimeoutMs: 15_000 });
  h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]);
  h.produce(0, producerId, producerEpoch, 0);
  // The first check (10 s) finds it within its timeout; the second (20 s) aborts it.
  await h.clock.advance(10_000);
  assert.equal(h.coordinator.describeTransaction('tx').transactionState, 'Ongoing');
  await h.clock.advance(10_000);
  const described = h.coordinator.describeTransaction('tx');
  assert.equal(described.transactionState, 'CompleteAbort');
  assert.equal(described.producerEpoch, producerEpoch + 1);
  assert.deepEqual(await markersIn(h, 0), [[producerId, producerEpoch + 1, false]]);
  assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.PRODUCER_FENCED);
  assert.equal(h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]), ErrorCode.PRODUCER_FENCED);
}));

test('a transaction left in PrepareCommit by a restart is completed when its partition loads', async () => {
  let h = await openHarness();
  try {
    const { producerId, producerEpoch } = initTxn(h, 'tx');
    h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0), tp(1)]);
    h.produce(0, producerId, producerEpoch, 0);
    h.produce(1, producerId, producerEpoch, 0);
    h.markers.held = true;
    assert.equal(h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
    assert.deepEqual(await markersIn(h, 0), []);
    h = await h.restart();
    assert.deepEqual(await markersIn(h, 0), [[producerId, producerEpoch, true]]);
    assert.deepEqual(await markersIn(h, 1), [[producerId, producerEpoch, true]]);
    const described = h.coordinator.describeTransaction('tx');
    assert.equal(described.transactionState, 'CompleteCommit');
    assert.equal(described.producerId, producerId);
    assert.deepEqual((await h.stateRecords('tx')).map((r) => r?.state).slice(-2), ['PrepareCommit', 'CompleteCommit']);
    // The producer carries on with the next epoch; new ids come from a new block.
    assert.deepEqual(initTxn(h, 'tx'), { errorCode: ErrorCode.NONE, producerId, producerEpoch: producerEpoch + 1 });
    assert.equal(initTxn(h, 'other').producerId, 1000);
  } finally {
    await h.close();
  }
});

test('an Ongoing transaction survives a restart and is still timed out', async () => {
  let h = await openHarness();
  try {
    const { producerId, producerEpoch } = initTxn(h, 'tx', { transactionTimeoutMs: 5_000 });
    h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(1)]);
    h = await h.restart();
    assert.deepEqual(h.coordinator.describeTransaction('tx').topics, [{ topic: TOPIC, partitions: [1] }]);
    await h.clock.advance(10_000);
    assert.equal(h.coordinator.describeTransaction('tx').transactionState, 'CompleteAbort');
    assert.deepEqual(await markersIn(h, 1), [[producerId, producerEpoch + 1, false]]);
  } finally {
    await h.close();
  }
});

test('v3+ resume: InitProducerId with the current id and epoch bumps it; a retry of that bump gets the same epoch; an old epoch is fenced', () => withHarness(async (h) => {
  const first = initTxn(h, 'tx');
  const resumed = initTxn(h, 'tx', { producerId: first.producerId, producerEpoch: first.producerEpoch });
  assert.deepEqual(resumed, { errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
  // The answer was lost and the producer retries with its old epoch: the same epoch again.
  assert.deepEqual(initTxn(h, 'tx', { producerId: first.producerId, producerEpoch: 0 }), resumed);
  // A fresh InitProducerId (no id) leaves no last epoch: the old epoch is now fenced.
  assert.equal(initTxn(h, 'tx').producerEpoch, 2);
  assert.equal(initTxn(h, 'tx', { producerId: first.producerId, producerEpoch: 0 }).errorCode, ErrorCode.PRODUCER_FENCED);
  assert.equal(initTxn(h, 'tx', { producerId: first.producerId + 99, producerEpoch: 3 }).errorCode, ErrorCode.PRODUCER_FENCED);
}));

test('verify-only (AddPartitionsToTxn v4+): NONE for partitions in the transaction, TRANSACTION_ABORTABLE for others', () => withHarness(async (h) => {
  const { producerId, producerEpoch } = initTxn(h, 'tx');
  h.coordinator.addPartitionsToTransaction('tx', producerId, producerEpoch, [tp(0)]);
  const verified = h.coordinator.verifyPartitionsInTransaction('tx', producerId, producerEpoch, [tp(0), tp(1)]);
  assert.deepEqual(verified, new Map([[`${TOPIC}-0`, ErrorCode.NONE], [`${TOPIC}-1`, ErrorCode.TRANSACTION_ABORTABLE]]));
  assert.equal(h.coordinator.verifyPartitionsInTransaction('tx', producerId, producerEpoch + 1, [tp(0)]), ErrorCode.PRODUCER_FENCED);
}));

test('ListTransactions filters by state, producer id and open duration; unknown states are named', () => withHarness(async (h) => {
  const a = initTxn(h, 'a');
  const b = initTxn(h, 'b');
  h.coordinator.addPartitionsToTransaction('b', b.producerId, b.producerEpoch, [tp(0)]);
  const names = (r: { transactionStates: { transactionalId: string }[] }) => r.transactionStates.map((s) => s.transactionalId).sort();
  assert.deepEqual(names(h.coordinator.listTransactions([], [], -1)), ['a', 'b']);
  assert.deepEqual(names(h.coordinator.listTransactions([], ['Ongoing'], -1)), ['b']);
  assert.deepEqual(names(h.coordinator.listTransactions([a.producerId], [], -1)), ['a']);
  const listed = h.coordinator.listTransactions([], ['Ongoing', 'Bogus'], -1);
  assert.deepEqual(listed.unknownStateFilters, ['Bogus']);
  // b started now: not open longer than 1 s yet; a never started (start -1) and is listed.
  assert.deepEqual(names(h.coordinator.listTransactions([], [], 1_000)), ['a']);
  await h.clock.advance(2_000);
  assert.deepEqual(names(h.coordinator.listTransactions([], [], 1_000)), ['a', 'b']);
}));

test('DescribeTransactions: unknown ids are TRANSACTIONAL_ID_NOT_FOUND, an empty id INVALID_REQUEST', () => withHarness(async (h) => {
  assert.equal(h.coordinator.describeTransaction('nobody').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  assert.equal(h.coordinator.describeTransaction('').errorCode, ErrorCode.INVALID_REQUEST);
  const { producerId } = initTxn(h, 'tx', { transactionTimeoutMs: 30_000 });
  assert.deepEqual(h.coordinator.describeTransaction('tx'), {
    errorCode: ErrorCode.NONE, transactionalId: 'tx', transactionState: 'Empty', transactionTimeoutMs: 30_000,
    transactionStartTimeMs: -1, producerId, producerEpoch: 0, topics: [],
  });
}));

test('ids idle past transactional.id.expiration.ms are tombstoned and forgotten', () => withHarness(async (h) => {
  initTxn(h, 'idle');
  const busy = initTxn(h, 'busy');
  h.coordinator.addPartitionsToTransaction('busy', busy.producerId, busy.producerEpoch, [tp(0)]);
  await h.clock.advance(3_600_000);
  assert.equal(h.coordinator.describeTransaction('idle').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  assert.equal((await h.stateRecords('idle')).at(-1), null);
  // An ongoing transaction is aborted by its timeout long before, then expires like the rest.
  assert.equal(h.coordinator.describeTransaction('busy').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const restarted = await h.restart();
  try {
    assert.equal(restarted.coordinator.describeTransaction('idle').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  } finally {
    restarted.coordinator.close();
    await restarted.logs.close();
  }
}, { transactionalIdExpirationMs: 1_000_000 }));
