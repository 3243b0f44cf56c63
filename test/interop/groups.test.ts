// Consumer groups with real clients (confluent-kafka / librdkafka, kafka-python,
// KafkaJS) against `samsa start`: shared assignments, failures and clean
// leaves, broker restarts, static membership, large groups, commit styles,
// and bad requests over a raw connection. Every wait is a bounded poll for a
// condition; every child process is killed in the after-hooks.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { type Consumer, Kafka, PartitionAssigners, logLevel, type PartitionAssigner } from 'kafkajs';
import { offsetsPartitionFor } from '../../src/coordinator/group/partition-for.js';
import { parseOffsetsTopicRecord } from '../../src/coordinator/group/records.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatches } from '../../src/protocol/records/record.js';
import { subscription } from '../coordinator/harness.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { python } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil } from '../helpers/wait.js';

const PY_DIR = fileURLToPath(new URL('../../../test/interop/py/', import.meta.url));
const OFFSETS_PARTITIONS = 50;

let broker: BrokerProcess;
const children = new Set<PythonMember>();
const kafkaConsumers = new Set<Consumer>();

before(async () => { broker = await startBrokerProcess(); });
after(async () => {
  for (const c of kafkaConsumers) await c.disconnect().catch(() => {});
  for (const m of children) await m.kill9();
  await broker?.stop();
  removeDir(broker.dataDir);
});

// --- helpers ---

interface MemberEvent {
  event: 'assignment' | 'rebalanced' | 'record' | 'closed';
  partitions?: [string, number][];
  topic?: string;
  partition?: number;
  offset?: number;
  value?: string;
}

interface ConsumedRecord { partition: number; offset: number; value: string }

/** A group member in a python child process (test/interop/py/groups_member.py). */
class PythonMember {
  readonly events: MemberEvent[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<void>;
  private stderr = '';

  constructor(readonly client: 'confluent' | 'kafka-python', bootstrap: string, group: string, topic: string, options: Record<string, unknown> = {}) {
    this.child = spawn('/usr/bin/python3', [`${PY_DIR}groups_member.py`, client, bootstrap, group, topic, JSON.stringify(options)]);
    let pending = '';
    this.child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as MemberEvent);
    });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    children.add(this);
  }

  /** Partitions (as numbers) of the latest assignment. */
  get assignment(): number[] {
    const last = this.events.filter((e) => e.event === 'assignment').pop();
    return (last?.partitions ?? []).map(([, p]) => p);
  }

  get records(): ConsumedRecord[] {
    return this.events.filter((e) => e.event === 'record').map((e) => ({ partition: e.partition!, offset: e.offset!, value: e.value! }));
  }

  count(event: MemberEvent['event']): number {
    return this.events.filter((e) => e.event === event).length;
  }

  /** Asks the member to close its consumer (a clean leave) and waits for it to exit. */
  async stop(): Promise<void> {
    this.child.stdin.write('stop\n');
    const bounded = new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000).unref());
    if ((await Promise.race([this.exited, bounded])) === 'late') await this.kill9();
    children.delete(this);
  }

  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
    children.delete(this);
  }

  describe(): string {
    return `${this.client}: ${JSON.stringify(this.events.filter((e) => e.event !== 'record'))}\n${this.stderr.slice(-2000)}`;
  }
}

/**
 * KafkaJS's round-robin assignor under the protocol name the Java, librdkafka and kafka-python
 * round-robin assignors use, so KafkaJS can share a group with them.
 */
const interopRoundRobin: PartitionAssigner = (config) => {
  const base = PartitionAssigners.roundRobin(config);
  return { ...base, name: 'roundrobin' };
};

interface KafkaJsMember {
  consumer: Consumer;
  assignment: () => number[];
  records: ConsumedRecord[];
}

async function kafkajsMember(group: string, topic: string, opts: { assigners?: PartitionAssigner[]; sessionTimeout?: number; autoCommit?: boolean } = {}): Promise<KafkaJsMember> {
  const consumer = kafka().consumer({
    groupId: group,
    sessionTimeout: opts.sessionTimeout ?? 10_000,
    heartbeatInterval: 1_000,
    // KafkaJS heartbeats (and so learns of rebalances) between fetches: keep idle fetches short.
    maxWaitTimeInMs: 500,
    partitionAssigners: opts.assigners,
  });
  kafkaConsumers.add(consumer);
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => { assigned = e.payload.memberAssignment[topic] ?? []; });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: opts.autoCommit ?? true,
    eachMessage: async ({ partition, message }) => {
      records.push({ partition, offset: Number(message.offset), value: message.value!.toString() });
    },
  });
  return { consumer, assignment: () => [...assigned].sort((a, b) => a - b), records };
}

async function stopKafkaJs(m: KafkaJsMember): Promise<void> {
  await m.consumer.disconnect();
  kafkaConsumers.delete(m.consumer);
}

function kafka(bootstrap = broker.bootstrap): Kafka {
  return new Kafka({ brokers: [bootstrap], clientId: 'groups-test', logLevel: logLevel.NOTHING });
}

async function createTopic(name: string, partitions: number, bootstrap = broker.bootstrap): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Produces `count` records spread evenly over the partitions; values are `${prefix}-${i}`. */
async function produce(topic: string, partitions: number, count: number, prefix: string, bootstrap = broker.bootstrap): Promise<void> {
  const producer = kafka(bootstrap).producer();
  await producer.connect();
  try {
    for (let p = 0; p < partitions; p++) {
      const messages = [];
      for (let i = p; i < count; i += partitions) messages.push({ value: `${prefix}-${i}` });
      if (messages.length > 0) await producer.send({ topic, messages: messages.map((m) => ({ ...m, partition: p })) });
    }
  } finally {
    await producer.disconnect();
  }
}

async function committedOffsets(group: string, topic: string, bootstrap = broker.bootstrap): Promise<number[]> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return t.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

/** Whether the assignments are disjoint and together cover partitions 0..n-1. */
function coversExactly(assignments: number[][], n: number): boolean {
  const all = assignments.flat().sort((a, b) => a - b);
  return all.length === n && all.every((p, i) => p === i);
}

// --- tests ---

test('confluent-kafka, kafka-python and KafkaJS share an 8-partition topic: disjoint assignments, each record once', async () => {
  const topic = 'groups-mixed';
  const group = 'mixed-clients';
  await createTopic(topic, 8);
  const ck = new PythonMember('confluent', broker.bootstrap, group, topic, { commit: 'sync' });
  const kp = new PythonMember('kafka-python', broker.bootstrap, group, topic, { commit: 'sync' });
  const js = await kafkajsMember(group, topic, { assigners: [interopRoundRobin] });
  const assignments = (): number[][] => [ck.assignment, kp.assignment, js.assignment()];
  try {
    await waitUntil('three members to share the 8 partitions', 90_000, () => assignments().every((a) => a.length > 0) && coversExactly(assignments(), 8));
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(assignments())}\n${ck.describe()}\n${kp.describe()}`, { cause: e });
  }
  const settled = assignments();
  const count = 400;
  await produce(topic, 8, count, 'mixed');
  const consumed = (): ConsumedRecord[] => [...ck.records, ...kp.records, ...js.records];
  await waitUntil('every record to be consumed', 60_000, () => new Set(consumed().map((r) => r.value)).size === count);
  // Everything committed before anyone leaves, so the rebalances on the way out re-deliver nothing.
  await waitUntil('all offsets to be committed', 60_000, async () => (await committedOffsets(group, topic)).every((o) => o === count / 8));
  assert.deepEqual(assignments(), settled);
  await Promise.all([ck.stop(), kp.stop(), stopKafkaJs(js)]);
  const all = consumed();
  assert.equal(all.length, count, 'no record consumed twice');
  assert.equal(new Set(all.map((r) => r.value)).size, count);
  for (const [member, records] of [[0, ck.records], [1, kp.records], [2, js.records]] as const) {
    for (const r of records) assert.ok(settled[member].includes(r.partition), `record from partition ${r.partition} went to its owner`);
  }
  assert.ok(ck.records.length > 0 && kp.records.length > 0 && js.records.length > 0);
});

test('a member killed with SIGKILL loses its partitions after the session timeout; one that leaves, at once', async () => {
  const topic = 'groups-failover';
  const group = 'failover';
  await createTopic(topic, 4);
  const killed = new PythonMember('confluent', broker.bootstrap, group, topic, { session_timeout_ms: 6_000 });
  const survivor = new PythonMember('kafka-python', broker.bootstrap, group, topic, { session_timeout_ms: 6_000 });
  await waitUntil('two members to share 4 partitions', 60_000, () => killed.assignment.length > 0 && coversExactly([killed.assignment, survivor.assignment], 4));
  await killed.kill9();
  await waitUntil('the survivor to take over every partition', 60_000, () => survivor.assignment.length === 4);

  // A member with a long session (60 s) that closes cleanly hands its partitions over well before that.
  const leaving = new PythonMember('confluent', broker.bootstrap, group, topic, { session_timeout_ms: 60_000 });
  await waitUntil('the newcomer to get partitions', 60_000, () => leaving.assignment.length > 0 && coversExactly([leaving.assignment, survivor.assignment], 4));
  await leaving.stop();
  await waitUntil('the survivor to take back every partition', 30_000, () => survivor.assignment.length === 4);
  await survivor.stop();
});

test('committed offsets and groups survive a broker restart; a new member resumes after the last commit', async () => {
  const own = await startBrokerProcess();
  const { dataDir, port } = own;
  let restarted: BrokerProcess | undefined;
  try {
    const topic = 'groups-restart';
    const group = 'restart-group';
    await createTopic(topic, 2, own.bootstrap);
    await produce(topic, 2, 100, 'before', own.bootstrap);
    const first = new PythonMember('kafka-python', own.bootstrap, group, topic, { commit: 'sync' });
    await waitUntil('the first 100 records', 60_000, () => first.records.length >= 100);
    await first.stop();
    assert.deepEqual(await committedOffsets(group, topic, own.bootstrap), [50, 50]);

    assert.equal(await own.stop(), 0);
    restarted = await startBrokerProcess({ dataDir, port });
    assert.deepEqual(await committedOffsets(group, topic, restarted.bootstrap), [50, 50]);
    const admin = kafka(restarted.bootstrap).admin();
    await admin.connect();
    const listed = await admin.listGroups();
    const described = await admin.describeGroups([group]);
    await admin.disconnect();
    assert.ok(listed.groups.some((g) => g.groupId === group && g.protocolType === 'consumer'));
    assert.equal(described.groups[0].state, 'Empty');

    await produce(topic, 2, 20, 'after', restarted.bootstrap);
    const second = new PythonMember('confluent', restarted.bootstrap, group, topic);
    await waitUntil('the 20 new records', 60_000, () => second.records.length >= 20);
    await second.stop();
    assert.equal(second.records.length, 20);
    assert.ok(second.records.every((r) => r.offset >= 50 && r.value.startsWith('after-')), 'nothing before the commit was re-delivered');
  } finally {
    if (restarted) await restarted.stop();
    else await own.kill9();
    removeDir(dataDir);
  }
});

/** The generation in the latest group metadata record of `group`, read back from __consumer_offsets. */
async function storedGeneration(group: string): Promise<number> {
  const raw = await RawClient.connect(broker.port);
  try {
    const partition = offsetsPartitionFor(group, OFFSETS_PARTITIONS);
    const r = await raw.request<{ responses: { partitions: { records: Buffer | null }[] }[] }>(ApiKey.Fetch, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 64 << 20, isolationLevel: 0,
      topics: [{ topic: '__consumer_offsets', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 64 << 20 }] }],
    });
    let generation = -1;
    for (const batch of decodeBatches(r!.responses[0].partitions[0].records ?? Buffer.alloc(0))) {
      for (const rec of batch.records) {
        const parsed = parseOffsetsTopicRecord(rec.key!, rec.value);
        if (parsed.kind === 'group' && parsed.group === group && parsed.value) generation = parsed.value.generation;
      }
    }
    return generation;
  } finally {
    raw.close();
  }
}

test('a static member restarting within its session timeout gets its partitions back without a rebalance', async () => {
  const topic = 'groups-static';
  const group = 'static-group';
  await createTopic(topic, 4);
  const options = (id: string): Record<string, unknown> => ({ instance_id: id, session_timeout_ms: 45_000 });
  const steady = new PythonMember('confluent', broker.bootstrap, group, topic, options('steady'));
  const restarting = new PythonMember('confluent', broker.bootstrap, group, topic, options('restarting'));
  await waitUntil('two static members to share 4 partitions', 60_000, () =>
    steady.assignment.length > 0 && restarting.assignment.length > 0 && coversExactly([steady.assignment, restarting.assignment], 4));
  const before = { generation: await storedGeneration(group), rebalances: steady.count('rebalanced'), steady: steady.assignment, restarting: restarting.assignment };

  await restarting.kill9();
  const again = new PythonMember('confluent', broker.bootstrap, group, topic, options('restarting'));
  await waitUntil('the restarted member to get its partitions back', 60_000, () => again.assignment.length > 0);
  assert.deepEqual(again.assignment, before.restarting);
  // Both members consume what is produced now: the group works on without a rebalance.
  await produce(topic, 4, 4, 'static');
  await waitUntil('both members to consume the new records', 60_000, () =>
    steady.records.some((r) => r.value.startsWith('static-')) && again.records.some((r) => r.value.startsWith('static-')));
  assert.equal(steady.count('rebalanced'), before.rebalances);
  assert.deepEqual(steady.assignment, before.steady);
  assert.equal(await storedGeneration(group), before.generation);
  await Promise.all([steady.kill9(), again.kill9()]);
});

test('ten KafkaJS members converge on 100 partitions', async () => {
  const topic = 'groups-wide';
  const group = 'wide-group';
  await createTopic(topic, 100);
  const members = await Promise.all(Array.from({ length: 10 }, () => kafkajsMember(group, topic, { sessionTimeout: 30_000 })));
  await waitUntil('ten members to split 100 partitions', 120_000, () => members.every((m) => m.assignment().length > 0) && coversExactly(members.map((m) => m.assignment()), 100));
  const admin = kafka().admin();
  await admin.connect();
  const { groups } = await admin.describeGroups([group]);
  await admin.disconnect();
  assert.equal(groups[0].state, 'Stable');
  assert.equal(groups[0].members.length, 10);
  await Promise.all(members.map(stopKafkaJs));
});

test('cooperative-sticky rebalancing over several rounds (librdkafka)', async () => {
  const topic = 'groups-cooperative';
  const group = 'cooperative-group';
  await createTopic(topic, 6);
  const options = { strategy: 'cooperative-sticky' };
  const members = [new PythonMember('confluent', broker.bootstrap, group, topic, options)];
  await waitUntil('the first member to own every partition', 60_000, () => members[0].assignment.length === 6);
  for (let n = 2; n <= 3; n++) {
    members.push(new PythonMember('confluent', broker.bootstrap, group, topic, options));
    await waitUntil(`${n} members to split 6 partitions`, 60_000, () => members.every((m) => m.assignment.length === 6 / n) && coversExactly(members.map((m) => m.assignment), 6));
  }
  await members.pop()!.stop();
  await waitUntil('two members to take the third one\'s partitions', 60_000, () => coversExactly(members.map((m) => m.assignment), 6));
  await Promise.all(members.map((m) => m.stop()));
});

test('commit styles: auto, synchronous, asynchronous, explicit offsets, seek then commit', async () => {
  const topic = 'groups-commits';
  await createTopic(topic, 1);
  await produce(topic, 1, 20, 'c');
  for (const client of ['confluent', 'kafka-python']) {
    const r = await python<Record<string, number | string | null>>('groups_commits.py', [client, broker.bootstrap, topic, `commits-${client}`]);
    assert.equal(r.auto, 10, `${client} auto-commit`);
    assert.equal(r.sync, 5, `${client} synchronous commit`);
    assert.equal(r.async, 7, `${client} asynchronous commit`);
    assert.equal(r.async_error, null);
    assert.equal(r.specific, 15, `${client} explicit offsets`);
    assert.equal(r.seek_offset, 3);
    assert.equal(r.seek, 4, `${client} seek then commit`);
    if (client === 'kafka-python') {
      assert.equal(r.metadata, 'kafka-python-meta');
      assert.equal(r.too_large, 'OffsetMetadataTooLargeError');
      assert.equal(r.after_too_large, 12, 'a refused commit changes nothing');
    }
  }
  // KafkaJS: manual commits of explicit offsets, then seek back and commit again.
  const group = 'commits-kafkajs';
  const js = await kafkajsMember(group, topic, { autoCommit: false });
  await waitUntil('KafkaJS to read all 20 records', 60_000, () => js.records.length >= 20);
  await js.consumer.commitOffsets([{ topic, partition: 0, offset: '10' }]);
  assert.deepEqual(await committedOffsets(group, topic), [10]);
  js.consumer.seek({ topic, partition: 0, offset: '2' });
  await waitUntil('KafkaJS to read offset 2 again', 60_000, () => js.records.filter((r) => r.offset === 2).length === 2);
  await js.consumer.commitOffsets([{ topic, partition: 0, offset: '3' }]);
  assert.deepEqual(await committedOffsets(group, topic), [3]);
  await stopKafkaJs(js);
});

// --- the raw protocol: exact versions, bad input ---

interface JoinAnswer { errorCode: number; generationId: number; memberId: string; leader: string; members: { memberId: string }[] }

test('bad requests get Kafka\'s error codes and leave the group as it was', async () => {
  const raw = await RawClient.connect(broker.port);
  try {
    const group = 'raw-group';
    const topic = 'groups-raw';
    await createTopic(topic, 2);
    const coordinator = await raw.request<{ errorCode: number; nodeId: number }>(ApiKey.FindCoordinator, 1, { key: group, keyType: 0 });
    assert.equal(coordinator!.errorCode, ErrorCode.NONE);
    const protocols = [{ name: 'range', metadata: subscription(topic) }];
    const join = (memberId: string, extra: Record<string, unknown> = {}): Promise<JoinAnswer | null> => raw.request<JoinAnswer>(ApiKey.JoinGroup, 5, {
      groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols, ...extra,
    });
    const first = (await join(''))!;
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    const joined = (await join(first.memberId))!;
    assert.equal(joined.errorCode, ErrorCode.NONE);
    assert.equal(joined.generationId, 1);
    assert.equal(joined.leader, first.memberId);
    const memberId = first.memberId;
    const sync = await raw.request<{ errorCode: number; assignment: Buffer }>(ApiKey.SyncGroup, 3, {
      groupId: group, generationId: 1, memberId, groupInstanceId: null, assignments: [{ memberId, assignment: Buffer.from('mine') }],
    });
    assert.equal(sync!.errorCode, ErrorCode.NONE);
    assert.equal(sync!.assignment.toString(), 'mine');

    type CommitAnswer = { topics: { partitions: { errorCode: number }[] }[] };
    const commit = async (generationId: number, name: string, offset: number, metadata: string | null = null): Promise<number> => {
      const r = await raw.request<CommitAnswer>(ApiKey.OffsetCommit, 7, {
        groupId: group, generationIdOrMemberEpoch: generationId, memberId, groupInstanceId: null,
        topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 4, committedMetadata: metadata }] }],
      });
      return r!.topics[0].partitions[0].errorCode;
    };
    assert.equal(await commit(1, topic, 42, 'good'), ErrorCode.NONE);
    assert.equal(await commit(0, topic, 1), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await commit(1, 'no-such-topic', 1), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(await commit(1, topic, 2, 'm'.repeat(4097)), ErrorCode.OFFSET_METADATA_TOO_LARGE);
    assert.equal((await join('', { protocolType: 'bogus' }))!.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal((await join('', { sessionTimeoutMs: 1_000 }))!.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    const hb = (id: string, generationId: number): Promise<{ errorCode: number } | null> =>
      raw.request(ApiKey.Heartbeat, 3, { groupId: group, generationId, memberId: id, groupInstanceId: null });
    assert.equal((await hb('stranger', 1))!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const noProtocol = await raw.request<{ errorCode: number }>(ApiKey.SyncGroup, 5, {
      groupId: group, generationId: 1, memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [],
    });
    assert.equal(noProtocol!.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    // Nothing changed: the member is still in generation 1 of a stable group, its commit intact.
    assert.equal((await hb(memberId, 1))!.errorCode, ErrorCode.NONE);
    const described = await raw.request<{ groups: { groupState: string; members: { memberId: string }[] }[] }>(ApiKey.DescribeGroups, 4, { groups: [group], includeAuthorizedOperations: false });
    assert.equal(described!.groups[0].groupState, 'Stable');
    assert.deepEqual(described!.groups[0].members.map((m) => m.memberId), [memberId]);
    type FetchAnswer = { groups: { groupId: string; errorCode: number; topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string }[] }[] }[] };
    const fetched = await raw.request<FetchAnswer>(ApiKey.OffsetFetch, 8, {
      groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: [0, 1] }] }, { groupId: 'never-seen', topics: null }],
      requireStable: false,
    });
    assert.deepEqual(fetched!.groups.map((g) => [g.groupId, g.errorCode]), [[group, 0], ['never-seen', 0]]);
    assert.deepEqual(fetched!.groups[0].topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata]),
      [[0, 42, 4, 'good'], [1, -1, -1, '']]);
    assert.deepEqual(fetched!.groups[1].topics, []);
  } finally {
    raw.close();
  }
});

test('batched and administrative APIs: FindCoordinator v4, ListGroups filters, LeaveGroup v3, OffsetDelete, DeleteGroups', async () => {
  const raw = await RawClient.connect(broker.port);
  try {
    const topic = 'groups-admin';
    const group = 'admin-group';
    await createTopic(topic, 2);
    const found = await raw.request<{ coordinators: { key: string; errorCode: number; nodeId: number }[] }>(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    assert.deepEqual(found!.coordinators.map((c) => [c.key, c.errorCode]), [['a', 0], ['b', 0]]);
    // Transactional ids have a coordinator too (this broker).
    const txn = await raw.request<{ errorCode: number; nodeId: number }>(ApiKey.FindCoordinator, 1, { key: 'txn', keyType: 1 });
    assert.deepEqual([txn!.errorCode, txn!.nodeId], [ErrorCode.NONE, 0]);
    // FindCoordinator created the internal topic with offsets.topic.num.partitions.
    const md = await raw.request<{ topics: { name: string; isInternal: boolean; partitions: unknown[] }[] }>(ApiKey.Metadata, 1, { topics: [{ name: '__consumer_offsets' }] });
    assert.deepEqual(md!.topics.map((t) => [t.name, t.isInternal, t.partitions.length]), [['__consumer_offsets', true, OFFSETS_PARTITIONS]]);

    const joined = await raw.request<JoinAnswer>(ApiKey.JoinGroup, 5, {
      groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: 'admin-instance',
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(topic) }],
    });
    assert.equal(joined!.errorCode, ErrorCode.NONE);
    await raw.request(ApiKey.SyncGroup, 3, {
      groupId: group, generationId: joined!.generationId, memberId: joined!.memberId, groupInstanceId: 'admin-instance', assignments: [],
    });
    await raw.request(ApiKey.OffsetCommit, 7, {
      groupId: group, generationIdOrMemberEpoch: joined!.generationId, memberId: joined!.memberId, groupInstanceId: 'admin-instance',
      topics: [{ name: topic, partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null })) }],
    });
    type ListAnswer = { groups: { groupId: string; groupState: string }[] };
    const stable = await raw.request<ListAnswer>(ApiKey.ListGroups, 4, { statesFilter: ['Stable'] });
    assert.ok(stable!.groups.some((g) => g.groupId === group && g.groupState === 'Stable'));
    const empty = await raw.request<ListAnswer>(ApiKey.ListGroups, 4, { statesFilter: ['Empty'] });
    assert.ok(!empty!.groups.some((g) => g.groupId === group));

    type OffsetDeleteAnswer = { errorCode: number; topics: { partitions: { errorCode: number }[] }[] };
    const subscribed = await raw.request<OffsetDeleteAnswer>(ApiKey.OffsetDelete, 0, { groupId: group, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] });
    assert.equal(subscribed!.topics[0].partitions[0].errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const busy = await raw.request<{ results: { errorCode: number }[] }>(ApiKey.DeleteGroups, 2, { groupsNames: [group] });
    assert.equal(busy!.results[0].errorCode, ErrorCode.NON_EMPTY_GROUP);

    // An administrator removes the static member by its instance id.
    const left = await raw.request<{ errorCode: number; members: { groupInstanceId: string; errorCode: number }[] }>(ApiKey.LeaveGroup, 3, {
      groupId: group, members: [{ memberId: '', groupInstanceId: 'admin-instance' }, { memberId: '', groupInstanceId: 'unknown-instance' }],
    });
    assert.deepEqual(left!.members.map((m) => [m.groupInstanceId, m.errorCode]), [['admin-instance', 0], ['unknown-instance', ErrorCode.UNKNOWN_MEMBER_ID]]);
    const deletedOffset = await raw.request<OffsetDeleteAnswer>(ApiKey.OffsetDelete, 0, { groupId: group, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] });
    assert.equal(deletedOffset!.topics[0].partitions[0].errorCode, ErrorCode.NONE);
    const deleted = await raw.request<{ results: { groupId: string; errorCode: number }[] }>(ApiKey.DeleteGroups, 2, { groupsNames: [group, group + '-missing'] });
    assert.deepEqual(deleted!.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND]);
    const all = await raw.request<ListAnswer>(ApiKey.ListGroups, 4, { statesFilter: [] });
    assert.ok(!all!.groups.some((g) => g.groupId === group));
  } finally {
    raw.close();
  }
});
