// Heartbeat (12): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import type { HeartbeatRequest, HeartbeatResponse } from '../../protocol/messages/heartbeat.js';
import type { RequestContext } from '../router.js';

export function handleHeartbeat(ctx: RequestContext, req: HeartbeatRequest): HeartbeatResponse {
  return { throttleTimeMs: 0, errorCode: ctx.broker.groups.heartbeat(req) };
}
