// Partition reassignment (KIP-455) and rack-aware placement on a real cluster:
// ZooKeeper and three broker processes on racks a, a and b. Reassignments go
// through @platformatic/kafka's AlterPartitionReassignments and
// ListPartitionReassignments; records through kcat; topics through
// confluent-kafka's admin client.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ConfigResourceTypes, IncrementalAlterConfigOperationTypes, alterPartitionReassignmentsV0, createPartitionsV3, describeConfigsV4,
  incrementalAlterConfigsV1, listPartitionReassignmentsV0,
} from '@platformatic/kafka';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { kcat, python } from '../helpers/clients.js';
import { withConnection } from '../helpers/platformatic.js';
import { waitUntil } from '../helpers/wait.js';

const RACKS: Record<number, string> = { 1: 'a', 2: 'a', 3: 'b' };
/** Bound for a reassignment to finish (followers fetch and join the ISR). */
const MOVE_MS = 60_000;

type Alter = Awaited<ReturnType<typeof alterPartitionReassignmentsV0.api.async>>;
type List = Awaited<ReturnType<typeof listPartitionReassignmentsV0.api.async>>;

/** The response, also when @platformatic/kafka throws it as a ResponseError (any error code). */
async function answerOf<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    const response = (err as { response?: T }).response;
    if (response === undefined) throw err;
    return response;
  }
}

let cluster: Cluster;

async function controllerPort(): Promise<number> {
  const id = (await cluster.metadata()).controllerId;
  return cluster.brokers.get(id)!.port;
}

function alter(topic: string, partition: number, replicas: number[] | null, port?: number): Promise<Alter> {
  return (async () => withConnection(port ?? await controllerPort(), (c) =>
    answerOf(alterPartitionReassignmentsV0.api.async(c, 30_000, false, [{ name: topic, partitions: [{ partitionIndex: partition, replicas }] }]))))();
}

async function list(topics: { name: string; partitionIndexes: number[] }[] | null): Promise<List> {
  return withConnection(await controllerPort(), (c) => answerOf(listPartitionReassignmentsV0.api.async(c, 30_000, topics)));
}

/** The single partition outcome of an alter. */
function outcome(r: Alter): [string, string | null] {
  assert.equal(r.errorCode, 0, `top-level error ${r.errorCode} ${r.errorMessage}`);
  const p = r.responses[0].partitions[0];
  return [Object.entries(ErrorCode).find(([, code]) => code === p.errorCode)![0], p.errorMessage ?? null];
}

async function partition(topic: string, p = 0): Promise<{ leaderId: number; replicaNodes: number[]; isrNodes: number[] }> {
  const t = (await cluster.metadata([topic])).topics.find((x) => x.name === topic);
  const found = t?.partitions.find((x) => x.partitionIndex === p);
  assert.ok(found, `${topic}-${p} in the metadata`);
  return found;
}

async function createTopic(name: string, partitions: number, replicationFactor: number): Promise<void> {
  const r = await python<{ error: unknown }>('cluster_admin.py', [cluster.bootstrap, 'create', name, String(partitions), String(replicationFactor)]);
  assert.equal(r.error, null);
}

async function produce(topic: string, values: string[]): Promise<void> {
  await kcat(['-P', '-b', cluster.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], `${values.join('\n')}\n`);
}

/** Every record of partition 0 from the broker `id` alone, as values. */
async function consumeFrom(id: number, topic: string): Promise<string[]> {
  const out = await kcat(['-C', '-b', `127.0.0.1:${cluster.brokers.get(id)!.port}`, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q']);
  return out.split('\n').filter((l) => l !== '');
}

/** Sets configs of one resource through the broker on `port` (IncrementalAlterConfigs). */
async function setConfigs(port: number, resourceType: number, resourceName: string, configs: Record<string, string>): Promise<void> {
  const r = await withConnection(port, (c) => incrementalAlterConfigsV1.api.async(c, [{
    resourceType: resourceType as never,
    resourceName,
    configs: Object.entries(configs).map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET })),
  }], false));
  assert.equal(r.responses[0].errorCode, 0, r.responses[0].errorMessage ?? '');
}

/** A topic config as the broker on `port` sees it (DescribeConfigs). */
async function topicConfig(port: number, topic: string, name: string): Promise<string | null> {
  const r = await withConnection(port, (c) => describeConfigsV4.api.async(c, [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [name] }], false, false));
  return r.results[0].configs.find((e) => e.name === name)?.value ?? null;
}

/** Waits until the reassignment is over: nothing listed, and the metadata shows `replicas` all in sync. */
async function waitForMove(topic: string, replicas: number[]): Promise<void> {
  let seen = '';
  await waitUntil(`${topic}-0 on [${replicas.join(',')}] (last seen ${seen})`, MOVE_MS, async () => {
    const listed = await list([{ name: topic, partitionIndexes: [0] }]);
    const p = await partition(topic);
    seen = `replicas ${p.replicaNodes.join(',')} isr ${p.isrNodes.join(',')}, listed ${listed.topics.length}`;
    return listed.topics.length === 0 && p.replicaNodes.join() === replicas.join() && [...p.isrNodes].sort().join() === [...replicas].sort().join();
  });
}

describe('partition reassignment and rack-aware placement on three brokers', { timeout: 400_000 }, () => {
  before(async () => {
    cluster = await startCluster({
      brokers: 3,
      // Small replica fetches, so that a throttled follower gets a few batches at a time.
      overrides: { 'auto.leader.rebalance.enable': false, 'replica.fetch.max.bytes': 1024 },
      brokerOverrides: Object.fromEntries(Object.entries(RACKS).map(([id, rack]) => [Number(id), { 'broker.rack': rack }])),
    });
    await cluster.waitForBrokers(3);
  });
  after(async () => { await cluster.close(); });

  test('replicas of a new topic are spread over both racks, and so are added partitions', async () => {
    const m = await cluster.metadata();
    assert.deepEqual(Object.fromEntries(m.brokers.map((b) => [b.nodeId, b.rack])), RACKS);
    await createTopic('racked', 6, 2);
    const grown = await withConnection(await controllerPort(), (c) => createPartitionsV3.api.async(c, [{ name: 'racked', count: 9 }], 30_000, false));
    assert.equal(grown.results[0].errorCode, 0);
    const parts = (await cluster.metadata(['racked'])).topics[0].partitions;
    assert.equal(parts.length, 9);
    for (const p of parts) {
      assert.deepEqual(new Set(p.replicaNodes.map((id) => RACKS[id])), new Set(['a', 'b']), `partition ${p.partitionIndex} on ${p.replicaNodes.join(',')}`);
    }
    // The rack-alternated list is 1, 3, 2: every broker leads two of the first six.
    const leaders = parts.slice(0, 6).map((p) => p.replicaNodes[0]);
    for (const id of [1, 2, 3]) assert.equal(leaders.filter((l) => l === id).length, 2);
  });

  test('a partition moves to another broker: its records are readable there and the old replica\'s log is deleted', async () => {
    await createTopic('moving', 1, 1);
    const from = (await partition('moving')).replicaNodes[0];
    const to = from === 3 ? 1 : 3;
    const values = Array.from({ length: 50 }, (_, i) => `moving-${i}`);
    await produce('moving', values);
    assert.deepEqual(outcome(await alter('moving', 0, [to])), ['NONE', null]);
    await waitForMove('moving', [to]);
    assert.equal((await partition('moving')).leaderId, to);
    assert.deepEqual(await consumeFrom(to, 'moving'), values);
    const oldDir = join(cluster.brokers.get(from)!.dataDir, 'moving-0');
    await waitUntil(`the log ${oldDir} to be deleted`, 30_000, () => !existsSync(oldDir));
    // New records go to the new leader.
    await produce('moving', ['after-move']);
    assert.deepEqual((await consumeFrom(to, 'moving')).slice(-1), ['after-move']);
  });

  test('replication factor 2 to 3: the added replica catches up and joins the ISR', async () => {
    await createTopic('growing', 1, 2);
    const before = (await partition('growing')).replicaNodes;
    const added = [1, 2, 3].find((id) => !before.includes(id))!;
    const values = Array.from({ length: 30 }, (_, i) => `growing-${i}`);
    await produce('growing', values);
    const target = [...before, added];
    assert.deepEqual(outcome(await alter('growing', 0, target)), ['NONE', null]);
    await waitForMove('growing', target);
    assert.equal((await partition('growing')).leaderId, before[0], 'the leader stays when it is a target replica');
    assert.ok(existsSync(join(cluster.brokers.get(added)!.dataDir, 'growing-0')));
  });

  test('a throttled reassignment is listed while in progress, blocks adding partitions, and is cancelled', async () => {
    await createTopic('throttled', 1, 1);
    const from = (await partition('throttled')).replicaNodes[0];
    const target = from === 1 ? 2 : 1;
    // A hundred batches of one record: far more than the quota lets through in the test's time.
    const values = Array.from({ length: 100 }, (_, i) => `throttled-${i}`);
    await kcat(['-P', '-b', cluster.bootstrap, '-t', 'throttled', '-p', '0', '-X', 'batch.num.messages=1', '-X', 'linger.ms=0'], `${values.join('\n')}\n`);
    // As kafka-reassign-partitions.sh --throttle: the leader's and the moving replica's sides, 1 byte/s.
    await setConfigs(cluster.brokers.get(from)!.port, ConfigResourceTypes.BROKER, String(from), { 'leader.replication.throttled.rate': '1' });
    await setConfigs(cluster.brokers.get(target)!.port, ConfigResourceTypes.BROKER, String(target), { 'follower.replication.throttled.rate': '1' });
    await setConfigs(cluster.brokers.get(from)!.port, ConfigResourceTypes.TOPIC, 'throttled', {
      'leader.replication.throttled.replicas': `0:${from}`, 'follower.replication.throttled.replicas': `0:${target}`,
    });
    for (const id of [from, target]) {
      await waitUntil(`broker ${id} to see the throttled replicas`, 30_000, async () =>
        await topicConfig(cluster.brokers.get(id)!.port, 'throttled', 'follower.replication.throttled.replicas') === `0:${target}`);
    }
    assert.deepEqual(outcome(await alter('throttled', 0, [target])), ['NONE', null]);
    const expected = { partitionIndex: 0, replicas: [target, from], addingReplicas: [target], removingReplicas: [from] };
    assert.deepEqual((await list(null)).topics, [{ name: 'throttled', partitions: [expected] }]);
    assert.deepEqual((await list([{ name: 'throttled', partitionIndexes: [0, 7] }, { name: 'nowhere', partitionIndexes: [0] }])).topics,
      [{ name: 'throttled', partitions: [expected] }]);
    const meta = await partition('throttled');
    assert.deepEqual([meta.leaderId, meta.replicaNodes, meta.isrNodes], [from, [target, from], [from]]);
    const grow = await withConnection(await controllerPort(), (c) => answerOf(createPartitionsV3.api.async(c, [{ name: 'throttled', count: 2 }], 30_000, false)));
    assert.deepEqual([grow.results[0].errorCode, grow.results[0].errorMessage],
      [ErrorCode.REASSIGNMENT_IN_PROGRESS, 'A partition reassignment is in progress for the topic \'throttled\'.']);
    // Cancelled: back to the original replica; the target's partial copy is deleted.
    assert.deepEqual(outcome(await alter('throttled', 0, null)), ['NONE', null]);
    await waitForMove('throttled', [from]);
    await waitUntil('the cancelled replica\'s log to be deleted', 30_000, () => !existsSync(join(cluster.brokers.get(target)!.dataDir, 'throttled-0')));
    assert.deepEqual(await consumeFrom(from, 'throttled'), values);
    assert.deepEqual(outcome(await alter('throttled', 0, null)), ['NO_REASSIGNMENT_IN_PROGRESS', 'No partition reassignment is in progress.']);
  });

  test('bad reassignments fail with Kafka\'s errors and leave the cluster as it was', async () => {
    await createTopic('kept', 1, 2);
    const before = await partition('kept');
    await produce('kept', ['x']);
    assert.deepEqual(outcome(await alter('kept', 0, [before.replicaNodes[0], 42])), ['INVALID_REPLICA_ASSIGNMENT',
      'Replica assignment has brokers that are not alive. Replica list: ArrayBuffer(42), live broker list: Set(1, 2, 3)']);
    assert.deepEqual(outcome(await alter('kept', 0, [])), ['INVALID_REPLICA_ASSIGNMENT', 'Empty replica list specified in partition reassignment.']);
    assert.deepEqual(outcome(await alter('kept', 0, [1, 1])), ['INVALID_REPLICA_ASSIGNMENT', 'Duplicate replica ids in partition reassignment replica list: ArrayBuffer(1, 1)']);
    assert.deepEqual(outcome(await alter('kept', 0, [-1])), ['INVALID_REPLICA_ASSIGNMENT', 'Invalid broker id in replica list: ArrayBuffer(-1)']);
    assert.deepEqual(outcome(await alter('kept', 0, null)), ['NO_REASSIGNMENT_IN_PROGRESS', 'No partition reassignment is in progress.']);
    assert.deepEqual(outcome(await alter('kept', 5, [1])), ['UNKNOWN_TOPIC_OR_PARTITION', 'The partition does not exist.']);
    assert.deepEqual(outcome(await alter('no-such-topic', 0, [1])), ['UNKNOWN_TOPIC_OR_PARTITION', 'The partition does not exist.']);
    // Another broker than the controller refuses at the top level.
    const controller = (await cluster.metadata()).controllerId;
    const other = [1, 2, 3].find((id) => id !== controller)!;
    const refused = await alter('kept', 0, [1], cluster.brokers.get(other)!.port);
    assert.deepEqual([refused.errorCode, refused.errorMessage, refused.responses], [ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.', []]);
    const listRefused = await withConnection(cluster.brokers.get(other)!.port, (c) => answerOf(listPartitionReassignmentsV0.api.async(c, 30_000, null)));
    assert.equal(listRefused.errorCode, ErrorCode.NOT_CONTROLLER);
    // Unharmed: same replicas and leader, records still readable and writable.
    const now = await partition('kept');
    assert.deepEqual([now.leaderId, now.replicaNodes], [before.leaderId, before.replicaNodes]);
    await produce('kept', ['y']);
    assert.deepEqual(await consumeFrom(now.leaderId, 'kept'), ['x', 'y']);
    assert.deepEqual((await list(null)).topics, []);
  });
});
