// The replicas this broker holds (Kafka's ReplicaManager and Partition): it
// leads or follows each partition as the metadata store's partition state says.
// A leader tracks its followers' fetch positions and caught-up times, moves the
// high watermark to the smallest log end of the (maximal) ISR and of followers
// catching up, and shrinks or expands the ISR by replica.lag.time.max.ms through
// the store's conditional ISR update. A follower replicates from its leader with
// a ReplicaFetcher (one per leader broker and fetcher id, num.replica.fetchers).
// A single node runs the same code with ISR = [self]: every append moves the
// high watermark to the log end at once.
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { BrokerChannel } from './broker-channel.js';
import type { MetadataEvent, MetadataStore, PartitionState, TopicMetadata } from './metadata-store.js';
import { ReplicationQuota, type QuotaSettings } from './replication-quota.js';
import { type FollowedPartition, ReplicaFetcher, type ReplicationConfig, type ReplicationLogger } from './replica-fetcher.js';

export type { ReplicationConfig } from './replica-fetcher.js';

/** Told when this broker starts or stops leading a partition (the coordinators load and unload their state). */
export interface LeadershipListener {
  onBecomeLeader(topic: string, partition: number, leaderEpoch: number): void;
  onBecomeFollower(topic: string, partition: number): void;
}

export interface ReplicaManagerOptions {
  nodeId: number;
  metadata: MetadataStore;
  config: ReplicationConfig;
  /** The partition's log on this broker, created when missing. */
  openLog(topic: TopicMetadata, partition: number): PartitionLog | undefined;
  /** min.insync.replicas in force for a topic. */
  minInsyncReplicas(topic: string): number;
  /** The replication quota in force on each side (leader/follower.replication.throttled.rate and its windows). */
  quotaSettings(side: 'leader' | 'follower'): QuotaSettings;
  /** `bytes` more became readable below the high watermark (consumer fetches and acks=all produces wait for it). */
  onHighWatermark(log: PartitionLog, bytes: number): void;
  /** `bytes` were appended to a log this broker leads (replica fetches wait for it). */
  onLogEnd(log: PartitionLog, bytes: number): void;
  /** A follower's log now starts at a new offset (DeleteRecords waits for every replica's). */
  onFollowerLogStart(log: PartitionLog): void;
  /** This broker stopped or started leading the partition: waits on it end now. */
  onLeadershipChange(log: PartitionLog): void;
  log: ReplicationLogger;
}

/** current_leader_epoch that asks for no fencing check. */
const NO_EPOCH = -1;
/** A follower's log end before its first fetch from this leader. */
const UNKNOWN_OFFSET = -1;

/** What the leader knows of one follower (Kafka's Replica state). */
interface FollowerState {
  logEndOffset: number;
  /** The log start offset of its latest fetch (Kafka's Replica logStartOffset). */
  logStartOffset: number;
  /** Last time the follower had fetched up to the leader's log end (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

class Replica {
  role: 'leader' | 'follower' | 'changing' = 'changing';
  leaderId = -1;
  leaderEpoch = -1;
  /** The stored state last seen (its version makes ISR updates conditional). */
  state: PartitionState;
  /** The committed ISR. */
  isr: readonly number[] = [];
  /** An ISR written and not yet confirmed: the high watermark waits for its members too (Kafka's maximal ISR). */
  pendingIsr: readonly number[] | null = null;
  /** Log end when this broker became leader in the current epoch: a follower joins the ISR only past it. */
  epochStartOffset = 0;
  readonly followers = new Map<number, FollowerState>();
  /** Appends above the high watermark: where each ends and its size, so fetches are woken with the bytes that became readable. */
  unreplicated: { end: number; bytes: number }[] = [];
  fetcher: ReplicaFetcher | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    state: PartitionState,
  ) {
    this.state = state;
  }

  get maximalIsr(): readonly number[] {
    return this.pendingIsr ? [...new Set([...this.isr, ...this.pendingIsr])] : this.isr;
  }
}

export class ReplicaManager {
  private readonly byName = new Map<string, Map<number, Replica>>();
  private readonly byLog = new Map<PartitionLog, Replica>();
  /** Leaders with followers: the ones the ISR check looks at. */
  private readonly replicatedLeaders = new Set<Replica>();
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  /** Set by stopFollowing(): no partition is fetched from now on. */
  private stoppedFollowing = false;
  private readonly listeners: LeadershipListener[] = [];
  private readonly channel: BrokerChannel;
  /** Replication throttles (KIP-73): data this broker sends as leader, and fetches as follower. */
  private readonly leaderQuota: ReplicationQuota;
  private readonly followerQuota: ReplicationQuota;
  private live = new Set<number>();
  private isrTimer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly opts: ReplicaManagerOptions) {
    this.channel = new BrokerChannel(opts.metadata, { clientId: `broker-${opts.nodeId}-fetcher`, requestTimeoutMs: opts.config.socketTimeoutMs });
    const throttledReplicas = (topic: string, key: string): string[] | undefined => opts.metadata.topic(topic)?.configs[key] as string[] | undefined;
    this.leaderQuota = new ReplicationQuota('leader', opts.nodeId, () => opts.quotaSettings('leader'), throttledReplicas);
    this.followerQuota = new ReplicationQuota('follower', opts.nodeId, () => opts.quotaSettings('follower'), throttledReplicas);
  }

  private get nodeId(): number {
    return this.opts.nodeId;
  }

  /** Takes up the role of every partition this broker holds, then follows the store's changes. */
  start(): void {
    const { metadata } = this.opts;
    this.live = new Set(metadata.liveBrokers().map((b) => b.nodeId));
    metadata.onChange((e) => this.onMetadataChange(e));
    this.started = true;
    for (const topic of metadata.topics()) {
      for (const state of topic.partitions) this.apply(topic, state);
    }
    if (metadata.clustered) {
      // Kafka checks every half replica.lag.time.max.ms.
      this.isrTimer = setInterval(() => this.shrinkIsrs(), Math.max(1, Math.floor(this.opts.config.lagTimeMaxMs / 2)));
    }
  }

  /** Adds a leadership listener; after start() it is told the current role of every partition at once. */
  addLeadershipListener(listener: LeadershipListener): void {
    this.listeners.push(listener);
    if (!this.started) return;
    for (const r of this.byLog.values()) {
      if (r.role === 'leader') listener.onBecomeLeader(r.topic, r.partition, r.leaderEpoch);
      else listener.onBecomeFollower(r.topic, r.partition);
    }
  }

  /**
   * A controlled shutdown begins: this broker replicates no more (Kafka's controller sends it
   * StopReplica for the partitions it follows), so leaders do not take it back into their ISRs
   * while the controller moves it out. Leading goes on until the leadership has moved.
   */
  stopFollowing(): void {
    this.stoppedFollowing = true;
    for (const r of this.byLog.values()) if (r.fetcher) void this.stopFetching(r)?.catch(() => {});
  }

  /** Stops fetching and checking; waits in the fetchers end. */
  close(): void {
    this.closed = true;
    clearInterval(this.isrTimer);
    for (const f of this.fetchers.values()) f.close();
    this.fetchers.clear();
    this.channel.close();
  }

  // --- what request handlers ask ---

  /**
   * The partition's log when this broker leads it (Kafka's getLocalLog with requireLeader), else
   * the error: UNKNOWN_TOPIC_OR_PARTITION (no such partition), FENCED_LEADER_EPOCH or
   * UNKNOWN_LEADER_EPOCH (currentLeaderEpoch older or newer than ours; -1 skips the check),
   * NOT_LEADER_OR_FOLLOWER.
   */
  leaderLog(topic: string, partition: number, currentLeaderEpoch = NO_EPOCH): PartitionLog | number {
    const r = this.byName.get(topic)?.get(partition);
    if (!r) return this.opts.metadata.topic(topic)?.partitions[partition] ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (currentLeaderEpoch !== NO_EPOCH) {
      if (currentLeaderEpoch < r.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
      if (currentLeaderEpoch > r.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    }
    return r.role === 'leader' ? r.log : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  /** The leader epoch this broker knows for a partition it holds (-1 when it holds none). */
  leaderEpoch(log: PartitionLog): number {
    return this.byLog.get(log)?.leaderEpoch ?? -1;
  }

  /** Where this broker's current leader epoch began in the log (ListOffsets: OFFSET_NOT_AVAILABLE while the high watermark is below it). */
  epochStartOffset(log: PartitionLog): number {
    return this.byLog.get(log)?.epochStartOffset ?? 0;
  }

  /** After an append as leader (produce, coordinators, markers): wakes replica fetches and moves the high watermark. */
  afterLeaderAppend(log: PartitionLog, bytes: number): void {
    this.opts.onLogEnd(log, bytes);
    const r = this.byLog.get(log);
    if (r && r.role !== 'leader') return;
    if (!r || r.followers.size === 0) {
      // Alone in the ISR: replicated once written.
      log.highWatermark = log.logEndOffset;
      this.opts.onHighWatermark(log, bytes);
      return;
    }
    r.unreplicated.push({ end: log.logEndOffset, bytes });
    this.maybeIncrementHighWatermark(r, Date.now());
  }

  /**
   * Kafka's checkEnoughReplicasReachOffset for an acks=all append ending before `requiredOffset`:
   * NONE once the high watermark passed it with enough replicas in sync,
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile,
   * NOT_LEADER_OR_FOLLOWER when this broker no longer leads; undefined while waiting.
   */
  checkReplication(log: PartitionLog, requiredOffset: number): number | undefined {
    const r = this.byLog.get(log);
    if (!r || r.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (log.highWatermark < requiredOffset) return undefined;
    return r.isr.length >= this.opts.minInsyncReplicas(r.topic) ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
  }

  /**
   * Kafka's lowWatermarkIfLeader: the lowest log start offset among this leader and its followers
   * on live brokers (-1 while a live follower has not fetched yet).
   */
  lowWatermark(log: PartitionLog): number {
    const r = this.byLog.get(log);
    let low = log.logStartOffset;
    if (r?.role !== 'leader') return low;
    for (const [id, f] of r.followers) if (this.live.has(id) && f.logStartOffset < low) low = f.logStartOffset;
    return low;
  }

  /**
   * Kafka's DelayedDeleteRecords check: NONE once every live replica's log starts at or past
   * `requiredOffset`, NOT_LEADER_OR_FOLLOWER when this broker no longer leads; undefined while waiting.
   */
  checkLowWatermark(log: PartitionLog, requiredOffset: number): number | undefined {
    const r = this.byLog.get(log);
    if (!r || r.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return this.lowWatermark(log) >= requiredOffset ? ErrorCode.NONE : undefined;
  }

  /**
   * A follower's fetch from `fetchOffset`, its log starting at `logStartOffset`, reached the leader
   * when its log ended at `leaderEndOffset` (Kafka's updateFollowerFetchState): its position and
   * caught-up time, then the ISR and high watermark. NOT_LEADER_OR_FOLLOWER when it is not a
   * replica of the partition.
   */
  recordFollowerFetch(log: PartitionLog, followerId: number, fetchOffset: number, logStartOffset: number, leaderEndOffset: number): number {
    const r = this.byLog.get(log);
    const f = r?.role === 'leader' ? r.followers.get(followerId) : undefined;
    if (!r || !f) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const now = Date.now();
    if (fetchOffset >= leaderEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, now);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    const moved = f.logEndOffset !== fetchOffset;
    const startMoved = f.logStartOffset !== logStartOffset;
    f.logEndOffset = fetchOffset;
    f.logStartOffset = logStartOffset;
    f.lastFetchLeaderLogEndOffset = leaderEndOffset;
    f.lastFetchTimeMs = now;
    if (!r.isr.includes(followerId)) this.maybeExpandIsr(r, followerId, f);
    if (moved) this.maybeIncrementHighWatermark(r, now);
    if (startMoved) this.opts.onFollowerLogStart(log);
    return ErrorCode.NONE;
  }

  /**
   * Kafka's shouldLeaderThrottle: a follower's fetch gets no data for the partition while it is not
   * in the ISR, the topic throttles this leader's replica and the leader quota is used up.
   */
  leaderThrottled(log: PartitionLog, followerId: number): boolean {
    const r = this.byLog.get(log);
    return r !== undefined && !r.isr.includes(followerId) && this.leaderQuota.isThrottled(r.topic, r.partition) && this.leaderQuota.isQuotaExceeded();
  }

  /** Bytes a replica fetch response carries for the partition: counted against the leader quota when it is throttled. */
  recordLeaderReplication(log: PartitionLog, bytes: number): void {
    const r = this.byLog.get(log);
    if (r && this.leaderQuota.isThrottled(r.topic, r.partition)) this.leaderQuota.record(bytes);
  }

  // --- roles ---

  private onMetadataChange(e: MetadataEvent): void {
    if (this.closed) return;
    const { metadata } = this.opts;
    if (e.type === 'brokers') {
      this.live = new Set(metadata.liveBrokers().map((b) => b.nodeId));
    } else if (e.type === 'partitions') {
      const topic = metadata.topic(e.topic);
      if (!topic) return;
      for (const p of e.partitions) {
        const state = topic.partitions[p];
        if (state) this.apply(topic, state);
      }
    } else if (e.type === 'topic-deleted') {
      for (const r of [...(this.byName.get(e.topic)?.values() ?? [])]) this.remove(r);
    }
  }

  private apply(topic: TopicMetadata, state: PartitionState): void {
    let r = this.byName.get(topic.name)?.get(state.partition);
    if (!state.replicas.includes(this.nodeId)) {
      if (r) this.remove(r);
      return;
    }
    if (!r) {
      const log = this.opts.openLog(topic, state.partition);
      if (!log) return;
      r = new Replica(topic.name, state.partition, log, state);
      let partitions = this.byName.get(topic.name);
      if (!partitions) this.byName.set(topic.name, (partitions = new Map()));
      partitions.set(state.partition, r);
      this.byLog.set(log, r);
    } else if (state.leaderEpoch < r.leaderEpoch) {
      return; // older than what this broker acted on
    }
    const changed = state.leader !== r.leaderId || state.leaderEpoch !== r.leaderEpoch;
    r.state = state;
    if (!changed) {
      if (r.role === 'leader') this.updateLeader(r);
      return;
    }
    r.leaderId = state.leader;
    r.leaderEpoch = state.leaderEpoch;
    if (state.leader === this.nodeId) this.becomeLeader(r);
    else this.becomeFollower(r, topic);
  }

  private becomeLeader(r: Replica): void {
    const wasLeader = r.role === 'leader';
    r.role = 'changing';
    const truncation = this.stopFetching(r);
    const epoch = r.leaderEpoch;
    if (!truncation) {
      this.makeLeader(r, wasLeader);
      return;
    }
    // The follower's truncation must finish before anything is written as leader.
    void truncation.catch(() => {}).then(() => {
      const current = r.leaderEpoch === epoch && r.leaderId === this.nodeId && r.role === 'changing';
      if (!this.closed && current && this.byLog.get(r.log) === r) this.makeLeader(r, false);
    });
  }

  /** Kafka's makeLeader: the epoch starts at the log end; followers' positions unknown until they fetch. */
  private makeLeader(r: Replica, wasLeader: boolean): void {
    const { log } = r;
    const now = Date.now();
    log.leaderEpochs.assign(r.leaderEpoch, log.logEndOffset);
    r.epochStartOffset = log.logEndOffset;
    r.isr = r.state.isr;
    r.pendingIsr = null;
    r.unreplicated = [];
    const known = wasLeader ? new Map(r.followers) : new Map<number, FollowerState>();
    r.followers.clear();
    for (const id of r.state.replicas) {
      if (id === this.nodeId) continue;
      r.followers.set(id, {
        logEndOffset: known.get(id)?.logEndOffset ?? UNKNOWN_OFFSET,
        logStartOffset: known.get(id)?.logStartOffset ?? UNKNOWN_OFFSET,
        lastCaughtUpTimeMs: r.isr.includes(id) ? now : 0,
        lastFetchLeaderLogEndOffset: log.logEndOffset,
        lastFetchTimeMs: now,
      });
    }
    r.role = 'leader';
    if (r.followers.size > 0) this.replicatedLeaders.add(r);
    else this.replicatedLeaders.delete(r);
    if (r.followers.size > 0) this.opts.log.info(`${r.topic}-${r.partition}: leader at epoch ${r.leaderEpoch} from offset ${log.logEndOffset}, high watermark ${log.highWatermark}, ISR [${r.isr.join(',')}]`);
    this.maybeIncrementHighWatermark(r, now);
    this.opts.onLeadershipChange(log);
    for (const l of this.listeners) l.onBecomeLeader(r.topic, r.partition, r.leaderEpoch);
  }

  /** Same leader and epoch, new ISR or replica list (this broker's ISR change, or the controller's). */
  private updateLeader(r: Replica): void {
    r.isr = r.state.isr;
    r.pendingIsr = null;
    const now = Date.now();
    for (const id of r.followers.keys()) if (!r.state.replicas.includes(id)) r.followers.delete(id);
    for (const id of r.state.replicas) {
      if (id !== this.nodeId && !r.followers.has(id)) {
        r.followers.set(id, {
          logEndOffset: UNKNOWN_OFFSET, logStartOffset: UNKNOWN_OFFSET, lastCaughtUpTimeMs: 0, lastFetchLeaderLogEndOffset: r.log.logEndOffset, lastFetchTimeMs: now,
        });
      }
    }
    if (r.followers.size > 0) this.replicatedLeaders.add(r);
    else this.replicatedLeaders.delete(r);
    this.maybeIncrementHighWatermark(r, now);
  }

  /** Kafka's makeFollower, then the fetcher: truncate, then fetch from the high watermark on. */
  private becomeFollower(r: Replica, topic: TopicMetadata): void {
    r.role = 'follower';
    r.followers.clear();
    r.pendingIsr = null;
    r.unreplicated = [];
    this.replicatedLeaders.delete(r);
    void this.stopFetching(r);
    this.opts.onLeadershipChange(r.log);
    for (const l of this.listeners) l.onBecomeFollower(r.topic, r.partition);
    if (r.leaderId >= 0) this.startFetching(r, topic.topicId);
  }

  private remove(r: Replica): void {
    const wasLeader = r.role === 'leader';
    void this.stopFetching(r);
    this.byName.get(r.topic)?.delete(r.partition);
    if (this.byName.get(r.topic)?.size === 0) this.byName.delete(r.topic);
    this.byLog.delete(r.log);
    this.replicatedLeaders.delete(r);
    r.role = 'changing';
    this.opts.onLeadershipChange(r.log);
    if (wasLeader) for (const l of this.listeners) l.onBecomeFollower(r.topic, r.partition);
  }

  private startFetching(r: Replica, topicId: Buffer): void {
    if (this.stoppedFollowing) return;
    // Kafka's fetcher id: Utils.abs(31 * topic.hashCode + partition) % num.replica.fetchers.
    const fetcherId = (Math.abs((Math.imul(31, javaStringHash(r.topic)) + r.partition) | 0) % this.opts.config.numFetchers);
    const key = `${r.leaderId}:${fetcherId}`;
    let fetcher = this.fetchers.get(key);
    if (!fetcher) {
      fetcher = new ReplicaFetcher(r.leaderId, {
        nodeId: this.nodeId,
        channel: this.channel,
        config: this.opts.config,
        log: this.opts.log,
        quota: this.followerQuota,
        onFenced: (p) => this.onFenced(p),
      });
      this.fetchers.set(key, fetcher);
    }
    r.fetcher = fetcher;
    fetcher.add({
      topic: r.topic, topicId, partition: r.partition, log: r.log, leaderEpoch: r.leaderEpoch,
      fetchOffset: r.log.highWatermark, truncating: true, delayedUntil: 0,
    });
  }

  /** Stops the partition's fetching; resolves when its truncation in progress (if any) has ended. */
  private stopFetching(r: Replica): Promise<void> | undefined {
    const fetcher = r.fetcher;
    if (!fetcher) return undefined;
    r.fetcher = undefined;
    const truncation = fetcher.remove(r.log);
    if (fetcher.size === 0) {
      fetcher.close();
      for (const [key, f] of this.fetchers) if (f === fetcher) this.fetchers.delete(key);
    }
    return truncation;
  }

  /** The leader fenced our epoch: the fetcher dropped the partition until a newer state arrives. */
  private onFenced(p: FollowedPartition): void {
    const r = this.byLog.get(p.log);
    if (r?.fetcher && r.leaderEpoch === p.leaderEpoch) void this.stopFetching(r);
  }

  // --- high watermark and ISR (leader) ---

  /**
   * Kafka's maybeIncrementLeaderHW: the smallest log end of the leader, the (maximal) ISR and
   * the live followers caught up within replica.lag.time.max.ms; it only moves forward.
   */
  private maybeIncrementHighWatermark(r: Replica, now: number): void {
    const { log } = r;
    const leaderEnd = log.logEndOffset;
    const isr = r.maximalIsr;
    let hw = leaderEnd;
    for (const [id, f] of r.followers) {
      if (f.logEndOffset >= hw) continue;
      const caughtUp = f.logEndOffset === leaderEnd || now - f.lastCaughtUpTimeMs <= this.opts.config.lagTimeMaxMs;
      if (isr.includes(id) || (caughtUp && this.live.has(id))) hw = f.logEndOffset;
    }
    if (hw <= log.highWatermark) return;
    log.updateHighWatermark(hw);
    let bytes = 0;
    while (r.unreplicated.length > 0 && r.unreplicated[0].end <= hw) bytes += r.unreplicated.shift()!.bytes;
    this.opts.onHighWatermark(log, Math.max(bytes, 1));
  }

  /**
   * Kafka's maybeExpandIsr: a follower joins once it reached the high watermark and the start of the
   * leader's epoch, and only while it is a live broker (Kafka 3.3+'s isReplicaIsrEligible): a broker
   * fetches before it registers, and the controller would take an unregistered one out again.
   */
  private maybeExpandIsr(r: Replica, id: number, f: FollowerState): void {
    if (r.pendingIsr || !this.live.has(id) || f.logEndOffset < r.log.highWatermark || f.logEndOffset < r.epochStartOffset) return;
    this.writeIsr(r, [...r.isr, id], `${id} caught up to ${f.logEndOffset}`);
  }

  /** Kafka's maybeShrinkIsr for every led partition: followers not caught up for replica.lag.time.max.ms leave the ISR. */
  private shrinkIsrs(): void {
    const now = Date.now();
    const maxLag = this.opts.config.lagTimeMaxMs;
    for (const r of this.replicatedLeaders) {
      if (r.pendingIsr) continue;
      const leaderEnd = r.log.logEndOffset;
      const outOfSync = r.isr.filter((id) => {
        if (id === this.nodeId) return false;
        const f = r.followers.get(id);
        return !f || (f.logEndOffset !== leaderEnd && now - f.lastCaughtUpTimeMs > maxLag);
      });
      if (outOfSync.length > 0) this.writeIsr(r, r.isr.filter((id) => !outOfSync.includes(id)), `[${outOfSync.join(',')}] out of sync`);
    }
  }

  /** The conditional ISR write; on a version conflict the new state arrives as an event. */
  private writeIsr(r: Replica, isr: number[], why: string): void {
    r.pendingIsr = isr;
    const epoch = r.leaderEpoch;
    this.opts.log.info(`${r.topic}-${r.partition}: ISR [${r.isr.join(',')}] -> [${isr.join(',')}] (${why})`);
    this.opts.metadata.updateIsr(r.topic, r.partition, isr, r.state).then(
      (stored) => {
        // A state event may have come first and settled the ISR already.
        if (r.pendingIsr !== isr || r.leaderEpoch !== epoch || r.role !== 'leader') return;
        if (stored) {
          r.state = stored;
          this.updateLeader(r);
        } else {
          r.pendingIsr = null;
          this.opts.log.info(`${r.topic}-${r.partition}: ISR update lost to a newer state (version ${r.state.version}); waiting for it`);
        }
      },
      (e: unknown) => {
        if (r.pendingIsr === isr) r.pendingIsr = null;
        this.opts.log.warn(`${r.topic}-${r.partition}: writing the ISR failed: ${(e as Error).message}`);
      },
    );
  }
}

/** Java's String.hashCode, as Kafka's fetcher id uses it. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
