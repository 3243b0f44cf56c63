// Topic compression.type, as Kafka has it: batches in another codec are
// stored recompressed with the topic's codec (kcat producing, kcat and a raw
// Fetch reading back), pipelined produces keep their order through the
// asynchronous recompression, and a zstd topic refuses Fetch below v10
// whatever its batches hold. Against a broker started as `samsa start`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { CreateTopicsResponse } from '../../src/protocol/messages/create-topics.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import type { ProduceResponse } from '../../src/protocol/messages/produce.js';
import { CompressionType } from '../../src/protocol/records/batch.js';
import { type DecodedBatch, buildBatch, decodeBatches } from '../../src/protocol/records/record.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: BrokerProcess;
let raw: RawClient;
before(async () => {
  broker = await startBrokerProcess();
  raw = await RawClient.connect(broker.port);
});
after(async () => {
  raw?.close();
  await broker?.stop();
  removeDir(broker.dataDir);
});

async function createTopic(name: string, compressionType: string): Promise<void> {
  const r = await raw.request<CreateTopicsResponse>(ApiKey.CreateTopics, 5, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'compression.type', value: compressionType }] }],
    timeoutMs: 5000, validateOnly: false,
  });
  assert.equal(r?.topics[0].errorCode, ErrorCode.NONE, r?.topics[0].errorMessage ?? undefined);
}

/** Partition 0 of `topic` from `offset`, read with Fetch `version`. */
async function fetchPartition(topic: string, version: number, offset = 0) {
  const r = await raw.request<FetchResponse>(ApiKey.Fetch, version, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 64 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 64 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  assert.ok(r, 'connection closed');
  return r.responses[0].partitions[0];
}

const batchesOf = (p: { records: unknown }): DecodedBatch[] => decodeBatches((p.records as Buffer | null) ?? Buffer.alloc(0));

async function storedBatches(topic: string): Promise<DecodedBatch[]> {
  const p = await fetchPartition(topic, 11);
  assert.equal(p.errorCode, ErrorCode.NONE);
  return batchesOf(p);
}

const COUNT = 300;
const line = (i: number): string => `key-${i}:value-${i}-${'x'.repeat(i % 50)}`;

// Each topic codec is fed by another codec, so every codec is once the source and once the target.
const CASES: [target: string, sent: string, stored: CompressionType][] = [
  ['gzip', 'none', CompressionType.Gzip],
  ['snappy', 'gzip', CompressionType.Snappy],
  ['lz4', 'zstd', CompressionType.Lz4],
  ['zstd', 'snappy', CompressionType.Zstd],
  ['uncompressed', 'lz4', CompressionType.None],
];

describe('kcat into topics with a compression.type', () => {
  for (const [target, sent, stored] of CASES) {
    test(`${sent} batches are stored as ${target}`, async () => {
      const topic = `tc-${target}`;
      await createTopic(topic, target);
      const input = Array.from({ length: COUNT }, (_, i) => line(i)).join('\n') + '\n';
      await kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0', '-z', sent, '-K:', '-H', 'h=hv', '-X', 'linger.ms=20'], input);

      const batches = await storedBatches(topic);
      assert.ok(batches.length >= 1);
      for (const b of batches) assert.equal(b.compression, stored, `batch at ${b.baseOffset}`);
      const records = batches.flatMap((b) => b.records);
      assert.deepEqual(records.map((r) => r.offset), Array.from({ length: COUNT }, (_, i) => i));
      records.forEach((r, i) => {
        assert.equal(`${r.key?.toString()}:${r.value?.toString()}`, line(i));
        assert.deepEqual(r.headers.map((h) => [h.key, h.value?.toString()]), [['h', 'hv']]);
      });

      const out = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o|%k:%s|%h\n']);
      assert.deepEqual(out.trim().split('\n'), Array.from({ length: COUNT }, (_, i) => `${i}|${line(i)}|h=hv`));
    });
  }
});

test('pipelined produces to a recompressed topic are appended in request order', async () => {
  const topic = 'tc-pipelined';
  await createTopic(topic, 'zstd');
  // Large gzip batches need recompression (zstd on the worker thread); the small zstd ones
  // in between do not, and would overtake them without the per-partition ordering.
  const batches = Array.from({ length: 12 }, (_, n) => {
    const big = n % 2 === 0;
    const records = Array.from({ length: big ? 3000 : 2 }, (_, i) => ({
      offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(`batch-${n}-record-${i}-${'y'.repeat(40)}`), headers: [],
    }));
    return buildBatch({ records, baseTimestamp: Date.now(), compression: big ? CompressionType.Gzip : CompressionType.Zstd });
  });
  const c = await RawClient.connect(broker.port);
  try {
    const answers = batches.map((records) => c.request<ProduceResponse>(ApiKey.Produce, 8, {
      transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    }));
    const baseOffsets = (await Promise.all(answers)).map((r) => {
      assert.equal(r?.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
      return r.responses[0].partitionResponses[0].baseOffset;
    });
    assert.deepEqual(baseOffsets, [...baseOffsets].sort((a, b) => a - b));
  } finally {
    c.close();
  }
  const stored = await storedBatches(topic);
  assert.deepEqual(stored.map((b) => b.records[0].value?.toString().split('-record-')[0]), batches.map((_, n) => `batch-${n}`));
  for (const b of stored) assert.equal(b.compression, CompressionType.Zstd);
});

test('a zstd topic refuses Fetch below v10, whatever its batches hold; other topics send zstd batches as they are', async () => {
  await createTopic('tc-zstd-refuses', 'zstd');
  await createTopic('tc-producer-zstd', 'producer');
  // Compressible values: librdkafka sends a batch uncompressed when compression would not shrink it.
  const values = Array.from({ length: 20 }, (_, i) => `value-${i}-${'z'.repeat(100)}`);
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'tc-zstd-refuses', '-z', 'gzip'], values.join('\n') + '\n');
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'tc-producer-zstd', '-z', 'zstd'], values.join('\n') + '\n');
  for (const version of [4, 9]) {
    const refused = await fetchPartition('tc-zstd-refuses', version);
    assert.deepEqual([refused.errorCode, refused.highWatermark, batchesOf(refused)], [ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, -1, []]);
    const plain = await fetchPartition('tc-producer-zstd', version);
    assert.equal(plain.errorCode, ErrorCode.NONE);
    assert.ok(batchesOf(plain).every((b) => b.compression === CompressionType.Zstd));
  }
  const ok = await fetchPartition('tc-zstd-refuses', 10);
  assert.equal(ok.errorCode, ErrorCode.NONE);
  assert.deepEqual(batchesOf(ok).flatMap((b) => b.records.map((r) => r.value?.toString())), values);
  // Fetch v0-v3 (magic 0/1) cannot carry zstd at all.
  assert.equal((await fetchPartition('tc-producer-zstd', 3)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
});
