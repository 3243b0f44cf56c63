// A node:test suite with a real Kafka broker in-process: no Docker, no mocks.
// Run: node --test examples/embedded/node-test.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from 'samsa';

let broker;
before(async () => {
  broker = await startBroker({ topics: [{ name: 'orders', partitions: 3 }] });
});
after(() => broker.stop()); // closes sockets and files, removes the temp data dir

test('an order is produced and consumed', { timeout: 30_000 }, async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'orders', messages: [{ key: 'order-1', value: 'coffee' }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'billing' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  const received = new Promise((resolve) => {
    consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) });
  });
  assert.equal(await received, 'coffee');
  await consumer.disconnect();
});
