// `consumer-groups --describe`: a group's partitions with their committed
// offsets, log-end offsets and lag (the default, or --offsets), its members
// (--members [--verbose]), or its state (--state), in ConsumerGroupCommand's
// column layout.
import type { GroupDescription } from '../../client/admin.js';
import { partitionKey, type TopicPartition } from '../../client/types.js';
import { padColumns, progressBar, writeJson, writeLines } from '../output.js';
import { byTopicPartition, MISSING, printError, selectedGroups, type GroupContext } from './context.js';

/** One row of the offsets view; null stands for Kafka's '-'. */
export interface PartitionRow {
  group: string;
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

const REBALANCING = new Set(['PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']);

/** Runs --describe; resolves to the exit code (1 when a group does not exist). */
export async function describeGroups(ctx: GroupContext): Promise<number> {
  const groupIds = await selectedGroups(ctx);
  const descriptions = (await ctx.admin.describeGroups(groupIds)).sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  if (ctx.args.has('members')) {
    report(ctx, descriptions.map((d) => ({ d, rows: d.members.length, json: membersJson(d), text: () => membersTable(d, ctx.args.has('verbose')) })));
  } else if (ctx.args.has('state')) {
    report(ctx, descriptions.map((d) => ({ d, rows: 1, json: stateJson(d), text: () => stateTable(d) })));
  } else {
    // Two requests per group: over many groups (--all-groups) a progress bar on a terminal.
    const bar = progressBar(ctx.io, descriptions.length, 'Describing groups ');
    const groups = [];
    try {
      for (const d of descriptions) {
        const rows = await offsetRows(ctx, d);
        groups.push({ d, rows: rows.length, json: { group: d.groupId, state: d.state, partitions: rows }, text: () => offsetsTable(rows) });
        bar.tick();
      }
    } finally {
      bar.done();
    }
    report(ctx, groups);
  }
  return descriptions.some((d) => d.state === 'Dead') ? 1 : 0;
}

/** Prints each group's table after Kafka's state notes (shouldPrintMemberState), or all of them as one JSON array. */
function report(ctx: GroupContext, groups: { d: GroupDescription; rows: number; json: unknown; text: () => string[] }[]): void {
  for (const { d, rows, text } of groups) {
    if (d.state === 'Dead') {
      printError(ctx, `Consumer group '${d.groupId}' does not exist.`);
      continue;
    }
    if (d.state === 'Empty') ctx.io.stderr.write(`\nConsumer group '${d.groupId}' has no active members.\n`);
    if (REBALANCING.has(d.state)) ctx.io.stderr.write(`\nWarning: Consumer group '${d.groupId}' is rebalancing.\n`);
    if (!ctx.json && rows > 0) writeLines(ctx.io, ['', ...text()]);
  }
  if (ctx.json) writeJson(ctx.io, groups.map((g) => g.json));
}

/**
 * Kafka's rows: each member with partitions (most partitions first) and its partitions, then the
 * partitions with a committed offset that no member holds.
 */
async function offsetRows(ctx: GroupContext, d: GroupDescription): Promise<PartitionRow[]> {
  if (d.state === 'Dead') return [];
  const committed = new Map((await ctx.admin.listGroupOffsets(d.groupId)).map((o) => [partitionKey(o.topic, o.partition), o.offset]));
  const owners: { partitions: TopicPartition[]; consumerId: string | null; host: string | null; clientId: string | null }[] = d.members
    .filter((m) => m.assignment.length > 0)
    .sort((a, b) => b.assignment.length - a.assignment.length)
    .map((m) => ({ partitions: [...m.assignment].sort(byTopicPartition), consumerId: m.memberId, host: m.clientHost, clientId: m.clientId }));
  const assigned = new Set(owners.flatMap((o) => o.partitions.map((p) => partitionKey(p.topic, p.partition))));
  const unassigned = [...committed.keys()].filter((k) => !assigned.has(k)).map((k) => {
    const [topic, partition] = k.split('\u0000');
    return { topic, partition: Number(partition) };
  });
  if (unassigned.length > 0) owners.push({ partitions: unassigned.sort(byTopicPartition), consumerId: null, host: null, clientId: null });
  const all = owners.flatMap((o) => o.partitions);
  const ends = all.length === 0 ? [] : await ctx.admin.listOffsets(all.map((p) => ({ ...p, at: 'latest' as const })));
  const endOf = new Map(ends.map((e) => [partitionKey(e.topic, e.partition), e.offset]));
  return owners.flatMap((o) => o.partitions.map((p) => {
    const key = partitionKey(p.topic, p.partition);
    const currentOffset = committed.get(key) ?? null;
    const logEndOffset = endOf.get(key) ?? null;
    return {
      group: d.groupId,
      topic: p.topic,
      partition: p.partition,
      currentOffset,
      logEndOffset,
      lag: currentOffset !== null && currentOffset !== -1 && logEndOffset !== null ? logEndOffset - currentOffset : null,
      consumerId: o.consumerId,
      host: o.host,
      clientId: o.clientId,
    };
  }));
}

const cell = (v: string | number | null): string => (v === null ? MISSING : String(v));

/** The offsets table: GROUP, TOPIC, CONSUMER-ID and HOST as wide as their widest cell (at least 15), the rest fixed. */
function offsetsTable(rows: PartitionRow[]): string[] {
  const widest = (f: (r: PartitionRow) => string | null): number => Math.max(15, ...rows.map((r) => cell(f(r)).length));
  const widths = [widest((r) => r.group), widest((r) => r.topic), 10, 15, 15, 15, widest((r) => r.consumerId), widest((r) => r.host), null];
  return [
    padColumns(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], widths),
    ...rows.map((r) => padColumns([r.group, r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId, r.host, r.clientId].map(cell), widths)),
  ];
}

/** The members table; GROUP-INSTANCE-ID only when some member has one, ASSIGNMENT only with --verbose. */
function membersTable(d: GroupDescription, verbose: boolean): string[] {
  const withInstanceId = d.members.some((m) => m.groupInstanceId);
  const rows = d.members.map((m) => [
    d.groupId, m.memberId, ...(withInstanceId ? [m.groupInstanceId ?? ''] : []), m.clientHost, m.clientId, String(m.assignment.length),
    verbose ? assignmentText(m.assignment) : '',
  ]);
  const headers = ['GROUP', 'CONSUMER-ID', ...(withInstanceId ? ['GROUP-INSTANCE-ID'] : []), 'HOST', 'CLIENT-ID', '#PARTITIONS', verbose ? 'ASSIGNMENT' : ''];
  const minimums = [15, 15, ...(withInstanceId ? [17] : []), 15, 15];
  const widths = [...minimums.map((min, i) => Math.max(min, ...rows.map((r) => r[i].length))), 15, null];
  return [headers, ...rows].map((r) => padColumns(r, widths));
}

/** `topic(0,1,2), other(3)`, or '-' for no partitions. */
function assignmentText(assignment: readonly TopicPartition[]): string {
  if (assignment.length === 0) return MISSING;
  const byTopic = new Map<string, number[]>();
  for (const p of assignment) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return [...byTopic].map(([topic, partitions]) => `${topic}(${partitions.sort((a, b) => a - b).join(',')})`).sort().join(', ');
}

/** The state table: the coordinator as `host:port  (id)`; Kafka sizes the GROUP column by that cell. */
function stateTable(d: GroupDescription): string[] {
  const coordinator = coordinatorText(d);
  const width = Math.max(25, coordinator.length);
  const widths = [width, 25, 20, 15, null];
  return [
    padColumns(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], widths),
    padColumns([d.groupId, coordinator, d.protocol, d.state, String(d.members.length)], widths),
  ];
}

function coordinatorText(d: GroupDescription): string {
  return `${d.coordinator.host}:${d.coordinator.port}  (${d.coordinator.nodeId})`;
}

function membersJson(d: GroupDescription): unknown {
  return {
    group: d.groupId,
    state: d.state,
    members: d.members.map((m) => ({
      consumerId: m.memberId, groupInstanceId: m.groupInstanceId, host: m.clientHost, clientId: m.clientId,
      partitions: m.assignment.length, assignment: [...m.assignment].sort(byTopicPartition),
    })),
  };
}

function stateJson(d: GroupDescription): unknown {
  return { group: d.groupId, coordinator: d.coordinator, assignmentStrategy: d.protocol, state: d.state, members: d.members.length };
}
