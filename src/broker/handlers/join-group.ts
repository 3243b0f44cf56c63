// JoinGroup (11): translated to the group coordinator, which parks the request
// until the rebalance completes. v0 has no rebalance timeout (the session
// timeout serves), v4+ require a known member id, v9 may skip assignment.
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/join-group.js';
import type { RequestContext } from '../router.js';

export async function handleJoinGroup(ctx: RequestContext, req: JoinGroupRequest): Promise<JoinGroupResponse> {
  const v = ctx.version;
  const r = await ctx.broker.groups.joinGroup({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    requireKnownMemberId: v >= 4,
    supportSkippingAssignment: v >= 9,
    clientId: ctx.header.clientId ?? '',
    clientHost: clientHost(ctx.conn.remote),
    rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    reason: req.reason,
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Not nullable before v7.
    protocolName: v >= 7 ? r.protocolName : r.protocolName ?? '',
    leader: r.leaderId,
    skipAssignment: r.skipAssignment,
    memberId: r.memberId,
    members: r.members,
  };
}

/** Kafka reports a member's host as Java's InetAddress.toString(): "/" and the address. */
function clientHost(remote: string): string {
  const colon = remote.lastIndexOf(':');
  return `/${colon < 0 ? remote : remote.slice(0, colon)}`;
}
