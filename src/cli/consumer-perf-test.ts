// `samsa consumer-perf-test`: Kafka's kafka-consumer-perf-test.sh (ConsumerPerformance). Reads
// --messages records of a topic as a group member and prints Kafka's header and result line
// (or, with --show-detailed-stats, one line per --reporting-interval).
import { randomInt } from 'node:crypto';
import { Consumer, type ConsumerOptions } from '../client/index.js';
import { defineCommand, UsageError, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, consumerOptions, ensureReachable, readClientProperties } from './client-options.js';
import type { CliIo, Command } from './command.js';
import { simpleDateFormat } from './simple-date-format.js';

const spec = defineCommand({
  name: 'consumer-perf-test',
  summary: 'Measure consumer throughput (Kafka\'s kafka-consumer-perf-test).',
  options: [
    BOOTSTRAP_SERVER_OPTION,
    { name: 'topic', kind: 'string', required: true, valueName: 'String: topic', describe: 'The topic to consume from.' },
    { name: 'messages', kind: 'int', required: true, valueName: 'Long: count', describe: 'The number of messages to consume.' },
    { name: 'group', kind: 'string', valueName: 'String: gid', describe: 'The group id to consume on (default: a new perf-consumer-NNNNN group).' },
    { name: 'fetch-size', kind: 'int', default: 1048576, valueName: 'Integer: size', describe: 'max.partition.fetch.bytes: bytes fetched per partition in one request.' },
    { name: 'from-latest', kind: 'flag', describe: 'Without a committed offset, start at the end of the log rather than the beginning.' },
    { name: 'consumer.config', kind: 'string', valueName: 'String: config file', describe: 'Consumer config properties file.' },
    { name: 'show-detailed-stats', kind: 'flag', describe: 'Print a line per reporting interval.' },
    { name: 'timeout', kind: 'optional', default: 10000, valueName: 'Long: milliseconds', describe: 'The longest time allowed between returned records.' },
    { name: 'reporting-interval', kind: 'int', default: 5000, valueName: 'Long: interval_ms', describe: 'Interval in ms between detailed stats lines.' },
    { name: 'date-format', kind: 'string', default: 'yyyy-MM-dd HH:mm:ss:SSS', valueName: 'String: date format', describe: 'The format of the time columns (java.text.SimpleDateFormat letters).' },
    { name: 'hide-header', kind: 'flag', describe: 'Do not print the header line.' },
  ],
});

const MB = 1024 * 1024;

async function consumerConfig(args: ParsedArgs): Promise<ConsumerOptions> {
  const props = await readClientProperties(args, { files: ['consumer.config'] });
  props.set('group.id', args.string('group') ?? `perf-consumer-${randomInt(100_000)}`);
  props.set('max.partition.fetch.bytes', args.string('fetch-size')!);
  props.set('auto.offset.reset', args.flag('from-latest') ? 'latest' : 'earliest');
  if (!props.has('client.id')) props.set('client.id', 'perf-consumer-client');
  return consumerOptions(props);
}

/** Counts and times of one run; the rebalance (join) time is kept apart from the fetch time. */
interface Progress {
  messages: number;
  bytes: number;
  joinTimeMs: number;
  /** Join time since the last detailed line. */
  joinTimeMsInRound: number;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const numMessages = args.int('messages')!;
  // A bare --timeout means its default, as joptsimple's optional argument does.
  const timeoutText = args.string('timeout') || '10000';
  if (!/^\d+$/.test(timeoutText)) throw new UsageError(`option --timeout: '${timeoutText}' is not a number of milliseconds`);
  const timeoutMs = Number(timeoutText);
  const reportingIntervalMs = args.int('reporting-interval')!;
  if (reportingIntervalMs <= 0) throw new UsageError('Reporting interval must be greater than 0.');
  const formatDate = simpleDateFormat(args.string('date-format')!);
  const detailed = args.flag('show-detailed-stats');
  const options = await consumerConfig(args);
  if (!args.flag('hide-header')) {
    const extra = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
    io.stdout.write(detailed
      ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}\n`
      : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}\n`);
  }
  await ensureReachable(options);
  const consumer = new Consumer(options);
  const progress: Progress = { messages: 0, bytes: 0, joinTimeMs: 0, joinTimeMsInRound: 0 };
  const startMs = Date.now();
  let joinStartMs = startMs;
  consumer.subscribe([args.string('topic')!], {
    onPartitionsRevoked: () => { joinStartMs = Date.now(); },
    onPartitionsAssigned: () => {
      const elapsed = Date.now() - joinStartMs;
      progress.joinTimeMs += elapsed;
      progress.joinTimeMsInRound += elapsed;
    },
  });
  let endMs: number;
  try {
    let now = Date.now();
    let lastReportMs = now;
    let lastConsumedMs = now;
    let lastBytes = 0;
    let lastMessages = 0;
    while (progress.messages < numMessages && now - lastConsumedMs <= timeoutMs) {
      const records = await consumer.poll(100);
      now = Date.now();
      if (records.length > 0) lastConsumedMs = now;
      for (const r of records) {
        progress.messages++;
        progress.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
        if (now - lastReportMs >= reportingIntervalMs) {
          if (detailed) io.stdout.write(`${detailedLine(progress, lastBytes, lastMessages, lastReportMs, now, formatDate)}\n`);
          progress.joinTimeMsInRound = 0;
          lastReportMs = now;
          lastMessages = progress.messages;
          lastBytes = progress.bytes;
        }
      }
    }
    if (progress.messages < numMessages) {
      io.stdout.write(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. `
        + 'You can use the --timeout option to increase the timeout.\n');
    }
    endMs = Date.now();
  } finally {
    await consumer.close();
  }
  if (!detailed) {
    const elapsedSec = (endMs - startMs) / 1000;
    const fetchTimeMs = endMs - startMs - progress.joinTimeMs;
    const mb = progress.bytes / MB;
    io.stdout.write(`${[
      formatDate(startMs), formatDate(endMs), mb.toFixed(4), (mb / elapsedSec).toFixed(4), progress.messages, (progress.messages / elapsedSec).toFixed(4),
      progress.joinTimeMs, fetchTimeMs, (mb / (fetchTimeMs / 1000)).toFixed(4), (progress.messages / (fetchTimeMs / 1000)).toFixed(4),
    ].join(', ')}\n`);
  }
  return 0;
}

/** printConsumerProgress: the interval's figures, thread id 0. */
function detailedLine(p: Progress, lastBytes: number, lastMessages: number, startMs: number, endMs: number, formatDate: (ms: number) => string): string {
  const elapsedMs = endMs - startMs;
  const intervalMb = (p.bytes - lastBytes) / MB;
  const intervalMessages = p.messages - lastMessages;
  const fetchTimeMs = elapsedMs - p.joinTimeMsInRound;
  return [
    formatDate(endMs), 0, (p.bytes / MB).toFixed(4), ((1000 * intervalMb) / elapsedMs).toFixed(4), p.messages, ((intervalMessages / elapsedMs) * 1000).toFixed(4),
    p.joinTimeMsInRound, fetchTimeMs,
    (fetchTimeMs <= 0 ? 0 : (1000 * intervalMb) / fetchTimeMs).toFixed(4), (fetchTimeMs <= 0 ? 0 : (1000 * intervalMessages) / fetchTimeMs).toFixed(4),
  ].join(', ');
}

export const command: Command = { spec, run };
