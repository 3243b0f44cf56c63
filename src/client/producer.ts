// The producer. Records are encoded into per-partition batches as they are
// sent (producer-batch.ts); a batch is sent when full, after lingerMs, or on
// flush, and is closed only as it goes into a request. Each broker gets at
// most maxInFlightRequestsPerConnection Produce requests at once, each with
// at most one batch per partition. Failed batches are retried (within
// deliveryTimeoutMs) in their original order: a partition with a failure
// sends nothing more until everything in flight for it has come back, then
// resends from the first failed batch, renumbering sequences from the last
// one the broker acknowledged, so an idempotent producer neither reorders
// nor duplicates (Kafka's own rules, simplified).
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ProduceResponse } from '../protocol/messages/produce.js';
import { BATCH_HEADER_SIZE, CODEC_BY_NAME, type CompressionType } from '../protocol/records/batch.js';
import { Cluster, type TopicInfo } from './cluster.js';
import { KafkaClientError, KafkaConnectionError, KafkaError, KafkaStateError, KafkaTimeoutError } from './errors.js';
import { nonNegative, oneOf, positive, resolveClientOptions, type ClientOptions } from './options.js';
import { StickyPartitions, partitionForKey, type Partitioner } from './partitioner.js';
import { ProducerBatch, recordSize, type Completion, type RecordSizes } from './producer-batch.js';
import { ProducerIdentity, type ConsumerGroupMetadata } from './transactions.js';
import { partitionKey, type CompressionCodec, type ProducerRecord, type RecordMetadata, type TopicPartitionOffset } from './types.js';

/** Producer options; each is the Java client's config of the same meaning (noted in brackets). */
export interface ProducerOptions extends ClientOptions {
  /** [acks] 0: no answer awaited; 1: the leader wrote it; 'all' (= -1): all in-sync replicas have it. Default 'all'. */
  acks?: 0 | 1 | -1 | 'all';
  /** [compression.type] Default 'none'. */
  compression?: CompressionCodec;
  /** [linger.ms] How long a batch waits for more records before it is sent. Default 5. */
  lingerMs?: number;
  /** [batch.size] Upper size of one partition's batch in bytes (a larger record gets a batch of its own). Default 1048576 (librdkafka's; Java's 16384 is slow over one connection). */
  batchSize?: number;
  /** [buffer.memory] Bytes of records waiting to be sent or acknowledged; send() waits beyond it. Default 33554432. */
  bufferMemory?: number;
  /** [max.block.ms] How long send() may wait for metadata or buffer memory before failing. Default 60000. */
  maxBlockMs?: number;
  /** [max.request.size] A record whose batch would exceed this is refused with MESSAGE_TOO_LARGE. Default 1048576. */
  maxRequestSize?: number;
  /** [retries] How many times a failed batch is resent (within deliveryTimeoutMs). Default unlimited. */
  retries?: number;
  /** [delivery.timeout.ms] Upper bound on the time between send() and its outcome. Default 120000. */
  deliveryTimeoutMs?: number;
  /** [max.in.flight.requests.per.connection] At most 5 with idempotence. Default 5. */
  maxInFlightRequestsPerConnection?: number;
  /** [enable.idempotence] Exactly-once writes per partition (producer id and sequences). Default true, unless acks is not 'all'. */
  idempotent?: boolean;
  /** [partitioner.class] Chooses the partition of records sent without one. Default: murmur2 of the key, sticky for null keys. */
  partitioner?: Partitioner;
  /** [transactional.id] Enables the transactional API. */
  transactionalId?: string;
  /** [transaction.timeout.ms] Default 60000. */
  transactionTimeoutMs?: number;
  /** [allow.auto.create.topics] Let the broker create topics on first use (if it allows). Default true. */
  allowAutoTopicCreation?: boolean;
}

const CODEC_NAMES: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Errors after which the partition's leader is looked up again. */
const LEADER_MOVED: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.KAFKA_STORAGE_ERROR,
]);
/** Errors that end the producer (Java's fatal errors). */
const FATAL: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
]);
const SEQUENCE_WRAP = 2 ** 31;

/** One partition's batches: the one being filled, those waiting to be sent, and its sequence bookkeeping. */
interface PartitionQueue {
  topic: string;
  partition: number;
  open: ProducerBatch | null;
  /** Closed batches to send, in creation order (retries go back in that order). */
  ready: ProducerBatch[];
  inFlight: number;
  /** A send failed: nothing more is sent until in-flight batches have returned and retryAt has passed. */
  muted: boolean;
  retryAt: number;
  nextSequence: number;
  /** The sequence the broker expects next. */
  ackedSequence: number;
  /** Size of the last batch closed (initial capacity of the next). */
  lastBatchSize: number;
}

/** A send() or sendBatch() call waiting for its records' outcomes. */
class Outcomes implements Completion {
  readonly results: RecordMetadata[];
  private remaining: number;
  private error: Error | null = null;
  readonly promise: Promise<RecordMetadata[]>;
  private resolve!: (r: RecordMetadata[]) => void;
  private reject!: (e: Error) => void;

  constructor(count: number) {
    this.results = new Array<RecordMetadata>(count);
    this.remaining = count;
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (count === 0) this.resolve(this.results);
  }

  done(index: number, metadata: RecordMetadata): void {
    this.results[index] = metadata;
    if (--this.remaining === 0) this.finish();
  }

  fail(_index: number, error: Error): void {
    this.error ??= error;
    if (--this.remaining === 0) this.finish();
  }

  private finish(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(this.results);
  }
}

/** A send() call waiting for its record's outcome. */
class Outcome implements Completion {
  readonly promise: Promise<RecordMetadata>;
  private resolve!: (r: RecordMetadata) => void;
  private reject!: (e: Error) => void;

  constructor() {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  done(_index: number, metadata: RecordMetadata): void {
    this.resolve(metadata);
  }

  fail(_index: number, error: Error): void {
    this.reject(error);
  }
}

/**
 * Sends records to Kafka. `send` resolves when the record is acknowledged (per `acks`), with its
 * partition and offset; `sendBatch` does the same for many records at once.
 */
export class Producer {
  private readonly cluster: Cluster;
  private readonly identity: ProducerIdentity;
  private readonly acks: number;
  private readonly compression: CompressionType;
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly bufferMemory: number;
  private readonly maxBlockMs: number;
  private readonly maxRequestSize: number;
  private readonly retries: number;
  private readonly deliveryTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly idempotent: boolean;
  private readonly partitioner: Partitioner | undefined;
  private readonly allowAutoTopicCreation: boolean;
  private readonly sticky: StickyPartitions;

  private readonly queues = new Map<string, PartitionQueue>();
  private readonly queueList: PartitionQueue[] = [];
  private readonly unsettled = new Set<ProducerBatch>();
  /** Sends waiting for metadata or buffer memory before they append: flush() waits for them too. */
  private readonly waitingToAppend = new Set<Promise<void>>();
  private readonly inFlightByNode = new Map<number, number>();
  /** Per broker: resolves once the last Produce request made for it has been written. */
  private readonly writeOrder = new Map<number, Promise<void>>();
  private memoryUsed = 0;
  private memoryWaiters: (() => void)[] = [];
  /** flush(), close() and memory waits in progress: open batches are sent without lingering. */
  private urgent = 0;
  private nextBatchId = 0;
  private drainScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private refreshing = false;
  private producerIdError: Error | null = null;
  private resetProducerId = false;
  /** The first error of a batch in the open transaction: the transaction can then only abort. */
  private transactionError: Error | null = null;
  private closed = false;
  private readonly sizes: RecordSizes = { key: 0, value: 0, body: 0, total: 0 };

  /** Checks the options; connects lazily, on the first send. */
  constructor(options: ProducerOptions) {
    this.cluster = new Cluster(resolveClientOptions(options, 'samsa-producer'));
    const acks = oneOf<0 | 1 | -1 | 'all'>(options.acks, 'acks', [0, 1, -1, 'all'], 'all');
    this.acks = acks === 'all' ? -1 : acks;
    this.compression = CODEC_BY_NAME[oneOf(options.compression, 'compression', CODEC_NAMES, 'none')];
    this.lingerMs = nonNegative(options.lingerMs, 'lingerMs', 5);
    this.batchSize = positive(options.batchSize, 'batchSize', 1024 * 1024);
    this.bufferMemory = positive(options.bufferMemory, 'bufferMemory', 32 * 1024 * 1024);
    this.maxBlockMs = nonNegative(options.maxBlockMs, 'maxBlockMs', 60_000);
    this.maxRequestSize = positive(options.maxRequestSize, 'maxRequestSize', 1024 * 1024);
    this.retries = nonNegative(options.retries, 'retries', Infinity);
    this.deliveryTimeoutMs = positive(options.deliveryTimeoutMs, 'deliveryTimeoutMs', 120_000);
    this.maxInFlight = positive(options.maxInFlightRequestsPerConnection, 'maxInFlightRequestsPerConnection', 5);
    const transactionalId = options.transactionalId ?? null;
    // As in the Java client: idempotence is on unless turned off, or implicitly off when acks or
    // max in-flight conflict with it and it was not asked for.
    const conflicts = this.acks !== -1 || this.maxInFlight > 5;
    if ((options.idempotent === true || transactionalId !== null) && conflicts) {
      throw new KafkaStateError('idempotence (and transactions) need acks: "all" and maxInFlightRequestsPerConnection <= 5', 'INVALID_CONFIG');
    }
    if (transactionalId !== null && options.idempotent === false) {
      throw new KafkaStateError('a transactional producer is idempotent; do not set idempotent: false', 'INVALID_CONFIG');
    }
    this.idempotent = options.idempotent ?? !conflicts;
    if (options.partitioner !== undefined && typeof options.partitioner !== 'function') {
      throw new KafkaStateError('partitioner must be a function', 'INVALID_CONFIG');
    }
    this.partitioner = options.partitioner;
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.sticky = new StickyPartitions(this.batchSize);
    const transactionTimeoutMs = positive(options.transactionTimeoutMs, 'transactionTimeoutMs', 60_000);
    this.identity = new ProducerIdentity(this.cluster, transactionalId, transactionTimeoutMs);
  }

  /** Sends one record; resolves with where it was written once it is acknowledged. */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    if (this.closed) return Promise.reject(new KafkaStateError('the producer is closed'));
    try {
      this.identity.checkCanSend();
    } catch (e) {
      return Promise.reject(e);
    }
    const outcome = new Outcome();
    this.appendFrom([record], outcome, 0);
    return outcome.promise;
  }

  /** Sends records (any topics and partitions); resolves with one metadata per record, in the same order. Rejects with the first failure. */
  sendBatch(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (!Array.isArray(records)) return Promise.reject(new KafkaStateError('sendBatch() takes an array of records', 'INVALID_RECORD'));
    if (this.closed) return Promise.reject(new KafkaStateError('the producer is closed'));
    try {
      this.identity.checkCanSend();
    } catch (e) {
      return Promise.reject(e);
    }
    const outcomes = new Outcomes(records.length);
    this.appendFrom(records, outcomes, 0);
    return outcomes.promise;
  }

  /** Sends everything buffered now and resolves once all of it has an outcome. */
  async flush(): Promise<void> {
    this.urgent++;
    try {
      while (this.waitingToAppend.size > 0) await Promise.all(this.waitingToAppend);
      for (const q of this.queueList) if (q.open) this.closeOpen(q);
      this.wake();
      // Batches made before this call, and those split from them (ids in between).
      const limit = this.nextBatchId;
      while (true) {
        const pending = [...this.unsettled].filter((b) => b.id < limit);
        if (pending.length === 0) break;
        await Promise.all(pending.map((b) => b.whenSettled()));
      }
    } finally {
      this.urgent--;
    }
  }

  /** Flushes, then closes the connections. Later sends fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.cluster.close();
  }

  /** [Java initTransactions] Registers the transactionalId, fencing older producers with it. */
  async initTransactions(): Promise<void> {
    await this.identity.initTransactions();
  }

  /** [Java beginTransaction] Starts a transaction: sends until commit or abort belong to it. */
  beginTransaction(): void {
    this.identity.beginTransaction();
    this.transactionError = null;
  }

  /** [Java sendOffsetsToTransaction] Commits a consumer group's offsets with the transaction. */
  async sendOffsetsToTransaction(offsets: readonly TopicPartitionOffset[], group: string | ConsumerGroupMetadata): Promise<void> {
    await this.identity.sendOffsets(offsets, group);
  }

  /** [Java commitTransaction] Flushes, then commits; fails (and the transaction must be aborted) if a send of it failed. */
  async commitTransaction(): Promise<void> {
    await this.flush();
    if (this.transactionError) {
      throw new KafkaStateError(`the transaction cannot commit, a send failed (${this.transactionError.message}); abort it`, 'INVALID_TXN_STATE');
    }
    await this.identity.endTransaction(true);
  }

  /** [Java abortTransaction] Flushes, then aborts: consumers reading committed data never see the transaction's records. */
  async abortTransaction(): Promise<void> {
    await this.flush();
    await this.identity.endTransaction(false);
    this.transactionError = null;
  }

  // --- appending ---

  /** Appends records[start..]; returns early (continuing later) when metadata or memory must be waited for. */
  private appendFrom(records: readonly ProducerRecord[], outcomes: Completion, start: number): void {
    for (let i = start; i < records.length; i++) {
      const record = records[i];
      const topic = record?.topic;
      const info = typeof topic === 'string' ? this.cluster.topic(topic) : undefined;
      if (typeof topic === 'string' && !info) {
        this.continueAfter(this.waitForTopic(topic), records, outcomes, i);
        return;
      }
      if (this.memoryUsed >= this.bufferMemory) {
        this.continueAfter(this.waitForMemory(), records, outcomes, i);
        return;
      }
      try {
        this.append(record, info, outcomes, i);
      } catch (e) {
        outcomes.fail(i, e as Error);
      }
    }
  }

  private continueAfter(wait: Promise<unknown>, records: readonly ProducerRecord[], outcomes: Completion, at: number): void {
    const resumed = wait.then(
      () => this.appendFrom(records, outcomes, at),
      (e: Error) => {
        for (let i = at; i < records.length; i++) outcomes.fail(i, e);
      },
    );
    this.waitingToAppend.add(resumed);
    void resumed.finally(() => this.waitingToAppend.delete(resumed));
  }

  private async waitForTopic(topic: string): Promise<void> {
    await this.cluster.waitForTopic(topic, Date.now() + this.maxBlockMs, this.allowAutoTopicCreation);
  }

  private waitForMemory(): Promise<void> {
    this.urgent++;
    this.wake();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.memoryWaiters = this.memoryWaiters.filter((w) => w !== wake);
        this.urgent--;
        reject(new KafkaTimeoutError(`buffer memory (${this.bufferMemory} bytes) stayed full for maxBlockMs (${this.maxBlockMs} ms)`));
      }, this.maxBlockMs);
      const wake = (): void => {
        clearTimeout(timer);
        this.urgent--;
        resolve();
      };
      this.memoryWaiters.push(wake);
    });
  }

  private append(record: ProducerRecord, info: TopicInfo | undefined, outcomes: Completion, index: number): void {
    if (record === null || typeof record !== 'object' || typeof record.topic !== 'string' || record.topic === '') {
      throw new KafkaStateError('a record needs a topic name', 'INVALID_RECORD');
    }
    const key = record.key ?? null;
    const value = record.value ?? null;
    checkData(key, 'key');
    checkData(value, 'value');
    const timestamp = record.timestamp ?? Date.now();
    if (!Number.isSafeInteger(timestamp)) throw new KafkaStateError(`timestamp must be an integer number of ms, got ${String(record.timestamp)}`, 'INVALID_TIMESTAMP');
    const partitionCount = info!.partitions.length;
    const partition = this.partitionOf(record, key, value, info!, partitionCount);

    const q = this.queueFor(record.topic, partition);
    const sizes = this.sizes;
    let batch = q.open;
    if (batch) {
      recordSize(sizes, timestamp - batch.baseTimestamp, batch.count, key, value, record.headers);
      if (!batch.fits(sizes.total)) {
        this.closeOpen(q);
        batch = null;
      }
    }
    if (!batch) {
      recordSize(sizes, 0, 0, key, value, record.headers);
      if (BATCH_HEADER_SIZE + sizes.total > this.maxRequestSize) {
        throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `the record is ${BATCH_HEADER_SIZE + sizes.total} bytes in its batch, more than maxRequestSize (${this.maxRequestSize})`);
      }
      batch = new ProducerBatch(q.topic, partition, this.nextBatchId++, this.batchSize, sizes.total, Date.now(), q.lastBatchSize);
      q.open = batch;
      this.unsettled.add(batch);
      this.scheduleDrain(this.urgent > 0 ? 0 : this.lingerMs);
    }
    batch.append(timestamp, key, value, record.headers, sizes, outcomes, index);
    this.memoryUsed += sizes.total;
    if (batch.size >= this.batchSize) this.closeOpen(q);
  }

  private partitionOf(record: ProducerRecord, key: ProducerRecord['key'], value: ProducerRecord['value'], info: TopicInfo, partitionCount: number): number {
    let partition = record.partition;
    if (partition === undefined || partition === null) {
      if (this.partitioner) {
        partition = this.partitioner({ topic: record.topic, key: key ?? null, value: value ?? null, partitionCount });
      } else if (key !== null && key !== undefined) {
        partition = partitionForKey(key, partitionCount);
      } else {
        partition = this.sticky.next(record.topic, info.partitions, value === null || value === undefined ? 0 : value.length);
      }
    }
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      throw new KafkaClientError(`partition ${String(partition)} of topic ${record.topic} is not in [0, ${partitionCount})`, 'UNKNOWN_TOPIC_OR_PARTITION', false);
    }
    return partition;
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    const k = partitionKey(topic, partition);
    let q = this.queues.get(k);
    if (!q) {
      q = { topic, partition, open: null, ready: [], inFlight: 0, muted: false, retryAt: 0, nextSequence: 0, ackedSequence: 0, lastBatchSize: 0 };
      this.queues.set(k, q);
      this.queueList.push(q);
    }
    return q;
  }

  private closeOpen(q: PartitionQueue): void {
    this.closeOpenQuietly(q);
    this.wake();
  }

  // --- sending ---

  private wake(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Runs drain() after `ms` (or sooner if already scheduled sooner). */
  private scheduleDrain(ms: number): void {
    if (ms <= 0) {
      this.wake();
      return;
    }
    const at = Date.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.drain();
    }, ms);
  }

  private drain(): void {
    if (this.unsettled.size === 0 || this.closed) return;
    if (this.idempotent && !this.producerIdReady()) return;
    const now = Date.now();
    let nextWake = Infinity;
    const byNode = new Map<number, PartitionQueue[]>();
    const unknownLeaders: string[] = [];
    for (const q of this.queueList) {
      this.expire(q, now);
      if (q.ready.length === 0 && q.open === null) continue;
      if (q.muted) {
        if (q.inFlight > 0) continue;
        if (now < q.retryAt) {
          nextWake = Math.min(nextWake, q.retryAt);
          continue;
        }
        q.muted = false;
        q.nextSequence = q.ackedSequence;
      }
      const leader = this.cluster.topic(q.topic)?.partitions[q.partition]?.leader ?? -1;
      if (leader < 0) {
        unknownLeaders.push(q.topic);
        continue;
      }
      const list = byNode.get(leader);
      if (list) list.push(q);
      else byNode.set(leader, [q]);
    }
    for (const [node, queues] of byNode) nextWake = Math.min(nextWake, this.sendToNode(node, queues, now));
    if (unknownLeaders.length > 0) this.refreshMetadata(unknownLeaders);
    else if (this.cluster.stale && this.queueList.length > 0) this.refreshMetadata(this.queueList.map((q) => q.topic));
    if (nextWake !== Infinity) this.scheduleDrain(Math.max(1, nextWake - now));
  }

  /** Whether the producer id is known; if not, starts getting it (drain runs again when it arrives). */
  private producerIdReady(): boolean {
    if (this.resetProducerId && [...this.inFlightByNode.values()].every((n) => n === 0)) {
      // A batch expired after being sent: its fate is unknown, so sequences restart under a new producer id.
      this.resetProducerId = false;
      this.identity.producerId = -1;
      for (const q of this.queueList) q.nextSequence = q.ackedSequence = 0;
    }
    if (this.identity.producerId >= 0) return true;
    this.identity.ensureProducerId().then(
      () => {
        this.producerIdError = null;
        this.wake();
      },
      (e: Error) => {
        this.producerIdError = e;
        this.expireAll();
        this.scheduleDrain(this.cluster.options.retryBackoffMs);
      },
    );
    return false;
  }

  private closeOpenQuietly(q: PartitionQueue): void {
    const batch = q.open!;
    q.lastBatchSize = batch.size;
    batch.closed = true;
    q.open = null;
    q.ready.push(batch);
  }

  /** Fails the batches of `q` waiting longer than deliveryTimeoutMs. */
  private expire(q: PartitionQueue, now: number): void {
    // The open batch too, as Java's expiredBatches: it can only be sent once its leader is known.
    if (q.open !== null && now - q.open.createdAt >= this.deliveryTimeoutMs) this.closeOpenQuietly(q);
    while (q.ready.length > 0 && now - q.ready[0].createdAt >= this.deliveryTimeoutMs) {
      const batch = q.ready.shift()!;
      if (batch.attempts > 0 && this.idempotent) this.resetProducerId = true;
      const cause = this.producerIdError ? `; last error: ${this.producerIdError.message}` : '';
      this.settle(batch, new KafkaTimeoutError(`${batch.count} record(s) for ${q.topic}-${q.partition} expired: ${this.deliveryTimeoutMs} ms (deliveryTimeoutMs) passed since the batch was created${cause}`));
    }
  }

  private expireAll(): void {
    const now = Date.now();
    for (const q of this.queueList) this.expire(q, now);
  }

  /**
   * When the first batch of `q` may be sent: at once if it is closed (full, or a retry) or sends are
   * urgent (flush, close, buffer memory exhausted), else once the open batch has lingered lingerMs.
   */
  private sendableAt(q: PartitionQueue): number {
    if (q.ready.length > 0 || (q.open !== null && this.urgent > 0)) return 0;
    return q.open === null ? Infinity : q.open.createdAt + this.lingerMs;
  }

  /**
   * Makes requests to `node` while it has room for one and one of its partitions has a batch due; each
   * takes the first batch of every partition. As in the Java client's Sender, an open batch is closed
   * only here, as it goes into a request: while requests wait for room, batches keep filling (closed
   * early, a batch waiting behind full ones would only make the requests smaller). Returns when to
   * try again if the only batches left are lingering; Infinity if a response will wake the drain.
   * `queues` holds no muted partition (drain() leaves them out), and none is muted while this runs:
   * a request's failure is handled asynchronously.
   */
  private sendToNode(node: number, queues: PartitionQueue[], now: number): number {
    while ((this.inFlightByNode.get(node) ?? 0) < this.maxInFlight) {
      let due = Infinity;
      for (const q of queues) due = Math.min(due, this.sendableAt(q));
      if (due > now) return due;
      const batches: ProducerBatch[] = [];
      let size = 0;
      for (const q of queues) {
        const batch = q.ready.length > 0 ? q.ready[0] : q.open;
        if (batch === null) continue;
        if (batches.length > 0 && size + batch.size > this.maxRequestSize) continue;
        if (batch === q.open) this.closeOpenQuietly(q);
        q.ready.shift();
        q.inFlight++;
        if (this.idempotent) {
          batch.sequence = q.nextSequence;
          q.nextSequence = (q.nextSequence + batch.count) % SEQUENCE_WRAP;
        }
        batch.attempts++;
        batches.push(batch);
        size += batch.size;
      }
      if (batches.length === 0) return Infinity;
      this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 0) + 1);
      this.produce(node, batches).finally(() => {
        this.inFlightByNode.set(node, this.inFlightByNode.get(node)! - 1);
        for (const b of batches) this.queueFor(b.topic, b.partition).inFlight--;
        this.wake();
      });
    }
    return Infinity;
  }

  private async produce(node: number, batches: ProducerBatch[]): Promise<void> {
    // Requests to a broker are written in the order they were made (their batches were numbered in
    // that order), though each one's batches are compressed concurrently with the others'.
    const previous = this.writeOrder.get(node);
    let written!: () => void;
    const mine = new Promise<void>((resolve) => {
      written = () => {
        if (this.writeOrder.get(node) === mine) this.writeOrder.delete(node);
        resolve();
      };
    });
    this.writeOrder.set(node, mine);
    let response: ProduceResponse | null;
    try {
      const wires = await this.prepare(batches);
      if (previous) await previous;
      const byTopic = new Map<string, { index: number; records: Buffer }[]>();
      batches.forEach((b, i) => {
        const list = byTopic.get(b.topic);
        const entry = { index: b.partition, records: wires[i] };
        if (list) list.push(entry);
        else byTopic.set(b.topic, [entry]);
      });
      const connection = await this.cluster.connectionTo(node);
      const answer = connection.request<ProduceResponse | null>(
        ApiKey.Produce,
        {
          transactionalId: this.identity.transactionalId,
          acks: this.acks,
          timeoutMs: this.cluster.options.requestTimeoutMs,
          topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
        },
        { expectResponse: this.acks !== 0 },
      );
      written();
      response = await answer;
    } catch (e) {
      written();
      const error = e as Error;
      if (error instanceof KafkaConnectionError || error instanceof KafkaTimeoutError) {
        this.refreshMetadata(batches.map((b) => b.topic));
      }
      for (const b of batches) this.onBatchError(b, error);
      return;
    }
    if (response === null) {
      for (const b of batches) this.onBatchDone(b, -1, -1);
      return;
    }
    for (const t of response.responses) {
      for (const p of t.partitionResponses) {
        const batch = batches.find((b) => b.topic === t.name && b.partition === p.index);
        if (!batch) continue;
        if (p.errorCode === 0 || p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
          this.onBatchDone(batch, p.errorCode === 0 ? p.baseOffset : -1, p.logAppendTimeMs);
        } else {
          if (LEADER_MOVED.has(p.errorCode)) {
            this.cluster.invalidateLeader(t.name, p.index);
          }
          this.onBatchError(batch, new KafkaError(p.errorCode, p.errorMessage ?? `producing to ${t.name}-${p.index}`));
        }
      }
    }
    // A partition missing from the answer: treat as a retriable failure.
    for (const b of batches) if (!b.settled && !this.queueFor(b.topic, b.partition).ready.includes(b)) this.onBatchError(b, new KafkaError(ErrorCode.NETWORK_EXCEPTION, `no answer for ${b.topic}-${b.partition}`));
  }

  /** Adds the batches' partitions to the transaction if needed, and makes their wire form. */
  private async prepare(batches: ProducerBatch[]): Promise<Buffer[]> {
    if (this.identity.transactional) await this.identity.addPartitions(batches);
    const { producerId, producerEpoch, transactional } = this.identity;
    const id = this.idempotent ? producerId : -1;
    const epoch = this.idempotent ? producerEpoch : -1;
    return Promise.all(batches.map((b) => b.toWire(this.compression, id, epoch, transactional)));
  }

  private onBatchDone(batch: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    const q = this.queueFor(batch.topic, batch.partition);
    if (this.idempotent) q.ackedSequence = (batch.sequence + batch.count) % SEQUENCE_WRAP;
    this.memoryUsed -= batch.size - BATCH_HEADER_SIZE;
    this.unsettled.delete(batch);
    batch.complete(baseOffset, logAppendTime);
    this.releaseMemory();
  }

  private onBatchError(batch: ProducerBatch, error: Error): void {
    const q = this.queueFor(batch.topic, batch.partition);
    const code = error instanceof KafkaError ? error.code : -1;
    // After an earlier failure of the partition, later batches come back out of sequence: resend them too.
    const retriable = (error as KafkaClientError).retriable === true || (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && q.muted);
    const withinTime = Date.now() - batch.createdAt < this.deliveryTimeoutMs;
    if (this.idempotent || retriable) {
      q.muted = true;
      q.retryAt = Date.now() + this.cluster.options.retryBackoffMs;
    }
    if (retriable && withinTime && batch.attempts <= this.retries && !this.closed) {
      this.requeue(q, [batch]);
      return;
    }
    if ((code === ErrorCode.MESSAGE_TOO_LARGE || code === ErrorCode.RECORD_LIST_TOO_LARGE) && batch.count > 1) {
      // Too large as a whole: each record is tried on its own, so only the oversized ones fail.
      q.muted = true;
      this.unsettled.delete(batch);
      this.memoryUsed -= batch.size - BATCH_HEADER_SIZE;
      const singles = batch.split();
      for (const b of singles) {
        this.unsettled.add(b);
        this.memoryUsed += b.size - BATCH_HEADER_SIZE;
      }
      this.requeue(q, singles);
      return;
    }
    if (FATAL.has(code)) this.identity.setFatal(error);
    if (code === ErrorCode.UNKNOWN_PRODUCER_ID || (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && !q.muted)) this.resetProducerId = true;
    this.settle(batch, error);
  }

  /** Puts batches back among the partition's ready ones, in creation order. */
  private requeue(q: PartitionQueue, batches: ProducerBatch[]): void {
    let at = 0;
    while (at < q.ready.length && q.ready[at].id < batches[0].id) at++;
    q.ready.splice(at, 0, ...batches);
  }

  private settle(batch: ProducerBatch, error: Error): void {
    if (this.identity.inTransaction) this.transactionError ??= error;
    this.memoryUsed -= batch.size - BATCH_HEADER_SIZE;
    this.unsettled.delete(batch);
    batch.fail(error);
    this.releaseMemory();
  }

  private releaseMemory(): void {
    if (this.memoryUsed >= this.bufferMemory || this.memoryWaiters.length === 0) return;
    for (const w of this.memoryWaiters.splice(0)) w();
  }

  /** Refreshes metadata for `topics` in the background, one refresh at a time, then drains again. */
  private refreshMetadata(topics: string[]): void {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    this.cluster.refresh([...new Set(topics)], this.allowAutoTopicCreation)
      .catch(() => {})
      .then(() => new Promise((r) => setTimeout(r, this.cluster.options.retryBackoffMs)))
      .finally(() => {
        this.refreshing = false;
        this.wake();
      });
  }
}

function checkData(d: unknown, what: string): void {
  if (d !== null && typeof d !== 'string' && !Buffer.isBuffer(d)) {
    throw new KafkaStateError(`a record's ${what} must be a Buffer, a string or null`, 'INVALID_RECORD');
  }
}
