// A three-broker cluster under failures while confluent-kafka clients use it
// (Jepsen's way: a bounded history of acknowledged writes, checked afterwards
// against every replica's log). An idempotent acks=all producer and a consumer
// group run through repeated SIGKILLs of partition leaders; a broker is cut off
// from the other brokers and from clients while its ZooKeeper session lives;
// ZooKeeper itself is killed and restarted; all brokers die at once; a produce
// meets an ISR below min.insync.replicas. Each time: no acknowledged record
// lost, moved or doubled, the replicas' logs byte for byte alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import { buildBatch } from '../../src/protocol/records/record.js';
import { python } from '../helpers/clients.js';
import { startCluster, type Cluster, type ClusterOptions } from '../helpers/cluster.js';
import {
  assertAcknowledgedInLogs, assertReadFromLogs, createTopic, partitionStates, ReplicaLogs, unread, waitForFullIsr, Workload,
  type ClientError, type StreamResult,
} from '../helpers/cluster-workload.js';
import { RawClient } from '../helpers/raw-client.js';
import { freeTestPort } from '../helpers/ports.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitUntil } from '../helpers/wait.js';

const IDS = [1, 2, 3];
const PARTITIONS = [0, 1, 2];
const GROUP = 'readers';
const WAIT_MS = 120_000;
const TEST_TIMEOUT_MS = 600_000;

type Context = NonNullable<ClusterOptions['t']>;

/** A cluster of three with few coordinator partitions (each loads quickly after a failover). */
async function threeBrokers(t: Context, extra: Partial<ClusterOptions> = {}): Promise<{ cluster: Cluster; workload: Workload; logs: ReplicaLogs }> {
  const cluster = await startCluster({
    brokers: 3,
    t,
    ...extra,
    overrides: { 'offsets.topic.num.partitions': 3, 'transaction.state.log.num.partitions': 3, ...extra.overrides },
  });
  await cluster.waitForBrokers();
  const workload = new Workload(cluster);
  const logs = new ReplicaLogs(cluster);
  t.after(async () => {
    workload.close();
    logs.close();
  });
  return { cluster, workload, logs };
}

function fatal(errors: ClientError[]): ClientError[] {
  return errors.filter(([, isFatal]) => isFatal);
}

/** The producer stopped: nothing failed, no error was fatal (retriable ones come with every failover). */
async function stopProducer(workload: Workload, producer: Promise<StreamResult>): Promise<void> {
  workload.stopProducer();
  const result = await producer;
  assert.deepEqual(result.failed, []);
  assert.deepEqual(fatal(result.errors), []);
  assert.equal(workload.acked().length, result.delivered.length);
}

/** Waits for `count` more acknowledgements of `partition` (every partition when undefined) than now. */
async function moreAcks(workload: Workload, what: string, count: number, partition?: number): Promise<void> {
  const acks = (): number => workload.acked().filter((a) => partition === undefined || a.partition === partition).length;
  const target = acks() + count;
  await waitUntil(what, WAIT_MS, () => {
    workload.assertRunning();
    return acks() >= target;
  });
}

/** The members read every acknowledged record; stops them; none reported a fatal error. */
async function groupReadAll(workload: Workload, names: string[], members: Promise<{ errors: ClientError[] }>[]): Promise<void> {
  const acked = workload.acked();
  const consumed = (): ReturnType<Workload['consumed']> => names.flatMap((n) => workload.consumed(n));
  let missing = acked.length;
  await waitUntil('the group to read every acknowledged record', WAIT_MS, () => {
    workload.assertRunning();
    missing = unread(consumed(), acked).length;
    return missing === 0;
  })
    .catch((e: Error) => { throw new Error(`${e.message} (${missing} unread)`, { cause: e }); });
  workload.stopMembers();
  for (const m of await Promise.all(members)) assert.deepEqual(fatal(m.errors), []);
}

test('idempotent acks=all through repeated kills of partition leaders: every acknowledged record at its offset once, replicas alike, the group read them all', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const KILLS = 6;
  const topic = 'history';
  const { cluster, workload, logs } = await threeBrokers(t);
  await createTopic(cluster, topic, PARTITIONS.length, 3, ['min.insync.replicas=2']);
  const producer = workload.stream(topic, PARTITIONS);
  const readers = ['r1', 'r2'];
  const members = readers.map((name) => workload.member(GROUP, topic, name));
  await moreAcks(workload, 'the first acknowledgements', 100);

  for (let kill = 0; kill < KILLS; kill++) {
    const partition = PARTITIONS[kill % PARTITIONS.length];
    // Each kill is a clean failover: the replica that comes back is in sync again first.
    await waitForFullIsr(cluster, topic, PARTITIONS.length, 3);
    const leader = (await partitionStates(cluster, topic)).get(partition)!.leader;
    await cluster.kill9(leader);
    await waitUntil(`a new leader of ${topic}-${partition}`, WAIT_MS, async () => {
      const now = (await partitionStates(cluster, topic).catch(() => null))?.get(partition)?.leader;
      return now !== undefined && now !== leader;
    });
    await moreAcks(workload, `acknowledgements of ${topic}-${partition} from its new leader`, 100, partition);
    await cluster.restart(leader);
  }
  await waitForFullIsr(cluster, topic, PARTITIONS.length, 3);
  await stopProducer(workload, producer);

  const records = await logs.alike(topic, PARTITIONS.length, IDS);
  assertAcknowledgedInLogs(workload.acked(), records);
  const unplaced = workload.acked().filter((a) => a.offset < 0).length;
  t.diagnostic(`${workload.acked().length} records acknowledged (${unplaced} without an offset), ${records.flat().length} in the logs`);
  await groupReadAll(workload, readers, members);
  assertReadFromLogs(readers.flatMap((n) => workload.consumed(n)), records);
});

/** The client id in a Kafka request header: size, api key, version, correlation id, then the id (int16 length). */
function clientIdOf(request: Buffer): string | null {
  if (request.length < 14) return null;
  const length = request.readInt16BE(12);
  return length < 0 ? null : request.toString('utf8', 14, 14 + length);
}

/** One record to partition of topic straight to the broker's own port (bypassing its advertised proxy); resolves to the error code. */
async function produceDirect(cluster: Cluster, id: number, topic: string, partition: number, acks: number, value: string): Promise<number> {
  const client = await RawClient.connect(cluster.brokers.get(id)!.port);
  try {
    const records = buildBatch({ records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(value), headers: [] }], baseTimestamp: Date.now() });
    const r = await client.request<ProduceResponse>(ApiKey.Produce, 8, {
      transactionalId: null, acks, timeoutMs: 2_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    assert.ok(r, 'the broker answered');
    return r.responses[0].partitionResponses[0].errorCode;
  } finally {
    client.close();
  }
}

test('a broker cut off from brokers and clients, its ZooKeeper session alive: it leaves the ISRs, its own partitions refuse acks=all, it catches up after healing', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const ISOLATED = 3;
  const topic = 'islands';
  // Every broker advertises a proxy: all traffic between brokers, and from clients after bootstrap, passes one.
  const proxies = new Map<number, TcpProxy>();
  t.after(async () => { await Promise.all([...proxies.values()].map((p) => p.close())); });
  const brokerOverrides: NonNullable<ClusterOptions['brokerOverrides']> = {};
  for (const id of IDS) {
    const port = await freeTestPort();
    const proxy = await startTcpProxy(port);
    proxies.set(id, proxy);
    brokerOverrides[id] = { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` };
  }
  // A fetch lost in the cut is given up quickly; the connection is opened anew after healing.
  const { cluster, workload, logs } = await threeBrokers(t, { brokerOverrides, overrides: { 'replica.socket.timeout.ms': 3_000 } });
  await createTopic(cluster, topic, PARTITIONS.length, 3, ['min.insync.replicas=2']);
  const before = await partitionStates(cluster, topic);
  const own = PARTITIONS.filter((p) => before.get(p)!.leader === ISOLATED);
  const others = PARTITIONS.filter((p) => before.get(p)!.leader !== ISOLATED);
  assert.ok(own.length > 0 && others.length > 0, `broker ${ISOLATED} leads some partitions and not all`);
  const producer = workload.stream(topic, others);
  await moreAcks(workload, 'the first acknowledgements', 100);

  // The cut: nothing reaches the isolated broker through its proxy, nothing it sends reaches the others.
  proxies.get(ISOLATED)!.cut();
  for (const id of IDS.filter((i) => i !== ISOLATED)) proxies.get(id)!.cutWhere((first) => clientIdOf(first)?.startsWith(`broker-${ISOLATED}-`) === true);
  let healed = false;
  const heal = (): void => {
    if (!healed) for (const p of proxies.values()) p.heal();
    healed = true;
  };
  t.after(async () => heal());

  // Its own partitions: an acks=1 record only it has; once its followers lag past replica.lag.time.max.ms it drops them.
  for (const p of own) assert.equal(await produceDirect(cluster, ISOLATED, topic, p, 1, `alone-${p}`), ErrorCode.NONE);
  await waitUntil('the followers out of the ISR of its partitions, and it out of the others\'', WAIT_MS, async () => {
    const states = await partitionStates(cluster, topic);
    return own.every((p) => states.get(p)?.isr.join() === String(ISOLATED)) && others.every((p) => !states.get(p)?.isr.includes(ISOLATED));
  });
  const during = await partitionStates(cluster, topic);
  for (const p of PARTITIONS) {
    assert.equal(during.get(p)!.leader, before.get(p)!.leader, `${topic}-${p} keeps its leader`);
    assert.equal(during.get(p)!.leaderEpoch, before.get(p)!.leaderEpoch, `${topic}-${p} keeps its leader epoch`);
  }
  // Two in sync are enough elsewhere: acks=all goes on.
  await moreAcks(workload, 'acknowledgements without the isolated broker', 100);
  // Alone in its ISR, below min.insync.replicas: acks=all is refused and nothing is written.
  for (const p of own) {
    const end = await logs.logEnd(ISOLATED, topic, p);
    assert.equal(await produceDirect(cluster, ISOLATED, topic, p, -1, `refused-${p}`), ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(await logs.logEnd(ISOLATED, topic, p), end);
  }

  heal();
  await waitForFullIsr(cluster, topic, PARTITIONS.length, 3);
  await moreAcks(workload, 'acknowledgements after healing', 100);
  await stopProducer(workload, producer);
  const records = await logs.alike(topic, PARTITIONS.length, IDS);
  assertAcknowledgedInLogs(workload.acked(), records);
  for (const p of own) assert.deepEqual(records[p].map((r) => r.value), [`alone-${p}`], `${topic}-${p} holds its acks=1 record only`);
});

test('ZooKeeper killed with -9 and restarted within the session timeout: acks=all produce and a group read go on, the control plane comes back', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const topic = 'outage';
  const { cluster, workload, logs } = await threeBrokers(t);
  await createTopic(cluster, topic, PARTITIONS.length, 3, ['min.insync.replicas=2']);
  const producer = workload.stream(topic, PARTITIONS);
  const members = [workload.member(GROUP, topic, 'r1')];
  await moreAcks(workload, 'the first acknowledgements', 100);
  await waitUntil('the group to read', WAIT_MS, () => workload.consumed('r1').length > 0);

  await cluster.zk.kill9();
  try {
    const read = workload.consumed('r1').length;
    await moreAcks(workload, 'acknowledgements while ZooKeeper is down', 100);
    await waitUntil('the group to read while ZooKeeper is down', WAIT_MS, () => workload.consumed('r1').length > read);
  } finally {
    await cluster.zk.restart();
  }
  await moreAcks(workload, 'acknowledgements after ZooKeeper is back', 100);
  // The sessions survived: the same three brokers, and the controller acts again.
  await cluster.waitForBrokers();
  await createTopic(cluster, 'after-outage', 1, 3);
  await stopProducer(workload, producer);

  const records = await logs.alike(topic, PARTITIONS.length, IDS);
  assertAcknowledgedInLogs(workload.acked(), records);
  await groupReadAll(workload, ['r1'], members);
  assertReadFromLogs(workload.consumed('r1'), records);
});

test('all brokers killed with -9 at once and restarted: every record acknowledged with acks=all is still there, the idempotent producer goes on', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const topic = 'blackout';
  const { cluster, workload, logs } = await threeBrokers(t);
  await createTopic(cluster, topic, PARTITIONS.length, 3, ['min.insync.replicas=2']);
  const producer = workload.stream(topic, PARTITIONS);
  await moreAcks(workload, 'acknowledgements', 300);

  await Promise.all(IDS.map((id) => cluster.kill9(id)));
  const beforeCrash = workload.acked();
  await Promise.all(IDS.map((id) => cluster.restart(id)));
  await cluster.waitForBrokers();
  await waitForFullIsr(cluster, topic, PARTITIONS.length, 3);
  await moreAcks(workload, 'acknowledgements after the restart', 100);
  await stopProducer(workload, producer);

  const records = await logs.alike(topic, PARTITIONS.length, IDS);
  assertAcknowledgedInLogs(beforeCrash, records);
  assertAcknowledgedInLogs(workload.acked(), records);
});

test('acks=all to a partition whose ISR is below min.insync.replicas: NOT_ENOUGH_REPLICAS, nothing written, the partition otherwise unharmed', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const topic = 'strict';
  const { cluster, logs } = await threeBrokers(t);
  await createTopic(cluster, topic, 1, 3, ['min.insync.replicas=3']);
  type Produced = { delivered: [string, string, number, number][]; failed: [string, string][] };
  // No retries: librdkafka would retry NOT_ENOUGH_REPLICAS (retriable) until its message timeout.
  const produce = (prefix: string, acks: string): Promise<Produced> =>
    python<Produced>('cluster_workload.py', [cluster.bootstrap, 'produce', topic, prefix, '5', `acks=${acks}`, 'retries=0'], 180_000);
  const values = (p: Produced): string[] => p.delivered.map(([, value]) => value);

  const first = await produce('first', 'all');
  assert.deepEqual(first.failed, []);
  const { leader } = (await partitionStates(cluster, topic)).get(0)!;
  const follower = IDS.find((id) => id !== leader)!;
  await cluster.kill9(follower);
  // The controller takes it out of the ISR when its ZooKeeper session ends.
  await waitUntil('the ISR without the killed follower', WAIT_MS, async () => (await partitionStates(cluster, topic)).get(0)?.isr.length === 2);

  const end = await logs.logEnd(leader, topic, 0);
  const refused = await produce('refused', 'all');
  assert.deepEqual(refused.delivered, []);
  assert.deepEqual(refused.failed.map(([, error]) => error), Array(5).fill('NOT_ENOUGH_REPLICAS'));
  assert.equal(await logs.logEnd(leader, topic, 0), end);
  // acks=1 does not ask for the ISR.
  const one = await produce('one', '1');
  assert.deepEqual(one.failed, []);

  await cluster.restart(follower);
  await waitForFullIsr(cluster, topic, 1, 3);
  const last = await produce('last', 'all');
  assert.deepEqual(last.failed, []);
  const [records] = await logs.alike(topic, 1, IDS);
  assert.deepEqual(records.map((r) => r.value), [...values(first), ...values(one), ...values(last)]);
});
