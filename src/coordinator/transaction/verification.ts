// How a partition leader asks the transaction coordinator whether partitions
// are in a producer's ongoing transaction (KIP-890 part 1), as Kafka's
// AddPartitionsToTxnManager does with AddPartitionsToTxn v4+ verify_only. On a
// single node the coordinator is local and is asked directly; in a cluster an
// implementation sends the request to the broker leading the transactional
// id's __transaction_state partition.
import { ErrorCode } from '../../protocol/errors.js';
import type { VerificationGuard } from '../../storage/verification-state.js';
import type { TransactionCoordinator } from './coordinator.js';
import { type TopicPartition, partitionKey } from './metadata.js';

/** The transaction a write claims to belong to. */
export interface TxnToVerify {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /**
   * Kafka's TransactionSupportedOperation genericError: the request (Produce v11+, TxnOffsetCommit
   * v4+) comes from a client that handles TRANSACTION_ABORTABLE; older ones get INVALID_TXN_STATE.
   */
  abortableSupported: boolean;
}

/** A transactional write's verification, once started in its partition. */
export interface PartitionVerification {
  /** For the append's AppendOptions.verificationGuard. */
  guard: VerificationGuard;
  /** The coordinator's answer for the partition (NONE: verified); absent when the producer's transaction is ongoing there already. */
  verdict?: Promise<number>;
}

export interface TxnPartitionVerifier {
  /**
   * The error of each partition ("topic-partition") that is not in the transaction, as the
   * AddPartitionsToTxnManager passes the coordinator's answer on; empty when all of them are.
   */
  verify(txn: TxnToVerify, partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
}

/** Single node: the transaction coordinator of this broker answers. */
export class LocalTxnPartitionVerifier implements TxnPartitionVerifier {
  constructor(private readonly coordinator: Pick<TransactionCoordinator, 'verifyPartitionsInTransaction'>) {}

  async verify(txn: TxnToVerify, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const answer = this.coordinator.verifyPartitionsInTransaction(txn.transactionalId, txn.producerId, txn.producerEpoch, partitions);
    return unverifiedPartitions(partitions, (tp) => (typeof answer === 'number' ? answer : answer.get(partitionKey(tp)) ?? ErrorCode.NONE), txn.abortableSupported);
  }
}

/**
 * The partitions a verify-only answer did not verify, with the errors a producer expects: a fenced
 * producer gets INVALID_PRODUCER_EPOCH, and TRANSACTION_ABORTABLE becomes INVALID_TXN_STATE for
 * clients that predate it (Kafka's AddPartitionsToTxnHandler).
 */
export function unverifiedPartitions(
  partitions: readonly TopicPartition[], errorFor: (tp: TopicPartition) => number, abortableSupported: boolean,
): Map<string, number> {
  const unverified = new Map<string, number>();
  for (const tp of partitions) {
    const error = errorFor(tp);
    if (error === ErrorCode.NONE) continue;
    if (error === ErrorCode.PRODUCER_FENCED) unverified.set(partitionKey(tp), ErrorCode.INVALID_PRODUCER_EPOCH);
    else if (error === ErrorCode.TRANSACTION_ABORTABLE && !abortableSupported) unverified.set(partitionKey(tp), ErrorCode.INVALID_TXN_STATE);
    else unverified.set(partitionKey(tp), error);
  }
  return unverified;
}
