// Replication in a three-broker cluster (ZooKeeper, `samsa start` children),
// produced to with confluent-kafka: acks=all records reach every replica and
// the three logs are byte for byte the same; a follower killed with -9 leaves
// the ISR, produce goes on with min.insync.replicas=2, and on restart it
// catches up and rejoins; a killed leader is replaced without losing an
// acknowledged record, and on rejoining it truncates the tail only it had
// (written with acks=1 while its followers were paused) so its log equals the
// new leader's. An idempotent producer writing through a leader failover gets
// every record in exactly once and in order (the new leader knows the
// producer's sequences from the replicated log).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { BrokerChannel } from '../../src/cluster/broker-channel.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { decodeBatches as decodeRecordBatches } from '../../src/protocol/records/record.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../src/protocol/messages/delete-records.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { python } from '../helpers/clients.js';
import { startCluster } from '../helpers/cluster.js';
import { waitUntil } from '../helpers/wait.js';
import { decodeBatches } from '../storage/helpers.js';

const IDS = [1, 2, 3];
/** ListOffsets replica id of a debugging tool: any replica answers, with its own log end. */
const DEBUGGING_REPLICA_ID = -2;
const LATEST = -1;
const EARLIEST = -2;

interface Produced {
  /** Value and offset (null: acknowledged without one, cluster_produce.py). */
  delivered: [string, number | null][];
  failed: [string, string][];
}

/** A three-broker cluster with one topic of one partition on all three (min.insync.replicas=2), and ways to look at each replica. */
async function replicatedTopic(t: TestContext, topic: string, overrides: Record<string, number> = {}) {
  const cluster = await startCluster({ brokers: 3, t, overrides });
  await cluster.waitForBrokers(3);
  const channel = new BrokerChannel({
    liveBrokers: () => [...cluster.brokers.values()].filter((b) => b.process).map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port, rack: null })),
  }, { clientId: 'replication-test', requestTimeoutMs: 5_000 });
  t.after(() => channel.close());

  const produce = (acks: string, prefix: string, count: number, ...options: string[]): Promise<Produced> =>
    python<Produced>('cluster_produce.py', [cluster.bootstrap, topic, acks, prefix, String(count), ...options], 180_000);
  const partitionState = async (): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | null> => {
    const p = (await cluster.metadata([topic])).topics[0]?.partitions[0];
    return p && p.errorCode === 0 && p.leaderId >= 0 ? { leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: [...p.isrNodes].sort() } : null;
  };
  /** A running broker's own log end (or start) for the partition. */
  const ownOffset = async (id: number, timestamp: number): Promise<number> => {
    const request: ListOffsetsRequest = {
      replicaId: DEBUGGING_REPLICA_ID,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    };
    const r = (await channel.request<ListOffsetsResponse>(id, ApiKey.ListOffsets, request)).topics[0].partitions[0];
    return r.errorCode === 0 ? r.offset : -1;
  };
  const logEnd = (id: number): Promise<number> => ownOffset(id, LATEST);
  const logStart = (id: number): Promise<number> => ownOffset(id, EARLIEST);
  /** DeleteRecords straight to broker `id`: the partition's answer. */
  const deleteRecords = async (id: number, offset: number, timeoutMs: number): Promise<{ errorCode: number; lowWatermark: number }> => {
    const request: DeleteRecordsRequest = { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }], timeoutMs };
    const { errorCode, lowWatermark } = (await channel.request<DeleteRecordsResponse>(id, ApiKey.DeleteRecords, request, { extraTimeoutMs: timeoutMs })).topics[0].partitions[0];
    return { errorCode, lowWatermark };
  };
  /** The first segment of the partition in a broker's data dir (the tests write far less than a segment). */
  const segment = (id: number): Buffer => readFileSync(join(cluster.brokers.get(id)!.dataDir, `${topic}-0`, '00000000000000000000.log'));
  /** Waits until the replicas on `ids` end at `end` and are in the ISR, then compares their files. */
  const replicasAgree = async (end: number, ids = IDS): Promise<Buffer> => {
    await waitUntil(`replicas ${ids.join(',')} at ${end} and in the ISR`, 90_000, async () => {
      const state = await partitionState().catch(() => null);
      const ends = await Promise.all(ids.map((id) => logEnd(id).catch(() => -1)));
      return ids.every((id) => state?.isr.includes(id)) && ends.every((e) => e === end);
    });
    const logs = ids.map(segment);
    for (const [i, log] of logs.entries()) assert.ok(log.equals(logs[0]), `broker ${ids[i]}'s log differs from broker ${ids[0]}'s`);
    return logs[0];
  };

  const created = await python<{ error: unknown }>('cluster_admin.py', [cluster.bootstrap, 'create', topic, '1', '3', 'min.insync.replicas=2']);
  assert.equal(created.error, null);
  await waitUntil('the partition has a leader and three replicas in sync', 60_000, async () => (await partitionState())?.isr.length === 3);
  return { cluster, produce, partitionState, logEnd, logStart, deleteRecords, replicasAgree };
}

function acknowledged(p: Produced, count: number): [string, number | null][] {
  assert.deepEqual(p.failed, []);
  assert.equal(p.delivered.length, count);
  return p.delivered;
}

test('replicas stay identical through a follower crash and a leader failover; no acknowledged record is lost', { timeout: 600_000 }, async (t) => {
  // ZooKeeper notices a dead broker later than its partitions' leaders do (replica.lag.time.max.ms is 5 s in the harness).
  const { cluster, produce, partitionState, logEnd, replicasAgree } = await replicatedTopic(t, 'replicated', { 'zookeeper.session.timeout.ms': 15_000 });

  // acks=all: every replica has every record, in the same bytes.
  const first = acknowledged(await produce('all', 'first', 200), 200);
  await replicasAgree(200);

  // A follower dies: acks=all waits until the leader drops it from the ISR for lagging (same leader
  // epoch: not the controller's doing, which comes only with the ZooKeeper session's end), then goes on with two in sync.
  const before = (await partitionState())!;
  const follower = IDS.find((id) => id !== before.leader)!;
  await cluster.kill9(follower);
  const second = acknowledged(await produce('all', 'second', 100), 100);
  assert.deepEqual(await partitionState(), { ...before, isr: before.isr.filter((id) => id !== follower) });
  await cluster.restart(follower);
  await cluster.waitForBrokers(3);
  await replicasAgree(300);

  // The leader dies with a tail only it has: acks=1 writes while both followers are paused.
  const oldLeader = (await partitionState())!.leader;
  const paused = IDS.filter((id) => id !== oldLeader).map((id) => cluster.brokers.get(id)!.process!.child);
  for (const child of paused) child.kill('SIGSTOP');
  let tail: [string, number | null][];
  try {
    tail = acknowledged(await produce('1', 'tail', 10, 'one-by-one'), 10);
    assert.equal(await logEnd(oldLeader), 310);
    await cluster.kill9(oldLeader);
  } finally {
    for (const child of paused) child.kill('SIGCONT');
  }
  await waitUntil('a new leader', 90_000, async () => {
    const state = await partitionState().catch(() => null);
    return state !== null && state.leader !== oldLeader;
  });
  const third = acknowledged(await produce('all', 'third', 100), 100);
  await cluster.restart(oldLeader);
  await cluster.waitForBrokers(3);
  const newLeader = (await partitionState())!.leader;
  const log = await replicasAgree(await logEnd(newLeader));

  const values = decodeBatches(log).map((r) => r.value);
  const offsets = new Map(decodeBatches(log).map((r) => [r.value, r.offset]));
  for (const [value, offset] of [...first, ...second, ...third]) assert.equal(offsets.get(value), offset, `${value} acknowledged at ${offset}`);
  // The paused followers got at most what the leader had already sent them; the rest of the tail is gone everywhere.
  const lost = tail.filter(([value]) => !values.includes(value));
  assert.ok(lost.length > 0, 'the old leader kept its whole acks=1 tail');
  assert.equal(values.length, new Set(values).size, 'a record appears twice');
});

test('an idempotent producer writing through a leader failover gets every record in exactly once, in order', { timeout: 600_000 }, async (t) => {
  const { cluster, produce, partitionState, logEnd, replicasAgree } = await replicatedTopic(t, 'idempotent');
  const count = 4000;
  const oldLeader = (await partitionState())!.leader;
  const producing = produce('all', 'idem', count, 'idempotent', 'paced');
  await waitUntil('the producer under way', 60_000, async () => (await logEnd(oldLeader).catch(() => -1)) >= 500);
  await cluster.kill9(oldLeader);
  const delivered = acknowledged(await producing, count);

  const survivors = IDS.filter((id) => id !== oldLeader);
  const log = await replicasAgree(count, survivors);
  const records = decodeBatches(log);
  assert.deepEqual(records.map((r) => r.value), Array.from({ length: count }, (_, i) => `idem-${i}`));
  // Each record once, in order (above); those acknowledged with an offset are at it.
  const placed = delivered.filter(([, offset]) => offset !== null);
  assert.deepEqual(placed.map(([value, offset]) => [value, records[offset!]?.value]), placed.map(([value]) => [value, value]));
});

test('followers fetching ~1 MiB at a time (their response buffers reused) write the leader\'s bytes exactly', { timeout: 600_000 }, async (t) => {
  const { produce, replicasAgree } = await replicatedTopic(t, 'bulk');
  // Values of 1-60 KiB, ~24 MB in all, through confluent-kafka: replica fetches fill replica.fetch.max.bytes (1 MiB).
  const RECORDS = 800;
  const valueOf = (i: number): string => {
    const size = 1024 * (1 + ((i * 7919) % 60));
    return `bulk-${i}|`.repeat(Math.ceil(size / `bulk-${i}|`.length)).slice(0, size);
  };
  acknowledged(await produce('all', 'bulk', RECORDS, 'large'), RECORDS);
  const log = await replicasAgree(RECORDS);
  const decoded = decodeRecordBatches(log).flatMap((b) => b.records);
  assert.equal(decoded.length, RECORDS);
  decoded.forEach((r, i) => assert.ok(r.value?.equals(Buffer.from(valueOf(i))), `record ${i}`));
});

test('DeleteRecords (KafkaJS) is answered once every live replica starts its log there; a follower that stops fetching holds it to REQUEST_TIMED_OUT', { timeout: 600_000 }, async (t) => {
  const { cluster, produce, partitionState, logStart, deleteRecords, replicasAgree } = await replicatedTopic(t, 'trimmed');
  acknowledged(await produce('all', 'trim', 100), 100);
  await replicasAgree(100);

  const kafka = new kafkajs.Kafka({ brokers: cluster.bootstrap.split(','), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.fetchTopicOffsets('trimmed'); // KafkaJS's deleteTopicRecords needs the topic's metadata loaded
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '40' }] });
  } finally {
    await admin.disconnect();
  }
  // Answered only once the followers had the new start too, not at their next fetch.
  assert.deepEqual(await Promise.all(IDS.map(logStart)), [40, 40, 40]);

  // A follower stopped (its ZooKeeper session still alive): the leader waits for it in vain.
  const { leader } = (await partitionState())!;
  const stopped = cluster.brokers.get(IDS.find((id) => id !== leader)!)!.process!.child;
  stopped.kill('SIGSTOP');
  try {
    assert.deepEqual(await deleteRecords(leader, 60, 1_000), { errorCode: ErrorCode.REQUEST_TIMED_OUT, lowWatermark: 40 });
  } finally {
    stopped.kill('SIGCONT');
  }
  // Back, it takes the new start from its next fetch, and a DeleteRecords at the same offset is answered.
  assert.deepEqual(await deleteRecords(leader, 60, 30_000), { errorCode: ErrorCode.NONE, lowWatermark: 60 });
  assert.deepEqual(await Promise.all(IDS.map(logStart)), [60, 60, 60]);
});
