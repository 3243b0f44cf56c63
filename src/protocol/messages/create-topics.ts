// CreateTopics (key 19). v1 adds validate-only and error messages; v5 is
// flexible and returns the resulting topic configs; v6 may return
// THROTTLING_QUOTA_EXCEEDED; v7 returns topic ids.

import { defineMessage } from '../codec.js';

export interface CreateTopicsRequest {
  topics: {
    name: string;
    /** -1: use the broker default (then `assignments` is empty). */
    numPartitions: number;
    /** -1: use the broker default (then `assignments` is empty). */
    replicationFactor: number;
    assignments: { partitionIndex: number; brokerIds: number[] }[];
    configs: { name: string; value: string | null }[];
  }[];
  timeoutMs: number;
  validateOnly: boolean;
}

export const CreateTopicsRequest = defineMessage<CreateTopicsRequest>({
  name: 'CreateTopicsRequest',
  apiKey: 19,
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'numPartitions', type: 'int32', versions: '0+' },
            { name: 'replicationFactor', type: 'int16', versions: '0+' },
            {
              name: 'assignments',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'brokerIds', type: { array: 'int32' }, versions: '0+' },
                  ],
                },
              },
            },
            {
              name: 'configs',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
});

export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: {
    name: string;
    topicId: Buffer;
    errorCode: number;
    errorMessage: string | null;
    topicConfigErrorCode: number;
    numPartitions: number;
    replicationFactor: number;
    configs: {
      name: string;
      value: string | null;
      readOnly: boolean;
      configSource: number;
      isSensitive: boolean;
    }[] | null;
  }[];
}

export const CreateTopicsResponse = defineMessage<CreateTopicsResponse>({
  name: 'CreateTopicsResponse',
  apiKey: 19,
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'topicId', type: 'uuid', versions: '7+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', default: null },
            { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', tag: 0, taggedVersions: '5+' },
            { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
            { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
            {
              name: 'configs',
              versions: '5+',
              nullableVersions: '5+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '5+' },
                    { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
                    { name: 'readOnly', type: 'bool', versions: '5+' },
                    { name: 'configSource', type: 'int8', versions: '5+', default: -1 },
                    { name: 'isSensitive', type: 'bool', versions: '5+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
  ],
});
