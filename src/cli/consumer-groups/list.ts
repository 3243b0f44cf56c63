// `consumer-groups --list`: the consumer groups' ids, or with --state a
// GROUP/STATE table, optionally only the groups in the given states.
import { UsageError } from '../args.js';
import { padColumns, writeJson, writeLines } from '../output.js';
import type { GroupContext } from './context.js';

/** Kafka's ConsumerGroupState names, in its order (UNKNOWN left out). */
const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'];

export async function listGroups(ctx: GroupContext): Promise<number> {
  const filter = statesFilter(ctx.args.string('state') ?? '');
  const groups = (await ctx.admin.listGroups())
    .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
    .filter((g) => filter === null || filter.has(g.state.toUpperCase()));
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

/** The states of `--state a,b` (case-insensitive), upper-cased; null for no filter. */
function statesFilter(input: string): Set<string> | null {
  if (input === '') return null;
  const valid = new Set(GROUP_STATES.map((s) => s.toUpperCase()));
  const parsed = input.split(',').map((s) => s.trim().toUpperCase());
  if (parsed.some((s) => !valid.has(s))) throw new UsageError(`Invalid state list '${input}'. Valid states are: ${GROUP_STATES.join(', ')}`);
  return new Set(parsed);
}
