// The per-resource result list that AlterConfigs and IncrementalAlterConfigs
// responses share (identical in every version of both).

import type { Field } from '../schema.js';

export interface ConfigResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export const ConfigResourceResponses: Field = {
  name: 'responses',
  versions: '0+',
  type: {
    array: {
      struct: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
      ],
    },
  },
};
