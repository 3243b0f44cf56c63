// The timed half of the classic protocol: preparing a rebalance and waiting for
// members to rejoin (with the initial delay for new groups), completing the
// join into a new generation, waiting for SyncGroups, handing out assignments,
// and expiring members whose heartbeats stop. Kafka's DelayedJoin,
// InitialDelayedJoin, DelayedSync and DelayedHeartbeat, as one timer each.
import { ErrorCode } from '../../protocol/errors.js';
import type { Timers } from './clock.js';
import { NEW_MEMBER_JOIN_TIMEOUT_MS, type CoordinatorLog, type GroupCoordinatorConfig } from './config.js';
import { type ClassicGroup, currentGeneration, joinError, syncError } from './group.js';
import { type JoinCallback, Member, type MemberSpec, type Protocol, type SyncResult } from './member.js';
import type { OffsetsTopicStore } from './store.js';
import { type MaybePromise, andThen } from '../completion.js';
import { groupMetadataRecord } from './records.js';

type JoinPhase = 'initial' | 'regular';

export class Rebalancer {
  /** Groups waiting for rejoins, and whether that wait is the initial delay (which never ends early). */
  private readonly joinPhase = new Map<ClassicGroup, JoinPhase>();

  constructor(
    private readonly config: GroupCoordinatorConfig,
    private readonly store: OffsetsTopicStore,
    private readonly timers: Timers,
    private readonly log: CoordinatorLog,
  ) {}

  /** Writes the group's membership and the given assignment; NONE or the members' error once replicated. */
  storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): MaybePromise<number> {
    const record = groupMetadataRecord(group.groupId, group.toStored(assignment));
    return andThen(this.store.append(group.groupId, [record]), ({ errorCode }) => storeGroupErrorFor(errorCode));
  }

  addMemberAndRebalance(group: ClassicGroup, spec: MemberSpec, callback: JoinCallback, reason: string): void {
    const member = new Member(spec);
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, callback);
    // A new member has no id to heartbeat with yet: its JoinGroup itself times out instead.
    this.scheduleHeartbeatExpiry(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, reason);
  }

  updateMemberAndRebalance(
    group: ClassicGroup, member: Member, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number,
    callback: JoinCallback, reason: string,
  ): void {
    group.updateMember(member, protocols, rebalanceTimeoutMs, sessionTimeoutMs, callback);
    this.maybePrepareRebalance(group, reason);
  }

  maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const fromEmpty = group.is('Empty');
    const rebalanceTimeoutMs = group.rebalanceTimeoutMs;
    group.transitionTo('PreparingRebalance');
    this.log.info(`preparing to rebalance group ${group.groupId} (generation ${group.generationId}): ${reason}`);
    if (fromEmpty) {
      const delay = this.config.initialRebalanceDelayMs;
      this.scheduleInitialJoin(group, delay, Math.max(rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleJoin(group, rebalanceTimeoutMs);
    }
  }

  /** Completes the join wait early once every member has rejoined (never during the initial delay). */
  checkJoin(group: ClassicGroup): void {
    if (this.joinPhase.get(group) === 'regular' && group.hasAllMembersJoined) this.completeJoin(group);
  }

  private scheduleJoin(group: ClassicGroup, timeoutMs: number): void {
    this.joinPhase.set(group, 'regular');
    this.timers.set(joinKey(group), timeoutMs, () => this.completeJoin(group));
    this.checkJoin(group);
  }

  /** Waits `delayMs`, and again (up to the rebalance timeout) while new members keep arriving. */
  private scheduleInitialJoin(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    this.joinPhase.set(group, 'initial');
    this.timers.set(joinKey(group), delayMs, () => {
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - delayMs, 0));
      } else {
        this.completeJoin(group);
      }
    });
  }

  /** The join wait is over: drop dynamic members that did not rejoin and start the next generation. */
  private completeJoin(group: ClassicGroup): void {
    this.joinPhase.delete(group);
    this.timers.cancel(joinKey(group));
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      group.remove(m.memberId);
      this.timers.cancel(heartbeatKey(group, m.memberId));
    }
    if (group.is('Dead')) return;
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that did not rejoin are left: wait another round for them.
      this.log.warn(`group ${group.groupId} could not complete its rebalance because no member rejoined`);
      this.scheduleJoin(group, group.rebalanceTimeoutMs);
      return;
    }
    group.initNextGeneration();
    if (group.is('Empty')) {
      this.log.info(`group ${group.groupId} is empty at generation ${group.generationId}`);
      void andThen(this.storeGroup(group, new Map()), (error) => {
        // Safe to ignore: after a restart the previous generation comes back and its members time out.
        if (error !== ErrorCode.NONE) this.log.warn(`could not write empty group ${group.groupId}: error ${error}`);
      });
      return;
    }
    this.log.info(`group ${group.groupId} generation ${group.generationId} has ${group.size} member(s)`);
    for (const member of group.allMembers()) {
      group.answerJoin(member, currentGeneration(group, member, group.isLeader(member.memberId)));
      this.scheduleHeartbeatExpiry(group, member);
      member.isNew = false;
      group.addPendingSyncMember(member.memberId);
    }
    this.scheduleSyncExpiry(group);
  }

  // --- SyncGroup wait ---

  private scheduleSyncExpiry(group: ClassicGroup): void {
    const generation = group.generationId;
    this.timers.set(syncKey(group), group.rebalanceTimeoutMs, () => {
      if (generation !== group.generationId || !(group.is('CompletingRebalance') || group.is('Stable'))) return;
      if (group.hasReceivedSyncFromAllMembers) return;
      const late = group.pendingSyncMemberIds();
      for (const id of late) {
        group.remove(id);
        this.timers.cancel(heartbeatKey(group, id));
      }
      this.prepareRebalance(group, `members ${late.join(', ')} sent no SyncGroup in time`);
    });
  }

  removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.removePendingSyncMember(memberId);
    if (group.hasReceivedSyncFromAllMembers) this.timers.cancel(syncKey(group));
  }

  private removeSyncExpiration(group: ClassicGroup): void {
    group.clearPendingSyncMembers();
    this.timers.cancel(syncKey(group));
  }

  setAndPropagateAssignment(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): void {
    for (const m of group.allMembers()) m.assignment = assignment.get(m.memberId) ?? Buffer.alloc(0);
    this.propagateAssignment(group, ErrorCode.NONE);
  }

  resetAndPropagateAssignmentError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.allMembers()) m.assignment = Buffer.alloc(0);
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const member of group.allMembers()) {
      const result: SyncResult = {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: member.assignment,
      };
      // The session restarts once a member has its answer: it could not heartbeat while parked.
      if (group.answerSync(member, result)) this.scheduleHeartbeatExpiry(group, member);
    }
  }

  // --- heartbeats and departures ---

  /**
   * Restarts the member's session deadline. A member parked in a rebalance has none (Kafka's
   * delayed heartbeat completes at once for it); it gets one when its answer goes out.
   */
  scheduleHeartbeatExpiry(group: ClassicGroup, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    const key = heartbeatKey(group, member.memberId);
    if (member.livesWithoutHeartbeat) {
      this.timers.cancel(key);
      return;
    }
    const memberId = member.memberId;
    this.timers.set(key, timeoutMs, () => {
      if (group.is('Dead') || !group.has(memberId)) return;
      const m = group.get(memberId);
      if (m.livesWithoutHeartbeat) return;
      this.log.info(`member ${memberId} of group ${group.groupId} missed its session timeout; removing it`);
      this.removeMemberAndUpdateGroup(group, m, `member ${memberId} session expired`);
    });
  }

  cancelHeartbeat(group: ClassicGroup, memberId: string): void {
    this.timers.cancel(heartbeatKey(group, memberId));
  }

  /** A member with a MEMBER_ID_REQUIRED id must rejoin within its session timeout. */
  schedulePendingMemberExpiry(group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
    this.timers.set(pendingKey(group, memberId), sessionTimeoutMs, () => {
      if (group.is('Dead') || group.has(memberId)) return;
      this.removePendingMemberAndUpdateGroup(group, memberId);
    });
  }

  removePendingMemberAndUpdateGroup(group: ClassicGroup, memberId: string): void {
    this.timers.cancel(pendingKey(group, memberId));
    group.remove(memberId);
    if (group.is('PreparingRebalance')) this.checkJoin(group);
  }

  removeMemberAndUpdateGroup(group: ClassicGroup, member: Member, reason: string): void {
    // A parked JoinGroup (a new member timing out) learns it must join again.
    group.answerJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.answerSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.cancelHeartbeat(group, member.memberId);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalance(group, reason);
    else if (group.is('PreparingRebalance')) this.checkJoin(group);
  }

  /** The group is gone (deleted, expired, or the coordinator closes): every parked request gets `errorCode`. */
  abandon(group: ClassicGroup, errorCode: number): void {
    this.joinPhase.delete(group);
    this.timers.cancel(joinKey(group));
    this.timers.cancel(syncKey(group));
    for (const m of group.allMembers()) {
      group.answerJoin(m, joinError(m.memberId, errorCode));
      group.answerSync(m, syncError(errorCode));
      this.cancelHeartbeat(group, m.memberId);
    }
  }
}

const SEP = '\u0000';
const joinKey = (g: ClassicGroup): string => `join${SEP}${g.groupId}`;
const syncKey = (g: ClassicGroup): string => `sync${SEP}${g.groupId}`;
const heartbeatKey = (g: ClassicGroup, memberId: string): string => `heartbeat${SEP}${g.groupId}${SEP}${memberId}`;
const pendingKey = (g: ClassicGroup, memberId: string): string => `pending${SEP}${g.groupId}${SEP}${memberId}`;

/** The error members see when writing their group failed (Kafka's storeGroup callback). */
function storeGroupErrorFor(error: number): number {
  switch (error) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.REBALANCE_IN_PROGRESS;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return error;
  }
}
