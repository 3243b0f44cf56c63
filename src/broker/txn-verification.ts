// Transaction verification on this broker (KIP-890 part 1, Kafka's
// transaction.partition.verification.enable, on by default since 3.6): before
// a transactional write starts a producer's transaction in a partition (a
// Produce batch, or TxnOffsetCommit's __consumer_offsets records), the
// transaction coordinator must confirm the partition is in the producer's
// ongoing transaction. A late or stray write can then no longer open a
// transaction the coordinator will never end, which would hold the last stable
// offset back forever. Kafka's ReplicaManager.maybeStartTransactionVerificationForPartitions.
import {
  type PartitionVerification, type TopicPartition, type TxnPartitionVerifier, type TxnToVerify, partitionKey,
} from '../coordinator/transaction/index.js';
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { VerificationGuard } from '../storage/verification-state.js';

export class TxnVerification {
  constructor(
    private readonly verifier: TxnPartitionVerifier,
    /** transaction.partition.verification.enable, read per request (a dynamic config in Kafka). */
    private readonly enabled: () => boolean,
  ) {}

  /** The verification of one request's partitions; undefined while verification is off. */
  begin(txn: TxnToVerify): RequestVerification | undefined {
    return this.enabled() ? new RequestVerification(this.verifier, txn) : undefined;
  }

  /** One partition's verification; undefined while verification is off. */
  start(log: PartitionLog, txn: TxnToVerify, baseSequence: number): PartitionVerification | undefined {
    const request = this.begin(txn);
    if (!request) return undefined;
    const started = request.add(log, baseSequence);
    request.send();
    return started;
  }
}

/**
 * Partitions join while a request is read; send() then asks the coordinator once about all the
 * partitions where the producer has no transaction ongoing yet.
 */
export class RequestVerification {
  private readonly partitions: TopicPartition[] = [];
  private release!: () => void;
  private readonly unverified: Promise<Map<string, number>>;

  constructor(verifier: TxnPartitionVerifier, private readonly txn: TxnToVerify) {
    const sent = new Promise<void>((resolve) => {
      this.release = resolve;
    });
    this.unverified = sent.then(() => (this.partitions.length === 0 ? new Map() : verifier.verify(txn, this.partitions)));
  }

  /** The guard for a transactional batch of the producer in `log` (its first sequence given), and the verdict when one is needed. */
  add(log: PartitionLog, baseSequence: number): PartitionVerification {
    const guard = log.maybeStartTransactionVerification(this.txn.producerId, baseSequence, this.txn.producerEpoch);
    if (guard === VerificationGuard.SENTINEL) return { guard };
    const key = partitionKey({ topic: log.topic, partition: log.partition });
    this.partitions.push({ topic: log.topic, partition: log.partition });
    return { guard, verdict: this.unverified.then((unverified) => unverified.get(key) ?? ErrorCode.NONE) };
  }

  /** Called once every partition of the request was added. */
  send(): void {
    this.release();
  }
}
