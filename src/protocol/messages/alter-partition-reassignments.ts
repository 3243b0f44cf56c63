// AlterPartitionReassignments (key 45, KIP-455): the controller moves partitions
// to new replica lists (null replicas: cancel the partition's reassignment).
// Only v0, flexible.

import { defineMessage } from '../codec.js';

export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: {
    name: string;
    /** replicas null: cancel a pending reassignment. */
    partitions: { partitionIndex: number; replicas: number[] | null }[];
  }[];
}

export const AlterPartitionReassignmentsRequest = defineMessage<AlterPartitionReassignmentsRequest>({
  name: 'AlterPartitionReassignmentsRequest',
  apiKey: 45,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
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
                    { name: 'replicas', type: { array: 'int32' }, versions: '0+', nullableVersions: '0+', default: null },
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

export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: {
    name: string;
    partitions: { partitionIndex: number; errorCode: number; errorMessage: string | null }[];
  }[];
}

export const AlterPartitionReassignmentsResponse = defineMessage<AlterPartitionReassignmentsResponse>({
  name: 'AlterPartitionReassignmentsResponse',
  apiKey: 45,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'responses',
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
