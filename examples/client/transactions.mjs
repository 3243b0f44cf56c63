// A transactional producer: records of an aborted transaction are never seen by read_committed consumers.
// Run: node examples/client/transactions.mjs
/* global console */
import { Consumer, Producer, startBroker } from 'samsa';

const broker = await startBroker({ topics: ['payments'] });
try {
  const producer = new Producer({ bootstrapServers: broker.bootstrap, transactionalId: 'payments-writer' });
  await producer.initTransactions();

  producer.beginTransaction();
  await producer.send({ topic: 'payments', value: 'refund 10' });
  await producer.abortTransaction();

  producer.beginTransaction();
  await producer.send({ topic: 'payments', value: 'charge 25' });
  await producer.commitTransaction();
  await producer.close();

  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  consumer.assign([{ topic: 'payments', partition: 0 }]);
  let records = [];
  for (let i = 0; i < 20 && records.length === 0; i++) records = await consumer.poll(250);
  console.log('committed:', records.map((r) => r.value.toString()).join(', '));
  await consumer.close();
} finally {
  await broker.stop();
}
