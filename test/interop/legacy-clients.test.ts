// Old clients, as Kafka 3.9 serves them: Produce v0-v2 message sets (magic 0
// and 1) converted to v2 on append, and Fetch v0-v3 answered with records
// converted down. kafka-python pinned to old broker versions speaks exactly that.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kcat, python } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

interface Result {
  delivered: number[];
  consumed: { offset: number; key: string; value: string; timestamp: number }[];
}

let broker: BrokerProcess;
before(async () => { broker = await startBrokerProcess(); });
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

// 0.8.2: Produce v0 / Fetch v0 (magic 0); 0.9: Produce v1 / Fetch v1 (magic 0); 0.10.0: Produce v2 / Fetch v2 (magic 1).
for (const [version, codec] of [['0.8.2', 'none'], ['0.9', 'gzip'], ['0.10.0', 'none'], ['0.10.0', 'gzip'], ['0.10.1', 'snappy'], ['0.10.1', 'lz4']]) {
  test(`kafka-python as a ${version} client with ${codec}`, async () => {
    const topic = `legacy-${version.replace(/\./g, '_')}-${codec}`;
    const count = 50;
    const r = await python<Result>('kafka_python_legacy.py', [broker.bootstrap, topic, version, codec, String(count)]);
    assert.deepEqual(r.delivered, Array.from({ length: count }, (_, i) => i));
    assert.equal(r.consumed.length, count);
    r.consumed.forEach((m, i) => {
      assert.equal(m.offset, i);
      assert.equal(m.key, `key-${i}`);
      assert.equal(m.value, `value-${i}`);
      // Magic 1 carries timestamps; magic 0 has none (-1 on the way back).
      if (version !== '0.8.2' && version !== '0.9') assert.equal(m.timestamp, 1_600_000_000_000 + i);
    });
    // The stored batches are v2: a current client reads them too.
    const out = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
    assert.equal(out.trim().split('\n')[count - 1], `key-${count - 1}=value-${count - 1}`);
  });
}
