// DescribeProducers (key 61): the active idempotent and transactional
// producers of partitions this broker leads. Flexible from v0.

import { defineMessage } from '../codec.js';

export interface DescribeProducersRequest {
  topics: { name: string; partitionIndexes: number[] }[];
}

export const DescribeProducersRequest = defineMessage<DescribeProducersRequest>({
  name: 'DescribeProducersRequest',
  apiKey: 61,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
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
  ],
});

export interface ProducerStateResponse {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  currentTxnStartOffset: number;
}

export interface DescribeProducersResponse {
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; errorCode: number; errorMessage: string | null; activeProducers: ProducerStateResponse[] }[];
  }[];
}

export const DescribeProducersResponse = defineMessage<DescribeProducersResponse>({
  name: 'DescribeProducersResponse',
  apiKey: 61,
  validVersions: '0',
  flexibleVersions: '0+',
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
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
                    {
                      name: 'activeProducers',
                      versions: '0+',
                      type: {
                        array: {
                          struct: [
                            { name: 'producerId', type: 'int64', versions: '0+' },
                            { name: 'producerEpoch', type: 'int32', versions: '0+' },
                            { name: 'lastSequence', type: 'int32', versions: '0+', default: -1 },
                            { name: 'lastTimestamp', type: 'int64', versions: '0+', default: -1 },
                            { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
                            { name: 'currentTxnStartOffset', type: 'int64', versions: '0+', default: -1 },
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
