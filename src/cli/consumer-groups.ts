// `samsa consumer-groups`: Kafka's kafka-consumer-groups (ConsumerGroupCommand):
// list, describe and delete consumer groups, reset or delete their offsets.
// The option checks and their messages are ConsumerGroupCommandOptions'.
import { KafkaClientError } from '../client/errors.js';
import { defineCommand, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { Command } from './command.js';
import type { GroupContext } from './consumer-groups/context.js';
import { deleteGroups, deleteOffsets } from './consumer-groups/delete.js';
import { describeGroups } from './consumer-groups/describe.js';
import { listGroups } from './consumer-groups/list.js';
import { RESET_SCENARIOS, resetOffsets } from './consumer-groups/reset-offsets.js';
import { parseDateTime, parseDuration } from './consumer-groups/reset-time.js';
import { OUTPUT_OPTION, outputFormat } from './output.js';

const flag = (name: string, describe: string): OptionSpec => ({ name, kind: 'flag', describe });

const spec = defineCommand({
  name: 'consumer-groups',
  summary: 'List, describe or delete consumer groups; reset or delete their offsets (Kafka\'s kafka-consumer-groups).',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, describe: 'REQUIRED: The server(s) to connect to.' },
    COMMAND_CONFIG_OPTION,
    { name: 'group', kind: 'list', valueName: 'String: consumer group', describe: 'The consumer group we wish to act on (repeatable).' },
    flag('all-groups', 'Apply to all consumer groups.'),
    {
      name: 'topic', kind: 'list', valueName: 'String: topic',
      describe: 'The topic whose consumer group information should be deleted or included in the reset offset process; `topic:0,1,2` names partitions (repeatable).',
    },
    flag('all-topics', 'Consider all topics assigned to a group in the `reset-offsets` process.'),
    flag('list', 'List all consumer groups.'),
    flag('describe', 'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.'),
    flag('delete', 'Pass in groups to delete topic partition offsets and ownership information over the entire consumer group.'),
    flag('delete-offsets', 'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.'),
    flag('reset-offsets', 'Reset offsets of consumer group (inactive groups only): --dry-run (the default) shows the plan, --execute applies it. One scenario and one scope (--all-topics or --topic, unless --from-file).'),
    { name: 'timeout', kind: 'int', valueName: 'Long: timeout (ms)', default: 5000, describe: 'The timeout for the admin requests, e.g. while describing a group that is stabilizing.' },
    flag('dry-run', 'Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.'),
    flag('execute', 'Execute operation. Supported operations: reset-offsets.'),
    flag('export', 'Export operation execution to a CSV format. Supported operations: reset-offsets.'),
    { name: 'to-offset', kind: 'int', valueName: 'Long: offset', describe: 'Reset offsets to a specific offset.' },
    { name: 'from-file', kind: 'string', valueName: 'String: path to CSV file', describe: 'Reset offsets to values defined in CSV file.' },
    { name: 'to-datetime', kind: 'string', valueName: 'String: datetime', describe: 'Reset offsets to offset from datetime. Format: \'YYYY-MM-DDTHH:mm:SS.sss\'' },
    { name: 'by-duration', kind: 'string', valueName: 'String: duration', describe: 'Reset offsets to offset by duration from current timestamp. Format: \'PnDTnHnMnS\'' },
    flag('to-earliest', 'Reset offsets to earliest offset.'),
    flag('to-latest', 'Reset offsets to latest offset.'),
    flag('to-current', 'Reset offsets to current offset.'),
    { name: 'shift-by', kind: 'int', valueName: 'Long: number-of-offsets', describe: 'Reset offsets shifting current offset by \'n\', where \'n\' can be positive or negative.' },
    flag('members', 'Describe members of the group (with --describe).'),
    flag('verbose', 'Provide additional information, if any, when describing the group (with --describe).'),
    flag('offsets', 'Describe the group and list all topic partitions in the group along with their offset lag (the default of --describe).'),
    {
      name: 'state', kind: 'optional', valueName: 'String',
      describe: 'With --describe, the state of the group; with --list, the state of all groups, or only the groups in the given states (e.g. stable,empty).',
    },
    OUTPUT_OPTION,
  ],
});

const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'] as const;

/** joptsimple names an option `[name]` in its messages. */
const o = (name: string): string => `[${name}]`;

/** Kafka's checks of the option combinations, with its messages; returns the one action. */
function checkArgs(args: ParsedArgs): (typeof ACTIONS)[number] {
  const has = (name: string): boolean => args.has(name);
  for (const [option, needs] of [['members', ['describe']], ['verbose', ['describe']], ['offsets', ['describe']], ['state', ['describe', 'list']]] as const) {
    if (has(option) && !needs.some(has)) throw new UsageError(`Option(s) ${o(option)} are unavailable given other options on the command line`);
  }
  if (!has('bootstrap-server')) throw new UsageError(`Missing required argument "${o('bootstrap-server')}"`);
  const groupScope = `${o('all-groups')}, ${o('group')}`;
  if (has('describe')) {
    if (!has('group') && !has('all-groups')) throw new UsageError(`Option ${o('describe')} takes one of these options: ${groupScope}`);
    const views = ['members', 'offsets', 'state'];
    if (views.filter(has).length > 1) throw new UsageError(`Option ${o('describe')} takes at most one of these options: ${views.map(o).join(', ')}`);
    if (has('state') && args.string('state') !== '') throw new UsageError(`Option ${o('describe')} does not take a value for ${o('state')}`);
  }
  if (has('delete')) {
    if (!has('group') && !has('all-groups')) throw new UsageError(`Option ${o('delete')} takes one of these options: ${groupScope}`);
    if (has('topic')) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (has('delete-offsets') && (!has('group') || !has('topic'))) {
    throw new UsageError(`Option ${o('delete-offsets')} takes the following options: ${o('group')}, ${o('topic')}`);
  }
  if (has('delete-offsets') && args.list('group').length > 1) throw new UsageError(`Option ${o('delete-offsets')} supports one consumer group at the time`);
  if (has('reset-offsets')) checkResetArgs(args);
  exclusive(args, 'group', ['all-groups', 'list']);
  exclusive(args, 'topic', ['list', 'describe']);
  const actions = ACTIONS.filter(has);
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
  return actions[0];
}

function checkResetArgs(args: ParsedArgs): void {
  const has = (name: string): boolean => args.has(name);
  if (has('dry-run') && has('execute')) throw new UsageError(`Option ${o('reset-offsets')} only accepts one of ${o('execute')} and ${o('dry-run')}`);
  if (!has('group') && !has('all-groups')) throw new UsageError(`Option ${o('reset-offsets')} takes one of these options: ${o('all-groups')}, ${o('group')}`);
  for (const scenario of RESET_SCENARIOS) exclusive(args, scenario, RESET_SCENARIOS.filter((s) => s !== scenario));
  if (!RESET_SCENARIOS.some(has)) {
    throw new UsageError(`Option '${o('reset-offsets')}' requires one of the following scenarios: [${RESET_SCENARIOS.map(o).join(', ')}]`);
  }
  if (!has('from-file') && !has('all-topics') && !has('topic')) throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
  // Malformed times fail before anything is read from the cluster.
  try {
    if (has('to-datetime')) parseDateTime(args.string('to-datetime')!);
    if (has('by-duration')) parseDuration(args.string('by-duration')!);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** CommandLineUtils.checkInvalidArgs: `used` cannot go with any of `others`. */
function exclusive(args: ParsedArgs, used: string, others: readonly string[]): void {
  if (!args.has(used)) return;
  const clash = others.find((x) => args.has(x));
  if (clash) throw new UsageError(`Option "${o(used)}" can't be used with option "${o(clash)}"`);
}

const RUN: Record<(typeof ACTIONS)[number], (ctx: GroupContext) => Promise<number>> = {
  list: listGroups,
  describe: describeGroups,
  delete: deleteGroups,
  'reset-offsets': resetOffsets,
  'delete-offsets': deleteOffsets,
};

export const command: Command = {
  spec,
  async run(args, io) {
    const action = checkArgs(args);
    const json = outputFormat(args) === 'json';
    if (action === 'reset-offsets' && !args.has('dry-run') && !args.has('execute')) {
      io.stderr.write('WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command '
        + 'will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are '
        + 'scripting this command and want to keep the current default behavior without prompting.\n');
    }
    return withAdmin(args, async (admin) => {
      try {
        return await RUN[action]({ admin, args, io, json });
      } catch (e) {
        // Kafka reports what the cluster refused this way; bad input stays a usage error.
        if (e instanceof KafkaClientError) throw new Error(`Executing consumer group command failed due to ${e.message}`, { cause: e });
        throw e;
      }
    }, { requestTimeoutMs: args.int('timeout') });
  },
};
