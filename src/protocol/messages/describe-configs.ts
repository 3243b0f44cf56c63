// DescribeConfigs (key 32). v1 adds include_synonyms to the request and, per
// config, its source (config_source, which replaces v0's is_default) and its
// synonyms; v2 is v1 (responses go out before quota throttling); v3 adds
// include_documentation and, per config, config_type and documentation; v4 is
// flexible.

import { defineMessage } from '../codec.js';

export interface DescribeConfigsRequest {
  resources: {
    /** A ConfigResource type: 2 topic, 4 broker, 8 broker logger, ... */
    resourceType: number;
    resourceName: string;
    /** null: every configuration key. */
    configurationKeys: string[] | null;
  }[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export const DescribeConfigsRequest = defineMessage<DescribeConfigsRequest>({
  name: 'DescribeConfigsRequest',
  apiKey: 32,
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            { name: 'configurationKeys', type: { array: 'string' }, versions: '0+', nullableVersions: '0+' },
          ],
        },
      },
    },
    { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false, ignorable: false },
    { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false, ignorable: false },
  ],
});

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: {
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
    configs: {
      name: string;
      value: string | null;
      readOnly: boolean;
      /** v0 only: true if the configuration is not set (later versions say so through configSource). */
      isDefault: boolean;
      /** v1+: a DescribeConfigsResponse.ConfigSource (1 dynamic topic, 4 static broker, 5 default, ...); -1 unknown. */
      configSource: number;
      isSensitive: boolean;
      /** v1+: the values this config takes from each source, highest precedence first. */
      synonyms: { name: string; value: string | null; source: number }[];
      /** v3+: a ConfigDef.Type ordinal (0 unknown, 1 boolean, 2 string, ...). */
      configType: number;
      documentation: string | null;
    }[];
  }[];
}

export const DescribeConfigsResponse = defineMessage<DescribeConfigsResponse>({
  name: 'DescribeConfigsResponse',
  apiKey: 32,
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
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
                    { name: 'readOnly', type: 'bool', versions: '0+' },
                    { name: 'isDefault', type: 'bool', versions: '0' },
                    { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
                    { name: 'isSensitive', type: 'bool', versions: '0+' },
                    {
                      name: 'synonyms',
                      versions: '1+',
                      type: {
                        array: {
                          struct: [
                            { name: 'name', type: 'string', versions: '1+' },
                            { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
                            { name: 'source', type: 'int8', versions: '1+' },
                          ],
                        },
                      },
                    },
                    { name: 'configType', type: 'int8', versions: '3+', default: 0 },
                    { name: 'documentation', type: 'string', versions: '3+', nullableVersions: '0+', default: null },
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
