// `samsa console-consumer`: Kafka's kafka-console-consumer.sh (ConsoleConsumer). Prints each
// record as DefaultMessageFormatter does until --max-messages, --timeout-ms without a record,
// SIGINT/SIGTERM or a closed stdout; then commits (with a group and auto-commit) what was printed,
// closes and reports `Processed a total of N messages` on stderr.
import { randomInt } from 'node:crypto';
import { Consumer, WakeupError, type ConsumerRecord } from '../client/index.js';
import { defineCommand, UsageError, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, consumerOptions, ensureReachable, readClientProperties } from './client-options.js';
import type { CliIo, Command } from './command.js';
import { FORMATTER_PROPERTIES, MessageFormatter } from './message-formatter.js';
import { readToolProperties } from './tool-properties.js';

const spec = defineCommand({
  name: 'console-consumer',
  summary: 'Print the records of a topic on standard output (Kafka\'s kafka-console-consumer).',
  options: [
    BOOTSTRAP_SERVER_OPTION,
    { name: 'topic', kind: 'string', valueName: 'String: topic', describe: 'The topic to consume on.' },
    { name: 'include', kind: 'string', valueName: 'String: Java regex (String)', describe: 'Regular expression naming the topics to consume (instead of --topic).' },
    { name: 'group', kind: 'string', valueName: 'String: consumer group id', describe: 'The consumer group id of the consumer (default: a new console-consumer-NNNNN group).' },
    { name: 'partition', kind: 'int', valueName: 'Integer: partition', describe: 'The partition to consume from, from its end unless --offset is given (no group).' },
    {
      name: 'offset', kind: 'string', default: 'latest', valueName: 'String: consume offset',
      describe: 'The offset to start at with --partition: a non-negative number, earliest or latest.',
    },
    { name: 'from-beginning', kind: 'flag', describe: 'Without a committed offset, start with the earliest record rather than the latest.' },
    { name: 'max-messages', kind: 'int', valueName: 'Integer: num_messages', describe: 'Exit after printing this many records.' },
    { name: 'timeout-ms', kind: 'int', valueName: 'Long: timeout_ms', describe: 'Exit when no record comes for this long.' },
    { name: 'skip-message-on-error', kind: 'flag', describe: 'If a record cannot be printed, skip it instead of stopping.' },
    {
      name: 'isolation-level', kind: 'string', default: 'read_uncommitted', valueName: 'String',
      describe: 'read_committed hides transactional records not committed; read_uncommitted shows all.',
    },
    {
      name: 'property', kind: 'list', valueName: 'String: prop',
      describe: 'key=value for the formatter: print.timestamp, print.key, print.offset, print.partition, print.headers, '
        + 'print.value (true|false), key.separator, line.separator, headers.separator, null.literal.',
    },
    { name: 'formatter-config', kind: 'string', valueName: 'String: config file', describe: 'Properties file for the formatter (--property wins over it).' },
    { name: 'consumer-property', kind: 'list', valueName: 'String: consumer_prop', describe: 'key=value consumer config (Kafka\'s names).' },
    { name: 'consumer.config', kind: 'string', valueName: 'String: config file', describe: 'Consumer config properties file (--consumer-property wins over it).' },
  ],
});

const EARLIEST = -2;
const LATEST = -1;

/** Where to start with --partition: Kafka's EARLIEST/LATEST timestamps or an offset. */
function startOffset(args: ParsedArgs): number {
  if (!args.has('offset')) return args.flag('from-beginning') ? EARLIEST : LATEST;
  const text = args.string('offset')!;
  const lower = text.toLowerCase();
  if (lower === 'earliest') return EARLIEST;
  if (lower === 'latest') return LATEST;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`The provided offset value '${text}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
  }
  return Number(text);
}

/** Kafka's checks of the option combinations, with its messages. */
function checkOptions(args: ParsedArgs): void {
  if (args.has('topic') === args.has('include')) throw new UsageError('Exactly one of --include/--topic is required.');
  if (args.has('partition')) {
    if (!args.has('topic')) throw new UsageError('The topic is required when partition is specified.');
    if (args.flag('from-beginning') && args.has('offset')) throw new UsageError('Options from-beginning and offset cannot be specified together.');
  } else if (args.has('offset')) {
    throw new UsageError('The partition is required when offset is specified.');
  }
  if (!args.has('bootstrap-server')) throw new UsageError('missing required option --bootstrap-server');
}

async function consumerProperties(args: ParsedArgs): Promise<Map<string, string>> {
  const props = await readClientProperties(args, { files: ['consumer.config'], pairs: ['consumer-property'] });
  // A group named in several places must be the same everywhere.
  const groups = new Set([args.string('group'), props.get('group.id')].filter((g): g is string => g !== undefined));
  if (groups.size > 1) {
    throw new UsageError('The group ids provided in different places (directly using \'--group\', via \'--consumer-property\', or via \'--consumer.config\') do not match. '
      + `Detected group ids: ${[...groups].map((g) => `'${g}'`).join(', ')}`);
  }
  if (groups.size > 0 && args.has('partition')) throw new UsageError('Options group and partition cannot be specified together.');
  const reset = props.get('auto.offset.reset');
  if (reset === undefined) {
    props.set('auto.offset.reset', args.flag('from-beginning') ? 'earliest' : 'latest');
  } else if (args.flag('from-beginning') && reset !== 'earliest') {
    throw new UsageError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`);
  }
  if (!props.has('client.id')) props.set('client.id', 'console-consumer');
  if (args.has('isolation-level') || !props.has('isolation.level')) props.set('isolation.level', args.string('isolation-level')!);
  if (groups.size === 0) {
    // A throwaway group: its offsets are not worth committing unless asked for.
    props.set('group.id', `console-consumer-${randomInt(100_000)}`);
    if (!props.has('enable.auto.commit')) props.set('enable.auto.commit', 'false');
  } else {
    props.set('group.id', [...groups][0]);
  }
  return props;
}

/** Records from poll() handed out one at a time, as Kafka's ConsumerWrapper does. */
class RecordSource {
  private batch: ConsumerRecord[] = [];
  private next = 0;

  constructor(private readonly consumer: Consumer, private readonly timeoutMs: number) {}

  /** The next record; throws a timeout error when none came for timeoutMs. */
  async receive(): Promise<ConsumerRecord> {
    const started = Date.now();
    while (this.next >= this.batch.length) {
      const left = this.timeoutMs - (Date.now() - started);
      if (left <= 0) throw new Error(`no record within ${this.timeoutMs} ms (--timeout-ms)`);
      this.batch = await this.consumer.poll(Math.min(left, 1000));
      this.next = 0;
    }
    return this.batch[this.next++];
  }

  /** Seeks back to the records polled but not handed out, so that closing does not commit past them. */
  rewindUnconsumed(): void {
    const first = new Map<string, ConsumerRecord>();
    for (const r of this.batch.slice(this.next)) {
      const key = `${r.topic}\u0000${r.partition}`;
      if (!first.has(key)) first.set(key, r);
    }
    for (const r of first.values()) this.consumer.seek(r, r.offset);
    this.batch = [];
  }
}

/** Writes to stdout, waiting when its buffer is full; false once stdout is gone (EPIPE). */
class Output {
  private failed = false;

  constructor(private readonly io: CliIo) {
    io.stdout.on('error', () => { this.failed = true; });
  }

  async write(bytes: Buffer): Promise<boolean> {
    if (this.failed) return false;
    const stdout = this.io.stdout;
    if (!stdout.write(bytes)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdout.off('drain', done);
          stdout.off('error', done);
          resolve();
        };
        stdout.on('drain', done);
        stdout.on('error', done);
      });
    }
    return !this.failed;
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  checkOptions(args);
  const offset = startOffset(args);
  const maxMessages = args.int('max-messages') ?? -1;
  const timeoutMs = (args.int('timeout-ms') ?? -1) >= 0 ? args.int('timeout-ms')! : Infinity;
  const format = new MessageFormatter(await readToolProperties(args, 'formatter-config', 'property', FORMATTER_PROPERTIES));
  const options = consumerOptions(await consumerProperties(args));
  await ensureReachable(options);
  const consumer = new Consumer(options);
  const topic = args.string('topic');
  const partition = args.int('partition');
  if (topic !== undefined && partition !== undefined) {
    const tp = { topic, partition };
    consumer.assign([tp]);
    if (offset === EARLIEST) consumer.seekToBeginning([tp]);
    else if (offset === LATEST) consumer.seekToEnd([tp]);
    else consumer.seek(tp, offset);
  } else if (topic !== undefined) {
    consumer.subscribe([topic]);
  } else {
    // Java's Pattern.matches: the whole topic name must match.
    consumer.subscribe(new RegExp(`^(?:${args.string('include')!})$`));
  }

  const stop = (): void => consumer.wakeup();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const source = new RecordSource(consumer, timeoutMs);
  const output = new Output(io);
  let count = 0;
  try {
    while (maxMessages < 0 || count < maxMessages) {
      let record: ConsumerRecord;
      try {
        record = await source.receive();
      } catch (e) {
        // As in Kafka, the end of input (a wakeup from a signal, a timeout, an error) ends the loop and the tool exits 0.
        if (!(e instanceof WakeupError)) io.stderr.write(`ERROR Error processing message, terminating consumer process: ${(e as Error).message}\n`);
        break;
      }
      count++;
      let written: boolean;
      try {
        written = await output.write(format.format(record));
      } catch (e) {
        if (!args.flag('skip-message-on-error')) throw e;
        io.stderr.write(`ERROR Error processing message, skipping this message: ${(e as Error).message}\n`);
        continue;
      }
      if (!written) {
        io.stderr.write('Unable to write to standard out, closing consumer.\n');
        break;
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    source.rewindUnconsumed();
    await consumer.close();
    io.stderr.write(`Processed a total of ${count} messages\n`);
  }
  return 0;
}

export const command: Command = { spec, run };
