// DescribeLogDirs and AlterReplicaLogDirs against `samsa start` with two log dirs, through
// @platformatic/kafka (its admin client, and its raw API functions for AlterReplicaLogDirs, which
// no admin client here offers): sizes and lags per dir, a move while producing, a kill -9 after
// the move, Kafka's error codes. Exact versions (v0, v3) through the raw client.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withConnection } from '../helpers/platformatic.js';
import {
  Admin, Producer, alterReplicaLogDirsV1, alterReplicaLogDirsV2, describeLogDirsV4, stringSerializers,
} from '@platformatic/kafka';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { AlterReplicaLogDirsResponse } from '../../src/protocol/messages/alter-replica-log-dirs.js';
import type { DescribeLogDirsResponse } from '../../src/protocol/messages/describe-log-dirs.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

interface DirView {
  logDir: string;
  topics: { name: string; partitions: { partitionIndex: number; partitionSize: bigint; offsetLag: bigint; isFutureKey: boolean }[] }[];
  totalBytes: bigint;
  usableBytes: bigint;
}

const TOPIC = 'ld-moves';
let dataDir: string;
let dirA: string;
let dirB: string;
let broker: BrokerProcess;
let admin: Admin;

async function start(): Promise<void> {
  broker = await startBrokerProcess({ dataDir, overrides: { 'log.dirs': `${dirA},${dirB}` } });
  admin = new Admin({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap] });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-logdirs-'));
  [dirA, dirB] = [join(dataDir, 'a'), join(dataDir, 'b')];
  await start();
});
after(async () => {
  await admin.close();
  await broker.stop();
  removeDir(dataDir);
});


/** The client rejects answers that carry error codes; the answer itself rides on the error. */
async function answerOf<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    const response = (err as { response?: T }).response;
    if (response === undefined) throw err;
    return response;
  }
}

async function describe(partitions = [0, 1]): Promise<DirView[]> {
  const [only] = await admin.describeLogDirs({ topics: [{ name: TOPIC, partitions }] });
  return only.results as DirView[];
}

/** Where each partition of TOPIC is: 'current' or 'future' copies per dir. */
function placement(dirs: DirView[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of dirs) {
    out[d.logDir] = d.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}${p.isFutureKey ? ' future' : ''}`)).sort();
  }
  return out;
}

function bytesOnDisk(partitionDir: string): number {
  return readdirSync(partitionDir).filter((n) => n.endsWith('.log')).reduce((n, f) => n + statSync(join(partitionDir, f)).size, 0);
}

async function consume(partition: number): Promise<string[]> {
  const out = await kcat(['-b', broker.bootstrap, '-C', '-t', TOPIC, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  return out.split('\n').filter((l) => l !== '');
}

test('DescribeLogDirs shows both dirs; AlterReplicaLogDirs moves a partition while it is produced to; a kill -9 after the move keeps everything', async () => {
  await admin.createTopics({ topics: [TOPIC], partitions: 2, replicas: 1, configs: [{ name: 'segment.bytes', value: String(64 * 1024) }] });
  const producer = new Producer({ clientId: 'samsa-test', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  const sent: string[][] = [[], []];
  const send = async (round: number): Promise<void> => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ topic: TOPIC, partition: i % 2, value: `r${round}-${i}-${'x'.repeat(200)}` }));
    await producer.send({ messages });
    for (const m of messages) sent[m.partition].push(m.value);
  };
  let round = 0;
  let move: { source: string; target: string } | undefined;
  try {
    while (round < 40) await send(round++);

    const before = await describe();
    assert.deepEqual(before.map((d) => d.logDir).sort(), [dirA, dirB].sort());
    const where = placement(before);
    assert.deepEqual(Object.values(where).flat().sort(), [`${TOPIC}-0`, `${TOPIC}-1`], 'each partition in one dir');
    for (const d of before) {
      assert.ok(d.totalBytes > 0n && d.usableBytes >= 0n && d.usableBytes <= d.totalBytes, 'volume sizes (v4)');
      for (const p of d.topics.flatMap((t) => t.partitions)) {
        assert.equal(Number(p.partitionSize), bytesOnDisk(join(d.logDir, `${TOPIC}-${p.partitionIndex}`)));
        assert.equal(p.offsetLag, 0n);
      }
    }
    const source = before.find((d) => where[d.logDir].includes(`${TOPIC}-0`))!.logDir;
    const target = source === dirA ? dirB : dirA;
    move = { source, target };

    const moved = await withConnection(broker.port, (c) => alterReplicaLogDirsV2.api.async(c, [{ path: target, topics: [{ name: TOPIC, partitions: [0] }] }]));
    assert.deepEqual(moved.results, [{ topicName: TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0 }] }]);
    // Producing goes on while the copy runs; the move is done once the partition shows in its new dir alone.
    let placed: Record<string, string[]> = {};
    for (let i = 0; i < 200; i++) {
      await send(round++);
      placed = placement(await describe([0]));
      if (placed[target].includes(`${TOPIC}-0`) && placed[source].length === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual(placed, { [source]: [], [target]: [`${TOPIC}-0`] });
    await send(round++);
  } finally {
    await producer.close();
  }
  assert.ok(move);
  const { source, target } = move;
  assert.deepEqual(await consume(0), sent[0]);
  assert.deepEqual(await consume(1), sent[1]);

  await admin.close();
  await broker.kill9();
  await start();
  const restarted = placement(await describe([0]));
  assert.deepEqual(restarted, { [source]: [], [target]: [`${TOPIC}-0`] }, 'found in its new dir after the restart');
  assert.deepEqual(await consume(0), sent[0]);
  assert.deepEqual(await consume(1), sent[1]);
});

test('AlterReplicaLogDirs errors as Kafka gives them', async () => {
  await admin.createTopics({ topics: ['ld-errors'], partitions: 1, replicas: 1 });
  const [current] = (await admin.describeLogDirs({ topics: [{ name: 'ld-errors', partitions: [0] }] }))[0].results
    .filter((d) => d.topics.length > 0)
    .map((d) => d.logDir);
  const longTopic = 't'.repeat(249);
  const r = await withConnection(broker.port, (c) => answerOf(alterReplicaLogDirsV1.api.async(c, [
    { path: '/no/such/dir', topics: [{ name: 'ld-errors', partitions: [0] }] },
    { path: 'a', topics: [{ name: 'unknown-topic', partitions: [0] }] },
    { path: current, topics: [{ name: 'ld-errors', partitions: [0, 5] }, { name: 'unknown-topic', partitions: [1] }, { name: longTopic, partitions: [0] }] },
  ])));
  const codes = Object.fromEntries(r.results.flatMap((t) => t.partitions.map((p) => [`${t.topicName.slice(0, 20)}-${p.partitionIndex}`, p.errorCode])));
  assert.deepEqual(codes, {
    // Named under two dirs: the last one counts, which is where it already is.
    'ld-errors-0': ErrorCode.NONE,
    'ld-errors-5': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    'unknown-topic-0': ErrorCode.LOG_DIR_NOT_FOUND, // a relative path is no log dir
    'unknown-topic-1': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    [`${'t'.repeat(20)}-0`]: ErrorCode.INVALID_TOPIC_EXCEPTION, // the -future dir name would pass 255 bytes
  });

  // Null topics: every partition hosted here.
  const all = await withConnection(broker.port, (c) => describeLogDirsV4.api.async(c, null as never));
  const names = new Set(all.results.flatMap((d) => d.topics.map((t) => t.name)));
  assert.ok(names.has('ld-errors') && names.has(TOPIC));
});

test('DescribeLogDirs v0 and v3, AlterReplicaLogDirs v0 (our codecs)', async () => {
  const raw = await RawClient.connect(broker.port);
  try {
    const v0 = (await raw.request<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 0, { topics: [{ topic: TOPIC, partitions: [1, 7] }] }))!;
    assert.equal(v0.results.length, 2);
    assert.deepEqual(v0.results.flatMap((d) => d.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])), [[TOPIC, [1]]]);
    assert.ok(v0.results.every((d) => d.totalBytes === -1), 'no volume sizes before v4');
    const v3 = (await raw.request<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 3, { topics: [] }))!;
    assert.equal(v3.errorCode, ErrorCode.NONE);
    assert.deepEqual(v3.results.map((d) => d.topics), [[], []], 'no partitions asked, none listed');
    const moved = (await raw.request<AlterReplicaLogDirsResponse>(ApiKey.AlterReplicaLogDirs, 0, { dirs: [] }))!;
    assert.deepEqual(moved.results, []);

    // A log dir whose volume cannot be read is reported as failed, the other one as usual.
    renameSync(dirB, `${dirB}.away`);
    let failed;
    try {
      failed = (await raw.request<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, 4, { topics: null }))!;
    } finally {
      renameSync(`${dirB}.away`, dirB);
    }
    assert.deepEqual(failed.results.map((d) => [d.logDir, d.errorCode]), [[dirA, ErrorCode.NONE], [dirB, ErrorCode.KAFKA_STORAGE_ERROR]]);
  } finally {
    raw.close();
  }
});
