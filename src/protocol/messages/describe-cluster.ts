// DescribeCluster (key 60), flexible from v0. v1 adds the endpoint type
// (1 = brokers, 2 = controllers).

import { defineMessage } from '../codec.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from './metadata.js';

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
}

export const DescribeClusterRequest = defineMessage<DescribeClusterRequest>({
  name: 'DescribeClusterRequest',
  apiKey: 60,
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
  ],
});

export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: { brokerId: number; host: string; port: number; rack: string | null }[];
  clusterAuthorizedOperations: number;
}

export const DescribeClusterResponse = defineMessage<DescribeClusterResponse>({
  name: 'DescribeClusterResponse',
  apiKey: 60,
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'brokers',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'brokerId', type: 'int32', versions: '0+' },
            { name: 'host', type: 'string', versions: '0+' },
            { name: 'port', type: 'int32', versions: '0+' },
            { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          ],
        },
      },
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: AUTHORIZED_OPERATIONS_OMITTED },
  ],
});
