// Client throughput, one Samsa broker for the whole run: Samsa's own client, KafkaJS,
// @platformatic/kafka (each in its own process, bench/client-child.ts) and librdkafka (kcat)
// producing 1,000,000 records of 100 B and of 1 KiB (acks=1, no compression, one partition) and
// consuming them from the beginning. Every consumer reads the topic kcat produced, so all read
// the same bytes. `node dist/bench/clients.js` prints a markdown table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '../src/index.js';
import { CONSUME_FLAGS, PRODUCE_FLAGS, RECORDS, writeRecordsFile } from './broker.js';
import { type BenchBroker, type BenchRow, cpuSeconds, runTimed, startBenchBroker } from './lib.js';

const CHILD = fileURLToPath(new URL('./client-child.js', import.meta.url));
const NODE_CLIENTS = ['samsa', 'kafkajs', 'platformatic'] as const;
const SIZES = [100, 1024];

interface Measured {
  client: string;
  op: 'produce' | 'consume';
  size: number;
  rate: number;
  clientCpu: number;
  brokerCpu: number;
  elapsed: number;
  rssMiB: number | null;
}

async function nodeClient(broker: BenchBroker, client: string, op: 'produce' | 'consume', topic: string, size: number): Promise<Measured> {
  const cpu0 = cpuSeconds(broker.pid);
  const r = await runTimed(process.execPath, [CHILD, client, op, broker.bootstrap, topic, String(RECORDS), String(size)], { timeoutMs: 600_000, captureStdout: true });
  if (r.code !== 0) throw new Error(`${client} ${op} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { elapsed: number; rssMiB: number };
  return { client, op, size, rate: RECORDS / out.elapsed, clientCpu: r.cpu, brokerCpu: cpuSeconds(broker.pid) - cpu0, elapsed: out.elapsed, rssMiB: out.rssMiB };
}

async function kcat(broker: BenchBroker, op: 'produce' | 'consume', topic: string, size: number, file: string): Promise<Measured> {
  const cpu0 = cpuSeconds(broker.pid);
  const args = op === 'produce'
    ? ['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0', '-l', ...PRODUCE_FLAGS, file]
    : ['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-c', String(RECORDS), ...CONSUME_FLAGS];
  const r = await runTimed('kcat', args, { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`kcat ${op} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return { client: 'librdkafka (kcat)', op, size, rate: RECORDS / r.elapsed, clientCpu: r.cpu, brokerCpu: cpuSeconds(broker.pid) - cpu0, elapsed: r.elapsed, rssMiB: null };
}

/** Runs every client for both sizes against one broker. */
export async function measure(): Promise<Measured[]> {
  const broker = await startBenchBroker({ overrides: { 'num.partitions': 1 } });
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-clients-'));
  const out: Measured[] = [];
  try {
    const admin = new Admin({ bootstrapServers: broker.bootstrap });
    // @platformatic/kafka does not create topics on first use.
    await admin.createTopics(SIZES.flatMap((size) => ['kcat', ...NODE_CLIENTS].map((c) => ({ name: `${c}-${size}`, partitions: 1 }))));
    await admin.close();
    for (const size of SIZES) {
      const file = join(dir, `records-${size}`);
      await writeRecordsFile(file, RECORDS, size);
      // kcat first: its topic is the one every consumer reads.
      const shared = `kcat-${size}`;
      out.push(await kcat(broker, 'produce', shared, size, file));
      for (const client of NODE_CLIENTS) {
        out.push(await nodeClient(broker, client, 'produce', `${client}-${size}`, size));
        process.stderr.write(`[bench] ${client} produce ${size} B: ${Math.round(out.at(-1)!.rate)}/s\n`);
      }
      out.push(await kcat(broker, 'consume', shared, size, file));
      for (const client of NODE_CLIENTS) {
        out.push(await nodeClient(broker, client, 'consume', shared, size));
        process.stderr.write(`[bench] ${client} consume ${size} B: ${Math.round(out.at(-1)!.rate)}/s\n`);
      }
      rmSync(file, { force: true });
    }
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** The suite's contract (bench/run.ts): one row per client, operation and size. */
export async function run(): Promise<BenchRow[]> {
  return (await measure()).map((m) => ({
    name: `${m.op} ${m.size} B, ${m.client}`,
    value: m.rate,
    unit: 'records/s',
    note: `client CPU ${m.clientCpu.toFixed(2)} s, broker CPU ${m.brokerCpu.toFixed(2)} s${m.rssMiB === null ? '' : `, client peak RSS ${m.rssMiB} MiB`}`,
  }));
}

/** A markdown table: records/s, MB/s, CPU, RSS, and Samsa's ratio to each other client. */
export function markdown(rows: Measured[]): string {
  const lines = ['| operation | client | records/s | MB/s | client CPU s | broker CPU s | client peak RSS | Samsa ÷ this |', '|---|---|---|---|---|---|---|---|'];
  for (const m of rows) {
    const samsa = rows.find((r) => r.client === 'samsa' && r.op === m.op && r.size === m.size)!;
    lines.push(`| ${m.op} ${m.size === 1024 ? '1 KiB' : `${m.size} B`} | ${m.client} | ${Math.round(m.rate).toLocaleString('en-US')} | ${((m.rate * m.size) / 1e6).toFixed(1)} | ${m.clientCpu.toFixed(2)} | ${m.brokerCpu.toFixed(2)} | ${m.rssMiB === null ? '–' : `${m.rssMiB} MiB`} | ${(samsa.rate / m.rate).toFixed(2)}× |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await measure();
  process.stdout.write(markdown(rows) + '\n');
}
