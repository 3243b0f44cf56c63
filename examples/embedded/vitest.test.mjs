// A Vitest suite with a real Kafka broker in-process: no Docker, no mocks.
// Run: npx vitest run examples/embedded/vitest.test.mjs
import { Admin, Consumer, Producer, startBroker } from 'samsa';
import { afterAll, beforeAll, expect, test } from 'vitest';

let broker;
beforeAll(async () => {
  broker = await startBroker({ topics: [{ name: 'orders', partitions: 3 }] });
});
afterAll(() => broker.stop());

test('an order is produced, consumed and committed', { timeout: 30_000 }, async () => {
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  const { partition } = await producer.send({ topic: 'orders', key: 'order-1', value: 'coffee' });
  await producer.close();

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'billing', autoOffsetReset: 'earliest' });
  consumer.subscribe(['orders']);
  for await (const record of consumer) {
    expect(record.value.toString()).toBe('coffee');
    break;
  }
  await consumer.close(); // commits the position (enableAutoCommit) and leaves the group

  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  const [committed] = await admin.listGroupOffsets('billing', [{ topic: 'orders', partition }]);
  expect(committed.offset).toBe(1);
  await admin.close();
});
