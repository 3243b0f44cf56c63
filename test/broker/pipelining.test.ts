// Requests pipelined on one connection are answered in request order, even
// when an early one (a long-poll fetch) finishes last; many idle connections
// do not stop the broker from serving.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { decodeResponseHeader, encodeRequestHeader } from '../../src/protocol/header.js';
import { apiMessages } from '../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: EmbeddedBroker;
before(async () => { broker = await startBroker({ topics: ['piped'] }); });
after(async () => { await broker.stop(); });

function frame(apiKey: number, version: number, correlationId: number, body: unknown): Buffer {
  const w = new Writer();
  encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'pipe' });
  apiMessages.get(apiKey)!.request.encode(w, version, body as never);
  const payload = w.toBuffer();
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

test('pipelined requests are answered in order behind a long-poll fetch', async () => {
  const c = await RawClient.connect(broker.port);
  const fetch = frame(ApiKey.Fetch, 11, 1, {
    replicaId: -1, maxWaitMs: 300, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'piped', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const frames = [fetch];
  for (let id = 2; id <= 20; id++) frames.push(frame(ApiKey.ApiVersions, 2, id, {}));
  c.send(Buffer.concat(frames));
  const order: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = await c.nextFrame();
    assert.ok(f, 'connection closed early');
    order.push(f.readInt32BE(0));
  }
  assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i + 1));
  c.close();
});

test('a Metadata request behind a waiting fetch is answered with the cluster as it is after the fetch, as Kafka does', async () => {
  const c = await RawClient.connect(broker.port);
  const fetch = frame(ApiKey.Fetch, 11, 1, {
    replicaId: -1, maxWaitMs: 1500, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'piped', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 1 << 30, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const metadata = frame(ApiKey.Metadata, 9, 2, {
    topics: [{ name: 'created-meanwhile' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  });
  c.send(Buffer.concat([fetch, metadata]));
  // Created from another connection while the fetch waits.
  await broker.createTopics('created-meanwhile');
  assert.ok(await c.nextFrame(), 'the fetch is answered');
  const answer = await c.nextFrame();
  assert.ok(answer, 'the metadata is answered');
  const r = new Reader(answer);
  decodeResponseHeader(r, ApiKey.Metadata, 9);
  const body = apiMessages.get(ApiKey.Metadata)!.response.decode(r, 9) as MetadataResponse;
  assert.equal(body.topics[0].errorCode, 0, 'the topic created before the Metadata request was handled is known');
  c.close();
});

test('2,000 idle connections; the broker still answers a new one', async () => {
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < 2000; i++) {
      sockets.push(await new Promise<Socket>((resolve, reject) => {
        const s = connect({ port: broker.port, host: '127.0.0.1' }, () => resolve(s));
        s.once('error', reject);
      }));
    }
    const c = await RawClient.connect(broker.port);
    const r = await c.request<ApiVersionsResponse>(ApiKey.ApiVersions, 2, {});
    assert.equal(r?.errorCode, 0);
    c.close();
  } finally {
    for (const s of sockets) s.destroy();
  }
});
