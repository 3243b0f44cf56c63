// AddPartitionsToTxn (key 24). v1 is the same as v0; v2 allows PRODUCER_FENCED;
// v3 is flexible. v4 (from brokers only) batches several transactions, each
// optionally verify-only, with a top-level error code; v5 allows
// TRANSACTION_ABORTABLE. Clients use v0-v3.

import { defineMessage } from '../codec.js';
import type { Field } from '../schema.js';

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnRequest {
  /** v4+. */
  transactions: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    verifyOnly: boolean;
    topics: AddPartitionsToTxnTopic[];
  }[];
  /** v0-3: the single transaction. */
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: number;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: AddPartitionsToTxnTopic[];
}

const topicFields: Field[] = [
  { name: 'name', type: 'string', versions: '0+' },
  { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
];

export const AddPartitionsToTxnRequest = defineMessage<AddPartitionsToTxnRequest>({
  name: 'AddPartitionsToTxnRequest',
  apiKey: 24,
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    {
      name: 'transactions',
      versions: '4+',
      type: {
        array: {
          struct: [
            { name: 'transactionalId', type: 'string', versions: '4+' },
            { name: 'producerId', type: 'int64', versions: '4+' },
            { name: 'producerEpoch', type: 'int16', versions: '4+' },
            { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
            { name: 'topics', type: { array: { struct: topicFields } }, versions: '4+' },
          ],
        },
      },
    },
    { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    { name: 'v3AndBelowTopics', type: { array: { struct: topicFields } }, versions: '0-3' },
  ],
});

export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  /** v4+. */
  errorCode: number;
  /** v4+. */
  resultsByTransaction: { transactionalId: string; topicResults: AddPartitionsToTxnTopicResult[] }[];
  /** v0-3. */
  resultsByTopicV3AndBelow: AddPartitionsToTxnTopicResult[];
}

const topicResultFields: Field[] = [
  { name: 'name', type: 'string', versions: '0+' },
  {
    name: 'resultsByPartition',
    versions: '0+',
    type: {
      array: {
        struct: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
        ],
      },
    },
  },
];

export const AddPartitionsToTxnResponse = defineMessage<AddPartitionsToTxnResponse>({
  name: 'AddPartitionsToTxnResponse',
  apiKey: 24,
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '4+' },
    {
      name: 'resultsByTransaction',
      versions: '4+',
      type: {
        array: {
          struct: [
            { name: 'transactionalId', type: 'string', versions: '4+' },
            { name: 'topicResults', type: { array: { struct: topicResultFields } }, versions: '4+' },
          ],
        },
      },
    },
    { name: 'resultsByTopicV3AndBelow', type: { array: { struct: topicResultFields } }, versions: '0-3' },
  ],
});
