// `samsa cluster-id` (Kafka's kafka-cluster cluster-id) and `samsa broker-api-versions`
// (kafka-broker-api-versions) as child processes against an in-process broker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker();
});
after(() => broker.stop());

function samsa(...args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, ...args, '--bootstrap-server', broker.bootstrap], { timeoutMs: 60_000 });
}

test('cluster-id prints the id in meta.properties', async () => {
  const id = /^cluster\.id=(.+)$/m.exec(readFileSync(join(broker.dataDir, 'meta.properties'), 'utf8'))?.[1];
  assert.ok(id);
  let r = await samsa('cluster-id');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Cluster ID: ${id}\n`);
  r = await samsa('cluster-id', '--output', 'json');
  assert.deepEqual(JSON.parse(r.stdout), { clusterId: id });
});

test('broker-api-versions prints each API the broker has, with the version this client uses', async () => {
  let r = await samsa('broker-api-versions');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], `${broker.bootstrap} (id: 0 rack: null) -> (`);
  assert.deepEqual(lines.slice(-2), [')', '']);
  const apis = lines.slice(1, -2);
  apis.forEach((line, i) => assert.match(line, i < apis.length - 1 ? /^\t\w+\(\d+\): (\d+ to \d+|\d+|UNSUPPORTED)( \[usable: \d+\])?,$/ : /^\t\w+\(\d+\): .*[^,]$/, line));
  assert.equal(apis[0], '\tProduce(0): 0 to 11 [usable: 11],');
  assert.ok(apis.includes('\tApiVersions(18): 0 to 4 [usable: 4],'), r.stdout);
  // Fetch v13+ names topics by id, which this client does not speak.
  assert.match(apis[1], /^\tFetch\(1\): 0 to \d+ \[usable: 12\],$/);
  const keys = apis.map((l) => Number(/\((\d+)\)/.exec(l)![1]));
  assert.deepEqual(keys, [...keys].sort((a, b) => a - b));

  r = await samsa('broker-api-versions', '--output', 'json');
  assert.equal(r.code, 0, r.stderr);
  const [json] = JSON.parse(r.stdout) as { broker: { id: number; port: number }; apis: { apiKey: number; name: string; minVersion: number; maxVersion: number; usable: number | null }[] }[];
  assert.equal(json.broker.port, broker.port);
  assert.deepEqual(json.apis.find((a) => a.apiKey === 0), { name: 'Produce', apiKey: 0, minVersion: 0, maxVersion: 11, usable: 11 });
});
