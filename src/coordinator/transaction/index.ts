// The transaction coordinator's public surface for the broker.
export { TransactionCoordinator, type TransactionCoordinatorOptions, type InitProducerIdRequest, type InitProducerIdResult, type TransactionDescription } from './coordinator.js';
export { transactionCoordinatorConfig, type TransactionCoordinatorConfig } from './config.js';
export { type TxnMarker, type TxnMarkerWriter } from './markers.js';
export { type TopicPartition, partitionKey, partitionsByTopic } from './metadata.js';
export { FileProducerIdBlockStore, ProducerIdManager, type ProducerIdBlockStore } from './producer-ids.js';
export { ZkProducerIdBlockStore } from './zk-producer-id-blocks.js';
export { TRANSACTION_STATE_TOPIC, type TransactionLogAccess } from './store.js';
export {
  LocalTxnPartitionVerifier, type PartitionVerification, type TxnPartitionVerifier, type TxnToVerify, unverifiedPartitions,
} from './verification.js';
