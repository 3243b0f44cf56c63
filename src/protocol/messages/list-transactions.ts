// ListTransactions (key 66): the transactional ids a coordinator holds, by
// state and producer id. Flexible from v0; v1 adds the duration filter
// (KIP-994: only transactions open longer than it).

import { defineMessage } from '../codec.js';

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
  /** v1+; -1 = no filter. */
  durationFilter: number;
}

export const ListTransactionsRequest = defineMessage<ListTransactionsRequest>({
  name: 'ListTransactionsRequest',
  apiKey: 66,
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'stateFilters', type: { array: 'string' }, versions: '0+' },
    { name: 'producerIdFilters', type: { array: 'int64' }, versions: '0+' },
    { name: 'durationFilter', type: 'int64', versions: '1+', default: -1 },
  ],
});

export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: { transactionalId: string; producerId: number; transactionState: string }[];
}

export const ListTransactionsResponse = defineMessage<ListTransactionsResponse>({
  name: 'ListTransactionsResponse',
  apiKey: 66,
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: { array: 'string' }, versions: '0+' },
    {
      name: 'transactionStates',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'transactionalId', type: 'string', versions: '0+' },
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'transactionState', type: 'string', versions: '0+' },
          ],
        },
      },
    },
  ],
});
