// DeleteRecords (key 21): moves partitions' log start offsets up. v1 is v0 with
// throttling after the response; v2 is flexible.

import { defineMessage } from '../codec.js';

export interface DeleteRecordsRequest {
  /** `offset`: records below it are deleted; -1 stands for the high watermark. */
  topics: { name: string; partitions: { partitionIndex: number; offset: number }[] }[];
  timeoutMs: number;
}

export const DeleteRecordsRequest = defineMessage<DeleteRecordsRequest>({
  name: 'DeleteRecordsRequest',
  apiKey: 21,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
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
                    { name: 'offset', type: 'int64', versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
});

export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  /** `lowWatermark`: the partition's log start offset after the deletion; -1 with an error. */
  topics: { name: string; partitions: { partitionIndex: number; lowWatermark: number; errorCode: number }[] }[];
}

export const DeleteRecordsResponse = defineMessage<DeleteRecordsResponse>({
  name: 'DeleteRecordsResponse',
  apiKey: 21,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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
                    { name: 'lowWatermark', type: 'int64', versions: '0+' },
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
