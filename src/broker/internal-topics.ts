// Kafka's internal topics as the broker creates them: `__consumer_offsets` and
// `__transaction_state`, with the partition counts and configs of the broker's
// offsets.topic.* and transaction.state.log.* settings.
import { OFFSETS_TOPIC } from '../coordinator/group/index.js';
import { TRANSACTION_STATE_TOPIC } from '../coordinator/transaction/index.js';
import type { BrokerConfig } from './config.js';

export interface InternalTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/**
 * The definition of an internal topic; undefined for any other name. The replication factor is the
 * configured one, at most `maxReplicationFactor` (a single node cannot wait for more brokers).
 */
export function internalTopic(name: string, config: BrokerConfig, maxReplicationFactor = Infinity): InternalTopic | undefined {
  const live = (key: string): number => Math.min(config.int(key), maxReplicationFactor);
  if (name === OFFSETS_TOPIC) {
    return {
      name,
      numPartitions: config.int('offsets.topic.num.partitions'),
      replicationFactor: live('offsets.topic.replication.factor'),
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(config.int('offsets.topic.segment.bytes')) },
    };
  }
  if (name === TRANSACTION_STATE_TOPIC) {
    // Kafka's TransactionStateManager.transactionTopicConfigs: compacted, uncompressed, no unclean election.
    const replicationFactor = live('transaction.state.log.replication.factor');
    return {
      name,
      numPartitions: config.int('transaction.state.log.num.partitions'),
      replicationFactor,
      configs: {
        'unclean.leader.election.enable': 'false',
        'compression.type': 'uncompressed',
        'cleanup.policy': 'compact',
        'min.insync.replicas': String(Math.min(config.int('transaction.state.log.min.isr'), replicationFactor)),
        'segment.bytes': String(config.int('transaction.state.log.segment.bytes')),
      },
    };
  }
  return undefined;
}
