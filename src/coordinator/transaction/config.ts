// What the transaction coordinator is configured with: Kafka's transaction.*
// and transactional.id.* broker keys.

export interface TransactionCoordinatorConfig {
  /** transactional.id.expiration.ms */
  transactionalIdExpirationMs: number;
  /** transaction.max.timeout.ms: InitProducerId with a larger timeout gets INVALID_TRANSACTION_TIMEOUT. */
  transactionMaxTimeoutMs: number;
  /** Partitions of __transaction_state (transaction.state.log.num.partitions, or the existing topic's count). */
  transactionLogPartitions: number;
  /** transaction.state.log.load.buffer.size */
  loadBufferSize: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredTransactionalIdsIntervalMs: number;
}

export function transactionCoordinatorConfig(setting: (key: string) => number, existingLogPartitions?: number): TransactionCoordinatorConfig {
  return {
    transactionalIdExpirationMs: setting('transactional.id.expiration.ms'),
    transactionMaxTimeoutMs: setting('transaction.max.timeout.ms'),
    transactionLogPartitions: existingLogPartitions ?? setting('transaction.state.log.num.partitions'),
    loadBufferSize: setting('transaction.state.log.load.buffer.size'),
    abortTimedOutTransactionsIntervalMs: setting('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredTransactionalIdsIntervalMs: setting('transaction.remove.expired.transaction.cleanup.interval.ms'),
  };
}
