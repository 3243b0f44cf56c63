// `samsa producer-perf-test` and `samsa consumer-perf-test` (Kafka's perf tools) run as child
// processes against an in-process broker, with small counts: the shape of their output lines,
// payload files, transactions, and bad flags.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { kcat, run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
let dir: string;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1, 'transaction.state.log.replication.factor': 1, 'transaction.state.log.min.isr': 1 } });
  dir = mkdtempSync(join(tmpdir(), 'samsa-perf-'));
});
after(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

function samsa(args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, ...args], { timeoutMs: 120_000 });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const NUMBER = String.raw`\d+(?:\.\d+)?`;
/** ProducerPerformance's last line. */
const PRODUCER_TOTAL = new RegExp(String.raw`^(\d+) records sent, \d+\.\d{6} records/sec \(\d+\.\d{2} MB/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, `
  + String.raw`\d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$`);
/** ProducerPerformance's line every 5 s. */
const PRODUCER_WINDOW = /^\d+ records sent, \d+\.\d records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$/;
const DATE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}`;
const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

test('producer-perf-test prints Kafka\'s lines; consumer-perf-test reads the records back and prints its header and result', async () => {
  const b = broker.bootstrap;
  const produced = await samsa(['producer-perf-test', '--topic', 'perf', '--num-records', '3000', '--record-size', '100', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${b}`, 'acks=1', 'linger.ms=2']);
  assert.equal(produced.code, 0, produced.stderr);
  const out = lines(produced.stdout);
  assert.match(out[out.length - 1], PRODUCER_TOTAL);
  assert.equal(PRODUCER_TOTAL.exec(out[out.length - 1])![1], '3000');
  for (const line of out.slice(0, -1)) assert.match(line, PRODUCER_WINDOW);
  const sample = await kcat(['-b', b, '-C', '-t', 'perf', '-c', '1', '-e', '-q']);
  assert.match(sample, /^[A-Z]{100}\n$/);

  const consumed = await samsa(['consumer-perf-test', '--bootstrap-server', b, '--topic', 'perf', '--messages', '3000']);
  assert.equal(consumed.code, 0, consumed.stderr);
  const [header, result, ...more] = lines(consumed.stdout);
  assert.equal(header, HEADER);
  assert.deepEqual(more, []);
  const fields = result.split(', ');
  assert.equal(fields.length, 10);
  assert.match(fields[0], new RegExp(`^${DATE}$`));
  assert.match(fields[1], new RegExp(`^${DATE}$`));
  assert.equal(fields[2], (300_000 / 1024 / 1024).toFixed(4));
  assert.equal(fields[4], '3000');
  for (const i of [3, 5, 8, 9]) assert.match(fields[i], /^(\d+\.\d{4}|Infinity|NaN)$/);
  for (const i of [6, 7]) assert.match(fields[i], /^\d+$/);

  // Detailed stats: a line per reporting interval, no result line.
  const detailed = await samsa(['consumer-perf-test', '--bootstrap-server', b, '--topic', 'perf', '--messages', '3000', '--show-detailed-stats',
    '--reporting-interval', '1', '--date-format', "yyyy-MM-dd'T'HH:mm"]);
  assert.equal(detailed.code, 0, detailed.stderr);
  const [detailedHeader, ...progress] = lines(detailed.stdout);
  assert.equal(detailedHeader, DETAILED_HEADER);
  assert.ok(progress.length >= 1);
  for (const line of progress) {
    assert.match(line, new RegExp(String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}, 0, ${NUMBER}, ${NUMBER}, \d+, ${NUMBER}, \d+, -?\d+, ${NUMBER}, ${NUMBER}$`));
  }

  // Fewer records than asked for: the warning after --timeout, exit 0; --hide-header drops the header.
  const short = await samsa(['consumer-perf-test', '--bootstrap-server', b, '--topic', 'perf', '--messages', '5000', '--timeout', '1000', '--hide-header']);
  assert.equal(short.code, 0, short.stderr);
  const [warning, shortResult] = lines(short.stdout);
  assert.equal(warning, 'WARNING: Exiting before consuming the expected number of messages: timeout (1000 ms) exceeded. You can use the --timeout option to increase the timeout.');
  assert.equal(shortResult.split(', ')[4], '3000');
});

test('producer-perf-test with a payload file, throttled, and in transactions', async () => {
  const b = broker.bootstrap;
  const payloads = join(dir, 'payloads.txt');
  writeFileSync(payloads, 'alpha;beta;gamma;');
  const r = await samsa(['producer-perf-test', '--topic', 'payloads', '--num-records', '30', '--payload-file', payloads, '--payload-delimiter', ';',
    '--throughput', '200', '--bootstrap-server', b, '--producer-props', 'acks=all']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out[0], `Reading payloads from: ${payloads}`);
  assert.equal(out[1], 'Number of messages read: 3');
  assert.match(out[out.length - 1], PRODUCER_TOTAL);
  const values = lines(await kcat(['-b', b, '-C', '-t', 'payloads', '-e', '-q']));
  assert.equal(values.length, 30);
  assert.deepEqual([...new Set(values)].filter((v) => !['alpha', 'beta', 'gamma'].includes(v)), []);

  const txn = await samsa(['producer-perf-test', '--topic', 'txn', '--num-records', '40', '--payload-monotonic', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${b}`, '--transaction-duration-ms', '5', '--transactional-id', 'perf-txn']);
  assert.equal(txn.code, 0, txn.stderr);
  assert.match(lines(txn.stdout).at(-1)!, PRODUCER_TOTAL);
  // kcat reads committed records only (librdkafka's default isolation): all 40, numbered from 0.
  const committed = lines(await kcat(['-b', b, '-C', '-t', 'txn', '-e', '-q', '-X', 'isolation.level=read_committed']));
  assert.deepEqual(committed, Array.from({ length: 40 }, (_, i) => String(i)));
});

test('perf tools: bad or missing flags exit 1 naming them', async () => {
  const b = broker.bootstrap;
  const cases: [string[], RegExp][] = [
    [['producer-perf-test', '--topic', 't', '--num-records', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${b}`],
      /one of the arguments --record-size --payload-file --payload-monotonic is required/],
    [['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--payload-monotonic', '--throughput', '-1', '--producer-props', `bootstrap.servers=${b}`],
      /--payload-monotonic: not allowed with argument --record-size/],
    [['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1'], /Either --producer-props or --producer\.config must be specified/],
    [['producer-perf-test', '--topic', 't', '--record-size', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${b}`], /missing required option --num-records/],
    [['producer-perf-test', '--topic', 't', '--num-records', 'ten', '--record-size', '10', '--throughput', '-1'], /--num-records: 'ten' is not an integer/],
    [['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', 'fast', '--producer-props', `bootstrap.servers=${b}`], /--throughput: 'fast'/],
    [['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${b}`, 'lingr.ms=5'], /lingr\.ms/],
    [['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props'], /--producer-props requires a value/],
    [['consumer-perf-test', '--bootstrap-server', b, '--topic', 't'], /missing required option --messages/],
    [['consumer-perf-test', '--bootstrap-server', b, '--topic', 't', '--messages', '1', '--reporting-interval', '0'], /Reporting interval must be greater than 0/],
    [['consumer-perf-test', '--bootstrap-server', b, '--topic', 't', '--messages', '1', '--date-format', 'yyyy-QQ'], /pattern letter 'Q'/],
    [['consumer-perf-test', '--bootstrap-server', b, '--topic', 't', '--messages', '1', '--frobnicate'], /unknown option --frobnicate/],
  ];
  const results = await Promise.all(cases.map(([args]) => samsa(args)));
  cases.forEach(([args, message], i) => {
    assert.equal(results[i].code, 1, `${args.join(' ')}: ${results[i].stderr}`);
    assert.match(results[i].stderr, message, args.join(' '));
  });
});
