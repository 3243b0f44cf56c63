// `samsa console-producer`: Kafka's kafka-console-producer.sh (ConsoleProducer). Reads stdin line
// by line (LineMessageReader: optional headers and key per line), sends each line as a record,
// and at EOF flushes and exits 0. A line that cannot be parsed stops the tool with Kafka's message
// after what was read before it has been sent.
import { createInterface } from 'node:readline';
import { Producer, type ProducerRecord, type RecordMetadata } from '../client/index.js';
import { defineCommand, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, ensureReachable, producerOptions, readClientProperties } from './client-options.js';
import type { CliIo, Command } from './command.js';
import { LINE_READER_PROPERTIES, LineRecordReader } from './line-record-reader.js';
import { recordBytes, SendWindow } from './send-window.js';
import { readToolProperties } from './tool-properties.js';

const spec = defineCommand({
  name: 'console-producer',
  summary: 'Read lines from standard input and send each as a record (Kafka\'s kafka-console-producer).',
  options: [
    BOOTSTRAP_SERVER_OPTION,
    { name: 'topic', kind: 'string', required: true, valueName: 'String: topic', describe: 'The topic to produce messages to.' },
    { name: 'sync', kind: 'flag', describe: 'Send each record and wait for its acknowledgement before reading the next line.' },
    { name: 'compression-codec', kind: 'optional', valueName: 'String: compression-codec', describe: 'The compression codec: none, gzip, snappy, lz4 or zstd; gzip if given without a value.' },
    { name: 'batch-size', kind: 'int', default: 16384, valueName: 'Integer: size', describe: 'batch.size: bytes of records sent together to one partition.' },
    { name: 'message-send-max-retries', kind: 'int', default: 3, describe: 'retries: how many times a failed send is retried.' },
    { name: 'retry-backoff-ms', kind: 'int', default: 100, describe: 'retry.backoff.ms: the wait before a retry.' },
    { name: 'timeout', kind: 'int', default: 1000, valueName: 'Long: timeout_ms', describe: 'linger.ms: how long a record may wait for more to fill its batch.' },
    { name: 'request-required-acks', kind: 'string', default: '-1', valueName: 'String: request required acks', describe: 'acks: -1 (all), 1 or 0.' },
    { name: 'request-timeout-ms', kind: 'int', default: 1500, valueName: 'Integer: request timeout ms', describe: 'request.timeout.ms: how long to wait for an acknowledgement.' },
    { name: 'metadata-expiry-ms', kind: 'int', default: 300000, valueName: 'Long: metadata expiration interval', describe: 'metadata.max.age.ms: how often metadata is refreshed.' },
    { name: 'max-block-ms', kind: 'int', default: 60000, valueName: 'Long: max block on send', describe: 'max.block.ms: how long a send may wait for metadata or buffer space.' },
    { name: 'max-memory-bytes', kind: 'int', default: 33554432, valueName: 'Long: total memory in bytes', describe: 'buffer.memory: bytes of records waiting to be sent.' },
    { name: 'max-partition-memory-bytes', kind: 'int', default: 16384, valueName: 'Integer: memory in bytes per partition', describe: 'batch.size (wins over --batch-size).' },
    {
      name: 'property', kind: 'list', valueName: 'String: prop',
      describe: 'key=value for the line reader: parse.key, key.separator (\\t), parse.headers, headers.delimiter (\\t), '
        + 'headers.separator (,), headers.key.separator (:), null.marker, ignore.error. With both parse.headers and parse.key '
        + 'a line is "h1:v1,h2:v2<TAB>key<TAB>value".',
    },
    { name: 'reader-config', kind: 'string', valueName: 'String: config file', describe: 'Properties file for the line reader (--property wins over it).' },
    { name: 'producer-property', kind: 'list', valueName: 'String: producer_prop', describe: 'key=value producer config (Kafka\'s names).' },
    { name: 'producer.config', kind: 'string', valueName: 'String: config file', describe: 'Producer config properties file (--producer-property wins over it).' },
  ],
});

/** Producer configs the tool's own options set (Kafka's maybeMergeOptions: given option > config > option default), in Kafka's order. */
const MERGED_OPTIONS: [config: string, option: string][] = [
  ['linger.ms', 'timeout'],
  ['acks', 'request-required-acks'],
  ['request.timeout.ms', 'request-timeout-ms'],
  ['retries', 'message-send-max-retries'],
  ['retry.backoff.ms', 'retry-backoff-ms'],
  ['buffer.memory', 'max-memory-bytes'],
  ['batch.size', 'batch-size'],
  ['batch.size', 'max-partition-memory-bytes'],
  ['metadata.max.age.ms', 'metadata-expiry-ms'],
  ['max.block.ms', 'max-block-ms'],
];

async function producerProperties(args: ParsedArgs): Promise<Map<string, string>> {
  const props = await readClientProperties(args, { files: ['producer.config'], pairs: ['producer-property'] });
  const codec = args.string('compression-codec');
  // As in Kafka, the codec option always decides compression.type (none when not given).
  props.set('compression.type', codec === undefined ? 'none' : codec === '' ? 'gzip' : codec);
  if (!props.has('client.id')) props.set('client.id', 'console-producer');
  for (const [config, option] of MERGED_OPTIONS) {
    if (args.has(option) || !props.has(config)) props.set(config, args.string(option)!);
  }
  return props;
}

/** Kafka's ErrorLoggingCallback line for a record that could not be sent. */
function sendFailure(record: ProducerRecord, error: Error): string {
  const size = (d: ProducerRecord['key']): string => (d === null || d === undefined ? 'null' : `${Buffer.byteLength(d)} bytes`);
  return `ERROR Error when sending message to topic ${record.topic} with key: ${size(record.key)}, value: ${size(record.value)} with error: ${error.message}\n`;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const reader = new LineRecordReader(args.string('topic')!, await readToolProperties(args, 'reader-config', 'property', LINE_READER_PROPERTIES));
  const props = await producerProperties(args);
  const options = producerOptions(props);
  await ensureReachable(options);
  const producer = new Producer(options);
  const sync = args.flag('sync');
  const window = new SendWindow(Number(props.get('buffer.memory')));
  // Kafka prompts with '>' when it runs on a terminal.
  const prompt = Boolean((io.stdin as { isTTY?: boolean }).isTTY && (io.stdout as { isTTY?: boolean }).isTTY);
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  try {
    if (prompt) io.stdout.write('>');
    for await (const line of lines) {
      const record = reader.read(line);
      if (sync) {
        await producer.send(record);
      } else {
        const size = recordBytes(record);
        await window.acquire(size);
        producer.send(record).then(
          (_m: RecordMetadata) => window.release(size),
          (e: Error) => {
            io.stderr.write(sendFailure(record, e));
            window.release(size);
          },
        );
      }
      if (prompt) io.stdout.write('>');
    }
  } finally {
    lines.close();
    await producer.close();
    await window.idle();
  }
  return 0;
}

export const command: Command = { spec, run };
