// Where new partitions' replicas go when the request names no brokers: Kafka's
// AdminUtils.assignReplicasToBrokers. First replicas go round the broker list
// from a start index; the others follow at a shift that grows by one each time
// the round completes. When every broker has a rack, the list is first
// alternated by rack, and followers skip brokers on racks (and brokers) that
// already hold a replica of the partition while some rack (broker) holds none,
// so a partition's replicas are on distinct racks as far as the racks allow.

export interface BrokerRack {
  nodeId: number;
  rack: string | null;
}

/** Some brokers have a rack and others not (Kafka's AdminOperationException, UNKNOWN_SERVER_ERROR on the wire). */
export class IncompleteRackInfoError extends Error {
  override name = 'IncompleteRackInfoError';
  constructor() {
    super('Not all brokers have rack information for replica rack aware assignment.');
  }
}

/**
 * Replica lists for `count` partitions numbered from `firstPartition`. `brokers` sorted by id;
 * `fixedStartIndex` < 0: the start index and the first shift are random (as Kafka draws them).
 */
export function assignReplicas(brokers: readonly BrokerRack[], count: number, replicationFactor: number, fixedStartIndex: number, firstPartition: number): number[][] {
  const withRack = brokers.filter((b) => b.rack !== null).length;
  if (withRack === 0) return roundRobin(brokers.map((b) => b.nodeId), count, replicationFactor, fixedStartIndex, firstPartition, () => true, 1);
  if (withRack < brokers.length) throw new IncompleteRackInfoError();
  const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack!]));
  const numRacks = new Set(rackOf.values()).size;
  const arranged = rackAlternatedList(rackOf);
  // A follower candidate is taken unless its rack (or itself) already has a replica while another rack (broker) has none.
  const acceptable = (broker: number, chosen: readonly number[]): boolean => {
    const racks = new Set(chosen.map((b) => rackOf.get(b)));
    return (!racks.has(rackOf.get(broker)) || racks.size === numRacks) && (!chosen.includes(broker) || chosen.length === arranged.length);
  };
  return roundRobin(arranged, count, replicationFactor, fixedStartIndex, firstPartition, acceptable, numRacks);
}

/**
 * Both of Kafka's placements: the rack-unaware one accepts every candidate (and its candidates are
 * distinct anyway), the rack-aware one multiplies the shift by the number of racks.
 */
function roundRobin(
  list: readonly number[], count: number, replicationFactor: number, fixedStartIndex: number, firstPartition: number,
  acceptable: (broker: number, chosen: readonly number[]) => boolean, shiftFactor: number,
): number[][] {
  const n = list.length;
  const startIndex = fixedStartIndex >= 0 ? fixedStartIndex : randomIndex(n);
  let shift = fixedStartIndex >= 0 ? fixedStartIndex : randomIndex(n);
  const assignments: number[][] = [];
  for (let partition = Math.max(0, firstPartition); assignments.length < count; partition++) {
    if (partition > 0 && partition % n === 0) shift++;
    const first = (partition + startIndex) % n;
    const replicas = [list[first]];
    // Bounded: after at most n - 1 candidates every broker was seen, and a fresh one (or rack) is always found.
    for (let k = 0; replicas.length < replicationFactor; k++) {
      const candidate = list[replicaIndex(first, shift * shiftFactor, k, n)];
      if (acceptable(candidate, replicas)) replicas.push(candidate);
    }
    assignments.push(replicas);
  }
  return assignments;
}

function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, replica: number, n: number): number {
  return (firstReplicaIndex + 1 + ((secondReplicaShift + replica) % (n - 1))) % n;
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/** Brokers taken one per rack in turn, racks in name order, brokers of a rack by id: {0:r1, 1:r3, 2:r3, 3:r2} → 0, 3, 1, 2. */
export function rackAlternatedList(rackOf: ReadonlyMap<number, string>): number[] {
  const byRack = new Map<string, number[]>();
  for (const [id, rack] of rackOf) byRack.set(rack, [...(byRack.get(rack) ?? []), id]);
  const racks = [...byRack.keys()].sort();
  const queues = racks.map((r) => byRack.get(r)!.sort((a, b) => a - b));
  const result: number[] = [];
  for (let round = 0; result.length < rackOf.size; round++) {
    for (const q of queues) if (round < q.length) result.push(q[round]);
  }
  return result;
}

/** Kafka's start index when adding partitions: the first broker (by id) whose id is >= partition 0's first replica. */
export function startIndexAfter(brokers: readonly BrokerRack[], firstReplica: number): number {
  return Math.max(0, brokers.findIndex((b) => b.nodeId >= firstReplica));
}
