// DeleteGroups (key 42). v1 is the same as v0; v2 is flexible.

import { defineMessage } from '../codec.js';

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export const DeleteGroupsRequest = defineMessage<DeleteGroupsRequest>({
  name: 'DeleteGroupsRequest',
  apiKey: 42,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'groupsNames', type: { array: 'string' }, versions: '0+' }],
});

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: { groupId: string; errorCode: number }[];
}

export const DeleteGroupsResponse = defineMessage<DeleteGroupsResponse>({
  name: 'DeleteGroupsResponse',
  apiKey: 42,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'groupId', type: 'string', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
  ],
});
