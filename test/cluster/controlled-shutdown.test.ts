// Controlled shutdown on a real ZooKeeper and three broker processes: the controller answers
// the stopping broker from the leaders it has just written, so a broker whose partitions all
// have other in-sync replicas succeeds at its first attempt (it used to be told its partitions
// remained, from a view the controller's own writes had not reached yet, and waited
// controlled.shutdown.retry.backoff.ms to ask again).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Admin } from '../../src/index.js';
import { startCluster } from '../helpers/cluster.js';
import { waitUntil } from '../helpers/wait.js';

const TOPIC = 'handover';
/** One partition: the leadership move is the controller's last write before it answers. */
const PARTITIONS = 1;

test('SIGTERM of a leader: its partitions move to other in-sync replicas at the first attempt', { timeout: 180_000 }, async (t) => {
  // Kafka's default backoff, so a second attempt would also cost seconds.
  const cluster = await startCluster({ brokers: 3, t, overrides: { 'controlled.shutdown.retry.backoff.ms': 5000, 'auto.leader.rebalance.enable': false } });
  await cluster.waitForBrokers(3);
  const admin = new Admin({ bootstrapServers: cluster.bootstrap });
  try {
    await admin.createTopics([{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }]);
  } finally {
    await admin.close();
  }
  const partitions = async () => (await cluster.metadata([TOPIC])).topics.find((x) => x.name === TOPIC)?.partitions ?? [];
  await waitUntil('every partition led with three replicas in sync', 60_000, async () => {
    const ps = await partitions();
    return ps.length === PARTITIONS && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3);
  });
  const target = (await partitions())[0].leaderId;

  assert.equal(await cluster.stop(target), 0);
  const log = readFileSync(cluster.brokers.get(target)!.logFile, 'utf8');
  assert.match(log, /controlled shutdown succeeded/);
  assert.doesNotMatch(log, /controlled shutdown attempt/);
  await waitUntil(`${TOPIC} led by the other brokers`, 30_000, async () => (await partitions()).every((p) => p.leaderId >= 0 && p.leaderId !== target));
});
