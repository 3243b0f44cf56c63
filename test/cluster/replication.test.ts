// Replication in a three-broker cluster (ZooKeeper, `samsa start` children),
// produced to with confluent-kafka: acks=all records reach every replica and
// the three logs are byte for byte the same; a follower killed with -9 leaves
// the ISR, produce goes on with min.insync.replicas=2, and on restart it
// catches up and rejoins; a killed leader is replaced without losing an
// acknowledged record, and on rejoining it truncates the tail only it had
// (written with acks=1 while its followers were paused) so its log equals the
// new leader's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BrokerChannel } from '../../src/cluster/broker-channel.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import { python } from '../helpers/clients.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { waitUntil } from '../helpers/wait.js';
import { decodeBatches } from '../storage/helpers.js';

const TOPIC = 'replicated';
const IDS = [1, 2, 3];
/** ListOffsets replica id of a debugging tool: any replica answers, with its own log end. */
const DEBUGGING_REPLICA_ID = -2;
const LATEST = -1;

interface Produced {
  delivered: [string, number][];
  failed: [string, string][];
}

function produce(cluster: Cluster, acks: string, prefix: string, count: number, oneByOne = false): Promise<Produced> {
  return python<Produced>('cluster_produce.py', [cluster.bootstrap, TOPIC, acks, prefix, String(count), ...(oneByOne ? ['one-by-one'] : [])], 180_000);
}

async function partitionState(cluster: Cluster): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | null> {
  const p = (await cluster.metadata([TOPIC])).topics[0]?.partitions[0];
  return p && p.errorCode === 0 && p.leaderId >= 0 ? { leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: [...p.isrNodes].sort() } : null;
}

/** The first segment of the partition in a broker's data dir (the test writes far less than a segment). */
function segment(cluster: Cluster, id: number): Buffer {
  return readFileSync(join(cluster.brokers.get(id)!.dataDir, `${TOPIC}-0`, '00000000000000000000.log'));
}

function valuesIn(log: Buffer): string[] {
  return decodeBatches(log).map((r) => r.value ?? '');
}

test('replicas stay identical through a follower crash and a leader failover; no acknowledged record is lost', { timeout: 600_000 }, async (t) => {
  // ZooKeeper notices a dead broker later than its partitions' leaders do (replica.lag.time.max.ms is 5 s in the harness).
  const cluster = await startCluster({ brokers: 3, t, overrides: { 'zookeeper.session.timeout.ms': 15_000 } });
  await cluster.waitForBrokers(3);
  const channel = new BrokerChannel({
    liveBrokers: () => [...cluster.brokers.values()].filter((b) => b.process).map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port, rack: null })),
  }, { clientId: 'replication-test', requestTimeoutMs: 5_000 });
  t.after(() => channel.close());

  /** Each running broker's own log end for the partition. */
  const logEnd = async (id: number): Promise<number> => {
    const request: ListOffsetsRequest = {
      replicaId: DEBUGGING_REPLICA_ID,
      isolationLevel: 0,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: LATEST, maxNumOffsets: 1 }] }],
    };
    const r = (await channel.request<ListOffsetsResponse>(id, ApiKey.ListOffsets, request)).topics[0].partitions[0];
    return r.errorCode === 0 ? r.offset : -1;
  };
  /** Waits until all three replicas end at `end` and are in the ISR, then compares their files. */
  const replicasAgree = async (end: number): Promise<Buffer> => {
    await waitUntil(`every replica at ${end} and in the ISR`, 90_000, async () => {
      const state = await partitionState(cluster).catch(() => null);
      const ends = await Promise.all(IDS.map((id) => logEnd(id).catch(() => -1)));
      return state?.isr.length === 3 && ends.every((e) => e === end);
    });
    const logs = IDS.map((id) => segment(cluster, id));
    for (const [i, log] of logs.entries()) assert.ok(log.equals(logs[0]), `broker ${IDS[i]}'s log differs from broker ${IDS[0]}'s`);
    return logs[0];
  };
  const acknowledged = (p: Produced, count: number): [string, number][] => {
    assert.deepEqual(p.failed, []);
    assert.equal(p.delivered.length, count);
    return p.delivered;
  };

  const created = await python<{ error: unknown }>('cluster_admin.py', [cluster.bootstrap, 'create', TOPIC, '1', '3', 'min.insync.replicas=2']);
  assert.equal(created.error, null);
  await waitUntil('the partition has a leader and three replicas in sync', 60_000, async () => (await partitionState(cluster))?.isr.length === 3);

  // acks=all: every replica has every record, in the same bytes.
  const first = acknowledged(await produce(cluster, 'all', 'first', 200), 200);
  await replicasAgree(200);

  // A follower dies: acks=all waits until the leader drops it from the ISR for lagging (same leader
  // epoch: not the controller's doing, which comes only with the ZooKeeper session's end), then goes on with two in sync.
  const before = (await partitionState(cluster))!;
  const follower = IDS.find((id) => id !== before.leader)!;
  await cluster.kill9(follower);
  const second = acknowledged(await produce(cluster, 'all', 'second', 100), 100);
  assert.deepEqual(await partitionState(cluster), { ...before, isr: before.isr.filter((id) => id !== follower) });
  await cluster.restart(follower);
  await cluster.waitForBrokers(3);
  await replicasAgree(300);

  // The leader dies with a tail only it has: acks=1 writes while both followers are paused.
  const oldLeader = (await partitionState(cluster))!.leader;
  const paused = IDS.filter((id) => id !== oldLeader).map((id) => cluster.brokers.get(id)!.process!.child);
  for (const child of paused) child.kill('SIGSTOP');
  let tail: [string, number][];
  try {
    tail = acknowledged(await produce(cluster, '1', 'tail', 10, true), 10);
    assert.equal(await logEnd(oldLeader), 310);
    await cluster.kill9(oldLeader);
  } finally {
    for (const child of paused) child.kill('SIGCONT');
  }
  await waitUntil('a new leader', 90_000, async () => {
    const state = await partitionState(cluster).catch(() => null);
    return state !== null && state.leader !== oldLeader;
  });
  const third = acknowledged(await produce(cluster, 'all', 'third', 100), 100);
  await cluster.restart(oldLeader);
  await cluster.waitForBrokers(3);
  const newLeader = (await partitionState(cluster))!.leader;
  const log = await replicasAgree(await logEnd(newLeader));

  const values = valuesIn(log);
  const offsets = new Map(decodeBatches(log).map((r) => [r.value, r.offset]));
  for (const [value, offset] of [...first, ...second, ...third]) assert.equal(offsets.get(value), offset, `${value} acknowledged at ${offset}`);
  // The paused followers got at most what the leader had already sent them; the rest of the tail is gone everywhere.
  const lost = tail.filter(([value]) => !values.includes(value));
  assert.ok(lost.length > 0, 'the old leader kept its whole acks=1 tail');
  assert.equal(values.length, new Set(values).size, 'a record appears twice');
});
