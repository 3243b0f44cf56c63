// CreatePartitions (key 37): grows topics to a new partition count, with
// optional replica lists for the new partitions. v1 is v0 (throttling answers
// first); v2 is flexible; v3 may return THROTTLING_QUOTA_EXCEEDED.

import { defineMessage } from '../codec.js';

export interface CreatePartitionsRequest {
  topics: {
    name: string;
    /** The new total partition count. */
    count: number;
    /** One broker list per new partition; null lets the broker place them. */
    assignments: { brokerIds: number[] }[] | null;
  }[];
  timeoutMs: number;
  validateOnly: boolean;
}

export const CreatePartitionsRequest = defineMessage<CreatePartitionsRequest>({
  name: 'CreatePartitionsRequest',
  apiKey: 37,
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'count', type: 'int32', versions: '0+' },
            {
              name: 'assignments',
              versions: '0+',
              nullableVersions: '0+',
              type: { array: { struct: [{ name: 'brokerIds', type: { array: 'int32' }, versions: '0+' }] } },
            },
          ],
        },
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: { name: string; errorCode: number; errorMessage: string | null }[];
}

export const CreatePartitionsResponse = defineMessage<CreatePartitionsResponse>({
  name: 'CreatePartitionsResponse',
  apiKey: 37,
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          ],
        },
      },
    },
  ],
});
