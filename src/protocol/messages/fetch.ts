// Fetch (key 1). v4 adds isolation level (magic 2 batches); v7 incremental
// fetch sessions; v9 leader epochs; v11 rack id / preferred read replica;
// v12 is flexible; v13 uses topic ids; v15 replica state; v16 leader
// endpoints; v17 replica directory id.

import { defineMessage, type Records } from '../codec.js';
import type { LeaderIdAndEpoch, NodeEndpoint } from './produce.js';

export interface FetchRequest {
  clusterId: string | null;
  replicaId: number;
  replicaState: { replicaId: number; replicaEpoch: number };
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: {
    topic: string;
    topicId: Buffer;
    partitions: {
      partition: number;
      currentLeaderEpoch: number;
      fetchOffset: number;
      lastFetchedEpoch: number;
      logStartOffset: number;
      partitionMaxBytes: number;
      replicaDirectoryId: Buffer;
    }[];
  }[];
  forgottenTopicsData: { topic: string; topicId: Buffer; partitions: number[] }[];
  rackId: string;
}

export const FetchRequest = defineMessage<FetchRequest>({
  name: 'FetchRequest',
  apiKey: 1,
  validVersions: '0-17',
  flexibleVersions: '12+',
  fields: [
    { name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', default: null, tag: 0, taggedVersions: '12+' },
    { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
    {
      name: 'replicaState',
      versions: '15+',
      tag: 1,
      taggedVersions: '15+',
      type: {
        struct: [
          { name: 'replicaId', type: 'int32', versions: '15+', default: -1 },
          { name: 'replicaEpoch', type: 'int64', versions: '15+', default: -1 },
        ],
      },
    },
    { name: 'maxWaitMs', type: 'int32', versions: '0+' },
    { name: 'minBytes', type: 'int32', versions: '0+' },
    { name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff },
    { name: 'isolationLevel', type: 'int8', versions: '4+' },
    { name: 'sessionId', type: 'int32', versions: '7+' },
    { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0-12' },
            { name: 'topicId', type: 'uuid', versions: '13+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partition', type: 'int32', versions: '0+' },
                    { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
                    { name: 'fetchOffset', type: 'int64', versions: '0+' },
                    { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1, ignorable: false },
                    { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                    { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
                    { name: 'replicaDirectoryId', type: 'uuid', versions: '17+', tag: 0, taggedVersions: '17+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    {
      name: 'forgottenTopicsData',
      versions: '7+',
      ignorable: false,
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '7-12' },
            { name: 'topicId', type: 'uuid', versions: '13+' },
            { name: 'partitions', type: { array: 'int32' }, versions: '7+' },
          ],
        },
      },
    },
    { name: 'rackId', type: 'string', versions: '11+', default: '' },
  ],
});

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: {
    topic: string;
    topicId: Buffer;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      highWatermark: number;
      lastStableOffset: number;
      logStartOffset: number;
      divergingEpoch: { epoch: number; endOffset: number };
      currentLeader: LeaderIdAndEpoch;
      snapshotId: { endOffset: number; epoch: number };
      abortedTransactions: { producerId: number; firstOffset: number }[] | null;
      preferredReadReplica: number;
      /** Decoded as a slice of the response frame; encoded by reference (e.g. segment chunks). */
      records: Records;
    }[];
  }[];
  nodeEndpoints: NodeEndpoint[];
}

export const FetchResponse = defineMessage<FetchResponse>({
  name: 'FetchResponse',
  apiKey: 1,
  validVersions: '0-17',
  flexibleVersions: '12+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '7+' },
    { name: 'sessionId', type: 'int32', versions: '7+', ignorable: false },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          struct: [
            { name: 'topic', type: 'string', versions: '0-12' },
            { name: 'topicId', type: 'uuid', versions: '13+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  struct: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'highWatermark', type: 'int64', versions: '0+' },
                    { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1 },
                    { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                    {
                      name: 'divergingEpoch',
                      versions: '12+',
                      tag: 0,
                      taggedVersions: '12+',
                      type: {
                        struct: [
                          { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                          { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
                        ],
                      },
                    },
                    {
                      name: 'currentLeader',
                      versions: '12+',
                      tag: 1,
                      taggedVersions: '12+',
                      type: {
                        struct: [
                          { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
                          { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
                        ],
                      },
                    },
                    {
                      name: 'snapshotId',
                      versions: '12+',
                      tag: 2,
                      taggedVersions: '12+',
                      type: {
                        struct: [
                          { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
                          { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
                        ],
                      },
                    },
                    {
                      name: 'abortedTransactions',
                      versions: '4+',
                      nullableVersions: '4+',
                      type: {
                        array: {
                          struct: [
                            { name: 'producerId', type: 'int64', versions: '4+' },
                            { name: 'firstOffset', type: 'int64', versions: '4+' },
                          ],
                        },
                      },
                    },
                    { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1, ignorable: false },
                    { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    {
      name: 'nodeEndpoints',
      versions: '16+',
      tag: 0,
      taggedVersions: '16+',
      type: {
        array: {
          struct: [
            { name: 'nodeId', type: 'int32', versions: '16+' },
            { name: 'host', type: 'string', versions: '16+' },
            { name: 'port', type: 'int32', versions: '16+' },
            { name: 'rack', type: 'string', versions: '16+', nullableVersions: '16+', default: null },
          ],
        },
      },
    },
  ],
});
