// LeaveGroup (key 13). v1 adds throttle time; v3 lets one request remove
// several (static) members; v4 is flexible; v5 adds a reason.

import { defineMessage } from '../codec.js';

export interface LeaveGroupRequest {
  groupId: string;
  /** v0-v2. */
  memberId: string;
  /** v3+. */
  members: { memberId: string; groupInstanceId: string | null; reason: string | null }[];
}

export const LeaveGroupRequest = defineMessage<LeaveGroupRequest>({
  name: 'LeaveGroupRequest',
  apiKey: 13,
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: {
          struct: [
            { name: 'memberId', type: 'string', versions: '3+' },
            { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
            { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          ],
        },
      },
    },
  ],
});

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export const LeaveGroupResponse = defineMessage<LeaveGroupResponse>({
  name: 'LeaveGroupResponse',
  apiKey: 13,
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: {
          struct: [
            { name: 'memberId', type: 'string', versions: '3+' },
            { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
            { name: 'errorCode', type: 'int16', versions: '3+' },
          ],
        },
      },
    },
  ],
});
