// The workflow on a three-broker cluster: a topic of 8 partitions with
// 3 replicas created with confluent-kafka's admin client; keyed records written
// with kcat and with confluent-kafka (a key lands in one partition whichever of
// them wrote it); everything read back with kcat and with a confluent-kafka
// consumer group of three members, each holding partitions of its own and all
// records reaching the group once. Midway a broker is killed with -9 (not the
// group's coordinator: a coordinator failover may rebalance the group, and the
// coordinators test covers it): writes and reads go on, a reader started before
// the kill reads on across it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { offsetsPartitionFor } from '../../src/coordinator/group/partition-for.js';
import { kcat, python } from '../helpers/clients.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { createTopic, partitionStates, Workload, type ConsumedRecord } from '../helpers/cluster-workload.js';
import { waitUntil, within } from '../helpers/wait.js';

const TOPIC = 'seed';
const PARTITIONS = 8;
const GROUP = 'seed-readers';
const MEMBERS = ['m1', 'm2', 'm3'];
const OFFSETS_PARTITIONS = 5;
/** Records per writer and round. */
const COUNT = 400;
const WAIT_MS = 120_000;

interface Produced { delivered: [string, string, number, number][]; failed: [string, string][] }

/** Keyed records "key-<i mod 37>:<prefix>-<i>" through kcat, acks=all; resolves to the values. */
async function kcatProduce(cluster: Cluster, prefix: string): Promise<string[]> {
  const values = Array.from({ length: COUNT }, (_, i) => `${prefix}-${i}`);
  const input = values.map((v, i) => `key-${i % 37}:${v}\n`).join('');
  await kcat(['-P', '-b', cluster.bootstrap, '-t', TOPIC, '-K', ':', '-X', 'acks=all', '-X', 'topic.metadata.refresh.interval.ms=1000'], input, 180_000);
  return values;
}

/** The same through confluent-kafka; resolves to the values, after checking every one was acknowledged. */
async function confluentProduce(cluster: Cluster, prefix: string, acknowledged: Map<string, [number, number]>): Promise<string[]> {
  const produced = await python<Produced>('cluster_workload.py', [cluster.bootstrap, 'produce', TOPIC, prefix, String(COUNT)], 240_000);
  assert.deepEqual(produced.failed, []);
  for (const [, value, partition, offset] of produced.delivered) acknowledged.set(value, [partition, offset]);
  assert.equal(produced.delivered.length, COUNT);
  return produced.delivered.map(([, value]) => value);
}

/** kcat's "partition offset key value" lines as records. */
function parseKcat(out: string): ConsumedRecord[] {
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const [partition, offset, key, value] = line.split(' ');
    return { partition: Number(partition), offset: Number(offset), key, value };
  });
}

const KCAT_FORMAT = ['-f', '%p %o %k %s\\n'];

/** Every record of the topic, read with kcat from the beginning to the end of each partition. */
async function kcatReadAll(cluster: Cluster): Promise<ConsumedRecord[]> {
  return parseKcat(await kcat(['-C', '-b', cluster.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', ...KCAT_FORMAT], undefined, 120_000));
}

/** kcat reading `count` records from the beginning, its output readable as it comes (kcat() gives it only at the end). */
function startKcatReader(cluster: Cluster, count: number): { records(): ConsumedRecord[]; exited: Promise<void>; stop(): void } {
  // -u: unbuffered, each line as soon as it is read.
  const args = ['-C', '-u', '-b', cluster.bootstrap, '-t', TOPIC, '-o', 'beginning', '-c', String(count), '-X', 'topic.metadata.refresh.interval.ms=1000', ...KCAT_FORMAT];
  const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`))));
  });
  exited.catch(() => {});
  return {
    // Only complete lines: the last one may still be coming.
    records: () => parseKcat(out.slice(0, out.lastIndexOf('\n') + 1)),
    exited,
    stop: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
}

/** `records` hold exactly the `expected` values, once each; a key stays in one partition; confluent-kafka's acknowledgements hold. */
function assertReadOnce(records: ConsumedRecord[], expected: string[], acknowledged: Map<string, [number, number]>, who: string): void {
  assert.deepEqual(records.map((r) => r.value).sort(), [...expected].sort(), `${who} read every record once`);
  const partitionOfKey = new Map<string, number>();
  for (const r of records) {
    assert.equal(partitionOfKey.get(r.key) ?? r.partition, r.partition, `${who}: key ${r.key} in two partitions`);
    partitionOfKey.set(r.key, r.partition);
    const ack = acknowledged.get(r.value);
    if (ack) assert.deepEqual([r.partition, r.offset], ack, `${who}: ${r.value} where confluent-kafka was told it is`);
  }
}

test('8 partitions x 3 replicas: kcat and confluent-kafka write and read, a group of three shares the partitions, a broker dies midway', { timeout: 900_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3, t, overrides: { 'offsets.topic.num.partitions': OFFSETS_PARTITIONS } });
  await cluster.waitForBrokers();
  const workload = new Workload(cluster);
  t.after(() => workload.close());
  await createTopic(cluster, TOPIC, PARTITIONS, 3);

  // The group forms before anything is written: no rebalance after a member read something.
  const members = MEMBERS.map((name) => workload.member(GROUP, TOPIC, name));
  await waitUntil('the three members to share the eight partitions', WAIT_MS, () => {
    const assigned = MEMBERS.map((name) => workload.assignment(name));
    const all = assigned.flatMap((a) => a ?? []);
    return assigned.every((a) => a !== null && a.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS;
  });
  const groupRead = (): ConsumedRecord[] => {
    workload.assertRunning();
    return MEMBERS.flatMap((name) => workload.consumed(name));
  };

  const acknowledged = new Map<string, [number, number]>();
  const first = (await Promise.all([kcatProduce(cluster, 'kcat-1'), confluentProduce(cluster, 'ck-1', acknowledged)])).flat();
  assertReadOnce(await kcatReadAll(cluster), first, acknowledged, 'kcat');

  // A reader that runs across the kill: it ends once it has read both rounds.
  const reader = startKcatReader(cluster, 4 * COUNT);
  t.after(() => reader.stop());
  await waitUntil('the kcat reader and the group to read the first round', WAIT_MS, () => reader.records().length >= first.length && groupRead().length >= first.length)
    .catch((e: Error) => { throw new Error(`${e.message}: kcat read ${reader.records().length}, the group ${groupRead().length} of ${first.length}`, { cause: e }); });

  const coordinator = await cluster.leaderOf('__consumer_offsets', offsetsPartitionFor(GROUP, OFFSETS_PARTITIONS));
  const leaders = [...(await partitionStates(cluster, TOPIC)).values()].map((s) => s.leader);
  const led = (id: number): number => leaders.filter((l) => l === id).length;
  const victim = [1, 2, 3].filter((id) => id !== coordinator).sort((a, b) => led(b) - led(a))[0];
  assert.ok(led(victim) > 0, `broker ${victim} leads partitions of ${TOPIC}`);
  await cluster.kill9(victim);

  const second = (await Promise.all([kcatProduce(cluster, 'kcat-2'), confluentProduce(cluster, 'ck-2', acknowledged)])).flat();
  const everything = [...first, ...second];
  await within('the kcat reader to read both rounds', WAIT_MS, reader.exited);
  assertReadOnce(reader.records(), everything, acknowledged, 'the kcat reader running across the kill');
  assertReadOnce(await kcatReadAll(cluster), everything, acknowledged, 'kcat after the kill');
  for (const s of (await partitionStates(cluster, TOPIC)).values()) assert.notEqual(s.leader, victim);

  await waitUntil('the group to read both rounds', WAIT_MS, () => groupRead().length >= everything.length);
  workload.stopMembers();
  for (const m of await Promise.all(members)) assert.deepEqual(m.errors.filter(([, fatal]) => fatal), []);
  assertReadOnce(groupRead(), everything, acknowledged, 'the group');
  for (const name of MEMBERS) {
    const assigned = workload.assignment(name)!;
    assert.ok(assigned.length > 0, `${name} holds partitions`);
    for (const r of workload.consumed(name)) assert.ok(assigned.includes(r.partition), `${name} read partition ${r.partition} it does not hold`);
  }
});
