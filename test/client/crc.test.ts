// checkCrcs (check.crcs): a batch whose bytes were damaged on disk fails its CRC check when the
// consumer reaches it (after the records before it are returned); with checkCrcs off it is read as is.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Consumer, KafkaError, Producer, startBroker, type ConsumerRecord, type EmbeddedBroker } from '../../src/index.js';

const TOPIC = 'damaged';
let dataDir: string;
let broker: EmbeddedBroker;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-client-crc-'));
  const first = await startBroker({ dataDir, topics: [{ name: TOPIC, partitions: 1 }] });
  const producer = new Producer({ bootstrapServers: first.bootstrap, lingerMs: 0 });
  // Three batches of two records each.
  for (const batch of ['a', 'b', 'c']) await producer.sendBatch([{ topic: TOPIC, value: `${batch}-value-1` }, { topic: TOPIC, value: `${batch}-value-2` }]);
  await producer.close();
  await first.stop();
  // Damage a byte of the second batch's first value; the broker does not look at CRCs when serving fetches.
  const segment = join(dataDir, `${TOPIC}-0`, '00000000000000000000.log');
  const bytes = readFileSync(segment);
  const at = bytes.indexOf('b-value-1');
  assert.ok(at > 0);
  bytes[at] = 'B'.charCodeAt(0);
  writeFileSync(segment, bytes);
  broker = await startBroker({ dataDir });
});
after(async () => {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pollUntil(consumer: Consumer, count: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < 100 && out.length < count; i++) out.push(...(await consumer.poll(200)));
  return out;
}

test('checkCrcs (default): the records before the damaged batch, then CORRUPT_MESSAGE until a seek past it', async () => {
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest' });
  try {
    consumer.assign([{ topic: TOPIC, partition: 0 }]);
    const before = await pollUntil(consumer, 2);
    assert.deepEqual(before.map((r) => r.value!.toString()), ['a-value-1', 'a-value-2']);
    let error: unknown = null;
    for (let i = 0; i < 100 && error === null; i++) {
      try {
        assert.deepEqual(await consumer.poll(200), []);
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof KafkaError && error.type === 'CORRUPT_MESSAGE' && error.retriable, String(error));
    assert.match(error.message, /damaged-0: batch at offset 2 fails its CRC check/);
    // The position stays at the damaged batch: the next poll fails the same way.
    assert.equal(await consumer.position({ topic: TOPIC, partition: 0 }), 2);
    await assert.rejects(consumer.poll(200), (e: Error) => e instanceof KafkaError && e.type === 'CORRUPT_MESSAGE');
    consumer.seek({ topic: TOPIC, partition: 0 }, 4);
    assert.deepEqual((await pollUntil(consumer, 2)).map((r) => r.value!.toString()), ['c-value-1', 'c-value-2']);
  } finally {
    await consumer.close();
  }
});

test('checkCrcs: false reads the damaged batch as it is', async () => {
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest', checkCrcs: false });
  try {
    consumer.assign([{ topic: TOPIC, partition: 0 }]);
    const records = await pollUntil(consumer, 6);
    assert.deepEqual(records.map((r) => r.value!.toString()), ['a-value-1', 'a-value-2', 'B-value-1', 'b-value-2', 'c-value-1', 'c-value-2']);
  } finally {
    await consumer.close();
  }
});
