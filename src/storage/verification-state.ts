// Transaction verification state of a partition (KIP-890 part 1), as Kafka's
// VerificationGuard and VerificationStateEntry. Before a transactional batch
// starts a producer's transaction in a partition, the broker asks the
// transaction coordinator whether the partition is in that transaction. The
// guard created when the verification starts must come back with the append:
// a marker or another transactional write in between removes the entry, so a
// verification that went stale (the transaction ended meanwhile) appends nothing.

export class VerificationGuard {
  /** What an append carries when nothing was verified: it matches no entry. */
  static readonly SENTINEL = new VerificationGuard();

  /** True when the append's guard is this very guard (never for the sentinel). */
  verify(requestGuard: VerificationGuard): boolean {
    return requestGuard !== VerificationGuard.SENTINEL && requestGuard === this;
  }
}

/** One producer's verification in progress. */
export class VerificationStateEntry {
  readonly guard = new VerificationGuard();

  constructor(
    /** When it was created: an entry is dropped after producer.id.expiration.ms. */
    readonly timestamp: number,
    /** The lowest sequence that asked for verification: higher ones wait for it (OUT_OF_ORDER_SEQUENCE_NUMBER). */
    public lowestSequence: number,
    public epoch: number,
  ) {}

  /**
   * A retried lower sequence of the same epoch, or any sequence of a newer epoch, becomes the
   * one the others wait for (Kafka's maybeUpdateLowestSequenceAndEpoch): a failed verification of
   * a lower sequence must not let a higher one be written first.
   */
  maybeUpdateLowestSequenceAndEpoch(sequence: number, epoch: number): void {
    if (epoch === this.epoch && sequence < this.lowestSequence) this.lowestSequence = sequence;
    if (epoch > this.epoch) {
      this.epoch = epoch;
      this.lowestSequence = sequence;
    }
  }
}
