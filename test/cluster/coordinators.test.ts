// The group and transaction coordinators of a three-broker cluster follow the
// leadership of their __consumer_offsets / __transaction_state partitions: when
// the coordinator broker is killed with SIGKILL, clients find the new leader of
// the partition, which has loaded the replicated state: a group's committed
// offsets, a transaction left open (committed there, its markers written to
// partitions led by different brokers). confluent-kafka (librdkafka) clients.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { offsetsPartitionFor } from '../../src/coordinator/group/partition-for.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { python } from '../helpers/clients.js';
import { waitUntil } from '../helpers/wait.js';

/** Few coordinator partitions: each loads quickly, and the test knows which one holds its ids. */
const COORDINATOR_PARTITIONS = 3;
const WAIT_MS = 60_000;

type Admin = { error: [string, string] | null };
type Committed = { committed: Record<string, number> };

describe('coordinators in a cluster of three', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  before(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: {
        'offsets.topic.num.partitions': COORDINATOR_PARTITIONS,
        'transaction.state.log.num.partitions': COORDINATOR_PARTITIONS,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    await cluster.waitForBrokers();
    dir = mkdtempSync(join(tmpdir(), 'samsa-coordinators-'));
  });
  after(async () => {
    await cluster?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const script = <T>(...args: string[]): Promise<T> => python<T>('cluster_coordinators.py', [cluster.bootstrap, ...args], 180_000);

  async function createTopic(name: string, partitions: number): Promise<void> {
    const created = await python<Admin>('cluster_admin.py', [cluster.bootstrap, 'create', name, String(partitions), '3']);
    assert.equal(created.error, null);
    for (let p = 0; p < partitions; p++) await waitUntil(`a leader for ${name}-${p}`, WAIT_MS, async () => (await cluster.leaderOf(name, p)) !== null);
  }

  /** Kills the leader of an internal partition and waits until another broker leads it. */
  async function killLeaderOf(topic: string, partition: number): Promise<number> {
    const leader = await cluster.leaderOf(topic, partition);
    assert.ok(leader !== null, `${topic}-${partition} has a leader`);
    await cluster.kill9(leader);
    await waitUntil(`a new leader for ${topic}-${partition}`, WAIT_MS, async () => {
      const now = await cluster.leaderOf(topic, partition);
      return now !== null && now !== leader;
    });
    return leader;
  }

  test('a group\'s committed offsets are served by the new leader of its __consumer_offsets partition', async () => {
    const topic = 'orders';
    const group = 'billing';
    await createTopic(topic, 1);
    await python('cluster_produce.py', [cluster.bootstrap, topic, 'all', 'o', '10']);
    const before = await script<Committed>('commit', group, topic, '1');
    assert.deepEqual(before.committed, { 0: 10 });

    const killed = await killLeaderOf('__consumer_offsets', offsetsPartitionFor(group, COORDINATOR_PARTITIONS));
    try {
      assert.deepEqual((await script<Committed>('committed', group, topic, '1')).committed, { 0: 10 });
      // The group goes on from there: a member commits further through the new coordinator.
      await python('cluster_produce.py', [cluster.bootstrap, topic, 'all', 'p', '5']);
      assert.deepEqual((await script<Committed>('commit', group, topic, '1')).committed, { 0: 15 });
    } finally {
      await cluster.restart(killed);
      await cluster.waitForBrokers();
    }
  });

  test('a transaction committed across partitions of different leaders survives the death of its coordinator', async () => {
    const topic = 'ledger';
    const partitions = 3;
    const transactionalId = 'ledger-writer';
    await createTopic(topic, partitions);
    const leaders = new Set<number | null>();
    for (let p = 0; p < partitions; p++) leaders.add(await cluster.leaderOf(topic, p));
    assert.ok(leaders.size > 1, `the partitions have different leaders: ${[...leaders].join(', ')}`);

    const run = script<{ rounds: Record<string, string> }>('txn', transactionalId, topic, String(partitions), dir);
    let exited = false;
    run.then(() => { exited = true; }, () => { exited = true; });
    // The producer is between its round-2 produce and its commit: its coordinator dies.
    await waitUntil('the producer to reach its commit', WAIT_MS, () => exited || existsSync(join(dir, 'ready')));
    if (exited) await run;
    const killed = await killLeaderOf('__transaction_state', offsetsPartitionFor(transactionalId, COORDINATOR_PARTITIONS));
    try {
      writeFileSync(join(dir, 'go'), '');
      assert.deepEqual((await run).rounds, { 0: 'committed', 1: 'aborted', 2: 'committed', 3: 'committed' });
      const committed = [0, 2, 3].flatMap((r) => Array.from({ length: partitions }, (_, p) => `r${r}-p${p}`)).sort();
      assert.deepEqual((await script<{ values: string[] }>('read', topic, String(partitions), 'read_committed')).values, committed);
      // read_uncommitted sees the aborted round too: the aborted records are in the logs, and hidden only by the markers.
      const all = [0, 1, 2, 3].flatMap((r) => Array.from({ length: partitions }, (_, p) => `r${r}-p${p}`)).sort();
      assert.deepEqual((await script<{ values: string[] }>('read', topic, String(partitions), 'read_uncommitted')).values, all);
    } finally {
      await cluster.restart(killed);
      await cluster.waitForBrokers();
    }
  });
});
