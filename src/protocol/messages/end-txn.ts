// EndTxn (key 26): commit or abort the producer's transaction. v1 is the same
// as v0; v2 allows PRODUCER_FENCED; v3 is flexible; v4 allows
// TRANSACTION_ABORTABLE.

import { defineMessage } from '../codec.js';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

export const EndTxnRequest = defineMessage<EndTxnRequest>({
  name: 'EndTxnRequest',
  apiKey: 26,
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
});

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const EndTxnResponse = defineMessage<EndTxnResponse>({
  name: 'EndTxnResponse',
  apiKey: 26,
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});
