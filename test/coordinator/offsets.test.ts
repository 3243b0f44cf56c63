// Committed offsets: who may commit, what is refused, what reaches the log,
// what survives a restart, expiry with tombstones, DeleteGroups and OffsetDelete.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { CommitRequest, PartitionCommit } from '../../src/coordinator/group/offsets.js';
import { parseOffsetsTopicRecord } from '../../src/coordinator/group/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { type Harness, joinAll, joinRequest, now, openHarness, subscription, syncAll } from './harness.js';

let h: Harness;
beforeEach(async () => { h = await openHarness(); });
afterEach(async () => { await h.close(); });

const G = 'offsets-group';
const DAY = 24 * 3_600_000;

function partition(topic: string, p: number, offset: number, extra: Partial<PartitionCommit> = {}): PartitionCommit {
  return { topic, partition: p, offset, leaderEpoch: -1, metadata: null, commitTimestamp: -1, ...extra };
}

function commit(partitions: PartitionCommit[], req: Partial<CommitRequest> = {}): number[] {
  return now(h.coordinator.commitOffsets({ groupId: G, memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, partitions, ...req }))
    .map((r) => r.errorCode);
}

function committed(topic: string, p: number, groupId = G): number {
  const r = h.coordinator.fetchOffsets(groupId, [{ topic, partition: p }]);
  assert.equal(r.errorCode, ErrorCode.NONE);
  return r.offsets[0].offset;
}

async function stableGroup(): Promise<{ memberId: string; generationId: number }> {
  const joined = await joinAll(h, [joinRequest(G)]);
  await syncAll(h, G, joined);
  return joined[0];
}

test('a simple commit creates an empty group; fetch returns it, -1 where nothing was committed', async () => {
  assert.deepEqual(commit([partition('t', 0, 5, { leaderEpoch: 3, metadata: 'meta' }), partition('t', 1, 9)]), [0, 0]);
  const r = h.coordinator.fetchOffsets(G, [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }]);
  assert.deepEqual(r.offsets.map((o) => [o.offset, o.leaderEpoch, o.metadata]), [[5, 3, 'meta'], [-1, -1, '']]);
  const all = h.coordinator.fetchOffsets(G, null);
  assert.deepEqual(all.offsets.map((o) => [o.topic, o.partition, o.offset]), [['t', 0, 5], ['t', 1, 9]]);
  assert.deepEqual(h.coordinator.fetchOffsets('nobody', null).offsets, []);
  assert.equal(h.coordinator.describeGroup(G).state, 'Empty');
});

test('the commit is in __consumer_offsets when the answer is given', async () => {
  commit([partition('t', 2, 77, { metadata: 'x' })]);
  const records = (await h.records(G)).map((r) => parseOffsetsTopicRecord(r.key, r.value));
  assert.deepEqual(records, [{
    kind: 'offset', group: G, topic: 't', partition: 2,
    value: { offset: 77, leaderEpoch: -1, metadata: 'x', commitTimestamp: h.clock.now(), expireTimestamp: null },
  }]);
});

test('refused commits: unknown topic, over-long metadata, stale generation, non-members, mid-rebalance', async () => {
  assert.deepEqual(
    commit([partition('nope', 0, 1), partition('t', 9, 1), partition('t', 0, 1), partition('t', 1, 1, { metadata: 'm'.repeat(4097) })]),
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE],
  );
  assert.equal(committed('t', 1), -1);
  assert.deepEqual(commit([partition('t', 0, 2)], { groupId: 'other', generationId: 3, memberId: 'm' }), [ErrorCode.ILLEGAL_GENERATION]);
  assert.equal(h.coordinator.describeGroup('other').state, 'Dead');

  const member = await stableGroup();
  assert.deepEqual(commit([partition('t', 0, 10)], { memberId: member.memberId, generationId: 0 }), [ErrorCode.ILLEGAL_GENERATION]);
  assert.deepEqual(commit([partition('t', 0, 10)], { memberId: 'stranger', generationId: 1 }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  // A simple commit is only for groups without members.
  assert.deepEqual(commit([partition('t', 0, 10)]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(committed('t', 0), 1);
  assert.deepEqual(commit([partition('t', 0, 10)], { memberId: member.memberId, generationId: 1 }), [ErrorCode.NONE]);
  assert.equal(committed('t', 0), 10);

  // A second member makes the group rebalance; once the join completes, commits must wait for the sync.
  const second = h.coordinator.joinGroup(joinRequest(G, { requireKnownMemberId: false }));
  const first = h.coordinator.joinGroup(joinRequest(G, { memberId: member.memberId }));
  // While preparing the rebalance the previous generation may still commit.
  const answers = await Promise.all([first, second]);
  assert.equal(h.coordinator.describeGroup(G).state, 'CompletingRebalance');
  assert.deepEqual(commit([partition('t', 0, 11)], { memberId: member.memberId, generationId: 2 }), [ErrorCode.REBALANCE_IN_PROGRESS]);
  await syncAll(h, G, answers);
  assert.deepEqual(commit([partition('t', 0, 12)], { memberId: member.memberId, generationId: 2 }), [ErrorCode.NONE]);
  assert.equal(committed('t', 0), 12);
});

test('a commit during PreparingRebalance from the previous generation is accepted', async () => {
  const member = await stableGroup();
  const pending = h.coordinator.joinGroup(joinRequest(G, { requireKnownMemberId: false }));
  assert.equal(h.coordinator.describeGroup(G).state, 'PreparingRebalance');
  assert.deepEqual(commit([partition('t', 3, 4)], { memberId: member.memberId, generationId: 1 }), [ErrorCode.NONE]);
  h.coordinator.leaveGroup(G, [{ memberId: member.memberId, groupInstanceId: null }]);
  assert.equal((await pending).generationId, 2);
});

test('commits count as liveness: a member that only commits keeps its session', async () => {
  const member = await stableGroup();
  for (let i = 0; i < 5; i++) {
    await h.clock.advance(8_000);
    assert.deepEqual(commit([partition('t', 0, i)], { memberId: member.memberId, generationId: 1 }), [ErrorCode.NONE]);
  }
  assert.equal(h.coordinator.describeGroup(G).state, 'Stable');
});

test('offsets and groups come back after a restart, and loaded members must heartbeat', async () => {
  const member = await stableGroup();
  commit([partition('t', 0, 100, { leaderEpoch: 2, metadata: 'kept' }), partition('u', 1, 7)], { memberId: member.memberId, generationId: 1 });
  commit([partition('t', 3, 3)], { groupId: 'simple' });
  h = await h.restart();
  const r = h.coordinator.fetchOffsets(G, null);
  assert.deepEqual(r.offsets.map((o) => [o.topic, o.partition, o.offset, o.leaderEpoch, o.metadata]), [['t', 0, 100, 2, 'kept'], ['u', 1, 7, -1, '']]);
  assert.equal(committed('t', 3, 'simple'), 3);
  const d = h.coordinator.describeGroup(G);
  assert.equal(d.state, 'Stable');
  assert.deepEqual(d.members.map((m) => m.memberId), [member.memberId]);
  assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: member.memberId, generationId: 1, groupInstanceId: null }), ErrorCode.NONE);
  // The restored member keeps committing in its generation...
  assert.deepEqual(commit([partition('t', 0, 101)], { memberId: member.memberId, generationId: 1 }), [ErrorCode.NONE]);
  // ...and is removed once it stops heartbeating.
  await h.clock.advance(11_000);
  assert.equal(h.coordinator.describeGroup(G).state, 'Empty');
});

test('DeleteGroups: empty groups go with their offsets (tombstones), others are refused', async () => {
  const member = await stableGroup();
  commit([partition('t', 0, 5)], { memberId: member.memberId, generationId: 1 });
  commit([partition('t', 0, 1)], { groupId: 'simple' });
  assert.deepEqual(h.coordinator.deleteGroups([G, 'simple', 'missing']), [
    { groupId: G, errorCode: ErrorCode.NON_EMPTY_GROUP },
    { groupId: 'simple', errorCode: ErrorCode.NONE },
    { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
  ]);
  h.coordinator.leaveGroup(G, [{ memberId: member.memberId, groupInstanceId: null }]);
  assert.deepEqual(h.coordinator.deleteGroups([G]), [{ groupId: G, errorCode: ErrorCode.NONE }]);
  assert.equal(committed('t', 0), -1);
  assert.deepEqual(h.coordinator.listGroups([], []).groups, []);
  const last = (await h.records(G)).map((r) => parseOffsetsTopicRecord(r.key, r.value)).slice(-2);
  assert.deepEqual(last, [
    { kind: 'offset', group: G, topic: 't', partition: 0, value: null },
    { kind: 'group', group: G, value: null },
  ]);
  h = await h.restart();
  assert.deepEqual(h.coordinator.listGroups([], []).groups, []);
  assert.equal(committed('t', 0, 'simple'), -1);
});

test('offsets of an empty group expire after offsets.retention.minutes, then the group is gone', async () => {
  await h.close();
  h = await openHarness({ offsetsRetentionMs: DAY, offsetsRetentionCheckIntervalMs: 3_600_000 });
  commit([partition('t', 0, 5)], { groupId: 'simple' });
  await h.clock.advance(DAY / 2);
  const member = await stableGroup();
  commit([partition('t', 1, 6)], { memberId: member.memberId, generationId: 1 });
  h.coordinator.leaveGroup(G, [{ memberId: member.memberId, groupInstanceId: null }]);
  await h.clock.advance(DAY / 2 + 3_600_000);
  // The simple group's offset is a day old; G has been empty for only half a day.
  assert.equal(committed('t', 0, 'simple'), -1);
  assert.equal(committed('t', 1), 6);
  assert.deepEqual(h.coordinator.listGroups([], []).groups.map((g) => g.groupId), [G]);
  await h.clock.advance(DAY / 2);
  assert.equal(committed('t', 1), -1);
  assert.deepEqual(h.coordinator.listGroups([], []).groups, []);
  const tail = (await h.records(G)).map((r) => parseOffsetsTopicRecord(r.key, r.value)).slice(-2);
  assert.deepEqual(tail.map((r) => [r.kind, r.kind === 'other' ? null : r.value]), [['offset', null], ['group', null]]);
  h = await h.restart();
  assert.deepEqual(h.coordinator.listGroups([], []).groups, []);
});

test('a stable consumer group keeps the offsets of subscribed topics and loses the others', async () => {
  await h.close();
  h = await openHarness({ offsetsRetentionMs: DAY, offsetsRetentionCheckIntervalMs: 3_600_000 });
  const joined = await joinAll(h, [joinRequest(G, { sessionTimeoutMs: 1_800_000, protocols: [{ name: 'range', metadata: subscription('t') }] })]);
  await syncAll(h, G, joined);
  commit([partition('t', 0, 1), partition('u', 0, 2)], { memberId: joined[0].memberId, generationId: 1 });
  // 26 hours, heartbeating every 20 minutes (the session is 30).
  for (let i = 0; i < 78; i++) {
    await h.clock.advance(1_200_000);
    h.coordinator.heartbeat({ groupId: G, memberId: joined[0].memberId, generationId: 1, groupInstanceId: null });
  }
  assert.equal(committed('t', 0), 1);
  assert.equal(committed('u', 0), -1);
});

test('an explicit retention time (OffsetCommit v2-v4) sets the expiry of each offset', async () => {
  await h.close();
  h = await openHarness({ offsetsRetentionMs: DAY, offsetsRetentionCheckIntervalMs: 60_000 });
  commit([partition('t', 0, 1)], { retentionTimeMs: 120_000 });
  await h.clock.advance(60_000);
  assert.equal(committed('t', 0), 1);
  await h.clock.advance(60_000);
  assert.equal(committed('t', 0), -1);
});

test('OffsetDelete: consumed topics are protected while the group is active', async () => {
  const joined = await joinAll(h, [joinRequest(G)]);
  await syncAll(h, G, joined);
  commit([partition('t', 0, 1), partition('u', 0, 2)], { memberId: joined[0].memberId, generationId: 1 });
  const r = h.coordinator.deleteOffsets(G, [{ topic: 't', partition: 0 }, { topic: 'u', partition: 0 }, { topic: 'zz', partition: 0 }]);
  assert.equal(r.errorCode, ErrorCode.NONE);
  assert.deepEqual(r.partitions.map((p) => p.errorCode), [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.equal(committed('t', 0), 1);
  assert.equal(committed('u', 0), -1);
  assert.equal(h.coordinator.deleteOffsets('missing', [{ topic: 't', partition: 0 }]).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  h.coordinator.leaveGroup(G, [{ memberId: joined[0].memberId, groupInstanceId: null }]);
  assert.equal(h.coordinator.deleteOffsets(G, [{ topic: 't', partition: 0 }]).partitions[0].errorCode, ErrorCode.NONE);
  assert.equal(committed('t', 0), -1);
});

test('groups whose __consumer_offsets partition is not here get NOT_COORDINATOR', async () => {
  await h.close();
  // Four partitions configured, logs for three: partition 3's groups are not ours.
  h = await openHarness({ offsetsTopicPartitions: 4 });
  const elsewhere = Array.from({ length: 100 }, (_, i) => `g${i}`).find((g) => h.coordinator.partitionFor(g) === 3)!;
  assert.deepEqual(commit([partition('t', 0, 1)], { groupId: elsewhere }), [ErrorCode.NOT_COORDINATOR]);
  assert.equal((await h.coordinator.joinGroup(joinRequest(elsewhere))).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(h.coordinator.fetchOffsets(elsewhere, null).errorCode, ErrorCode.NOT_COORDINATOR);
});
