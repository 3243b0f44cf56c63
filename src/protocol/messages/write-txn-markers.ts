// WriteTxnMarkers (key 27): a transaction coordinator asks a partition leader
// to write COMMIT/ABORT markers. v1 is flexible.

import { defineMessage } from '../codec.js';

export interface WriteTxnMarkersRequest {
  markers: {
    producerId: number;
    producerEpoch: number;
    /** true = commit, false = abort. */
    transactionResult: boolean;
    topics: { name: string; partitionIndexes: number[] }[];
    coordinatorEpoch: number;
  }[];
}

export const WriteTxnMarkersRequest = defineMessage<WriteTxnMarkersRequest>({
  name: 'WriteTxnMarkersRequest',
  apiKey: 27,
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'markers',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'producerEpoch', type: 'int16', versions: '0+' },
            { name: 'transactionResult', type: 'bool', versions: '0+' },
            {
              name: 'topics',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0+' },
                  ],
                },
              },
            },
            { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
          ],
        },
      },
    },
  ],
});

export interface WriteTxnMarkersResponse {
  markers: {
    producerId: number;
    topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
  }[];
}

export const WriteTxnMarkersResponse = defineMessage<WriteTxnMarkersResponse>({
  name: 'WriteTxnMarkersResponse',
  apiKey: 27,
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'markers',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'producerId', type: 'int64', versions: '0+' },
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
        },
      },
    },
  ],
});
