// Cluster benchmark (issue 18): ZooKeeper and three `samsa start` brokers on 127.0.0.1
// (test/helpers/cluster.ts), Samsa's own Producer (src/client) in this process.
//   throughput  3-partition topics, RF 1 with acks=1 against RF 3 with acks=all (min.insync.replicas=2),
//               records of 1 KiB and 100 B, runs alternating after uncounted warm-up rounds of each mode
//               of the same size, each on a fresh topic; the time is the produce alone (client connected first),
//               end offsets checked afterwards.
//   failover    a probe producer writes one record at a time (acks=all, short retry backoff) to a
//               1-partition RF 3 topic; its leader is killed (SIGKILL) or stopped (SIGTERM: controlled
//               shutdown), and the time runs from the signal to the first acknowledged record the new
//               leader wrote (offset at or past the start of its epoch, asked by OffsetForLeaderEpoch);
//               then the broker is restarted and the ISR waited for to be full again.
//   idle        600 RF 3 partitions nobody writes (each broker follows 400 of them, ~200 per leader): the
//               brokers' CPU at rest, then 1 KiB RF 3 acks=all throughput beside them, what the replica
//               fetches' per-partition work costs (followers fetch in incremental sessions, KIP-227).
// `node dist/bench/run.js cluster` (part of `npm run bench`); BENCH_CLUSTER_WARM_UPS (4), BENCH_CLUSTER_REPEATS (3),
// BENCH_CLUSTER_KILLS (20 of each kind) and BENCH_CLUSTER_IDLE_PARTITIONS (600; 0 leaves it out) shorten it.
// The brokers inherit the environment: NODE_OPTIONS=--perf-basic-prof lets `perf record -p <broker pid>` name
// JS functions (node refuses --cpu-prof there).
import { ApiKey } from '../src/protocol/api-keys.js';
import type { OffsetForLeaderEpochResponse } from '../src/protocol/messages/offset-for-leader-epoch.js';
import { Admin, Producer } from '../src/index.js';
import { type Cluster, requestMetadata, startCluster } from '../test/helpers/cluster.js';
import { waitForFullIsr } from '../test/helpers/cluster-workload.js';
import { RawClient } from '../test/helpers/raw-client.js';
import { waitUntil, within } from '../test/helpers/wait.js';
import { type BenchRow, cpuSeconds, median, percentile, sleep, systemBusySeconds } from './lib.js';

const BROKERS = 3;
const PARTITIONS = 3;
/** Kafka's default: a SIGKILLed leader is noticed when its ZooKeeper session expires. */
export const SESSION_TIMEOUT_MS = 18_000;
/** Runs of a few seconds each: runs of half a second (200,000 × 1 KiB) varied by ±30% with RF 1. */
const SIZES = [
  { size: 1024, records: 1_000_000 },
  { size: 100, records: 3_000_000 },
];
// Warm-up rounds of each mode, each as large as a counted one, not counted: what a broker that has run
// for a while has. A leader's memory: with followers at its log end its tail cache keeps its produce
// frames (64 MiB), so its process grows by that much in its first replicated run; every page touched
// for the first time costs 11-29 µs on this VM, once. And V8's JIT: each broker still optimized ~90,
// 65, 45, 30, 20 functions in its first five 1 GB RF 3 runs (--trace-opt), its CPU per record falling
// with them (2.6, 1.8, 1.6, 1.4, 1.3 µs), while garbage collection stayed at ~50 ms per run.
const WARM_UPS = Number(process.env.BENCH_CLUSTER_WARM_UPS ?? 4);
const REPEATS = Number(process.env.BENCH_CLUSTER_REPEATS ?? 3);
const KILLS = Number(process.env.BENCH_CLUSTER_KILLS ?? 20);
const IDLE_PARTITIONS = Number(process.env.BENCH_CLUSTER_IDLE_PARTITIONS ?? 600);
const IDLE_MS = 20_000;
/** Records per sendBatch call and calls in flight, as bench/client-child.ts sends them. */
const CHUNK = 1000;
const IN_FLIGHT = 64;
/** The failover probe's retry.backoff.ms (Kafka's default is 100). */
const PROBE_BACKOFF_MS = 10;
/** Bounds for the cluster to settle: topic leaders, a full ISR, a new leader after a kill. */
const SETTLE_MS = 120_000;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;

const BROKER_CONFIG = {
  'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
  // Kafka's default (the test harness's 5 s would drop followers of a loaded 2-core machine from the ISR).
  'replica.lag.time.max.ms': 30_000,
  // Leadership moves only where the benchmark moves it.
  'auto.leader.rebalance.enable': false,
};

type Mode = 'RF 1, acks=1' | 'RF 3, acks=all';
const MODES: Mode[] = ['RF 1, acks=1', 'RF 3, acks=all'];

interface ThroughputRun {
  mode: Mode;
  size: number;
  records: number;
  seconds: number;
  clientCpu: number;
  brokerCpu: number;
  /** CPU of everything else on the machine (ZooKeeper and other sessions' work), cores. */
  otherCores: number;
}

interface Failover {
  signal: 'SIGKILL' | 'SIGTERM';
  /** Signal to the first record acknowledged by the new leader. */
  ms: number;
  /** Signal to the first Metadata (polled every 50 ms) naming the new leader. */
  electedMs: number;
  from: number;
  to: number;
}

interface PartitionView {
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

/** Every running broker's view of the partition (null where it did not answer or does not know it). */
async function views(cluster: Cluster, topic: string, partition: number): Promise<(PartitionView | null)[]> {
  const running = [...cluster.brokers.values()].filter((b) => b.process !== null);
  return Promise.all(running.map((b) => requestMetadata(b.port, [topic]).then((m) => {
    const p = m.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
    return p && p.errorCode === 0 ? { leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: p.isrNodes } : null;
  }, () => null)));
}

/** Waits until every running broker names the same leader with `replicas` brokers in the ISR, for every partition. */
async function settled(cluster: Cluster, topic: string, partitions: number, replicas: number): Promise<PartitionView[]> {
  const out: PartitionView[] = [];
  await waitUntil(`${topic}: leaders and a full ISR in every broker's Metadata`, SETTLE_MS, async () => {
    out.length = 0;
    for (let p = 0; p < partitions; p++) {
      const seen = await views(cluster, topic, p);
      const first = seen[0];
      const agreed = first && first.leader >= 0 && first.isr.length === replicas
        && seen.every((v) => v && v.leader === first.leader && v.leaderEpoch === first.leaderEpoch && v.isr.length === replicas);
      if (!agreed) return false;
      out.push(first);
    }
    return true;
  });
  return out;
}

function brokerCpu(cluster: Cluster): number {
  let sum = 0;
  for (const b of cluster.brokers.values()) if (b.process) sum += cpuSeconds(b.process.pid);
  return sum;
}

/** `records` records of `size` bytes, CHUNK per sendBatch, the chunks spread over the partitions in turn. */
async function produce(producer: Producer, topic: string, size: number, records: number): Promise<void> {
  // A few distinct payloads, so the sends copy real bytes.
  const values = Array.from({ length: 16 }, (_, i) => Buffer.alloc(size, 97 + i));
  const pending = new Set<Promise<unknown>>();
  for (let c = 0; c * CHUNK < records; c++) {
    const n = Math.min(CHUNK, records - c * CHUNK);
    const p: Promise<unknown> = producer.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, partition: c % PARTITIONS, value: values[(c + i) & 15] })))
      .finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
}

async function throughputRun(cluster: Cluster, admin: Admin, mode: Mode, size: number, records: number, round: number, prefix = 'tp'): Promise<ThroughputRun> {
  const rf3 = mode === 'RF 3, acks=all';
  const topic = `${prefix}-${rf3 ? 'rf3' : 'rf1'}-${size}-${round < 0 ? `warm-up${-round}` : round}`;
  await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: rf3 ? 3 : 1, configs: rf3 ? { 'min.insync.replicas': 2 } : {} }]);
  const leaders = await settled(cluster, topic, PARTITIONS, rf3 ? 3 : 1);
  if (new Set(leaders.map((l) => l.leader)).size !== BROKERS) throw new Error(`${topic}: leaders ${leaders.map((l) => l.leader).join(',')} are not one per broker`);
  const producer = new Producer({ bootstrapServers: cluster.bootstrap, acks: rf3 ? 'all' : 1, lingerMs: 5 });
  try {
    // Connections, metadata and the producer id before the clock starts.
    await producer.sendBatch(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, value: 'warm-up' })));
    const client0 = process.cpuUsage();
    const brokers0 = brokerCpu(cluster);
    const busy0 = systemBusySeconds();
    const t0 = performance.now();
    await produce(producer, topic, size, records);
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(client0);
    const clientCpu = (c.user + c.system) / 1e6;
    const brokers = brokerCpu(cluster) - brokers0;
    const otherCores = (systemBusySeconds() - busy0 - clientCpu - brokers) / seconds;
    const ends = await admin.listOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, at: 'latest' as const })));
    const total = ends.reduce((s, e) => s + e.offset, 0);
    if (total !== records + PARTITIONS) throw new Error(`${topic}: log end offsets sum to ${total}, expected ${records + PARTITIONS}`);
    await admin.deleteTopics([topic]);
    return { mode, size, records, seconds, clientCpu, brokerCpu: brokers, otherCores: Math.max(0, otherCores) };
  } finally {
    await producer.close().catch(() => {});
  }
}

async function throughput(cluster: Cluster): Promise<ThroughputRun[]> {
  const admin = new Admin({ bootstrapServers: cluster.bootstrap });
  const runs: ThroughputRun[] = [];
  try {
    for (const { size, records } of SIZES) {
      // Warm-up rounds are numbered -WARM_UPS..-1, counted ones 0..REPEATS-1.
      for (let round = -WARM_UPS; round < REPEATS; round++) {
        // Alternating, the order swapped each round, so a change in machine load hits both modes alike.
        for (const mode of round % 2 ? [...MODES].reverse() : MODES) {
          const r = await throughputRun(cluster, admin, mode, size, records, round);
          process.stderr.write(`[bench]   ${round < 0 ? 'warm-up: ' : ''}${mode}, ${size} B: ${Math.round(r.records / r.seconds)} records/s (${r.seconds.toFixed(2)} s, client ${r.clientCpu.toFixed(2)} s CPU, brokers ${r.brokerCpu.toFixed(2)} s, other ${(r.otherCores * 100).toFixed(0)}%)\n`);
          if (round >= 0) runs.push(r);
        }
      }
    }
  } finally {
    await admin.close();
  }
  return runs;
}

/** One record at a time to partition 0 of `topic`, acks=all; every acknowledgement's time and offset. */
class Probe {
  readonly acks: { at: number; offset: number }[] = [];
  readonly failures: string[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly producer: Producer;

  constructor(bootstrap: string, private readonly topic: string) {
    this.producer = new Producer({
      bootstrapServers: bootstrap, acks: 'all', lingerMs: 0, retryBackoffMs: PROBE_BACKOFF_MS,
      // Long enough to outlast a session expiry, so a send waits for the new leader instead of failing.
      deliveryTimeoutMs: 4 * SESSION_TIMEOUT_MS, requestTimeoutMs: 2 * SESSION_TIMEOUT_MS,
    });
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const m = await this.producer.send({ topic: this.topic, partition: 0, value: 'probe' });
        this.acks.push({ at: performance.now(), offset: m.offset });
      } catch (e) {
        this.failures.push((e as Error).message);
        await sleep(PROBE_BACKOFF_MS);
      }
    }
  }

  /** The first acknowledgement at or after `offset`, waiting for it (bounded). */
  async firstAckFrom(offset: number): Promise<{ at: number; offset: number }> {
    let found: { at: number; offset: number } | undefined;
    await waitUntil(`an acknowledged record at offset ${offset} or later`, SETTLE_MS, () => (found = this.acks.find((a) => a.offset >= offset)) !== undefined);
    return found!;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.producer.close();
  }
}

/** Where the leader epoch after `epoch` starts on the partition's leader (OffsetForLeaderEpoch). */
async function nextEpochStart(port: number, topic: string, epoch: number): Promise<number> {
  const client = await within(`a connection to 127.0.0.1:${port}`, 10_000, RawClient.connect(port));
  try {
    const r = await within('OffsetForLeaderEpoch', 10_000, client.request<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, OFFSET_FOR_LEADER_EPOCH_VERSION, {
      replicaId: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: epoch }] }],
    }));
    const p = r?.topics[0]?.partitions[0];
    if (!p || p.errorCode !== 0) throw new Error(`OffsetForLeaderEpoch from 127.0.0.1:${port}: ${p ? `error ${p.errorCode}` : 'no answer'}`);
    return p.endOffset;
  } finally {
    client.close();
  }
}

async function failover(cluster: Cluster, probe: Probe, topic: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<Failover> {
  const [before] = await settled(cluster, topic, 1, BROKERS);
  // The probe writes to this leader right now.
  const acked = probe.acks.length;
  await waitUntil('the probe writing', SETTLE_MS, () => probe.acks.length > acked + 10);
  const t0 = performance.now();
  const gone = signal === 'SIGKILL' ? cluster.kill9(before.leader) : cluster.stop(before.leader);
  let after: PartitionView | undefined;
  await waitUntil(`a new leader after ${signal} of broker ${before.leader}`, SETTLE_MS, async () => {
    after = (await views(cluster, topic, 0)).find((v) => v !== null && v.leader >= 0 && v.leader !== before.leader && v.leaderEpoch > before.leaderEpoch) ?? undefined;
    return after !== undefined;
  });
  const electedMs = performance.now() - t0;
  const start = await nextEpochStart(cluster.brokers.get(after!.leader)!.port, topic, before.leaderEpoch);
  const first = await probe.firstAckFrom(start);
  await gone;
  await cluster.restart(before.leader);
  await settled(cluster, topic, 1, BROKERS);
  return { signal, ms: first.at - t0, electedMs, from: before.leader, to: after!.leader };
}

async function failovers(cluster: Cluster): Promise<Failover[]> {
  const topic = 'failover';
  const admin = new Admin({ bootstrapServers: cluster.bootstrap });
  try {
    await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': 2 } }]);
  } finally {
    await admin.close();
  }
  const probe = new Probe(cluster.bootstrap, topic);
  const out: Failover[] = [];
  try {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      for (let i = 0; i < KILLS; i++) {
        const f = await failover(cluster, probe, topic, signal);
        process.stderr.write(`[bench]   ${signal} of leader ${f.from}: new leader ${f.to} in Metadata after ${f.electedMs.toFixed(0)} ms, first write after ${f.ms.toFixed(0)} ms\n`);
        out.push(f);
      }
    }
  } finally {
    await probe.close();
  }
  if (probe.failures.length > 0) process.stderr.write(`[bench]   probe sends failed ${probe.failures.length} times, e.g. ${probe.failures[0]}\n`);
  return out;
}

interface IdleReplication {
  /** The brokers' CPU at rest, cores. */
  restingCores: number;
  runs: ThroughputRun[];
}

/** IDLE_PARTITIONS RF 3 partitions at rest, then 1 KiB RF 3 acks=all runs beside them (one warm-up). */
async function idleReplication(cluster: Cluster): Promise<IdleReplication> {
  const admin = new Admin({ bootstrapServers: cluster.bootstrap });
  try {
    await admin.createTopics([{ name: 'idle', partitions: IDLE_PARTITIONS, replicationFactor: 3 }]);
    await waitForFullIsr(cluster, 'idle', IDLE_PARTITIONS, 3, SETTLE_MS);
    await sleep(5_000); // the creation's own work (files, ZooKeeper watches) out of the way
    const cpu0 = brokerCpu(cluster);
    const t0 = performance.now();
    await sleep(IDLE_MS);
    const restingCores = (brokerCpu(cluster) - cpu0) / ((performance.now() - t0) / 1000);
    process.stderr.write(`[bench]   ${IDLE_PARTITIONS} idle RF 3 partitions: brokers at rest ${(restingCores * 100).toFixed(1)}% of a core\n`);
    const runs: ThroughputRun[] = [];
    for (let round = -1; round < REPEATS; round++) {
      const r = await throughputRun(cluster, admin, 'RF 3, acks=all', 1024, SIZES[0].records, round, 'idle-tp');
      process.stderr.write(`[bench]   ${round < 0 ? 'warm-up: ' : ''}beside idle partitions, RF 3, acks=all, 1 KiB: ${Math.round(r.records / r.seconds)} records/s (brokers ${r.brokerCpu.toFixed(2)} s CPU)\n`);
      if (round >= 0) runs.push(r);
    }
    await admin.deleteTopics(['idle']);
    return { restingCores, runs };
  } finally {
    await admin.close();
  }
}

function idleRows({ restingCores, runs }: IdleReplication): BenchRow[] {
  const rate = median(runs.map((r) => r.records / r.seconds));
  return [
    { name: `cluster at rest, ${IDLE_PARTITIONS} RF 3 partitions: brokers' CPU`, value: restingCores * 100, unit: '% of a core', note: `over ${IDLE_MS / 1000} s; followers fetch in incremental sessions` },
    {
      name: `cluster produce 1 KiB, RF 3, acks=all, beside ${IDLE_PARTITIONS} idle RF 3 partitions`,
      value: rate,
      unit: 'records/s',
      note: `median of ${runs.length} (${runs.map((r) => Math.round(r.records / r.seconds).toLocaleString('en-US')).join(', ')}); brokers ${median(runs.map((r) => (r.brokerCpu / r.records) * 1e6)).toFixed(2)} µs CPU/record`,
    },
  ];
}

const mb = (r: ThroughputRun): number => (r.records * r.size) / r.seconds / 1e6;

function throughputRows(runs: ThroughputRun[]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const { size } of SIZES) {
    const rate: Record<string, number> = {};
    for (const mode of MODES) {
      const mine = runs.filter((r) => r.mode === mode && r.size === size);
      const med = median(mine.map((r) => r.records / r.seconds));
      rate[mode] = med;
      const cpuPerRecord = (r: ThroughputRun): number => (r.brokerCpu / r.records) * 1e6;
      rows.push({
        name: `cluster produce ${size === 1024 ? '1 KiB' : `${size} B`}, ${mode}`,
        value: med,
        unit: 'records/s',
        note: `${(median(mine.map(mb))).toFixed(1)} MB/s; median of ${mine.length} (${mine.map((r) => Math.round(r.records / r.seconds).toLocaleString('en-US')).join(', ')}); `
          + `CPU: client ${(median(mine.map((r) => r.clientCpu / r.seconds)) * 100).toFixed(0)}%, brokers ${(median(mine.map((r) => r.brokerCpu / r.seconds)) * 100).toFixed(0)}% `
          + `(${median(mine.map(cpuPerRecord)).toFixed(2)} µs/record), other processes ${(median(mine.map((r) => r.otherCores)) * 100).toFixed(0)}%`,
      });
    }
    rows.push({
      name: `cluster produce ${size === 1024 ? '1 KiB' : `${size} B`}, RF 3 acks=all vs RF 1 acks=1`,
      value: (rate['RF 3, acks=all'] / rate['RF 1, acks=1']) * 100,
      unit: '% of RF 1 records/s',
      note: 'goal: at least 50%',
    });
  }
  return rows;
}

function failoverRows(events: Failover[]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const mine = events.filter((e) => e.signal === signal);
    if (mine.length === 0) continue;
    const ms = mine.map((e) => e.ms).sort((a, b) => a - b);
    const elected = mine.map((e) => e.electedMs).sort((a, b) => a - b);
    const what = signal === 'SIGKILL' ? 'leader killed (SIGKILL)' : 'leader stopped (SIGTERM, controlled shutdown)';
    const goal = signal === 'SIGKILL' ? `goal: p50 under ${SESSION_TIMEOUT_MS + 1000} ms (zookeeper.session.timeout.ms ${SESSION_TIMEOUT_MS} + 1 s)` : 'goal: p50 under 1,000 ms';
    const note = `over ${mine.length}; new leader in Metadata p50 ${percentile(elected, 50).toFixed(0)} ms`;
    rows.push({ name: `failover, ${what}, to the first acks=all write, p50`, value: percentile(ms, 50), unit: 'ms', note: `${note}; ${goal}` });
    rows.push({ name: `failover, ${what}, to the first acks=all write, max`, value: ms.at(-1)!, unit: 'ms', note: `min ${ms[0].toFixed(0)} ms` });
  }
  return rows;
}

/** The suite's contract (bench/run.ts). */
export async function run(): Promise<BenchRow[]> {
  const cluster = await startCluster({ brokers: BROKERS, overrides: BROKER_CONFIG });
  // Whatever happens to this process, the brokers go with it.
  const killBrokers = (): void => {
    for (const b of cluster.brokers.values()) b.process?.child.kill('SIGKILL');
  };
  process.once('exit', killBrokers);
  let failed = true;
  try {
    await cluster.waitForBrokers();
    const runs = await throughput(cluster);
    const events = await failovers(cluster);
    const idle = IDLE_PARTITIONS > 0 ? idleRows(await idleReplication(cluster)) : [];
    failed = false;
    return [...throughputRows(runs), ...failoverRows(events), ...idle];
  } finally {
    process.off('exit', killBrokers);
    if (failed) process.stderr.write(`[bench] cluster files kept in ${cluster.dir}:\n${cluster.describe()}\n`);
    await cluster.close({ keepFiles: failed });
  }
}
