// kill -9 during heavy produce, then restart: every record acknowledged with
// acks=all is still there, and offsets continue with no gap or duplicate.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { kcat } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

const SCRIPT = fileURLToPath(new URL('../../../test/interop/py/confluent_misc.py', import.meta.url));
let broker: BrokerProcess | undefined;
after(async () => {
  if (broker) {
    await broker.stop();
    removeDir(broker.dataDir);
  }
});

test('kill -9 under load loses no acknowledged record', async () => {
  const first = await startBrokerProcess({ overrides: { 'log.segment.bytes': 256 * 1024 } });
  broker = first;
  const acked: number[] = [];
  const producer = spawn('/usr/bin/python3', [SCRIPT, first.bootstrap, 'acked', 'crash', '200000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  const enough = new Promise<void>((resolve) => {
    producer.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) acked.push(Number(l));
      if (acked.length >= 20_000) resolve();
    });
    producer.on('exit', () => resolve());
  });
  await enough;
  await first.kill9();
  const producerDone = new Promise((resolve) => producer.on('exit', resolve));
  producer.kill('SIGKILL');
  await producerDone;
  assert.ok(acked.length >= 20_000, `only ${acked.length} records were acknowledged before the kill`);

  broker = await startBrokerProcess({ dataDir: first.dataDir, port: first.port });
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'crash', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n'], undefined, 60_000);
  const stored = out.trim().split('\n').map((l) => l.split(' '));
  // Offsets are contiguous from 0 and every value is distinct.
  stored.forEach(([offset], i) => assert.equal(Number(offset), i));
  assert.equal(new Set(stored.map(([, v]) => v)).size, stored.length);
  const maxAcked = Math.max(...acked);
  assert.ok(stored.length > maxAcked, `acknowledged offset ${maxAcked} missing: only ${stored.length} records after restart`);

  // New records continue right after the recovered end.
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'crash'], 'after-restart\n');
  const last = await kcat(['-b', broker.bootstrap, '-C', '-t', 'crash', '-o', '-1', '-e', '-q', '-f', '%o %s\n']);
  assert.equal(last.trim(), `${stored.length} after-restart`);
});
