// KafkaJS, the client most Node applications use, driven the way an
// application's own tests would drive it.
import { Kafka, logLevel } from 'kafkajs';

export interface Received {
  partition: number;
  key: string;
  value: string;
}

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'embedded-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function produce(bootstrap: string, topic: string, values: string[]): Promise<void> {
  const producer = kafkaClient(bootstrap).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((v) => ({ key: v, value: v })) });
  } finally {
    await producer.disconnect();
  }
}

/** Joins `groupId`, reads `count` records of `topic` from the beginning, and leaves the group (committing offsets). */
export async function consume(bootstrap: string, topic: string, groupId: string, count: number, timeoutMs = 30_000): Promise<Received[]> {
  const consumer = kafkaClient(bootstrap).consumer({ groupId });
  const received: Received[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${groupId}: ${received.length} of ${count} records after ${timeoutMs} ms`)), timeoutMs);
      consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({ partition, key: String(message.key), value: String(message.value) });
          if (received.length >= count) resolve();
        },
      }).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return received;
}
