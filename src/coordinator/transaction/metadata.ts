// One transactional id's state and its state machine, as Kafka's
// TransactionMetadata: every change is first prepared (a TxnTransit, the
// pending state set), written to __transaction_state, and only then completed.
// An illegal transition is a coordinator bug and throws.

export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

/** Indexed by Kafka's state id (the TransactionStatus byte in the log). */
const STATES: readonly TransactionState[] = [
  'Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence',
];

const VALID_PREVIOUS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

/** States whose transactional id may expire after transactional.id.expiration.ms. */
const EXPIRATION_ALLOWED: ReadonlySet<TransactionState> = new Set(['Empty', 'CompleteCommit', 'CompleteAbort']);

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

export function stateId(state: TransactionState): number {
  return STATES.indexOf(state);
}

export function stateFromId(id: number): TransactionState {
  const state = STATES[id];
  if (state === undefined) throw new Error(`Unknown transaction state id ${id} from the transaction status message`);
  return state;
}

export function stateFromName(name: string): TransactionState | undefined {
  return STATES.find((s) => s === name);
}

/** Kafka bumps to a new producer id once the epoch reaches Short.MaxValue - 1. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Kafka's TopicPartition.toString, used as a set key. */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Partition numbers by topic, in the order first seen (how requests and responses list them). */
export function partitionsByTopic(partitions: Iterable<TopicPartition>): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic);
    if (list) list.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return byTopic;
}

/** The target of a prepared transition (Kafka's TxnTransitMetadata): what gets written to the log. */
export interface TxnTransit {
  producerId: number;
  lastProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  partitions: TopicPartition[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

/** A transaction's whole state, as a transition leads to it or the log holds it. */
export interface TransactionMetadataInit extends Omit<TxnTransit, 'partitions'> {
  transactionalId: string;
  partitions: readonly TopicPartition[];
}

export class TransactionMetadata {
  readonly transactionalId: string;
  producerId: number;
  lastProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  /** The partitions of the ongoing transaction, by partitionKey(). */
  readonly partitions = new Map<string, TopicPartition>();
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  /** The state a prepared transition leads to; while set, other transitions wait (CONCURRENT_TRANSACTIONS). */
  pendingState: TransactionState | null = null;
  /** An epoch fence whose log write failed: the next fence reuses the bumped epoch instead of bumping again. */
  hasFailedEpochFence = false;

  constructor(init: TransactionMetadataInit) {
    this.transactionalId = init.transactionalId;
    this.producerId = init.producerId;
    this.lastProducerId = init.lastProducerId;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    this.addPartitions(init.partitions);
    this.txnStartTimestamp = init.txnStartTimestamp;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  get isExpirationAllowed(): boolean {
    return EXPIRATION_ALLOWED.has(this.state);
  }

  topicPartitions(): TopicPartition[] {
    return [...this.partitions.values()];
  }

  hasPartitions(partitions: readonly TopicPartition[]): boolean {
    return partitions.every((tp) => this.partitions.has(partitionKey(tp)));
  }

  addPartitions(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.partitions.set(partitionKey(tp), tp);
  }

  /** A marker for the partition is written (or the partition is gone). */
  removePartition(tp: TopicPartition): void {
    if (this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort') {
      throw new Error(`Transaction metadata's current state is ${this.state}, and its pending state is ${this.pendingState} while trying to remove partitions whose txn marker has been sent, this is not expected`);
    }
    this.partitions.delete(partitionKey(tp));
  }

  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch === SHORT_MAX) throw new Error('Cannot fence producer with epoch equal to Short.MaxValue since this would overflow');
    // A fence whose write failed already bumped the epoch; it was never returned to a client.
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo('PrepareEpochFence', this.producerId, bumped, NO_PRODUCER_EPOCH, this.txnTimeoutMs,
      this.topicPartitions(), this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  /**
   * InitProducerId on an existing id: the next epoch. With the producer's expected epoch (v3+), a
   * retry of a bump that succeeded returns the current epoch again; any other stale epoch is fenced.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedEpoch: number | null, now: number): TxnTransit | 'PRODUCER_FENCED' {
    if (this.isProducerEpochExhausted) throw new Error(`Cannot allocate any more producer epochs for producerId ${this.producerId}`);
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedEpoch === null) {
      [next, last] = [bumped, NO_PRODUCER_EPOCH];
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      [next, last] = [bumped, this.producerEpoch];
    } else if (expectedEpoch === this.lastProducerEpoch) {
      [next, last] = [this.producerEpoch, this.lastProducerEpoch];
    } else {
      return 'PRODUCER_FENCED';
    }
    return this.prepareTransitionTo('Empty', this.producerId, next, last, newTxnTimeoutMs, [], -1, now);
  }

  prepareProducerIdRotation(newProducerId: number, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.state === 'Ongoing' || this.state === 'PrepareAbort' || this.state === 'PrepareCommit') {
      throw new Error('Cannot rotate producer ids while a transaction is still pending');
    }
    return this.prepareTransitionTo('Empty', newProducerId, 0, recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      newTxnTimeoutMs, [], -1, now);
  }

  prepareAddPartitions(added: readonly TopicPartition[], now: number): TxnTransit {
    const starts = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const all = new Map(this.partitions);
    for (const tp of added) all.set(partitionKey(tp), tp);
    return this.prepareTransitionTo('Ongoing', this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      [...all.values()], starts ? now : this.txnStartTimestamp, now);
  }

  prepareAbortOrCommit(newState: 'PrepareCommit' | 'PrepareAbort', now: number): TxnTransit {
    return this.prepareTransitionTo(newState, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      this.topicPartitions(), this.txnStartTimestamp, now);
  }

  prepareComplete(now: number): TxnTransit {
    const newState = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    // The prepare record is in the log, so a failed fence before it no longer matters.
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(newState, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      [], this.txnStartTimestamp, now);
  }

  prepareDead(): TxnTransit {
    return this.prepareTransitionTo('Dead', this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      [], this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  private prepareTransitionTo(
    state: TransactionState, producerId: number, producerEpoch: number, lastProducerEpoch: number, txnTimeoutMs: number,
    partitions: TopicPartition[], txnStartTimestamp: number, txnLastUpdateTimestamp: number,
  ): TxnTransit {
    if (this.pendingState !== null) {
      throw new Error(`Preparing transaction state transition to ${state} while it already a pending state ${this.pendingState}`);
    }
    if (producerId < 0) throw new Error(`Illegal new producer id ${producerId}`);
    // A new id's epoch stays -1 until its first InitProducerId; only Dead may carry it.
    if (state !== 'Dead' && producerEpoch < 0) throw new Error(`Illegal new producer epoch ${producerEpoch}`);
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`Preparing transaction state transition to ${state} failed since the target state ${state} is not a valid previous state of the current state ${this.state}`);
    }
    this.pendingState = state;
    return {
      producerId, lastProducerId: this.producerId, producerEpoch, lastProducerEpoch, txnTimeoutMs, state,
      partitions, txnStartTimestamp, txnLastUpdateTimestamp,
    };
  }

  /** Applies a prepared transition once its record is in the log. */
  completeTransitionTo(t: TxnTransit): void {
    const toState = this.pendingState;
    if (toState === null) {
      throw new Error(`TransactionalId ${this.transactionalId} completing transaction state transition while it does not have a pending state`);
    }
    if (toState !== t.state) this.transitionFailure(t);
    switch (toState) {
      case 'Empty': // InitProducerId
        if ((this.producerEpoch !== t.producerEpoch && !this.validProducerEpochBump(t)) || t.partitions.length > 0 || t.txnStartTimestamp !== -1) {
          this.transitionFailure(t);
        }
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.lastProducerId = t.lastProducerId;
        break;
      case 'Ongoing': // AddPartitionsToTxn
        if (!this.validProducerEpoch(t) || !isSubset(this.topicPartitions(), t.partitions) || this.txnTimeoutMs !== t.txnTimeoutMs) {
          this.transitionFailure(t);
        }
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.addPartitions(t.partitions);
        break;
      case 'PrepareAbort':
      case 'PrepareCommit': // EndTxn
        if (!this.validProducerEpoch(t) || !samePartitions(this.topicPartitions(), t.partitions)
          || this.txnTimeoutMs !== t.txnTimeoutMs || this.txnStartTimestamp !== t.txnStartTimestamp) {
          this.transitionFailure(t);
        }
        break;
      case 'CompleteAbort':
      case 'CompleteCommit': // every marker written
        if (!this.validProducerEpoch(t) || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) this.transitionFailure(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions.clear();
        break;
      case 'PrepareEpochFence':
        // Never completed: a fence goes straight on to PrepareAbort.
        this.transitionFailure(t);
        break;
      case 'Dead':
        throw new Error(`TransactionalId ${this.transactionalId} is trying to complete a transition to Dead: an expired id is removed, not written`);
    }
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = toState;
  }

  private validProducerEpoch(t: TxnTransit): boolean {
    return t.producerEpoch === this.producerEpoch && t.producerId === this.producerId;
  }

  private validProducerEpochBump(t: TxnTransit): boolean {
    return t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
  }

  private transitionFailure(t: TxnTransit): never {
    throw new Error(`TransactionalId ${this.transactionalId} failed transition to state ${JSON.stringify(t)} due to unexpected metadata`);
  }
}

function isSubset(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  const keys = new Set(b.map(partitionKey));
  return a.every((tp) => keys.has(partitionKey(tp)));
}

function samePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  return isSubset(a, b) && isSubset(b, a);
}
