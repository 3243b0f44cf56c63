// Incremental fetch sessions (KIP-227) at the protocol level: open, answer
// only partitions with news, forget, wrong epoch, unknown id, close.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import { buildBatch } from '../../src/protocol/records/record.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: EmbeddedBroker;
let c: RawClient;
before(async () => {
  broker = await startBroker({ topics: [{ name: 's', partitions: 2 }] });
  c = await RawClient.connect(broker.port);
});
after(async () => {
  c.close();
  await broker.stop();
});

const part = (partition: number, fetchOffset: number) => ({ partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 });

function fetch(sessionId: number, sessionEpoch: number, partitions: ReturnType<typeof part>[], forget: number[] = []): Promise<FetchResponse | null> {
  const req: Partial<FetchRequest> = {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch,
    topics: partitions.length ? [{ topic: 's', topicId: Buffer.alloc(16), partitions: partitions as FetchRequest['topics'][number]['partitions'] }] : [],
    forgottenTopicsData: forget.length ? [{ topic: 's', topicId: Buffer.alloc(16), partitions: forget }] : [],
    rackId: '',
  };
  return c.request<FetchResponse>(ApiKey.Fetch, 11, req);
}

async function produce(partition: number, value: string): Promise<void> {
  const records = buildBatch({ records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(value), headers: [] }], baseTimestamp: Date.now() });
  const r = await c.request<ProduceResponse>(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 's', partitionData: [{ index: partition, records }] }] });
  assert.equal(r?.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
}

const partitionsIn = (r: FetchResponse | null): number[] => (r?.responses ?? []).flatMap((t) => t.partitions.map((p) => p.partitionIndex));

test('a session answers only partitions with news', async () => {
  await produce(0, 'a');
  const opened = await fetch(0, 0, [part(0, 0), part(1, 0)]);
  assert.equal(opened?.errorCode, ErrorCode.NONE);
  const id = opened!.sessionId;
  assert.notEqual(id, 0);
  assert.deepEqual(partitionsIn(opened), [0, 1]);

  // Epoch 1: partition 0 moved past its record; nothing new anywhere → empty answer.
  const quiet = await fetch(id, 1, [part(0, 1)]);
  assert.equal(quiet?.sessionId, id);
  assert.deepEqual(partitionsIn(quiet), []);

  // New data on partition 1, which the client did not name again: it is in the answer.
  await produce(1, 'b');
  const news = await fetch(id, 2, []);
  assert.deepEqual(partitionsIn(news), [1]);
  assert.equal(news?.responses[0].partitions[0].highWatermark, 1);

  // Forget partition 1: data there is no longer reported.
  await fetch(id, 3, [], [1]);
  await produce(1, 'c');
  assert.deepEqual(partitionsIn(await fetch(id, 4, [])), []);

  // Wrong epoch and unknown id are top-level errors.
  assert.equal((await fetch(id, 99, []))?.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  assert.equal((await fetch(12345, 1, []))?.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);

  // Epoch -1 closes the session and answers as a sessionless full fetch.
  const closed = await fetch(id, -1, [part(0, 0)]);
  assert.equal(closed?.sessionId, 0);
  assert.deepEqual(partitionsIn(closed), [0]);
  assert.equal((await fetch(id, 5, []))?.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
});
