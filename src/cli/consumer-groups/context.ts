// What the consumer-groups actions share: the admin client, the options,
// where to write, the groups to act on, and Kafka's `topic:0,1` arguments.
import type { Admin } from '../../client/admin.js';
import { partitionKey, type TopicPartition } from '../../client/types.js';
import { UsageError, type ParsedArgs } from '../args.js';
import type { CliIo } from '../command.js';

/** Kafka's placeholder for an empty cell. */
export const MISSING = '-';

export interface GroupContext {
  admin: Admin;
  args: ParsedArgs;
  io: CliIo;
  /** --output json: tables become one JSON document, and notices go to stderr so stdout stays parseable. */
  json: boolean;
}

/** A line for the user beside the report (Kafka prints these on stdout; in JSON mode they go to stderr). */
export function notice(ctx: GroupContext, line: string): void {
  (ctx.json ? ctx.io.stderr : ctx.io.stdout).write(`${line}\n`);
}

/** Kafka's printError: a blank line, then `Error: <message>`. */
export function printError(ctx: GroupContext, message: string): void {
  notice(ctx, `\nError: ${message}`);
}

/** The groups named by --group, or with --all-groups every consumer group (protocol type 'consumer' or none, as Kafka lists them). */
export async function selectedGroups(ctx: GroupContext): Promise<string[]> {
  if (!ctx.args.has('all-groups')) return ctx.args.list('group');
  return listConsumerGroups(ctx.admin);
}

export async function listConsumerGroups(admin: Admin): Promise<string[]> {
  return (await admin.listGroups()).filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
}

/**
 * Partitions of --topic values, each once: `topic:0,1,2` names partitions, a bare `topic` means all
 * of its partitions (looked up; an unknown topic fails).
 */
export async function topicPartitionsOf(admin: Admin, topicArgs: readonly string[]): Promise<TopicPartition[]> {
  const named = topicArgs.filter((t) => t.includes(':')).flatMap(parseTopicWithPartitions);
  const bare = topicArgs.filter((t) => !t.includes(':'));
  const described = bare.length === 0 ? [] : await admin.describeTopics(bare);
  const all = [...named, ...described.flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })))];
  return [...new Map(all.map((p) => [partitionKey(p.topic, p.partition), p])).values()];
}

/** `topic:0,1,2` → its partitions, with Kafka's messages for a malformed argument. */
export function parseTopicWithPartitions(topicArg: string): TopicPartition[] {
  const parts = topicArg.split(':');
  if (parts.length !== 2 || parts[1] === '') throw new UsageError(`Invalid topic arg '${topicArg}', expected topic name and partitions`);
  return parts[1].split(',').map((p) => {
    if (!/^[+-]?\d+$/.test(p)) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${topicArg}''`);
    return { topic: parts[0], partition: Number(p) };
  });
}

/** Kafka's TopicPartition.toString: `topic-partition`. */
export function tpName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Orders by topic, then partition number. */
export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}
