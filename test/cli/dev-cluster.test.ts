// `samsa dev-cluster` as a developer runs it: ZooKeeper and three brokers that
// form one cluster, a broker's crash reported, Ctrl-C (SIGINT) stops every
// child process; a port in use or a bad option is a clear error.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { run } from '../helpers/clients.js';
import { requestMetadata } from '../helpers/cluster.js';
import { waitUntil, within } from '../helpers/wait.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const READY_MS = 120_000;
const STOP_MS = 90_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('samsa dev-cluster', { timeout: 300_000 }, () => {
  test('three brokers in one cluster; a crash is reported; SIGINT stops every child process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-dev-cluster-'));
    const child = spawn(process.execPath, [MAIN, 'dev-cluster', '--brokers', '3', '--zookeeper-port', '0', '--base-port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const pids: number[] = [];
    try {
      await waitUntil('the ready line', READY_MS, () => {
        if (child.exitCode !== null) throw new Error(`dev-cluster exited ${child.exitCode}:\n${stdout}\n${stderr}`);
        return /^ready: /m.test(stdout);
      });
      assert.match(stdout, /^ready: 3 brokers, bootstrap servers 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+;/m);
      const zookeeper = /^ZooKeeper on 127\.0\.0\.1:\d+ \(pid (\d+), data in (.+)\)$/m.exec(stdout);
      assert.ok(zookeeper, stdout);
      assert.equal(zookeeper[2], join(dataDir, 'zookeeper'));
      pids.push(Number(zookeeper[1]));
      const brokers = [...stdout.matchAll(/^broker (\d) on 127\.0\.0\.1:(\d+) \(pid (\d+), log dir (.+)\)$/gm)];
      assert.deepEqual(brokers.map((m) => [m[1], m[4]]), [1, 2, 3].map((id) => [String(id), join(dataDir, `broker-${id}`)]));
      pids.push(...brokers.map((m) => Number(m[3])));
      // Broker output comes prefixed with its id.
      assert.match(stdout, /^\[broker 2\] .*listening on PLAINTEXT:\/\/127\.0\.0\.1:/m);

      for (const m of brokers) {
        const metadata = await requestMetadata(Number(m[2]));
        assert.deepEqual(metadata.brokers.map((b) => b.nodeId).sort(), [1, 2, 3], `broker ${m[1]}'s Metadata`);
      }

      process.kill(Number(brokers[1][3]), 'SIGKILL');
      await waitUntil('the crash report', 30_000, () => /broker 2 exited unexpectedly \(SIGKILL\)/.test(stderr));

      child.kill('SIGINT');
      assert.equal(await within('dev-cluster to stop', STOP_MS, exit), 0, `${stdout}\n${stderr}`);
      assert.match(stdout, /SIGINT received: stopping the brokers, then ZooKeeper/);
      assert.match(stdout, /^\[broker 1\] .*SIGTERM received, shutting down/m);
      assert.match(stdout, /^stopped$/m);
      assert.deepEqual(pids.filter(alive), []);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a ZooKeeper port in use fails with ZooKeeper\'s error and starts no broker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-dev-cluster-'));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as { port: number };
      const r = await run(process.execPath, [MAIN, 'dev-cluster', '--zookeeper-port', String(port), '--data-dir', dataDir], { timeoutMs: 90_000 });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /samsa dev-cluster: ZooKeeper exited[^]*Address already in use/);
      assert.doesNotMatch(r.stdout, /\[broker/);
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('bad options are usage errors', async () => {
    let r = await run(process.execPath, [MAIN, 'dev-cluster', '--brokers', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--brokers: 0 is not a positive count/);
    r = await run(process.execPath, [MAIN, 'dev-cluster', '--base-port', '65535', '--brokers', '2']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--base-port: 65535 leaves no port for broker 2/);
    r = await run(process.execPath, [MAIN, 'dev-cluster', '--override', 'novalue']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--override: 'novalue' is not key=value/);
    r = await run(process.execPath, [MAIN, 'dev-cluster', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--zookeeper-port <Integer: port>\s+ZooKeeper's port on 127\.0\.0\.1; 0 picks a free one\. \(default: 2181\)/);
  });
});
