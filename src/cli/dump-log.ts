// `samsa dump-log`: Kafka's kafka-dump-log.sh (DumpLogSegments). Prints the contents of segment
// files (.log), offset and time indexes (checked against their segment), producer-state
// snapshots and aborted-transaction indexes, in Kafka 3.9's words, straight from the files: no
// broker needed.
import { basename, extname } from 'node:path';
import { UsageError, defineCommand, type ParsedArgs } from './args.js';
import type { CliIo, Command } from './command.js';
import { DumpFindings } from './dump-log/findings.js';
import { type IndexDumpOptions, dumpOffsetIndex, dumpTimeIndex } from './dump-log/index-dump.js';
import { type LogDumpOptions, MAX_BYTES_DEFAULT, dumpLog } from './dump-log/log-dump.js';
import { offsetsParser } from './dump-log/offsets-parser.js';
import { stringParser, transactionLogParser, type RecordParser } from './dump-log/record-parsers.js';
import { dumpProducerSnapshot, dumpTxnIndex } from './dump-log/state-dump.js';
import { INDEX_SUFFIX, LOG_SUFFIX, SNAPSHOT_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX } from '../storage/file-names.js';

const spec = defineCommand({
  name: 'dump-log',
  summary: 'This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment.',
  options: [
    { name: 'files', kind: 'string', required: true, valueName: 'file1, file2, ...', describe: 'REQUIRED: The comma separated list of data and index log files to be dumped.' },
    { name: 'print-data-log', kind: 'flag', describe: 'If set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.' },
    { name: 'deep-iteration', kind: 'flag', describe: 'If set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.' },
    { name: 'verify-index-only', kind: 'flag', describe: 'If set, just verify the index log without printing its content.' },
    {
      name: 'index-sanity-check', kind: 'flag',
      describe: 'If set, just checks the index sanity without printing its content. This is the same check that is executed on broker startup to determine if an index needs rebuilding or not.',
    },
    { name: 'max-message-size', kind: 'int', valueName: 'Integer: size', default: 5 * 1024 * 1024, describe: 'Size of largest message.' },
    { name: 'max-bytes', kind: 'int', valueName: 'Integer: size', default: MAX_BYTES_DEFAULT, describe: 'Limit the amount of total batches read in bytes avoiding reading the whole .log file(s).' },
    { name: 'offsets-decoder', kind: 'flag', describe: 'If set, log data will be parsed as offset data from the __consumer_offsets topic.' },
    { name: 'transaction-log-decoder', kind: 'flag', describe: 'If set, log data will be parsed as transaction metadata from the __transaction_state topic.' },
    { name: 'skip-record-metadata', kind: 'flag', describe: 'Whether to skip printing metadata for each record.' },
  ],
});

function sizeOption(args: ParsedArgs, name: string): number {
  const value = args.int(name) ?? 0;
  if (value < 0) throw new UsageError(`option --${name}: '${value}' is negative`);
  return value;
}

function recordParser(args: ParsedArgs): RecordParser {
  if (args.flag('offsets-decoder')) return offsetsParser;
  if (args.flag('transaction-log-decoder')) return transactionLogParser;
  return stringParser;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const printData = args.flag('print-data-log') || args.flag('offsets-decoder') || args.flag('transaction-log-decoder');
  const logOptions: LogDumpOptions = {
    printData,
    deepIteration: printData || args.flag('deep-iteration'),
    skipRecordMetadata: args.flag('skip-record-metadata'),
    parser: recordParser(args),
    maxBytes: sizeOption(args, 'max-bytes'),
  };
  const indexOptions: IndexDumpOptions = {
    sanityCheckOnly: args.flag('index-sanity-check'),
    verifyOnly: args.flag('verify-index-only'),
    maxMessageSize: sizeOption(args, 'max-message-size'),
  };
  const out = (text: string): void => void io.stdout.write(text);
  const err = (text: string): void => void io.stderr.write(text);
  const findings = new DumpFindings();
  // Like Kafka's split(","), which drops trailing empty names.
  const files = (args.string('files') ?? '').split(',').filter((f) => f !== '');
  for (const file of files) {
    out(`Dumping ${file}\n`);
    switch (extname(basename(file))) {
      case LOG_SUFFIX: dumpLog(file, logOptions, findings, out); break;
      case INDEX_SUFFIX: dumpOffsetIndex(file, indexOptions, findings, out); break;
      case TIME_INDEX_SUFFIX: dumpTimeIndex(file, indexOptions, findings, out); break;
      case SNAPSHOT_SUFFIX: dumpProducerSnapshot(file, out, err); break;
      case TXN_INDEX_SUFFIX: dumpTxnIndex(file, out); break;
      default: err(`Ignoring unknown file ${file}\n`);
    }
  }
  const report = findings.report();
  if (report.length > 0) err(report.join('\n') + '\n');
  return 0;
}

export const command: Command = { spec, run };
