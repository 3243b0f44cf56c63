// DescribeGroups (15): state, protocol and members of each group; unknown
// groups are reported as Dead (no GROUP_ID_NOT_FOUND before v6).
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/messages/metadata.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../protocol/messages/describe-groups.js';
import type { RequestContext } from '../router.js';

export function handleDescribeGroups(ctx: RequestContext, req: DescribeGroupsRequest): DescribeGroupsResponse {
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => {
      const g = ctx.broker.groups.describeGroup(groupId);
      return {
        errorCode: g.errorCode,
        groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    }),
  };
}
