// One client benchmark run in its own process (so its CPU and memory are its own):
//   node dist/bench/client-child.js <samsa|kafkajs|platformatic> <produce|consume> <bootstrap> <topic> <count> <size>
// produce: `count` records of `size` bytes (acks=1, no compression, keyless), ACKED before exit;
// consume: reads `count` records of the topic's partition 0 from the beginning.
// Prints one JSON line: { elapsed (s), rssMiB (peak), inFlightBytesPer1000 }.
import '../test/helpers/platformatic.js';

const [client, mode, bootstrap, topic, countArg, sizeArg] = process.argv.slice(2);
const count = Number(countArg);
const size = Number(sizeArg);
/** Records per send call and calls in flight: 64,000 records outstanding at most, for every client. */
const CHUNK = 1000;
const IN_FLIGHT = 64;

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 50);

/** Runs `send(chunkIndex)` for count/CHUNK chunks with IN_FLIGHT outstanding. */
async function pipelined(send: (chunk: number) => Promise<unknown>): Promise<void> {
  const chunks = Math.ceil(count / CHUNK);
  const pending = new Set<Promise<unknown>>();
  for (let i = 0; i < chunks; i++) {
    const p: Promise<unknown> = send(i).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
}

function values(): Buffer[] {
  // A few distinct payloads, so compression-free sends still copy real bytes.
  return Array.from({ length: 16 }, (_, i) => Buffer.alloc(size, 97 + i));
}

async function samsa(): Promise<void> {
  const { Producer, Consumer } = await import('../src/index.js');
  if (mode === 'produce') {
    const producer = new Producer({ bootstrapServers: bootstrap, acks: 1, lingerMs: 5 });
    const vs = values();
    await pipelined((c) => producer.sendBatch(Array.from({ length: CHUNK }, (_, i) => ({ topic, value: vs[(c + i) & 15] }))));
    await producer.close();
    return;
  }
  const consumer = new Consumer({ bootstrapServers: bootstrap, autoOffsetReset: 'earliest', maxPollRecords: 10_000, maxPartitionFetchBytes: 4 * 1024 * 1024 });
  consumer.assign([{ topic, partition: 0 }]);
  let n = 0;
  while (n < count) n += (await consumer.poll(5000)).length;
  await consumer.close();
}

async function kafkajs(): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  if (mode === 'produce') {
    const producer = kafka.producer();
    await producer.connect();
    const vs = values();
    await pipelined((c) => producer.send({ topic, acks: 1, messages: Array.from({ length: CHUNK }, (_, i) => ({ value: vs[(c + i) & 15] })) }));
    await producer.disconnect();
    return;
  }
  const consumer = kafka.consumer({ groupId: `bench-${process.pid}`, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let n = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        n += batch.messages.length;
        if (n >= count) resolve();
      },
    });
  });
  await consumer.disconnect();
}

async function platformatic(): Promise<void> {
  const { Producer, Consumer, MessagesStreamModes } = await import('@platformatic/kafka');
  if (mode === 'produce') {
    const producer = new Producer({ clientId: 'bench', bootstrapBrokers: [bootstrap], acks: 1 });
    const vs = values();
    await pipelined((c) => producer.send({ messages: Array.from({ length: CHUNK }, (_, i) => ({ topic, partition: 0, value: vs[(c + i) & 15] })) }));
    await producer.close();
    return;
  }
  const consumer = new Consumer({ clientId: 'bench', groupId: `bench-${process.pid}`, bootstrapBrokers: [bootstrap], maxBytes: 4 * 1024 * 1024, autocommit: false });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
  let n = 0;
  for await (const message of stream) {
    void message;
    if (++n >= count) break;
  }
  await stream.close();
  await consumer.close(true);
}

const runs: Record<string, () => Promise<void>> = { samsa, kafkajs, platformatic };
const started = performance.now();
await runs[client]();
const elapsed = (performance.now() - started) / 1000;
clearInterval(sampler);
process.stdout.write(JSON.stringify({ elapsed, rssMiB: Math.round(peakRss / 1048576) }) + '\n');
process.exit(0);
