// The transaction coordinator's cache of transactional ids per __transaction_state
// partition, and its writes to that log (Kafka's TransactionStateManager):
// a partition's ids are loaded when this broker becomes its leader and dropped
// when it stops; lookups answer COORDINATOR_LOAD_IN_PROGRESS while a partition
// loads and NOT_COORDINATOR when this broker does not lead it; a prepared
// transition is completed only once its record is replicated.
import { ErrorCode } from '../../protocol/errors.js';
import { type MaybePromise, andThen } from '../completion.js';
import type { CoordinatorLog } from '../group/config.js';
import type { TransactionCoordinatorConfig } from './config.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, type TransactionState, TransactionMetadata, type TxnTransit, stateFromName } from './metadata.js';
import { type StoredTransaction, transactionRecord } from './records.js';
import { TRANSACTION_STATE_TOPIC, type TransactionLogAccess, TransactionStateStore } from './store.js';

interface PartitionCache {
  coordinatorEpoch: number;
  txns: Map<string, TransactionMetadata>;
}

export type TransactionLookup =
  | { ok: false; errorCode: number }
  | { ok: true; coordinatorEpoch: number; txn: TransactionMetadata | undefined };

/** A transaction whose PrepareCommit/PrepareAbort is in the log, waiting for its markers. */
export interface PendingCompletion {
  transactionalId: string;
  coordinatorEpoch: number;
  commit: boolean;
  txn: TransactionMetadata;
  /** The prepared CompleteCommit/CompleteAbort, written once every marker is. */
  transit: TxnTransit;
}

export interface ListedTransaction {
  transactionalId: string;
  producerId: number;
  transactionState: TransactionState;
}

/** Tombstones per batch when transactional ids expire (keeps a batch far below message.max.bytes). */
const TOMBSTONES_PER_BATCH = 1000;

export class TransactionStateManager {
  private readonly cache = new Map<number, PartitionCache>();
  /** Partitions being loaded, with the coordinator epoch of the load. */
  private readonly loading = new Map<number, number>();
  private closed = false;
  readonly store: TransactionStateStore;

  constructor(
    private readonly config: TransactionCoordinatorConfig,
    access: TransactionLogAccess,
    private readonly now: () => number,
    private readonly log: CoordinatorLog,
    /** Receives the transactions a loaded partition left half-complete: their markers must be written. */
    private readonly sendTxnMarkers: (pending: PendingCompletion) => void,
  ) {
    this.store = new TransactionStateStore(access, config.transactionLogPartitions, config.loadBufferSize, (m) => log.warn(m));
  }

  partitionFor(transactionalId: string): number {
    return this.store.partitionFor(transactionalId);
  }

  get isLoading(): boolean {
    return this.loading.size > 0;
  }

  validateTransactionTimeoutMs(txnTimeoutMs: number): boolean {
    return txnTimeoutMs > 0 && txnTimeoutMs <= this.config.transactionMaxTimeoutMs;
  }

  /** The metadata of a transactional id (undefined when unknown), or why it cannot be served here. */
  getTransactionState(transactionalId: string): TransactionLookup {
    const partition = this.partitionFor(transactionalId);
    if (this.loading.has(partition)) return { ok: false, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    const entry = this.cache.get(partition);
    if (!entry) return { ok: false, errorCode: ErrorCode.NOT_COORDINATOR };
    return { ok: true, coordinatorEpoch: entry.coordinatorEpoch, txn: entry.txns.get(transactionalId) };
  }

  /** Adds metadata for a new transactional id unless one appeared meanwhile; returns the one in the cache. */
  putTransactionStateIfNotExists(txn: TransactionMetadata): TransactionMetadata {
    const entry = this.cache.get(this.partitionFor(txn.transactionalId));
    if (!entry) throw new Error(`no cache entry for the partition of ${txn.transactionalId}`);
    const existing = entry.txns.get(txn.transactionalId);
    if (existing) return existing;
    entry.txns.set(txn.transactionalId, txn);
    return txn;
  }

  /**
   * Writes a prepared transition and, once it is replicated, completes it (Kafka's
   * appendTransactionToLog): unless the partition was unloaded or loaded again meanwhile, which
   * answers NOT_COORDINATOR. On failure the pending state is reset unless `retryOnError` says the
   * caller retries the same transition.
   */
  appendTransactionToLog(
    transactionalId: string, coordinatorEpoch: number, transit: TxnTransit, retryOnError: (e: number) => boolean = () => false,
  ): MaybePromise<number> {
    const lookup = this.getTransactionState(transactionalId);
    if (!lookup.ok) return lookup.errorCode;
    const { txn } = lookup;
    if (!txn || lookup.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const partition = this.partitionFor(transactionalId);
    const appended = this.store.append(partition, coordinatorEpoch, [transactionRecord(transactionalId, storedFrom(transit))], this.now());
    return andThen(appended, (appendError) => {
      let error = appendError;
      if (error === ErrorCode.NONE) {
        const now = this.getTransactionState(transactionalId);
        if (!now.ok) error = now.errorCode;
        else if (now.txn !== txn || now.coordinatorEpoch !== coordinatorEpoch) error = ErrorCode.NOT_COORDINATOR;
        else txn.completeTransitionTo(transit);
        if (error !== ErrorCode.NONE) this.log.info(`The cached coordinator metadata of ${transactionalId} changed while its ${transit.state} transition was written; returning error ${error}`);
        return error;
      }
      if (!retryOnError(error)) {
        this.log.info(`TransactionalId ${transactionalId} append transaction log for ${transit.state} transition failed due to error ${error}, resetting pending state from ${txn.pendingState}`);
        txn.pendingState = null;
      }
      return error;
    });
  }

  /**
   * This broker leads the partition from `coordinatorEpoch` on: its ids are replayed into the cache
   * (Kafka's loadTransactionsForTxnTopicPartition; an empty log is served at once). Ids left in
   * PrepareCommit/PrepareAbort come back with their completion prepared: their markers must be
   * written. Resolves once loaded.
   */
  async loadPartition(partition: number, coordinatorEpoch: number): Promise<void> {
    this.removePartition(partition);
    if (this.store.isEmpty(partition)) {
      this.cache.set(partition, { coordinatorEpoch, txns: new Map() });
      return;
    }
    this.loading.set(partition, coordinatorEpoch);
    let stored = new Map<string, StoredTransaction>();
    try {
      stored = await this.store.load(partition);
    } catch (e) {
      this.log.error(`Error loading transactions from transaction log ${TRANSACTION_STATE_TOPIC}-${partition}: ${(e as Error).message}`);
    }
    // Closed, resigned or elected again while reading: nothing of this load is served.
    if (this.closed || this.loading.get(partition) !== coordinatorEpoch) return;
    const txns = new Map<string, TransactionMetadata>();
    const pending: PendingCompletion[] = [];
    for (const [transactionalId, s] of stored) {
      // The log keeps no last producer id or epoch: a retried bump across a restart is fenced, as in Kafka.
      const txn = new TransactionMetadata({
        transactionalId, producerId: s.producerId, lastProducerId: NO_PRODUCER_ID, producerEpoch: s.producerEpoch,
        lastProducerEpoch: NO_PRODUCER_EPOCH, txnTimeoutMs: s.txnTimeoutMs, state: s.state, partitions: s.partitions,
        txnStartTimestamp: s.txnStartTimestamp, txnLastUpdateTimestamp: s.txnLastUpdateTimestamp,
      });
      txns.set(transactionalId, txn);
      if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
        pending.push({ transactionalId, coordinatorEpoch, commit: txn.state === 'PrepareCommit', txn, transit: txn.prepareComplete(this.now()) });
      }
    }
    this.cache.set(partition, { coordinatorEpoch, txns });
    this.loading.delete(partition);
    this.log.info(`Finished loading ${txns.size} transaction metadata from ${TRANSACTION_STATE_TOPIC}-${partition} at coordinator epoch ${coordinatorEpoch}`);
    for (const p of pending) this.sendTxnMarkers(p);
  }

  /** This broker no longer leads the partition: its ids are dropped (Kafka's removeTransactionsForTxnTopicPartition). */
  removePartition(partition: number): void {
    this.loading.delete(partition);
    if (this.cache.delete(partition)) this.log.info(`Unloaded transaction metadata for ${TRANSACTION_STATE_TOPIC}-${partition}`);
  }

  /** The coordinator epoch of a partition this broker leads or is loading. */
  coordinatorEpochOf(partition: number): number | undefined {
    return this.cache.get(partition)?.coordinatorEpoch ?? this.loading.get(partition);
  }

  /** Ongoing transactions open longer than their timeout (best effort, as Kafka's timedOutTransactions). */
  timedOutTransactions(): TransactionMetadata[] {
    const now = this.now();
    const out: TransactionMetadata[] = [];
    for (const entry of this.cache.values()) {
      for (const txn of entry.txns.values()) {
        if (!txn.pendingTransitionInProgress && txn.state === 'Ongoing' && txn.txnStartTimestamp + txn.txnTimeoutMs < now) out.push(txn);
      }
    }
    return out;
  }

  /** Writes tombstones for ids idle past transactional.id.expiration.ms and drops them from the cache. */
  removeExpiredTransactionalIds(): void {
    const cutoff = this.now() - this.config.transactionalIdExpirationMs;
    for (const [partition, entry] of this.cache) {
      const expired = [...entry.txns.values()].filter((t) => !t.pendingTransitionInProgress && t.isExpirationAllowed && t.txnLastUpdateTimestamp <= cutoff);
      for (let i = 0; i < expired.length; i += TOMBSTONES_PER_BATCH) {
        const chunk = expired.slice(i, i + TOMBSTONES_PER_BATCH).map((txn) => ({ txn, transit: txn.prepareDead() }));
        const tombstones = chunk.map(({ txn }) => transactionRecord(txn.transactionalId, null));
        void andThen(this.store.append(partition, entry.coordinatorEpoch, tombstones, this.now()), (error) => {
          for (const { txn } of chunk) {
            if (error === ErrorCode.NONE && this.cache.get(partition) === entry) {
              entry.txns.delete(txn.transactionalId);
              this.log.info(`Removed expired transactional id ${txn.transactionalId}`);
            } else {
              this.log.warn(`Failed to remove expired transactionalId: ${txn.transactionalId} from cache. Tombstone append error code: ${error}`);
              txn.pendingState = null;
            }
          }
        });
      }
    }
  }

  /**
   * ListTransactions: ids matching every filter given (producer ids, state names, open longer than
   * durationMs when >= 0); unknown state names are reported back.
   */
  listTransactionStates(producerIds: readonly number[], stateNames: readonly string[], durationMs: number): { errorCode: number; unknownStateFilters: string[]; transactionStates: ListedTransaction[] } {
    if (this.isLoading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactionStates: [] };
    const states = new Set<TransactionState>();
    const unknownStateFilters: string[] = [];
    for (const name of stateNames) {
      const state = stateFromName(name);
      if (state) states.add(state);
      else unknownStateFilters.push(name);
    }
    const pids = new Set(producerIds);
    const now = this.now();
    const transactionStates: ListedTransaction[] = [];
    for (const entry of this.cache.values()) {
      for (const txn of entry.txns.values()) {
        // Dead ids are being expired.
        if (txn.state === 'Dead') continue;
        if (pids.size > 0 && !pids.has(txn.producerId)) continue;
        if (stateNames.length > 0 && !states.has(txn.state)) continue;
        if (durationMs >= 0 && now - txn.txnStartTimestamp <= durationMs) continue;
        transactionStates.push({ transactionalId: txn.transactionalId, producerId: txn.producerId, transactionState: txn.state });
      }
    }
    return { errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  }

  close(): void {
    this.closed = true;
    this.cache.clear();
    this.loading.clear();
  }
}

function storedFrom(t: TxnTransit): StoredTransaction {
  return {
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    txnTimeoutMs: t.txnTimeoutMs,
    state: t.state,
    partitions: t.partitions,
    txnLastUpdateTimestamp: t.txnLastUpdateTimestamp,
    txnStartTimestamp: t.txnStartTimestamp,
  };
}
