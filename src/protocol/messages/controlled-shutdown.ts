// ControlledShutdown (key 7): a stopping broker asks the controller to move the
// leadership of its partitions elsewhere. v1 is v0; v2 adds the broker epoch
// (KIP-380); v3 is flexible.

import { defineMessage } from '../codec.js';

export interface ControlledShutdownRequest {
  brokerId: number;
  /** The czxid of the broker's registration znode; -1 before v2. */
  brokerEpoch: number;
}

export const ControlledShutdownRequest = defineMessage<ControlledShutdownRequest>({
  name: 'ControlledShutdownRequest',
  apiKey: 7,
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '2+', default: -1, ignorable: true },
  ],
});

export interface ControlledShutdownResponse {
  errorCode: number;
  /** Partitions the broker still leads. */
  remainingPartitions: { topicName: string; partitionIndex: number }[];
}

export const ControlledShutdownResponse = defineMessage<ControlledShutdownResponse>({
  name: 'ControlledShutdownResponse',
  apiKey: 7,
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'remainingPartitions',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topicName', type: 'string', versions: '0+' },
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
          ],
        },
      },
    },
  ],
});
