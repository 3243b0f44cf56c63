// A consumer's membership of its group (Kafka's classic protocol): JoinGroup
// and SyncGroup (running the assignor when this member leads), heartbeats on
// their own timer while the user processes records, LeaveGroup, and the
// group's offsets (OffsetCommit, OffsetFetch) at the coordinator.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { HeartbeatResponse } from '../protocol/messages/heartbeat.js';
import type { JoinGroupResponse } from '../protocol/messages/join-group.js';
import type { LeaveGroupResponse } from '../protocol/messages/leave-group.js';
import type { OffsetCommitResponse } from '../protocol/messages/offset-commit.js';
import type { OffsetFetchResponse } from '../protocol/messages/offset-fetch.js';
import type { SyncGroupResponse } from '../protocol/messages/sync-group.js';
import type { Assignor, GroupMember } from './assignors.js';
import { CoordinatorType, type Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.js';
import { CommitFailedError, KafkaConnectionError, KafkaError, KafkaTimeoutError } from './errors.js';
import { sleep } from './options.js';
import type { TopicPartition, TopicPartitionOffset } from './types.js';

export interface MembershipOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignors: readonly Assignor[];
}

/** What membership needs from the consumer. */
export interface MembershipHooks {
  /** Topics the member subscribes to now. */
  topics(): string[];
  /** Partitions the member owns now (sent with cooperative assignors). */
  owned(): TopicPartition[];
  /** Partition counts of these topics (the leader's view, from metadata). */
  partitionCounts(topics: string[]): Promise<Map<string, number>>;
  /** The coordinator asked for a rebalance, or the membership was lost (`lost`: the partitions are no longer ours). */
  rejoinNeeded(lost: boolean): void;
}

/** Errors after which the member starts over with a new member id. */
const MEMBER_RESET: ReadonlySet<number> = new Set([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION, ErrorCode.FENCED_INSTANCE_ID]);
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

export class GroupMembership {
  memberId = '';
  generationId = -1;
  protocolName: string | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeating = false;
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    readonly options: MembershipOptions,
    private readonly hooks: MembershipHooks,
  ) {}

  /** The assignor in use this generation. */
  get assignor(): Assignor | undefined {
    return this.options.assignors.find((a) => a.name === this.protocolName);
  }

  /** Whether every configured assignor is cooperative (then rebalances are incremental). */
  get cooperative(): boolean {
    return this.options.assignors.every((a) => a.cooperative);
  }

  private coordinator(): Promise<Connection> {
    return this.cluster.coordinator(this.options.groupId, CoordinatorType.GROUP);
  }

  /** Joins (or rejoins) the group and returns this member's new assignment. Retries retriable errors until `deadline`. */
  async join(deadline: number, reason: string): Promise<TopicPartition[]> {
    this.stopHeartbeats();
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.tryJoin(reason).catch((e: Error) => e);
      if (Array.isArray(outcome)) {
        this.startHeartbeats();
        return outcome;
      }
      const error = outcome;
      // Connection failures are not retried here: finding the coordinator already tried for requestTimeoutMs.
      const retriable = error instanceof KafkaError
        && (error.retriable || error.code === ErrorCode.REBALANCE_IN_PROGRESS || error.code === ErrorCode.MEMBER_ID_REQUIRED || MEMBER_RESET.has(error.code));
      if (!retriable || this.stopped) throw error;
      if (Date.now() >= deadline) throw new KafkaTimeoutError(`joining group ${this.options.groupId} did not complete in time: ${error.message}`);
      if (!(error instanceof KafkaError && (error.code === ErrorCode.MEMBER_ID_REQUIRED || error.code === ErrorCode.REBALANCE_IN_PROGRESS))) {
        await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
      }
    }
  }

  private async tryJoin(reason: string): Promise<TopicPartition[]> {
    const topics = this.hooks.topics();
    const owned = this.cooperative ? this.hooks.owned() : [];
    const metadata = encodeSubscription({ topics, userData: null, ownedPartitions: owned });
    const connection = await this.coordinator();
    const join = await connection.request<JoinGroupResponse>(
      ApiKey.JoinGroup,
      {
        groupId: this.options.groupId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId,
        protocolType: 'consumer',
        protocols: this.options.assignors.map((a) => ({ name: a.name, metadata })),
        reason,
      },
      // The coordinator holds JoinGroup until every member has joined, up to the rebalance timeout.
      { extraTimeoutMs: this.options.rebalanceTimeoutMs },
    );
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) this.memberId = join.memberId;
    if (join.errorCode !== 0) this.throwGroupError(join.errorCode, 'JoinGroup');
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    this.protocolName = join.protocolName;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (join.leader === join.memberId && !join.skipAssignment) {
      assignments = await this.assign(join.members, join.protocolName);
    }
    const sync = await connection.request<SyncGroupResponse>(
      ApiKey.SyncGroup,
      {
        groupId: this.options.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId,
        protocolType: 'consumer',
        protocolName: join.protocolName,
        assignments,
      },
      { extraTimeoutMs: this.options.rebalanceTimeoutMs },
    );
    if (sync.errorCode !== 0) this.throwGroupError(sync.errorCode, 'SyncGroup');
    return decodeAssignment(sync.assignment).partitions;
  }

  private async assign(members: JoinGroupResponse['members'], protocolName: string | null): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.options.assignors.find((a) => a.name === protocolName);
    if (!assignor) throw new KafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `the group chose assignor ${protocolName}, which this member does not have`);
    const groupMembers: GroupMember[] = members.map((m) => {
      const s = decodeSubscription(m.metadata);
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: s.topics, ownedPartitions: s.ownedPartitions };
    });
    const topics = [...new Set(groupMembers.flatMap((m) => m.topics))];
    const counts = await this.hooks.partitionCounts(topics);
    const result = assignor.assign(groupMembers, counts);
    return groupMembers.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment({ partitions: result.get(m.memberId) ?? [], userData: null }) }));
  }

  private throwGroupError(code: number, what: string): never {
    if (COORDINATOR_MOVED.has(code)) this.cluster.forgetCoordinator(this.options.groupId, CoordinatorType.GROUP);
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_INSTANCE_ID) this.memberId = '';
    if (MEMBER_RESET.has(code)) this.generationId = -1;
    throw new KafkaError(code, `${what} for group ${this.options.groupId}`);
  }

  /** Starts the heartbeat timer (every heartbeatIntervalMs). */
  startHeartbeats(): void {
    this.stopHeartbeats();
    this.heartbeating = true;
    const beat = (): void => {
      this.heartbeatTimer = setTimeout(() => {
        this.heartbeat().finally(() => {
          if (this.heartbeating) beat();
        });
      }, this.options.heartbeatIntervalMs);
    };
    beat();
  }

  stopHeartbeats(): void {
    this.heartbeating = false;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    let code: number;
    try {
      const connection = await this.coordinator();
      const r = await connection.request<HeartbeatResponse>(ApiKey.Heartbeat, {
        groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId,
      });
      code = r.errorCode;
    } catch {
      return; // the next beat tries again (the coordinator may be moving)
    }
    if (!this.heartbeating || code === 0) return;
    if (COORDINATOR_MOVED.has(code)) {
      this.cluster.forgetCoordinator(this.options.groupId, CoordinatorType.GROUP);
    } else if (code === ErrorCode.REBALANCE_IN_PROGRESS) {
      this.stopHeartbeats();
      this.hooks.rejoinNeeded(false);
    } else if (MEMBER_RESET.has(code)) {
      if (code !== ErrorCode.ILLEGAL_GENERATION) this.memberId = '';
      this.generationId = -1;
      this.stopHeartbeats();
      this.hooks.rejoinNeeded(true);
    }
  }

  /** Leaves the group (dynamic members only: a static member keeps its place for sessionTimeoutMs). */
  async leave(reason: string): Promise<void> {
    this.stopHeartbeats();
    const memberId = this.memberId;
    this.generationId = -1;
    if (this.options.groupInstanceId !== null || memberId === '') return;
    this.memberId = '';
    try {
      const connection = await this.coordinator();
      await connection.request<LeaveGroupResponse>(ApiKey.LeaveGroup, {
        groupId: this.options.groupId, memberId, members: [{ memberId, groupInstanceId: null, reason }],
      });
    } catch {
      // The session timeout removes the member anyway.
    }
  }

  /** Stops for good (close). */
  stop(): void {
    this.stopped = true;
    this.stopHeartbeats();
  }

  /**
   * Commits offsets for the group; with `asMember` the generation and member id go along (a
   * rebalance since then fails the commit with CommitFailedError).
   */
  async commit(offsets: readonly TopicPartitionOffset[], asMember: boolean, deadline: number): Promise<void> {
    if (offsets.length === 0) return;
    const topics = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[]>();
    for (const o of offsets) {
      const list = topics.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: o.metadata ?? '' });
      topics.set(o.topic, list);
    }
    for (let attempt = 1; ; attempt++) {
      let code: number;
      try {
        const connection = await this.coordinator();
        const r = await connection.request<OffsetCommitResponse>(ApiKey.OffsetCommit, {
          groupId: this.options.groupId,
          generationIdOrMemberEpoch: asMember ? this.generationId : -1,
          memberId: asMember ? this.memberId : '',
          groupInstanceId: asMember ? this.options.groupInstanceId : null,
          retentionTimeMs: -1,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        });
        code = r.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0)?.errorCode ?? 0;
      } catch (e) {
        if (!(e instanceof KafkaConnectionError || e instanceof KafkaTimeoutError) || Date.now() >= deadline) throw e;
        await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
        continue;
      }
      if (code === 0) return;
      if (COORDINATOR_MOVED.has(code)) this.cluster.forgetCoordinator(this.options.groupId, CoordinatorType.GROUP);
      // Outside the group (an admin's commit) these are plain errors, e.g. UNKNOWN_MEMBER_ID for a group with members.
      if (asMember && (code === ErrorCode.REBALANCE_IN_PROGRESS || MEMBER_RESET.has(code))) {
        if (code !== ErrorCode.REBALANCE_IN_PROGRESS) this.generationId = -1;
        this.hooks.rejoinNeeded(code !== ErrorCode.REBALANCE_IN_PROGRESS);
        throw new CommitFailedError(code);
      }
      const error = new KafkaError(code, `committing offsets of group ${this.options.groupId}`);
      if (!error.retriable || Date.now() >= deadline) throw error;
      await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
    }
  }

  /** The group's committed offsets for `partitions` (offset -1: none), or with null all it has. */
  async committed(partitions: readonly TopicPartition[] | null, requireStable: boolean, deadline: number): Promise<TopicPartitionOffset[]> {
    const topics = new Map<string, number[]>();
    for (const p of partitions ?? []) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    const topicList = partitions === null ? null : [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    for (let attempt = 1; ; attempt++) {
      let error: Error;
      try {
        const connection = await this.coordinator();
        const r = await connection.request<OffsetFetchResponse>(ApiKey.OffsetFetch, {
          groupId: this.options.groupId,
          topics: topicList,
          groups: [{ groupId: this.options.groupId, memberId: null, memberEpoch: -1, topics: topicList }],
          requireStable,
        });
        const group = r.groups.length > 0 ? r.groups[0] : { topics: r.topics, errorCode: r.errorCode };
        const partitionError = group.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0)?.errorCode ?? 0;
        const code = group.errorCode || partitionError;
        if (code === 0) {
          return group.topics.flatMap((t) => t.partitions.map((p) => ({
            topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata,
          })));
        }
        if (COORDINATOR_MOVED.has(code)) this.cluster.forgetCoordinator(this.options.groupId, CoordinatorType.GROUP);
        error = new KafkaError(code, `fetching the offsets of group ${this.options.groupId}`);
        if (!(error as KafkaError).retriable) throw error;
      } catch (e) {
        if (e instanceof KafkaError && !e.retriable) throw e;
        error = e as Error;
      }
      if (Date.now() >= deadline) throw error;
      await sleep(this.cluster.options.retryBackoffMs * Math.min(attempt, 10));
    }
  }
}
