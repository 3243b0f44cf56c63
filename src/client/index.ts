// Samsa's Kafka client: the public surface, re-exported by the package entry point.
export { Producer, type ProducerOptions } from './producer.js';
export { Consumer, type ConsumerOptions, type RebalanceListener } from './consumer.js';
export {
  Admin, type AdminOptions, type NewTopic, type TopicDescription, type PartitionDescription, type ConfigResource, type ConfigEntry,
  type GroupListing, type GroupDescription, type OffsetSpec, type ClusterDescription,
  type TransactionListing, type TransactionDescription, type ProducerState, type AbortTransactionSpec,
} from './admin.js';
export type { ClientOptions } from './options.js';
export { murmur2, partitionForKey, type Partitioner, type PartitionerArgs } from './partitioner.js';
export type { Assignor, GroupMember } from './assignors.js';
export type { ConsumerGroupMetadata } from './transactions.js';
export {
  KafkaClientError, KafkaError, KafkaConnectionError, KafkaTimeoutError, KafkaStateError, CommitFailedError, WakeupError,
} from './errors.js';
export type {
  RecordData, RecordHeaders, ProducerRecord, RecordMetadata, TopicPartition, TopicPartitionOffset, ConsumerRecord, CompressionCodec,
} from './types.js';
