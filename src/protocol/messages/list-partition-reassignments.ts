// ListPartitionReassignments (key 46, KIP-455): the controller lists the
// reassignments in progress (all, or those of the partitions named). Only v0,
// flexible.

import { defineMessage } from '../codec.js';

export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  /** null: every reassignment in progress. */
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

export const ListPartitionReassignmentsRequest = defineMessage<ListPartitionReassignmentsRequest>({
  name: 'ListPartitionReassignmentsRequest',
  apiKey: 46,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'topics',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
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

export interface OngoingPartitionReassignment {
  partitionIndex: number;
  /** The full replica set: target and original replicas. */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: { name: string; partitions: OngoingPartitionReassignment[] }[];
}

export const ListPartitionReassignmentsResponse = defineMessage<ListPartitionReassignmentsResponse>({
  name: 'ListPartitionReassignmentsResponse',
  apiKey: 46,
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
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
                    { name: 'replicas', type: { array: 'int32' }, versions: '0+' },
                    { name: 'addingReplicas', type: { array: 'int32' }, versions: '0+' },
                    { name: 'removingReplicas', type: { array: 'int32' }, versions: '0+' },
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
