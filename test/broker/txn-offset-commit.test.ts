// TxnOffsetCommit on the wire: the requests real clients sent to Kafka 2.4.1
// (the Java client's v2, confluent-kafka's v2, KafkaJS's v1, from the wire
// corpus) get Kafka's answers field by field; every version's membership
// fields; OffsetFetch v7+ require_stable answers UNSTABLE_OFFSET_COMMIT until
// the transaction's marker.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Broker, BrokerConfig } from '../../src/index.js';
import { quietLogger } from '../../src/broker/logger.js';
import { OFFSETS_TOPIC } from '../../src/coordinator/group/index.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeResponseHeader } from '../../src/protocol/header.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/offset-fetch.js';
import { TxnOffsetCommitResponse } from '../../src/protocol/messages/txn-offset-commit.js';
import { Reader } from '../../src/protocol/primitives.js';
import { RawClient } from '../helpers/raw-client.js';

const CORPUS = new URL('../../../../shared/reference/wire-corpus/', import.meta.url);

interface Exchange { client: string; api_key: number; api_version: number; request_hex: string; response_hex: string }

const exchanges = ['java-kafka-clients', 'confluent-kafka-python', 'kafkajs'].flatMap((family) =>
  readFileSync(new URL(`${family}.jsonl`, CORPUS), 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Exchange)
    .filter((e) => e.api_key === ApiKey.TxnOffsetCommit));

let dataDir: string;
let broker: Broker;
let c: RawClient;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-txn-offsets-'));
  // Kafka 2.4.1 gave these answers without transaction verification, and the exchanges come without
  // their transactions' earlier requests: verification off (its own test: txn-verification).
  const config = BrokerConfig.parse({
    listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, 'offsets.topic.num.partitions': 4,
    'transaction.partition.verification.enable': false,
  });
  broker = await Broker.start(config, quietLogger());
  // The corpus clients' topics.
  for (const name of ['corpus-java', 'corpus-ck', 'corpus-kjs']) await broker.topics.create({ name, numPartitions: 1, replicationFactor: -1 });
  c = await RawClient.connect(broker.boundListeners[0].port);
  // As clients do first: finding a group coordinator creates __consumer_offsets.
  const found = await c.request<{ errorCode: number }>(ApiKey.FindCoordinator, 0, { key: 'corpus-java-group' });
  assert.equal(found?.errorCode, ErrorCode.NONE);
});
after(async () => {
  c.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function sendFrame(hex: string): Promise<Buffer> {
  const payload = Buffer.from(hex, 'hex');
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  c.send(frame);
  const response = await c.nextFrame();
  assert.ok(response, 'the broker closed the connection');
  return response;
}

function decodeResponse(frame: Buffer, version: number): { correlationId: number; body: TxnOffsetCommitResponse } {
  const r = new Reader(frame);
  const { correlationId } = decodeResponseHeader(r, ApiKey.TxnOffsetCommit, version);
  return { correlationId, body: TxnOffsetCommitResponse.decode(r, version) };
}

/** Marker in the group's offsets partition, then the coordinator told (what the transaction coordinator's marker writer does). */
function endTransaction(groupId: string, producerId: number, producerEpoch: number, commit: boolean): void {
  const partition = broker.groups.partitionFor(groupId);
  const log = broker.logs.getLog(OFFSETS_TOPIC, partition)!;
  log.appendTxnMarker({ producerId, producerEpoch, coordinatorEpoch: 0, commit, leaderEpoch: 0, now: Date.now() });
  log.highWatermark = log.logEndOffset;
  broker.groups.completeTransactionalOffsets(partition, producerId, commit);
}

async function offsetFetch(version: number, groupId: string, topic: string, requireStable: boolean): Promise<[number, number]> {
  const body = version >= 8
    ? { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0] }] }], requireStable }
    : { groupId, topics: [{ name: topic, partitionIndexes: [0] }], requireStable };
  const r = await c.request<OffsetFetchResponse>(ApiKey.OffsetFetch, version, body);
  assert.ok(r);
  const [p] = (version >= 8 ? r.groups[0].topics : r.topics)[0].partitions;
  return [p.committedOffset, p.errorCode];
}

test('the corpus has the three clients\' TxnOffsetCommit exchanges', () => {
  assert.deepEqual(exchanges.map((e) => [e.client, e.api_version]), [['java-kafka-clients', 2], ['confluent-kafka-python', 2], ['kafkajs', 1]]);
});

for (const e of exchanges) {
  test(`${e.client} TxnOffsetCommit v${e.api_version}: Kafka's answer, field by field`, async () => {
    const ours = decodeResponse(await sendFrame(e.request_hex), e.api_version);
    const kafka = decodeResponse(Buffer.from(e.response_hex, 'hex'), e.api_version);
    assert.deepEqual(ours, kafka);
  });
}

test('the Java client\'s offsets are pending until the marker: OffsetFetch v7 and v8 require_stable, then committed', async () => {
  // From the Java exchange: group corpus-java-group, producer 14 epoch 0, corpus-java-0 at offset 5.
  const group = 'corpus-java-group';
  for (const v of [7, 8]) assert.deepEqual(await offsetFetch(v, group, 'corpus-java', true), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
  for (const v of [6, 7, 8]) assert.deepEqual(await offsetFetch(v, group, 'corpus-java', false), [-1, 0]);
  endTransaction(group, 14, 0, true);
  for (const v of [6, 7, 8]) assert.deepEqual(await offsetFetch(v, group, 'corpus-java', v >= 7), [5, 0]);
});

test('every version: membership fields from v3, fenced members refused, aborted offsets never visible', async () => {
  const group = 'versions-group';
  for (let v = 0; v <= 4; v++) {
    const producerId = 100 + v;
    const r = await c.request<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, v, {
      transactionalId: `txn-${v}`, groupId: group, producerId, producerEpoch: 0,
      generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'corpus-java', partitions: [{ partitionIndex: 0, committedOffset: 10 + v, committedLeaderEpoch: 1, committedMetadata: 'm' }, { partitionIndex: 7, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    assert.deepEqual(r?.topics, [{ name: 'corpus-java', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] }]);
    endTransaction(group, producerId, 0, v % 2 === 0);
    // Committed for even versions, aborted for odd ones.
    assert.deepEqual(await offsetFetch(7, group, 'corpus-java', true), [10 + (v % 2 === 0 ? v : v - 1), 0]);
  }
  // v3+: a member id the group does not know.
  const r = await c.request<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, 3, {
    transactionalId: 'txn-stranger', groupId: group, producerId: 200, producerEpoch: 0,
    generationId: 1, memberId: 'stranger', groupInstanceId: null,
    topics: [{ name: 'corpus-java', partitions: [{ partitionIndex: 0, committedOffset: 99, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  assert.equal(r?.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.deepEqual(await offsetFetch(7, group, 'corpus-java', true), [14, 0]);
});
