// AlterConfigs (key 33): replaces a resource's whole set of config overrides.
// v1 is v0 (responses go out before quota throttling); v2 is flexible.

import { defineMessage } from '../codec.js';
import { ConfigResourceResponses, type ConfigResourceResponse } from './config-resource-responses.js';

export interface AlterConfigsRequest {
  resources: {
    resourceType: number;
    resourceName: string;
    configs: { name: string; value: string | null }[];
  }[];
  validateOnly: boolean;
}

export const AlterConfigsRequest = defineMessage<AlterConfigsRequest>({
  name: 'AlterConfigsRequest',
  apiKey: 33,
  validVersions: '0-2',
  flexibleVersions: '2+',
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

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: ConfigResourceResponse[];
}

export const AlterConfigsResponse = defineMessage<AlterConfigsResponse>({
  name: 'AlterConfigsResponse',
  apiKey: 33,
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    ConfigResourceResponses,
  ],
});
