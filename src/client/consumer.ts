// The consumer: subscribe (with a group) or assign (without), then poll.
// Fetches run in the background, one in flight per broker, for assigned
// partitions that are not paused and have little buffered; responses are kept
// as lazily parsed record sets (fetched-records.ts) and turned into records
// only as poll() takes them. Group membership (group-membership.ts) joins,
// heartbeats on its own timer and rejoins from poll(), where the rebalance
// listener runs, as in the Java client.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import { FetchSessionHandler } from '../protocol/fetch-session.js';
import type { FetchResponse } from '../protocol/messages/fetch.js';
import type { ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import { ASSIGNORS, type Assignor } from './assignors.js';
import { Cluster } from './cluster.js';
import { KafkaClientError, KafkaError, KafkaStateError, WakeupError } from './errors.js';
import { FetchedRecords, type ReadOptions } from './fetched-records.js';
import { GroupMembership } from './group-membership.js';
import { nonNegative, oneOf, positive, resolveClientOptions, type ClientOptions } from './options.js';
import type { ConsumerGroupMetadata } from './transactions.js';
import { partitionKey, type ConsumerRecord, type TopicPartition, type TopicPartitionOffset } from './types.js';

/** Called around rebalances, from inside poll() (so offsets can be committed before partitions move). */
export interface RebalanceListener {
  /** Partitions about to be taken away; commit what was processed for them. */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions newly given to this member. */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions lost without a clean revoke (the membership expired): others may already own them. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

/** Consumer options; each is the Java client's config of the same meaning (noted in brackets). */
export interface ConsumerOptions extends ClientOptions {
  /** [group.id] Needed by subscribe() and commits. */
  groupId?: string;
  /** [group.instance.id] Static membership: a restart within sessionTimeoutMs keeps the assignment without a rebalance. */
  groupInstanceId?: string;
  /** [auto.offset.reset] Where to start without a committed offset (or out of range). Default 'latest'. */
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** [enable.auto.commit] Commit positions every autoCommitIntervalMs from poll(), before rebalances and on close. Default true. */
  enableAutoCommit?: boolean;
  /** [auto.commit.interval.ms] Default 5000. */
  autoCommitIntervalMs?: number;
  /** [session.timeout.ms] Default 45000. */
  sessionTimeoutMs?: number;
  /** [heartbeat.interval.ms] Default 3000. */
  heartbeatIntervalMs?: number;
  /** [max.poll.interval.ms] The member leaves the group if poll() is not called this often. Default 300000. */
  maxPollIntervalMs?: number;
  /** [max.poll.records] Default 500. */
  maxPollRecords?: number;
  /** [fetch.min.bytes] Default 1. */
  fetchMinBytes?: number;
  /** [fetch.max.wait.ms] Default 500. */
  fetchMaxWaitMs?: number;
  /** [fetch.max.bytes] Default 52428800. */
  fetchMaxBytes?: number;
  /** [max.partition.fetch.bytes] Default 1048576. */
  maxPartitionFetchBytes?: number;
  /** [isolation.level] 'read_committed' hides aborted and open transactions. Default 'read_uncommitted'. */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** [check.crcs] Check each record batch's CRC-32C before reading it (once per batch, on first read). Default true. */
  checkCrcs?: boolean;
  /** [partition.assignment.strategy] Default ['range', 'cooperative-sticky'] (Java's). */
  partitionAssignors?: readonly ('range' | 'roundrobin' | 'cooperative-sticky' | Assignor)[];
  /** [allow.auto.create.topics] Default false here (Java's consumer default is true, but brokers differ). */
  allowAutoTopicCreation?: boolean;
}

/** One assigned partition's state. */
interface PartitionState {
  topic: string;
  partition: number;
  /** Next offset poll() returns; null until known (committed offset or reset). */
  position: number | null;
  /** Next offset to fetch (ahead of position while fetched data is buffered). */
  fetchOffset: number;
  paused: boolean;
  buffered: FetchedRecords[];
  /** Bumped by seek and revoke: answers to fetches made before are dropped. */
  epoch: number;
  fetching: boolean;
  /** 'earliest'/'latest' requested by seekToBeginning/End, done at the next poll. */
  resetTo: 'earliest' | 'latest' | null;
}

const EARLIEST = -2;
const LATEST = -1;
/** Buffered fetches per partition before it is fetched no more until poll() takes some. */
const MAX_BUFFERED_FETCHES = 2;
/** The client names topics (Fetch up to v12): ids and replica directories are left zero. */
const NO_ID = Buffer.alloc(16);

/** Reads records from Kafka topics, alone (assign) or as a member of a consumer group (subscribe). */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  private readonly cluster: Cluster;
  private readonly groupId: string | null;
  private readonly membership: GroupMembership | null;
  private readonly autoOffsetReset: 'earliest' | 'latest' | 'none';
  private readonly enableAutoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly maxPollRecords: number;
  private readonly fetchMinBytes: number;
  private readonly fetchMaxWaitMs: number;
  private readonly fetchMaxBytes: number;
  private readonly maxPartitionFetchBytes: number;
  private readonly readCommitted: boolean;
  private readonly readOptions: ReadOptions;
  private readonly allowAutoTopicCreation: boolean;

  private subscribedTopics: string[] = [];
  private subscribedPattern: RegExp | null = null;
  private listener: RebalanceListener = {};
  private mode: 'none' | 'subscribe' | 'assign' = 'none';
  private readonly assigned = new Map<string, PartitionState>();
  private assignedList: PartitionState[] = [];
  /** Round-robin start for taking records, so no partition starves. */
  private nextTake = 0;
  private readonly busyNodes = new Set<number>();
  /** An incremental fetch session (KIP-227) with each broker fetched from, as the Java consumer keeps. */
  private readonly fetchSessions = new Map<number, FetchSessionHandler>();
  private rejoin = false;
  private lastPoll = Date.now();
  private nextAutoCommit = 0;
  private closed = false;
  private resolving: Promise<void> | null = null;
  private joining: Promise<void> | null = null;
  /** The assignment of a join that completed, applied (with the listener) by the next poll(). */
  private joined: TopicPartition[] | null = null;
  private joinError: Error | null = null;
  private fetchError: Error | null = null;
  private wakeupRequested = false;
  private waiter: (() => void) | null = null;
  private pollIntervalTimer: NodeJS.Timeout | null = null;
  private metadataSnapshot = '';

  /** Checks the options; connects on first use. */
  constructor(options: ConsumerOptions) {
    this.cluster = new Cluster(resolveClientOptions(options, 'samsa-consumer'));
    this.groupId = options.groupId ?? null;
    this.autoOffsetReset = oneOf(options.autoOffsetReset, 'autoOffsetReset', ['earliest', 'latest', 'none'] as const, 'latest');
    this.enableAutoCommit = (options.enableAutoCommit ?? true) && this.groupId !== null;
    this.autoCommitIntervalMs = positive(options.autoCommitIntervalMs, 'autoCommitIntervalMs', 5000);
    const sessionTimeoutMs = positive(options.sessionTimeoutMs, 'sessionTimeoutMs', 45_000);
    const heartbeatIntervalMs = positive(options.heartbeatIntervalMs, 'heartbeatIntervalMs', 3000);
    this.maxPollIntervalMs = positive(options.maxPollIntervalMs, 'maxPollIntervalMs', 300_000);
    this.maxPollRecords = positive(options.maxPollRecords, 'maxPollRecords', 500);
    this.fetchMinBytes = positive(options.fetchMinBytes, 'fetchMinBytes', 1);
    this.fetchMaxWaitMs = nonNegative(options.fetchMaxWaitMs, 'fetchMaxWaitMs', 500);
    this.fetchMaxBytes = positive(options.fetchMaxBytes, 'fetchMaxBytes', 52_428_800);
    this.maxPartitionFetchBytes = positive(options.maxPartitionFetchBytes, 'maxPartitionFetchBytes', 1_048_576);
    this.readCommitted = oneOf(options.isolationLevel, 'isolationLevel', ['read_uncommitted', 'read_committed'] as const, 'read_uncommitted') === 'read_committed';
    this.readOptions = { readCommitted: this.readCommitted, checkCrcs: options.checkCrcs ?? true };
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? false;
    const assignors = (options.partitionAssignors ?? ['range', 'cooperative-sticky']).map((a) => {
      const found = typeof a === 'string' ? ASSIGNORS[a] : a;
      if (!found || typeof found.assign !== 'function') throw new KafkaStateError(`unknown partition assignor ${String(a)}`, 'INVALID_CONFIG');
      return found;
    });
    if (assignors.length === 0) throw new KafkaStateError('partitionAssignors is empty', 'INVALID_CONFIG');
    this.membership = this.groupId === null ? null : new GroupMembership(this.cluster, {
      groupId: this.groupId,
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs,
      rebalanceTimeoutMs: this.maxPollIntervalMs,
      heartbeatIntervalMs,
      assignors,
    }, {
      topics: () => this.matchingTopics(),
      owned: () => this.assignment(),
      partitionCounts: (topics) => this.partitionCounts(topics),
      rejoinNeeded: (lost) => this.requestRejoin(lost),
    });
  }

  /** Subscribes to topics (a list, or a RegExp matched against all topic names) as a member of groupId. Replaces an earlier subscription. */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.checkOpen();
    if (!this.membership) throw new KafkaStateError('subscribe() needs the groupId option; use assign() without a group', 'INVALID_GROUP_ID');
    if (this.mode === 'assign') throw new KafkaStateError('subscribe() after assign(): call unsubscribe() first');
    if (topics instanceof RegExp) {
      this.subscribedPattern = topics;
      this.subscribedTopics = [];
    } else {
      if (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string' || t === '')) throw new KafkaStateError('subscribe() takes topic names or a RegExp', 'INVALID_TOPIC_EXCEPTION');
      this.subscribedPattern = null;
      this.subscribedTopics = [...new Set(topics)];
    }
    this.listener = listener;
    this.mode = 'subscribe';
    this.requestRejoin(false);
  }

  /** Reads these partitions without group management (commits still go to groupId if set). Replaces an earlier assignment. */
  assign(partitions: readonly TopicPartition[]): void {
    this.checkOpen();
    if (this.mode === 'subscribe') throw new KafkaStateError('assign() after subscribe(): call unsubscribe() first');
    this.mode = partitions.length > 0 ? 'assign' : 'none';
    const keep = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    this.removePartitions(this.assignedList.filter((s) => !keep.has(partitionKey(s.topic, s.partition))));
    this.addPartitions(partitions);
  }

  /** Drops the subscription or assignment (a group member leaves at its next poll... here at once). */
  async unsubscribe(): Promise<void> {
    if (this.mode === 'subscribe' && this.membership) {
      await this.revoke(this.assignment(), false);
      await this.membership.leave('the consumer unsubscribed');
    } else {
      this.removePartitions(this.assignedList);
    }
    this.joined = null;
    this.subscribedTopics = [];
    this.subscribedPattern = null;
    this.mode = 'none';
  }

  /** The partitions assigned now. */
  assignment(): TopicPartition[] {
    return this.assignedList.map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** The subscribed topic names (for a RegExp: those matching now). */
  subscription(): string[] {
    return this.subscribedPattern ? this.matchingTopics() : [...this.subscribedTopics];
  }

  /** The group identity, for a transactional producer's sendOffsetsToTransaction. */
  groupMetadata(): ConsumerGroupMetadata {
    if (!this.membership) throw new KafkaStateError('groupMetadata() needs the groupId option', 'INVALID_GROUP_ID');
    return {
      groupId: this.membership.options.groupId,
      generationId: this.membership.generationId,
      memberId: this.membership.memberId,
      groupInstanceId: this.membership.options.groupInstanceId,
    };
  }

  /**
   * Returns the records available now, waiting up to `timeoutMs` for some (at most maxPollRecords).
   * Also runs group duties: joining and rebalancing (with the listener), auto-commit.
   */
  async poll(timeoutMs = 1000): Promise<ConsumerRecord[]> {
    this.checkOpen();
    this.lastPoll = Date.now();
    const deadline = Date.now() + timeoutMs;
    if (this.mode === 'none') throw new KafkaStateError('poll() before subscribe() or assign()');
    while (true) {
      this.throwIfWakeup();
      if (this.joinError) {
        const e = this.joinError;
        this.joinError = null;
        throw e;
      }
      if (this.joined) await this.applyAssignment(this.joined);
      const rebalancing = this.mode === 'subscribe' && (this.rejoin || this.joining !== null || this.membership!.generationId < 0);
      if (rebalancing) {
        // The join runs on its own: a poll returns at its deadline even while the group waits for other members.
        this.startRebalance();
        // Cooperative members keep their partitions through a rebalance, and read them meanwhile.
        if (!this.membership!.cooperative || this.assignedList.length === 0) {
          const left = deadline - Date.now();
          if (left <= 0) return [];
          await this.waitForData(left);
          continue;
        }
      } else {
        this.maybeAutoCommit();
      }
      this.resolvePositions();
      if (this.fetchError) {
        const e = this.fetchError;
        this.fetchError = null;
        throw e;
      }
      const records = this.take();
      if (records.length > 0) {
        this.fetch();
        return records;
      }
      this.fetch();
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.waitForData(left);
    }
  }

  /** The records one by one, polling as needed, until close(). */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    while (!this.closed) {
      let records: ConsumerRecord[];
      try {
        records = await this.poll(1000);
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
      for (const r of records) {
        yield r;
        if (this.closed) return;
      }
    }
  }

  /** Commits offsets and waits: the given ones, or the current positions of all assigned partitions. */
  async commitSync(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen();
    if (!this.membership) throw new KafkaStateError('committing needs the groupId option', 'INVALID_GROUP_ID');
    await this.membership.commit(offsets ?? this.positions(), this.mode === 'subscribe', Date.now() + this.cluster.options.requestTimeoutMs);
  }

  /** Like commitSync without waiting; the callback (if any) gets the error or null. The returned promise never rejects. */
  commitAsync(offsets?: readonly TopicPartitionOffset[], callback?: (error: Error | null) => void): Promise<void> {
    return this.commitSync(offsets).then(
      () => callback?.(null),
      (e: Error) => callback?.(e),
    );
  }

  /** The group's committed offsets for these partitions (offset -1 when none). */
  async committed(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    this.checkOpen();
    if (!this.membership) throw new KafkaStateError('committed() needs the groupId option', 'INVALID_GROUP_ID');
    return this.membership.committed(partitions, this.readCommitted, Date.now() + this.cluster.options.requestTimeoutMs);
  }

  /** The offset of the next record poll() returns for an assigned partition (looked up if not known yet). */
  async position(tp: TopicPartition): Promise<number> {
    const state = this.stateOf(tp);
    if (state.position === null || state.resetTo !== null) {
      this.resolvePositions();
      if (this.resolving) await this.resolving;
    }
    if (state.position === null) throw new KafkaStateError(`no position for ${tp.topic}-${tp.partition}`);
    return state.position;
  }

  /** Makes the next poll() read an assigned partition from `offset`. */
  seek(tp: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new KafkaStateError(`seek offset must be an integer >= 0, got ${offset}`, 'OFFSET_OUT_OF_RANGE');
    const state = this.stateOf(tp);
    this.clearBuffered(state);
    state.position = offset;
    state.fetchOffset = offset;
    state.resetTo = null;
  }

  /** Moves to the first offset of these partitions (all assigned ones by default), at the next poll. */
  seekToBeginning(partitions?: readonly TopicPartition[]): void {
    this.seekTo(partitions, 'earliest');
  }

  /** Moves past the last record of these partitions (all assigned ones by default), at the next poll. */
  seekToEnd(partitions?: readonly TopicPartition[]): void {
    this.seekTo(partitions, 'latest');
  }

  /** Stops fetching these partitions until resume(); their positions are kept. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const state = this.stateOf(tp);
      state.paused = true;
      this.clearBuffered(state);
    }
  }

  /** Fetches these partitions again. */
  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.stateOf(tp).paused = false;
    this.fetch();
  }

  /** The paused partitions. */
  paused(): TopicPartition[] {
    return this.assignedList.filter((s) => s.paused).map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** Makes a waiting (or the next) poll() throw WakeupError, to break out of it from elsewhere. */
  wakeup(): void {
    this.wakeupRequested = true;
    this.notify();
  }

  /** Commits (with auto-commit on), leaves the group and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.enableAutoCommit && this.assignedList.length > 0) await this.commitSync().catch(() => {});
      if (this.mode === 'subscribe' && this.membership) {
        if (this.assignedList.length > 0) await this.callListener('onPartitionsRevoked', this.assignment());
        await this.membership.leave('the consumer is closing');
      }
    } finally {
      this.closed = true;
      this.membership?.stop();
      if (this.pollIntervalTimer) clearTimeout(this.pollIntervalTimer);
      this.notify();
      await this.cluster.close();
    }
  }

  // --- group ---

  private requestRejoin(lost: boolean): void {
    this.rejoin = true;
    if (lost) this.joined = null;
    if (lost && this.assignedList.length > 0) {
      const partitions = this.assignment();
      this.removePartitions(this.assignedList);
      void this.callListener('onPartitionsLost', partitions);
    }
    this.notify();
  }

  private startRebalance(): void {
    this.joining ??= this.rebalance()
      .catch((e: Error) => {
        // Surfaced by the next poll, which then starts over.
        this.rejoin = true;
        this.joinError = e;
      })
      .finally(() => {
        this.joining = null;
        this.notify();
      });
  }

  /** Joins (again), eager members giving up everything first; the next poll() applies the assignment. */
  private async rebalance(): Promise<void> {
    const membership = this.membership!;
    this.rejoin = false;
    if (!membership.cooperative && this.assignedList.length > 0) await this.revoke(this.assignment(), true);
    if (this.subscribedPattern) await this.cluster.refresh(null);
    const assignment = await membership.join(Date.now() + this.maxPollIntervalMs, 'rebalance');
    if (this.closed) return;
    this.startPollIntervalCheck();
    this.metadataSnapshot = this.snapshot();
    this.joined = assignment;
  }

  /** Revokes what the new assignment leaves out and adds what it brings, calling the listener (from poll(), as Java does). */
  private async applyAssignment(assignment: TopicPartition[]): Promise<void> {
    this.joined = null;
    const fresh = new Set(assignment.map((p) => partitionKey(p.topic, p.partition)));
    const revoked = this.assignedList.filter((s) => !fresh.has(partitionKey(s.topic, s.partition))).map((s) => ({ topic: s.topic, partition: s.partition }));
    const added = assignment.filter((p) => !this.assigned.has(partitionKey(p.topic, p.partition)));
    if (revoked.length > 0) {
      await this.revoke(revoked, true);
      // Cooperative: what was revoked goes to its new owner in another round.
      if (this.membership!.cooperative) this.rejoin = true;
    }
    this.addPartitions(added);
    await this.callListener('onPartitionsAssigned', added);
  }

  private async revoke(partitions: TopicPartition[], commit: boolean): Promise<void> {
    if (partitions.length === 0) return;
    if (commit && this.enableAutoCommit) {
      const keys = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
      await this.commitSync(this.positions().filter((p) => keys.has(partitionKey(p.topic, p.partition)))).catch(() => {});
    }
    await this.callListener('onPartitionsRevoked', partitions);
    const keys = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    this.removePartitions(this.assignedList.filter((s) => keys.has(partitionKey(s.topic, s.partition))));
  }

  private async callListener(name: keyof RebalanceListener, partitions: TopicPartition[]): Promise<void> {
    const fn = this.listener[name];
    if (fn && (partitions.length > 0 || name === 'onPartitionsAssigned')) await fn.call(this.listener, partitions);
  }

  /** Leaves the group when poll() has not been called for maxPollIntervalMs (as Java's heartbeat thread does). */
  private startPollIntervalCheck(): void {
    if (this.pollIntervalTimer) clearTimeout(this.pollIntervalTimer);
    const check = (): void => {
      if (this.closed || !this.membership || this.membership.generationId < 0) return;
      const idle = Date.now() - this.lastPoll;
      if (idle >= this.maxPollIntervalMs) {
        // The partitions are no longer ours from now on; the next poll() rejoins.
        this.requestRejoin(true);
        void this.membership.leave(`poll() not called for ${idle} ms (maxPollIntervalMs)`);
        return;
      }
      this.checkMetadata();
      this.pollIntervalTimer = setTimeout(check, Math.min(this.maxPollIntervalMs - idle, 1000));
    };
    this.pollIntervalTimer = setTimeout(check, 1000);
  }

  /** Rejoins when the subscribed topics or their partition counts changed (new topics for a RegExp, added partitions). */
  private checkMetadata(): void {
    if (!this.cluster.stale || this.mode !== 'subscribe') return;
    const topics = this.subscribedPattern ? null : this.subscribedTopics;
    this.cluster.refresh(topics).then(() => {
      if (this.snapshot() !== this.metadataSnapshot) this.requestRejoin(false);
    }, () => {});
  }

  private snapshot(): string {
    return this.matchingTopics().map((t) => `${t}:${this.cluster.topic(t)?.partitions.length ?? 0}`).join(',');
  }

  private matchingTopics(): string[] {
    if (!this.subscribedPattern) return this.subscribedTopics;
    const pattern = this.subscribedPattern;
    return this.cluster.topicNames().filter((t) => !this.cluster.topic(t)?.isInternal && pattern.test(t)).sort();
  }

  private async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    await this.cluster.refresh(topics, this.allowAutoTopicCreation);
    const counts = new Map<string, number>();
    for (const t of topics) {
      const info = this.cluster.topic(t);
      if (info && info.partitions.length > 0) counts.set(t, info.partitions.length);
    }
    return counts;
  }

  private maybeAutoCommit(): void {
    if (!this.enableAutoCommit || this.assignedList.length === 0) return;
    const now = Date.now();
    if (this.nextAutoCommit === 0) this.nextAutoCommit = now + this.autoCommitIntervalMs;
    if (now < this.nextAutoCommit) return;
    this.nextAutoCommit = now + this.autoCommitIntervalMs;
    void this.commitAsync();
  }

  // --- partitions and positions ---

  private addPartitions(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const k = partitionKey(tp.topic, tp.partition);
      if (this.assigned.has(k)) continue;
      const state: PartitionState = {
        topic: tp.topic, partition: tp.partition, position: null, fetchOffset: -1, paused: false, buffered: [], epoch: 0, fetching: false, resetTo: null,
      };
      this.assigned.set(k, state);
    }
    this.assignedList = [...this.assigned.values()];
    this.fetch();
  }

  private removePartitions(states: readonly PartitionState[]): void {
    for (const s of states) {
      s.epoch++;
      s.buffered = [];
      this.assigned.delete(partitionKey(s.topic, s.partition));
    }
    this.assignedList = [...this.assigned.values()];
  }

  private stateOf(tp: TopicPartition): PartitionState {
    const state = this.assigned.get(partitionKey(tp?.topic, tp?.partition));
    if (!state) throw new KafkaStateError(`${tp?.topic}-${tp?.partition} is not assigned to this consumer`);
    return state;
  }

  private seekTo(partitions: readonly TopicPartition[] | undefined, to: 'earliest' | 'latest'): void {
    const states = partitions ? partitions.map((p) => this.stateOf(p)) : this.assignedList;
    for (const s of states) {
      this.clearBuffered(s);
      s.resetTo = to;
    }
  }

  private clearBuffered(s: PartitionState): void {
    s.epoch++;
    s.buffered = [];
    s.fetching = false;
    if (s.position !== null) s.fetchOffset = s.position;
  }

  /** Positions of assigned partitions that have one, for commits. */
  private positions(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const s of this.assignedList) if (s.position !== null) out.push({ topic: s.topic, partition: s.partition, offset: s.position });
    return out;
  }

  /** Finds positions for partitions without one: the committed offset, else autoOffsetReset. Runs in the background. */
  private resolvePositions(): void {
    if (this.resolving) return;
    const pending = this.assignedList.filter((s) => s.position === null || s.resetTo !== null);
    if (pending.length === 0) return;
    this.resolving = this.lookUpPositions(pending)
      .catch((e: Error) => {
        this.fetchError = e;
      })
      .finally(() => {
        this.resolving = null;
        this.fetch();
        this.notify();
      });
  }

  private async lookUpPositions(pending: PartitionState[]): Promise<void> {
    const toReset = pending.filter((s) => s.resetTo !== null);
    const unknown = pending.filter((s) => s.resetTo === null);
    if (unknown.length > 0 && this.membership) {
      const committed = await this.membership.committed(unknown, this.readCommitted, Date.now() + this.cluster.options.requestTimeoutMs);
      for (const c of committed) {
        const s = this.assigned.get(partitionKey(c.topic, c.partition));
        if (!s || s.position !== null) continue;
        if (c.offset >= 0) this.setPosition(s, c.offset);
        else toReset.push(s);
      }
    } else {
      toReset.push(...unknown);
    }
    const byPolicy = toReset.filter((s) => s.resetTo !== null || this.autoOffsetReset !== 'none');
    const noPolicy = toReset.filter((s) => s.resetTo === null && this.autoOffsetReset === 'none');
    if (noPolicy.length > 0) {
      throw new KafkaClientError(`no committed offset for ${noPolicy.map((s) => `${s.topic}-${s.partition}`).join(', ')} and autoOffsetReset is 'none'`, 'OFFSET_OUT_OF_RANGE', false);
    }
    const offsets = await this.listOffsets(byPolicy.map((s) => ({ topic: s.topic, partition: s.partition, timestamp: (s.resetTo ?? this.autoOffsetReset) === 'earliest' ? EARLIEST : LATEST })));
    for (const s of byPolicy) {
      const offset = offsets.get(partitionKey(s.topic, s.partition));
      if (offset !== undefined && this.assigned.get(partitionKey(s.topic, s.partition)) === s) {
        s.resetTo = null;
        this.setPosition(s, offset);
      }
    }
  }

  private setPosition(s: PartitionState, offset: number): void {
    this.clearBuffered(s);
    s.position = offset;
    s.fetchOffset = offset;
  }

  /** ListOffsets at each partition's leader: offsets by topic-partition key. */
  private async listOffsets(requests: { topic: string; partition: number; timestamp: number }[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (requests.length === 0) return out;
    await this.cluster.refresh([...new Set(requests.map((r) => r.topic))]);
    const byLeader = new Map<number, typeof requests>();
    for (const r of requests) {
      const leader = this.cluster.topic(r.topic)?.partitions[r.partition]?.leader ?? -1;
      if (leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), r]);
    }
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const topics = new Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }[]>();
      for (const r of list) topics.set(r.topic, [...(topics.get(r.topic) ?? []), { partitionIndex: r.partition, currentLeaderEpoch: -1, timestamp: r.timestamp, maxNumOffsets: 1 }]);
      const connection = await this.cluster.connectionTo(leader);
      const response = await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, {
        replicaId: -1,
        isolationLevel: this.readCommitted ? 1 : 0,
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) {
            if (isLeaderError(p.errorCode)) this.cluster.invalidateLeader(t.name, p.partitionIndex);
            continue;
          }
          const offset = p.oldStyleOffsets.length > 0 ? p.oldStyleOffsets[0] : p.offset;
          out.set(partitionKey(t.name, p.partitionIndex), offset);
        }
      }
    }));
    return out;
  }

  // --- fetching ---

  /** Sends a Fetch to every broker that leads fetchable partitions and has none in flight. */
  private fetch(): void {
    if (this.closed) return;
    const byLeader = new Map<number, PartitionState[]>();
    let unknownLeader = false;
    for (const s of this.assignedList) {
      if (s.paused || s.position === null || s.resetTo !== null || s.fetching || s.buffered.length >= MAX_BUFFERED_FETCHES) continue;
      const leader = this.cluster.topic(s.topic)?.partitions[s.partition]?.leader ?? -1;
      if (leader < 0) {
        unknownLeader = true;
        continue;
      }
      if (this.busyNodes.has(leader)) continue;
      const list = byLeader.get(leader);
      if (list) list.push(s);
      else byLeader.set(leader, [s]);
    }
    if (unknownLeader) this.refreshLeaders();
    for (const [leader, states] of byLeader) void this.fetchFrom(leader, states);
  }

  private refreshingLeaders = false;

  private refreshLeaders(): void {
    if (this.refreshingLeaders) return;
    this.refreshingLeaders = true;
    const topics = [...new Set(this.assignedList.map((s) => s.topic))];
    this.cluster.refresh(topics, this.allowAutoTopicCreation)
      .catch(() => {})
      .then(() => new Promise((r) => setTimeout(r, this.cluster.options.retryBackoffMs)))
      .finally(() => {
        this.refreshingLeaders = false;
        this.fetch();
      });
  }

  private async fetchFrom(leader: number, states: PartitionState[]): Promise<void> {
    this.busyNodes.add(leader);
    const epochs = states.map((s) => s.epoch);
    const offsets = states.map((s) => s.fetchOffset);
    for (const s of states) s.fetching = true;
    const done = (): void => {
      for (let i = 0; i < states.length; i++) if (states[i].epoch === epochs[i]) states[i].fetching = false;
      this.busyNodes.delete(leader);
    };
    let session = this.fetchSessions.get(leader);
    if (!session) this.fetchSessions.set(leader, (session = new FetchSessionHandler(false)));
    let response: FetchResponse;
    try {
      const wanted = states.map((s, i) => ({
        topic: s.topic,
        topicId: NO_ID,
        request: {
          partition: s.partition, currentLeaderEpoch: -1, fetchOffset: offsets[i], lastFetchedEpoch: -1, logStartOffset: -1,
          partitionMaxBytes: this.maxPartitionFetchBytes, replicaDirectoryId: NO_ID,
        },
      }));
      const connection = await this.cluster.connectionTo(leader);
      response = await connection.request<FetchResponse>(ApiKey.Fetch, {
        replicaId: -1,
        maxWaitMs: this.fetchMaxWaitMs,
        minBytes: this.fetchMinBytes,
        maxBytes: this.fetchMaxBytes,
        isolationLevel: this.readCommitted ? 1 : 0,
        ...session.next(wanted),
        rackId: '',
      }, { extraTimeoutMs: this.fetchMaxWaitMs });
    } catch {
      session.onFailure();
      done();
      this.refreshLeaders();
      return;
    }
    const outcome = session.onResponse(response);
    if (outcome !== 'use') {
      // The next fetch is a full one: at once after an answer about the session, as the Java consumer's.
      done();
      if (outcome === 'refetch') this.fetch();
      else this.refreshLeaders();
      return;
    }
    const parsing: Promise<void>[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const i = states.findIndex((s) => s.topic === t.topic && s.partition === p.partitionIndex);
        if (i < 0) continue;
        const s = states[i];
        if (s.epoch !== epochs[i] || this.assigned.get(partitionKey(s.topic, s.partition)) !== s) continue;
        parsing.push(this.onPartitionData(s, p, offsets[i]));
      }
    }
    await Promise.all(parsing);
    done();
    this.notify();
    this.fetch();
  }

  private async onPartitionData(s: PartitionState, p: FetchResponse['responses'][number]['partitions'][number], fetchOffset: number): Promise<void> {
    const epoch = s.epoch;
    if (p.errorCode !== 0) {
      if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        if (this.autoOffsetReset === 'none') {
          this.fetchError = new KafkaError(p.errorCode, `${s.topic}-${s.partition} offset ${fetchOffset}, and autoOffsetReset is 'none'`);
        } else {
          s.resetTo = this.autoOffsetReset;
        }
      } else if (isLeaderError(p.errorCode)) {
        this.cluster.invalidateLeader(s.topic, s.partition);
      } else {
        this.fetchError = new KafkaError(p.errorCode, `fetching ${s.topic}-${s.partition}`);
      }
      return;
    }
    const records = p.records;
    if (!records || (records as Buffer).length === 0) return;
    let fetched: FetchedRecords;
    try {
      fetched = await FetchedRecords.parse(s.topic, s.partition, records as Buffer, fetchOffset, p.abortedTransactions, this.readOptions);
    } catch (e) {
      this.fetchError = e as Error;
      return;
    }
    if (s.epoch !== epoch) return;
    s.fetchOffset = fetched.endOffset(fetchOffset);
    if (!fetched.exhausted) s.buffered.push(fetched);
    else if (s.position === fetchOffset) s.position = s.fetchOffset; // only control/aborted batches
  }

  /** Takes up to maxPollRecords buffered records, visiting partitions round-robin. */
  private take(): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    const list = this.assignedList;
    const n = list.length;
    for (let k = 0; k < n && out.length < this.maxPollRecords; k++) {
      const s = list[(this.nextTake + k) % n];
      while (s.buffered.length > 0 && out.length < this.maxPollRecords && !s.paused) {
        const fetched = s.buffered[0];
        if (s.position !== null && fetched.nextOffset < s.position) {
          // Data from before a position change: drop.
          s.buffered.shift();
          continue;
        }
        try {
          fetched.take(this.maxPollRecords - out.length, out);
        } catch (e) {
          // A corrupt batch: the records before it go out now, the error with the next poll().
          if (out.length === 0) throw e;
          this.fetchError ??= e as Error;
          return out;
        }
        s.position = fetched.nextOffset;
        if (fetched.exhausted) s.buffered.shift();
        else break;
      }
    }
    this.nextTake = n === 0 ? 0 : (this.nextTake + 1) % n;
    return out;
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.waiter === done) this.waiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiter?.();
      this.waiter = done;
    });
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private throwIfWakeup(): void {
    if (this.wakeupRequested) {
      this.wakeupRequested = false;
      throw new WakeupError();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new KafkaStateError('the consumer is closed');
  }
}

function isLeaderError(code: number): boolean {
  return code === ErrorCode.NOT_LEADER_OR_FOLLOWER || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code === ErrorCode.LEADER_NOT_AVAILABLE
    || code === ErrorCode.FENCED_LEADER_EPOCH || code === ErrorCode.UNKNOWN_LEADER_EPOCH || code === ErrorCode.KAFKA_STORAGE_ERROR
    || code === ErrorCode.REPLICA_NOT_AVAILABLE;
}
