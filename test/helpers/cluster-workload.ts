// Workloads and checks for tests that break a cluster while clients use it.
// confluent-kafka producers and consumer-group members (test/interop/py/
// cluster_workload.py) run as child processes and report as they go through
// files in a directory of their own (acknowledged records, consumed records,
// assignments); the test stops them through stop files. Afterwards: every
// replica's log of a partition holds the same bytes, and every acknowledged
// record is in it once, at its acknowledged offset (when the client was told one).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerChannel } from '../../src/cluster/broker-channel.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import { decodeBatches, type DecodedRecord } from '../storage/helpers.js';
import { python } from './clients.js';
import type { Cluster } from './cluster.js';
import { waitUntil } from './wait.js';

const SCRIPT = 'cluster_workload.py';
/** Longer than the script's own bound (300 s) plus a final flush. */
const SCRIPT_TIMEOUT_MS = 480_000;
/** ListOffsets replica id of a debugging tool: any replica answers, with its own log end. */
const DEBUGGING_REPLICA_ID = -2;
const LATEST = -1;

/** offset -1: acknowledged without one (librdkafka's implicit ack, cluster_workload.py). */
export interface AckedRecord { partition: number; offset: number; value: string }
export interface ConsumedRecord { partition: number; offset: number; key: string; value: string }
/** An error a librdkafka client reported through its error callback (or a consumer's poll): its name and whether it was fatal. */
export type ClientError = [name: string, fatal: boolean];
export interface StreamResult { delivered: [number, number, string][]; failed: [string, string][]; errors: ClientError[] }
export interface MemberResult { errors: ClientError[] }

export interface PartitionState { leader: number; leaderEpoch: number; isr: number[] }

/** Creates a topic with confluent-kafka's admin client and waits until every partition has a leader and all its replicas in sync. */
export async function createTopic(cluster: Cluster, topic: string, partitions: number, replicas: number, configs: string[] = []): Promise<void> {
  const created = await python<{ error: unknown }>('cluster_admin.py', [cluster.bootstrap, 'create', topic, String(partitions), String(replicas), ...configs]);
  assert.equal(created.error, null);
  await waitForFullIsr(cluster, topic, partitions, replicas);
}

/** Leader, epoch and ISR of each partition of the topic, by partition, as a running broker's Metadata has them. */
export async function partitionStates(cluster: Cluster, topic: string): Promise<Map<number, PartitionState>> {
  const states = new Map<number, PartitionState>();
  for (const p of (await cluster.metadata([topic])).topics[0]?.partitions ?? []) {
    if (p.errorCode === 0 && p.leaderId >= 0) states.set(p.partitionIndex, { leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: [...p.isrNodes].sort() });
  }
  return states;
}

export async function waitForFullIsr(cluster: Cluster, topic: string, partitions: number, replicas: number, timeoutMs = 90_000): Promise<void> {
  let seen = '';
  try {
    await waitUntil(`every partition of ${topic} led with ${replicas} replicas in sync`, timeoutMs, async () => {
      const states = await partitionStates(cluster, topic).catch(() => new Map<number, PartitionState>());
      seen = [...states].map(([p, s]) => `${p}: leader ${s.leader} isr [${s.isr.join(',')}]`).join('; ');
      return Array.from({ length: partitions }, (_, p) => states.get(p)).every((s) => s?.isr.length === replicas);
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: ${seen}`, { cause: e });
  }
}

/** The producers and consumers of one test and the directory they report in. */
export class Workload {
  readonly dir = mkdtempSync(join(tmpdir(), 'samsa-workload-'));
  private readonly running: Promise<unknown>[] = [];
  private failed: Error | null = null;

  constructor(private readonly cluster: Cluster) {}

  /**
   * An idempotent acks=all producer writing "p<partition>-<n>" to each of `partitions` in turn
   * until stopProducer(); `configs` are further producer configs (k=v).
   */
  stream(topic: string, partitions: number[], configs: string[] = []): Promise<StreamResult> {
    return this.start<StreamResult>(['stream', topic, partitions.join(','), this.dir, ...configs]);
  }

  /** A consumer group member named `name` reading `topic` from the earliest offset until stopMembers(). */
  member(group: string, topic: string, name: string): Promise<MemberResult> {
    return this.start<MemberResult>(['member', group, topic, this.dir, name]);
  }

  /** The acknowledgements the stream producer received so far. */
  acked(): AckedRecord[] {
    return this.lines('acked').map(([partition, offset, value]) => ({ partition: Number(partition), offset: Number(offset), value }));
  }

  /** What member `name` consumed so far. */
  consumed(name: string): ConsumedRecord[] {
    return this.lines(`${name}.records`).map(([partition, offset, key, value]) => ({ partition: Number(partition), offset: Number(offset), key, value }));
  }

  /** The partitions of member `name`'s latest assignment (null before its first). */
  assignment(name: string): number[] | null {
    const file = join(this.dir, `${name}.assigned`);
    if (!existsSync(file)) return null;
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    return lines.length === 0 ? null : lines[lines.length - 1].split(' ').filter((p) => p !== '').map(Number);
  }

  stopProducer(): void {
    writeFileSync(join(this.dir, 'stop-producer'), '');
  }

  stopMembers(): void {
    writeFileSync(join(this.dir, 'stop-members'), '');
  }

  /**
   * Stops whatever still runs; the directory goes once all of it has exited (a producer
   * flushing to a cluster already closed takes its bounded flush time, after a failed test).
   */
  close(): void {
    this.stopProducer();
    this.stopMembers();
    void Promise.allSettled(this.running).then(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  /** Throws the failure of a producer or member that ended with an error (a test waiting for its progress would wait in vain). */
  assertRunning(): void {
    if (this.failed) throw this.failed;
  }

  private start<T>(args: string[]): Promise<T> {
    const run = python<T>(SCRIPT, [this.cluster.bootstrap, ...args], SCRIPT_TIMEOUT_MS);
    // Awaited by the test, or settled by close() if the test failed first.
    run.catch((e: Error) => { this.failed ??= e; });
    this.running.push(run);
    return run;
  }

  /** Complete lines of a report file, split at spaces (a line still being written is left out). */
  private lines(name: string): string[][] {
    const file = join(this.dir, name);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').slice(0, -1).map((line) => line.split(' '));
  }
}

/** Reads the replicas' own log ends and files directly, bypassing whatever the brokers advertise. */
export class ReplicaLogs {
  private readonly channel: BrokerChannel;

  constructor(private readonly cluster: Cluster) {
    this.channel = new BrokerChannel({
      liveBrokers: () => [...cluster.brokers.values()].filter((b) => b.process).map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port, rack: null })),
    }, { clientId: 'replica-logs', requestTimeoutMs: 5_000 });
  }

  /** The broker's own log end of the partition (-1 if it does not answer with one). */
  async logEnd(id: number, topic: string, partition: number): Promise<number> {
    const request: ListOffsetsRequest = {
      replicaId: DEBUGGING_REPLICA_ID,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: LATEST, maxNumOffsets: 1 }] }],
    };
    const r = (await this.channel.request<ListOffsetsResponse>(id, ApiKey.ListOffsets, request)).topics[0].partitions[0];
    return r.errorCode === 0 ? r.offset : -1;
  }

  /** The partition's segments on a broker, concatenated in offset order. */
  file(id: number, topic: string, partition: number): Buffer {
    const dir = join(this.cluster.brokers.get(id)!.dataDir, `${topic}-${partition}`);
    return Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f))));
  }

  /**
   * Waits until every partition has all `ids` in its ISR and the same log end on each of them,
   * then asserts that their files hold the same bytes; resolves to each partition's records.
   */
  async alike(topic: string, partitions: number, ids: number[], timeoutMs = 120_000): Promise<DecodedRecord[][]> {
    const records: DecodedRecord[][] = [];
    for (let p = 0; p < partitions; p++) {
      let ends: number[] = [];
      await waitUntil(`${topic}-${p} at one log end on brokers ${ids.join(',')}, all in sync`, timeoutMs, async () => {
        const isr = (await partitionStates(this.cluster, topic).catch(() => null))?.get(p)?.isr ?? [];
        ends = await Promise.all(ids.map((id) => this.logEnd(id, topic, p).catch(() => -1)));
        return ids.every((id) => isr.includes(id)) && ends.every((e) => e >= 0 && e === ends[0]);
      }).catch((e: Error) => { throw new Error(`${e.message}; log ends ${ends.join(', ')}`, { cause: e }); });
      const files = ids.map((id) => this.file(id, topic, p));
      for (const [i, f] of files.entries()) assert.ok(f.equals(files[0]), `${topic}-${p}: broker ${ids[i]}'s log differs from broker ${ids[0]}'s`);
      records.push(decodeBatches(files[0]));
    }
    return records;
  }

  close(): void {
    this.channel.close();
  }
}

/**
 * Every acknowledged record is in its partition's log, at the offset it was acknowledged with
 * when it has one; no value is in a log twice; a partition's acknowledged records are in the log
 * in the order produced ("p<partition>-<n>").
 */
export function assertAcknowledgedInLogs(acked: AckedRecord[], logs: DecodedRecord[][]): void {
  for (const [p, records] of logs.entries()) {
    const values = records.map((r) => r.value);
    assert.equal(new Set(values).size, values.length, `a value is twice in partition ${p}`);
  }
  const offsetOf = logs.map((records) => new Map(records.map((r) => [r.value, r.offset])));
  for (const a of acked) {
    const offset = offsetOf[a.partition]?.get(a.value);
    assert.ok(offset !== undefined, `${a.value} acknowledged at ${a.partition}/${a.offset} is in the log`);
    if (a.offset >= 0) assert.equal(offset, a.offset, `${a.value} acknowledged at ${a.partition}/${a.offset}`);
  }
  const sequence = (value: string): number => Number(value.split('-')[1]);
  for (const p of logs.keys()) {
    const offsets = acked.filter((a) => a.partition === p).sort((x, y) => sequence(x.value) - sequence(y.value)).map((a) => offsetOf[p].get(a.value)!);
    for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i] > offsets[i - 1], `partition ${p}: acknowledged records out of produce order at ${offsets[i]}`);
  }
}

/** Acknowledged records the group has not read (at their offsets, when acknowledged with one) yet. */
export function unread(consumed: ConsumedRecord[], acked: AckedRecord[]): AckedRecord[] {
  const read = new Map(consumed.map((r) => [`${r.partition}/${r.value}`, r.offset]));
  return acked.filter((a) => {
    const offset = read.get(`${a.partition}/${a.value}`);
    return offset === undefined || (a.offset >= 0 && offset !== a.offset);
  });
}

/** What consumers read is in the final logs at the offsets they read it from: none of it was lost afterwards. */
export function assertReadFromLogs(consumed: ConsumedRecord[], logs: DecodedRecord[][]): void {
  const at = logs.map((records) => new Map(records.map((r) => [r.offset, r.value])));
  for (const r of consumed) assert.equal(at[r.partition]?.get(r.offset), r.value, `${r.value} read at ${r.partition}/${r.offset}`);
}
