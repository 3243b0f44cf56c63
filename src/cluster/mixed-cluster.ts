// A Samsa broker does not join a cluster in which Apache Kafka brokers are live.
// Kafka brokers act on the controller's LeaderAndIsr, UpdateMetadata and
// StopReplica requests; Samsa brokers act on the partition states in ZooKeeper
// and neither send nor serve those requests. In a mixed cluster a Samsa
// controller would elect Kafka brokers that never start leading or fetching,
// and a Kafka controller would direct Samsa brokers through requests they do not
// answer: so the take-over is all brokers at once, never one at a time.

/** Live Apache Kafka brokers were found in the cluster this broker was to join. */
export class MixedClusterError extends Error {
  override name = 'MixedClusterError';
}

/** Throws MixedClusterError naming the live Kafka brokers, if there are any. */
export function refuseMixedCluster(kafkaBrokerIds: readonly number[], zookeeperConnect: string): void {
  if (kafkaBrokerIds.length === 0) return;
  const ids = kafkaBrokerIds.join(', ');
  throw new MixedClusterError(
    `Apache Kafka broker${kafkaBrokerIds.length > 1 ? 's' : ''} ${ids} ${kafkaBrokerIds.length > 1 ? 'are' : 'is'} live in the cluster at ${zookeeperConnect}. `
    + 'Samsa does not run side by side with Kafka brokers: Kafka brokers follow the controller\'s LeaderAndIsr/UpdateMetadata/StopReplica '
    + 'requests, which Samsa neither sends nor answers, so a mixed cluster would elect leaders that never lead. '
    + 'To take over a Kafka cluster, stop every Kafka broker first, then start Samsa brokers with the same broker.id, '
    + 'zookeeper.connect and log.dirs (README: "Migrating from Apache Kafka").',
  );
}
