// The control plane of a ZooKeeper cluster: topic placement and deletion across
// brokers, config changes reaching every broker, controller election and
// fencing, leader election on broker death, controlled shutdown, preferred
// leader election, session expiry, and the start-up errors of a misconfigured
// broker. A real ZooKeeper and real broker processes throughout.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { alterConfigsV2, describeConfigsV4 } from '@platformatic/kafka';
import { Controller } from '../../src/cluster/controller.js';
import { Admin, KafkaTimeoutError, Producer } from '../../src/index.js';
import { TopicExistsError } from '../../src/cluster/metadata-store.js';
import { ZkMetadataStore } from '../../src/cluster/zk-metadata-store.js';
import { ZooKeeperClient } from '../../src/cluster/zookeeper-client.js';
import { decodeController, decodeControllerEpoch, decodePartitionState, encodeControllerEpoch, zkPaths } from '../../src/cluster/zk-layout.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../../src/protocol/messages/elect-leaders.js';
import { requestMetadata, startCluster, type Cluster } from '../helpers/cluster.js';
import { python, run } from '../helpers/clients.js';
import { withConnection } from '../helpers/platformatic.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil } from '../helpers/wait.js';
import { startZooKeeper, type ZooKeeperServer } from '../helpers/zookeeper.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const quiet = { info: () => {}, warn: () => {} };

let zk: ZooKeeperServer;
before(async () => { zk = await startZooKeeper(); });
after(async () => { await zk.stop(); });

async function withZk<T>(connect: string, fn: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
  const c = await ZooKeeperClient.connect({ connect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000 });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

async function controllerOf(cluster: Cluster): Promise<{ id: number; epoch: number } | null> {
  return withZk(cluster.zkConnect, async (c) => {
    if (!(await c.exists(zkPaths.controller))) return null;
    const id = decodeController((await c.getData(zkPaths.controller)).data).brokerId;
    return { id, epoch: decodeControllerEpoch((await c.getData(zkPaths.controllerEpoch)).data) };
  });
}

type AdminResult = { error: [string, string] | null };
const admin = (cluster: Cluster, ...args: string[]): Promise<AdminResult> => python<AdminResult>('cluster_admin.py', [cluster.bootstrap, ...args]);

async function partitionsOf(cluster: Cluster, topic: string): Promise<{ partitionIndex: number; leaderId: number; replicaNodes: number[]; isrNodes: number[] }[]> {
  const t = (await cluster.metadata([topic])).topics.find((x) => x.name === topic);
  return t?.partitions ?? [];
}

describe('a cluster of three', { timeout: 280_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({
      brokers: 3,
      zk,
      // A partition with no other in-sync replica makes a stopping broker ask again: briefly, here.
      overrides: { 'controlled.shutdown.retry.backoff.ms': 200, 'auto.leader.rebalance.enable': false },
    });
    await cluster.waitForBrokers(3);
  });
  after(async () => { await cluster.close(); });

  test('topics are placed over every broker, refused beyond the live brokers, configured and deleted cluster-wide', async () => {
    assert.equal((await admin(cluster, 'create', 'placed', '6', '3', 'retention.ms=123456')).error, null);
    const parts = await partitionsOf(cluster, 'placed');
    assert.equal(parts.length, 6);
    for (const p of parts) {
      assert.deepEqual([...p.replicaNodes].sort(), [1, 2, 3]);
      assert.equal(p.leaderId, p.replicaNodes[0], 'a new partition is led by its first replica');
    }
    // Leadership is spread: every broker leads two of the six.
    assert.deepEqual([1, 2, 3].map((id) => parts.filter((p) => p.leaderId === id).length), [2, 2, 2]);
    for (const b of cluster.brokers.values()) {
      for (let p = 0; p < 6; p++) assert.ok(existsSync(join(b.dataDir, `placed-${p}`)), `broker ${b.id} hosts placed-${p}`);
    }

    const tooMany = await admin(cluster, 'create', 'too-many', '1', '4');
    assert.deepEqual(tooMany.error, ['INVALID_REPLICATION_FACTOR', 'Replication factor: 4 larger than available brokers: 3.']);

    // A config change made through one broker reaches the others (config change notifications).
    assert.equal((await admin(cluster, 'alter', 'placed', 'retention.ms=654321')).error, null);
    for (const b of cluster.brokers.values()) {
      await waitUntil(`broker ${b.id} sees retention.ms=654321`, 30_000, async () => {
        const r = await withConnection(b.port, (c) => describeConfigsV4.api.async(c, [{ resourceType: 2, resourceName: 'placed', configurationKeys: ['retention.ms'] }], false, false));
        return r.results[0].configs[0]?.value === '654321';
      });
    }

    // So does a cluster-wide dynamic broker default set through one broker.
    await withConnection(cluster.brokers.get(1)!.port, (c) => alterConfigsV2.api.async(c, [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', value: '777777' }] }], false));
    for (const b of cluster.brokers.values()) {
      await waitUntil(`broker ${b.id} applies the default log.retention.ms`, 30_000, async () => {
        const r = await withConnection(b.port, (c) => describeConfigsV4.api.async(c, [{ resourceType: 4, resourceName: String(b.id), configurationKeys: ['log.retention.ms'] }], false, false));
        return r.results[0].configs[0]?.value === '777777';
      });
    }

    assert.equal((await admin(cluster, 'delete', 'placed')).error, null);
    for (const b of cluster.brokers.values()) {
      await waitUntil(`broker ${b.id} deletes its replicas of placed`, 30_000, () => [0, 1, 2, 3, 4, 5].every((p) => !existsSync(join(b.dataDir, `placed-${p}`))));
    }
    await withZk(cluster.zkConnect, async (c) => {
      assert.equal(await c.exists(zkPaths.topic('placed')), null);
      assert.equal(await c.exists(zkPaths.topicConfig('placed')), null);
      assert.deepEqual(await c.getChildren(zkPaths.deleteTopics), []);
    });
  });

  test('kill -9 of the controller: another broker takes over with the next epoch and re-elects the dead broker\'s leaders from the ISR', async () => {
    assert.equal((await admin(cluster, 'create', 'failover', '3', '3')).error, null);
    const before = (await controllerOf(cluster))!;
    const led = (await partitionsOf(cluster, 'failover')).filter((p) => p.leaderId === before.id);
    assert.equal(led.length, 1);
    const client = new Admin({ bootstrapServers: cluster.bootstrap });
    const survivor = [...cluster.brokers.keys()].find((id) => id !== before.id)!;
    await client.createTopics([{ name: 'alone', assignments: [[before.id], [survivor]] }]);
    await client.close();
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, deliveryTimeoutMs: 5000, retryBackoffMs: 100 });
    await producer.sendBatch([{ topic: 'alone', partition: 0, value: 'led' }, { topic: 'failover', partition: led[0].partitionIndex, value: 'led' }]);
    await cluster.kill9(before.id);
    let now: { id: number; epoch: number } | null = null;
    await waitUntil('a new controller', 60_000, async () => (now = await controllerOf(cluster)) !== null && now.id !== before.id);
    assert.equal(now!.epoch, before.epoch + 1);
    await waitUntil('failover-* led by live brokers without the dead one in their ISR', 30_000, async () => {
      const parts = await partitionsOf(cluster, 'failover');
      return parts.every((p) => p.leaderId >= 0 && p.leaderId !== before.id && !p.isrNodes.includes(before.id));
    });
    const moved = (await partitionsOf(cluster, 'failover')).find((p) => p.partitionIndex === led[0].partitionIndex)!;
    // The new leader is the first replica, in assignment order, that was in the ISR.
    assert.equal(moved.leaderId, led[0].replicaNodes.find((r) => r !== before.id));
    const state = await withZk(cluster.zkConnect, async (c) => decodePartitionState('failover', moved.partitionIndex,
      (await c.getData(zkPaths.partitionState('failover', moved.partitionIndex))).data));
    assert.equal(state.controllerEpoch, now!.epoch, 'the state was written by the new controller');

    // The producer follows the moved partition, and so learns that alone-0 has no leader now. A batch
    // for it is never sent, so never closed by a request: it expires after deliveryTimeoutMs, as in
    // Java, instead of waiting for a leader.
    await producer.send({ topic: 'failover', partition: led[0].partitionIndex, value: 'moved' });
    const outcome = await Promise.race([
      producer.send({ topic: 'alone', partition: 0, value: 'nowhere' }).then(() => 'sent', (e: Error) => e),
      new Promise((resolve) => setTimeout(resolve, 30_000, 'still waiting after 30 s')),
    ]);
    await producer.close();
    assert.ok(outcome instanceof KafkaTimeoutError && /deliveryTimeoutMs/.test(outcome.message), String(outcome));
    // A new producer writes to the topic's other partition (Java's waitOnMetadata and sticky partitioner).
    const fresh = new Producer({ bootstrapServers: cluster.bootstrap, maxBlockMs: 10_000 });
    assert.equal((await fresh.send({ topic: 'alone', value: 'elsewhere' })).partition, 1);
    await fresh.close();
    await cluster.restart(before.id);
    await cluster.waitForBrokers(3);
  });

  test('SIGTERM: a broker moves the leadership of its replicated partitions to other in-sync replicas before it stops', async () => {
    assert.equal((await admin(cluster, 'create', 'handover', '3', '3')).error, null);
    const parts = await partitionsOf(cluster, 'handover');
    const target = parts[0].leaderId;
    // A partition with a single replica does not hold the shutdown up (Kafka's doControlledShutdown skips it).
    const client = new Admin({ bootstrapServers: cluster.bootstrap });
    await client.createTopics([{ name: 'single', assignments: [[target]] }]);
    await client.close();
    await waitUntil('single-0 led', 30_000, async () => (await partitionsOf(cluster, 'single'))[0]?.leaderId === target);
    const stopped = cluster.stop(target);
    await waitUntil('handover-* led elsewhere', 30_000, async () => (await partitionsOf(cluster, 'handover')).every((p) => p.leaderId !== target));
    assert.equal(await stopped, 0);
    const log = cluster.brokers.get(target)!.logFile;
    assert.match(readFileSync(log, 'utf8'), /controlled shutdown succeeded/);
    await cluster.restart(target);
    await cluster.waitForBrokers(3);
  });

  test('ElectLeaders on the controller: the preferred replica leads again once it is back in the ISR; other brokers answer NOT_CONTROLLER', async () => {
    assert.equal((await admin(cluster, 'create', 'preferred', '1', '3')).error, null);
    const [p0] = await partitionsOf(cluster, 'preferred');
    const preferred = p0.replicaNodes[0];
    await cluster.kill9(preferred);
    await waitUntil('another leader', 60_000, async () => {
      const [p] = await partitionsOf(cluster, 'preferred');
      return p.leaderId >= 0 && p.leaderId !== preferred;
    });
    await cluster.restart(preferred);
    await waitUntil('the preferred replica back in the ISR', 60_000, async () => (await partitionsOf(cluster, 'preferred'))[0].isrNodes.includes(preferred));
    const controller = (await controllerOf(cluster))!.id;
    const elect = async (broker: number, type: number, topicPartitions: ElectLeadersRequest['topicPartitions']): Promise<ElectLeadersResponse> => {
      const raw = await RawClient.connect(cluster.brokers.get(broker)!.port);
      try {
        const r = await raw.request<ElectLeadersResponse>(ApiKey.ElectLeaders, 2, { electionType: type, topicPartitions, timeoutMs: 30_000 } satisfies ElectLeadersRequest);
        assert.ok(r, 'ElectLeaders answered');
        return r;
      } finally {
        raw.close();
      }
    };
    const other = [1, 2, 3].find((id) => id !== controller)!;
    const refused = await elect(other, 0, [{ topic: 'preferred', partitions: [0] }]);
    assert.equal(refused.errorCode, ErrorCode.NOT_CONTROLLER);
    const done = await elect(controller, 0, [{ topic: 'preferred', partitions: [0, 7] }, { topic: 'no-such-topic', partitions: [0] }]);
    assert.equal(done.errorCode, ErrorCode.NONE);
    const results = done.replicaElectionResults.flatMap((t) => t.partitionResult.map((r) => [t.topic, r.partitionId, r.errorCode]));
    assert.deepEqual(results, [
      ['preferred', 0, ErrorCode.NONE],
      ['preferred', 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['no-such-topic', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    await waitUntil('the preferred replica leads', 30_000, async () => (await partitionsOf(cluster, 'preferred'))[0].leaderId === preferred);
    const again = await elect(controller, 0, [{ topic: 'preferred', partitions: [0] }]);
    assert.equal(again.replicaElectionResults[0].partitionResult[0].errorCode, ErrorCode.ELECTION_NOT_NEEDED);
    // Unclean election where a leader exists is not needed either.
    const unclean = await elect(controller, 1, [{ topic: 'preferred', partitions: [0] }]);
    assert.equal(unclean.replicaElectionResults[0].partitionResult[0].errorCode, ErrorCode.ELECTION_NOT_NEEDED);
  });

  test('a broker frozen beyond its ZooKeeper session loses its registration and leadership, then registers again', async () => {
    assert.equal((await admin(cluster, 'create', 'frozen', '3', '3')).error, null);
    const victim = (await partitionsOf(cluster, 'frozen'))[0].leaderId;
    const pid = cluster.brokers.get(victim)!.process!.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitUntil('the frozen broker deregistered', 60_000, async () => {
        const ids = await withZk(cluster.zkConnect, (c) => c.getChildren(zkPaths.brokerIds));
        return !ids.includes(String(victim));
      });
      await waitUntil('frozen-* led elsewhere', 30_000, async () => (await partitionsOf(cluster, 'frozen')).every((p) => p.leaderId !== victim));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitUntil('the broker registered again', 60_000, async () => {
      const ids = await withZk(cluster.zkConnect, (c) => c.getChildren(zkPaths.brokerIds));
      return ids.includes(String(victim));
    });
    await cluster.waitForBrokers(3);
    // Its new session watches again: a later leader change reaches it too.
    const leaders = async (port: number): Promise<string> =>
      JSON.stringify((await requestMetadata(port, ['frozen'])).topics[0].partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch]).sort());
    const other = [1, 2, 3].find((id) => id !== victim)!;
    await cluster.kill9(other);
    await waitUntil('the revived broker sees the leaders the others see', 60_000, async () => {
      const parts = await partitionsOf(cluster, 'frozen');
      if (parts.some((p) => p.leaderId === other || p.leaderId < 0)) return false;
      const third = [1, 2, 3].find((id) => id !== victim && id !== other)!;
      return await leaders(cluster.brokers.get(victim)!.port) === await leaders(cluster.brokers.get(third)!.port);
    });
    await cluster.restart(other);
    await cluster.waitForBrokers(3);
  });
});

test('auto.leader.rebalance.enable: leadership goes back to the preferred replica once it is in sync again', { timeout: 200_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 2, zk, t, overrides: { 'leader.imbalance.check.interval.seconds': 1 } });
  await cluster.waitForBrokers(2);
  assert.equal((await admin(cluster, 'create', 'rebalanced', '2', '2')).error, null);
  const preferred = new Map((await partitionsOf(cluster, 'rebalanced')).map((p) => [p.partitionIndex, p.replicaNodes[0]]));
  const [victim] = [...preferred.values()];
  await cluster.kill9(victim);
  await waitUntil('the other broker leads both', 60_000, async () => (await partitionsOf(cluster, 'rebalanced')).every((p) => p.leaderId >= 0 && p.leaderId !== victim));
  await cluster.restart(victim);
  await waitUntil('each partition led by its preferred replica again', 90_000, async () =>
    (await partitionsOf(cluster, 'rebalanced')).every((p) => p.leaderId === preferred.get(p.partitionIndex)));
});

describe('brokers that must not join', { timeout: 120_000 }, () => {
  const start = (dir: string, overrides: Record<string, string | number>, timeoutMs = 60_000) => {
    const args = [MAIN, 'start', '--override', `log.dirs=${dir}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'];
    for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
    return run(process.execPath, args, { timeoutMs });
  };
  const dirs: string[] = [];
  const freshDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'samsa-misconfigured-'));
    dirs.push(d);
    return d;
  };
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  test('ZooKeeper unreachable: the broker stops within zookeeper.connection.timeout.ms, naming it', async () => {
    const r = await start(freshDir(), { 'broker.id': 1, 'zookeeper.connect': '127.0.0.1:1/nowhere', 'zookeeper.connection.timeout.ms': 2000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /could not connect to ZooKeeper at 127\.0\.0\.1:1 within 2000 ms/);
  });

  test('zookeeper.connect without broker.id is refused', async () => {
    const r = await start(freshDir(), { 'zookeeper.connect': zk.connectString });
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /broker\.id.*required with zookeeper\.connect/);
  });

  test('a duplicate broker.id and a log dir of another cluster are refused; the cluster goes on', async (t) => {
    const cluster = await startCluster({ brokers: 1, zk, t });
    await cluster.waitForBrokers(1);
    const dup = await start(freshDir(), { 'broker.id': 1, 'zookeeper.connect': cluster.zkConnect, 'zookeeper.session.timeout.ms': 6000 });
    assert.equal(dup.code, 1);
    assert.match(dup.stderr + dup.stdout, /broker\.id 1 is already registered in ZooKeeper by another live broker/);

    const foreign = freshDir();
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'meta.properties'), 'version=0\nbroker.id=2\ncluster.id=someOtherClusterId0000\n');
    const wrong = await start(foreign, { 'broker.id': 2, 'zookeeper.connect': cluster.zkConnect });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr + wrong.stdout, /doesn't match stored clusterId someOtherClusterId0000 .*trying to join the wrong cluster/);
    assert.ok(existsSync(join(foreign, 'meta.properties')), 'nothing deleted');
    await cluster.waitForBrokers(1);
  });
});

test('a deposed controller writes nothing: its epoch check fails, it resigns and a new election follows', { timeout: 120_000 }, async () => {
  const connect = `${zk.connectString}/fencing-${Date.now()}`;
  const options = (nodeId: number) => ({ connect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000, nodeId, log: quiet, controllerWaitMs: 20_000 });
  const store = await ZkMetadataStore.open(options(1), undefined);
  const controller = new Controller({ store, nodeId: 1, log: quiet, uncleanLeaderElection: () => false });
  try {
    await store.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 1, rack: null });
    controller.start();
    await waitUntil('broker 1 elected', 30_000, () => controller.isActive);
    const elected = controller.controllerEpoch;
    // Another controller's election moves the epoch on behind this one's back.
    await withZk(connect, async (c) => {
      const { stat } = await c.getData(zkPaths.controllerEpoch);
      await c.setData(zkPaths.controllerEpoch, encodeControllerEpoch(elected + 5), stat.version);
    });
    const topic = await store.createTopic({ name: 'fenced', partitions: 1, replicationFactor: 1, configs: {}, assignments: [[1]] });
    // The deposed controller's write failed; it gave up /controller, and the next election (itself, here) wrote the state.
    assert.equal(topic.partitions[0].leader, 1);
    assert.equal(topic.partitions[0].controllerEpoch, elected + 6);
    assert.equal(controller.controllerEpoch, elected + 6);
  } finally {
    controller.close();
    await store.close();
  }
});

test('two brokers creating the same topic at once: one creates it, the other is told it exists (TopicExistsError)', { timeout: 120_000 }, async () => {
  const connect = `${zk.connectString}/racing-${Date.now()}`;
  // No controller: creation does not wait long for partition states nobody writes.
  const options = (nodeId: number) => ({ connect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000, nodeId, log: quiet, controllerWaitMs: 10 });
  const stores = [await ZkMetadataStore.open(options(1), undefined), await ZkMetadataStore.open(options(2), undefined)];
  try {
    for (let i = 0; i < 10; i++) {
      // As two brokers auto-creating __consumer_offsets for their FindCoordinator requests.
      const spec = { name: `raced-${i}`, partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' }, assignments: [[1]] };
      const outcomes = await Promise.allSettled(stores.map((s) => s.createTopic(spec)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `one creation of ${spec.name} succeeded`);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      assert.ok(refused.reason instanceof TopicExistsError, `the other was told the topic exists: ${String(refused.reason)}`);
      const config = await withZk(connect, (c) => c.getData(zkPaths.topicConfig(spec.name)));
      assert.match(config.data.toString(), /"cleanup.policy":"compact"/);
    }
  } finally {
    for (const s of stores) await s.close();
  }
});
