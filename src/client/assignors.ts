// Partition assignors run by the group leader, with Kafka's names so members
// of other clients agree on them: range and roundrobin (eager: every member
// gives up everything at each rebalance) and cooperative-sticky (members keep
// what they own; a partition changing owner is first only revoked, then
// assigned in the follow-up rebalance).
import { partitionKey, type TopicPartition } from './types.js';

/** A member of the group as the leader sees it. */
export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  topics: string[];
  ownedPartitions: TopicPartition[];
}

/** An assignment strategy. */
export interface Assignor {
  /** The protocol name in JoinGroup ('range', 'roundrobin', 'cooperative-sticky'). */
  readonly name: string;
  /** Cooperative assignors never move a partition straight from one member to another. */
  readonly cooperative: boolean;
  /** Partitions per member id; `partitionCounts` has every subscribed topic that exists. */
  assign(members: readonly GroupMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]>;
}

/** Java's member order: static members by instance id first, then by member id. */
function byMemberOrder(a: GroupMember, b: GroupMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compare(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compare(a.memberId, b.memberId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyAssignment(members: readonly GroupMember[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, []]));
}

/** Kafka's RangeAssignor: per topic, consecutive ranges, the first members taking one extra. */
export const rangeAssignor: Assignor = {
  name: 'range',
  cooperative: false,
  assign(members, partitionCounts) {
    const out = emptyAssignment(members);
    for (const [topic, count] of [...partitionCounts].sort((a, b) => compare(a[0], b[0]))) {
      const consumers = members.filter((m) => m.topics.includes(topic)).sort(byMemberOrder);
      if (consumers.length === 0) continue;
      const per = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) out.get(m.memberId)!.push({ topic, partition: p });
      });
    }
    return out;
  },
};

/** Kafka's RoundRobinAssignor: all partitions in topic order dealt out to the members subscribed to them. */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  cooperative: false,
  assign(members, partitionCounts) {
    const out = emptyAssignment(members);
    const sorted = [...members].sort(byMemberOrder);
    if (sorted.length === 0) return out;
    let next = 0;
    for (const [topic, count] of [...partitionCounts].sort((a, b) => compare(a[0], b[0]))) {
      for (let p = 0; p < count; p++) {
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[next];
          next = (next + 1) % sorted.length;
          if (m.topics.includes(topic)) {
            out.get(m.memberId)!.push({ topic, partition: p });
            break;
          }
        }
      }
    }
    return out;
  },
};

/**
 * Cooperative sticky: balance the partition counts while keeping every partition with its owner
 * where the balance allows; partitions that must change owner are left out of this round.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  cooperative: true,
  assign(members, partitionCounts) {
    const target = stickyTarget(members, partitionCounts);
    const owners = currentOwners(members);
    const out = emptyAssignment(members);
    for (const [memberId, partitions] of target) {
      for (const tp of partitions) {
        const owner = owners.get(partitionKey(tp.topic, tp.partition));
        // Owned by someone else now: that member revokes it first; it is assigned next round.
        if (owner === undefined || owner === memberId) out.get(memberId)!.push(tp);
      }
    }
    return out;
  },
};

/** Each partition's owner per the members' ownedPartitions (a partition claimed twice counts as unowned). */
function currentOwners(members: readonly GroupMember[]): Map<string, string> {
  const owners = new Map<string, string>();
  const contested = new Set<string>();
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      const k = partitionKey(tp.topic, tp.partition);
      if (owners.has(k)) contested.add(k);
      else owners.set(k, m.memberId);
    }
  }
  for (const k of contested) owners.delete(k);
  return owners;
}

/** A balanced assignment keeping owned partitions where possible. */
function stickyTarget(members: readonly GroupMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const sorted = [...members].sort(byMemberOrder);
  const out = emptyAssignment(sorted);
  const all: TopicPartition[] = [];
  for (const [topic, count] of [...partitionCounts].sort((a, b) => compare(a[0], b[0]))) {
    for (let p = 0; p < count; p++) all.push({ topic, partition: p });
  }
  const eligible = (m: GroupMember, tp: TopicPartition): boolean => m.topics.includes(tp.topic);
  // Quota: members eligible for the same topics share evenly; with mixed subscriptions this is an approximation.
  const quota = Math.ceil(all.length / Math.max(1, sorted.length));
  const owners = currentOwners(sorted);
  const taken = new Set<string>();
  const counts = new Map(sorted.map((m) => [m.memberId, 0]));
  // 1. Keep owned partitions up to the floor of the fair share, so the rest can be spread.
  const floor = Math.floor(all.length / Math.max(1, sorted.length));
  let withExtra = all.length - floor * sorted.length;
  for (const m of sorted) {
    for (const tp of m.ownedPartitions) {
      const k = partitionKey(tp.topic, tp.partition);
      if (owners.get(k) !== m.memberId || taken.has(k) || !eligible(m, tp) || (partitionCounts.get(tp.topic) ?? 0) <= tp.partition) continue;
      const n = counts.get(m.memberId)!;
      const limit = n < floor ? floor : n < quota && withExtra > 0 ? quota : floor;
      if (n >= limit) continue;
      if (n >= floor) withExtra--;
      out.get(m.memberId)!.push(tp);
      counts.set(m.memberId, n + 1);
      taken.add(k);
    }
  }
  // 2. The rest to the least loaded eligible member.
  for (const tp of all) {
    const k = partitionKey(tp.topic, tp.partition);
    if (taken.has(k)) continue;
    let best: GroupMember | null = null;
    for (const m of sorted) {
      if (!eligible(m, tp)) continue;
      if (best === null || counts.get(m.memberId)! < counts.get(best.memberId)!) best = m;
    }
    if (!best) continue;
    out.get(best.memberId)!.push(tp);
    counts.set(best.memberId, counts.get(best.memberId)! + 1);
    taken.add(k);
  }
  return out;
}

/** The built-in assignors by name. */
export const ASSIGNORS: Readonly<Record<string, Assignor>> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  'cooperative-sticky': cooperativeStickyAssignor,
};
