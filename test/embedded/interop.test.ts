// Clients in other processes against an embedded broker: kcat (librdkafka) and
// confluent-kafka (Python), the way a polyglot test suite would use it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type EmbeddedBroker } from '../../src/index.js';
import { kcat, python } from '../helpers/clients.js';

let broker: EmbeddedBroker;
before(async () => { broker = await startBroker({ topics: [{ name: 'lines', partitions: 3 }] }); });
after(async () => { await broker?.stop(); });

// In -G mode `-o beginning` would override the committed offsets; auto.offset.reset applies only where there are none.
const consumeAsGroup = (group: string): Promise<string> =>
  kcat(['-b', broker.bootstrap, '-G', group, '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%k=%s\n', 'lines']);

test('kcat produces and a kcat consumer group reads, then resumes from its committed offsets', async () => {
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'lines', '-K', ':'], 'a:1\nb:2\nc:3\nd:4\n');
  const lines = (await consumeAsGroup('kcat-group')).trim().split('\n').sort();
  assert.deepEqual(lines, ['a=1', 'b=2', 'c=3', 'd=4']);
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'lines', '-K', ':'], 'e:5\n');
  assert.equal((await consumeAsGroup('kcat-group')).trim(), 'e=5');
});

test('confluent-kafka produces with zstd and reads back', async () => {
  const r = await python<{ delivered: number[]; errors: string[]; consumed: unknown[] }>(
    'confluent_roundtrip.py', [broker.bootstrap, 'from-python', 'zstd', '50']);
  assert.deepEqual(r.errors, []);
  assert.equal(r.delivered.length, 50);
  assert.equal(r.consumed.length, 50);
});
