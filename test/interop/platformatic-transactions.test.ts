// The transaction admin APIs through @platformatic/kafka's request functions:
// ListTransactions (v0 and v1 with filters), DescribeTransactions and
// DescribeProducers, about a KafkaJS transaction while open and once committed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { withConnection } from '../helpers/platformatic.js';
import { describeProducersV0, describeTransactionsV0, listTransactionsV0, listTransactionsV1 } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';

let broker: EmbeddedBroker;
before(async () => { broker = await startBroker({ topics: [{ name: 'ptx', partitions: 2 }] }); });
after(() => broker.stop());

test('an open and then committed KafkaJS transaction as ListTransactions, DescribeTransactions and DescribeProducers show it', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: 'ptx-id', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    await txn.send({ topic: 'ptx', messages: [{ partition: 1, value: 'a' }, { partition: 1, value: 'b' }] });

    await withConnection(broker.port, async (c) => {
      const listed = await listTransactionsV0.api.async(c, [], [], 0n, null);
      assert.deepEqual(listed.transactionStates.map((t) => [t.transactionalId, t.transactionState]), [['ptx-id', 'Ongoing']]);
      const producerId = listed.transactionStates[0].producerId;
      // Filters: by state, by producer id, and (v1) by how long the transaction has been open.
      assert.equal((await listTransactionsV0.api.async(c, ['CompleteCommit'], [], 0n, null)).transactionStates.length, 0);
      assert.equal((await listTransactionsV0.api.async(c, [], [producerId + 1n], 0n, null)).transactionStates.length, 0);
      assert.equal((await listTransactionsV1.api.async(c, ['Ongoing'], [producerId], 0n, null)).transactionStates.length, 1);
      assert.equal((await listTransactionsV1.api.async(c, [], [], 3_600_000n, null)).transactionStates.length, 0);

      const [described] = (await describeTransactionsV0.api.async(c, ['ptx-id'])).transactionStates;
      assert.deepEqual([described.errorCode, described.transactionState, described.producerId], [0, 'Ongoing', producerId]);
      assert.deepEqual(described.topics, [{ topic: 'ptx', partitions: [1] }]);

      const producers = await describeProducersV0.api.async(c, [{ name: 'ptx', partitionIndexes: [0, 1] }]);
      const [p0, p1] = producers.topics[0].partitions;
      assert.deepEqual(p0.activeProducers, []);
      assert.equal(p1.activeProducers.length, 1);
      assert.equal(p1.activeProducers[0].producerId, producerId);
      assert.equal(p1.activeProducers[0].lastSequence, 1);
      assert.equal(p1.activeProducers[0].currentTxnStartOffset, 0n);
    });

    await txn.commit();
    await withConnection(broker.port, async (c) => {
      const [described] = (await describeTransactionsV0.api.async(c, ['ptx-id'])).transactionStates;
      assert.equal(described.transactionState, 'CompleteCommit');
      const producers = await describeProducersV0.api.async(c, [{ name: 'ptx', partitionIndexes: [1] }]);
      assert.equal(producers.topics[0].partitions[0].activeProducers[0].currentTxnStartOffset, -1n);
      // @platformatic/kafka rejects answers carrying an error: TRANSACTIONAL_ID_NOT_FOUND (105) here.
      await assert.rejects(describeTransactionsV0.api.async(c, ['no-such-id']), (e: { response?: { transactionStates: { errorCode: number }[] } }) =>
        e.response?.transactionStates[0].errorCode === 105);
    });
  } finally {
    await producer.disconnect();
  }
});
