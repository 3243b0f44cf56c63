// LeaveGroup (13): v0-v2 name one member and answer with one error; v3+ remove
// several (static members by group instance id) and answer per member.
import { ErrorCode } from '../../protocol/errors.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/messages/leave-group.js';
import type { RequestContext } from '../router.js';

export function handleLeaveGroup(ctx: RequestContext, req: LeaveGroupRequest): LeaveGroupResponse {
  const batched = ctx.version >= 3;
  const leaving = batched
    ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
    : [{ memberId: req.memberId, groupInstanceId: null }];
  const r = ctx.broker.groups.leaveGroup(req.groupId, leaving);
  const firstMemberError = r.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    errorCode: batched || r.errorCode !== ErrorCode.NONE ? r.errorCode : firstMemberError,
    members: r.members,
  };
}
