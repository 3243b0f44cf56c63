// Transactional offset commits (TxnOffsetCommit) in the group coordinator, as
// Kafka 3.9's GroupCoordinator/GroupMetadataManager keep them: pending per
// producer until the transaction's marker, visible to OffsetFetch only after a
// commit, UNSTABLE_OFFSET_COMMIT for require_stable meanwhile, ordered against
// plain commits by their place in the log, and replayed from __consumer_offsets
// (transactional batches and control batches) after a restart.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { PartitionCommit, TxnCommitRequest } from '../../src/coordinator/group/offsets.js';
import { parseOffsetsTopicRecord } from '../../src/coordinator/group/records.js';
import { OFFSETS_TOPIC } from '../../src/coordinator/group/store.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatches } from '../../src/protocol/records/record.js';
import { type Harness, joinAll, joinRequest, now, openHarness, syncAll } from './harness.js';

let h: Harness;
beforeEach(async () => { h = await openHarness(); });
afterEach(async () => { await h.close(); });

const G = 'txn-group';
const PID = 4000;
const EPOCH = 3;

function partition(topic: string, p: number, offset: number, extra: Partial<PartitionCommit> = {}): PartitionCommit {
  return { topic, partition: p, offset, leaderEpoch: -1, metadata: null, commitTimestamp: -1, ...extra };
}

/** A TxnOffsetCommit as clients before v3 send it: no membership. Answered at once: nothing verifies transactions here. */
function txnCommit(partitions: PartitionCommit[], req: Partial<TxnCommitRequest> = {}): number[] {
  const results = h.coordinator.txnCommitOffsets({
    transactionalId: 'txn', abortableSupported: false, groupId: G, producerId: PID, producerEpoch: EPOCH,
    memberId: '', groupInstanceId: null, generationId: -1, partitions, ...req,
  });
  assert.ok(Array.isArray(results));
  return results.map((r) => r.errorCode);
}

function plainCommit(partitions: PartitionCommit[], groupId = G): number[] {
  return now(h.coordinator.commitOffsets({ groupId, memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, partitions }))
    .map((r) => r.errorCode);
}

/** [offset, errorCode] per partition. */
function fetch(partitions: [string, number][] | null, requireStable: boolean, groupId = G): [number, number][] {
  const r = h.coordinator.fetchOffsets(groupId, partitions && partitions.map(([topic, p]) => ({ topic, partition: p })), requireStable);
  assert.equal(r.errorCode, ErrorCode.NONE);
  return r.offsets.map((o) => [o.offset, o.errorCode]);
}

/** Appends a transaction marker (a control batch) to the group's __consumer_offsets partition, as the partition leader does. */
function writeMarker(groupId: string, producerId: number, commit: boolean): void {
  const log = h.logs.getLog(OFFSETS_TOPIC, h.coordinator.partitionFor(groupId))!;
  log.appendTxnMarker({ producerId, producerEpoch: EPOCH, coordinatorEpoch: 0, commit, leaderEpoch: 0, now: h.clock.now() });
  log.highWatermark = log.logEndOffset;
}

/** Marker in the log, then the coordinator told, as the transaction coordinator does it. */
function endTransaction(groupId: string, producerId: number, commit: boolean): void {
  writeMarker(groupId, producerId, commit);
  h.coordinator.completeTransactionalOffsets(h.coordinator.partitionFor(groupId), producerId, commit);
}

const UNSTABLE = ErrorCode.UNSTABLE_OFFSET_COMMIT;

test('pending until the marker: invisible to OffsetFetch, UNSTABLE_OFFSET_COMMIT with require_stable, then committed', () => {
  assert.deepEqual(plainCommit([partition('t', 0, 5)]), [0]);
  assert.deepEqual(txnCommit([partition('t', 0, 10, { metadata: 'm', leaderEpoch: 2 }), partition('t', 1, 20)]), [0, 0]);
  assert.deepEqual(fetch([['t', 0], ['t', 1], ['t', 2]], false), [[5, 0], [-1, 0], [-1, 0]]);
  assert.deepEqual(fetch([['t', 0], ['t', 1], ['t', 2]], true), [[-1, UNSTABLE], [-1, UNSTABLE], [-1, 0]]);
  // All of the group's offsets: the committed ones, each checked for stability.
  assert.deepEqual(fetch(null, false), [[5, 0]]);
  assert.deepEqual(fetch(null, true), [[-1, UNSTABLE]]);

  endTransaction(G, PID, true);
  const r = h.coordinator.fetchOffsets(G, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }], true);
  assert.deepEqual(r.offsets.map((o) => [o.offset, o.leaderEpoch, o.metadata, o.errorCode]), [[10, 2, 'm', 0], [20, -1, '', 0]]);
});

test('an aborted transaction leaves the committed offsets as they were', () => {
  plainCommit([partition('t', 0, 5)]);
  txnCommit([partition('t', 0, 10), partition('u', 1, 3)]);
  endTransaction(G, PID, false);
  assert.deepEqual(fetch([['t', 0], ['u', 1]], true), [[5, 0], [-1, 0]]);
  // The producer's next transaction starts afresh.
  txnCommit([partition('t', 0, 11)]);
  endTransaction(G, PID, true);
  assert.deepEqual(fetch([['t', 0], ['u', 1]], true), [[11, 0], [-1, 0]]);
});

test('the offsets are written as a transactional batch with the producer id and epoch', async () => {
  txnCommit([partition('t', 3, 42, { metadata: 'x' })]);
  const log = h.logs.getLog(OFFSETS_TOPIC, h.coordinator.partitionFor(G))!;
  const { records } = await log.read(0, 1 << 20, { minOneBatch: true, maxOffset: log.logEndOffset });
  const [batch] = records.flatMap((chunk) => decodeBatches(chunk));
  assert.deepEqual(
    [batch.isTransactional, batch.isControl, batch.producerId, batch.producerEpoch, batch.baseSequence],
    [true, false, PID, EPOCH, 0],
  );
  assert.deepEqual(batch.records.map((r) => parseOffsetsTopicRecord(r.key!, r.value)), [{
    kind: 'offset', group: G, topic: 't', partition: 3,
    value: { offset: 42, leaderEpoch: -1, metadata: 'x', commitTimestamp: h.clock.now(), expireTimestamp: null },
  }]);
});

test('a plain commit written after the transactional one wins when the transaction commits; one written before loses', async () => {
  txnCommit([partition('t', 0, 10), partition('t', 1, 10)]);
  plainCommit([partition('t', 0, 7)]);
  endTransaction(G, PID, true);
  assert.deepEqual(fetch([['t', 0], ['t', 1]], true), [[7, 0], [10, 0]]);
  // The same order decides when the log is replayed.
  h = await h.restart();
  assert.deepEqual(fetch([['t', 0], ['t', 1]], true), [[7, 0], [10, 0]]);
});

test('several producers and groups: each marker completes only its producer in its partition', () => {
  const other = Array.from({ length: 50 }, (_, i) => `g${i}`).find((g) => h.coordinator.partitionFor(g) !== h.coordinator.partitionFor(G))!;
  const samePartition = Array.from({ length: 50 }, (_, i) => `s${i}`).find((g) => h.coordinator.partitionFor(g) === h.coordinator.partitionFor(G))!;
  txnCommit([partition('t', 0, 1)]);
  txnCommit([partition('t', 0, 2)], { groupId: other });
  txnCommit([partition('t', 0, 3)], { groupId: samePartition });
  txnCommit([partition('t', 1, 4)], { producerId: PID + 1 });
  // The marker in G's partition: G and samePartition, not the other partition's group, nor the other producer.
  endTransaction(G, PID, true);
  assert.deepEqual(fetch([['t', 0], ['t', 1]], true), [[1, 0], [-1, UNSTABLE]]);
  assert.deepEqual(fetch([['t', 0]], true, samePartition), [[3, 0]]);
  assert.deepEqual(fetch([['t', 0]], true, other), [[-1, UNSTABLE]]);
  endTransaction(other, PID, true);
  assert.deepEqual(fetch([['t', 0]], true, other), [[2, 0]]);
  endTransaction(G, PID + 1, false);
  assert.deepEqual(fetch([['t', 1]], true), [[-1, 0]]);
});

test('membership checks (v3+): generation, member id and group instance id; older requests carry none', async () => {
  const joined = await joinAll(h, [joinRequest(G, { groupInstanceId: 'static-1' })]);
  await syncAll(h, G, joined);
  const { memberId, generationId } = joined[0];
  const member = { memberId, generationId, groupInstanceId: 'static-1' };
  assert.deepEqual(txnCommit([partition('t', 0, 1)], member), [0]);
  assert.deepEqual(txnCommit([partition('t', 0, 1)], { ...member, generationId: generationId + 1 }), [ErrorCode.ILLEGAL_GENERATION]);
  assert.deepEqual(txnCommit([partition('t', 0, 1)], { ...member, memberId: 'stranger' }), [ErrorCode.FENCED_INSTANCE_ID]);
  assert.deepEqual(txnCommit([partition('t', 0, 1)], { ...member, groupInstanceId: 'static-2' }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.deepEqual(txnCommit([partition('t', 0, 1)], { ...member, groupInstanceId: null, memberId: 'stranger' }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  // Unlike OffsetCommit, a request without membership is accepted although the group has members.
  assert.deepEqual(txnCommit([partition('t', 0, 2)]), [0]);
  assert.deepEqual(plainCommit([partition('t', 0, 2)]), [ErrorCode.UNKNOWN_MEMBER_ID]);

  // While the group completes a rebalance the current generation may still commit transactionally.
  const second = h.coordinator.joinGroup(joinRequest(G, { requireKnownMemberId: false }));
  const rejoin = h.coordinator.joinGroup(joinRequest(G, { memberId, groupInstanceId: 'static-1' }));
  const [again] = await Promise.all([rejoin, second]);
  assert.equal(h.coordinator.describeGroup(G).state, 'CompletingRebalance');
  assert.deepEqual(txnCommit([partition('t', 0, 3)], { ...member, generationId: again.generationId }), [0]);
});

test('refused: unknown partitions, over-long metadata, an empty group id, an unknown group with a generation', () => {
  assert.deepEqual(
    txnCommit([partition('nope', 0, 1), partition('t', 9, 1), partition('t', 0, 1), partition('t', 1, 1, { metadata: 'm'.repeat(4097) })]),
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0, ErrorCode.OFFSET_METADATA_TOO_LARGE],
  );
  assert.deepEqual(fetch([['t', 0], ['t', 1]], true), [[-1, UNSTABLE], [-1, 0]]);
  assert.deepEqual(txnCommit([partition('t', 0, 1)], { groupId: '' }), [ErrorCode.INVALID_GROUP_ID]);
  // The group is created (Kafka does so for every TxnOffsetCommit); the stranger is still refused.
  assert.deepEqual(txnCommit([partition('t', 0, 1)], { groupId: 'fresh', memberId: 'm', generationId: 1 }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(h.coordinator.describeGroup('fresh').state, 'Empty');
});

test('restart: pending offsets stay pending without a marker; committed and aborted ones are replayed', async () => {
  const g2 = 'txn-group-2';
  const g3 = 'txn-group-3';
  plainCommit([partition('t', 0, 5)], g2);
  txnCommit([partition('t', 0, 10)]);
  txnCommit([partition('t', 0, 11)], { groupId: g2, producerId: PID + 1 });
  txnCommit([partition('t', 0, 12)], { groupId: g3, producerId: PID + 2 });
  // Markers reach the log (the broker died before the coordinator heard of them, or after).
  writeMarker(g2, PID + 1, false);
  writeMarker(g3, PID + 2, true);
  h = await h.restart();
  assert.deepEqual(fetch([['t', 0]], true), [[-1, UNSTABLE]]);
  assert.deepEqual(fetch([['t', 0]], true, g2), [[5, 0]]);
  assert.deepEqual(fetch([['t', 0]], true, g3), [[12, 0]]);
  // A group holding nothing but pending offsets was loaded too, and its marker still completes it.
  assert.deepEqual(h.coordinator.listGroups([], []).groups.map((g) => g.groupId).sort(), [G, g2, g3]);
  endTransaction(G, PID, true);
  assert.deepEqual(fetch([['t', 0]], true), [[10, 0]]);
  h = await h.restart();
  assert.deepEqual(fetch([['t', 0]], true), [[10, 0]]);
});

test('a marker arriving while the coordinator loads is applied once the groups are loaded', async () => {
  txnCommit([partition('t', 0, 10)]);
  // Lead the partition again and load it from the log, where the marker is not yet, and hear of the marker meanwhile.
  h.coordinator.onResign(h.coordinator.partitionFor(G));
  const loading = h.coordinator.onBecomeLeader(h.coordinator.partitionFor(G), 1);
  assert.deepEqual(txnCommit([partition('t', 1, 1)], { producerId: PID + 1 }), [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
  writeMarker(G, PID, true);
  h.coordinator.completeTransactionalOffsets(h.coordinator.partitionFor(G), PID, true);
  await loading;
  assert.deepEqual(fetch([['t', 0]], true), [[10, 0]]);
});

test('an empty group with only pending offsets is not expired; DeleteGroups and topic deletion drop pending offsets', async () => {
  await h.close();
  h = await openHarness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  txnCommit([partition('t', 0, 1), partition('u', 0, 1)]);
  await h.clock.advance(120_000);
  assert.deepEqual(h.coordinator.listGroups([], []).groups.map((g) => g.groupId), [G]);
  h.coordinator.topicDeleted('u');
  endTransaction(G, PID, true);
  assert.deepEqual(fetch([['t', 0], ['u', 0]], true), [[1, 0], [-1, 0]]);

  txnCommit([partition('t', 0, 2)], { producerId: PID + 1 });
  assert.deepEqual(h.coordinator.deleteGroups([G]), [{ groupId: G, errorCode: ErrorCode.NONE }]);
  endTransaction(G, PID + 1, true);
  assert.deepEqual(fetch([['t', 0]], true), [[-1, 0]]);
});
