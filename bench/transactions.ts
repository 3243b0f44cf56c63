// Issue 16: what idempotence and transactions cost, against one `samsa start`.
//   idempotence   kcat produce of the same file with enable.idempotence=false and =true (both
//                 acks=all, which idempotence implies), alternating, each on a fresh topic
//   transactions  a confluent_kafka transactional producer committing transactions of 100 and of
//                 10,000 records (bench/py/txn_throughput.py), and the same script without
//                 transactions (idempotent) as the client's own ceiling
// Contract with bench/run.ts: `run()` returns the rows.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTopic, deleteTopic, totalEndOffset } from './admin.js';
import { type ClientRun, PRODUCE_FLAGS, REPEATS, kcatProduce, summarise, writeRecordsFile } from './broker.js';
import { type BenchBroker, type BenchRow, cpuSeconds, median, removeDir, runTimed, startBenchBroker, systemBusySeconds } from './lib.js';

const IDEMPOTENCE_RECORDS = Number(process.env.BENCH_IDEMPOTENCE_RECORDS ?? 1_000_000);
/** More runs than the suite's REPEATS: the two modes differ by a few percent, the shared machine by more. */
const IDEMPOTENCE_REPEATS = Number(process.env.BENCH_IDEMPOTENCE_REPEATS ?? 5);
const RECORD_SIZE = 100;
/** [records per transaction, transactions]: about 30,000 and 500,000 records. */
const TRANSACTIONS: [number, number][] = [[100, 300], [10_000, 50]];
const PY_TXN = fileURLToPath(new URL('../../bench/py/txn_throughput.py', import.meta.url));

/** PRODUCE_FLAGS with acks=all (idempotence requires it; the plain runs use it too, to compare like with like). */
const produceFlags = (idempotent: boolean): string[] => [
  ...PRODUCE_FLAGS.map((f) => (f === 'acks=1' ? 'acks=all' : f)),
  '-X', `enable.idempotence=${idempotent}`,
];

export async function run(): Promise<BenchRow[]> {
  const broker = await startBenchBroker();
  const work = mkdtempSync(join(tmpdir(), 'samsa-bench-txn-'));
  try {
    return [...(await idempotence(broker, work)), ...(await transactions(broker))];
  } finally {
    await broker.stop();
    removeDir(broker.dataDir);
    removeDir(work);
  }
}

async function idempotence(broker: BenchBroker, work: string): Promise<BenchRow[]> {
  const file = join(work, 'records.txt');
  await writeRecordsFile(file, IDEMPOTENCE_RECORDS, RECORD_SIZE);
  const runs: Record<'plain' | 'idempotent', ClientRun[]> = { plain: [], idempotent: [] };
  for (let rep = 0; rep < IDEMPOTENCE_REPEATS; rep++) {
    // Alternating, the order swapped every round: drift in the machine's load hits both alike.
    const order = rep % 2 === 0 ? (['plain', 'idempotent'] as const) : (['idempotent', 'plain'] as const);
    for (const mode of order) {
      const topic = `bench-${mode}-${rep}`;
      await createTopic(broker.bootstrap, topic, 1);
      runs[mode].push(await kcatProduce(broker, topic, [file], produceFlags(mode === 'idempotent')));
      const end = await totalEndOffset(broker.bootstrap, topic);
      if (end !== IDEMPOTENCE_RECORDS) throw new Error(`${topic}: ${end} records in the log, expected ${IDEMPOTENCE_RECORDS}`);
      await deleteTopic(broker.bootstrap, topic);
    }
  }
  const label = (mode: string): string => `produce 100 B, 1 partition, 1 kcat, acks=all, ${mode}`;
  const [plainRows, idempotentRows] = [summarise(label('enable.idempotence=false'), runs.plain, IDEMPOTENCE_RECORDS, RECORD_SIZE, 'kcat'),
    summarise(label('enable.idempotence=true'), runs.idempotent, IDEMPOTENCE_RECORDS, RECORD_SIZE, 'kcat')];
  const brokerCpu = (rs: ClientRun[]): number => median(rs.map((r) => r.brokerCpu));
  return [
    plainRows[0],
    idempotentRows[0],
    {
      name: 'idempotent produce vs plain (kcat, acks=all)',
      value: (100 * idempotentRows[0].value) / plainRows[0].value,
      unit: '% of plain records/s',
      note: `medians of ${IDEMPOTENCE_REPEATS} alternating runs; broker CPU per record ${(1e6 * brokerCpu(runs.idempotent) / IDEMPOTENCE_RECORDS).toFixed(2)} µs idempotent, `
        + `${(1e6 * brokerCpu(runs.plain) / IDEMPOTENCE_RECORDS).toFixed(2)} µs plain (medians)`,
    },
  ];
}

interface PyRun {
  /** The timed loop, as the script measured it. */
  seconds: number;
  /** The whole process, start-up included: what the CPU figures are relative to. */
  wall: number;
  records: number;
  transactions: number;
  brokerCpu: number;
  clientCpu: number;
  otherCpu: number;
}

/** One txn_throughput.py run on a fresh topic; the log end is checked (one marker per transaction). */
async function pyProduce(broker: BenchBroker, topic: string, txnSize: number, txnCount: number, transactional: boolean): Promise<PyRun> {
  await createTopic(broker.bootstrap, topic, 1);
  const cpu0 = cpuSeconds(broker.pid);
  const busy0 = systemBusySeconds();
  const args = [PY_TXN, broker.bootstrap, topic, String(txnSize), String(txnCount), ...(transactional ? [] : ['--no-transactions'])];
  const r = await runTimed('/usr/bin/python3', args, { timeoutMs: 240_000, captureStdout: true });
  const brokerCpu = cpuSeconds(broker.pid) - cpu0;
  if (r.code !== 0) throw new Error(`txn_throughput.py exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  const out = JSON.parse(r.stdout) as { seconds: number; records: number; transactions: number };
  const end = await totalEndOffset(broker.bootstrap, topic);
  // Plus the warm-up record and, in a transaction, its marker.
  const expected = 1 + out.records + (transactional ? 1 + out.transactions : 0);
  if (end !== expected) throw new Error(`${topic}: log end ${end}, expected ${expected}`);
  await deleteTopic(broker.bootstrap, topic);
  return { ...out, wall: r.elapsed, brokerCpu, clientCpu: r.cpu, otherCpu: systemBusySeconds() - busy0 - brokerCpu - r.cpu };
}

async function transactions(broker: BenchBroker): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Not measured: the first transactional id creates __transaction_state (50 partitions).
  await pyProduce(broker, 'bench-txn-warm-up', 1, 1, true);
  for (const [size, count] of TRANSACTIONS) {
    const txn: PyRun[] = [];
    const plain: PyRun[] = [];
    for (let rep = 0; rep < REPEATS; rep++) {
      txn.push(await pyProduce(broker, `bench-txn-${size}-${rep}`, size, count, true));
      plain.push(await pyProduce(broker, `bench-notxn-${size}-${rep}`, size, count, false));
    }
    const rate = (rs: PyRun[], per: (r: PyRun) => number): number => median(rs.map((r) => per(r) / r.seconds));
    const records = rate(txn, (r) => r.records);
    const mid = txn.find((r) => r.records / r.seconds === records) ?? txn[0];
    const pct = (cpu: number): string => `${Math.round((100 * cpu) / mid.wall)}%`;
    const cpu = `over the whole python process (start-up included): broker CPU ${pct(mid.brokerCpu)} (${((1e6 * mid.brokerCpu) / mid.records).toFixed(2)} µs/record), `
      + `python ${pct(mid.clientCpu)}, other processes ${pct(Math.max(0, mid.otherCpu))}`;
    const label = `transactions of ${size.toLocaleString('en-US')} records (confluent_kafka, 100 B, 1 partition)`;
    rows.push(
      {
        name: label,
        value: records,
        unit: 'records/s',
        note: `median of ${REPEATS} runs of ${count} transactions (${txn.map((r) => Math.round(r.records / r.seconds).toLocaleString('en-US')).join(', ')}); ${cpu}; `
          + `same loop without transactions (idempotent, flush per ${size.toLocaleString('en-US')}): ${Math.round(rate(plain, (r) => r.records)).toLocaleString('en-US')} records/s`,
      },
      { name: label, value: rate(txn, (r) => r.transactions), unit: 'transactions/s', note: 'each committed: commit_transaction returned' },
    );
  }
  return rows;
}
