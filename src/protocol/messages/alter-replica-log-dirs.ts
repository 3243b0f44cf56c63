// AlterReplicaLogDirs (key 34): move partitions to other log dirs of this
// broker. v1 is the same as v0; v2 is flexible.

import { defineMessage } from '../codec.js';

export interface AlterReplicaLogDirsRequest {
  dirs: {
    /** Absolute path of the destination log dir. */
    path: string;
    topics: { name: string; partitions: number[] }[];
  }[];
}

export const AlterReplicaLogDirsRequest = defineMessage<AlterReplicaLogDirsRequest>({
  name: 'AlterReplicaLogDirsRequest',
  apiKey: 34,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'dirs',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'path', type: 'string', versions: '0+' },
            {
              name: 'topics',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
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

export interface AlterReplicaLogDirsResponse {
  throttleTimeMs: number;
  results: {
    topicName: string;
    partitions: { partitionIndex: number; errorCode: number }[];
  }[];
}

export const AlterReplicaLogDirsResponse = defineMessage<AlterReplicaLogDirsResponse>({
  name: 'AlterReplicaLogDirsResponse',
  apiKey: 34,
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
            { name: 'topicName', type: 'string', versions: '0+' },
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
