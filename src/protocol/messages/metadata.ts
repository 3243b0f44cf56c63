// Metadata (key 3). In v0 an empty topic list means "all topics"; from v1 a
// null list means all and an empty one none. v4 adds auto-creation control;
// v8 authorized operations; v9 is flexible; v10 topic ids; v11 drops the
// cluster operations (now in DescribeCluster); v12 allows lookups by id.

import { defineMessage } from '../codec.js';

export interface MetadataRequest {
  topics: { topicId: Buffer; name: string | null }[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export const MetadataRequest = defineMessage<MetadataRequest>({
  name: 'MetadataRequest',
  apiKey: 3,
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      nullableVersions: '1+',
      type: {
        array: {
          struct: [
            { name: 'topicId', type: 'uuid', versions: '10+' },
            { name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' },
          ],
        },
      },
    },
    { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true, ignorable: false },
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
    { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
  ],
});

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  clusterId: string | null;
  controllerId: number;
  topics: {
    errorCode: number;
    name: string | null;
    topicId: Buffer;
    isInternal: boolean;
    partitions: {
      errorCode: number;
      partitionIndex: number;
      leaderId: number;
      leaderEpoch: number;
      replicaNodes: number[];
      isrNodes: number[];
      offlineReplicas: number[];
    }[];
    topicAuthorizedOperations: number;
  }[];
  clusterAuthorizedOperations: number;
}

/** "Authorized operations not requested" marker in Metadata, DescribeCluster and DescribeGroups. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const MetadataResponse = defineMessage<MetadataResponse>({
  name: 'MetadataResponse',
  apiKey: 3,
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'brokers',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'nodeId', type: 'int32', versions: '0+' },
            { name: 'host', type: 'string', versions: '0+' },
            { name: 'port', type: 'int32', versions: '0+' },
            { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
          ],
        },
      },
    },
    { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
    { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
            { name: 'topicId', type: 'uuid', versions: '10+' },
            { name: 'isInternal', type: 'bool', versions: '1+', default: false },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'leaderId', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 },
                    { name: 'replicaNodes', type: { array: 'int32' }, versions: '0+' },
                    { name: 'isrNodes', type: { array: 'int32' }, versions: '0+' },
                    { name: 'offlineReplicas', type: { array: 'int32' }, versions: '5+' },
                  ],
                },
              },
            },
            { name: 'topicAuthorizedOperations', type: 'int32', versions: '8+', default: AUTHORIZED_OPERATIONS_OMITTED },
          ],
        },
      },
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '8-10', default: AUTHORIZED_OPERATIONS_OMITTED },
  ],
});
