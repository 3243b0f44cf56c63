// The group coordinator of one broker (Kafka's classic group protocol): the
// groups whose __consumer_offsets partition this broker leads, the requests of
// the group APIs, and loading a partition's groups from its log when this
// broker becomes its leader (unloading them when it stops). Owned by the
// broker; close() cancels every timer and answers every parked request.
import { ErrorCode } from '../../protocol/errors.js';
import { type MaybePromise, andThen } from '../completion.js';
import { type Clock, Timers, systemClock } from './clock.js';
import type { CoordinatorLog, GroupCoordinatorConfig } from './config.js';
import { ClassicGroup, type GroupState, type TopicPartition, joinError, syncError } from './group.js';
import { JoinFlow, type JoinRequest } from './join.js';
import { Member, type JoinResult, type SyncResult } from './member.js';
import {
  type CommitRequest, type FetchedOffset, type GroupRegistry, OffsetManager, type PartitionError, type TxnCommitRequest,
} from './offsets.js';
import { Rebalancer } from './rebalancer.js';
import { type LoadedGroup, OFFSETS_TOPIC, type OffsetsLogAccess, OffsetsTopicStore } from './store.js';

export interface GroupCoordinatorOptions extends OffsetsLogAccess {
  config: GroupCoordinatorConfig;
  /** Whether a topic partition exists in the cluster (commits to unknown ones are refused). */
  partitionExists(topic: string, partition: number): boolean;
  clock?: Clock;
  log?: CoordinatorLog;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5+: must match the group's. */
  protocolType: string | null;
  protocolName: string | null;
  /** From the leader: member id → assignment. */
  assignments: ReadonlyMap<string, Buffer>;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeavingMember {
  /** Empty: remove the static member with this group instance id (an admin's request). */
  memberId: string;
  groupInstanceId: string | null;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: GroupState | '';
  protocolType: string;
  /** The chosen protocol while Stable. */
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

/** A __consumer_offsets partition this broker leads (Kafka's ownedPartitions and loadingPartitions). */
interface LedPartition {
  leaderEpoch: number;
  loaded: boolean;
  /** Transaction markers written while loading, applied once the groups are in memory. */
  completionsWhileLoading: { producerId: number; commit: boolean }[];
}

const NO_LOGGING: CoordinatorLog = { info: () => {}, warn: () => {}, error: () => {} };
const EXPIRY_TIMER = 'offset-expiry';

export class GroupCoordinator {
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly config: GroupCoordinatorConfig;
  private readonly clock: Clock;
  private readonly log: CoordinatorLog;
  private readonly timers: Timers;
  private readonly store: OffsetsTopicStore;
  private readonly rebalancer: Rebalancer;
  private readonly joins: JoinFlow;
  private readonly offsets: OffsetManager;
  private active = true;
  private readonly led = new Map<number, LedPartition>();

  constructor(options: GroupCoordinatorOptions) {
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? NO_LOGGING;
    this.timers = new Timers(this.clock);
    this.store = new OffsetsTopicStore(
      options, this.config.offsetsTopicPartitions, () => this.clock.now(), (p) => this.led.get(p)?.leaderEpoch ?? 0, (m) => this.log.warn(m));
    this.rebalancer = new Rebalancer(this.config, this.store, this.timers, this.log);
    this.joins = new JoinFlow(this.config, this.rebalancer);
    const registry: GroupRegistry = {
      status: (groupId, allowEmptyId) => this.status(groupId, allowEmptyId),
      get: (groupId) => this.groups.get(groupId),
      create: (groupId) => this.createGroup(groupId),
      forget: (group) => {
        if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
      },
      all: () => this.groups.values(),
    };
    this.offsets = new OffsetManager(
      this.config, registry, this.store, this.rebalancer, this.clock, this.log, (t, p) => options.partitionExists(t, p));
    this.scheduleExpiry();
  }

  /** The __consumer_offsets partition holding a group. */
  partitionFor(groupId: string): number {
    return this.store.partitionFor(groupId);
  }

  /**
   * This broker leads __consumer_offsets partition `partition` from `leaderEpoch` on (Kafka's
   * onElection): its groups are replayed from the log, requests for them get
   * COORDINATOR_LOAD_IN_PROGRESS meanwhile; an empty log is served at once. Resolves once loaded.
   * The same or an older election told again changes nothing.
   */
  async onBecomeLeader(partition: number, leaderEpoch: number): Promise<void> {
    if (!this.active) return;
    const current = this.led.get(partition);
    if (current && current.leaderEpoch >= leaderEpoch) return;
    if (current) this.onResign(partition);
    const entry: LedPartition = { leaderEpoch, loaded: false, completionsWhileLoading: [] };
    this.led.set(partition, entry);
    if (this.store.isEmpty(partition)) {
      entry.loaded = true;
      return;
    }
    let loaded: Map<string, LoadedGroup>;
    try {
      loaded = await this.store.load(partition);
    } catch (e) {
      // Kafka leaves such a partition loading: requests keep getting COORDINATOR_LOAD_IN_PROGRESS.
      this.log.error(`loading ${OFFSETS_TOPIC}-${partition} failed: ${(e as Error).message}`);
      return;
    }
    // Resigned or elected again while reading: that election's state counts.
    if (this.led.get(partition) !== entry) return;
    for (const [groupId, g] of loaded) this.restoreGroup(groupId, g);
    entry.loaded = true;
    for (const c of entry.completionsWhileLoading.splice(0)) this.offsets.completeTransaction(partition, c.producerId, c.commit);
    this.log.info(`loaded ${loaded.size} group(s) from ${OFFSETS_TOPIC}-${partition} at leader epoch ${leaderEpoch}`);
  }

  /**
   * This broker no longer leads `partition` (Kafka's onResignation): its groups are unloaded, their
   * parked JoinGroup/SyncGroup requests answered NOT_COORDINATOR, and requests for them get
   * NOT_COORDINATOR until another election.
   */
  onResign(partition: number): void {
    if (!this.led.delete(partition)) return;
    const unloaded = new Set<string>();
    for (const group of this.groups.values()) {
      if (this.store.partitionFor(group.groupId) !== partition) continue;
      this.rebalancer.abandon(group, ErrorCode.NOT_COORDINATOR);
      group.transitionTo('Dead');
      unloaded.add(group.groupId);
    }
    for (const groupId of unloaded) this.groups.delete(groupId);
    this.offsets.forgetTransactions(unloaded);
    this.log.info(`unloaded ${unloaded.size} group(s) of ${OFFSETS_TOPIC}-${partition}`);
  }

  /** Stops serving: parked JoinGroup/SyncGroup requests get NOT_COORDINATOR, timers end. Idempotent. */
  close(): void {
    if (!this.active) return;
    this.active = false;
    for (const group of this.groups.values()) this.rebalancer.abandon(group, ErrorCode.NOT_COORDINATOR);
    this.led.clear();
    this.timers.close();
  }

  // --- membership ---

  joinGroup(req: JoinRequest): Promise<JoinResult> {
    return new Promise((resolve) => {
      const status = this.status(req.groupId, false);
      if (status !== ErrorCode.NONE) return resolve(joinError(req.memberId, status));
      if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
        return resolve(joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
      }
      let group = this.groups.get(req.groupId);
      if (!group) {
        // Only a first join creates a group; a member id for a group we do not know is stale.
        if (req.memberId !== '') return resolve(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        group = this.createGroup(req.groupId);
      }
      this.joins.join(group, req, resolve);
    });
  }

  syncGroup(req: SyncRequest): Promise<SyncResult> {
    return new Promise((resolve) => {
      const status = this.status(req.groupId, false);
      // A loading coordinator lost the rebalance in flight: the member must join again.
      if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      if (status !== ErrorCode.NONE) return resolve(syncError(status));
      const group = this.groups.get(req.groupId);
      if (!group) return resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      const error = this.memberRequestError(group, req.memberId, req.groupInstanceId, req.generationId);
      if (error !== ErrorCode.NONE) return resolve(syncError(error));
      if ((req.protocolType !== null && req.protocolType !== group.protocolType)
        || (req.protocolName !== null && req.protocolName !== group.protocolName)) {
        return resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      }
      const member = group.get(req.memberId);
      switch (group.state) {
        case 'Empty':
          return resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        case 'PreparingRebalance':
          return resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        case 'CompletingRebalance':
          member.awaitingSync = resolve;
          this.rebalancer.removePendingSyncMember(group, req.memberId);
          if (group.isLeader(req.memberId)) this.completeSync(group, req.assignments);
          return;
        default:
          this.rebalancer.removePendingSyncMember(group, req.memberId);
          resolve({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
          this.rebalancer.scheduleHeartbeatExpiry(group, member);
      }
    });
  }

  /** The leader's assignment arrived: store it, then hand every parked member its part. */
  private completeSync(group: ClassicGroup, fromLeader: ReadonlyMap<string, Buffer>): void {
    const assignment = new Map(fromLeader);
    for (const m of group.allMembers()) if (!assignment.has(m.memberId)) assignment.set(m.memberId, Buffer.alloc(0));
    this.log.info(`group ${group.groupId} generation ${group.generationId}: assignment received from the leader`);
    const generation = group.generationId;
    void andThen(this.rebalancer.storeGroup(group, assignment), (error) => {
      // Another rebalance began (or the group was unloaded) while the assignment was replicated.
      if (!group.is('CompletingRebalance') || group.generationId !== generation) return;
      if (error !== ErrorCode.NONE) {
        this.rebalancer.resetAndPropagateAssignmentError(group, error);
        this.rebalancer.maybePrepareRebalance(group, `storing the assignment failed with error ${error}`);
        return;
      }
      this.rebalancer.setAndPropagateAssignment(group, assignment);
      group.transitionTo('Stable');
    });
  }

  heartbeat(req: HeartbeatRequest): number {
    const status = this.status(req.groupId, false);
    // While loading there is nothing to check against: let the member carry on.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE;
    if (status !== ErrorCode.NONE) return status;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const error = this.memberRequestError(group, req.memberId, req.groupInstanceId, req.generationId);
    if (error !== ErrorCode.NONE) return error;
    if (group.is('Empty')) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.rebalancer.scheduleHeartbeatExpiry(group, group.get(req.memberId));
    return group.is('PreparingRebalance') ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Dead group, unknown or fenced member, or another generation. */
  private memberRequestError(group: ClassicGroup, memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = group.memberError(memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    return generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  }

  leaveGroup(groupId: string, leaving: readonly LeavingMember[]): { errorCode: number; members: (LeavingMember & { errorCode: number })[] } {
    const status = this.status(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: leaving.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((m) => ({ ...m, errorCode: this.removeLeavingMember(group, m) }));
    return { errorCode: ErrorCode.NONE, members };
  }

  private removeLeavingMember(group: ClassicGroup, leaving: LeavingMember): number {
    let memberId = leaving.memberId;
    if (memberId === '') {
      const current = leaving.groupInstanceId === null ? undefined : group.staticMemberId(leaving.groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      memberId = current;
    } else if (group.isPendingMember(memberId)) {
      this.rebalancer.removePendingMemberAndUpdateGroup(group, memberId);
      return ErrorCode.NONE;
    } else {
      const error = group.memberError(memberId, leaving.groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
    }
    this.log.info(`member ${memberId} left group ${group.groupId}`);
    this.rebalancer.removeMemberAndUpdateGroup(group, group.get(memberId), `member ${memberId} left`);
    return ErrorCode.NONE;
  }

  // --- offsets ---

  /** The error per partition, in request order; answered once the records are replicated. */
  commitOffsets(req: CommitRequest): MaybePromise<PartitionError[]> {
    return this.offsets.commit(req);
  }

  /**
   * TxnOffsetCommit: the error per partition, in request order, later when the transaction
   * coordinator is asked first; the offsets stay pending until completeTransactionalOffsets.
   */
  txnCommitOffsets(req: TxnCommitRequest): MaybePromise<PartitionError[]> {
    return this.offsets.txnCommit(req);
  }

  /**
   * Called once the producer's transaction marker is in __consumer_offsets partition
   * `offsetsPartition`: its pending offsets there become committed (unless a later plain commit
   * superseded them) or, on abort, are dropped.
   */
  completeTransactionalOffsets(offsetsPartition: number, producerId: number, commit: boolean): void {
    const entry = this.led.get(offsetsPartition);
    if (entry && !entry.loaded) entry.completionsWhileLoading.push({ producerId, commit });
    else this.offsets.completeTransaction(offsetsPartition, producerId, commit);
  }

  /** With `requireStable` (OffsetFetch v7+), partitions with pending transactional offsets get UNSTABLE_OFFSET_COMMIT. */
  fetchOffsets(groupId: string, partitions: readonly TopicPartition[] | null, requireStable = false): { errorCode: number; offsets: FetchedOffset[] } {
    return this.offsets.fetch(groupId, partitions, requireStable);
  }

  deleteOffsets(groupId: string, partitions: readonly TopicPartition[]): { errorCode: number; partitions: PartitionError[] } {
    return this.offsets.delete(groupId, partitions);
  }

  /** Called when a topic is deleted: its committed offsets are removed from every group. */
  topicDeleted(topic: string): void {
    this.offsets.removeTopic(topic);
  }

  // --- administration ---

  describeGroup(groupId: string): GroupDescription {
    const description: GroupDescription = { errorCode: ErrorCode.NONE, groupId, state: 'Dead', protocolType: '', protocolData: '', members: [] };
    const status = this.status(groupId, true);
    if (status !== ErrorCode.NONE) return { ...description, errorCode: status, state: '' };
    const group = this.groups.get(groupId);
    if (!group) return description;
    const stable = group.is('Stable');
    const protocol = group.protocolName;
    return {
      ...description,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? protocol ?? '' : '',
      members: group.allMembers().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable && protocol !== null ? m.metadataFor(protocol) : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  /** Groups in any of `states` (case-insensitive; empty: all) and of the given types (only "classic" exists here). */
  listGroups(states: readonly string[], types: readonly string[]): { errorCode: number; groups: { groupId: string; protocolType: string; state: GroupState }[] } {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const wantedStates = new Set(states.map((s) => s.toLowerCase()));
    const classic = types.length === 0 || types.some((t) => t.toLowerCase() === 'classic');
    const groups = classic
      ? [...this.groups.values()]
        .filter((g) => !g.is('Dead') && (wantedStates.size === 0 || wantedStates.has(g.state.toLowerCase())))
        .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }))
      : [];
    const loading = [...this.led.values()].some((p) => !p.loaded);
    return { errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  /** Deletes empty groups with their offsets. */
  deleteGroups(groupIds: readonly string[]): { groupId: string; errorCode: number }[] {
    return groupIds.map((groupId) => ({ groupId, errorCode: this.deleteGroup(groupId) }));
  }

  private deleteGroup(groupId: string): number {
    const status = this.status(groupId, true);
    if (status !== ErrorCode.NONE) return status;
    const group = this.groups.get(groupId);
    if (!group || group.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (!group.is('Empty')) return ErrorCode.NON_EMPTY_GROUP;
    group.transitionTo('Dead');
    const removed = this.offsets.cleanupGroup(group, group.offsets.all());
    this.log.info(`deleted group ${groupId} and ${removed} offset(s)`);
    return ErrorCode.NONE;
  }

  // --- internals ---

  /**
   * Whether requests for the group can be served here: a valid id (empty only where Kafka allows
   * it, for the offset and admin APIs), a running coordinator, and the group's __consumer_offsets
   * partition led by this broker and loaded.
   */
  private status(groupId: string, allowEmptyId: boolean): number {
    if (!allowEmptyId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const led = this.led.get(this.store.partitionFor(groupId));
    if (!led) return ErrorCode.NOT_COORDINATOR;
    if (!led.loaded) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  private createGroup(groupId: string): ClassicGroup {
    const group = new ClassicGroup(groupId, 'Empty', () => this.clock.now());
    this.groups.set(groupId, group);
    return group;
  }

  /** A group as the log left it: Stable with its last members, or Empty; members must heartbeat within their session. */
  private restoreGroup(groupId: string, loaded: LoadedGroup): void {
    const { stored } = loaded;
    const protocol = stored?.protocol ?? null;
    const members = stored && protocol !== null
      ? stored.members.map((m) => {
        const member = new Member({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          // Schema v0 had no rebalance timeout; Kafka used the session timeout.
          rebalanceTimeoutMs: m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          protocolType: stored.protocolType,
          protocols: [{ name: protocol, metadata: m.subscription }],
        });
        member.assignment = m.assignment;
        return member;
      })
      : [];
    const group = new ClassicGroup(groupId, members.length > 0 ? 'Stable' : 'Empty', () => this.clock.now(), loaded.offsets);
    if (stored) group.restore(stored, members);
    this.offsets.trackLoadedTransactions(group);
    this.groups.set(groupId, group);
    if (group.size > this.config.maxGroupSize) {
      this.rebalancer.prepareRebalance(group, `loaded with ${group.size} members, above group.max.size`);
    }
    for (const m of group.allMembers()) this.rebalancer.scheduleHeartbeatExpiry(group, m);
  }

  private scheduleExpiry(): void {
    this.timers.set(EXPIRY_TIMER, this.config.offsetsRetentionCheckIntervalMs, () => {
      this.offsets.expireOffsets();
      this.scheduleExpiry();
    });
  }
}
