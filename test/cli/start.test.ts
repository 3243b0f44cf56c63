// `samsa start` as a user runs it: config file, overrides, bad flags, clean shutdown.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { kcat, run } from '../helpers/clients.js';
import { startBrokerProcess } from '../helpers/broker-process.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('a bad config key, value or flag exits non-zero naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'));
  try {
    const file = join(dir, 'server.properties');
    writeFileSync(file, 'num.partitions=abc\n');
    let r = await run(process.execPath, [MAIN, 'start', '--config', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /num\.partitions/);
    r = await run(process.execPath, [MAIN, 'start', '--override', 'no.such.key=1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no\.such\.key: unknown config key/);
    r = await run(process.execPath, [MAIN, 'start', '--bogus']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--bogus/);
    r = await run(process.execPath, [MAIN, 'start', '--override', 'novalue']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /novalue/);
    r = await run(process.execPath, [MAIN, 'frobnicate']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    r = await run(process.execPath, [MAIN, 'start', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--override/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM shuts down cleanly: checkpoints and the clean-shutdown marker are written', async () => {
  const broker = await startBrokerProcess({ overrides: { 'num.network.threads': 3 } });
  try {
    assert.match(broker.output(), /num\.network\.threads is a Kafka setting Samsa does not use yet/);
    await kcat(['-b', broker.bootstrap, '-P', '-t', 'shutdown-check'], 'a\nb\nc\n');
    assert.equal(await broker.stop(), 0);
    const recovery = readFileSync(join(broker.dataDir, 'recovery-point-offset-checkpoint'), 'utf8');
    assert.match(recovery, /^0\n\d+\n/);
    assert.match(recovery, /^shutdown-check 0 3$/m);
    assert.match(readFileSync(join(broker.dataDir, 'replication-offset-checkpoint'), 'utf8'), /^shutdown-check 0 3$/m);
    assert.ok(existsSync(join(broker.dataDir, '.kafka_cleanshutdown')));
    assert.match(readFileSync(join(broker.dataDir, 'meta.properties'), 'utf8'), /^broker\.id=0$/m);
    assert.ok(existsSync(join(broker.dataDir, 'shutdown-check-0', '00000000000000000000.log')));
  } finally {
    rmSync(broker.dataDir, { recursive: true, force: true });
  }
});

test('several log dirs share the partitions; advertised.listeners is what clients are told', async () => {
  const base = mkdtempSync(join(tmpdir(), 'samsa-dirs-'));
  const dirs = [join(base, 'a'), join(base, 'b')];
  const broker = await startBrokerProcess({
    dataDir: dirs[0],
    overrides: { 'log.dirs': dirs.join(','), 'num.partitions': 4, 'advertised.listeners': 'PLAINTEXT://localhost:0' },
  });
  try {
    await kcat(['-b', broker.bootstrap, '-P', '-t', 'spread', '-p', '0'], 'x\n');
    const md = await kcat(['-b', broker.bootstrap, '-L', '-t', 'spread']);
    assert.match(md, new RegExp(`broker 0 at localhost:${broker.port}`));
    const inA = [0, 1, 2, 3].filter((p) => existsSync(join(dirs[0], `spread-${p}`))).length;
    const inB = [0, 1, 2, 3].filter((p) => existsSync(join(dirs[1], `spread-${p}`))).length;
    assert.deepEqual([inA, inB], [2, 2]);
    for (const d of dirs) assert.ok(existsSync(join(d, 'meta.properties')));
  } finally {
    await broker.stop();
    rmSync(base, { recursive: true, force: true });
  }
});
