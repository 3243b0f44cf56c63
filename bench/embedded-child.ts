// Runs in a fresh `node --expose-gc` process (spawned by bench/embedded.ts) so that module
// loading and memory are measured from a clean start. Prints one JSON line.
//   memory   RSS/heap before importing samsa, after the import, and with an idle started broker
//   kafkajs  startBroker() → KafkaJS producer connect + send (acks=1) acknowledged
//   raw      startBroker() → raw socket: Metadata (auto-creates the topic) + Produce v7 acknowledged
import { setTimeout as sleep } from 'node:timers/promises';

const mode = process.argv[2];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function settle(): Promise<{ rss: number; heapUsed: number; external: number }> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

const MiB = 2 ** 20;

async function memory(): Promise<Record<string, number>> {
  const before = await settle();
  const t0 = performance.now();
  const { startBroker } = await import('../src/index.js');
  const importMs = performance.now() - t0;
  const imported = await settle();
  const t1 = performance.now();
  const broker = await startBroker();
  const startMs = performance.now() - t1;
  const started = await settle();
  await sleep(1000);
  const idle = await settle();
  await broker.stop();
  return {
    importMs,
    startMs,
    importRss: (imported.rss - before.rss) / MiB,
    importHeap: (imported.heapUsed - before.heapUsed) / MiB,
    startedRss: (started.rss - before.rss) / MiB,
    idleRss: (idle.rss - before.rss) / MiB,
    idleHeap: (idle.heapUsed - before.heapUsed) / MiB,
    idleExternal: (idle.external - before.external) / MiB,
    brokerOnlyRss: (idle.rss - imported.rss) / MiB,
    baseRss: before.rss / MiB,
  };
}

async function kafkajs(): Promise<Record<string, number>> {
  const { Kafka, logLevel } = await import('kafkajs');
  const t0 = performance.now();
  const { startBroker } = await import('../src/index.js');
  const importMs = performance.now() - t0;
  const t1 = performance.now();
  const broker = await startBroker();
  const startMs = performance.now() - t1;
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'bench', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const [meta] = await producer.send({ topic: 'bench', acks: 1, messages: [{ value: 'first' }] });
  const firstAckMs = performance.now() - t1;
  if (meta.errorCode !== 0) throw new Error(`produce failed: ${meta.errorCode}`);
  await producer.disconnect();
  await broker.stop();
  return { importMs, startMs, firstAckMs };
}

async function raw(): Promise<Record<string, number>> {
  const { RawClient } = await import('../test/helpers/raw-client.js');
  const { buildBatch } = await import('../src/protocol/records/record.js');
  const t0 = performance.now();
  const { startBroker } = await import('../src/index.js');
  const importMs = performance.now() - t0;
  const t1 = performance.now();
  const broker = await startBroker();
  const startMs = performance.now() - t1;
  const client = await RawClient.connect(broker.port);
  const topic = 'bench';
  const meta = await client.request<{ topics: { errorCode: number; partitions: unknown[] }[] }>(3, 4, {
    topics: [{ name: topic }], allowAutoTopicCreation: true,
  });
  if (!meta || meta.topics[0].errorCode !== 0) throw new Error(`metadata: ${JSON.stringify(meta?.topics)}`);
  const records = buildBatch({ baseTimestamp: Date.now(), records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('first'), headers: [] }] });
  const resp = await client.request<{ responses: { partitionResponses: { errorCode: number; baseOffset: number }[] }[] }>(0, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const firstAckMs = performance.now() - t1;
  const p = resp?.responses[0].partitionResponses[0];
  if (!p || p.errorCode !== 0) throw new Error(`produce: ${JSON.stringify(resp)}`);
  client.close();
  await broker.stop();
  return { importMs, startMs, firstAckMs };
}

const modes: Record<string, () => Promise<Record<string, number>>> = { memory, kafkajs, raw };
const fn = modes[mode];
if (!fn) throw new Error(`mode: ${Object.keys(modes).join(' | ')}`);
process.stdout.write(JSON.stringify(await fn()) + '\n');
