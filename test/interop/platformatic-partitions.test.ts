// @platformatic/kafka grows a topic with CreatePartitions v3 (flexible), and
// asks OffsetForLeaderEpoch (v4 flexible, v2 classic) for where epoch 0 ends:
// consumers send this to detect log truncation after a leader change (KIP-320).
import '../helpers/platformatic.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Admin, Connection, Producer, offsetForLeaderEpochV2, offsetForLeaderEpochV4, stringSerializers, type ResponseError,
} from '@platformatic/kafka';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ErrorCode } from '../../src/protocol/errors.js';

let broker: EmbeddedBroker;
let admin: Admin;
let connection: Connection;
before(async () => {
  broker = await startBroker();
  admin = new Admin({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap] });
  connection = new Connection('samsa-test');
  await connection.connect('127.0.0.1', broker.port);
});
after(async () => {
  await connection.close();
  await admin.close();
  await broker.stop();
});

const CONSUMER = -1;

/** The broker's errors inside the client's nested error: [error name, the broker's message]. */
function protocolErrors(e: Error): [string, string | null][] {
  const found = e as Error & { errors?: Error[]; apiId?: string; serverErrorMessage?: string | null };
  if (found.apiId) return [[found.apiId, found.serverErrorMessage ?? null]];
  return (found.errors ?? []).flatMap(protocolErrors);
}

function epochZero(topic: string, partitions: number[], currentLeaderEpoch = 0) {
  return [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch, leaderEpoch: 0 })) }];
}

test('createPartitions grows a topic; the producer writes to the new partition', async () => {
  await admin.createTopics({ topics: ['pl-grow'], partitions: 1, replicas: 1 });
  await admin.createPartitions({ topics: [{ name: 'pl-grow', count: 3 }], validateOnly: true });
  assert.equal((await admin.metadata({ topics: ['pl-grow'], forceUpdate: true })).topics.get('pl-grow')?.partitionsCount, 1);
  await admin.createPartitions({ topics: [{ name: 'pl-grow', count: 3 }] });
  assert.equal((await admin.metadata({ topics: ['pl-grow'], forceUpdate: true })).topics.get('pl-grow')?.partitionsCount, 3);
  await assert.rejects(admin.createPartitions({ topics: [{ name: 'pl-grow', count: 2 }] }), (e: Error) => {
    assert.deepEqual(protocolErrors(e), [['INVALID_PARTITIONS', 'Topic currently has 3 partitions, which is higher than the requested 2.']]);
    return true;
  });

  const producer = new Producer({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  const sent = await producer.send({ messages: ['a', 'b', 'c'].map((value) => ({ topic: 'pl-grow', partition: 2, value })) });
  await producer.close();
  assert.deepEqual(sent.offsets?.map((o) => [o.partition, Number(o.offset)]), [[2, 0]]);
});

test('OffsetForLeaderEpoch: epoch 0 ends at the log end (v4 and v2)', async () => {
  const v4 = await offsetForLeaderEpochV4.api.async(connection, CONSUMER, epochZero('pl-grow', [0, 2]));
  assert.deepEqual(v4.topics[0].partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, Number(p.endOffset)]), [
    [0, ErrorCode.NONE, 0, 0],
    [2, ErrorCode.NONE, 0, 3],
  ]);
  const v2 = await offsetForLeaderEpochV2.api.async(connection, CONSUMER, epochZero('pl-grow', [2]));
  assert.deepEqual(v2.topics[0].partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, Number(p.endOffset)]), [[2, ErrorCode.NONE, 0, 3]]);
});

test('OffsetForLeaderEpoch: a consumer ahead of the broker\'s leader epoch gets UNKNOWN_LEADER_EPOCH', async () => {
  await assert.rejects(offsetForLeaderEpochV4.api.async(connection, CONSUMER, epochZero('pl-grow', [2], 1)), (e: ResponseError) => {
    const response = e.response as Awaited<ReturnType<typeof offsetForLeaderEpochV4.api.async>>;
    assert.equal(response.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    return true;
  });
});
