// SyncGroup (14): the leader hands in the assignment; every member waits for
// its part. From v5 the protocol type and name are mandatory.
import { ErrorCode } from '../../protocol/errors.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/sync-group.js';
import type { RequestContext } from '../router.js';

export async function handleSyncGroup(ctx: RequestContext, req: SyncGroupRequest): Promise<SyncGroupResponse> {
  if (ctx.version >= 5 && (req.protocolType === null || req.protocolName === null)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  }
  const r = await ctx.broker.groups.syncGroup({
    groupId: req.groupId,
    generationId: req.generationId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    protocolType: req.protocolType,
    protocolName: req.protocolName,
    assignments: new Map(req.assignments.map((a) => [a.memberId, a.assignment])),
  });
  return { throttleTimeMs: 0, ...r };
}
