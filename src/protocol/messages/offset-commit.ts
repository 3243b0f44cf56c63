// OffsetCommit (key 8). v1 adds generation, member id and a per-partition
// commit timestamp; v2-v4 replace the timestamp with a retention time; v5
// drops it; v6 adds leader epochs; v7 the group instance id; v8 is flexible;
// v9 accepts a KIP-848 member epoch in place of the generation.

import { defineMessage } from '../codec.js';

export interface OffsetCommitRequest {
  groupId: string;
  /** The classic generation id, or the member epoch of a KIP-848 group. */
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      commitTimestamp: number;
      committedMetadata: string | null;
    }[];
  }[];
}

export const OffsetCommitRequest = defineMessage<OffsetCommitRequest>({
  name: 'OffsetCommitRequest',
  apiKey: 8,
  validVersions: '0-9',
  flexibleVersions: '8+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+' },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'committedOffset', type: 'int64', versions: '0+' },
                    { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
                    { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
                    { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
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

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export const OffsetCommitResponse = defineMessage<OffsetCommitResponse>({
  name: 'OffsetCommitResponse',
  apiKey: 8,
  validVersions: '0-9',
  flexibleVersions: '8+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
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
