// `samsa transactions <command>`: Kafka's kafka-transactions (TransactionsCommand):
// list and describe transactional ids, describe a partition's active producers,
// abort an open transaction on a partition, find hanging transactions.
import type { ProducerState } from '../client/admin.js';
import type { TopicPartition } from '../client/types.js';
import { defineCommand, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { Command } from './command.js';
import { OUTPUT_OPTION, outputFormat } from './output.js';
import { failedBecause, printTable, TxnCommandError, type TxnContext } from './transactions/context.js';
import { findHanging } from './transactions/find-hanging.js';

const int = (name: string, describe: string): OptionSpec => ({ name, kind: 'int', describe });

const spec = defineCommand({
  name: 'transactions',
  summary: 'List and describe transactions and producers, find and abort hanging transactions (Kafka\'s kafka-transactions); '
    + 'COMMAND is list, describe, describe-producers, abort or find-hanging.',
  operands: 'COMMAND',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, valueName: 'host:port', describe: 'hostname and port for the broker to connect to, in the form `host:port` (multiple comma-separated entries can be given)' },
    { ...COMMAND_CONFIG_OPTION, valueName: 'FILE', describe: 'property file containing configs to be passed to admin client' },
    { name: 'transactional-id', kind: 'string', describe: 'describe: transactional id' },
    { name: 'topic', kind: 'string', describe: 'describe-producers, abort: topic name; find-hanging: topic name to limit search to (required if --partition is specified)' },
    int('partition', 'describe-producers, abort, find-hanging: partition number'),
    int('broker-id', 'describe-producers: optional broker id to describe the producer state on a specific replica; find-hanging: broker id to search for hanging transactions'),
    int('start-offset', 'abort: start offset of the transaction to abort'),
    int('producer-id', 'abort (brokers older than 3.0): producer id'),
    int('producer-epoch', 'abort (brokers older than 3.0): producer epoch'),
    int('coordinator-epoch', 'abort (brokers older than 3.0): coordinator epoch'),
    int('duration-filter', 'list: Duration (in millis) to filter by: if < 0, all transactions will be returned; otherwise, only transactions running longer than this duration will be returned'),
    { ...int('max-transaction-timeout', 'find-hanging: maximum transaction timeout in minutes to limit the scope of the search'), default: 15 },
    OUTPUT_OPTION,
  ],
});

const SUBCOMMANDS: Record<string, { options: string[]; required: string[]; run: (ctx: TxnContext) => Promise<void> }> = {
  list: { options: ['duration-filter'], required: [], run: list },
  describe: { options: ['transactional-id'], required: ['transactional-id'], run: describe },
  'describe-producers': { options: ['broker-id', 'topic', 'partition'], required: ['topic', 'partition'], run: describeProducers },
  abort: { options: ['topic', 'partition', 'start-offset', 'producer-id', 'producer-epoch', 'coordinator-epoch'], required: ['topic', 'partition'], run: abort },
  'find-hanging': { options: ['broker-id', 'max-transaction-timeout', 'topic', 'partition'], required: [], run: findHanging },
};
const COMMON = ['bootstrap-server', 'command-config', 'output'];

/** argparse's checks: one known sub-command, its required options, no option of another sub-command. */
function subcommand(args: ParsedArgs): (typeof SUBCOMMANDS)[string] {
  if (!args.has('bootstrap-server')) throw new UsageError('argument --bootstrap-server is required');
  const [name, ...extra] = args.operands;
  if (name === undefined) throw new UsageError('too few arguments');
  const sub = SUBCOMMANDS[name];
  if (!sub) throw new UsageError(`argument COMMAND: invalid choice: '${name}' (choose from ${Object.keys(SUBCOMMANDS).map((n) => `'${n}'`).join(', ')})`);
  const unknown = [...extra, ...args.given().filter((o) => !COMMON.includes(o) && !sub.options.includes(o)).map((o) => `--${o}`)];
  if (unknown.length > 0) throw new UsageError(`unrecognized arguments: '${unknown.join(' ')}'`);
  const missing = sub.required.find((o) => !args.has(o));
  if (missing) throw new UsageError(`argument --${missing} is required`);
  return sub;
}

async function list(ctx: TxnContext): Promise<void> {
  let listings;
  try {
    listings = await ctx.admin.listTransactions({ minDurationMs: ctx.args.int('duration-filter') });
  } catch (e) {
    throw failedBecause('Failed to list transactions', e);
  }
  printTable(ctx, ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'],
    listings.map((t) => [t.transactionalId, String(t.coordinatorId), String(t.producerId), t.state]));
}

async function describe(ctx: TxnContext): Promise<void> {
  const id = ctx.args.string('transactional-id')!;
  let d;
  try {
    [d] = await ctx.admin.describeTransactions([id]);
  } catch (e) {
    throw failedBecause(`Failed to describe transaction state of transactional-id \`${id}\``, e);
  }
  const open = d.transactionStartTimeMs >= 0;
  printTable(ctx, [
    'CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs',
    'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions',
  ], [[
    String(d.coordinatorId), id, String(d.producerId), String(d.producerEpoch), d.state, String(d.transactionTimeoutMs),
    open ? String(d.transactionStartTimeMs) : 'None', open ? String(Date.now() - d.transactionStartTimeMs) : 'None',
    d.partitions.map((p) => `${p.topic}-${p.partition}`).join(','),
  ]]);
}

/** The active producers of the --topic/--partition partition, at its leader or at --broker-id. */
async function producersOf(ctx: TxnContext, partition: TopicPartition, brokerId: number | undefined): Promise<ProducerState[]> {
  try {
    return (await ctx.admin.describeProducers([partition], { brokerId }))[0].producers;
  } catch (e) {
    throw failedBecause(`Failed to describe producers for partition ${partition.topic}-${partition.partition} on ${brokerId === undefined ? 'leader' : `broker ${brokerId}`}`, e);
  }
}

function chosenPartition(args: ParsedArgs): TopicPartition {
  return { topic: args.string('topic')!, partition: args.int('partition')! };
}

async function describeProducers(ctx: TxnContext): Promise<void> {
  const producers = await producersOf(ctx, chosenPartition(ctx.args), ctx.args.int('broker-id'));
  printTable(ctx, ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset'],
    producers.map((p) => [
      String(p.producerId), String(p.producerEpoch), String(p.coordinatorEpoch), String(p.lastSequence), String(p.lastTimestamp),
      p.currentTransactionStartOffset >= 0 ? String(p.currentTransactionStartOffset) : 'None',
    ]));
}

/** Aborts the transaction found by --start-offset, or given by --producer-id, --producer-epoch and --coordinator-epoch. */
async function abort(ctx: TxnContext): Promise<void> {
  const { args } = ctx;
  const partition = chosenPartition(args);
  const name = `${partition.topic}-${partition.partition}`;
  let producer: { producerId: number; producerEpoch: number; coordinatorEpoch: number };
  if (args.has('start-offset')) {
    const startOffset = args.int('start-offset')!;
    const found = (await producersOf(ctx, partition, undefined)).find((p) => p.currentTransactionStartOffset >= 0 && p.currentTransactionStartOffset === startOffset);
    if (!found) throw new TxnCommandError(`Could not find any open transactions starting at offset ${startOffset} on partition ${name}`);
    producer = found;
  } else if (args.has('producer-id')) {
    if (!args.has('producer-epoch')) throw new TxnCommandError('Missing required argument --producer-epoch');
    if (!args.has('coordinator-epoch')) throw new TxnCommandError('Missing required argument --coordinator-epoch');
    producer = { producerId: args.int('producer-id')!, producerEpoch: args.int('producer-epoch')!, coordinatorEpoch: args.int('coordinator-epoch')! };
  } else {
    throw new TxnCommandError('The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with '
      + '--producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)');
  }
  // A transaction that hung before its first marker has coordinator epoch -1; 0 is at most any real one.
  const abortSpec = { ...partition, producerId: producer.producerId, producerEpoch: producer.producerEpoch, coordinatorEpoch: Math.max(0, producer.coordinatorEpoch) };
  try {
    await ctx.admin.abortTransaction(abortSpec);
  } catch (e) {
    throw failedBecause(`Failed to abort transaction AbortTransactionSpec(topicPartition=${name}, producerId=${abortSpec.producerId}, `
      + `producerEpoch=${abortSpec.producerEpoch}, coordinatorEpoch=${abortSpec.coordinatorEpoch})`, e);
  }
}

export const command: Command = {
  spec,
  async run(args, io) {
    const sub = subcommand(args);
    const json = outputFormat(args) === 'json';
    try {
      await withAdmin(args, (admin) => sub.run({ admin, args, io, json }));
      return 0;
    } catch (e) {
      if (!(e instanceof TxnCommandError)) throw e;
      io.stderr.write(`${e.message}\n`);
      return 1;
    }
  },
};
