// `samsa topics`: Kafka's kafka-topics (TopicCommand) — create, list,
// describe, alter (partition count) and delete topics, with Kafka's flags,
// checks and output lines.
import type { Admin, ConfigEntry, TopicDescription } from '../client/admin.js';
import { defineCommand, UsageError, type ParsedArgs } from './args.js';
import { BOOTSTRAP_SERVER_OPTION, COMMAND_CONFIG_OPTION, withAdmin } from './client-options.js';
import type { CliIo, Command } from './command.js';
import { OUTPUT_OPTION, outputFormat, progressBar, writeJson, writeLines, type OutputFormat } from './output.js';

const ACTIONS = ['create', 'list', 'alter', 'describe', 'delete'] as const;
type Action = (typeof ACTIONS)[number];
const REPORTS = ['under-replicated-partitions', 'under-min-isr-partitions', 'at-min-isr-partitions', 'unavailable-partitions'] as const;

const spec = defineCommand({
  name: 'topics',
  summary: 'Create, delete, describe, or change a topic (Kafka\'s kafka-topics).',
  options: [
    { ...BOOTSTRAP_SERVER_OPTION, describe: 'REQUIRED: The Kafka server to connect to.' },
    COMMAND_CONFIG_OPTION,
    { name: 'list', kind: 'flag', describe: 'List all available topics.' },
    { name: 'create', kind: 'flag', describe: 'Create a new topic.' },
    { name: 'delete', kind: 'flag', describe: 'Delete a topic.' },
    { name: 'alter', kind: 'flag', describe: 'Alter the number of partitions and replica assignment (topic configs are changed with samsa configs).' },
    { name: 'describe', kind: 'flag', describe: 'List details for the given topics.' },
    { name: 'topic', kind: 'string', valueName: 'String: topic', describe: 'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create.' },
    { name: 'config', kind: 'list', valueName: 'String: name=value', describe: 'A topic configuration override for the topic being created (repeatable).' },
    { name: 'partitions', kind: 'int', valueName: 'Integer: # of partitions', describe: 'The number of partitions for the topic being created or altered. If not supplied for create, defaults to the cluster default.' },
    { name: 'replication-factor', kind: 'int', valueName: 'Integer: replication factor', describe: 'The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.' },
    { name: 'replica-assignment', kind: 'string', valueName: 'String: broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : ...', describe: 'A list of manual partition-to-broker assignments for the topic being created or altered.' },
    { name: 'under-replicated-partitions', kind: 'flag', describe: 'if set when describing topics, only show under replicated partitions' },
    { name: 'unavailable-partitions', kind: 'flag', describe: 'if set when describing topics, only show partitions whose leader is not available' },
    { name: 'under-min-isr-partitions', kind: 'flag', describe: 'if set when describing topics, only show partitions whose isr count is less than the configured minimum.' },
    { name: 'at-min-isr-partitions', kind: 'flag', describe: 'if set when describing topics, only show partitions whose isr count is equal to the configured minimum.' },
    { name: 'topics-with-overrides', kind: 'flag', describe: 'if set when describing topics, only show topics that have overridden configs' },
    { name: 'if-exists', kind: 'flag', describe: 'if set when altering or deleting or describing topics, the action will only execute if the topic exists.' },
    { name: 'if-not-exists', kind: 'flag', describe: 'if set when creating topics, the action will only execute if the topic does not already exist.' },
    { name: 'exclude-internal', kind: 'flag', describe: 'exclude internal topics when running list or describe command. The internal topics will be listed by default' },
    OUTPUT_OPTION,
  ],
});

/** Which actions each option may be used with (TopicCommand's checkInvalidArgs). */
const ALLOWED_WITH: Record<string, readonly Action[]> = {
  config: ['create'],
  partitions: ['alter', 'create'],
  'replication-factor': ['create'],
  'replica-assignment': ['alter', 'create'],
  'under-replicated-partitions': ['describe'],
  'under-min-isr-partitions': ['describe'],
  'at-min-isr-partitions': ['describe'],
  'unavailable-partitions': ['describe'],
  'topics-with-overrides': ['describe'],
  'if-exists': ['alter', 'delete', 'describe'],
  'if-not-exists': ['create'],
  'exclude-internal': ['list', 'describe'],
  output: ['list', 'describe'],
};

/** The command line, checked as TopicCommandOptions.checkArgs does. */
interface TopicRequest {
  action: Action;
  topic: string | undefined;
  /** --topic as the regular expression list, describe, alter and delete match names with. */
  pattern: RegExp | undefined;
  partitions: number | undefined;
  replicationFactor: number | undefined;
  assignments: number[][] | undefined;
  configs: Record<string, string>;
  format: OutputFormat;
}

/** One run of an action. */
interface Run {
  admin: Admin;
  request: TopicRequest;
  io: CliIo;
  args: ParsedArgs;
}

function checkArgs(args: ParsedArgs): TopicRequest {
  const actions = ACTIONS.filter((a) => args.flag(a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  const action = actions[0];
  for (const [option, allowed] of Object.entries(ALLOWED_WITH)) {
    if (args.has(option) && !allowed.includes(action)) throw new UsageError(`Option "[${option}]" can't be used with option "[${action}]"`);
  }
  if (args.flag('topics-with-overrides')) {
    const report = REPORTS.find((r) => args.flag(r));
    if (report) throw new UsageError(`Option "[${report}]" can't be used with option "[topics-with-overrides]"`);
  }
  if (action === 'create' && args.has('replica-assignment')) {
    for (const option of ['partitions', 'replication-factor']) {
      if (args.has(option)) throw new UsageError(`Option "[replica-assignment]" can't be used with option "[${option}]"`);
    }
  }
  if (action !== 'list' && action !== 'describe' && !args.has('topic')) throw new UsageError('Missing required argument "[topic]"');
  if (action === 'alter' && !args.has('partitions')) throw new UsageError('Missing required argument "[partitions]"');
  const assignment = args.string('replica-assignment');
  return {
    action,
    topic: args.string('topic'),
    pattern: args.has('topic') && action !== 'create' ? topicPattern(args.string('topic')!) : undefined,
    partitions: args.int('partitions'),
    replicationFactor: args.int('replication-factor'),
    assignments: assignment ? parseReplicaAssignment(assignment) : undefined,
    configs: parseConfigs(args.list('config')),
    format: outputFormat(args),
  };
}

/** '1:2,3:4' → [[1, 2], [3, 4]]: each partition's replicas, all lists of one length, without repeats. */
export function parseReplicaAssignment(text: string): number[][] {
  return text.split(',').map((partition, i, all) => {
    const brokers = partition.split(':').map((s) => {
      const id = s.trim();
      if (!/^[+-]?\d+$/.test(id)) throw new UsageError(`option --replica-assignment: '${id}' is not a broker id`);
      return Number(id);
    });
    const repeated = [...new Set(brokers.filter((b, j) => brokers.indexOf(b) !== j))];
    if (repeated.length > 0) throw new UsageError(`Partition replica lists may not contain duplicate entries: ${repeated.join(',')}`);
    const first = all[0].split(':').length;
    if (brokers.length !== first) throw new UsageError(`Partition ${i} has different replication factor: [${brokers.join(', ')}]`);
    return brokers;
  });
}

/** --config values: `k=v` each (Java's split on `\s*=\s*`, so an empty value or a second '=' is refused). */
function parseConfigs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const parts = pair.split(/\s*=\s*/);
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length !== 2) throw new UsageError('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".');
    out[parts[0].trim()] = parts[1].trim();
  }
  return out;
}

/**
 * Kafka's IncludeList: a regular expression matched against whole topic names, where ',' means '|'
 * and spaces and surrounding quotes are dropped.
 */
export function topicPattern(raw: string): RegExp {
  const regex = raw.trim().replaceAll(',', '|').replaceAll(' ', '').replace(/^["']+/, '').replace(/["']+$/, '');
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch {
    throw new UsageError(`${regex} is an invalid regex.`);
  }
}

/** Topic names matching --topic (all without it), internal ones left out with --exclude-internal. */
async function matchingTopics(admin: Admin, args: ParsedArgs, pattern: RegExp | undefined): Promise<string[]> {
  const all = await admin.listTopics({ includeInternal: !args.flag('exclude-internal') });
  return pattern ? all.filter((t) => pattern.test(t)) : all;
}

/** TopicCommand.ensureTopicExists: a named topic that matches nothing is an error unless --if-exists. */
function ensureTopicExists(found: readonly string[], topic: string | undefined, args: ParsedArgs): void {
  if (topic && found.length === 0 && !args.flag('if-exists')) throw new Error(`Topic '${topic}' does not exist as expected`);
}

async function create({ admin, request, io, args }: Run): Promise<void> {
  const name = request.topic!;
  if (request.replicationFactor !== undefined && (request.replicationFactor < 1 || request.replicationFactor > 32767)) {
    throw new Error('The replication factor must be between 1 and 32767 inclusive');
  }
  if (request.partitions !== undefined && request.partitions < 1) throw new Error('The partitions must be greater than 0');
  if (name.includes('.') || name.includes('_')) {
    io.stdout.write('WARNING: Due to limitations in metric names, topics with a period (\'.\') or underscore (\'_\') could collide. To avoid issues it is best to use either, but not both.\n');
  }
  try {
    await admin.createTopics([{
      name, partitions: request.partitions, replicationFactor: request.replicationFactor, assignments: request.assignments, configs: request.configs,
    }]);
  } catch (e) {
    if ((e as { type?: string }).type === 'TOPIC_ALREADY_EXISTS' && args.flag('if-not-exists')) return;
    throw e;
  }
  io.stdout.write(`Created topic ${name}.\n`);
}

async function list({ admin, request, io, args }: Run): Promise<void> {
  const topics = await matchingTopics(admin, args, request.pattern);
  if (request.format === 'json') writeJson(io, topics);
  else io.stdout.write(`${topics.join('\n')}\n`);
}

async function alter({ admin, request, args }: Run): Promise<void> {
  const topics = await matchingTopics(admin, args, request.pattern);
  ensureTopicExists(topics, request.topic, args);
  if (topics.length === 0) return;
  const described = await admin.describeTopics(topics);
  // A replica assignment lists every partition; only those beyond the current count are new.
  await admin.createPartitions(described.map((t) => ({
    topic: t.name, count: request.partitions!, assignments: request.assignments?.slice(t.partitions.length),
  })));
}

async function remove({ admin, request, args }: Run): Promise<void> {
  const topics = await matchingTopics(admin, args, request.pattern);
  ensureTopicExists(topics, request.topic, args);
  if (topics.length > 0) await admin.deleteTopics(topics);
}

/** A described partition with what the report filters need. */
interface PartitionView {
  partition: number;
  leader: number | null;
  replicas: number[];
  isr: number[];
}

interface TopicView {
  name: string;
  topicId: string | null;
  partitionCount: number;
  replicationFactor: number;
  /** Configs not at Kafka's default (what TopicCommand prints). */
  configs: Record<string, string | null>;
  /** false when the topic line is not shown (a report option, or --topics-with-overrides without overrides). */
  shown: boolean;
  partitions: PartitionView[];
}

const ZERO_TOPIC_ID = Buffer.alloc(16).toString('base64url');

/** What TopicCommand.describeTopic prints for one topic, after its report filters. */
function topicView(t: TopicDescription, config: readonly ConfigEntry[], liveBrokers: ReadonlySet<number>, args: ParsedArgs): TopicView {
  const overrides = config.filter((c) => !c.isDefault);
  const reports = REPORTS.filter((r) => args.flag(r));
  const withOverrides = args.flag('topics-with-overrides');
  const minIsr = Number(config.find((c) => c.name === 'min.insync.replicas')?.value ?? 1);
  const sorted = [...t.partitions].sort((a, b) => a.partition - b.partition);
  const wanted = (p: (typeof sorted)[number]): boolean => {
    if (reports.length === 0) return true;
    const hasLeader = p.leader >= 0;
    return (args.flag('under-replicated-partitions') && p.replicas.length - p.isr.length > 0)
      || (args.flag('unavailable-partitions') && (!hasLeader || !liveBrokers.has(p.leader)))
      || (args.flag('under-min-isr-partitions') && (!hasLeader || p.isr.length < minIsr))
      || (args.flag('at-min-isr-partitions') && p.isr.length === minIsr);
  };
  return {
    name: t.name,
    topicId: t.topicId === ZERO_TOPIC_ID ? null : t.topicId,
    partitionCount: sorted.length,
    replicationFactor: sorted[0]?.replicas.length ?? 0,
    configs: Object.fromEntries(overrides.map((c) => [c.name, c.value])),
    shown: reports.length === 0 && (!withOverrides || overrides.length > 0),
    partitions: withOverrides ? [] : sorted.filter(wanted).map((p) => ({ partition: p.partition, leader: p.leader >= 0 ? p.leader : null, replicas: p.replicas, isr: p.isr })),
  };
}

/** Kafka 3.9's lines; Elr and LastKnownElr are N/A as Kafka prints them from Metadata (no DescribeTopicPartitions here). */
function describeLines(view: TopicView): string[] {
  const lines: string[] = [];
  if (view.shown) {
    const configs = Object.entries(view.configs).map(([k, v]) => `${k}=${v}`).join(',');
    const id = view.topicId ? `\tTopicId: ${view.topicId}` : '';
    lines.push(`Topic: ${view.name}${id}\tPartitionCount: ${view.partitionCount}\tReplicationFactor: ${view.replicationFactor}\tConfigs: ${configs}`);
  }
  for (const p of view.partitions) {
    lines.push(`\tTopic: ${view.name}\tPartition: ${p.partition}\tLeader: ${p.leader ?? 'none'}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\tElr: N/A\tLastKnownElr: N/A`);
  }
  return lines;
}

async function describe({ admin, request, io, args }: Run): Promise<void> {
  const topics = await matchingTopics(admin, args, request.pattern);
  ensureTopicExists(topics, request.topic, args);
  if (topics.length === 0) {
    if (request.format === 'json') writeJson(io, []);
    return;
  }
  const described = await admin.describeTopics(topics);
  const liveBrokers = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
  const bar = progressBar(io, described.length, 'Describing topics ');
  const views: TopicView[] = [];
  for (const t of described) {
    const [config] = await admin.describeConfigs([{ type: 'topic', name: t.name }]);
    views.push(topicView(t, config.configs, liveBrokers, args));
    bar.tick();
  }
  bar.done();
  if (request.format === 'json') {
    writeJson(io, views.filter((v) => v.shown || v.partitions.length > 0).map(({ shown: _, ...v }) => v));
  } else {
    writeLines(io, views.flatMap(describeLines));
  }
}

const RUN: Record<Action, (run: Run) => Promise<void>> = {
  create, list, alter, delete: remove, describe,
};

export const command: Command = {
  spec,
  async run(args, io) {
    const request = checkArgs(args);
    return withAdmin(args, async (admin) => {
      try {
        await RUN[request.action]({ admin, request, io, args });
        return 0;
      } catch (e) {
        if (e instanceof UsageError) throw e;
        io.stdout.write(`Error while executing topic command : ${(e as Error).message}\n`);
        return 1;
      }
    });
  },
};
