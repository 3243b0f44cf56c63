// DescribeLogDirs (key 35). v1 is the same as v0; v2 is flexible; v3 adds a
// top-level error code to the response; v4 adds each volume's total and
// usable bytes.

import { defineMessage } from '../codec.js';

export interface DescribeLogDirsRequest {
  /** null: every partition this broker hosts. */
  topics: { topic: string; partitions: number[] }[] | null;
}

export const DescribeLogDirsRequest = defineMessage<DescribeLogDirsRequest>({
  name: 'DescribeLogDirsRequest',
  apiKey: 35,
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      nullableVersions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0+' },
            { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
          ],
        },
      },
    },
  ],
});

export interface DescribeLogDirsPartition {
  partitionIndex: number;
  /** Bytes of all the log's segments. */
  partitionSize: number;
  /** Current log: high watermark minus log end offset (never below 0); future log: how far it trails the current one. */
  offsetLag: number;
  /** A copy made by AlterReplicaLogDirs that will replace the current log. */
  isFutureKey: boolean;
}

export interface DescribeLogDirsResult {
  errorCode: number;
  /** Absolute path of the log dir. */
  logDir: string;
  topics: { name: string; partitions: DescribeLogDirsPartition[] }[];
  /** Size of the volume holding the log dir (v4; -1 unknown). */
  totalBytes: number;
  usableBytes: number;
}

export interface DescribeLogDirsResponse {
  throttleTimeMs: number;
  errorCode: number;
  results: DescribeLogDirsResult[];
}

export const DescribeLogDirsResponse = defineMessage<DescribeLogDirsResponse>({
  name: 'DescribeLogDirsResponse',
  apiKey: 35,
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '3+', default: 0 },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'logDir', type: 'string', versions: '0+' },
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
                            { name: 'partitionSize', type: 'int64', versions: '0+' },
                            { name: 'offsetLag', type: 'int64', versions: '0+' },
                            { name: 'isFutureKey', type: 'bool', versions: '0+' },
                          ],
                        },
                      },
                    },
                  ],
                },
              },
            },
            { name: 'totalBytes', type: 'int64', versions: '4+', default: -1 },
            { name: 'usableBytes', type: 'int64', versions: '4+', default: -1 },
          ],
        },
      },
    },
  ],
});
