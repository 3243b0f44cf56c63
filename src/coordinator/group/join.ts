// JoinGroup for a group that exists (or was just created for a first member):
// new dynamic members (with KIP-394's MEMBER_ID_REQUIRED round trip), new
// incarnations of static members (KIP-345: a known group.instance.id takes over
// its old member id without a rebalance while the group is stable), and
// members of the current generation rejoining.
import { ErrorCode } from '../../protocol/errors.js';
import { andThen } from '../completion.js';
import type { GroupCoordinatorConfig } from './config.js';
import { type ClassicGroup, currentGeneration, joinError } from './group.js';
import type { JoinCallback, MemberSpec, Protocol } from './member.js';
import type { Rebalancer } from './rebalancer.js';

export interface JoinRequest {
  groupId: string;
  /** Empty for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+: a first join is answered MEMBER_ID_REQUIRED with the id to rejoin with. */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+: a static leader rejoining a stable group may skip running its assignor. */
  supportSkippingAssignment: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason: string | null;
}

export class JoinFlow {
  constructor(
    private readonly config: GroupCoordinatorConfig,
    private readonly rebalancer: Rebalancer,
  ) {}

  join(group: ClassicGroup, req: JoinRequest, respond: JoinCallback): void {
    if (!this.acceptsJoiningMember(group, req.memberId)) {
      group.remove(req.memberId);
      this.rebalancer.cancelHeartbeat(group, req.memberId);
      respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (req.memberId === '') {
      this.joinNewMember(group, req, respond);
    } else {
      this.joinCurrentMember(group, req, respond);
    }
    if (group.is('PreparingRebalance')) this.rebalancer.checkJoin(group);
  }

  /**
   * group.max.size: while rebalancing, members already parked and up to the maximum of parked
   * members get in (so the last rejoiners of an oversized group are the ones shed); otherwise
   * known members and up to the maximum of members.
   */
  private acceptsJoiningMember(group: ClassicGroup, memberId: string): boolean {
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.has(memberId) && group.get(memberId).awaitingJoin !== null) || group.awaitingJoinCount < this.config.maxGroupSize;
      default:
        return group.has(memberId) || group.size < this.config.maxGroupSize;
    }
  }

  private joinNewMember(group: ClassicGroup, req: JoinRequest, respond: JoinCallback): void {
    if (group.is('Dead')) return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const memberId = group.generateMemberId(req.clientId, req.groupInstanceId);
    if (req.groupInstanceId !== null) {
      const previous = group.staticMemberId(req.groupInstanceId);
      if (previous !== undefined) return this.replaceStaticMember(group, previous, memberId, req.groupInstanceId, req, respond);
      return this.rebalancer.addMemberAndRebalance(group, specOf(req, memberId), respond, because(req, `new static member ${req.groupInstanceId}`));
    }
    if (req.requireKnownMemberId) {
      group.addPendingMember(memberId);
      this.rebalancer.schedulePendingMemberExpiry(group, memberId, req.sessionTimeoutMs);
      return respond(joinError(memberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.rebalancer.addMemberAndRebalance(group, specOf(req, memberId), respond, because(req, `new member ${memberId}`));
  }

  private joinCurrentMember(group: ClassicGroup, req: JoinRequest, respond: JoinCallback): void {
    const { memberId } = req;
    if (group.is('Dead')) return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.isPendingMember(memberId)) {
      // Pending ids are only handed to dynamic members; a static one claiming one is confused.
      if (req.groupInstanceId !== null) return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return this.rebalancer.addMemberAndRebalance(group, specOf(req, memberId), respond, because(req, `pending member ${memberId} joined`));
    }
    const error = group.memberError(memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return respond(joinError(memberId, error));
    const member = group.get(memberId);
    const rejoin = (reason: string): void => this.rebalancer.updateMemberAndRebalance(
      group, member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond, because(req, reason));
    switch (group.state) {
      case 'PreparingRebalance':
        return rejoin(`member ${memberId} rejoined`);
      case 'CompletingRebalance':
        // Same metadata: it missed our JoinGroup answer; repeat it.
        if (member.matches(req.protocols)) return respond(currentGeneration(group, member, group.isLeader(memberId)));
        return rejoin(`member ${memberId} changed its metadata`);
      case 'Stable':
        // The leader rejoining asks for a new assignment (e.g. topic metadata changed).
        if (group.isLeader(memberId)) return rejoin(`leader ${memberId} rejoined`);
        if (!member.matches(req.protocols)) return rejoin(`member ${memberId} changed its metadata`);
        return respond(currentGeneration(group, member, false));
      default:
        return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  /** A restarted static member takes over its old identity; a stable group keeps its generation. */
  private replaceStaticMember(
    group: ClassicGroup, oldMemberId: string, newMemberId: string, instanceId: string, req: JoinRequest, respond: JoinCallback,
  ): void {
    const previousLeader = group.leader ?? '';
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.rebalancer.cancelHeartbeat(group, oldMemberId);
    this.rebalancer.scheduleHeartbeatExpiry(group, member);
    const before = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          return this.rebalancer.maybePrepareRebalance(group, because(req, `static member ${instanceId} rejoined with other protocols`));
        }
        const assignments = new Map(group.allMembers().map((m) => [m.memberId, m.assignment]));
        void andThen(this.rebalancer.storeGroup(group, assignments), (error) => {
          if (error !== ErrorCode.NONE) {
            // The new member id is not durable: the old one stays.
            group.updateMember(member, before.protocols, before.rebalanceTimeoutMs, before.sessionTimeoutMs, null);
            this.rebalancer.scheduleHeartbeatExpiry(group, group.replaceStaticMember(instanceId, newMemberId, oldMemberId));
            this.rebalancer.cancelHeartbeat(group, newMemberId);
            return respond({ ...currentGeneration(group, member, false), errorCode: error, memberId: '', leaderId: previousLeader });
          }
          // Before v9 the old leader id goes back, so a restarted leader does not run a useless assignment.
          const skip = req.supportSkippingAssignment && group.isLeader(newMemberId);
          const result = currentGeneration(group, member, skip);
          return group.answerJoin(member, req.supportSkippingAssignment
            ? { ...result, skipAssignment: skip }
            : { ...result, leaderId: previousLeader });
        });
        return;
      }
      case 'CompletingRebalance':
        // The leader may be assigning to the old member id: start over.
        return this.rebalancer.prepareRebalance(group, because(req, `static member ${instanceId} rejoined during a rebalance`));
      default:
        // PreparingRebalance: the member now waits with the others.
        return;
    }
  }
}

/** A rebalance reason for the log, with the client's own (JoinGroup v8+) when it gave one. */
function because(req: JoinRequest, what: string): string {
  return req.reason ? `${what}; client reason: ${req.reason}` : what;
}

function specOf(req: JoinRequest, memberId: string): MemberSpec {
  return {
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: req.clientId,
    clientHost: req.clientHost,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
  };
}
