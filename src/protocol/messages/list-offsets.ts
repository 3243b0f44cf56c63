// ListOffsets (key 2). v0 returns an array of old-style offsets; v1 a single
// offset and timestamp; v2 adds isolation level; v4 leader epochs; v6 is
// flexible; v7-v9 add timestamp selectors (max timestamp, local log start,
// last tiered offset).

import { defineMessage } from '../codec.js';

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }[];
  }[];
}

export const ListOffsetsRequest = defineMessage<ListOffsetsRequest>({
  name: 'ListOffsetsRequest',
  apiKey: 2,
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
                    { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
                    { name: 'timestamp', type: 'int64', versions: '0+' },
                    { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
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

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      oldStyleOffsets: number[];
      timestamp: number;
      offset: number;
      leaderEpoch: number;
    }[];
  }[];
}

export const ListOffsetsResponse = defineMessage<ListOffsetsResponse>({
  name: 'ListOffsetsResponse',
  apiKey: 2,
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
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
                    { name: 'oldStyleOffsets', type: { array: 'int64' }, versions: '0', ignorable: false },
                    { name: 'timestamp', type: 'int64', versions: '1+', default: -1, ignorable: false },
                    { name: 'offset', type: 'int64', versions: '1+', default: -1, ignorable: false },
                    { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
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
