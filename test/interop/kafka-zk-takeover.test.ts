// Issue 21: an Apache Kafka 2.x cluster taken over in place. ZooKeeper holds what
// three Kafka 2.4 brokers, stopped one after the other, left in a chroot (the
// znodes and JSON Kafka 2.4 writes); their log dirs hold partitions Kafka 2.4.1
// wrote (shared/reference/kafka-2.4.1-logdir, and a consumer group's offsets in
// test/fixtures/kafka-2.4.1-consumer-offsets). Three Samsa brokers started with
// the same broker.ids, zookeeper.connect and log.dirs serve it all: topics,
// assignments, configs, leaders (leader epochs going on from Kafka's), every
// record at Kafka's offsets, the group's offsets, producer state. Broker 1 had
// crashed with a torn segment: it recovers it and catches up. Brokers that must
// not join (another cluster's log dir, a taken broker.id, a live Kafka broker in
// the cluster) are refused with a clear message and delete nothing.
import assert from 'node:assert/strict';
import {
  cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { SAMSA_SOFTWARE } from '../../src/cluster/zk-metadata-store.js';
import {
  PERSISTENT_PATHS, decodeBrokerInfo, decodeProducerIdBlock, decodeTopicAssignment, decodeTopicId, encodeBrokerInfo, encodeClusterId,
  encodeConfigChange, encodeControllerEpoch, encodeEntityConfig, encodePartitionState, encodeProducerIdBlock, encodeTopicAssignment, zkPaths,
  type ZkPartitionState,
} from '../../src/cluster/zk-layout.js';
import { ZooKeeperClient } from '../../src/cluster/zookeeper-client.js';
import { startCluster, requestMetadata, type Cluster } from '../helpers/cluster.js';
import { kcat, python, run } from '../helpers/clients.js';
import {
  KAFKA_LOGDIR, KAFKA_LOGDIR_CLUSTER_ID, KAFKA_PARTITIONS, abortedRanges, dumpedRecords, kcatRows,
} from '../helpers/kafka-reference.js';
import { waitUntil } from '../helpers/wait.js';
import { startZooKeeper, type ZooKeeperServer } from '../helpers/zookeeper.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const GROUP_FIXTURE = fileURLToPath(new URL('../../../test/fixtures/kafka-2.4.1-consumer-offsets/', import.meta.url));
const GROUP = 'takeover-group';
const CHROOT = '/kafka-2.4';

interface KafkaPartition extends ZkPartitionState {
  replicas: number[];
}

const state = (replicas: number[], leader: number, leaderEpoch: number, isr: number[], controllerEpoch: number): KafkaPartition =>
  ({ replicas, leader, leaderEpoch, isr, controllerEpoch });

/**
 * What Kafka left after brokers 1, 2 and 3 stopped in that order (the controller epoch reached 3): each
 * stop moved leadership to an in-sync replica still running and took the broker out of the ISRs,
 * leader epoch + 1 each time; a partition whose last in-sync replica stopped is leaderless, that
 * replica kept in its ISR. Configs as kafka-topics --config / kafka-configs --alter wrote them.
 */
const KAFKA_TOPICS: Record<string, { configs: Record<string, string>; partitions: KafkaPartition[] }> = {
  'corpus-plain': {
    configs: { 'segment.bytes': '2048', 'index.interval.bytes': '512' },
    partitions: [state([1, 2, 3], 3, 2, [3], 2), state([2, 3, 1], 3, 2, [3], 2)],
  },
  'corpus-logappend': {
    configs: { 'message.timestamp.type': 'LogAppendTime', 'segment.bytes': '2048' },
    partitions: [state([1], -1, 1, [1], 2)],
  },
  'corpus-compact': {
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'min.cleanable.dirty.ratio': '0.01', 'index.interval.bytes': '256' },
    partitions: [state([2, 1], -1, 2, [2], 3)],
  },
  'corpus-txn': {
    configs: { 'index.interval.bytes': '512' },
    partitions: [state([3, 1, 2], 3, 2, [3], 2)],
  },
  // offsets.topic.num.partitions=4 (the fixture's group is in partition 3); Kafka's configs of the topic.
  __consumer_offsets: {
    configs: { 'compression.type': 'producer', 'cleanup.policy': 'compact', 'segment.bytes': '104857600' },
    partitions: [state([1, 2, 3], 3, 2, [3], 2), state([2, 3, 1], 3, 2, [3], 2), state([3, 1, 2], 3, 2, [3], 2), state([1, 2, 3], 3, 2, [3], 2)],
  },
};

/** Log end offsets of the partitions with data (the reference's, and the group's partition). */
const LOG_END: Record<string, number> = {
  'corpus-plain-0': 171, 'corpus-plain-1': 171, 'corpus-logappend-0': 30, 'corpus-compact-0': 48, 'corpus-txn-0': 15, '__consumer_offsets-3': 3,
};

/** Broker 1 crashed while appending: its copy of corpus-plain-0 ends in half a batch, past its recovery point. */
const TORN = { partition: 'corpus-plain-0', segment: '00000000000000000147.log', keptBytes: 1044 + 100, recoveryPoint: 147 };

/** Writes Kafka 2.4's znodes for the stopped cluster, as its brokers and tools created them. */
async function writeKafkaZnodes(connect: string): Promise<void> {
  const zk = await ZooKeeperClient.connect({ connect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000 });
  try {
    for (const path of PERSISTENT_PATHS) await zk.createParents(path);
    await zk.createParents('/cluster');
    await zk.create(zkPaths.clusterId, encodeClusterId(KAFKA_LOGDIR_CLUSTER_ID));
    await zk.create(zkPaths.controllerEpoch, encodeControllerEpoch(3));
    await zk.setData(zkPaths.producerIdBlock, encodeProducerIdBlock({ brokerId: 3, blockStart: 0n, blockEnd: 999n }));
    for (const [name, topic] of Object.entries(KAFKA_TOPICS)) {
      await zk.create(zkPaths.topicConfig(name), encodeEntityConfig(topic.configs));
      const assignment = new Map(topic.partitions.map((p, i) => [i, { replicas: p.replicas, addingReplicas: [], removingReplicas: [] }]));
      await zk.create(zkPaths.topic(name), encodeTopicAssignment(assignment));
      for (const [i, p] of topic.partitions.entries()) {
        await zk.createParents(zkPaths.partition(name, i));
        await zk.create(zkPaths.partitionState(name, i), encodePartitionState(p));
      }
    }
    // kafka-configs --alter after creation leaves a change notification each.
    for (const topic of ['corpus-compact', 'corpus-plain']) {
      await zk.create(zkPaths.configChangePrefix, encodeConfigChange({ entityType: 'topics', entityName: topic }), 'persistent_sequential');
    }
  } finally {
    await zk.close();
  }
}

/** A Kafka checkpoint file (version, count, "topic partition offset" lines) for the partitions a broker holds. */
function checkpoint(entries: [partitionDir: string, offset: number][]): string {
  const lines = entries.map(([dir, offset]) => `${dir.replace(/-(\d+)$/, ' $1')} ${offset}`);
  return ['0', String(lines.length), ...lines].join('\n') + '\n';
}

/** Kafka's files of a partition (the reference's dumps left out). */
function copyPartition(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.dump.txt') });
}

/** A log dir of a Kafka 2.4 broker: meta.properties, the partitions it holds, its checkpoints, and the clean-shutdown marker if it stopped cleanly. */
function kafkaLogDir(dir: string, brokerId: number, clean: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.properties'), `#\n#Mon Nov 23 11:56:30 UTC 2026\nbroker.id=${brokerId}\nversion=0\ncluster.id=${KAFKA_LOGDIR_CLUSTER_ID}\n`);
  const held: string[] = [];
  for (const [name, topic] of Object.entries(KAFKA_TOPICS)) {
    topic.partitions.forEach((p, i) => {
      const partitionDir = `${name}-${i}`;
      if (!p.replicas.includes(brokerId) || LOG_END[partitionDir] === undefined) return;
      copyPartition(name === '__consumer_offsets' ? join(GROUP_FIXTURE, partitionDir) : join(KAFKA_LOGDIR, partitionDir), join(dir, partitionDir));
      held.push(partitionDir);
    });
  }
  const torn = !clean && held.includes(TORN.partition);
  if (torn) truncateSync(join(dir, TORN.partition, TORN.segment), TORN.keptBytes);
  writeFileSync(join(dir, 'replication-offset-checkpoint'), checkpoint(held.map((d) => [d, LOG_END[d]])));
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), checkpoint(held.map((d) => [d, torn && d === TORN.partition ? TORN.recoveryPoint : LOG_END[d]])));
  writeFileSync(join(dir, 'log-start-offset-checkpoint'), checkpoint(held.includes('corpus-plain-1') ? [['corpus-plain-1', 50]] : []));
  writeFileSync(join(dir, 'cleaner-offset-checkpoint'), checkpoint(held.includes('corpus-compact-0') ? [['corpus-compact-0', 40]] : []));
  if (clean) writeFileSync(join(dir, '.kafka_cleanshutdown'), '');
}

/** Every file under dir (relative path → size). */
function files(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), statSync(path).size);
    }
  };
  walk(dir);
  return out;
}

/**
 * Every file of `before` is still in dir, each segment with its size (a refused broker may have opened
 * the logs of its partitions, which rewrites index files, but it deletes nothing).
 */
function assertKept(dir: string, before: Map<string, number>): void {
  const now = files(dir);
  for (const [path, size] of before) {
    assert.ok(now.has(path), `${path} kept`);
    if (path.endsWith('.log')) assert.equal(now.get(path), size, `${path} unchanged`);
  }
}

async function withZk<T>(connect: string, fn: (zk: ZooKeeperClient) => Promise<T>): Promise<T> {
  const zk = await ZooKeeperClient.connect({ connect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000 });
  try {
    return await fn(zk);
  } finally {
    await zk.close();
  }
}

/** `samsa start` that is expected to be refused: its exit code and output. */
function startRefused(dataDir: string, overrides: Record<string, string | number>): Promise<{ code: number | null; output: string }> {
  const args = [MAIN, 'start', '--override', `log.dirs=${dataDir}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  return run(process.execPath, args, { timeoutMs: 60_000 }).then((r) => ({ code: r.code, output: r.stdout + r.stderr }));
}

describe('a Kafka 2.4 cluster in ZooKeeper, taken over by three Samsa brokers', { timeout: 420_000 }, () => {
  let zk: ZooKeeperServer;
  let cluster: Cluster;
  let root: string;
  let connect: string;
  const dataDirs: Record<number, string> = {};
  let broker1Before: Map<string, number>;

  before(async () => {
    zk = await startZooKeeper();
    connect = `${zk.connectString}${CHROOT}`;
    await writeKafkaZnodes(connect);
    root = mkdtempSync(join(tmpdir(), 'samsa-takeover-'));
    for (const id of [1, 2, 3]) {
      dataDirs[id] = join(root, `kafka-logs-${id}`);
      kafkaLogDir(dataDirs[id], id, id !== 1);
    }
    broker1Before = files(dataDirs[1]);
    cluster = await startCluster({
      brokers: 3,
      zk,
      chroot: CHROOT,
      dataDirs,
      // Broker 3, the last Kafka broker stopped, first: it leads what it led (another broker first would see it dead and move its partitions offline).
      startFirst: [3],
      // Leaders stay where the take-over put them for the test's duration (the preferred-leader rebalance would move some).
      overrides: { 'auto.leader.rebalance.enable': false },
    });
    await cluster.waitForBrokers(1);
    await Promise.all([cluster.restart(1), cluster.restart(2)]);
    await cluster.waitForBrokers(3);
  });

  after(async () => {
    await cluster?.close();
    await zk?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('topics and assignments as Kafka wrote them; topics get ids (Kafka 2.8\'s version 3 znode), their partitions and configs untouched', async () => {
    const m = await cluster.metadata(Object.keys(KAFKA_TOPICS));
    for (const [name, topic] of Object.entries(KAFKA_TOPICS)) {
      const t = m.topics.find((x) => x.name === name);
      assert.ok(t && t.errorCode === 0, name);
      assert.deepEqual(t.partitions.map((p) => p.replicaNodes), topic.partitions.map((p) => p.replicas), name);
      assert.equal(t.isInternal, name === '__consumer_offsets');
    }
    await withZk(connect, async (c) => {
      for (const [name, topic] of Object.entries(KAFKA_TOPICS)) {
        const data = (await c.getData(zkPaths.topic(name))).data;
        assert.equal(JSON.parse(data.toString()).version, 3);
        const id = decodeTopicId(name, data);
        assert.ok(id && m.topics.find((x) => x.name === name)!.topicId.equals(id), `${name}'s id in Metadata`);
        assert.deepEqual([...decodeTopicAssignment(name, data).values()].map((a) => a.replicas), topic.partitions.map((p) => p.replicas));
        assert.deepEqual((await c.getData(zkPaths.topicConfig(name))).data, encodeEntityConfig(topic.configs), `${name}'s config znode`);
      }
    });
    const described = await python<Record<string, Record<string, string>>>('takeover_check.py', [cluster.bootstrap, 'configs', ...Object.keys(KAFKA_TOPICS)]);
    for (const [name, topic] of Object.entries(KAFKA_TOPICS)) assert.deepEqual(described[name], topic.configs, name);
  });

  test('leaders as Kafka left them, leader epochs going on from Kafka\'s; every replica back in the ISR', async () => {
    let seen = '';
    await waitUntil('every ISR complete', 90_000, async () => {
      const m = await cluster.metadata(Object.keys(KAFKA_TOPICS));
      seen = JSON.stringify(m.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.isrNodes])]));
      return m.topics.every((t) => t.partitions.every((p) => p.leaderId >= 0 && p.isrNodes.length === p.replicaNodes.length));
    }).catch((e: Error) => { throw new Error(`${e.message}; last seen ${seen}\n${cluster.describe()}`); });
    for (const id of [1, 2, 3]) {
      const m = await requestMetadata(cluster.brokers.get(id)!.port, Object.keys(KAFKA_TOPICS));
      for (const [name, topic] of Object.entries(KAFKA_TOPICS)) {
        const got = m.topics.find((t) => t.name === name)!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
        // A leader Kafka left stays, at its epoch; a leaderless partition is led by the replica it kept in its ISR, one epoch on.
        const expected = topic.partitions.map((p) => (p.leader >= 0 ? [p.leader, p.leaderEpoch] : [p.isr[0], p.leaderEpoch + 1]));
        assert.deepEqual(got.map((p) => [p.leaderId, p.leaderEpoch]), expected, `${name} seen by broker ${id}`);
      }
    }
  });

  for (const [topic, partition, logStart] of KAFKA_PARTITIONS) {
    test(`${topic}-${partition}: every record at the offset of Kafka's dump`, async () => {
      const expected = dumpedRecords(`${topic}-${partition}`, logStart);
      assert.ok(expected.length > 0);
      assert.deepEqual(await kcatRows(cluster.bootstrap, topic, partition), expected);
    });
  }

  test('corpus-txn-0: read_committed skips the transaction Kafka aborted', async () => {
    const aborted = abortedRanges('corpus-txn-0');
    const committed = dumpedRecords('corpus-txn-0', 0).filter(([o]) => !aborted.some(([, first, last]) => o >= first && o <= last));
    assert.deepEqual(await kcatRows(cluster.bootstrap, 'corpus-txn', 0, 'read_committed'), committed);
  });

  test('the consumer group\'s offsets Kafka committed are the group\'s offsets', async () => {
    const committed = await python<Record<string, number>>('takeover_check.py', [cluster.bootstrap, 'committed', GROUP, 'corpus-plain:0', 'corpus-plain:1', 'corpus-txn:0']);
    assert.deepEqual(committed, { 'corpus-plain:0': 100, 'corpus-plain:1': 120, 'corpus-txn:0': 12 });
  });

  test('producer ids: new ones come after the block Kafka claimed in /latest_producer_id_block', async () => {
    // (Kafka's own producers in corpus-txn-0's snapshot are older than producer.id.expiration.ms by now: Kafka drops them on load, as Samsa does.)
    await kcat(['-b', cluster.bootstrap, '-P', '-t', 'corpus-txn', '-p', '0', '-X', 'enable.idempotence=true'], 'after the take-over\n');
    const block = await withZk(connect, async (c) => decodeProducerIdBlock((await c.getData(zkPaths.producerIdBlock)).data));
    assert.ok(block.blockStart >= 1000n, `claimed after Kafka's block 0-999: ${block.blockStart}`);
    const r = await run(process.execPath, [MAIN, 'transactions', '--bootstrap-server', cluster.bootstrap, 'describe-producers',
      '--topic', 'corpus-txn', '--partition', '0', '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { ProducerId: string }[]).map((p) => BigInt(p.ProducerId));
    assert.equal(ids.length, 1);
    assert.ok(ids[0] >= 1000n, `producer id ${ids[0]} after Kafka's block`);
  });

  test('broker 1\'s torn segment: recovered to its last whole batch, caught up from the leader, and nothing else of its log dir gone', async () => {
    const log = readFileSync(cluster.brokers.get(1)!.logFile, 'utf8');
    assert.doesNotMatch(log, /deleting corpus|deleting __consumer_offsets/);
    const now = files(dataDirs[1]);
    for (const [path, size] of broker1Before) {
      if (path.endsWith('.index') || path.endsWith('.timeindex') || path.endsWith('checkpoint') || path.endsWith('.snapshot')) continue;
      if (path === join(TORN.partition, TORN.segment)) continue;
      assert.equal(now.get(path), size, `${path} kept as Kafka wrote it`);
    }
    // Whole again: the rest of the batch came from the leader.
    assert.ok(now.get(join(TORN.partition, TORN.segment))! > TORN.keptBytes);
    // Broker 1 leading corpus-plain-0 serves Kafka's records from its own copy.
    assert.equal(await cluster.stop(3), 0);
    try {
      await waitUntil('broker 1 leads corpus-plain-0', 60_000, async () => (await cluster.leaderOf('corpus-plain', 0)) === 1);
      assert.deepEqual(await kcatRows(cluster.bootstrap, 'corpus-plain', 0), dumpedRecords('corpus-plain-0', 0));
    } finally {
      await cluster.restart(3);
      await cluster.waitForBrokers(3);
    }
  });

  describe('brokers that must not join', () => {
    const refusedDir = (name: string, brokerId: number, clusterId: string, partitions: string[]): string => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'meta.properties'), `version=0\nbroker.id=${brokerId}\ncluster.id=${clusterId}\n`);
      for (const p of partitions) copyPartition(join(KAFKA_LOGDIR, p), join(dir, p));
      return dir;
    };

    test('a log dir of another cluster: refused, nothing deleted', async () => {
      const dir = refusedDir('other-cluster', 4, 'someOtherClusterId0000', ['corpus-txn-0']);
      const before = files(dir);
      const r = await startRefused(dir, { 'broker.id': 4, 'zookeeper.connect': connect });
      assert.equal(r.code, 1);
      assert.match(r.output, new RegExp(`The Cluster ID ${KAFKA_LOGDIR_CLUSTER_ID} doesn't match stored clusterId someOtherClusterId0000 .*trying to join the wrong cluster`));
      assert.deepEqual(files(dir), before);
    });

    test('a log dir of a KRaft-mode Kafka broker: refused (its metadata is not in ZooKeeper), nothing deleted', async () => {
      const dir = refusedDir('kraft', 4, KAFKA_LOGDIR_CLUSTER_ID, ['corpus-txn-0']);
      writeFileSync(join(dir, 'meta.properties'), `version=1\nnode.id=4\ncluster.id=${KAFKA_LOGDIR_CLUSTER_ID}\ndirectory.id=rWO8Pl1lT0eOQ0OL2AOkqg\n`);
      mkdirSync(join(dir, '__cluster_metadata-0'));
      writeFileSync(join(dir, '__cluster_metadata-0', '00000000000000000000.log'), '');
      const before = files(dir);
      const r = await startRefused(dir, { 'broker.id': 4, 'zookeeper.connect': connect });
      assert.equal(r.code, 1);
      assert.match(r.output, /was written by a Kafka broker in KRaft mode \(version=1\): Samsa reads ZooKeeper-mode metadata only/);
      assert.deepEqual(files(dir), before);
    });

    test('a single-node Samsa log dir (samsa-metadata.json): refused (its topics are not in ZooKeeper), nothing deleted', async () => {
      const dir = refusedDir('single-node', 4, KAFKA_LOGDIR_CLUSTER_ID, ['corpus-txn-0']);
      writeFileSync(join(dir, 'samsa-metadata.json'), '{}');
      const before = files(dir);
      const r = await startRefused(dir, { 'broker.id': 4, 'zookeeper.connect': connect });
      assert.equal(r.code, 1);
      assert.match(r.output, /says this log dir belongs to a single-node Samsa broker, whose topics are not in ZooKeeper/);
      assert.deepEqual(files(dir), before);
    });

    test('a second broker with broker.id 2: refused while the first one\'s session lives, nothing deleted', async () => {
      // corpus-logappend-0 is no replica of broker 2's: a broker that joined would delete it.
      const dir = refusedDir('same-id', 2, KAFKA_LOGDIR_CLUSTER_ID, ['corpus-logappend-0']);
      const before = files(dir);
      const r = await startRefused(dir, { 'broker.id': 2, 'zookeeper.connect': connect, 'zookeeper.session.timeout.ms': 6000 });
      assert.equal(r.code, 1);
      assert.match(r.output, /broker\.id 2 is already registered in ZooKeeper by another live broker/);
      assertKept(dir, before);
      assert.ok(cluster.brokers.get(2)!.process, 'the first broker 2 runs on');
      await cluster.waitForBrokers(3);
    });

    test('a live Apache Kafka broker in the cluster: a Samsa broker refuses to start, naming it; the running ones log it and leave it out', async () => {
      const kafka = await ZooKeeperClient.connect({ connect, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000 });
      try {
        // Kafka 2.4's registration, as it writes it (no "software" field).
        const registration = encodeBrokerInfo({
          id: 9, endpoints: [{ listener: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 1 }], rack: null, jmxPort: -1, timestamp: Date.now(),
        });
        assert.equal(decodeBrokerInfo(9, registration).software, undefined);
        await kafka.create(zkPaths.broker(9), registration, 'ephemeral');
        const dir = refusedDir('beside-kafka', 4, KAFKA_LOGDIR_CLUSTER_ID, ['corpus-txn-0']);
        const before = files(dir);
        const r = await startRefused(dir, { 'broker.id': 4, 'zookeeper.connect': connect });
        assert.equal(r.code, 1);
        assert.match(r.output, /Apache Kafka broker 9 is live in the cluster at .*kafka-2\.4.*stop every Kafka broker first, then start Samsa brokers with the same broker\.id, zookeeper\.connect and log\.dirs/s);
        assert.deepEqual(files(dir), before);
        for (const id of [1, 2, 3]) {
          const logFile = cluster.brokers.get(id)!.logFile;
          await waitUntil(`broker ${id} logs the Kafka broker`, 30_000, () => /an Apache Kafka broker \(id 9\) registered in this cluster/.test(readFileSync(logFile, 'utf8')));
        }
        // Not one of Samsa's live brokers: not in Metadata, no leader, no replica in any ISR.
        const m = await cluster.metadata();
        assert.deepEqual(m.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
      } finally {
        await kafka.close();
      }
      // Samsa's own registrations carry the marker.
      await withZk(connect, async (c) => {
        for (const id of [1, 2, 3]) assert.equal(decodeBrokerInfo(id, (await c.getData(zkPaths.broker(id))).data).software, SAMSA_SOFTWARE);
      });
    });

  });
});
