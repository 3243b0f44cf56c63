// Samsa's consumer fetches in an incremental fetch session (KIP-227), as the Java
// consumer does: seen on the wire, through a proxy that the broker advertises and
// that decodes every Fetch request the consumer sends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { decodeRequestHeader } from '../../src/protocol/header.js';
import type { FetchRequest } from '../../src/protocol/messages/fetch.js';
import { apiMessages } from '../../src/protocol/messages/index.js';
import { Reader } from '../../src/protocol/primitives.js';
import { Consumer, Producer, startBroker, type ConsumerRecord, type EmbeddedBroker } from '../../src/index.js';
import { freeTestPort } from '../helpers/ports.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitUntil } from '../helpers/wait.js';

const TOPIC = 'sessions';
const PARTITIONS = 8;

let broker: EmbeddedBroker;
let proxy: TcpProxy;
/** Every Fetch request that went through the proxy, decoded. */
const fetches: FetchRequest[] = [];

/** A watcher of one connection's client bytes: decodes its request frames, keeping the Fetch requests. */
function fetchRecorder(): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const r = new Reader(pending.subarray(4, 4 + pending.readInt32BE(0)));
      pending = pending.subarray(4 + pending.readInt32BE(0));
      const header = decodeRequestHeader(r);
      if (header.apiKey === ApiKey.Fetch) fetches.push(apiMessages.get(ApiKey.Fetch)!.request.decode(r, header.apiVersion) as FetchRequest);
    }
  };
}

before(async () => {
  const brokerPort = await freeTestPort();
  proxy = await startTcpProxy(brokerPort, { watchClient: fetchRecorder });
  broker = await startBroker({
    port: brokerPort,
    config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` },
    topics: [{ name: TOPIC, partitions: PARTITIONS }],
  });
});
after(async () => {
  await broker.stop();
  await proxy.close();
});

async function pollFor(consumer: Consumer, count: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < 300 && out.length < count; i++) out.push(...(await consumer.poll(100)));
  return out;
}

const named = (f: FetchRequest): number[] => f.topics.flatMap((t) => t.partitions.map((p) => p.partition)).sort((a, b) => a - b);

test('the consumer opens a session with a full fetch, then names only the partitions whose position moved', async () => {
  const producer = new Producer({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest', fetchMaxWaitMs: 100 });
  try {
    await producer.sendBatch(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition, value: `first-${partition}` })));
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    assert.equal((await pollFor(consumer, PARTITIONS)).length, PARTITIONS);
    // Once a fetch names no partition (every position told), records on partition 5 only: the
    // fetches from then on name at most that partition.
    await waitUntil('a fetch that names no partition', 30_000, () => fetches.length > 0 && fetches.at(-1)!.sessionEpoch > 0 && named(fetches.at(-1)!).length === 0);
    const opened = fetches.findIndex((f) => f.sessionEpoch === 0);
    assert.ok(opened >= 0, 'a fetch asked for a session');
    assert.deepEqual(named(fetches[opened]), Array.from({ length: PARTITIONS }, (_, p) => p));
    const sessionId = fetches.at(-1)!.sessionId;
    assert.notEqual(sessionId, 0);
    const seen = fetches.length - 1;
    await producer.sendBatch([1, 2, 3].map((i) => ({ topic: TOPIC, partition: 5, value: `more-${i}` })));
    const more = await pollFor(consumer, 3);
    assert.deepEqual(more.map((r) => [r.partition, r.offset, r.value?.toString()]), [[5, 1, 'more-1'], [5, 2, 'more-2'], [5, 3, 'more-3']]);
    // The position moved past the records: the next fetch tells it, naming partition 5 alone.
    const offsetOf5 = (f: FetchRequest): number | undefined => f.topics[0]?.partitions.find((p) => p.partition === 5)?.fetchOffset;
    await waitUntil('a fetch naming partition 5 at offset 4', 30_000, () => fetches.slice(seen).some((f) => offsetOf5(f) === 4));
    for (const f of fetches.slice(seen)) {
      assert.equal(f.sessionId, sessionId);
      assert.ok(f.sessionEpoch > 0);
      assert.ok(named(f).every((p) => p === 5), `an incremental fetch named ${named(f).join(',')}`);
    }
  } finally {
    await consumer.close();
    await producer.close();
  }
});
