// Mutated real requests: every request in the wire corpus, with bytes flipped,
// truncated or extended by a seeded generator, sent to a broker. Whatever each
// connection gets (an error code, an answer, a closed socket), the broker keeps
// serving and the records it acknowledged before are intact.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { RawClient } from '../helpers/raw-client.js';
import { kcat } from '../helpers/clients.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/reference/wire-corpus/', import.meta.url));
const MUTATIONS_PER_REQUEST = 4;

let broker: EmbeddedBroker;
before(async () => {
  // No auto-creation, so mutated topic names do not fill the disk with topics.
  broker = await startBroker({ config: { 'auto.create.topics.enable': false }, topics: ['kept'] });
});
after(async () => { await broker.stop(); });

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(frame: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(frame);
  switch (Math.floor(rand() * 3)) {
    case 0: // flip a few bytes after the api key and version (keeps the request routable)
      for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) out[4 + Math.floor(rand() * Math.max(1, out.length - 4))] ^= 1 + Math.floor(rand() * 255);
      return out;
    case 1: // truncate
      return out.subarray(0, Math.floor(rand() * out.length));
    default: // set a length-like int32 to a huge or negative value
      if (out.length >= 8) out.writeInt32BE(rand() < 0.5 ? 0x7fffffff : -2, 4 + Math.floor(rand() * (out.length - 7)));
      return out;
  }
}

async function sendRaw(payload: Buffer): Promise<void> {
  const c = await RawClient.connect(broker.port);
  const framed = Buffer.allocUnsafe(4 + payload.length);
  framed.writeInt32BE(payload.length, 0);
  payload.copy(framed, 4);
  c.send(framed);
  // An answer, or the broker closing the connection: either is fine; acks=0 produces get neither.
  await Promise.race([c.nextFrame(), new Promise((r) => setTimeout(r, 200))]);
  c.close();
}

test('the broker survives mutated corpus requests and keeps acknowledged data', async () => {
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'kept'], 'one\ntwo\nthree\n');
  const rand = prng(20261123);
  let sent = 0;
  for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(CORPUS + file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const frame = Buffer.from((JSON.parse(line) as { request_hex: string }).request_hex, 'hex');
      for (let i = 0; i < MUTATIONS_PER_REQUEST; i++) {
        await sendRaw(mutate(frame, rand));
        sent++;
      }
    }
  }
  assert.ok(sent > 1000);
  const c = await RawClient.connect(broker.port);
  assert.equal((await c.request<ApiVersionsResponse>(ApiKey.ApiVersions, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }))?.errorCode, 0);
  c.close();
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'kept', '-o', 'beginning', '-e', '-q']);
  assert.deepEqual(out.trim().split('\n').slice(0, 3), ['one', 'two', 'three']);
});
