// `samsa producer-perf-test`: Kafka's kafka-producer-perf-test.sh (ProducerPerformance). Sends
// --num-records records, throttled to --throughput records/s, printing a line every 5 s and a
// final line with latency percentiles, in Kafka's format.
import { randomFillSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { Producer, type ProducerOptions } from '../client/index.js';
import { defineCommand, UsageError, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, ensureReachable, producerOptions, readClientProperties } from './client-options.js';
import type { CliIo, Command } from './command.js';
import { ProducerStats } from './producer-stats.js';
import { SendWindow } from './send-window.js';
import { ThroughputThrottler } from './throughput-throttler.js';

const spec = defineCommand({
  name: 'producer-perf-test',
  summary: 'Measure producer throughput and latency (Kafka\'s kafka-producer-perf-test).',
  options: [
    { name: 'topic', kind: 'string', required: true, valueName: 'TOPIC', describe: 'Produce messages to this topic.' },
    { name: 'num-records', kind: 'int', required: true, valueName: 'NUM-RECORDS', describe: 'Number of messages to produce.' },
    { name: 'record-size', kind: 'int', valueName: 'RECORD-SIZE', describe: 'Message size in bytes (exactly one of --record-size, --payload-file, --payload-monotonic).' },
    { name: 'payload-file', kind: 'string', valueName: 'PAYLOAD-FILE', describe: 'UTF-8 file of payloads; each message is one picked at random.' },
    { name: 'payload-monotonic', kind: 'flag', describe: 'The payload is the record\'s number, counting up from 0.' },
    { name: 'payload-delimiter', kind: 'string', default: '\\n', valueName: 'PAYLOAD-DELIMITER', describe: 'Delimiter (a regular expression) of the payloads in --payload-file.' },
    { name: 'throughput', kind: 'string', required: true, valueName: 'THROUGHPUT', describe: 'Throttle to about this many messages/sec; -1 for no throttling.' },
    { name: 'producer-props', kind: 'values', valueName: 'PROP-NAME=PROP-VALUE', describe: 'Producer configs (bootstrap.servers, acks, ...); they win over --producer.config.' },
    { name: 'producer.config', kind: 'string', valueName: 'CONFIG-FILE', describe: 'Producer config properties file.' },
    { ...BOOTSTRAP_SERVER_OPTION, describe: `${BOOTSTRAP_SERVER_OPTION.describe} Wins over bootstrap.servers in the producer configs.` },
    {
      name: 'transactional-id', kind: 'string', default: 'performance-producer-default-transactional-id', valueName: 'TRANSACTIONAL-ID',
      describe: 'The transactional id used when --transaction-duration-ms is > 0.',
    },
    {
      name: 'transaction-duration-ms', kind: 'int', default: 0, valueName: 'TRANSACTION-DURATION',
      describe: 'Commit a transaction after this long; transactions are used only if it is > 0.',
    },
  ],
});

/** Bytes of random capital letters the --record-size values are taken from. */
const RANDOM_POOL_SIZE = 1024 * 1024;
/** Sends between two turns of the event loop. */
const YIELD_EVERY = 64;

/** Makes each record's value: random capital letters of --record-size, a payload from the file, or the record's number. */
type PayloadSource = (index: number) => Buffer;

async function payloadSource(args: ParsedArgs, io: CliIo): Promise<PayloadSource> {
  const given = ['record-size', 'payload-file', 'payload-monotonic'].filter((o) => args.has(o));
  if (given.length === 0) throw new UsageError('one of the arguments --record-size --payload-file --payload-monotonic is required');
  if (given.length > 1) throw new UsageError(`argument --${given[1]}: not allowed with argument --${given[0]}`);
  if (args.has('record-size')) {
    const size = args.int('record-size')!;
    if (size < 0) throw new UsageError(`option --record-size: ${size} is negative`);
    // Each value is a copy from a random place in a pool of random letters (a random source per byte costs more than the send).
    const pool = randomFillSync(Buffer.allocUnsafe(RANDOM_POOL_SIZE + size));
    for (let i = 0; i < pool.length; i++) pool[i] = 65 + (pool[i] % 26);
    return () => {
      const start = Math.floor(Math.random() * RANDOM_POOL_SIZE);
      const payload = Buffer.allocUnsafe(size);
      pool.copy(payload, 0, start, start + size);
      return payload;
    };
  }
  if (args.flag('payload-monotonic')) return (index) => Buffer.from(String(index));
  const path = resolve(args.string('payload-file')!);
  io.stdout.write(`Reading payloads from: ${path}\n`);
  const text = await readFile(path, 'utf8').catch(() => '');
  if (text === '') throw new Error('File does not exist or empty file provided.');
  const delimiter = args.string('payload-delimiter')!;
  const payloads = javaSplit(text, delimiter === '\\n' ? '\n' : delimiter).map((p) => Buffer.from(p));
  io.stdout.write(`Number of messages read: ${payloads.length}\n`);
  return () => payloads[Math.floor(Math.random() * payloads.length)];
}

/** Java's String.split(regex): trailing empty strings dropped. */
function javaSplit(text: string, regex: string): string[] {
  const parts = text.split(new RegExp(regex));
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

async function producerConfig(args: ParsedArgs, transactional: boolean): Promise<ProducerOptions> {
  if (!args.has('producer-props') && !args.has('producer.config')) throw new UsageError('Either --producer-props or --producer.config must be specified.');
  const props = await readClientProperties(args, { files: ['producer.config'], pairs: ['producer-props'] });
  if (transactional) props.set('transactional.id', args.string('transactional-id')!);
  if (!props.has('client.id')) props.set('client.id', 'perf-producer-client');
  return producerOptions(props);
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = args.string('topic')!;
  const numRecords = args.int('num-records')!;
  if (numRecords <= 0) throw new UsageError(`option --num-records: ${numRecords} is not a positive number`);
  const throughput = Number(args.string('throughput'));
  // Kafka's throttler with 0 would wait forever.
  if (!Number.isFinite(throughput) || throughput === 0) throw new UsageError(`option --throughput: '${args.string('throughput')}' is not a positive number or -1`);
  const transactionDurationMs = args.int('transaction-duration-ms')!;
  const transactional = transactionDurationMs > 0;
  const payload = await payloadSource(args, io);
  const options = await producerConfig(args, transactional);
  await ensureReachable(options);
  const producer = new Producer(options);
  try {
    if (transactional) await producer.initTransactions();
    const window = new SendWindow(options.bufferMemory ?? 32 * 1024 * 1024);
    const stats = new ProducerStats(numRecords, 5000, io.stdout);
    const throttler = new ThroughputThrottler(throughput, Date.now());
    let inTransaction = 0;
    let transactionStart = 0;
    for (let i = 0; i < numRecords; i++) {
      const value = payload(i);
      if (transactional && inTransaction === 0) {
        producer.beginTransaction();
        transactionStart = Date.now();
      }
      await window.acquire(value.length);
      const sendStart = Date.now();
      const outcome = producer.send({ topic, value }).then(
        () => {
          stats.record(Date.now() - sendStart, value.length, Date.now());
          window.release(value.length);
        },
        (e: Error) => {
          // Kafka prints the failure and counts only successful sends (a transaction with one then fails to commit).
          io.stderr.write(`${e.message}\n`);
          window.release(value.length);
        },
      );
      // The first send waits for the topic's metadata (Java's send() blocks on it); later ones let
      // the event loop take acknowledgements in between.
      if (i === 0) await outcome;
      else if (i % YIELD_EVERY === 0) await setImmediate();
      inTransaction++;
      if (transactional && transactionDurationMs <= sendStart - transactionStart) {
        await producer.commitTransaction();
        inTransaction = 0;
      }
      if (throttler.shouldThrottle(i, sendStart)) await throttler.throttle();
    }
    if (transactional && inTransaction > 0) await producer.commitTransaction();
    await producer.flush();
    await window.idle();
    stats.printTotal();
  } finally {
    await producer.close();
  }
  return 0;
}

export const command: Command = { spec, run };
