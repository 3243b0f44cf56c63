// Replica placement for added partitions, checked against Kafka's own
// expectations (AdminZkClientTest: five brokers, replication factor 3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignReplicas, startIndexAfter } from '../../src/cluster/replica-assignment.js';

test('round robin of first replicas, followers shifted once per round, as Kafka places them', () => {
  assert.deepEqual(assignReplicas([0, 1, 2, 3, 4], 10, 3, 0, 0), [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
    [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
  ]);
});

test('added partitions continue from the existing count and start after partition 0\'s first replica', () => {
  const brokers = [1, 3, 5];
  assert.equal(startIndexAfter(brokers, 3), 1);
  assert.equal(startIndexAfter(brokers, 9), 0);
  // Partitions 4 and 5 of a topic whose partition 0 starts on broker 3.
  assert.deepEqual(assignReplicas(brokers, 2, 2, 1, 4), [[5, 3], [1, 5]]);
  assert.deepEqual(assignReplicas([7], 3, 1, 0, 8), [[7], [7], [7]]);
});
