// Retention and DeleteRecords through third-party clients against a broker process: the
// retention check deletes exactly the segments Kafka would (worked out here from the segment
// files), under topic configs changed at run time; DeleteRecords through KafkaJS and
// @platformatic/kafka, seen by confluent-kafka and KafkaJS; a group consumer below the new
// start resumes there; `.deleted` files left by a kill -9 are removed at the restart.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import '../helpers/platformatic.js';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { DeleteRecordsResponse } from '../../src/protocol/messages/delete-records.js';
import type { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { kcat, python } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { RawClient } from '../helpers/raw-client.js';
import { segmentFiles, type SegmentFile } from '../storage/helpers.js';

const { Kafka, logLevel } = kafkajs;
const HOUR = 3_600_000;
/** Retention checks every 200 ms from the start, so a changed config shows within a second. */
const FAST_CHECKS = { 'log.retention.check.interval.ms': 200, 'log.initial.task.delay.ms': 0 };
/** Each record is about 300 bytes: three per 1 KiB segment. */
const SEGMENT_BYTES = '1024';
const VALUE = 'x'.repeat(250);

let broker: BrokerProcess;
let kafka: InstanceType<typeof Kafka>;

before(async () => {
  broker = await startBrokerProcess({ overrides: FAST_CHECKS });
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
after(async () => {
  await broker?.stop();
  removeDir(broker.dataDir);
});

/** KafkaJS's deleteTopicRecords needs the topic's metadata loaded first (fetchTopicOffsets does that). */
async function kafkaJsDeleteRecords(topic: string, offset: number): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.fetchTopicOffsets(topic);
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(offset) }] });
  });
}

async function withAdmin<T>(fn: (admin: ReturnType<typeof kafka.admin>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

async function withPlatformatic<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: 'samsa-retention', bootstrapBrokers: [broker.bootstrap] });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

async function createTopic(topic: string, config: Record<string, string>): Promise<void> {
  await withAdmin((admin) => admin.createTopics({
    topics: [{ topic, numPartitions: 1, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }],
  }));
}

/** One record per produce request, so batches never outgrow a segment; `timestamps` in ms. */
async function produce(topic: string, timestamps: number[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (const [i, ts] of timestamps.entries()) {
      await producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: `${i};${VALUE}`, timestamp: String(ts), partition: 0 }] });
    }
  } finally {
    await producer.disconnect();
  }
}

const partitionDir = (topic: string): string => join(broker.dataDir, `${topic}-0`);

/** The live segment files of partition 0. */
const segmentFilesOf = (topic: string): SegmentFile[] => segmentFiles(partitionDir(topic));

/** Kafka's deleteOldSegments (everything here is below the high watermark): size, then time; the active segment stays. */
function kafkaKeeps(files: SegmentFile[], rule: { retentionBytes?: number; retentionMs?: number; now?: number }): SegmentFile[] {
  let n = 0;
  if (rule.retentionBytes !== undefined) {
    let total = files.reduce((sum, f) => sum + f.size, 0);
    while (n < files.length - 1 && total - files[n].size >= rule.retentionBytes) total -= files[n++].size;
  }
  if (rule.retentionMs !== undefined) while (n < files.length - 1 && rule.now! - files[n].maxTimestamp > rule.retentionMs) n++;
  return files.slice(n);
}

/** Polls (bounded) until the segment files are `expected`; returns the last listing. */
async function awaitSegments(topic: string, expected: SegmentFile[]): Promise<SegmentFile[]> {
  let files = segmentFilesOf(topic);
  for (let i = 0; i < 300 && JSON.stringify(files) !== JSON.stringify(expected); i++) {
    await sleep(50);
    files = segmentFilesOf(topic);
  }
  return files;
}

function watermarks(topic: string): Promise<{ low: number; high: number }> {
  return python('low_watermark.py', [broker.bootstrap, 'watermarks', topic]);
}

async function kafkaJsOffsets(topic: string): Promise<{ low: string; high: string }> {
  const [p] = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return { low: p.low, high: p.high };
}

test('retention.bytes set at run time with confluent-kafka\'s alter_configs deletes the oldest segments Kafka would', async () => {
  const topic = 'ret-size';
  await createTopic(topic, { 'segment.bytes': SEGMENT_BYTES });
  await produce(topic, Array.from({ length: 30 }, () => Date.now()));
  const files = segmentFilesOf(topic);
  assert.ok(files.length >= 9, `${files.length} segments`);
  await sleep(500); // several checks under the default config (no size limit): nothing goes
  assert.deepEqual(segmentFilesOf(topic), files);

  const total = files.reduce((n, f) => n + f.size, 0);
  const retentionBytes = Math.floor(total / 2);
  const expected = kafkaKeeps(files, { retentionBytes });
  assert.ok(expected.length > 1 && expected.length < files.length);
  // AlterConfigs replaces every topic config: segment.bytes is given again.
  const [outcome] = await python<{ error: string | null }[][]>('admin_configs.py', [broker.bootstrap, 'confluent', JSON.stringify([
    { op: 'alter', resources: [{ type: 'topic', name: topic, configs: { 'segment.bytes': SEGMENT_BYTES, 'retention.bytes': String(retentionBytes) } }] },
  ])]);
  assert.deepEqual(outcome, [{ error: null }]);
  assert.deepEqual(await awaitSegments(topic, expected), expected);
  assert.deepEqual(await watermarks(topic), { low: expected[0].base, high: 30 });
  assert.deepEqual(await kafkaJsOffsets(topic), { low: String(expected[0].base), high: '30' });
  const consumed = (await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-f', '%o\n'])).trim().split('\n').map(Number);
  assert.deepEqual(consumed, Array.from({ length: 30 - expected[0].base }, (_, i) => expected[0].base + i));
});

test('retention.ms set with IncrementalAlterConfigs goes by each segment\'s largest timestamp; future timestamps stop it', async () => {
  const topic = 'ret-time';
  await createTopic(topic, { 'segment.bytes': SEGMENT_BYTES });
  const now = Date.now();
  const old = now - 10 * HOUR;
  // Three records per segment: two old segments, one with a future record, an old one, then new ones.
  await produce(topic, [old, old, old, old, old, old, old, now + 10 * HOUR, old, old, old, old, now, now, now]);
  const files = segmentFilesOf(topic);
  const expected = kafkaKeeps(files, { retentionMs: HOUR, now });
  assert.equal(files.length - expected.length, 2, 'the segment with the future record stops the deletion');
  await withPlatformatic((admin) => admin.incrementalAlterConfigs({
    resources: [{
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: topic,
      configs: [{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: String(HOUR) }],
    }],
  }));
  assert.deepEqual(await awaitSegments(topic, expected), expected);
  assert.equal((await watermarks(topic)).low, expected[0].base);
});

test('DeleteRecords through KafkaJS: low watermark exact in confluent-kafka and KafkaJS; a group below it resumes at the new start', async () => {
  const topic = 'dr-kafkajs';
  const group = 'dr-group';
  await createTopic(topic, { 'segment.bytes': SEGMENT_BYTES });
  await produce(topic, Array.from({ length: 20 }, () => Date.now()));
  assert.deepEqual(await python('low_watermark.py', [broker.bootstrap, 'commit', topic, group, '4']), { committed: 4 });
  const files = segmentFilesOf(topic);
  const start = 13;
  const holding = files.filter((f) => f.base <= start).at(-1)!;
  assert.ok(holding.base < start, 'the new start lies inside a segment');

  await kafkaJsDeleteRecords(topic, start);
  // At once, before any retention check has to run.
  assert.deepEqual(await watermarks(topic), { low: start, high: 20 });
  assert.deepEqual(await kafkaJsOffsets(topic), { low: String(start), high: '20' });
  // The group committed 4, below the start: auto.offset.reset=earliest takes it to the start.
  assert.deepEqual(await python('low_watermark.py', [broker.bootstrap, 'resume', topic, group]), { first: start });
  // Segments wholly below go at the next check; the one holding the start stays whole.
  const kept = files.filter((f) => f.base >= holding.base);
  assert.deepEqual(await awaitSegments(topic, kept), kept);
  assert.equal(readFileSync(join(broker.dataDir, `${topic}-0`, 'leader-epoch-checkpoint'), 'utf8'), `0\n1\n0 ${start}\n`);
  const checkpoint = readFileSync(join(broker.dataDir, 'log-start-offset-checkpoint'), 'utf8');
  assert.match(checkpoint, new RegExp(`^${topic} 0 ${start}$`, 'm'));
});

test('DeleteRecords as Kafka answers it: @platformatic/kafka\'s low watermarks, -1, offsets out of range, a lower offset, Fetch below the start', async () => {
  const topic = 'dr-raw';
  await createTopic(topic, { 'segment.bytes': SEGMENT_BYTES });
  await createTopic('dr-compacted', { 'cleanup.policy': 'compact' });
  await produce(topic, Array.from({ length: 10 }, () => Date.now()));

  const [deleted] = await withPlatformatic((admin) => admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 4n }] }] }));
  assert.deepEqual(deleted, { name: topic, partitions: [{ partition: 0, lowWatermark: 4n }] });

  const raw = await RawClient.connect(broker.port);
  try {
    const deleteRecords = async (version: number, name: string, partitionIndex: number, offset: number) => {
      const r = await raw.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, version, { topics: [{ name, partitions: [{ partitionIndex, offset }] }], timeoutMs: 5000 });
      return r!.topics[0].partitions[0];
    };
    const answer = (lowWatermark: number, errorCode: number) => ({ partitionIndex: 0, lowWatermark, errorCode });
    assert.deepEqual(await deleteRecords(0, topic, 0, 2), answer(4, ErrorCode.NONE), 'a lower offset changes nothing');
    assert.deepEqual(await deleteRecords(1, topic, 0, 11), answer(-1, ErrorCode.OFFSET_OUT_OF_RANGE), 'above the high watermark');
    assert.deepEqual(await deleteRecords(2, topic, 0, -2), answer(-1, ErrorCode.OFFSET_OUT_OF_RANGE));
    assert.deepEqual(await deleteRecords(2, topic, 0, 6), answer(6, ErrorCode.NONE));
    assert.deepEqual(await deleteRecords(2, 'dr-compacted', 0, 0), answer(-1, ErrorCode.POLICY_VIOLATION));
    assert.deepEqual(await deleteRecords(2, 'no-such-topic', 0, 0), answer(-1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    assert.deepEqual(await deleteRecords(2, topic, 7, 0), { ...answer(-1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), partitionIndex: 7 });

    const fetch = async (fetchOffset: number) => {
      const req: Partial<FetchRequest> = {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
        forgottenTopicsData: [], rackId: '',
      };
      const p = (await raw.request<FetchResponse>(ApiKey.Fetch, 11, req))!.responses[0].partitions[0];
      return { errorCode: p.errorCode, logStartOffset: p.logStartOffset };
    };
    assert.deepEqual(await fetch(5), { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset: 6 });
    assert.deepEqual(await fetch(6), { errorCode: ErrorCode.NONE, logStartOffset: 6 });

    assert.deepEqual(await deleteRecords(2, topic, 0, -1), answer(10, ErrorCode.NONE), '-1: the high watermark');
    assert.deepEqual(await fetch(10), { errorCode: ErrorCode.NONE, logStartOffset: 10 });
  } finally {
    raw.close();
  }
  const listed = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  assert.deepEqual([listed[0].low, listed[0].high], ['10', '10']);
});

test('.deleted files kept for file.delete.delay.ms are removed at the restart after a kill -9; the log start survives', async () => {
  const topic = 'ret-restart';
  await createTopic(topic, { 'segment.bytes': SEGMENT_BYTES, 'file.delete.delay.ms': String(HOUR) });
  await produce(topic, Array.from({ length: 15 }, () => Date.now()));
  const files = segmentFilesOf(topic);
  await kafkaJsDeleteRecords(topic, 8);
  const kept = files.filter((_, i) => i === files.length - 1 || files[i + 1].base > 8);
  assert.deepEqual(await awaitSegments(topic, kept), kept);
  const deleted = readdirSync(partitionDir(topic)).filter((n) => n.endsWith('.deleted'));
  assert.ok(deleted.includes('00000000000000000000.log.deleted'), deleted.join(' '));

  await broker.kill9();
  broker = await startBrokerProcess({ dataDir: broker.dataDir, overrides: FAST_CHECKS });
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  assert.deepEqual(readdirSync(partitionDir(topic)).filter((n) => n.endsWith('.deleted')), []);
  for (const name of deleted) assert.ok(!existsSync(join(partitionDir(topic), name)));
  assert.deepEqual(segmentFilesOf(topic), kept);
  assert.deepEqual(await watermarks(topic), { low: 8, high: 15 });
  const consumed = (await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-f', '%o\n'])).trim().split('\n').map(Number);
  assert.deepEqual(consumed, [8, 9, 10, 11, 12, 13, 14]);
});
