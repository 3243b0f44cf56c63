// The classic group state machine: joins, generations, leaders, fencing,
// session expiry, leaving, static members, limits. Time only moves when a
// test advances the manual clock, so nothing here depends on timing.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { type Harness, joinAll, joinRequest, openHarness, settle, startJoin, subscription, syncAll } from './harness.js';

let h: Harness;
beforeEach(async () => { h = await openHarness(); });
afterEach(async () => { await h.close(); });

const G = 'group-a';

function state(groupId = G): string {
  return h.coordinator.describeGroup(groupId).state;
}

test('a v4+ first join gets MEMBER_ID_REQUIRED, then the rejoin forms generation 1 with it as leader', async () => {
  const first = await h.coordinator.joinGroup(joinRequest(G, { clientId: 'app' }));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^app-[0-9a-f-]{36}$/);
  const pending = h.coordinator.joinGroup(joinRequest(G, { memberId: first.memberId }));
  await h.clock.advance(0);
  const joined = await pending;
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leaderId, first.memberId);
  assert.equal(joined.protocolName, 'range');
  assert.equal(joined.protocolType, 'consumer');
  assert.equal(joined.members.length, 1);
  assert.equal(state(), 'CompletingRebalance');
  const assignments = await syncAll(h, G, [joined]);
  assert.equal(assignments.get(joined.memberId)!.toString(), `a:${joined.memberId}`);
  assert.equal(state(), 'Stable');
});

test('before v4 the first join is accepted with a new member id', async () => {
  const [joined] = await joinAll(h, [joinRequest(G, { requireKnownMemberId: false })]);
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.notEqual(joined.memberId, '');
  assert.equal(joined.generationId, 1);
});

test('only the leader receives the member list; followers wait in SyncGroup for the leader', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G), joinRequest(G)]);
  const leaders = joined.filter((j) => j.members.length > 0);
  assert.equal(leaders.length, 1);
  assert.equal(leaders[0].members.length, 3);
  assert.ok(joined.every((j) => j.leaderId === leaders[0].memberId && j.generationId === 1));
  const follower = joined.find((j) => j !== leaders[0])!;
  let answered = false;
  const followerSync = h.coordinator.syncGroup({
    groupId: G, generationId: 1, memberId: follower.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map(),
  }).then((r) => { answered = true; return r; });
  await settle();
  assert.equal(answered, false);
  const all = await syncAll(h, G, joined);
  assert.equal((await followerSync).assignment.toString(), `a:${follower.memberId}`);
  assert.equal(all.size, 3);
});

test('heartbeat errors: unknown member, stale generation, rebalance in progress', async () => {
  const [a] = await joinAll(h, [joinRequest(G)]);
  await syncAll(h, G, [a]);
  const hb = (memberId: string, generationId: number): number => h.coordinator.heartbeat({ groupId: G, memberId, generationId, groupInstanceId: null });
  assert.equal(hb(a.memberId, 1), ErrorCode.NONE);
  assert.equal(hb('nobody', 1), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(hb(a.memberId, 0), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(h.coordinator.heartbeat({ groupId: 'no-such-group', memberId: a.memberId, generationId: 1, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(h.coordinator.heartbeat({ groupId: '', memberId: a.memberId, generationId: 1, groupInstanceId: null }), ErrorCode.INVALID_GROUP_ID);
  // A second member joining starts a rebalance: the first learns it from its heartbeat.
  const b = (await startJoin(h, joinRequest(G))).answer;
  assert.equal(state(), 'PreparingRebalance');
  assert.equal(hb(a.memberId, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  const again = h.coordinator.joinGroup(joinRequest(G, { memberId: a.memberId }));
  const [a2, b2] = await Promise.all([again, b]);
  assert.equal(a2.generationId, 2);
  assert.equal(b2.generationId, 2);
  // The old generation is fenced.
  const stale = await h.coordinator.syncGroup({
    groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map(),
  });
  assert.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);
});

test('a member that stops heartbeating is removed after its session timeout and the others rebalance', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G, { sessionTimeoutMs: 20_000 })]);
  await syncAll(h, G, joined);
  const [quiet, alive] = joined;
  for (let i = 0; i < 3; i++) {
    await h.clock.advance(3_000);
    assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: alive.memberId, generationId: 1, groupInstanceId: null }), ErrorCode.NONE);
  }
  assert.equal(state(), 'Stable');
  await h.clock.advance(2_000);
  // 11 s without a heartbeat from `quiet` (10 s session): gone, and a rebalance began.
  assert.equal(state(), 'PreparingRebalance');
  assert.equal(h.coordinator.describeGroup(G).members.length, 1);
  assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: quiet.memberId, generationId: 1, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  const rejoined = h.coordinator.joinGroup(joinRequest(G, { memberId: alive.memberId, sessionTimeoutMs: 20_000 }));
  const r = await rejoined;
  assert.equal(r.generationId, 2);
  assert.equal(r.leaderId, alive.memberId);
  assert.deepEqual(r.members.map((m) => m.memberId), [alive.memberId]);
});

test('a member that leaves is gone at once; the last one leaving empties the group', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G)]);
  await syncAll(h, G, joined);
  const r = h.coordinator.leaveGroup(G, [{ memberId: joined[0].memberId, groupInstanceId: null }]);
  assert.deepEqual(r.members.map((m) => m.errorCode), [ErrorCode.NONE]);
  assert.equal(state(), 'PreparingRebalance');
  const [next] = await joinAll(h, [joinRequest(G, { memberId: joined[1].memberId })]);
  assert.equal(next.generationId, 2);
  await syncAll(h, G, [next]);
  h.coordinator.leaveGroup(G, [{ memberId: next.memberId, groupInstanceId: null }]);
  assert.equal(state(), 'Empty');
  assert.deepEqual(h.coordinator.leaveGroup(G, [{ memberId: 'gone', groupInstanceId: null }]).members[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // Generation 3 (empty) was written to the log.
  const groupRecords = (await h.records(G)).filter((r) => r.key.readInt16BE(0) === 2);
  const last = groupRecords[groupRecords.length - 1].value!;
  assert.equal(last.readInt16BE(0), 3);
  assert.equal(last.readInt32BE(2 + 2 + 'consumer'.length), 3);
});

test('pending members from MEMBER_ID_REQUIRED that never rejoin expire after the session timeout', async () => {
  const first = await h.coordinator.joinGroup(joinRequest(G));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  await h.clock.advance(11_000);
  const late = await h.coordinator.joinGroup(joinRequest(G, { memberId: first.memberId }));
  assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a follower rejoining with the same metadata while stable gets the current generation back', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G)]);
  await syncAll(h, G, joined);
  const follower = joined.find((j) => j.memberId !== j.leaderId)!;
  const r = await h.coordinator.joinGroup(joinRequest(G, { memberId: follower.memberId }));
  assert.equal(r.errorCode, ErrorCode.NONE);
  assert.equal(r.generationId, 1);
  assert.equal(state(), 'Stable');
});

test('cooperative rounds: changed metadata rebalances, everyone rejoins, each round is a new generation', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G)]);
  await syncAll(h, G, joined);
  let generation = 1;
  for (let round = 0; round < 3; round++) {
    // A member announces different owned partitions (new metadata): a new round starts.
    const changed = joinRequest(G, { memberId: joined[1].memberId, protocols: [{ name: 'cooperative-sticky', metadata: subscription('t', `r${round}`) }, { name: 'range', metadata: subscription('t') }] });
    const pendingChanged = h.coordinator.joinGroup(changed);
    assert.equal(state(), 'PreparingRebalance');
    assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: joined[0].memberId, generationId: generation, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
    const other = h.coordinator.joinGroup(joinRequest(G, { memberId: joined[0].memberId }));
    const answers = await Promise.all([other, pendingChanged]);
    generation++;
    assert.ok(answers.every((a) => a.generationId === generation && a.protocolName === 'range'));
    await syncAll(h, G, answers);
    assert.equal(state(), 'Stable');
  }
});

test('a rebalance drops members that do not rejoin within the rebalance timeout', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G)]);
  await syncAll(h, G, joined);
  const pending = h.coordinator.joinGroup(joinRequest(G, { memberId: joined[0].memberId, protocols: [{ name: 'range', metadata: subscription('t', 'u') }] }));
  // joined[1] keeps heartbeating but never rejoins.
  for (let i = 0; i < 10; i++) {
    await h.clock.advance(3_500);
    h.coordinator.heartbeat({ groupId: G, memberId: joined[1].memberId, generationId: 1, groupInstanceId: null });
  }
  const r = await pending;
  assert.equal(r.generationId, 2);
  assert.deepEqual(r.members.map((m) => m.memberId), [joined[0].memberId]);
});

test('members that do not send SyncGroup in time are removed and the group rebalances', async () => {
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G)]);
  const leader = joined.find((j) => j.memberId === j.leaderId)!;
  const follower = joined.find((j) => j !== leader)!;
  const leaderSync = await h.coordinator.syncGroup({
    groupId: G, generationId: 1, memberId: leader.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
    assignments: new Map(leader.members.map((m) => [m.memberId, Buffer.from('x')])),
  });
  assert.equal(leaderSync.errorCode, ErrorCode.NONE);
  // Both stay alive, but the follower never syncs: after the rebalance timeout (30 s) it is dropped.
  for (let i = 0; i < 4; i++) {
    await h.clock.advance(8_000);
    for (const m of [leader, follower]) h.coordinator.heartbeat({ groupId: G, memberId: m.memberId, generationId: 1, groupInstanceId: null });
  }
  assert.equal(state(), 'PreparingRebalance');
  assert.deepEqual(h.coordinator.describeGroup(G).members.map((m) => m.memberId), [leader.memberId]);
});

test('static member restarting within its session timeout: same generation, same assignment, old id fenced', async () => {
  const a = joinRequest(G, { groupInstanceId: 'instance-a' });
  const b = joinRequest(G, { groupInstanceId: 'instance-b' });
  const joined = await joinAll(h, [a, b]);
  const assignments = await syncAll(h, G, joined);
  const oldB = joined[1];
  // instance-b restarts: a new process joins with an empty member id.
  const restarted = await h.coordinator.joinGroup(b);
  assert.equal(restarted.errorCode, ErrorCode.NONE);
  assert.equal(restarted.generationId, 1);
  assert.notEqual(restarted.memberId, oldB.memberId);
  assert.equal(state(), 'Stable');
  const sync = await h.coordinator.syncGroup({
    groupId: G, generationId: 1, memberId: restarted.memberId, groupInstanceId: 'instance-b', protocolType: 'consumer', protocolName: 'range', assignments: new Map(),
  });
  assert.deepEqual(sync.assignment, assignments.get(oldB.memberId));
  assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: oldB.memberId, generationId: 1, groupInstanceId: 'instance-b' }), ErrorCode.FENCED_INSTANCE_ID);
  assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: restarted.memberId, generationId: 1, groupInstanceId: 'instance-b' }), ErrorCode.NONE);
  // The other member saw nothing.
  assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: joined[0].memberId, generationId: 1, groupInstanceId: 'instance-a' }), ErrorCode.NONE);
});

test('a static member that misses its session timeout is removed like any other', async () => {
  const joined = await joinAll(h, [joinRequest(G, { groupInstanceId: 'i1' }), joinRequest(G, { groupInstanceId: 'i2', sessionTimeoutMs: 60_000 })]);
  await syncAll(h, G, joined);
  await h.clock.advance(11_000);
  assert.equal(state(), 'PreparingRebalance');
  const r = h.coordinator.leaveGroup(G, [{ memberId: '', groupInstanceId: 'i2' }, { memberId: '', groupInstanceId: 'i1' }]);
  assert.deepEqual(r.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(state(), 'Empty');
});

test('inconsistent protocols, bad session timeouts and a stale member id are refused without changing the group', async () => {
  const [a] = await joinAll(h, [joinRequest(G)]);
  await syncAll(h, G, [a]);
  const otherType = await h.coordinator.joinGroup(joinRequest(G, { protocolType: 'connect' }));
  assert.equal(otherType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const otherProtocol = await h.coordinator.joinGroup(joinRequest(G, { protocols: [{ name: 'roundrobin', metadata: subscription('t') }] }));
  assert.equal(otherProtocol.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await h.coordinator.joinGroup(joinRequest(G, { sessionTimeoutMs: 5_999 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await h.coordinator.joinGroup(joinRequest(G, { sessionTimeoutMs: 1_800_001 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await h.coordinator.joinGroup(joinRequest('unknown', { memberId: 'x' }))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await h.coordinator.joinGroup(joinRequest(''))).errorCode, ErrorCode.INVALID_GROUP_ID);
  const emptyType = await h.coordinator.joinGroup(joinRequest('fresh', { protocolType: '' }));
  assert.equal(emptyType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(state(), 'Stable');
  assert.equal(h.coordinator.heartbeat({ groupId: G, memberId: a.memberId, generationId: 1, groupInstanceId: null }), ErrorCode.NONE);
});

test('group.max.size turns away members beyond the limit', async () => {
  await h.close();
  h = await openHarness({ maxGroupSize: 2 });
  const joined = await joinAll(h, [joinRequest(G), joinRequest(G)]);
  await syncAll(h, G, joined);
  const third = await h.coordinator.joinGroup(joinRequest(G));
  assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal(h.coordinator.describeGroup(G).members.length, 2);
});

test('the initial rebalance delay gathers members that arrive together into generation 1', async () => {
  await h.close();
  h = await openHarness({ initialRebalanceDelayMs: 3_000 });
  const { answer: a } = await startJoin(h, joinRequest(G));
  await h.clock.advance(2_000);
  const { answer: b } = await startJoin(h, joinRequest(G));
  await h.clock.advance(2_000);
  const { answer: c } = await startJoin(h, joinRequest(G));
  // Each arrival extends the wait by the delay (within the rebalance timeout).
  await h.clock.advance(6_000);
  const results = await Promise.all([a, b, c]);
  assert.ok(results.every((r) => r.generationId === 1));
  assert.equal(results.find((r) => r.members.length > 0)!.members.length, 3);
});

test('close answers parked requests with NOT_COORDINATOR and later requests with COORDINATOR_NOT_AVAILABLE', async () => {
  await h.close();
  h = await openHarness({ initialRebalanceDelayMs: 3_000 });
  const { answer: parked } = await startJoin(h, joinRequest(G));
  h.coordinator.close();
  assert.equal((await parked).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal((await h.coordinator.joinGroup(joinRequest(G))).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

test('list and describe groups', async () => {
  const joined = await joinAll(h, [joinRequest(G, { clientId: 'c1' })]);
  await syncAll(h, G, joined);
  h.coordinator.commitOffsets({ groupId: 'simple', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, partitions: [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null, commitTimestamp: -1 }] });
  const all = h.coordinator.listGroups([], []);
  assert.deepEqual(all.groups.map((g) => [g.groupId, g.state, g.protocolType]).sort(), [[G, 'Stable', 'consumer'], ['simple', 'Empty', '']]);
  assert.deepEqual(h.coordinator.listGroups(['stable'], []).groups.map((g) => g.groupId), [G]);
  assert.deepEqual(h.coordinator.listGroups(['Empty'], ['Classic']).groups.map((g) => g.groupId), ['simple']);
  assert.deepEqual(h.coordinator.listGroups([], ['consumer']).groups, []);
  const d = h.coordinator.describeGroup(G);
  assert.equal(d.protocolData, 'range');
  assert.equal(d.members[0].clientId, 'c1');
  assert.equal(d.members[0].clientHost, '/127.0.0.1');
  assert.deepEqual(d.members[0].metadata, subscription('t'));
  assert.equal(h.coordinator.describeGroup('none').state, 'Dead');
});
