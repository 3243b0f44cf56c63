// ApiVersions (key 18). v1 adds throttle time; v3 is flexible (body only:
// the response header stays v0) and carries the client software name and
// version plus feature lists; v4 may list features whose min version is 0.
// A request above our max is answered with a v0 body (error 35 and key 18
// only), see the compat notes.

import { defineMessage } from '../codec.js';

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export const ApiVersionsRequest = defineMessage<ApiVersionsRequest>({
  name: 'ApiVersionsRequest',
  apiKey: 18,
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+' },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+' },
  ],
});

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs: number;
  supportedFeatures: { name: string; minVersion: number; maxVersion: number }[];
  finalizedFeaturesEpoch: number;
  finalizedFeatures: { name: string; maxVersionLevel: number; minVersionLevel: number }[];
  zkMigrationReady: boolean;
}

export const ApiVersionsResponse = defineMessage<ApiVersionsResponse>({
  name: 'ApiVersionsResponse',
  apiKey: 18,
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'apiKeys',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'apiKey', type: 'int16', versions: '0+' },
            { name: 'minVersion', type: 'int16', versions: '0+' },
            { name: 'maxVersion', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'supportedFeatures',
      versions: '3+',
      tag: 0,
      taggedVersions: '3+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '3+' },
            { name: 'minVersion', type: 'int16', versions: '3+' },
            { name: 'maxVersion', type: 'int16', versions: '3+' },
          ],
        },
      },
    },
    { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', tag: 1, taggedVersions: '3+', default: -1 },
    {
      name: 'finalizedFeatures',
      versions: '3+',
      tag: 2,
      taggedVersions: '3+',
      type: {
        array: {
          struct: [
            { name: 'name', type: 'string', versions: '3+' },
            { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
            { name: 'minVersionLevel', type: 'int16', versions: '3+' },
          ],
        },
      },
    },
    { name: 'zkMigrationReady', type: 'bool', versions: '3+', tag: 3, taggedVersions: '3+', default: false },
  ],
});
