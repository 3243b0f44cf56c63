// `consumer-groups --list`: the consumer groups' ids, or with --state a
// GROUP/STATE table, optionally only the groups in the given states.
import { UsageError } from '../args.js';
import { padColumns, writeJson, writeLines } from '../output.js';
import type { GroupContext } from './context.js';

/** Kafka's ConsumerGroupState names, in its order (UNKNOWN left out). */
const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'];

export async function listGroups(ctx: GroupContext): Promise<number> {
  const states = statesFilter(ctx.args.string('state') ?? '');
  const groups = (await ctx.admin.listGroups({ states }))
    .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
    // A broker before Kafka 2.6 reports no states: Kafka's tool shows its UNKNOWN.
    .map((g) => ({ ...g, state: g.state === '' ? 'Unknown' : g.state }));
  if (ctx.json) {
    writeJson(ctx.io, groups.map((g) => ({ group: g.groupId, state: g.state })));
  } else if (ctx.args.has('state')) {
    const widths = [Math.max(15, ...groups.map((g) => g.groupId.length)) + 10, 20];
    writeLines(ctx.io, [padColumns(['GROUP', 'STATE'], widths), ...groups.map((g) => padColumns([g.groupId, g.state], widths))]);
  } else {
    writeLines(ctx.io, groups.map((g) => g.groupId));
  }
  return 0;
}

/** The states of `--state a,b` (case-insensitive) by Kafka's names; empty for no filter. */
function statesFilter(input: string): string[] {
  if (input === '') return [];
  const states = input.split(',').map((s) => GROUP_STATES.find((state) => state.toUpperCase() === s.trim().toUpperCase()));
  if (states.includes(undefined)) throw new UsageError(`Invalid state list '${input}'. Valid states are: ${GROUP_STATES.join(', ')}`);
  return [...new Set(states as string[])];
}
