// OffsetForLeaderEpoch (key 23). v1 returns the leader epoch; v2 adds the
// current leader epoch for fencing and throttle time; v3 the replica id
// (-2: a consumer allowed past the high watermark, -1: a consumer); v4 is
// flexible.

import { defineMessage } from '../codec.js';

export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: {
    topic: string;
    partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[];
  }[];
}

export const OffsetForLeaderEpochRequest = defineMessage<OffsetForLeaderEpochRequest>({
  name: 'OffsetForLeaderEpochRequest',
  apiKey: 23,
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'replicaId', type: 'int32', versions: '3+', default: -2 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partition', type: 'int32', versions: '0+' },
                    { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
                    { name: 'leaderEpoch', type: 'int32', versions: '0+' },
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

export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: {
    topic: string;
    partitions: { errorCode: number; partition: number; leaderEpoch: number; endOffset: number }[];
  }[];
}

export const OffsetForLeaderEpochResponse = defineMessage<OffsetForLeaderEpochResponse>({
  name: 'OffsetForLeaderEpochResponse',
  apiKey: 23,
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'partition', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
                    { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
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
