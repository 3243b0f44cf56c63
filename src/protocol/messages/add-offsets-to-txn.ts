// AddOffsetsToTxn (key 25): adds the group's __consumer_offsets partition to
// the transaction. v1 is the same as v0; v2 allows PRODUCER_FENCED; v3 is
// flexible; v4 allows TRANSACTION_ABORTABLE.

import { defineMessage } from '../codec.js';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export const AddOffsetsToTxnRequest = defineMessage<AddOffsetsToTxnRequest>({
  name: 'AddOffsetsToTxnRequest',
  apiKey: 25,
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
});

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const AddOffsetsToTxnResponse = defineMessage<AddOffsetsToTxnResponse>({
  name: 'AddOffsetsToTxnResponse',
  apiKey: 25,
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});
