// Transaction state while the cleaner walks a log, Kafka's CleanedTransactionMetadata: the
// aborted transactions ahead (from the .txnindex files), the ones the walk is inside, and the
// producers with committed data seen since their last marker. It decides which data batches
// belong to aborted transactions (removed) and when a marker may go: an ABORT once none of its
// transaction's batches remain, a COMMIT once none of its batches were seen in this walk. Retained
// aborts are written to the cleaned segment's .txnindex.
import type { AbortedTxn } from '../producer-state.js';
import type { TransactionIndex } from '../txn-index.js';

export class CleanedTransactionMetadata {
  private readonly ongoingCommitted = new Set<number>();
  /** Producer id → its aborted transaction being walked, and whether a batch of it was seen. */
  private readonly ongoingAborted = new Map<number, { txn: AbortedTxn; sawBatch: boolean }>();
  /** Aborted transactions not reached yet, by first offset. */
  private pending: AbortedTxn[] = [];
  /** Where retained aborts are recorded: the .txnindex of the segment being written. */
  cleanedIndex: TransactionIndex | undefined;

  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    if (txns.length === 0) return;
    this.pending = [...this.pending, ...txns].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** A control batch (marker `commit` of `producerId`) ending at `lastOffset`; true when it may be discarded. */
  onControlBatchRead(producerId: number, lastOffset: number, commit: boolean | undefined): boolean {
    this.consumeAbortedUpTo(lastOffset);
    // A control batch without records was emptied by an earlier cleaning.
    if (commit === undefined) return true;
    if (commit) return !this.ongoingCommitted.delete(producerId);
    const aborted = this.ongoingAborted.get(producerId);
    this.ongoingAborted.delete(producerId);
    if (aborted?.sawBatch) {
      this.cleanedIndex?.append(aborted.txn);
      return false;
    }
    return true;
  }

  /** A data batch; true when it belongs to an aborted transaction. */
  onBatchRead(producerId: number, lastOffset: number, transactional: boolean): boolean {
    this.consumeAbortedUpTo(lastOffset);
    if (!transactional) return false;
    const aborted = this.ongoingAborted.get(producerId);
    if (aborted) {
      aborted.sawBatch = true;
      return true;
    }
    this.ongoingCommitted.add(producerId);
    return false;
  }

  private consumeAbortedUpTo(offset: number): void {
    let taken = 0;
    while (taken < this.pending.length && this.pending[taken].firstOffset <= offset) {
      const txn = this.pending[taken++];
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, { txn, sawBatch: false });
    }
    if (taken > 0) this.pending = this.pending.slice(taken);
  }
}
