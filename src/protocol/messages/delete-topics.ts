// DeleteTopics (key 20). v4 is flexible; v5 adds error messages and may
// return THROTTLING_QUOTA_EXCEEDED; v6 names topics by name or id.

import { defineMessage } from '../codec.js';

export interface DeleteTopicsRequest {
  /** v6+: each topic by name (null when given by id) or id. */
  topics: { name: string | null; topicId: Buffer }[];
  /** v0-v5. */
  topicNames: string[];
  timeoutMs: number;
}

export const DeleteTopicsRequest = defineMessage<DeleteTopicsRequest>({
  name: 'DeleteTopicsRequest',
  apiKey: 20,
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'topics',
      versions: '6+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
            { name: 'topicId', type: 'uuid', versions: '6+' },
          ],
        },
      },
    },
    { name: 'topicNames', type: { array: 'string' }, versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
});

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: { name: string | null; topicId: Buffer; errorCode: number; errorMessage: string | null }[];
}

export const DeleteTopicsResponse = defineMessage<DeleteTopicsResponse>({
  name: 'DeleteTopicsResponse',
  apiKey: 20,
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
            { name: 'topicId', type: 'uuid', versions: '6+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          ],
        },
      },
    },
  ],
});
