// ElectLeaders (key 43, KIP-183/KIP-460): the controller elects the preferred
// replica (type 0) or, with no in-sync replica left, any live one (type 1).
// v1 adds the election type and a top-level error code; v2 is flexible.

import { defineMessage } from '../codec.js';

export interface ElectLeadersRequest {
  /** 0 preferred, 1 unclean; v0 is always preferred. */
  electionType: number;
  /** null: every partition. */
  topicPartitions: { topic: string; partitions: number[] }[] | null;
  timeoutMs: number;
}

export const ElectLeadersRequest = defineMessage<ElectLeadersRequest>({
  name: 'ElectLeadersRequest',
  apiKey: 43,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'electionType', type: 'int8', versions: '1+', default: 0 },
    {
      name: 'topicPartitions',
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
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
  ],
});

export interface ElectLeadersResponse {
  throttleTimeMs: number;
  errorCode: number;
  replicaElectionResults: {
    topic: string;
    partitionResult: { partitionId: number; errorCode: number; errorMessage: string | null }[];
  }[];
}

export const ElectLeadersResponse = defineMessage<ElectLeadersResponse>({
  name: 'ElectLeadersResponse',
  apiKey: 43,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '1+', ignorable: false },
    {
      name: 'replicaElectionResults',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0+' },
            {
              name: 'partitionResult',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partitionId', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
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
