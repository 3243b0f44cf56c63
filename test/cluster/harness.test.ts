// The cluster test harness itself: three brokers register in ZooKeeper and
// see each other; brokers start on their own ports and data dirs, keep their
// port across kill -9 and restart, log into their files, and close() leaves no
// process and no file behind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Admin } from '../../src/client/index.js';
import { ZooKeeperClient } from '../../src/cluster/zookeeper-client.js';
import { startCluster } from '../helpers/cluster.js';
import { waitUntil } from '../helpers/wait.js';
import { startZooKeeper, type ZooKeeperServer } from '../helpers/zookeeper.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let zk: ZooKeeperServer;
before(async () => { zk = await startZooKeeper(); });
after(async () => { await zk.stop(); });

describe('cluster harness', { timeout: 240_000 }, () => {
  test('three brokers register under the chroot and each one\'s Metadata lists all three; leaderOf follows a failover', async (t) => {
    const cluster = await startCluster({ brokers: 3, zk, t });
    await cluster.waitForBrokers(3);
    const client = await ZooKeeperClient.connect({ connect: cluster.zkConnect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000 });
    try {
      assert.deepEqual((await client.getChildren('/brokers/ids')).sort(), ['1', '2', '3']);
    } finally {
      await client.close();
    }
    const metadata = await cluster.metadata();
    assert.deepEqual(metadata.brokers.map((b) => [b.nodeId, b.port]).sort(), [1, 2, 3].map((id) => [id, cluster.brokers.get(id)!.port]));

    const admin = new Admin({ bootstrapServers: cluster.bootstrap });
    try {
      await admin.createTopics([{ name: 'harness', partitions: 1, replicationFactor: 3 }]);
    } finally {
      await admin.close();
    }
    let leader: number | null = null;
    await waitUntil('a leader for harness-0', 30_000, async () => (leader = await cluster.leaderOf('harness', 0)) !== null);
    await cluster.kill9(leader!);
    const dead = leader!;
    await waitUntil('a new leader for harness-0', 60_000, async () => {
      leader = await cluster.leaderOf('harness', 0);
      return leader !== null && leader !== dead;
    });
    await cluster.waitForBrokers(2);
    await cluster.restart(dead);
    await cluster.waitForBrokers(3);
  });

  test('brokers keep port, data and log file across kill -9, stop and restart; close() removes everything', async () => {
    const cluster = await startCluster({ brokers: 2, zk, brokerOverrides: { 2: { 'log.retention.hours': 5 } } });
    const pids: number[] = [];
    try {
      const [b1, b2] = [cluster.brokers.get(1)!, cluster.brokers.get(2)!];
      assert.notEqual(b1.port, b2.port);
      assert.notEqual(b1.dataDir, b2.dataDir);
      assert.equal(cluster.bootstrap, `127.0.0.1:${b1.port},127.0.0.1:${b2.port}`);
      assert.match(cluster.zkConnect, new RegExp(`^${zk.connectString}/samsa-[a-z0-9]+$`));
      pids.push(b1.process!.pid, b2.process!.pid);

      const port = b1.port;
      await cluster.kill9(1);
      assert.equal(cluster.brokers.get(1)!.process, null);
      assert.equal(alive(pids[0]), false);
      // Broker 2 still answers for the cluster while 1 is down.
      assert.ok((await cluster.metadata()).brokers.some((b) => b.nodeId === 2));

      await cluster.restart(1);
      assert.equal(cluster.brokers.get(1)!.port, port);
      pids.push(cluster.brokers.get(1)!.process!.pid);
      const log = readFileSync(b1.logFile, 'utf8');
      assert.equal(log.match(/--- broker 1 starting/g)?.length, 2, log);
      assert.match(log, /--- broker 1 exited \(SIGKILL\)/);

      assert.equal(await cluster.stop(2), 0);
      assert.match(readFileSync(b2.logFile, 'utf8'), /SIGTERM received, shutting down/);
      await cluster.restart(2);
      pids.push(cluster.brokers.get(2)!.process!.pid);
      // restart() of a running broker stops it first.
      await cluster.restart(2);
      pids.push(cluster.brokers.get(2)!.process!.pid);
      assert.match(cluster.describe(), /^broker 1 on 127\.0\.0\.1:\d+, log .*broker-1\.log\nbroker 2 on/);
      assert.equal(await cluster.leaderOf('no-such-topic', 0), null);
    } finally {
      await cluster.close();
    }
    assert.deepEqual(pids.filter(alive), []);
    assert.equal(existsSync(cluster.dir), false);
  });

  test('a broker that cannot start fails startCluster with its log path; nothing is left running', async () => {
    const error = await startCluster({ brokers: 2, zk, brokerOverrides: { 2: { 'num.partitions': 'many' } } })
      .then(() => assert.fail('expected a failure'), (e: unknown) => e as Error);
    assert.match(error.message, /broker 2 did not start \(log: .*broker-2\.log\)/);
    assert.match(error.message, /num\.partitions/);
    // The files of a failed start are kept; broker 1, which did start, was killed.
    const dir = /cluster files kept in (\S+)\)/.exec(error.message)?.[1];
    assert.ok(dir, error.message);
    try {
      assert.match(readFileSync(join(dir, 'broker-1.log'), 'utf8'), /--- broker 1 exited \(SIGKILL\)\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
