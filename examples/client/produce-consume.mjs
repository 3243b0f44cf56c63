// Samsa's own client against an embedded broker: create a topic, produce, consume in a group, commit.
// Run: node examples/client/produce-consume.mjs
/* global console */
import { Admin, Consumer, Producer, startBroker } from 'samsa';

const broker = await startBroker();
try {
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1 }]);
  console.log('topics:', (await admin.listTopics()).join(', '));

  const producer = new Producer({ bootstrapServers: broker.bootstrap, acks: 'all', lingerMs: 5, compression: 'lz4' });
  const meta = await producer.send({ topic: 'orders', key: 'order-1', value: 'coffee', headers: { source: 'web' } });
  console.log(`order-1 written to partition ${meta.partition} at offset ${meta.offset}`);
  const metas = await producer.sendBatch([
    { topic: 'orders', key: 'order-2', value: 'tea' },
    { topic: 'orders', key: 'order-3', value: 'cake' },
  ]);
  console.log(`${metas.length} more orders written`);
  await producer.close();

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'billing', autoOffsetReset: 'earliest', enableAutoCommit: false });
  consumer.subscribe(['orders']);
  let seen = 0;
  for await (const record of consumer) {
    console.log(`${record.key} → ${record.value} (partition ${record.partition}, offset ${record.offset})`);
    if (++seen === 3) break;
  }
  await consumer.commitSync();
  await consumer.close();
  await admin.close();
} finally {
  await broker.stop();
}
