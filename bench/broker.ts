// Issue 3: the broker as a user runs it (`samsa start`, a child process) driven by kcat
// (librdkafka) and python confluent_kafka over 127.0.0.1.
//   throughput  produce 1,000,000 records of 100 B / 1 KiB to 1 and 8 partitions (kcat -P, acks=1),
//               consume them back (kcat -C -e); broker RSS idle and under load
//   latency     end-to-end p50/p99 at a fixed 5,000 records/s for 10 s (confluent_kafka)
//   startup     restart time with 1,000 partitions on disk (clean stop and kill -9)
import { createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTopic, deleteTopic, totalEndOffset } from './admin.js';
import {
  type BenchBroker, type BenchRow, cpuSeconds, systemBusySeconds, median, memoryMiB, removeDir, runTimed, sleep,
  startBenchBroker, waitForPort,
} from './lib.js';

export const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
export const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** For quick iterations: BENCH_SIZES=1024 BENCH_PARTITIONS=1 BENCH_PARALLEL=0. */
const list = (v: string | undefined, d: number[]): number[] => (v ? v.split(',').map(Number) : d);
const SIZES = list(process.env.BENCH_SIZES, [100, 1024]);
const PARTITIONS = list(process.env.BENCH_PARTITIONS, [1, 8]);
const PARALLEL = process.env.BENCH_PARALLEL !== '0';

/** What a user would pass for throughput (librdkafka 2.0.2 defaults: linger.ms 5, batch.num.messages 10000, 100000 queued messages). */
export const PRODUCE_FLAGS = [
  '-X', 'acks=1',
  '-X', 'linger.ms=5',
  '-X', 'batch.num.messages=10000',
  '-X', 'queue.buffering.max.messages=1000000',
];
/**
 * Consumer: 4 MiB per partition per fetch (default 1 MiB) and a pre-fetch queue of up to 1M
 * messages (default 100000: above it librdkafka stops fetching and re-checks only once a second,
 * see docs/benchmarks.md).
 */
export const CONSUME_FLAGS = [
  '-X', 'fetch.message.max.bytes=4194304',
  '-X', 'queued.min.messages=1000000',
  '-X', 'queued.max.messages.kbytes=262144',
];

/** Writes `count` lines of `size` bytes (printable, varied) plus '\n'. */
export async function writeRecordsFile(path: string, count: number, size: number): Promise<void> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const pool = Buffer.alloc(64 * 1024 + size);
  for (let i = 0; i < pool.length; i++) pool[i] = alphabet.charCodeAt(Math.floor(Math.random() * alphabet.length));
  const perChunk = Math.max(1, Math.floor((1 << 20) / (size + 1)));
  const out = createWriteStream(path);
  for (let i = 0; i < count; ) {
    const n = Math.min(perChunk, count - i);
    const chunk = Buffer.allocUnsafe(n * (size + 1));
    for (let j = 0; j < n; j++) {
      const from = ((i + j) * 7919) % (64 * 1024);
      pool.copy(chunk, j * (size + 1), from, from + size);
      chunk[j * (size + 1) + size] = 0x0a;
    }
    i += n;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Samples the broker's VmRSS every 100 ms while running. */
function rssSampler(pid: number): { stop(): number } {
  let max = 0;
  const sample = (): void => {
    try {
      max = Math.max(max, memoryMiB(pid).rss);
    } catch { /* gone */ }
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

export interface ClientRun {
  elapsed: number;
  /** CPU seconds of the client process(es). */
  clientCpu: number;
  brokerCpu: number;
  /** CPU seconds used meanwhile by everything else on the machine. */
  otherCpu: number;
}

export async function kcatProduce(broker: BenchBroker, topic: string, files: string[], flags = PRODUCE_FLAGS): Promise<ClientRun> {
  const cpu0 = cpuSeconds(broker.pid);
  const busy0 = systemBusySeconds();
  const started = performance.now();
  const runs = await Promise.all(files.map((file) =>
    runTimed('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-l', ...flags, file], { timeoutMs: 180_000 })));
  const elapsed = (performance.now() - started) / 1000;
  const brokerCpu = cpuSeconds(broker.pid) - cpu0;
  for (const r of runs) if (r.code !== 0) throw new Error(`kcat -P exited ${r.code}: ${r.stderr.slice(-2000)}`);
  const clientCpu = runs.reduce((n, r) => n + r.cpu, 0);
  return { elapsed, clientCpu, brokerCpu, otherCpu: systemBusySeconds() - busy0 - brokerCpu - clientCpu };
}

async function kcatConsume(broker: BenchBroker, topic: string, expected: number): Promise<ClientRun> {
  const cpu0 = cpuSeconds(broker.pid);
  const busy0 = systemBusySeconds();
  // -c: exit on the last record. With -e alone kcat exits only after one more, empty, fetch, which
  // the broker (like Kafka) holds for fetch.wait.max.ms (500 ms) since no data arrives.
  const r = await runTimed('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-c', String(expected), ...CONSUME_FLAGS], { timeoutMs: 180_000 });
  const brokerCpu = cpuSeconds(broker.pid) - cpu0;
  if (r.code !== 0) throw new Error(`kcat -C exited ${r.code}: ${r.stderr.slice(-2000)}`);
  // Reaching the end of every partition (kcat then says ': exiting') before `expected` records means records are missing.
  if (/Reached end of topic.*: exiting/.test(r.stderr)) throw new Error(`kcat -C hit the end before ${expected} records:\n${r.stderr.slice(-2000)}`);
  return { elapsed: r.elapsed, clientCpu: r.cpu, brokerCpu, otherCpu: systemBusySeconds() - busy0 - brokerCpu - r.cpu };
}

const pct = (cpu: number, elapsed: number): string => `${Math.round((100 * cpu) / elapsed)}%`;

export function summarise(label: string, runs: ClientRun[], count: number, bytesPerRecord: number, client: string): BenchRow[] {
  const rates = runs.map((r) => count / r.elapsed);
  const best = Math.max(...rates);
  const worst = Math.min(...rates);
  const mid = runs[rates.indexOf(median(rates))] ?? runs[0];
  const rate = median(rates);
  const note = `median of ${runs.length} (${Math.round(worst).toLocaleString('en-US')}–${Math.round(best).toLocaleString('en-US')}); `
    + `${(count / rate).toFixed(2)} s; CPU: ${client} ${pct(mid.clientCpu, mid.elapsed)}, broker ${pct(mid.brokerCpu, mid.elapsed)} `
    + `(${((mid.brokerCpu / count) * 1e6).toFixed(2)} µs/record), other processes ${pct(Math.max(0, mid.otherCpu), mid.elapsed)}`;
  return [
    { name: `${label}`, value: rate, unit: 'records/s', note },
    { name: `${label}`, value: (rate * bytesPerRecord) / 1e6, unit: 'MB/s', note: 'payload bytes (values only), 10^6 B' },
  ];
}

export async function throughput(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const work = mkdtempSync(join(tmpdir(), 'samsa-bench-data-'));
  const broker = await startBenchBroker();
  try {
    await sleep(1000);
    const idle = memoryMiB(broker.pid);
    rows.push({ name: 'broker RSS, idle (fresh start, no topics)', value: idle.rss, unit: 'MiB', note: `VmRSS 1 s after start; VmHWM ${idle.hwm.toFixed(1)} MiB` });

    const sampler = rssSampler(broker.pid);
    const half = Math.floor(RECORDS / 2);
    for (const size of SIZES) {
      const file = join(work, `records-${size}.txt`);
      const halfFile = join(work, `records-${size}-half.txt`);
      await writeRecordsFile(file, RECORDS, size);
      await writeRecordsFile(halfFile, half, size);
      const sizeLabel = size === 100 ? '100 B' : '1 KiB';
      for (const partitions of PARTITIONS) {
        const produced: ClientRun[] = [];
        const produced2: ClientRun[] = [];
        const consumed: ClientRun[] = [];
        for (let rep = 0; rep < REPEATS; rep++) {
          const topic = `bench-${size}b-${partitions}p-${rep}`;
          await createTopic(broker.bootstrap, topic, partitions);
          produced.push(await kcatProduce(broker, topic, [file]));
          const end = await totalEndOffset(broker.bootstrap, topic);
          if (end !== RECORDS) throw new Error(`${topic}: ${end} records in the log, expected ${RECORDS}`);
          consumed.push(await kcatConsume(broker, topic, RECORDS));
          await deleteTopic(broker.bootstrap, topic);
          if (!PARALLEL) continue;
          // Two kcat processes in parallel, half of the records each.
          const topic2 = `${topic}-x2`;
          await createTopic(broker.bootstrap, topic2, partitions);
          produced2.push(await kcatProduce(broker, topic2, [halfFile, halfFile]));
          const end2 = await totalEndOffset(broker.bootstrap, topic2);
          if (end2 !== 2 * half) throw new Error(`${topic2}: ${end2} records in the log, expected ${2 * half}`);
          await deleteTopic(broker.bootstrap, topic2);
        }
        const p = `${partitions} partition${partitions > 1 ? 's' : ''}`;
        rows.push(...summarise(`produce ${sizeLabel}, ${p}, 1 kcat`, produced, RECORDS, size, 'kcat'));
        if (PARALLEL) rows.push(...summarise(`produce ${sizeLabel}, ${p}, 2 kcat in parallel`, produced2, 2 * half, size, '2×kcat'));
        rows.push(...summarise(`consume ${sizeLabel}, ${p}, 1 kcat`, consumed, RECORDS, size, 'kcat'));
      }
      removeDir(file);
      removeDir(halfFile);
    }
    const loadRss = sampler.stop();
    const mem = memoryMiB(broker.pid);
    rows.push({ name: 'broker RSS, under load (peak sampled)', value: loadRss, unit: 'MiB', note: `VmRSS sampled every 100 ms during the runs above; VmHWM ${mem.hwm.toFixed(1)} MiB; tail cache budget 64 MiB` });
    await sleep(2000);
    rows.push({ name: 'broker RSS, idle after load', value: memoryMiB(broker.pid).rss, unit: 'MiB', note: 'topics deleted, 2 s after the last run' });
  } finally {
    await broker.stop();
    removeDir(broker.dataDir);
    removeDir(work);
  }
  return rows;
}

const PY_LATENCY = fileURLToPath(new URL('../../bench/py/e2e_latency.py', import.meta.url));

export const LATENCY_RATE = 5000;
export const LATENCY_SECONDS = 10;

export async function latency(): Promise<BenchRow[]> {
  const broker = await startBenchBroker();
  try {
    const topic = 'bench-latency';
    await createTopic(broker.bootstrap, topic, 1);
    const cpu0 = cpuSeconds(broker.pid);
    const r = await runTimed('/usr/bin/python3', [PY_LATENCY, broker.bootstrap, topic, String(LATENCY_RATE), String(LATENCY_SECONDS)],
      { timeoutMs: (LATENCY_SECONDS + 60) * 1000, captureStdout: true });
    const brokerCpu = cpuSeconds(broker.pid) - cpu0;
    if (r.code !== 0) throw new Error(`e2e_latency.py exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    const res = JSON.parse(r.stdout) as { sent: number; received: number; rate: number; p50: number; p99: number; p999: number; max: number; linger_ms: number };
    if (res.received < res.sent) throw new Error(`latency: received ${res.received} of ${res.sent}`);
    const cond = `${res.received.toLocaleString('en-US')} records of 100 B at ${Math.round(res.rate).toLocaleString('en-US')}/s for ${LATENCY_SECONDS} s, 1 partition, acks=1, producer linger.ms=${res.linger_ms}`;
    return [
      { name: 'end-to-end latency p50', value: res.p50, unit: 'ms', note: cond },
      { name: 'end-to-end latency p99', value: res.p99, unit: 'ms', note: `p99.9 ${res.p999.toFixed(2)} ms, max ${res.max.toFixed(2)} ms; broker CPU ${pct(brokerCpu, r.elapsed)}, python clients ${pct(r.cpu, r.elapsed)}` },
    ];
  } finally {
    await broker.stop();
    removeDir(broker.dataDir);
  }
}

export const STARTUP_PARTITIONS = 1000;
const STARTUP_RECORDS = 100_000;

export async function startup(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const timeRestart = async (dataDir: string, port: number): Promise<{ ms: number; own: number; broker: BenchBroker }> => {
    const started = performance.now();
    const pending = startBenchBroker({ dataDir, port });
    await waitForPort(port, 120_000);
    const ms = performance.now() - started;
    const broker = await pending;
    // The broker logs its own start-up time right after the 'listening on' line.
    const ownRe = /started broker \d+ \(cluster \S+\) in (\d+) ms/;
    for (let i = 0; i < 100 && !ownRe.test(broker.output()); i++) await sleep(10);
    const own = Number(ownRe.exec(broker.output())?.[1] ?? NaN);
    return { ms, own, broker };
  };

  // Baseline: an empty data dir (node start-up, module loading, metadata).
  const emptyDir = mkdtempSync(join(tmpdir(), 'samsa-bench-empty-'));
  try {
    const times: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const first = await startBenchBroker({ dataDir: emptyDir });
      const port = first.port;
      await first.stop();
      const { ms, broker } = await timeRestart(emptyDir, port);
      times.push(ms);
      await broker.stop();
    }
    rows.push({ name: 'start-up, no partitions', value: median(times), unit: 'ms', note: `spawn until the port accepts; median of ${REPEATS}` });
  } finally {
    removeDir(emptyDir);
  }

  const work = mkdtempSync(join(tmpdir(), 'samsa-bench-startup-'));
  let broker = await startBenchBroker();
  try {
    const port = broker.port;
    const topic = 'bench-startup';
    const t0 = performance.now();
    await createTopic(broker.bootstrap, topic, STARTUP_PARTITIONS);
    const createMs = performance.now() - t0;
    const file = join(work, 'records.txt');
    await writeRecordsFile(file, STARTUP_RECORDS, 100);
    const r = await runTimed('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-l', ...PRODUCE_FLAGS, file], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`kcat -P exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const end = await totalEndOffset(broker.bootstrap, topic);
    if (end !== STARTUP_RECORDS) throw new Error(`startup topic holds ${end} records, expected ${STARTUP_RECORDS}`);
    const dataDir = broker.dataDir;
    const rssLoaded = memoryMiB(broker.pid).rss;
    const cond = `${STARTUP_PARTITIONS.toLocaleString('en-US')} partitions, ${STARTUP_RECORDS.toLocaleString('en-US')} records of 100 B spread over them`;

    const clean: number[] = [];
    const own: number[] = [];
    let rssAfter = NaN;
    for (let i = 0; i < REPEATS; i++) {
      await broker.stop();
      const t = await timeRestart(dataDir, port);
      broker = t.broker;
      clean.push(t.ms);
      own.push(t.own);
      rssAfter = memoryMiB(broker.pid).rss;
    }
    rows.push({
      name: `start-up, ${STARTUP_PARTITIONS.toLocaleString('en-US')} partitions, after a clean stop`, value: median(clean), unit: 'ms',
      note: `${cond}; spawn until the port accepts; median of ${REPEATS}; broker's own log: ${median(own)} ms`,
    });
    const crash: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      await broker.kill9();
      const t = await timeRestart(dataDir, port);
      broker = t.broker;
      crash.push(t.ms);
      const got = await totalEndOffset(broker.bootstrap, topic);
      if (got !== STARTUP_RECORDS) throw new Error(`after kill -9: ${got} records, expected ${STARTUP_RECORDS}`);
    }
    rows.push({ name: `start-up, ${STARTUP_PARTITIONS.toLocaleString('en-US')} partitions, after kill -9`, value: median(crash), unit: 'ms', note: `recovery of unflushed segments; median of ${REPEATS}` });
    rows.push({ name: `broker RSS, idle with ${STARTUP_PARTITIONS.toLocaleString('en-US')} partitions`, value: rssAfter, unit: 'MiB', note: `after a restart; ${rssLoaded.toFixed(1)} MiB before it (after creating and producing)` });
    rows.push({ name: `create a topic of ${STARTUP_PARTITIONS.toLocaleString('en-US')} partitions`, value: createMs, unit: 'ms', note: 'KafkaJS admin createTopics, waitForLeaders' });
  } finally {
    await broker.stop();
    removeDir(broker.dataDir);
    removeDir(work);
  }
  return rows;
}
