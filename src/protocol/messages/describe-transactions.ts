// DescribeTransactions (key 65): the coordinator's view of transactional ids.
// Flexible from v0.

import { defineMessage } from '../codec.js';

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export const DescribeTransactionsRequest = defineMessage<DescribeTransactionsRequest>({
  name: 'DescribeTransactionsRequest',
  apiKey: 65,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'transactionalIds', type: { array: 'string' }, versions: '0+' }],
});

export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: {
    errorCode: number;
    transactionalId: string;
    transactionState: string;
    transactionTimeoutMs: number;
    transactionStartTimeMs: number;
    producerId: number;
    producerEpoch: number;
    topics: { topic: string; partitions: number[] }[];
  }[];
}

export const DescribeTransactionsResponse = defineMessage<DescribeTransactionsResponse>({
  name: 'DescribeTransactionsResponse',
  apiKey: 65,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'transactionStates',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'transactionalId', type: 'string', versions: '0+' },
            { name: 'transactionState', type: 'string', versions: '0+' },
            { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
            { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'producerEpoch', type: 'int16', versions: '0+' },
            {
              name: 'topics',
              versions: '0+',
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
        },
      },
    },
  ],
});
