// DeleteGroups (42): removes empty groups and their offsets (tombstones in
// __consumer_offsets); NON_EMPTY_GROUP while members remain.
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/messages/delete-groups.js';
import type { RequestContext } from '../router.js';

export function handleDeleteGroups(ctx: RequestContext, req: DeleteGroupsRequest): DeleteGroupsResponse {
  return { throttleTimeMs: 0, results: ctx.broker.groups.deleteGroups(req.groupsNames) };
}
