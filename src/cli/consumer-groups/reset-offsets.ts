// `consumer-groups --reset-offsets`: plans new committed offsets for inactive
// groups from one scenario (--to-earliest, --to-latest, --to-current,
// --to-offset, --to-datetime, --by-duration, --shift-by, --from-file) over a
// scope (--topic t[:p,...] or --all-topics), prints the plan (or --export's
// CSV), and commits it only with --execute.
import { readFile } from 'node:fs/promises';
import type { OffsetSpec } from '../../client/admin.js';
import { partitionKey, type TopicPartition, type TopicPartitionOffset } from '../../client/types.js';
import { UsageError } from '../args.js';
import { padColumns, progressBar, writeJson, writeLines } from '../output.js';
import { byTopicPartition, notice, printError, selectedGroups, topicPartitionsOf, tpName, type GroupContext } from './context.js';
import { parseDateTime, parseDuration } from './reset-time.js';

/** The reset scenarios, in Kafka's order; exactly one is given. */
export const RESET_SCENARIOS = ['to-offset', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'shift-by', 'from-file'] as const;

/** Offsets committed per OffsetCommit request when executing (each one ticks the progress bar). */
const COMMIT_CHUNK = 1000;

type Plan = Map<string, TopicPartitionOffset[]>;

/** Runs --reset-offsets; resolves to the exit code (1 when a group was active and left alone). */
export async function resetOffsets(ctx: GroupContext): Promise<number> {
  const fromFile = ctx.args.has('from-file') ? await readResetPlan(ctx) : null;
  const plans: Plan = new Map();
  let refused = false;
  for (const groupId of await selectedGroups(ctx)) {
    const [description] = await ctx.admin.describeGroups([groupId]);
    if (description.state !== 'Empty' && description.state !== 'Dead') {
      printError(ctx, `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${description.state}.`);
      refused = true;
      continue;
    }
    plans.set(groupId, (await planFor(ctx, groupId, fromFile)).sort(byTopicPartition));
  }
  if (ctx.args.has('execute')) await commit(ctx, plans);
  printPlan(ctx, plans);
  return refused ? 1 : 0;
}

async function planFor(ctx: GroupContext, groupId: string, fromFile: Plan | null): Promise<TopicPartitionOffset[]> {
  const { admin, args } = ctx;
  if (fromFile) {
    const plan = fromFile.get(groupId);
    if (!plan) {
      printError(ctx, `No reset plan for group ${groupId} found`);
      return [];
    }
    return clampToLog(ctx, plan);
  }
  const partitions = args.has('all-topics') ? await committedPartitions(ctx, groupId) : await topicPartitionsOf(admin, args.list('topic'));
  if (args.has('to-offset')) return clampToLog(ctx, partitions.map((p) => ({ ...p, offset: args.int('to-offset')! })));
  if (args.has('to-earliest')) return lookup(ctx, partitions, 'earliest');
  if (args.has('to-latest')) return lookup(ctx, partitions, 'latest');
  if (args.has('to-datetime')) return atTimestamp(ctx, partitions, parseDateTime(args.string('to-datetime')!));
  if (args.has('by-duration')) return atTimestamp(ctx, partitions, Date.now() - parseDuration(args.string('by-duration')!));
  const committed = new Map((await admin.listGroupOffsets(groupId)).map((o) => [partitionKey(o.topic, o.partition), o.offset]));
  if (args.has('shift-by')) {
    return clampToLog(ctx, partitions.map((p) => {
      const current = committed.get(partitionKey(p.topic, p.partition));
      if (current === undefined) throw new UsageError(`Cannot shift offset for partition ${tpName(p)} since there is no current committed offset`);
      return { ...p, offset: current + args.int('shift-by')! };
    }));
  }
  // --to-current: the committed offset, or the log end where there is none.
  const withCommit = partitions.filter((p) => committed.has(partitionKey(p.topic, p.partition)));
  const withoutCommit = partitions.filter((p) => !committed.has(partitionKey(p.topic, p.partition)));
  return [...withCommit.map((p) => ({ ...p, offset: committed.get(partitionKey(p.topic, p.partition))! })), ...await lookup(ctx, withoutCommit, 'latest')];
}

async function committedPartitions(ctx: GroupContext, groupId: string): Promise<TopicPartition[]> {
  return (await ctx.admin.listGroupOffsets(groupId)).map((o) => ({ topic: o.topic, partition: o.partition }));
}

async function lookup(ctx: GroupContext, partitions: readonly TopicPartition[], at: OffsetSpec['at']): Promise<TopicPartitionOffset[]> {
  if (partitions.length === 0) return [];
  return (await ctx.admin.listOffsets(partitions.map((p) => ({ ...p, at })))).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
}

/** The first offset at or after `timestamp`; a partition with none falls back to its log end, as Kafka warns. */
async function atTimestamp(ctx: GroupContext, partitions: readonly TopicPartition[], timestamp: number): Promise<TopicPartitionOffset[]> {
  const found = await lookup(ctx, partitions, timestamp);
  const missing = found.filter((o) => o.offset === -1);
  for (const p of missing) notice(ctx, `\nWarn: Partition ${p.partition} from topic ${p.topic} is empty. Falling back to latest known offset.`);
  return [...found.filter((o) => o.offset !== -1), ...await lookup(ctx, missing, 'latest')];
}

/** Requested offsets moved into [log start, log end], with Kafka's warnings. */
async function clampToLog(ctx: GroupContext, requested: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
  const starts = await lookup(ctx, requested, 'earliest');
  const ends = await lookup(ctx, requested, 'latest');
  return requested.map((r, i) => {
    let offset = r.offset;
    if (offset > ends[i].offset) {
      ctx.io.stderr.write(`WARN New offset (${offset}) is higher than latest offset for topic partition ${tpName(r)}. Value will be set to ${ends[i].offset}\n`);
      offset = ends[i].offset;
    } else if (offset < starts[i].offset) {
      ctx.io.stderr.write(`WARN New offset (${offset}) is lower than earliest offset for topic partition ${tpName(r)}. Value will be set to ${starts[i].offset}\n`);
      offset = starts[i].offset;
    }
    return { topic: r.topic, partition: r.partition, offset };
  });
}

/** Commits every plan in chunks, with a progress bar on a terminal. */
async function commit(ctx: GroupContext, plans: Plan): Promise<void> {
  const bar = progressBar(ctx.io, [...plans.values()].reduce((n, p) => n + p.length, 0), 'Resetting offsets ');
  try {
    for (const [groupId, plan] of plans) {
      for (let i = 0; i < plan.length; i += COMMIT_CHUNK) {
        const chunk = plan.slice(i, i + COMMIT_CHUNK);
        await ctx.admin.alterGroupOffsets(groupId, chunk);
        bar.tick(chunk.length);
      }
    }
  } finally {
    bar.done();
  }
}

/** The plan table (GROUP TOPIC PARTITION NEW-OFFSET), --export's CSV, or JSON. */
function printPlan(ctx: GroupContext, plans: Plan): void {
  const rows = [...plans].flatMap(([group, plan]) => plan.map((o) => ({ group, topic: o.topic, partition: o.partition, newOffset: o.offset })));
  if (ctx.json) {
    writeJson(ctx.io, rows);
  } else if (ctx.args.has('export')) {
    const withGroup = ctx.args.list('group').length !== 1;
    const csv = rows.map((r) => `${[...(withGroup ? [r.group] : []), r.topic, r.partition, r.newOffset].join(',')}\n`).join('');
    ctx.io.stdout.write(`${csv}\n`);
  } else if (plans.size > 0) {
    const widths = [30, 30, 10, 15];
    writeLines(ctx.io, ['', padColumns(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], widths), ...rows.map((r) => padColumns([r.group, r.topic, String(r.partition), String(r.newOffset)], widths))]);
  }
}

/**
 * --from-file: CSV lines `topic,partition,offset` (for the one --group given) or
 * `group,topic,partition,offset`, as --export writes them.
 */
async function readResetPlan(ctx: GroupContext): Promise<Plan> {
  const file = ctx.args.string('from-file')!;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the reset plan '${file}': ${(e as Error).message}`, { cause: e });
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const groups = ctx.args.list('group');
  const withoutGroup = groups.length === 1 && lines.length > 0 && lines[0].split(',').length === 3;
  const plan: Plan = new Map();
  for (const line of lines) {
    const fields = line.split(',');
    const [group, topic, partition, offset] = withoutGroup ? [groups[0], ...fields] : fields;
    if (fields.length !== (withoutGroup ? 3 : 4) || !/^\d+$/.test(partition) || !/^-?\d+$/.test(offset)) {
      throw new Error(`reset plan line '${line}' is not ${withoutGroup ? 'topic,partition,offset' : 'group,topic,partition,offset'}`);
    }
    plan.set(group, [...(plan.get(group) ?? []), { topic, partition: Number(partition), offset: Number(offset) }]);
  }
  return plan;
}
