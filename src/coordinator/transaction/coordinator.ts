// The transaction coordinator of one broker (Kafka's TransactionCoordinator):
// producer ids for idempotent and transactional producers, the transactional
// ids whose __transaction_state partition this broker leads (loaded when it
// becomes the leader, the leader epoch as coordinator epoch; dropped when it
// stops), their transactions' life from AddPartitionsToTxn to the markers,
// timeouts, and the admin views. Every request is answered once its record is
// replicated (at once on a single node); markers are written afterwards.
import { ErrorCode } from '../../protocol/errors.js';
import { type MaybePromise, andThen } from '../completion.js';
import { type Clock, Timers, systemClock } from '../group/clock.js';
import type { CoordinatorLog } from '../group/config.js';
import type { TransactionCoordinatorConfig } from './config.js';
import { TxnMarkerChannel, type TxnMarkerWriter } from './markers.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, type TopicPartition, type TransactionState, TransactionMetadata, type TxnTransit, isEpochExhausted, partitionKey, partitionsByTopic } from './metadata.js';
import type { ProducerIdManager } from './producer-ids.js';
import { type ListedTransaction, TransactionStateManager } from './state-manager.js';
import { TRANSACTION_STATE_TOPIC, type TransactionLogAccess } from './store.js';

export interface TransactionCoordinatorOptions extends TransactionLogAccess {
  config: TransactionCoordinatorConfig;
  producerIds: ProducerIdManager;
  markers: TxnMarkerWriter;
  /** Whether a partition exists (markers for a deleted one are skipped). */
  partitionExists(topic: string, partition: number): boolean;
  clock?: Clock;
  log?: CoordinatorLog;
}

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+: the producer's current id and epoch when it resumes; -1 otherwise. */
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface TransactionDescription {
  errorCode: number;
  transactionalId: string;
  transactionState: TransactionState | '';
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: { topic: string; partitions: number[] }[];
}

const NO_LOGGING: CoordinatorLog = { info: () => {}, warn: () => {}, error: () => {} };
const ABORT_TIMER = 'abort-timed-out-transactions';
const EXPIRATION_TIMER = 'transactional-id-expiration';

type Prepared = { errorCode: number } | { coordinatorEpoch: number; transit: TxnTransit };

export class TransactionCoordinator {
  private readonly config: TransactionCoordinatorConfig;
  private readonly clock: Clock;
  private readonly log: CoordinatorLog;
  private readonly timers: Timers;
  private readonly producerIds: ProducerIdManager;
  private readonly txnManager: TransactionStateManager;
  private readonly markers: TxnMarkerChannel;
  private active = true;

  constructor(options: TransactionCoordinatorOptions) {
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? NO_LOGGING;
    this.timers = new Timers(this.clock);
    this.producerIds = options.producerIds;
    this.txnManager = new TransactionStateManager(this.config, options, () => this.clock.now(), this.log,
      (pending) => this.markers.addTxnMarkersToSend(pending));
    this.markers = new TxnMarkerChannel(this.txnManager, options.markers, (t, p) => options.partitionExists(t, p), this.timers, this.log);
    this.scheduleAbortTimedOut();
    this.scheduleExpiration();
  }

  /** The __transaction_state partition holding a transactional id. */
  partitionFor(transactionalId: string): number {
    return this.txnManager.partitionFor(transactionalId);
  }

  /** Claims the first producer id block. */
  async start(): Promise<void> {
    await this.producerIds.start();
  }

  /**
   * This broker leads __transaction_state partition `partition` from `leaderEpoch` on (Kafka's
   * onElection, the leader epoch being the coordinator epoch): its transactional ids are loaded,
   * and transactions left prepared get their markers. Resolves once loaded; the same or an older
   * election told again changes nothing.
   */
  async onBecomeLeader(partition: number, leaderEpoch: number): Promise<void> {
    if (!this.active) return;
    const current = this.txnManager.coordinatorEpochOf(partition);
    if (current !== undefined && current >= leaderEpoch) return;
    this.markers.removeMarkersForTxnTopicPartition(partition);
    await this.txnManager.loadPartition(partition, leaderEpoch);
  }

  /** This broker no longer leads `partition` (Kafka's onResignation): its ids and their pending markers are dropped. */
  onResign(partition: number): void {
    this.markers.removeMarkersForTxnTopicPartition(partition);
    this.txnManager.removePartition(partition);
  }

  /** Stops serving: timers end, markers in flight are dropped (a restart completes them). Idempotent. */
  close(): void {
    if (!this.active) return;
    this.active = false;
    this.timers.close();
    this.markers.close();
    this.txnManager.close();
  }

  // --- producer ids ---

  /** InitProducerId: a new id for an idempotent producer, or the next epoch for a transactional id. */
  initProducerId(req: InitProducerIdRequest): MaybePromise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });
    const hasId = req.producerId !== NO_PRODUCER_ID;
    const hasEpoch = req.producerEpoch !== NO_PRODUCER_EPOCH;
    if (hasId !== hasEpoch) return fail(ErrorCode.INVALID_REQUEST);
    const expected = hasId ? { producerId: req.producerId, epoch: req.producerEpoch } : null;
    if (!this.active) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const { transactionalId } = req;
    if (transactionalId === null) {
      // Idempotent producers are accepted blindly with a fresh id.
      const producerId = this.producerIds.generateProducerId();
      return producerId === null ? fail(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) : { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    }
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (!this.txnManager.validateTransactionTimeoutMs(req.transactionTimeoutMs)) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const lookup = this.txnManager.getTransactionState(transactionalId);
    if (!lookup.ok) return fail(lookup.errorCode);
    let txn = lookup.txn;
    if (!txn) {
      const producerId = this.producerIds.generateProducerId();
      if (producerId === null) return fail(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      txn = this.txnManager.putTransactionStateIfNotExists(new TransactionMetadata({
        transactionalId, producerId, lastProducerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH,
        lastProducerEpoch: NO_PRODUCER_EPOCH, txnTimeoutMs: req.transactionTimeoutMs, state: 'Empty', partitions: [],
        txnStartTimestamp: -1, txnLastUpdateTimestamp: this.clock.now(),
      }));
    }
    const prepared = this.prepareInitProducerIdTransit(req.transactionTimeoutMs, lookup.coordinatorEpoch, txn, expected);
    if (!('transit' in prepared)) return fail(prepared.errorCode);
    const { coordinatorEpoch, transit } = prepared;
    if (transit.state === 'PrepareEpochFence') {
      // Abort the ongoing transaction first; the producer retries and then gets the epoch after it.
      return andThen(this.endTransaction(transactionalId, transit.producerId, transit.producerEpoch, false, false),
        (error) => fail(error === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : error));
    }
    return andThen(this.txnManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit), (error) => {
      if (error !== ErrorCode.NONE) {
        this.log.info(`Returning error ${error} to client for ${transactionalId}'s InitProducerId request`);
        return fail(error);
      }
      this.log.info(`Initialized transactionalId ${transactionalId} with producerId ${transit.producerId} and producer epoch ${transit.producerEpoch} on partition ${TRANSACTION_STATE_TOPIC}-${this.partitionFor(transactionalId)}`);
      return { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
    });
  }

  private prepareInitProducerIdTransit(
    txnTimeoutMs: number, coordinatorEpoch: number, txn: TransactionMetadata, expected: { producerId: number; epoch: number } | null,
  ): Prepared {
    // A producer resuming with an id and epoch is fenced unless the id is new (epoch -1: it recovers
    // from UNKNOWN_PRODUCER_ID), is the current one, or is the previous one with an exhausted epoch
    // (a retry of a rotation whose answer was lost).
    const validProducerId = (e: { producerId: number; epoch: number }): boolean =>
      txn.producerEpoch === NO_PRODUCER_EPOCH || e.producerId === txn.producerId
      || (e.producerId === txn.lastProducerId && isEpochExhausted(e.epoch));
    if (txn.pendingTransitionInProgress) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
    if (expected !== null && !validProducerId(expected)) return { errorCode: ErrorCode.PRODUCER_FENCED };
    switch (txn.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty': {
        if (txn.isProducerEpochExhausted && (expected === null || expected.epoch === txn.producerEpoch)) {
          const producerId = this.producerIds.generateProducerId();
          if (producerId === null) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
          return { coordinatorEpoch, transit: txn.prepareProducerIdRotation(producerId, txnTimeoutMs, this.clock.now(), expected !== null) };
        }
        const transit = txn.prepareIncrementProducerEpoch(txnTimeoutMs, expected?.epoch ?? null, this.clock.now());
        return transit === 'PRODUCER_FENCED' ? { errorCode: ErrorCode.PRODUCER_FENCED } : { coordinatorEpoch, transit };
      }
      case 'Ongoing':
        // This epoch is never returned: the transaction is aborted, the client retries and gets the next one.
        return { coordinatorEpoch, transit: txn.prepareFenceProducerEpoch() };
      case 'Dead':
      case 'PrepareEpochFence':
        throw new Error(`Found transactionalId ${txn.transactionalId} with state ${txn.state}. This is illegal as we should never have transitioned to this state.`);
    }
  }

  // --- transactions ---

  /** AddPartitionsToTxn (and AddOffsetsToTxn with the group's __consumer_offsets partition): one error for all. */
  addPartitionsToTransaction(transactionalId: string | null, producerId: number, producerEpoch: number, partitions: readonly TopicPartition[]): MaybePromise<number> {
    const found = this.producerTransaction(transactionalId, producerId, producerEpoch);
    if (!('txn' in found)) return found.errorCode;
    const { txn } = found;
    if (txn.pendingTransitionInProgress || txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (txn.state === 'Ongoing' && txn.hasPartitions(partitions)) return ErrorCode.NONE;
    return this.txnManager.appendTransactionToLog(txn.transactionalId, found.coordinatorEpoch, txn.prepareAddPartitions(partitions, this.clock.now()));
  }

  /**
   * AddPartitionsToTxn v4+ with verify_only (a partition leader checking a transactional produce):
   * NONE for partitions in the transaction, TRANSACTION_ABORTABLE for the others, or one error for all.
   */
  verifyPartitionsInTransaction(transactionalId: string | null, producerId: number, producerEpoch: number, partitions: readonly TopicPartition[]): number | Map<string, number> {
    const found = this.producerTransaction(transactionalId, producerId, producerEpoch);
    if (!('txn' in found)) return found.errorCode;
    const { txn } = found;
    // A pending transition is not waited for: the partition's append checks the verification again.
    if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    return new Map(partitions.map((tp) => [partitionKey(tp), txn.hasPartitions([tp]) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE]));
  }

  /** The transaction of the producer a request names, or the error Kafka answers for an unknown, other or fenced producer. */
  private producerTransaction(
    transactionalId: string | null, producerId: number, producerEpoch: number,
  ): { errorCode: number } | { txn: TransactionMetadata; coordinatorEpoch: number } {
    if (transactionalId === null || transactionalId === '') return { errorCode: ErrorCode.INVALID_REQUEST };
    const lookup = this.txnManager.getTransactionState(transactionalId);
    if (!lookup.ok) return { errorCode: lookup.errorCode };
    const { txn } = lookup;
    if (!txn || txn.producerId !== producerId) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    if (txn.producerEpoch !== producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
    return { txn, coordinatorEpoch: lookup.coordinatorEpoch };
  }

  /** EndTxn from a client. */
  endTxn(transactionalId: string | null, producerId: number, producerEpoch: number, commit: boolean): MaybePromise<number> {
    return this.endTransaction(transactionalId, producerId, producerEpoch, commit, true);
  }

  /**
   * Writes PrepareCommit/PrepareAbort, answers, then writes the markers (Kafka's endTransaction).
   * Not from a client, it is the coordinator's own abort (fencing, timeout) with an already bumped epoch.
   */
  private endTransaction(transactionalId: string | null, producerId: number, producerEpoch: number, commit: boolean, isFromClient: boolean): MaybePromise<number> {
    if (transactionalId === null || transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const lookup = this.txnManager.getTransactionState(transactionalId);
    if (!lookup.ok) return lookup.errorCode;
    const { txn, coordinatorEpoch } = lookup;
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    // Clients must send the current epoch exactly; only the coordinator bumps it.
    if ((isFromClient && producerEpoch !== txn.producerEpoch) || producerEpoch < txn.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (txn.pendingTransitionInProgress && txn.pendingState !== 'PrepareEpochFence') return ErrorCode.CONCURRENT_TRANSACTIONS;
    const invalid = (): number => {
      this.log.info(`TransactionalId: ${transactionalId}'s state is ${txn.state}, but received transaction marker result to send: ${commit ? 'COMMIT' : 'ABORT'}`);
      return ErrorCode.INVALID_TXN_STATE;
    };
    let isEpochFence = false;
    let transit: TxnTransit;
    switch (txn.state) {
      case 'Ongoing':
        if (!commit && txn.pendingState === 'PrepareEpochFence') {
          // The fence goes straight on to PrepareAbort, with the bumped epoch.
          isEpochFence = true;
          txn.pendingState = null;
          txn.producerEpoch = producerEpoch;
          txn.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        transit = txn.prepareAbortOrCommit(commit ? 'PrepareCommit' : 'PrepareAbort', this.clock.now());
        break;
      case 'CompleteCommit':
        return commit ? ErrorCode.NONE : invalid();
      case 'CompleteAbort':
        return commit ? invalid() : ErrorCode.NONE;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : invalid();
      case 'PrepareAbort':
        return commit ? invalid() : ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return invalid();
      case 'Dead':
      case 'PrepareEpochFence':
        throw new Error(`Found transactionalId ${transactionalId} with state ${txn.state}. This is illegal as we should never have transitioned to this state.`);
    }
    return andThen(this.txnManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit), (error) => {
      if (error !== ErrorCode.NONE) {
        this.log.info(`Aborting sending of transaction markers and returning error ${error} for ${transactionalId}'s EndTransaction request, since appending ${transit.state} to the transaction log failed`);
        // The bumped epoch was never returned; the next fence must not bump it again.
        if (isEpochFence) txn.hasFailedEpochFence = true;
        return error;
      }
      this.markers.addTxnMarkersToSend({ transactionalId, coordinatorEpoch, commit, txn, transit: txn.prepareComplete(this.clock.now()) });
      return ErrorCode.NONE;
    });
  }

  // --- administration ---

  describeTransaction(transactionalId: string): TransactionDescription {
    // An error leaves the other fields at the schema's defaults, as in Kafka's answer.
    const description: TransactionDescription = {
      errorCode: ErrorCode.NONE, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: 0,
      producerId: 0, producerEpoch: 0, topics: [],
    };
    if (!this.active) return { ...description, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (transactionalId === '') return { ...description, errorCode: ErrorCode.INVALID_REQUEST };
    const lookup = this.txnManager.getTransactionState(transactionalId);
    if (!lookup.ok) return { ...description, errorCode: lookup.errorCode };
    const { txn } = lookup;
    // A Dead id is being expired.
    if (!txn || txn.state === 'Dead') return { ...description, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    const byTopic = partitionsByTopic(txn.topicPartitions());
    return {
      ...description,
      transactionState: txn.state,
      transactionTimeoutMs: txn.txnTimeoutMs,
      transactionStartTimeMs: txn.txnStartTimestamp,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    };
  }

  listTransactions(producerIds: readonly number[], states: readonly string[], durationMs: number): { errorCode: number; unknownStateFilters: string[]; transactionStates: ListedTransaction[] } {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] };
    return this.txnManager.listTransactionStates(producerIds, states, durationMs);
  }

  // --- background work ---

  /** Fences and aborts every transaction open past its timeout (Kafka's abortTimedOutTransactions). */
  abortTimedOutTransactions(): void {
    for (const txn of this.txnManager.timedOutTransactions()) {
      const fence = txn.prepareFenceProducerEpoch();
      void andThen(this.endTransaction(txn.transactionalId, fence.producerId, fence.producerEpoch, false, false), (error) => {
        if (error === ErrorCode.NONE) this.log.info(`Completed rollback of ongoing transaction for transactionalId ${txn.transactionalId} due to timeout`);
        else this.log.warn(`Rollback of ongoing transaction for transactionalId ${txn.transactionalId} failed due to error ${error}`);
      });
    }
  }

  removeExpiredTransactionalIds(): void {
    this.txnManager.removeExpiredTransactionalIds();
  }

  private scheduleAbortTimedOut(): void {
    this.timers.set(ABORT_TIMER, this.config.abortTimedOutTransactionsIntervalMs, () => {
      this.abortTimedOutTransactions();
      this.scheduleAbortTimedOut();
    });
  }

  private scheduleExpiration(): void {
    this.timers.set(EXPIRATION_TIMER, this.config.removeExpiredTransactionalIdsIntervalMs, () => {
      this.removeExpiredTransactionalIds();
      this.scheduleExpiration();
    });
  }
}
