// Bad input closes or errors only the offending connection; the broker keeps
// serving everyone else and nothing stored is lost.
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { buildBatch } from '../../src/protocol/records/record.js';
import { BATCH } from '../../src/protocol/records/batch.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: EmbeddedBroker;
before(async () => { broker = await startBroker({ topics: [{ name: 'safe', partitions: 1 }] }); });
after(async () => { await broker.stop(); });

const batchOf = (...values: string[]): Buffer =>
  buildBatch({ records: values.map((v, i) => ({ offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(v), headers: [] })), baseTimestamp: Date.now() });

const produce = (c: RawClient, records: Buffer): Promise<ProduceResponse | null> =>
  c.request<ProduceResponse>(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'safe', partitionData: [{ index: 0, records }] }] });

async function fetchValues(c: RawClient): Promise<number> {
  const r = await c.request<FetchResponse>(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'safe', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  assert.ok(r);
  return r.responses[0].partitions[0].highWatermark;
}

async function brokerStillServes(): Promise<void> {
  const c = await RawClient.connect(broker.port);
  const r = await c.request<ApiVersionsResponse>(ApiKey.ApiVersions, 2, {});
  assert.equal(r?.errorCode, ErrorCode.NONE);
  c.close();
}

test('stored data survives every kind of bad input', async () => {
  const good = await RawClient.connect(broker.port);
  const r = await produce(good, batchOf('a', 'b', 'c'));
  assert.equal(r?.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);

  // Garbage bytes: a frame whose header is nonsense.
  const garbage = await RawClient.connect(broker.port);
  garbage.send(Buffer.from([0, 0, 0, 6, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa]));
  assert.equal(await garbage.nextFrame(), null);

  // A 2 GB frame length: closed without allocating it.
  const huge = await RawClient.connect(broker.port);
  huge.send(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 18]));
  assert.equal(await huge.nextFrame(), null);

  // A negative frame length.
  const negative = await RawClient.connect(broker.port);
  negative.send(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
  assert.equal(await negative.nextFrame(), null);

  // A truncated frame (the body is shorter than its own fields need).
  const truncated = await RawClient.connect(broker.port);
  truncated.send(Buffer.from([0, 0, 0, 5, 0, 3, 0, 1, 0]));
  assert.equal(await truncated.nextFrame(), null);

  // An unknown API key.
  const unknown = await RawClient.connect(broker.port);
  unknown.send(Buffer.from([0, 0, 0, 10, 0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
  assert.equal(await unknown.nextFrame(), null);

  // A batch with a wrong CRC gets CORRUPT_MESSAGE and the connection stays usable.
  const corrupt = batchOf('evil');
  corrupt[BATCH.records + 2] ^= 0xff;
  const bad = await produce(good, corrupt);
  assert.equal(bad?.responses[0].partitionResponses[0].errorCode, ErrorCode.CORRUPT_MESSAGE);
  const after = await produce(good, batchOf('d'));
  assert.equal(after?.responses[0].partitionResponses[0].baseOffset, 3);

  // Unsupported version of a known API: connection closed.
  const oldFetch = await RawClient.connect(broker.port);
  oldFetch.send(Buffer.from([0, 0, 0, 10, 0, 1, 0, 99, 0, 0, 0, 1, 0xff, 0xff]));
  assert.equal(await oldFetch.nextFrame(), null);

  await brokerStillServes();
  assert.equal(await fetchValues(good), 4);
  good.close();
});

test('an ApiVersions version above ours gets a v0-shaped UNSUPPORTED_VERSION answer', async () => {
  const c = await RawClient.connect(broker.port);
  // ApiVersions v99, header v2 (flexible): key 18, version 99, correlation 7, client id null, no tags.
  c.send(Buffer.from([0, 0, 0, 11, 0, 18, 0, 99, 0, 0, 0, 7, 0xff, 0xff, 0]));
  const frame = await c.nextFrame();
  assert.ok(frame);
  assert.equal(frame.readInt32BE(0), 7);
  assert.equal(frame.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
  assert.equal(frame.readInt32BE(6), 1);
  assert.equal(frame.readInt16BE(10), ApiKey.ApiVersions);
  c.close();
});

test('a segment file gone from under the broker: KAFKA_STORAGE_ERROR for its partition, the other partition read, the connection open', async () => {
  // Few open files, so the oldest segment's .log is closed and must be opened again to be read.
  const frail = await startBroker({ config: { 'samsa.log.open.files.max': 10 }, topics: [{ name: 'frail', partitions: 2, config: { 'segment.bytes': 1024 } }] });
  const c = await RawClient.connect(frail.port);
  try {
    const topicData = (partition: number) => [{ name: 'frail', partitionData: [{ index: partition, records: batchOf('x'.repeat(400), 'y'.repeat(400)) }] }];
    for (let i = 0; i < 20; i++) {
      for (const partition of [0, 1]) {
        const r = await c.request<ProduceResponse>(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: topicData(partition) });
        assert.equal(r?.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
      }
    }
    unlinkSync(join(frail.dataDir, 'frail-0', '00000000000000000000.log'));
    const r = await c.request<FetchResponse>(ApiKey.Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'frail', partitions: [0, 1].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 4096 })) }],
      forgottenTopicsData: [], rackId: '',
    });
    const [lost, kept] = r!.responses[0].partitions;
    assert.deepEqual([lost.errorCode, (lost.records as Buffer | null)?.length ?? 0], [ErrorCode.KAFKA_STORAGE_ERROR, 0]);
    assert.equal(kept.errorCode, ErrorCode.NONE);
    assert.ok(((kept.records as Buffer | null)?.length ?? 0) > 0, 'partition 1 read');
    const versions = await c.request<ApiVersionsResponse>(ApiKey.ApiVersions, 2, {});
    assert.equal(versions?.errorCode, ErrorCode.NONE, 'the same connection still answered');
  } finally {
    c.close();
    await frail.stop();
  }
});
