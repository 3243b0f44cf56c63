// Produce (key 0). v3 adds the transactional id and requires magic-2 batches;
// v7 allows zstd; v8 adds per-record errors; v9 is flexible; v10 adds
// leader hints (tagged); v11 allows TRANSACTION_ABORTABLE.

import { defineMessage, type Records } from '../codec.js';

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: {
    name: string;
    partitionData: {
      index: number;
      /** Decoded as a slice of the request frame; encoded by reference. */
      records: Records;
    }[];
  }[];
}

export const ProduceRequest = defineMessage<ProduceRequest>({
  name: 'ProduceRequest',
  apiKey: 0,
  validVersions: '0-11',
  flexibleVersions: '9+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'acks', type: 'int16', versions: '0+' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'topicData',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitionData',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'index', type: 'int32', versions: '0+' },
                    { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
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

export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ProduceResponse {
  responses: {
    name: string;
    partitionResponses: {
      index: number;
      errorCode: number;
      baseOffset: number;
      logAppendTimeMs: number;
      logStartOffset: number;
      recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
      errorMessage: string | null;
      currentLeader: LeaderIdAndEpoch;
    }[];
  }[];
  throttleTimeMs: number;
  nodeEndpoints: NodeEndpoint[];
}

export const ProduceResponse = defineMessage<ProduceResponse>({
  name: 'ProduceResponse',
  apiKey: 0,
  validVersions: '0-11',
  flexibleVersions: '9+',
  fields: [
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitionResponses',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'index', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'baseOffset', type: 'int64', versions: '0+' },
                    { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
                    { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                    {
                      name: 'recordErrors',
                      versions: '8+',
                      type: {
                        array: {
                          struct: [
                            { name: 'batchIndex', type: 'int32', versions: '8+' },
                            {
                              name: 'batchIndexErrorMessage',
                              type: 'string',
                              versions: '8+',
                              nullableVersions: '8+',
                              default: null,
                            },
                          ],
                        },
                      },
                    },
                    { name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
                    {
                      name: 'currentLeader',
                      versions: '10+',
                      tag: 0,
                      taggedVersions: '10+',
                      type: {
                        struct: [
                          { name: 'leaderId', type: 'int32', versions: '10+', default: -1 },
                          { name: 'leaderEpoch', type: 'int32', versions: '10+', default: -1 },
                        ],
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
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'nodeEndpoints',
      versions: '10+',
      tag: 0,
      taggedVersions: '10+',
      type: {
        array: {
          struct: [
            { name: 'nodeId', type: 'int32', versions: '10+' },
            { name: 'host', type: 'string', versions: '10+' },
            { name: 'port', type: 'int32', versions: '10+' },
            { name: 'rack', type: 'string', versions: '10+', nullableVersions: '10+', default: null },
          ],
        },
      },
    },
  ],
});
