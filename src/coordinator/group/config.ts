// What the group coordinator is configured with (the broker's group.* and
// offsets.* settings) and how it logs.

export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** group.max.size */
  maxGroupSize: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** Partitions of __consumer_offsets (offsets.topic.num.partitions, or the existing topic's count). */
  offsetsTopicPartitions: number;
}

export interface CoordinatorLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/**
 * How long a new member's JoinGroup may wait in a rebalance before the member is dropped: it has
 * no member id to heartbeat with, and a client that gave up would otherwise linger (Kafka's value).
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The coordinator's settings from Kafka's broker keys (`setting` reads one, e.g. the broker
 * config's int getter). An existing __consumer_offsets keeps its partition count.
 */
export function groupCoordinatorConfig(setting: (key: string) => number, existingOffsetsPartitions?: number): GroupCoordinatorConfig {
  return {
    initialRebalanceDelayMs: setting('group.initial.rebalance.delay.ms'),
    minSessionTimeoutMs: setting('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: setting('group.max.session.timeout.ms'),
    maxGroupSize: setting('group.max.size'),
    offsetMetadataMaxBytes: setting('offset.metadata.max.bytes'),
    offsetsRetentionMs: setting('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: setting('offsets.retention.check.interval.ms'),
    offsetsTopicPartitions: existingOffsetsPartitions ?? setting('offsets.topic.num.partitions'),
  };
}
