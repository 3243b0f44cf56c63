// ListGroups (16): every group this broker coordinates, filtered by state (v4+)
// and type (v5+; all groups here are "classic").
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/list-groups.js';
import type { RequestContext } from '../router.js';

export function handleListGroups(ctx: RequestContext, req: ListGroupsRequest): ListGroupsResponse {
  const r = ctx.broker.groups.listGroups(req.statesFilter, req.typesFilter);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    groups: r.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: 'classic' })),
  };
}
