// OffsetFetch (key 9). v1 reads Kafka-stored offsets; v2 allows a null topic
// list (all topics) and adds a top-level error; v3 throttle time; v5 leader
// epochs; v6 is flexible; v7 require-stable; v8 batches several groups; v9
// adds the KIP-848 member id and epoch.

import { defineMessage } from '../codec.js';

interface OffsetFetchTopicRequest {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequest {
  /** v0-v7: one group at the top level... */
  groupId: string;
  /** null (v2+) asks for all topics with committed offsets. */
  topics: OffsetFetchTopicRequest[] | null;
  /** ...v8+: one entry per group. */
  groups: {
    groupId: string;
    memberId: string | null;
    memberEpoch: number;
    topics: OffsetFetchTopicRequest[] | null;
  }[];
  requireStable: boolean;
}

export const OffsetFetchRequest = defineMessage<OffsetFetchRequest>({
  name: 'OffsetFetchRequest',
  apiKey: 9,
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0-7' },
    {
      name: 'topics',
      versions: '0-7',
      nullableVersions: '2-7',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0-7' },
            { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0-7' },
          ],
        },
      },
    },
    {
      name: 'groups',
      versions: '8+',
      type: {
        array: {
          struct: [
            { name: 'groupId', type: 'string', versions: '8+' },
            { name: 'memberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
            { name: 'memberEpoch', type: 'int32', versions: '9+', default: -1 },
            {
              name: 'topics',
              versions: '8+',
              nullableVersions: '8+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '8+' },
                    { name: 'partitionIndexes', type: { array: 'int32' }, versions: '8+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'requireStable', type: 'bool', versions: '7+', default: false },
  ],
});

interface OffsetFetchTopicResponse {
  name: string;
  partitions: {
    partitionIndex: number;
    committedOffset: number;
    committedLeaderEpoch: number;
    metadata: string | null;
    errorCode: number;
  }[];
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  /** v0-v7. */
  topics: OffsetFetchTopicResponse[];
  /** v2-v7. */
  errorCode: number;
  /** v8+. */
  groups: { groupId: string; topics: OffsetFetchTopicResponse[]; errorCode: number }[];
}

export const OffsetFetchResponse = defineMessage<OffsetFetchResponse>({
  name: 'OffsetFetchResponse',
  apiKey: 9,
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'topics',
      versions: '0-7',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0-7' },
            {
              name: 'partitions',
              versions: '0-7',
              type: {
                array: {
                  struct: [
                    { name: 'partitionIndex', type: 'int32', versions: '0-7' },
                    { name: 'committedOffset', type: 'int64', versions: '0-7' },
                    { name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
                    { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
                    { name: 'errorCode', type: 'int16', versions: '0-7' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
    {
      name: 'groups',
      versions: '8+',
      type: {
        array: {
          struct: [
            { name: 'groupId', type: 'string', versions: '8+' },
            {
              name: 'topics',
              versions: '8+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '8+' },
                    {
                      name: 'partitions',
                      versions: '8+',
                      type: {
                        array: {
                          struct: [
                            { name: 'partitionIndex', type: 'int32', versions: '8+' },
                            { name: 'committedOffset', type: 'int64', versions: '8+' },
                            { name: 'committedLeaderEpoch', type: 'int32', versions: '8+', default: -1 },
                            { name: 'metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                            { name: 'errorCode', type: 'int16', versions: '8+' },
                          ],
                        },
                      },
                    },
                  ],
                },
              },
            },
            { name: 'errorCode', type: 'int16', versions: '8+', default: 0 },
          ],
        },
      },
    },
  ],
});
