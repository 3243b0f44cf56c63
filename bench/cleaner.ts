// Log cleaner benchmarks (not part of the suite; figures appended to docs/benchmarks.md by hand).
//   node dist/bench/cleaner.js throughput <MiB> <codec> [<keys>]
//     one cleaner thread compacts a log of <MiB> of 100-byte keyed records in 16 KiB batches
//     (codec none, lz4, snappy, gzip or zstd), <keys> distinct keys (default 200,000) written
//     over and over; prints MiB/s of input log (the bytes the cleaning pass read) over the whole
//     cleaning (offset map, rewrite, swaps), and how long the event loop was held meanwhile
//   node dist/bench/cleaner.js latency <MiB> <seconds>
//     a broker (samsa start), a topic of <MiB> of keyed records written with kcat under
//     cleanup.policy=delete; end-to-end latency at 5,000 records/s (bench/py/e2e_latency.py) on
//     another topic, first with the cleaner idle, then right after the big topic is switched to
//     compact (AlterConfigs) so the cleaner works through it during the measurement
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompressionType } from '../src/protocol/records/batch.js';
import { buildBatch } from '../src/protocol/records/record.js';
import type { CleaningRecord } from '../src/storage/cleaner/log-cleaner.js';
import { logConfig } from '../src/storage/log-config.js';
import { LogManager } from '../src/storage/log-manager.js';
import { makeTempDir } from '../test/storage/helpers.js';
import { createTopic } from './admin.js';
import { type BenchBroker, cpuSeconds, removeDir, runTimed, sleep, startBenchBroker } from './lib.js';

const [mode = 'throughput', ...args] = process.argv.slice(2);
const MiB = 1024 * 1024;
const CODECS: Record<string, CompressionType> = {
  none: CompressionType.None, gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd,
};

/** 16 KiB batches (before compression) of 100-byte values under keys key-<n>, cycling through `keys`. */
function* keyedBatches(totalBytes: number, keys: number, codec: CompressionType): Generator<Buffer> {
  let written = 0;
  let next = 0;
  for (let round = 0; written < totalBytes; round++) {
    const records = [];
    for (let i = 0; i < 130; i++, next++) {
      const value = Buffer.alloc(100, 97 + (next % 26));
      value.write(`round ${round} `);
      records.push({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`key-${next % keys}`), value, headers: [] });
    }
    const batch = buildBatch({ baseTimestamp: Date.now(), compression: codec, records });
    written += batch.length;
    yield batch;
  }
}

async function throughput(totalMiB: number, codecName: string, keys: number): Promise<void> {
  const codec = CODECS[codecName];
  if (codec === undefined) throw new Error(`codec ${codecName}: choose from ${Object.keys(CODECS).join(', ')}`);
  const tmp = makeTempDir('samsa-bench-cleaner-');
  const manager = await LogManager.open({
    logDirs: [tmp.path],
    cleaner: { threads: 1, dedupeBufferSize: 128 * MiB, ioBufferSize: 512 * 1024, ioBufferLoadFactor: 0.9, backoffMs: 50 },
  });
  try {
    // Written as a delete-policy log, so nothing is cleaned before it is switched to compact.
    const config = logConfig({ segmentBytes: 128 * MiB, minCleanableDirtyRatio: 0.01 });
    const log = manager.createLog('bench', 0, config);
    const append = { leaderEpoch: 0, timestampType: 'CreateTime', now: Date.now() } as const;
    for (const batch of keyedBatches(totalMiB * MiB, keys, codec)) log.append(batch, append);
    log.append(buildBatch({ baseTimestamp: Date.now(), records: [{ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('last'), value: null, headers: [] }] }), append);
    log.updateHighWatermark(log.logEndOffset);
    await log.flush();
    const before = log.size;

    let lag = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      lag = Math.max(lag, now - last - 1);
      last = now;
    }, 1);
    const cleaned = new Promise<CleaningRecord>((resolve) => (manager.logCleaner!.onCleaned = resolve));
    const cpu0 = process.cpuUsage();
    log.config = { ...config, cleanupPolicy: ['compact'] };
    const { result, elapsedMs } = await cleaned;
    clearInterval(probe);
    const cpu = process.cpuUsage(cpu0);
    const { stats } = result;
    const mibps = (bytes: number): string => ((bytes / MiB) / (elapsedMs / 1000)).toFixed(0);
    console.log(JSON.stringify({
      codec: codecName,
      logMiB: +(before / MiB).toFixed(1),
      keys,
      cleanedMiB: +(stats.bytesRead / MiB).toFixed(1),
      mappedMiB: +(stats.mapBytesRead / MiB).toFixed(1),
      writtenMiB: +(stats.bytesWritten / MiB).toFixed(1),
      records: stats.messagesRead,
      kept: stats.messagesWritten,
      seconds: +(elapsedMs / 1000).toFixed(2),
      inputMiBps: +mibps(stats.bytesRead),
      eventLoopHeldMs: +lag.toFixed(1),
      processCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      afterMiB: +(log.size / MiB).toFixed(1),
    }));
  } finally {
    await manager.close();
    tmp.remove();
  }
}

const PY_LATENCY = fileURLToPath(new URL('../../bench/py/e2e_latency.py', import.meta.url));
const LATENCY_RATE = 5000;

/** End-to-end latency on a fresh topic for `seconds`. */
async function measureLatency(broker: BenchBroker, topic: string, seconds: number): Promise<{ p50: number; p99: number; p999: number; brokerCpu: number }> {
  await createTopic(broker.bootstrap, topic, 1);
  const cpu0 = cpuSeconds(broker.pid);
  const r = await runTimed('/usr/bin/python3', [PY_LATENCY, broker.bootstrap, topic, String(LATENCY_RATE), String(seconds)], { timeoutMs: (seconds + 60) * 1000, captureStdout: true });
  if (r.code !== 0) throw new Error(`e2e_latency.py exited ${r.code}:\n${r.stderr}`);
  const res = JSON.parse(r.stdout) as { p50: number; p99: number; p999: number; sent: number; received: number };
  if (res.received < res.sent) throw new Error(`received ${res.received} of ${res.sent}`);
  return { p50: res.p50, p99: res.p99, p999: res.p999, brokerCpu: (cpuSeconds(broker.pid) - cpu0) / r.elapsed };
}

/** AlterConfigs (incremental) of a topic through confluent-kafka's admin client. */
function setTopicConfig(bootstrap: string, topic: string, key: string, value: string): void {
  const script = [
    'import sys',
    'from confluent_kafka.admin import AdminClient, ConfigResource',
    'a = AdminClient({"bootstrap.servers": sys.argv[1]})',
    'r = ConfigResource("topic", sys.argv[2], set_config={sys.argv[3]: sys.argv[4]})',
    'for f in a.alter_configs([r]).values(): f.result(30)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, bootstrap, topic, key, value], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`alter_configs failed: ${r.stderr}`);
}

function cleanerCheckpoint(dataDir: string, topic: string): number | undefined {
  try {
    const line = readFileSync(join(dataDir, 'cleaner-offset-checkpoint'), 'utf8').split('\n').find((l) => l.startsWith(`${topic} 0 `));
    return line ? Number(line.split(' ')[2]) : undefined;
  } catch {
    return undefined;
  }
}

async function latency(totalMiB: number, seconds: number): Promise<void> {
  const broker = await startBenchBroker({ overrides: { 'num.partitions': 1, 'log.cleaner.backoff.ms': 100, 'log.cleaner.min.cleanable.ratio': 0.01 } });
  const work = makeTempDir('samsa-bench-cleaner-');
  try {
    // The big topic: 2,000,000 keys over and over (kcat -K), written before any measurement.
    const file = join(work.path, 'keyed.txt');
    const value = 'v'.repeat(90);
    const count = Math.ceil((totalMiB * MiB) / 110);
    writeFileSync(file, '');
    for (let from = 0; from < count; from += 100_000) {
      const lines: string[] = [];
      for (let i = from; i < Math.min(count, from + 100_000); i++) lines.push(`key-${i % 2_000_000}:${value}\n`);
      appendFileSync(file, lines.join(''));
    }
    const produced = await runTimed('kcat', ['-b', broker.bootstrap, '-P', '-t', 'bulk', '-K', ':', '-l', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', file], { timeoutMs: 600_000 });
    if (produced.code !== 0) throw new Error(`kcat: ${produced.stderr}`);
    const bulkDir = join(broker.dataDir, 'bulk-0');
    const bulkBytes = readdirSync(bulkDir).filter((n) => n.endsWith('.log')).reduce((n, f) => n + statSync(join(bulkDir, f)).size, 0);

    // Let the kernel write the prefill back first: dirty-page throttling would stall appends.
    spawnSync('sync');
    await sleep(2000);
    const idle = await measureLatency(broker, 'latency-idle', seconds);
    setTopicConfig(broker.bootstrap, 'bulk', 'cleanup.policy', 'compact');
    const switched = performance.now();
    const busy = await measureLatency(broker, 'latency-cleaning', seconds);
    const measured = performance.now();
    while (cleanerCheckpoint(broker.dataDir, 'bulk') === undefined && performance.now() - switched < 600_000) await sleep(50);
    const cleaningSeconds = (performance.now() - switched) / 1000;
    console.log(JSON.stringify({
      bulkMiB: +(bulkBytes / MiB).toFixed(0),
      seconds,
      idle,
      cleaning: busy,
      cleaningSeconds: +cleaningSeconds.toFixed(1),
      cleaningCoveredMeasurement: cleaningSeconds * 1000 >= measured - switched,
      p99Ratio: +(busy.p99 / idle.p99).toFixed(2),
    }));
  } finally {
    await broker.stop();
    removeDir(broker.dataDir);
    work.remove();
  }
}

if (mode === 'throughput') await throughput(Number(args[0] ?? 256), args[1] ?? 'none', Number(args[2] ?? 200_000));
else if (mode === 'latency') await latency(Number(args[0] ?? 1024), Number(args[1] ?? 10));
else throw new Error(`unknown mode ${mode}: throughput or latency`);
