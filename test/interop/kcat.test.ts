// kcat (librdkafka 2.0.2) against a broker started as `samsa start`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kcat } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

let broker: BrokerProcess;
before(async () => { broker = await startBrokerProcess(); });
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

const consume = (topic: string, format: string, extra: string[] = []): Promise<string> =>
  kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format, ...extra]);

test('keys, headers, null and empty values round-trip through an auto-created topic', async () => {
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'kcat-basic', '-K', ':', '-H', 'h1=v1', '-H', 'h2=v2'], 'k1:hello\nk2:world\n');
  // -Z turns empty values into nulls.
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'kcat-basic', '-K', ':', '-Z'], 'k3:\n');
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'kcat-basic', '-K', ':'], 'k4:\n');
  const out = await consume('kcat-basic', '%o|%k|%S|%h\n');
  assert.deepEqual(out.trim().split('\n'), [
    '0|k1|5|h1=v1,h2=v2',
    '1|k2|5|h1=v1,h2=v2',
    '2|k3|-1|',
    '3|k4|0|',
  ]);
});

for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
  test(`${codec}-compressed batches are stored and served`, async () => {
    const topic = `kcat-${codec}`;
    const lines = Array.from({ length: 500 }, (_, i) => `record-${i}-${'x'.repeat(i % 50)}`);
    await kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-z', codec, '-X', 'linger.ms=20'], lines.join('\n') + '\n');
    const out = await consume(topic, '%s\n');
    assert.deepEqual(out.trim().split('\n'), lines);
  });
}

test('a 900 KB record round-trips', async () => {
  const big = 'b'.repeat(900 * 1024);
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'kcat-big'], big + '\n');
  const out = await consume('kcat-big', '%S\n');
  assert.equal(out.trim(), String(big.length));
});

test('metadata lists the broker and the topic partitions', async () => {
  const out = await kcat(['-b', broker.bootstrap, '-L', '-t', 'kcat-basic']);
  assert.match(out, new RegExp(`broker 0 at 127\\.0\\.0\\.1:${broker.port}`));
  assert.match(out, /topic "kcat-basic" with 1 partitions:/);
  assert.match(out, /partition 0, leader 0, replicas: 0, isrs: 0/);
});

test('a fetch past the log end gets OFFSET_OUT_OF_RANGE and the client resets to the earliest offset', async () => {
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'kcat-reset'], 'a\nb\n');
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'kcat-reset', '-o', '1000', '-X', 'auto.offset.reset=earliest', '-c', '2', '-q', '-f', '%o %s\n']);
  assert.deepEqual(out.trim().split('\n'), ['0 a', '1 b']);
});
