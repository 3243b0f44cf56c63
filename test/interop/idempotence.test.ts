// confluent-kafka's idempotent producer (enable.idempotence=true): 50,000 records land at offsets
// 0..49,999, none twice; and through a kill -9 and restart of the broker, with the producer
// retrying, every record is stored exactly once and in order.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../src/embedded.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat, python } from '../helpers/clients.js';

const SCRIPT = fileURLToPath(new URL('../../../test/interop/py/idempotent.py', import.meta.url));

interface Outcome {
  delivered: number;
  undelivered: number;
  errors: string[];
  offsets: number[];
}

/** Values of the topic in offset order, read with kcat. */
async function values(bootstrap: string, topic: string): Promise<string[]> {
  const out = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], undefined, 120_000);
  return out.split('\n').slice(0, -1);
}

const numbers = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

test('50,000 idempotent records: offsets 0..49,999, none twice', async () => {
  const broker = await startBroker({ topics: ['idempotent-burst'] });
  try {
    const r = await python<Outcome>('idempotent.py', [broker.bootstrap, 'burst', 'idempotent-burst', '50000'], 120_000);
    assert.deepEqual([r.delivered, r.undelivered, r.errors], [50_000, 0, []]);
    const offsets = [...r.offsets].sort((a, b) => a - b);
    assert.deepEqual([offsets[0], offsets.at(-1), new Set(offsets).size], [0, 49_999, 50_000]);
    assert.deepEqual(await values(broker.bootstrap, 'idempotent-burst'), numbers(50_000));
  } finally {
    await broker.stop();
  }
});

let crashed: BrokerProcess | undefined;
after(async () => {
  if (!crashed) return;
  await crashed.stop();
  removeDir(crashed.dataDir);
});

test('through a broker kill -9 and restart: no duplicate, no gap, order kept', async () => {
  const COUNT = 30_000;
  // Small segments: the restart recovers from a producer snapshot taken at a roll plus the log after it.
  const first = await startBrokerProcess({ overrides: { 'log.segment.bytes': 64 * 1024 } });
  crashed = first;
  const producer = spawn('/usr/bin/python3', [SCRIPT, first.bootstrap, 'steady', 'idempotent-crash', String(COUNT)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  producer.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => producer.on('exit', resolve));
  await new Promise<void>((resolve) => {
    producer.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const acked = [...out.matchAll(/^acked (\d+)$/gm)].map((m) => Number(m[1]));
      if ((acked.at(-1) ?? 0) >= 5000) resolve();
    });
    void exited.then(() => resolve());
  });
  await first.kill9();
  crashed = await startBrokerProcess({ dataDir: first.dataDir, port: first.port });
  assert.equal(await exited, 0, err);
  const outcome = JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as Outcome;
  assert.deepEqual([outcome.delivered, outcome.undelivered, outcome.errors], [COUNT, 0, []]);
  assert.deepEqual(await values(crashed.bootstrap, 'idempotent-crash'), numbers(COUNT));
});
