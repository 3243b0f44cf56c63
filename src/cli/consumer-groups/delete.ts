// `consumer-groups --delete` (whole groups, which must be empty) and
// `--delete-offsets` (a group's committed offsets of some topics), with
// ConsumerGroupCommand's reports.
import { KafkaError } from '../../client/errors.js';
import type { TopicPartition } from '../../client/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { padColumns, writeJson, writeLines } from '../output.js';
import { byTopicPartition, parseTopicWithPartitions, printError, selectedGroups, type GroupContext } from './context.js';

/** Deletes each group; resolves to 1 when some could not be deleted. */
export async function deleteGroups(ctx: GroupContext): Promise<number> {
  const deleted: string[] = [];
  const failed: { group: string; error: string }[] = [];
  for (const group of await selectedGroups(ctx)) {
    try {
      await ctx.admin.deleteGroups([group]);
      deleted.push(group);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      failed.push({ group, error: e.message });
    }
  }
  if (ctx.json) {
    writeJson(ctx.io, { deleted, failed });
  } else if (failed.length === 0) {
    writeLines(ctx.io, [`Deletion of requested consumer groups ('${deleted.join(', ')}') was successful.`]);
  } else {
    printError(ctx, 'Deletion of some consumer groups failed:');
    writeLines(ctx.io, failed.map((f) => `* Group '${f.group}' could not be deleted due to: ${f.error}`));
    if (deleted.length > 0) writeLines(ctx.io, [`\nThese consumer groups were deleted successfully: ${deleted.map((g) => `'${g}'`).join(', ')}`]);
  }
  return failed.length === 0 ? 0 : 1;
}

// Errors about the group as a whole; the others concern single partitions.
const GROUP_ERRORS: ReadonlyMap<number, (group: string) => string> = new Map([
  [ErrorCode.INVALID_GROUP_ID, (g: string) => `'${g}' is not valid.`],
  [ErrorCode.GROUP_ID_NOT_FOUND, (g: string) => `'${g}' does not exist.`],
  [ErrorCode.GROUP_AUTHORIZATION_FAILED, (g: string) => `Access to '${g}' is not authorized.`],
  [ErrorCode.NON_EMPTY_GROUP, (g: string) => `Deleting offsets of a consumer group '${g}' is forbidden if the group is not empty.`],
]);

/**
 * Deletes the group's offsets of the --topic partitions (`topic` for all of its partitions,
 * `topic:0,1` for some), one partition at a time so each gets its own status line.
 */
export async function deleteOffsets(ctx: GroupContext): Promise<number> {
  const group = ctx.args.list('group')[0];
  const topics = ctx.args.list('topic');
  // A topic that cannot be described is reported with partition -1 ("Not Provided").
  const results: { partition: TopicPartition; error: string | null }[] = [];
  const partitions = topics.filter((t) => t.includes(':')).flatMap(parseTopicWithPartitions);
  for (const topic of topics.filter((t) => !t.includes(':'))) {
    try {
      const [d] = await ctx.admin.describeTopics([topic]);
      partitions.push(...d.partitions.map((p) => ({ topic, partition: p.partition })));
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      results.push({ partition: { topic, partition: -1 }, error: e.message });
    }
  }
  let groupError: string | null = null;
  for (const partition of partitions) {
    try {
      await ctx.admin.deleteGroupOffsets(group, [partition]);
      results.push({ partition, error: null });
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      const describe = GROUP_ERRORS.get(e.code);
      if (describe) {
        groupError = describe(group);
        break;
      }
      results.push({ partition, error: e.message });
    }
  }
  results.sort((a, b) => byTopicPartition(a.partition, b.partition));
  const partitionErrors = results.some((r) => r.error !== null);
  report(ctx, group, topics, groupError, partitionErrors, results);
  return groupError === null && !partitionErrors ? 0 : 1;
}

function report(
  ctx: GroupContext, group: string, topics: string[], groupError: string | null, partitionErrors: boolean,
  results: { partition: TopicPartition; error: string | null }[],
): void {
  if (ctx.json) {
    writeJson(ctx.io, { group, error: groupError, partitions: results.map((r) => ({ ...r.partition, error: r.error })) });
    return;
  }
  if (groupError !== null) printError(ctx, groupError);
  else if (partitionErrors) printError(ctx, 'Encounter some partition level error, see the follow-up details:');
  else writeLines(ctx.io, [`Request succeed for deleting offsets with topic ${topics.join(', ')} group ${group}`]);
  const widths = [30, 15, 15];
  writeLines(ctx.io, ['', padColumns(['TOPIC', 'PARTITION', 'STATUS'], widths), ...results.map((r) => padColumns([
    r.partition.topic,
    r.partition.partition >= 0 ? String(r.partition.partition) : 'Not Provided',
    r.error === null ? 'Successful' : `Error: :${r.error}`,
  ], widths))]);
}
