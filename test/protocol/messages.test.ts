// Every version of every request and response: encode a value with every
// field set (then one with every nullable field null), decode it back to the
// same value, re-encode it to the same bytes; every truncation of the bytes
// must be rejected with a ProtocolError.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Encodable, MessageCodec } from '../../src/protocol/codec.js';
import { apiMessages } from '../../src/protocol/messages/index.js';
import { ProduceResponse } from '../../src/protocol/messages/produce.js';
import { ProtocolError, Reader, Writer } from '../../src/protocol/primitives.js';
import { sampleMessage, type Flavor } from './sample-values.js';

/** Apache Kafka 3.9's accepted versions, which Samsa advertises. */
const expectedRanges: Record<string, [number, number]> = {
  Produce: [0, 11],
  Fetch: [0, 17],
  ListOffsets: [0, 9],
  Metadata: [0, 12],
  OffsetCommit: [0, 9],
  OffsetFetch: [0, 9],
  FindCoordinator: [0, 6],
  JoinGroup: [0, 9],
  Heartbeat: [0, 4],
  LeaveGroup: [0, 5],
  SyncGroup: [0, 5],
  DescribeGroups: [0, 5],
  ListGroups: [0, 5],
  ApiVersions: [0, 4],
  CreateTopics: [0, 7],
  DeleteTopics: [0, 6],
  DeleteRecords: [0, 2],
  InitProducerId: [0, 5],
  AddPartitionsToTxn: [0, 5],
  AddOffsetsToTxn: [0, 4],
  EndTxn: [0, 4],
  WriteTxnMarkers: [0, 1],
  DescribeProducers: [0, 0],
  DescribeTransactions: [0, 0],
  ListTransactions: [0, 1],
  TxnOffsetCommit: [0, 4],
  OffsetForLeaderEpoch: [0, 4],
  DescribeConfigs: [0, 4],
  AlterConfigs: [0, 2],
  AlterReplicaLogDirs: [0, 2],
  DescribeLogDirs: [0, 4],
  CreatePartitions: [0, 3],
  DeleteGroups: [0, 2],
  IncrementalAlterConfigs: [0, 1],
  OffsetDelete: [0, 0],
  ControlledShutdown: [0, 3],
  ElectLeaders: [0, 2],
  AlterPartitionReassignments: [0, 0],
  ListPartitionReassignments: [0, 0],
  DescribeCluster: [0, 1],
};

test('registry: the APIs and version ranges of Kafka 3.9', () => {
  const actual = Object.fromEntries([...apiMessages.values()].map((api) => [api.name, [api.minVersion, api.maxVersion]]));
  assert.deepEqual(actual, expectedRanges);
});

for (const api of apiMessages.values()) {
  for (const [direction, codec] of [
    ['request', api.request],
    ['response', api.response],
  ] as const) {
    test(`${api.name} ${direction}: round trip of every version`, () => {
      for (let version = codec.minVersion; version <= codec.maxVersion; version++) {
        for (const flavor of ['filled', 'nulls'] as const) roundTrip(codec, version, flavor);
      }
    });

    test(`${api.name} ${direction}: every truncation throws ProtocolError`, () => {
      for (let version = codec.minVersion; version <= codec.maxVersion; version++) {
        const bytes = encode(codec, version, sampleMessage(codec.schema, version, 'filled'));
        for (let length = 0; length < bytes.length; length++) {
          assert.throws(() => codec.decode(new Reader(bytes.subarray(0, length)), version), ProtocolError, `v${version}, ${length} of ${bytes.length} bytes`);
        }
      }
    });
  }
}

test('a response may leave out fields: their defaults are written', () => {
  const partial = { responses: [{ name: 't', partitionResponses: [{ index: 2, baseOffset: 5 }] }] };
  const full = {
    responses: [
      {
        name: 't',
        partitionResponses: [
          {
            index: 2,
            errorCode: 0,
            baseOffset: 5,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: null,
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
          },
        ],
      },
    ],
    throttleTimeMs: 0,
    nodeEndpoints: [],
  };
  for (const version of [0, 8, 11]) {
    assert.deepEqual(encode(ProduceResponse, version, partial), encode(ProduceResponse, version, full));
  }
});

function roundTrip(codec: MessageCodec<unknown>, version: number, flavor: Flavor): void {
  const label = `${codec.schema.name} v${version} (${flavor})`;
  const value = sampleMessage(codec.schema, version, flavor);
  const bytes = encode(codec, version, value);
  const r = new Reader(bytes);
  const decoded = codec.decode(r, version);
  assert.equal(r.remaining, 0, `${label}: trailing bytes`);
  assert.deepEqual(decoded, value, label);
  assert.deepEqual(encode(codec, version, decoded), bytes, `${label}: re-encoding differs`);
}

function encode<T>(codec: MessageCodec<T>, version: number, value: Encodable<T>): Buffer {
  const w = new Writer();
  codec.encode(w, version, value);
  return w.toBuffer();
}
