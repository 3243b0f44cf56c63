// DescribeGroups (key 15). v1 adds throttle time; v3 authorized operations;
// v4 member group instance ids; v5 is flexible.

import { defineMessage } from '../codec.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from './metadata.js';

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations: boolean;
}

export const DescribeGroupsRequest = defineMessage<DescribeGroupsRequest>({
  name: 'DescribeGroupsRequest',
  apiKey: 15,
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'groups', type: { array: 'string' }, versions: '0+' },
    { name: 'includeAuthorizedOperations', type: 'bool', versions: '3+' },
  ],
});

export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: {
    errorCode: number;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: {
      memberId: string;
      groupInstanceId: string | null;
      clientId: string;
      clientHost: string;
      memberMetadata: Buffer;
      memberAssignment: Buffer;
    }[];
    authorizedOperations: number;
  }[];
}

export const DescribeGroupsResponse = defineMessage<DescribeGroupsResponse>({
  name: 'DescribeGroupsResponse',
  apiKey: 15,
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'groupId', type: 'string', versions: '0+' },
            { name: 'groupState', type: 'string', versions: '0+' },
            { name: 'protocolType', type: 'string', versions: '0+' },
            { name: 'protocolData', type: 'string', versions: '0+' },
            {
              name: 'members',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'memberId', type: 'string', versions: '0+' },
                    { name: 'groupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
                    { name: 'clientId', type: 'string', versions: '0+' },
                    { name: 'clientHost', type: 'string', versions: '0+' },
                    { name: 'memberMetadata', type: 'bytes', versions: '0+' },
                    { name: 'memberAssignment', type: 'bytes', versions: '0+' },
                  ],
                },
              },
            },
            { name: 'authorizedOperations', type: 'int32', versions: '3+', default: AUTHORIZED_OPERATIONS_OMITTED },
          ],
        },
      },
    },
  ],
});
