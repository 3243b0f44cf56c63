// ListGroups (key 16). v1 adds throttle time; v3 is flexible; v4 filters
// and reports group states; v5 group types (classic / consumer).

import { defineMessage } from '../codec.js';

export interface ListGroupsRequest {
  /** Empty: all states. */
  statesFilter: string[];
  /** Empty: all types. */
  typesFilter: string[];
}

export const ListGroupsRequest = defineMessage<ListGroupsRequest>({
  name: 'ListGroupsRequest',
  apiKey: 16,
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'statesFilter', type: { array: 'string' }, versions: '4+' },
    { name: 'typesFilter', type: { array: 'string' }, versions: '5+' },
  ],
});

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[];
}

export const ListGroupsResponse = defineMessage<ListGroupsResponse>({
  name: 'ListGroupsResponse',
  apiKey: 16,
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'groupId', type: 'string', versions: '0+' },
            { name: 'protocolType', type: 'string', versions: '0+' },
            { name: 'groupState', type: 'string', versions: '4+' },
            { name: 'groupType', type: 'string', versions: '5+' },
          ],
        },
      },
    },
  ],
});
