// A follower's replication from one leader broker (Kafka's ReplicaFetcherThread
// and AbstractFetcherThread): the partitions it follows there first truncate
// their logs where they may diverge from the leader's (KIP-101/279: by
// OffsetForLeaderEpoch when the log has leader epochs, else to the high
// watermark), then fetch with the Fetch API as replica `nodeId` in an
// incremental fetch session (KIP-227, src/protocol/fetch-session.ts) and append
// what the leader sends with its offsets and epochs kept, taking the leader's
// high watermark (bounded by the own log end) and log start offset. The leader
// holds each fetch until it has data or replica.fetch.wait.max.ms passed, so a
// caught-up follower sends about one request per wait, not a stream.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import { FetchSessionHandler } from '../protocol/fetch-session.js';
import type { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../protocol/messages/offset-for-leader-epoch.js';
import { BATCH_HEADER_SIZE, baseOffsetOf } from '../protocol/records/batch.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { type BrokerChannel, releaseResponse } from './broker-channel.js';
import type { ReplicationQuota } from './replication-quota.js';

/** replica.* broker configs. */
export interface ReplicationConfig {
  fetchMaxBytes: number;
  fetchMinBytes: number;
  fetchWaitMaxMs: number;
  fetchBackoffMs: number;
  fetchResponseMaxBytes: number;
  lagTimeMaxMs: number;
  numFetchers: number;
  socketTimeoutMs: number;
}

export interface ReplicationLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** One partition this broker follows, as its fetcher tracks it. */
export interface FollowedPartition {
  readonly topic: string;
  readonly topicId: Buffer;
  readonly partition: number;
  readonly log: PartitionLog;
  readonly leaderEpoch: number;
  /** Next offset to fetch; before truncation, the offset to fall back to (the high watermark). */
  fetchOffset: number;
  truncating: boolean;
  /** No request for it before this time (after an error). */
  delayedUntil: number;
  /** The truncation in progress: a new leader waits for it before writing. */
  truncation?: Promise<void>;
  /** The last fetch reached the leader's high watermark (Kafka's isReplicaInSync: a throttle never holds it back). */
  caughtUp?: boolean;
}

export interface FetcherContext {
  nodeId: number;
  channel: BrokerChannel;
  config: ReplicationConfig;
  log: ReplicationLogger;
  /** The follower side's replication throttle. */
  quota: ReplicationQuota;
  /** The leader fenced this partition's epoch: it waits for the next partition state. */
  onFenced(p: FollowedPartition): void;
}

const LATEST = -1;
const EARLIEST = -2;
const NO_DIRECTORY = Buffer.alloc(16);

export class ReplicaFetcher {
  private readonly partitions = new Map<PartitionLog, FollowedPartition>();
  /** Partitions left out of a fetch (delayed, truncating, throttled) leave the session and rejoin later, as in Kafka. */
  private readonly session = new FetchSessionHandler(true);
  private running = false;
  private closed = false;
  private wake: (() => void) | null = null;
  /** Set while the leader cannot be reached, so the failure is logged once, not at every retry. */
  private unreachable = false;

  constructor(
    readonly leaderId: number,
    private readonly ctx: FetcherContext,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  /** Starts (or restarts, for a new leader epoch) following a partition, truncating first. */
  add(p: FollowedPartition): void {
    this.partitions.set(p.log, p);
    this.wake?.();
    if (!this.running) void this.run();
  }

  /** Stops following a partition; resolves once a truncation of it in progress has ended. */
  remove(log: PartitionLog): Promise<void> | undefined {
    const p = this.partitions.get(log);
    this.partitions.delete(log);
    return p?.truncation;
  }

  close(): void {
    this.closed = true;
    this.partitions.clear();
    this.wake?.();
  }

  private isCurrent(p: FollowedPartition): boolean {
    return !this.closed && this.partitions.get(p.log) === p;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.partitions.size > 0) {
        const now = Date.now();
        const ready = [...this.partitions.values()].filter((p) => p.delayedUntil <= now);
        if (ready.length === 0) {
          await this.sleep(Math.min(...[...this.partitions.values()].map((p) => p.delayedUntil)) - now);
          continue;
        }
        try {
          const truncating = ready.filter((p) => p.truncating);
          if (truncating.length > 0) await this.truncate(truncating);
          const fetching = ready.filter((p) => !p.truncating && this.isCurrent(p) && !this.throttled(p));
          if (fetching.length > 0) await this.fetch(fetching);
        } catch (e) {
          this.ctx.log.error(`replica fetcher for broker ${this.leaderId} failed: ${(e as Error).stack ?? String(e)}`);
          this.delay(ready);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** Kafka's shouldFollowerThrottle; a partition left out is tried again after replica.fetch.backoff.ms. */
  private throttled(p: FollowedPartition): boolean {
    const { quota } = this.ctx;
    if (p.caughtUp || !quota.isThrottled(p.topic, p.partition) || !quota.isQuotaExceeded()) return false;
    this.delay([p]);
    return true;
  }

  private delay(partitions: FollowedPartition[]): void {
    const until = Date.now() + this.ctx.config.fetchBackoffMs;
    for (const p of partitions) p.delayedUntil = until;
  }

  /** Sends a request to the leader; null (partitions delayed, failure logged once) when it cannot be answered. */
  private async ask<Res>(apiKey: number, body: unknown, partitions: FollowedPartition[], extraTimeoutMs = 0): Promise<Res | null> {
    try {
      const response = await this.ctx.channel.request<Res>(this.leaderId, apiKey, body as never, { extraTimeoutMs });
      this.unreachable = false;
      return response;
    } catch (e) {
      if (!this.unreachable && !this.closed) this.ctx.log.warn(`replica fetcher cannot reach leader ${this.leaderId}: ${(e as Error).message}`);
      this.unreachable = true;
      this.delay(partitions);
      return null;
    }
  }

  /** Kafka's maybeTruncate: by leader epoch where the log has epochs, else to the high watermark. */
  private async truncate(partitions: FollowedPartition[]): Promise<void> {
    const withEpochs = partitions.filter((p) => p.log.leaderEpochs.latestEpoch >= 0);
    for (const p of partitions) {
      if (!withEpochs.includes(p)) await this.truncateTo(p, p.fetchOffset, true);
    }
    if (withEpochs.length === 0) return;
    const request: OffsetForLeaderEpochRequest = {
      replicaId: this.ctx.nodeId,
      topics: groupByTopic(withEpochs).map(([topic, ps]) => ({
        topic,
        partitions: ps.map((p) => ({ partition: p.partition, currentLeaderEpoch: p.leaderEpoch, leaderEpoch: p.log.leaderEpochs.latestEpoch })),
      })),
    };
    const response = await this.ask<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, request, withEpochs);
    if (!response) return;
    for (const t of response.topics) {
      for (const r of t.partitions) {
        const p = withEpochs.find((x) => x.topic === t.topic && x.partition === r.partition);
        if (!p || !this.isCurrent(p) || !p.truncating) continue;
        if (r.errorCode === ErrorCode.NONE) {
          const target = truncationOffset(p, r.leaderEpoch, r.endOffset);
          await this.truncateTo(p, target.offset, target.complete);
        } else if (r.errorCode === ErrorCode.FENCED_LEADER_EPOCH) {
          this.fenced(p);
        } else {
          this.ctx.log.info(`${p.topic}-${p.partition}: leader ${this.leaderId} answered OffsetForLeaderEpoch with ${errorName(r.errorCode)}; retrying`);
          this.delay([p]);
        }
      }
    }
  }

  private async truncateTo(p: FollowedPartition, offset: number, complete: boolean): Promise<void> {
    if (offset < p.log.logEndOffset) this.ctx.log.info(`${p.topic}-${p.partition}: truncating from ${p.log.logEndOffset} to ${offset} (leader ${this.leaderId}, epoch ${p.leaderEpoch})`);
    p.truncation = p.log.truncateTo(offset);
    try {
      await p.truncation;
    } finally {
      p.truncation = undefined;
    }
    if (!this.isCurrent(p)) return;
    p.fetchOffset = p.log.logEndOffset;
    p.truncating = !complete;
  }

  private fenced(p: FollowedPartition): void {
    this.ctx.log.info(`${p.topic}-${p.partition}: leader ${this.leaderId} fenced epoch ${p.leaderEpoch}; waiting for the new partition state`);
    this.partitions.delete(p.log);
    this.ctx.onFenced(p);
  }

  private async fetch(partitions: FollowedPartition[]): Promise<void> {
    const { config, nodeId } = this.ctx;
    const sent = new Map(partitions.map((p) => [p, p.fetchOffset]));
    const request: FetchRequest = {
      clusterId: null,
      replicaId: nodeId,
      replicaState: { replicaId: nodeId, replicaEpoch: -1 },
      maxWaitMs: config.fetchWaitMaxMs,
      minBytes: config.fetchMinBytes,
      maxBytes: config.fetchResponseMaxBytes,
      isolationLevel: 0,
      ...this.session.next(partitions.map((p) => ({
        topic: p.topic,
        topicId: p.topicId,
        request: {
          partition: p.partition, currentLeaderEpoch: p.leaderEpoch, fetchOffset: p.fetchOffset, lastFetchedEpoch: -1,
          logStartOffset: p.log.logStartOffset, partitionMaxBytes: config.fetchMaxBytes, replicaDirectoryId: NO_DIRECTORY,
        },
      }))),
      rackId: '',
    };
    const response = await this.ask<FetchResponse>(ApiKey.Fetch, request, partitions, config.fetchWaitMaxMs);
    if (!response) {
      this.session.onFailure();
      return;
    }
    const outcome = this.session.onResponse(response);
    if (outcome === 'refetch') {
      const what = response.errorCode === ErrorCode.NONE ? 'for a partition outside the fetch session' : `the fetch session with ${errorName(response.errorCode)}`;
      this.ctx.log.info(`leader ${this.leaderId} answered ${what}; fetching in full`);
      return;
    }
    if (outcome === 'error') {
      this.ctx.log.warn(`leader ${this.leaderId} refused a replica fetch: ${errorName(response.errorCode)}`);
      this.delay(partitions);
      return;
    }
    for (const t of response.responses) {
      for (const d of t.partitions) {
        const p = partitions.find((x) => x.topicId.equals(t.topicId) && x.partition === d.partitionIndex);
        // A partition removed, re-added or truncated while the fetch was out: its answer is stale.
        if (!p || !this.isCurrent(p) || p.truncating || p.fetchOffset !== sent.get(p)) continue;
        await this.onPartitionData(p, d);
      }
    }
    // The records are written (appendAsFollower copies what the log keeps in memory): the
    // response's buffer can take the next one. Not on a throw: then it is left to the GC.
    releaseResponse(response);
  }

  private async onPartitionData(p: FollowedPartition, d: FetchResponse['responses'][number]['partitions'][number]): Promise<void> {
    switch (d.errorCode) {
      case ErrorCode.NONE:
        try {
          const records = d.records as Buffer | null;
          // In-sync replicas' bytes count too, so all replication stays within the rate.
          if (records && this.ctx.quota.isThrottled(p.topic, p.partition)) this.ctx.quota.record(records.length);
          await this.append(p, records);
        } catch (e) {
          this.ctx.log.error(`${p.topic}-${p.partition}: appending fetched data at ${p.fetchOffset} failed: ${(e as Error).message}`);
          this.delay([p]);
          return;
        }
        p.log.updateHighWatermark(d.highWatermark);
        p.caughtUp = d.highWatermark <= p.fetchOffset;
        if (d.logStartOffset > p.log.logStartOffset && d.logStartOffset <= p.log.highWatermark) p.log.deleteRecordsBefore(d.logStartOffset);
        return;
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        await this.onOutOfRange(p);
        return;
      case ErrorCode.FENCED_LEADER_EPOCH:
        this.fenced(p);
        return;
      default:
        this.delay([p]);
    }
  }

  private async append(p: FollowedPartition, records: Buffer | null): Promise<void> {
    if (!records || records.length < BATCH_HEADER_SIZE) return;
    const { log } = p;
    const first = baseOffsetOf(records);
    // The leader's log start lies inside the first batch (DeleteRecords): an empty log starts at that batch instead.
    if (first < log.logEndOffset && log.logEndOffset === log.logStartOffset) await log.truncateFullyAndStartAt(first);
    if (!this.isCurrent(p)) return;
    const appended = log.appendAsFollower(records, Date.now());
    if (appended.lastOffset >= appended.baseOffset) p.fetchOffset = appended.lastOffset + 1;
  }

  /**
   * Kafka's fetchOffsetAndTruncate: a leader whose log ends below ours (an unclean election)
   * truncates us to its end; else we fetch from the later of our end and its log start, emptying
   * our log when it lies wholly below the leader's start.
   */
  private async onOutOfRange(p: FollowedPartition): Promise<void> {
    const leaderEnd = await this.leaderOffset(p, LATEST);
    if (leaderEnd === null || !this.isCurrent(p)) return;
    if (leaderEnd < p.log.logEndOffset) {
      this.ctx.log.warn(`${p.topic}-${p.partition}: leader ${this.leaderId} ends at ${leaderEnd}, before this replica's end ${p.log.logEndOffset}`);
      await this.truncateTo(p, leaderEnd, true);
      return;
    }
    const leaderStart = await this.leaderOffset(p, EARLIEST);
    if (leaderStart === null || !this.isCurrent(p)) return;
    if (leaderStart > p.log.logEndOffset) {
      this.ctx.log.info(`${p.topic}-${p.partition}: restarting the log at the leader's log start ${leaderStart}`);
      p.truncation = p.log.truncateFullyAndStartAt(leaderStart);
      try {
        await p.truncation;
      } finally {
        p.truncation = undefined;
      }
    }
    if (this.isCurrent(p)) p.fetchOffset = Math.max(leaderStart, p.log.logEndOffset);
  }

  private async leaderOffset(p: FollowedPartition, timestamp: number): Promise<number | null> {
    const request: ListOffsetsRequest = {
      replicaId: this.ctx.nodeId,
      isolationLevel: 0,
      topics: [{ name: p.topic, partitions: [{ partitionIndex: p.partition, currentLeaderEpoch: p.leaderEpoch, timestamp, maxNumOffsets: 1 }] }],
    };
    const response = await this.ask<ListOffsetsResponse>(ApiKey.ListOffsets, request, [p]);
    const r = response?.topics[0]?.partitions[0];
    if (!r) return null;
    if (r.errorCode === ErrorCode.FENCED_LEADER_EPOCH) this.fenced(p);
    else if (r.errorCode !== ErrorCode.NONE) this.delay([p]);
    return r.errorCode === ErrorCode.NONE ? r.offset : null;
  }
}

/**
 * Kafka's getOffsetTruncationState: where to truncate given the leader's end offset of the
 * largest epoch <= ours; `complete` false when the leader named an epoch this log does not
 * know (then another OffsetForLeaderEpoch round follows from the truncated log).
 */
function truncationOffset(p: FollowedPartition, leaderEpoch: number, leaderEndOffset: number): { offset: number; complete: boolean } {
  const end = p.log.logEndOffset;
  if (leaderEndOffset < 0) return { offset: p.fetchOffset, complete: true };
  if (leaderEpoch < 0) return { offset: Math.min(leaderEndOffset, end), complete: true };
  const own = p.log.leaderEpochs.endOffsetFor(leaderEpoch, end);
  if (own.endOffset < 0) return { offset: Math.min(leaderEndOffset, end), complete: true };
  if (own.epoch !== leaderEpoch) return { offset: Math.min(own.endOffset, end), complete: false };
  return { offset: Math.min(own.endOffset, leaderEndOffset, end), complete: true };
}

function groupByTopic(partitions: FollowedPartition[]): [string, FollowedPartition[]][] {
  const byTopic = new Map<string, FollowedPartition[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic);
    if (list) list.push(p);
    else byTopic.set(p.topic, [p]);
  }
  return [...byTopic];
}
