// An embedded broker's life: stop() is idempotent, `await using` stops it,
// requests in flight at stop get an answer or a closed connection, and
// keepData leaves a data dir that a later broker reopens.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { after, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/index.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import { RawClient } from '../helpers/raw-client.js';
import { consume, produce } from './kafkajs.js';

const brokers: EmbeddedBroker[] = [];
const clients: RawClient[] = [];
const keptDirs: string[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const b of brokers) await b.stop();
  for (const d of keptDirs) rmSync(d, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startBroker>[0] = {}): Promise<EmbeddedBroker> {
  const b = await startBroker(options);
  brokers.push(b);
  return b;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

/** Resolves to the connect error's code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('stop() is idempotent: concurrent and repeated calls share one shutdown', async () => {
  const broker = await start();
  const first = broker.stop();
  assert.equal(broker.stop(), first);
  assert.equal(broker[Symbol.asyncDispose](), first);
  await first;
  await broker.stop();
  assert.equal(existsSync(broker.dataDir), false);
  assert.equal(await tryConnect(broker.port), 'ECONNREFUSED');
});

test('`await using` stops the broker when the block ends', async () => {
  let port: number;
  let dataDir: string;
  {
    await using broker = await startBroker();
    ({ port, dataDir } = broker);
    assert.equal(await tryConnect(port), 'connected');
  }
  assert.equal(existsSync(dataDir), false);
  assert.equal(await tryConnect(port), 'ECONNREFUSED');
});

test('a long-poll fetch in flight at stop() gets its answer or a closed connection', async () => {
  const broker = await start({ topics: ['idle'] });
  const c = await client(broker.port);
  // Waits far longer than stop()'s grace period: only the shutdown can end it.
  const fetching = c.request<FetchResponse>(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs: 600_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'idle', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  // A round trip on a second connection: the fetch has reached the broker and is (most likely) parked.
  const other = await client(broker.port);
  assert.equal((await other.request<ApiVersionsResponse>(ApiKey.ApiVersions, 2, {}))?.errorCode, ErrorCode.NONE);

  const late = other.request<ApiVersionsResponse>(ApiKey.ApiVersions, 2, {});
  await broker.stop();
  const r = await fetching;
  if (r !== null) {
    const p = r.responses[0].partitions[0];
    assert.equal(p.errorCode, ErrorCode.NONE);
    assert.equal(p.highWatermark, 0);
  }
  // A request sent as the broker stops: answered, or its connection closed.
  const lateAnswer = await late;
  if (lateAnswer !== null) assert.equal(lateAnswer.errorCode, ErrorCode.NONE);
  assert.ok(c.isClosed || (await c.nextFrame()) === null);
});

test('keepData leaves the data dir; another broker reopens it and sees the data', async () => {
  const first = await start({ keepData: true, topics: [{ name: 'kept', partitions: 2 }] });
  keptDirs.push(first.dataDir);
  await produce(first.bootstrap, 'kept', ['one', 'two', 'three']);
  await first.stop();
  assert.equal(existsSync(first.dataDir), true);

  const second = await start({ dataDir: first.dataDir });
  const values = (await consume(second.bootstrap, 'kept', 'rereader', 3)).map((r) => r.value);
  assert.deepEqual(values.sort(), ['one', 'three', 'two']);
  await second.stop();
  // A dataDir the caller gave is the caller's: stop() never removes it.
  assert.equal(existsSync(first.dataDir), true);
});
