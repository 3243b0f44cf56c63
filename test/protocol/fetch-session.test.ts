// The fetcher's side of incremental fetch sessions (KIP-227), as followers and
// Samsa's consumer use it, against a real broker's session cache: a full fetch
// opens the session, later ones send only partitions that changed and forget
// those left out; an error answer, a lost request or a broker that lost the
// session make the next fetch a full one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { FetchSessionHandler, type SessionRequest } from '../../src/protocol/fetch-session.js';
import type { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import { buildBatch } from '../../src/protocol/records/record.js';
import { RawClient } from '../helpers/raw-client.js';

const TOPIC = 'f';
/** Topics are named by id from Fetch v13 (followers use v17), by name before (Samsa's consumer uses v12). */
const MODES = [
  { what: 'by topic id (Fetch v17, as followers)', topic: TOPIC, byTopicId: true, version: 17 },
  { what: 'by topic name (Fetch v12, as consumers)', topic: 'named', byTopicId: false, version: 12 },
];
type Mode = (typeof MODES)[number];
const BY_ID = MODES[0];
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-fetch-session-'));
let broker: EmbeddedBroker;
let c: RawClient;
let topicId: Buffer;

async function start(topics = MODES.map((m) => ({ name: m.topic, partitions: 3 }))): Promise<void> {
  broker = await startBroker({ dataDir, keepData: true, topics });
  c = await RawClient.connect(broker.port);
  const metadata = await c.request<MetadataResponse>(ApiKey.Metadata, 12, {
    topics: [{ topicId: Buffer.alloc(16), name: TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false,
  });
  topicId = metadata!.topics[0].topicId;
}

before(() => start());
after(async () => {
  c.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The partitions wanted, at these fetch offsets (partition index → offset). */
function wanted(mode: Mode, offsets: Record<number, number>) {
  return Object.entries(offsets).map(([partition, fetchOffset]) => ({
    topic: mode.topic,
    topicId: mode.byTopicId ? topicId : Buffer.alloc(16),
    request: {
      partition: Number(partition), currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1,
      partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16),
    },
  }));
}

function fetch(session: SessionRequest, mode: Mode = BY_ID): Promise<FetchResponse | null> {
  const request: FetchRequest = {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, rackId: '', ...session,
  };
  return c.request<FetchResponse>(ApiKey.Fetch, mode.version, request);
}

async function produce(mode: Mode, partition: number, value: string): Promise<void> {
  const records = buildBatch({ records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(value), headers: [] }], baseTimestamp: Date.now() });
  const r = await c.request<ProduceResponse>(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: mode.topic, partitionData: [{ index: partition, records }] }] });
  assert.equal(r?.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
}

const sent = (s: SessionRequest): number[] => s.topics.flatMap((t) => t.partitions.map((p) => p.partition));
const forgotten = (s: SessionRequest): number[] => s.forgottenTopicsData.flatMap((t) => t.partitions);
const answered = (r: FetchResponse | null): number[] => (r?.responses ?? []).flatMap((t) => t.partitions.map((p) => p.partitionIndex));
const withRecords = (r: FetchResponse | null): number[] =>
  (r?.responses ?? []).flatMap((t) => t.partitions.filter((p) => (p.records as Buffer | null)?.length).map((p) => p.partitionIndex));

/** One fetch: the session's request, the answer, and whether the handler took it. */
async function round(h: FetchSessionHandler, offsets: Record<number, number>, mode: Mode = BY_ID) {
  const request = h.next(wanted(mode, offsets));
  const response = await fetch(request, mode);
  assert.ok(response);
  return { request, response, outcome: h.onResponse(response) };
}

for (const mode of MODES) {
  test(`${mode.what}: a full fetch opens the session; then only changed partitions are sent, only those with news answered, and one left out is forgotten`, async () => {
    await produce(mode, 0, 'a');
    const h = new FetchSessionHandler(mode.byTopicId);
    const opened = await round(h, { 0: 0, 1: 0, 2: 0 }, mode);
    assert.deepEqual([opened.request.sessionId, opened.request.sessionEpoch, sent(opened.request)], [0, 0, [0, 1, 2]]);
    assert.equal(opened.outcome, 'use');
    assert.notEqual(opened.response.sessionId, 0);
    assert.deepEqual(withRecords(opened.response), [0]);

    // Partition 0 moved past its record: only it is sent; no partition has news.
    const moved = await round(h, { 0: 1, 1: 0, 2: 0 }, mode);
    assert.deepEqual([moved.request.sessionId, moved.request.sessionEpoch, sent(moved.request)], [opened.response.sessionId, 1, [0]]);
    assert.deepEqual(answered(moved.response), []);

    // A record on partition 2: nothing is sent, and only partition 2 is answered, with the record.
    await produce(mode, 2, 'b');
    const news = await round(h, { 0: 1, 1: 0, 2: 0 }, mode);
    assert.deepEqual([news.request.sessionEpoch, sent(news.request), answered(news.response), withRecords(news.response)], [2, [], [2], [2]]);

    // Partition 2 left out of the fetch: it is forgotten, so a record there is not answered.
    const left = await round(h, { 0: 1, 1: 0 }, mode);
    assert.deepEqual([sent(left.request), forgotten(left.request)], [[], [2]]);
    await produce(mode, 2, 'c');
    assert.deepEqual(answered((await round(h, { 0: 1, 1: 0 }, mode)).response), []);

    // Back in the fetch, it is sent again as an added partition and gets its record.
    const back = await round(h, { 0: 1, 1: 0, 2: 1 }, mode);
    assert.deepEqual([sent(back.request), forgotten(back.request), withRecords(back.response)], [[2], [], [2]]);
    assert.equal(back.outcome, 'use');
  });
}

test('a lost request, an answer naming a partition outside the session and a broker that lost the session each make the next fetch a full one', async () => {
  const h = new FetchSessionHandler(true);
  const first = await round(h, { 0: 0, 1: 0 });
  const firstId = first.response.sessionId;
  assert.equal(sent((await round(h, { 0: 0, 1: 0 })).request).length, 0);

  // No answer: the next fetch sends every partition and closes the session it names.
  h.onFailure();
  const again = await round(h, { 0: 0, 1: 0 });
  assert.deepEqual([again.request.sessionId, again.request.sessionEpoch, sent(again.request)], [firstId, 0, [0, 1]]);
  assert.equal(again.outcome, 'use');
  assert.notEqual(again.response.sessionId, firstId);
  const closed = await fetch({ sessionId: firstId, sessionEpoch: 1, topics: [], forgottenTopicsData: [] });
  assert.equal(closed?.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);

  // An incremental answer for a partition the session does not hold is not used.
  const incremental = h.next(wanted(BY_ID, { 0: 0, 1: 0 }));
  const answer = await fetch(incremental);
  const stray = { ...answer!, responses: [{ topic: TOPIC, topicId, partitions: [{ ...answer!.responses[0]?.partitions[0], partitionIndex: 2 } as FetchResponse['responses'][number]['partitions'][number]] }] };
  assert.equal(h.onResponse(stray), 'refetch');
  const full = h.next(wanted(BY_ID, { 0: 0, 1: 0 }));
  assert.deepEqual([full.sessionId, full.sessionEpoch, sent(full)], [again.response.sessionId, 0, [0, 1]]);
  assert.equal(h.onResponse((await fetch(full))!), 'use');

  // The leader restarted: FETCH_SESSION_ID_NOT_FOUND, then a full fetch that names no session.
  c.close();
  await broker.stop();
  await start([]);
  const lost = await round(h, { 0: 0, 1: 0 });
  assert.deepEqual([lost.response.errorCode, lost.outcome], [ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 'refetch']);
  const fresh = await round(h, { 0: 0, 1: 0 });
  assert.deepEqual([fresh.request.sessionId, fresh.request.sessionEpoch, sent(fresh.request), fresh.outcome], [0, 0, [0, 1], 'use']);
  assert.notEqual(fresh.response.sessionId, 0);
});
