// A broker killed (kill -9) and restarted on the same port and data dir while Samsa's
// idempotent producer is sending: every record acknowledged to the caller is in the log,
// exactly once, at the offset it was acknowledged with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Consumer, Producer, type RecordMetadata } from '../../src/index.js';
import { removeDir, startBrokerProcess } from '../helpers/broker-process.js';

test('a broker restarted during a long send: every acknowledged record is in the log once', { timeout: 240_000 }, async () => {
  let broker = await startBrokerProcess({ overrides: { 'num.partitions': 2 } });
  const { dataDir, port, bootstrap } = broker;
  const topic = 'restart';
  const producer = new Producer({ bootstrapServers: bootstrap, lingerMs: 2, batchSize: 16 * 1024, requestTimeoutMs: 5000, retryBackoffMs: 100, deliveryTimeoutMs: 120_000 });
  const total = 40_000;
  const acked = new Map<string, RecordMetadata>();
  const failures: Error[] = [];
  let restarted = false;
  const sends: Promise<void>[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const value = `record-${i}`;
      sends.push(producer.send({ topic, key: `k${i % 50}`, value }).then((m) => { acked.set(value, m); }, (e: Error) => { failures.push(e); }));
      if (i % 500 === 499) {
        // Keep a bounded number of records in flight, as an application would.
        await Promise.all(sends.splice(0, sends.length - 2000 > 0 ? sends.length - 2000 : 0));
        if (!restarted && acked.size >= 10_000) {
          restarted = true;
          await broker.kill9();
          broker = await startBrokerProcess({ dataDir, port, overrides: { 'num.partitions': 2 } });
        }
      }
    }
    await Promise.all(sends);
    await producer.close();
    assert.ok(restarted);
    assert.deepEqual(failures.map((e) => e.message), []);
    assert.equal(acked.size, total);

    const consumer = new Consumer({ bootstrapServers: bootstrap, autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }, { topic, partition: 1 }]);
    const seen = new Map<string, { partition: number; offset: number }[]>();
    let count = 0;
    for (let round = 0; round < 400 && count < total; round++) {
      for (const r of await consumer.poll(500)) {
        count++;
        const list = seen.get(r.value!.toString()) ?? [];
        list.push({ partition: r.partition, offset: r.offset });
        seen.set(r.value!.toString(), list);
      }
    }
    // Anything more arriving would be a duplicate: one more short poll.
    count += (await consumer.poll(500)).length;
    await consumer.close();
    assert.equal(count, total);
    for (const [value, meta] of acked) {
      assert.deepEqual(seen.get(value), [{ partition: meta.partition, offset: meta.offset }], value);
    }
  } finally {
    await broker.stop();
    removeDir(dataDir);
  }
});
