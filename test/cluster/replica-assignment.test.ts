// Replica placement checked against Kafka's own expectations: AdminZkClientTest
// and AdminRackAwareTest (with RackAwareTest's distribution checks).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncompleteRackInfoError, assignReplicas, rackAlternatedList, startIndexAfter, type BrokerRack } from '../../src/cluster/replica-assignment.js';

const noRacks = (...ids: number[]): BrokerRack[] => ids.map((nodeId) => ({ nodeId, rack: null }));
const racked = (map: Record<number, string>): BrokerRack[] =>
  Object.entries(map).map(([id, rack]) => ({ nodeId: Number(id), rack })).sort((a, b) => a.nodeId - b.nodeId);

test('round robin of first replicas, followers shifted once per round, as Kafka places them', () => {
  assert.deepEqual(assignReplicas(noRacks(0, 1, 2, 3, 4), 10, 3, 0, 0), [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
    [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
  ]);
});

test('added partitions continue from the existing count and start after partition 0\'s first replica', () => {
  const brokers = noRacks(1, 3, 5);
  assert.equal(startIndexAfter(brokers, 3), 1);
  assert.equal(startIndexAfter(brokers, 9), 0);
  // Partitions 4 and 5 of a topic whose partition 0 starts on broker 3.
  assert.deepEqual(assignReplicas(brokers, 2, 2, 1, 4), [[5, 3], [1, 5]]);
  assert.deepEqual(assignReplicas(noRacks(7), 3, 1, 0, 8), [[7], [7], [7]]);
});

test('the rack-alternated broker list and the placement over it (testGetRackAlternatedBrokerListAndAssignReplicasToBrokers)', () => {
  const rackMap = { 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' };
  const asMap = (m: Record<number, string>): Map<number, string> => new Map(Object.entries(m).map(([id, r]) => [Number(id), r]));
  assert.deepEqual(rackAlternatedList(asMap(rackMap)), [0, 3, 1, 5, 4, 2]);
  const { 5: _dropped, ...without5 } = rackMap;
  assert.deepEqual(rackAlternatedList(asMap(without5)), [0, 3, 1, 4, 2]);
  assert.deepEqual(assignReplicas(racked(rackMap), 7, 3, 0, 0), [
    [0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3], [0, 4, 2],
  ]);
});

/** RackAwareTest.checkReplicaDistribution. */
function checkDistribution(assignment: number[][], rackMap: Record<number, string>, options: { rackAware?: boolean; leaders?: boolean; replicas?: boolean } = {}): void {
  const { rackAware = true, leaders = true, replicas = true } = options;
  const brokers = Object.keys(rackMap).map(Number);
  const replicationFactor = assignment[0].length;
  for (const r of assignment) assert.equal(new Set(r).size, r.length, `a broker holds two replicas of one partition: ${r.join(',')}`);
  if (rackAware) {
    for (const r of assignment) assert.equal(new Set(r.map((b) => rackMap[b])).size, replicationFactor, `two replicas on one rack: ${r.join(',')}`);
  }
  const count = (pick: (r: number[]) => number[]): number[] => brokers.map((b) => assignment.filter((r) => pick(r).includes(b)).length);
  if (leaders) assert.deepEqual(count((r) => [r[0]]), brokers.map(() => Math.floor(assignment.length / brokers.length)));
  if (replicas) assert.deepEqual(count((r) => r), brokers.map(() => Math.floor((assignment.length * replicationFactor) / brokers.length)));
}

const sixBrokers = { 0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1' };

test('rack-aware placements spread replicas over racks and leaders over brokers (AdminRackAwareTest)', () => {
  checkDistribution(assignReplicas(racked(sixBrokers), 6, 3, 2, 0), sixBrokers);
  for (let i = 0; i < 20; i++) {
    // Random start indexes: every draw must satisfy the checks.
    checkDistribution(assignReplicas(racked(sixBrokers), 6, 3, -1, 0), sixBrokers);
    checkDistribution(assignReplicas(racked(sixBrokers), 12, 2, -1, 0), sixBrokers);
    checkDistribution(assignReplicas(racked(sixBrokers), 6, 2, -1, 0), sixBrokers);
    const expansion = { 6: 'rack1', 7: 'rack2', 8: 'rack2', 9: 'rack3', 10: 'rack3', 11: 'rack1' };
    checkDistribution(assignReplicas(racked(expansion), 12, 2, -1, 12), expansion);
    const unevenRacks = { 0: 'rack1', 1: 'rack1', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1' };
    checkDistribution(assignReplicas(racked(unevenRacks), 12, 3, -1, 0), unevenRacks, { replicas: false });
    const three = { 0: 'rack1', 1: 'rack2', 4: 'rack3' };
    checkDistribution(assignReplicas(racked(three), 3, 2, -1, 0), three);
    const twelve = { 0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1', 6: 'rack1', 7: 'rack2', 8: 'rack2', 9: 'rack3', 10: 'rack1', 11: 'rack3' };
    checkDistribution(assignReplicas(racked(twelve), 96, 3, -1, 0), twelve);
  }
  checkDistribution(assignReplicas(racked(sixBrokers), 13, 3, 0, 0), sixBrokers, { leaders: false, replicas: false });
});

test('more replicas than racks: every rack gets one; fewer: each rack at most one; one rack: leaders still spread', () => {
  const map = { 0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack2' };
  for (const r of assignReplicas(racked(map), 6, 5, -1, 0)) {
    assert.equal(r.length, 5);
    assert.equal(new Set(r.map((b) => map[b as keyof typeof map])).size, 3);
  }
  for (const r of assignReplicas(racked(map), 6, 2, -1, 0)) assert.equal(new Set(r.map((b) => map[b as keyof typeof map])).size, 2);
  const single = { 0: 'rack1', 1: 'rack1', 2: 'rack1', 3: 'rack1', 4: 'rack1', 5: 'rack1' };
  const placed = assignReplicas(racked(single), 6, 3, -1, 0);
  assert.deepEqual(placed.map((r) => r[0]).sort(), [0, 1, 2, 3, 4, 5]);
  for (const r of placed) assert.equal(new Set(r).size, 3);
  // testSkipBrokerWithReplicaAlreadyAssigned: a broker already holding a replica is skipped while others hold none.
  const skewed = { 0: 'a', 1: 'b', 2: 'c', 3: 'a', 4: 'a' };
  checkDistribution(assignReplicas(racked(skewed), 6, 4, 2, -1), skewed, { rackAware: false, leaders: false, replicas: false });
});

test('some brokers with a rack and some without: Kafka\'s AdminOperationException', () => {
  const brokers: BrokerRack[] = [...racked({ 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2' }), { nodeId: 4, rack: null }];
  assert.throws(() => assignReplicas(brokers, 10, 5, -1, -1), (e: unknown) =>
    e instanceof IncompleteRackInfoError && e.message === 'Not all brokers have rack information for replica rack aware assignment.');
});
