// Where new partitions' replicas go when the request names no brokers: Kafka's
// rack-unaware round robin (AdminUtils.assignReplicasToBrokers). First replicas
// go round the broker list from a start index; the others follow at a shift
// that grows by one each time the round completes.
// Racks are not considered yet: the single-node store has one broker.

/** Replica lists for `count` partitions numbered from `firstPartition`; brokerIds sorted ascending. */
export function assignReplicas(brokerIds: readonly number[], count: number, replicationFactor: number, startIndex: number, firstPartition: number): number[][] {
  const n = brokerIds.length;
  const assignments: number[][] = [];
  let shift = startIndex;
  for (let partition = firstPartition; partition < firstPartition + count; partition++) {
    if (partition > 0 && partition % n === 0) shift++;
    const first = (partition + startIndex) % n;
    const replicas = [brokerIds[first]];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokerIds[(first + 1 + ((shift + j) % (n - 1))) % n]);
    assignments.push(replicas);
  }
  return assignments;
}

/** Kafka's start index when adding partitions: the first broker whose id is >= partition 0's first replica. */
export function startIndexAfter(brokerIds: readonly number[], firstReplica: number): number {
  return Math.max(0, brokerIds.findIndex((id) => id >= firstReplica));
}
