// FindCoordinator (key 10). v1 adds the key type (0 group, 1 transaction;
// 2 share from v6) and error messages; v3 is flexible; v4 batches keys;
// v5 allows TRANSACTION_ABORTABLE.

import { defineMessage } from '../codec.js';

export interface FindCoordinatorRequest {
  /** v0-v3. */
  key: string;
  keyType: number;
  /** v4+. */
  coordinatorKeys: string[];
}

export const FindCoordinatorRequest = defineMessage<FindCoordinatorRequest>({
  name: 'FindCoordinatorRequest',
  apiKey: 10,
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: { array: 'string' }, versions: '4+' },
  ],
});

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  /** v0-v3 answer one key at the top level... */
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
  /** ...v4+ answer each key here. */
  coordinators: {
    key: string;
    nodeId: number;
    host: string;
    port: number;
    errorCode: number;
    errorMessage: string | null;
  }[];
}

export const FindCoordinatorResponse = defineMessage<FindCoordinatorResponse>({
  name: 'FindCoordinatorResponse',
  apiKey: 10,
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', default: null },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      versions: '4+',
      type: {
        array: {
          struct: [
            { name: 'key', type: 'string', versions: '4+' },
            { name: 'nodeId', type: 'int32', versions: '4+' },
            { name: 'host', type: 'string', versions: '4+' },
            { name: 'port', type: 'int32', versions: '4+' },
            { name: 'errorCode', type: 'int16', versions: '4+' },
            { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
          ],
        },
      },
    },
  ],
});
