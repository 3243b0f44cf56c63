// IncrementalAlterConfigs (key 44): sets, deletes, appends to or subtracts
// from individual config overrides. v1 is flexible.

import { defineMessage } from '../codec.js';
import { ConfigResourceResponses, type ConfigResourceResponse } from './config-resource-responses.js';

export interface IncrementalAlterConfigsRequest {
  resources: {
    resourceType: number;
    resourceName: string;
    configs: {
      name: string;
      /** 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT (AlterConfigOp.OpType). */
      configOperation: number;
      value: string | null;
    }[];
  }[];
  validateOnly: boolean;
}

export const IncrementalAlterConfigsRequest = defineMessage<IncrementalAlterConfigsRequest>({
  name: 'IncrementalAlterConfigsRequest',
  apiKey: 44,
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            {
              name: 'configs',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'configOperation', type: 'int8', versions: '0+' },
                    { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: ConfigResourceResponse[];
}

export const IncrementalAlterConfigsResponse = defineMessage<IncrementalAlterConfigsResponse>({
  name: 'IncrementalAlterConfigsResponse',
  apiKey: 44,
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    ConfigResourceResponses,
  ],
});
