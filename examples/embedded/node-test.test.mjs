// A node:test suite with a real Kafka broker in-process: no Docker, no mocks.
// Run: node --test examples/embedded/node-test.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, Consumer, Producer, startBroker } from 'samsa';

let broker;
before(async () => {
  broker = await startBroker({ topics: [{ name: 'orders', partitions: 3 }] });
});
after(() => broker.stop());

test('an order is produced, consumed and committed', { timeout: 30_000 }, async () => {
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  const { partition } = await producer.send({ topic: 'orders', key: 'order-1', value: 'coffee' });
  await producer.close();

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'billing', autoOffsetReset: 'earliest' });
  consumer.subscribe(['orders']);
  for await (const record of consumer) {
    assert.equal(record.value.toString(), 'coffee');
    break;
  }
  await consumer.close(); // commits the position (enableAutoCommit) and leaves the group

  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  const [committed] = await admin.listGroupOffsets('billing', [{ topic: 'orders', partition }]);
  assert.equal(committed.offset, 1);
  await admin.close();
});
