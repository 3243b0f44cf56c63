// The producer's identity and transactions: the producer id and epoch from
// InitProducerId (from any broker for an idempotent producer, from the
// transaction coordinator for a transactional one), the transaction state
// machine, the partitions and group offsets added to the open transaction,
// and EndTxn.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AddOffsetsToTxnResponse } from '../protocol/messages/add-offsets-to-txn.js';
import type { AddPartitionsToTxnResponse, AddPartitionsToTxnTopicResult } from '../protocol/messages/add-partitions-to-txn.js';
import type { EndTxnResponse } from '../protocol/messages/end-txn.js';
import type { InitProducerIdResponse } from '../protocol/messages/init-producer-id.js';
import type { TxnOffsetCommitResponse } from '../protocol/messages/txn-offset-commit.js';
import { CoordinatorType, type Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { KafkaError, KafkaStateError, KafkaTimeoutError } from './errors.js';
import { sleep } from './options.js';
import { partitionKey, type TopicPartition, type TopicPartitionOffset } from './types.js';

/** The group a consumer belongs to, for sendOffsetsToTransaction (Java's ConsumerGroupMetadata). */
export interface ConsumerGroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

type State = 'uninitialized' | 'ready' | 'inTransaction' | 'ending' | 'fatal';

/** Errors after which the coordinator must be looked up again. */
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

export class ProducerIdentity {
  producerId = -1;
  producerEpoch = -1;
  private state: State = 'uninitialized';
  private fatal: Error | null = null;
  /** Partitions already added to the open transaction. */
  private readonly added = new Set<string>();
  private initializing: Promise<void> | null = null;

  constructor(
    private readonly cluster: Cluster,
    readonly transactionalId: string | null,
    private readonly transactionTimeoutMs: number,
  ) {}

  get transactional(): boolean {
    return this.transactionalId !== null;
  }

  /** Whether a transaction is open (records may be sent). */
  get inTransaction(): boolean {
    return this.state === 'inTransaction';
  }

  /** Gets a producer id once (idempotent producers call this on first send). */
  ensureProducerId(): Promise<void> {
    if (this.producerId >= 0) return Promise.resolve();
    this.initializing ??= this.initProducerId().finally(() => {
      this.initializing = null;
    });
    return this.initializing;
  }

  /** Java's initTransactions(): fences older producers with this transactional id and completes their transaction. */
  async initTransactions(): Promise<void> {
    this.requireTransactional('initTransactions');
    if (this.state !== 'uninitialized') throw new KafkaStateError('initTransactions() was already called', 'INVALID_TXN_STATE');
    await this.initProducerId();
    this.state = 'ready';
  }

  beginTransaction(): void {
    this.requireTransactional('beginTransaction');
    this.throwIfFatal();
    if (this.state !== 'ready') throw new KafkaStateError(`beginTransaction() needs a ready producer (state ${this.state}); call initTransactions() first, and end the previous transaction`, 'INVALID_TXN_STATE');
    this.added.clear();
    this.state = 'inTransaction';
  }

  /** Checks a send is allowed now (a transactional producer sends only inside a transaction). */
  checkCanSend(): void {
    this.throwIfFatal();
    if (this.transactional && this.state !== 'inTransaction') {
      throw new KafkaStateError('a transactional producer sends only between beginTransaction() and commit/abort', 'INVALID_TXN_STATE');
    }
  }

  /** Adds the partitions not yet in the transaction (AddPartitionsToTxn), before records for them are sent. */
  async addPartitions(partitions: readonly TopicPartition[]): Promise<void> {
    if (!this.transactional) return;
    const fresh = partitions.filter((p) => !this.added.has(partitionKey(p.topic, p.partition)));
    if (fresh.length === 0) return;
    const topics = new Map<string, number[]>();
    for (const p of fresh) {
      const list = topics.get(p.topic) ?? [];
      if (!list.includes(p.partition)) list.push(p.partition);
      topics.set(p.topic, list);
    }
    const topicList = [...topics].map(([name, parts]) => ({ name, partitions: parts }));
    await this.withCoordinator((c) =>
      c.request<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, {
        transactions: [{ transactionalId: this.transactionalId!, producerId: this.producerId, producerEpoch: this.producerEpoch, verifyOnly: false, topics: topicList }],
        v3AndBelowTransactionalId: this.transactionalId!,
        v3AndBelowProducerId: this.producerId,
        v3AndBelowProducerEpoch: this.producerEpoch,
        v3AndBelowTopics: topicList,
      }),
      (r) => firstPartitionError(r.errorCode !== 0 ? [] : r.resultsByTransaction[0]?.topicResults ?? r.resultsByTopicV3AndBelow) ?? r.errorCode,
    );
    for (const p of fresh) this.added.add(partitionKey(p.topic, p.partition));
  }

  /** Java's sendOffsetsToTransaction: the group's offsets commit (or abort) with the transaction. */
  async sendOffsets(offsets: readonly TopicPartitionOffset[], group: string | ConsumerGroupMetadata): Promise<void> {
    this.requireTransactional('sendOffsetsToTransaction');
    if (this.state !== 'inTransaction') throw new KafkaStateError('sendOffsetsToTransaction() needs an open transaction', 'INVALID_TXN_STATE');
    const meta: ConsumerGroupMetadata = typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null } : group;
    await this.withCoordinator(
      (c) => c.request<AddOffsetsToTxnResponse>(ApiKey.AddOffsetsToTxn, {
        transactionalId: this.transactionalId!, producerId: this.producerId, producerEpoch: this.producerEpoch, groupId: meta.groupId,
      }),
      (r) => r.errorCode,
    );
    const topics = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[]>();
    for (const o of offsets) {
      const list = topics.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: o.metadata ?? '' });
      topics.set(o.topic, list);
    }
    const body = {
      transactionalId: this.transactionalId!, groupId: meta.groupId, producerId: this.producerId, producerEpoch: this.producerEpoch,
      generationId: meta.generationId, memberId: meta.memberId, groupInstanceId: meta.groupInstanceId,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    };
    await this.retrying(async () => {
      let connection: Connection;
      try {
        connection = await this.cluster.coordinator(meta.groupId, CoordinatorType.GROUP);
      } catch (e) {
        return { error: e as Error };
      }
      const r = await connection.request<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, body);
      const code = r.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0)?.errorCode ?? 0;
      if (COORDINATOR_MOVED.has(code)) this.cluster.forgetCoordinator(meta.groupId, CoordinatorType.GROUP);
      return { code };
    });
  }

  /** EndTxn; the caller has flushed every record of the transaction first. */
  async endTransaction(commit: boolean): Promise<void> {
    this.requireTransactional(commit ? 'commitTransaction' : 'abortTransaction');
    if (this.state !== 'inTransaction' && !(this.state === 'fatal' && !commit)) {
      throw new KafkaStateError(`${commit ? 'commit' : 'abort'}Transaction() needs an open transaction`, 'INVALID_TXN_STATE');
    }
    this.state = 'ending';
    try {
      if (this.added.size > 0 || commit) {
        await this.withCoordinator(
          (c) => c.request<EndTxnResponse>(ApiKey.EndTxn, {
            transactionalId: this.transactionalId!, producerId: this.producerId, producerEpoch: this.producerEpoch, committed: commit,
          }),
          (r) => r.errorCode,
        );
      }
      this.state = 'ready';
      this.added.clear();
    } catch (e) {
      this.state = (e as KafkaError).retriable ? 'inTransaction' : 'fatal';
      if (this.state === 'fatal') this.fatal = e as Error;
      throw e;
    }
  }

  /** Marks the producer unusable (e.g. PRODUCER_FENCED from a send). */
  setFatal(e: Error): void {
    this.state = 'fatal';
    this.fatal = e;
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal;
  }

  private requireTransactional(method: string): void {
    if (!this.transactional) throw new KafkaStateError(`${method}() needs the transactionalId option`, 'INVALID_TXN_STATE');
  }

  private async initProducerId(): Promise<void> {
    const body = { transactionalId: this.transactionalId, transactionTimeoutMs: this.transactionTimeoutMs, producerId: -1, producerEpoch: -1 };
    const call = (c: Connection): Promise<InitProducerIdResponse> => c.request<InitProducerIdResponse>(ApiKey.InitProducerId, body);
    const response = this.transactional
      ? await this.withCoordinator(call, (r) => r.errorCode)
      : await this.retrying(async () => {
          const r = await this.cluster.withAnyBroker(call);
          return { code: r.errorCode, value: r };
        });
    this.producerId = response.producerId;
    this.producerEpoch = response.producerEpoch;
  }

  /** Runs a request on the transaction coordinator, retrying retriable errors (and finding the coordinator again when it moved). */
  private withCoordinator<T>(call: (c: Connection) => Promise<T>, errorOf: (r: T) => number): Promise<T> {
    return this.retrying(async () => {
      let connection: Connection;
      try {
        connection = await this.cluster.coordinator(this.transactionalId!, CoordinatorType.TRANSACTION);
      } catch (e) {
        return { error: e as Error };
      }
      const r = await call(connection);
      const code = errorOf(r);
      if (COORDINATOR_MOVED.has(code)) this.cluster.forgetCoordinator(this.transactionalId!, CoordinatorType.TRANSACTION);
      return { code, value: r };
    });
  }

  /** Repeats `attempt` while it reports a retriable error, within requestTimeoutMs; throws the last error. */
  private async retrying<T>(attempt: () => Promise<{ code?: number; error?: Error; value?: T }>): Promise<T> {
    const { requestTimeoutMs, retryBackoffMs } = this.cluster.options;
    const deadline = Date.now() + requestTimeoutMs;
    for (let n = 1; ; n++) {
      let outcome: { code?: number; error?: Error; value?: T };
      try {
        outcome = await attempt();
      } catch (e) {
        outcome = { error: e as Error };
      }
      const error = outcome.error ?? (outcome.code ? new KafkaError(outcome.code, this.transactionalId ? `transactional id ${this.transactionalId}` : null) : null);
      if (!error) return outcome.value as T;
      const retriable = (error as KafkaError).retriable === true;
      if (!retriable) {
        if (error instanceof KafkaError && (error.code === ErrorCode.PRODUCER_FENCED || error.code === ErrorCode.INVALID_PRODUCER_EPOCH)) this.setFatal(error);
        throw error;
      }
      if (Date.now() >= deadline) throw new KafkaTimeoutError(`gave up after ${requestTimeoutMs} ms: ${error.message}`);
      await sleep(retryBackoffMs * Math.min(n, 10));
    }
  }
}

/** The error that made AddPartitionsToTxn fail (the other partitions then say OPERATION_NOT_ATTEMPTED). */
function firstPartitionError(results: readonly AddPartitionsToTxnTopicResult[]): number | undefined {
  let notAttempted: number | undefined;
  for (const t of results) {
    for (const p of t.resultsByPartition) {
      if (p.partitionErrorCode === ErrorCode.OPERATION_NOT_ATTEMPTED) notAttempted = p.partitionErrorCode;
      else if (p.partitionErrorCode !== 0) return p.partitionErrorCode;
    }
  }
  return notAttempted;
}
