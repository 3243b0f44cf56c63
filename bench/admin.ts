// Topic administration for the benchmarks through KafkaJS (a real client, from devDependencies).
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { withTimeout } from './lib.js';

/** Runs `fn` with a connected KafkaJS admin client; everything bounded by 90 s. */
export function withAdmin<T>(bootstrap: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  return withTimeout(adminCall(bootstrap, fn), 90_000, 'KafkaJS admin');
}

async function adminCall<T>(bootstrap: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'samsa-bench', logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  return withAdmin(bootstrap, async (admin) => {
    const ok = await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true, timeout: 60_000 });
    if (!ok) throw new Error(`topic ${topic} already exists`);
  });
}

export function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  return withAdmin(bootstrap, (admin) => admin.deleteTopics({ topics: [topic], timeout: 60_000 }));
}

/** Sum over partitions of the log end offset. */
export function totalEndOffset(bootstrap: string, topic: string): Promise<number> {
  return withAdmin(bootstrap, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  });
}
