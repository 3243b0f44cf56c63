// Log compaction through third-party clients: 10,000 keys written 4 times with 1,000 tombstones by
// kcat, read from the beginning by kcat during and after cleaning (every latest value at its
// original offset, never an older value of a deleted key without its tombstone) and after
// delete.retention.ms (the deleted keys gone); transactions of confluent-kafka's transactional
// producer cleaned as Kafka does; __consumer_offsets compacted, a restart loading the same
// offsets; cleaning and retention under heavy produce and fetch without client errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { kcat, python } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { COMPACTING, checkCompactedView, cleanerCheckpoint, mergeExpected, produceRounds, readTopic } from './compaction-helpers.js';
import { waitUntil } from '../helpers/wait.js';

const brokers: BrokerProcess[] = [];
after(async () => {
  for (const b of brokers) {
    await b.stop();
    removeDir(b.dataDir);
  }
});

async function start(opts: Parameters<typeof startBrokerProcess>[0]): Promise<BrokerProcess> {
  const b = await startBrokerProcess(opts);
  brokers.push(b);
  return b;
}

/** The broker's WARN and ERROR lines (why it closed a client's connection, say). */
function brokerComplaints(broker: BrokerProcess): string {
  return broker.output().split('\n').filter((l) => / (WARN|ERROR) /.test(l)).slice(-20).join('\n');
}

/** Bytes of a partition's .log files (one the cleaner swaps away meanwhile counts as gone). */
function logBytes(dataDir: string, partition: string): number {
  const dir = join(dataDir, partition);
  return readdirSync(dir).filter((n) => n.endsWith('.log')).reduce((n, f) => n + (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
}

describe('compaction through kcat and confluent-kafka', () => {
  test('10,000 keys written 4 times with 1,000 tombstones: during, after cleaning and after delete.retention.ms', { timeout: 300_000 }, async () => {
    const topic = 'changelog';
    const broker = await start({ overrides: { ...COMPACTING, 'log.segment.bytes': 256 * 1024, 'log.cleaner.delete.retention.ms': 2000 } });
    const written = await produceRounds(broker.bootstrap, topic, 10_000, 4, 10);
    // Readers while the cleaner works through the log.
    let reads = 0;
    for (; reads < 50 && (cleanerCheckpoint(broker.dataDir, topic) ?? 0) < written.count / 2; reads++) {
      checkCompactedView(await readTopic(broker.bootstrap, topic), written);
    }
    // Filler behind the tombstones seals their segment; the next cleaning gives them their horizon.
    const withFiller = mergeExpected(written, await produceRounds(broker.bootstrap, topic, 6000, 1, 0, written.count, 'filler-'));
    await waitUntil('the tombstones to be cleaned once', 60_000, () => (cleanerCheckpoint(broker.dataDir, topic) ?? 0) >= written.count);
    const cleanedAt = Date.now();
    const records = await readTopic(broker.bootstrap, topic);
    checkCompactedView(records, withFiller);
    const checkpoint = cleanerCheckpoint(broker.dataDir, topic)!;
    const cleanedKeys = records.filter((r) => r.offset < checkpoint).map((r) => r.key);
    assert.equal(new Set(cleanedKeys).size, cleanedKeys.length, 'each key at most once in the cleaned part');
    assert.ok(records.filter((r) => r.value === null).length > 0, 'tombstones are kept until their delete horizon');

    // Past delete.retention.ms, the next cleaning drops the tombstones: the deleted keys are gone.
    await new Promise((r) => setTimeout(r, Math.max(0, cleanedAt + 2500 - Date.now())));
    const final = mergeExpected(withFiller, await produceRounds(broker.bootstrap, topic, 6000, 1, 0, withFiller.count, 'more-'));
    await waitUntil('a cleaning past the delete horizon', 60_000, () => (cleanerCheckpoint(broker.dataDir, topic) ?? 0) >= withFiller.count);
    checkCompactedView(await readTopic(broker.bootstrap, topic), final, true);
    assert.ok(reads > 0, 'the topic was read while it was being cleaned');
  });

  test('transactions of confluent-kafka: aborted records removed, the latest committed value per key kept; __transaction_state compacted', { timeout: 180_000 }, async () => {
    const topic = 'txn-changelog';
    const overrides = {
      ...COMPACTING,
      'transaction.state.log.num.partitions': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.segment.bytes': 1024,
    };
    const broker = await start({ overrides });
    const { records } = await python<{ records: [number, string, string, boolean][] }>('compaction_txn.py', [broker.bootstrap, topic, 'compacting-txn', '500', '6', '1500'], 120_000);
    const lastMain = Math.max(...records.filter(([, key]) => key.startsWith('t-')).map(([offset]) => offset));
    await waitUntil('the transactions to be cleaned', 60_000, () => (cleanerCheckpoint(broker.dataDir, topic) ?? 0) > lastMain);
    const latest = new Map<string, [number, string]>();
    for (const [offset, key, value, committed] of records) if (committed) latest.set(key, [offset, value]);
    type Read = Record<string, { offsets: number[]; values: string[] }>;
    const committed = (await python<Read>('read_topic.py', [broker.bootstrap, topic, 'read_committed']))['0'];
    const uncommitted = (await python<Read>('read_topic.py', [broker.bootstrap, topic, 'read_uncommitted']))['0'];
    for (const view of [committed, uncommitted]) {
      assert.ok(!view.values.some((v) => v.startsWith('a')), 'no aborted record is left');
      const at = new Map(view.offsets.map((o, i) => [o, view.values[i]]));
      for (const [key, [offset, value]] of latest) assert.equal(at.get(offset), value, `latest committed value of ${key}`);
      const mainKeys = view.values.filter((v) => /^c\d+-t-/.test(v));
      assert.deepEqual(mainKeys.sort(), [...latest].filter(([k]) => k.startsWith('t-')).map(([, [, v]]) => v).sort(), 'one value per key');
    }
    assert.deepEqual(committed, uncommitted);

    // __transaction_state (1 KiB segments here) is cleaned too, and after a restart the coordinator
    // loads the compacted log: the same transactional id goes on with its transactions.
    await waitUntil('__transaction_state to be cleaned', 60_000, () => cleanerCheckpoint(broker.dataDir, '__transaction_state') !== undefined);
    assert.equal(await broker.stop(), 0);
    const restarted = await start({ dataDir: broker.dataDir, overrides });
    const again = await python<{ records: [number, string, string, boolean][] }>('compaction_txn.py', [restarted.bootstrap, topic, 'compacting-txn', '10', '1', '10'], 120_000);
    assert.ok(again.records.every(([offset]) => offset > lastMain), 'appended after the first run');
    // Kafka's coordinator log line: the same producer id with the next epoch, so its state was loaded.
    const initialized = (b: BrokerProcess): string[] =>
      [...b.output().matchAll(/Initialized transactionalId compacting-txn with producerId (\d+) and producer epoch (\d+)/g)].map((m) => `${m[1]}/${m[2]}`);
    const [before] = initialized(broker);
    const [producerId, epoch] = before.split('/');
    assert.deepEqual(initialized(restarted), [`${producerId}/${Number(epoch) + 1}`]);
  });

  test('__consumer_offsets is compacted: it shrinks after many commits and a restart loads the same offsets', { timeout: 180_000 }, async () => {
    const overrides = {
      'num.partitions': 3,
      'offsets.topic.num.partitions': 1,
      'offsets.topic.segment.bytes': 64 * 1024,
      'log.cleaner.min.cleanable.ratio': 0.01,
      'log.cleaner.backoff.ms': 100,
    };
    const broker = await start({ overrides });
    await kcat(['-b', broker.bootstrap, '-P', '-t', 'committed'], 'one\n');
    const { committed } = await python<{ committed: Record<string, number> }>('many_commits.py', [broker.bootstrap, 'committed', 'busy-group', '3', '3000'], 120_000);
    assert.deepEqual(committed, { 0: 3000, 1: 3000, 2: 3000 });
    // 3,000 commits of three offsets took several 64 KiB segments; once cleaned past the commits
    // (a cleaning may have run while they went on), only the active segment stays large.
    await waitUntil('__consumer_offsets-0 to be cleaned down to less than two segments', 60_000, () =>
      cleanerCheckpoint(broker.dataDir, '__consumer_offsets') !== undefined && logBytes(broker.dataDir, '__consumer_offsets-0') < 2 * 64 * 1024);
    assert.equal(await broker.stop(), 0);

    const restarted = await start({ dataDir: broker.dataDir, overrides });
    const reloaded = await python<{ committed: Record<string, number> }>('many_commits.py', [restarted.bootstrap, 'committed', 'busy-group', '3', '0']);
    assert.deepEqual(reloaded.committed, committed);
  });

  test('cleaning and retention under heavy produce and fetch: no client error', { timeout: 300_000 }, async () => {
    const topic = 'busy';
    const broker = await start({
      overrides: {
        ...COMPACTING,
        'log.cleanup.policy': 'compact,delete',
        'log.retention.bytes': 2 * 1024 * 1024,
        'log.retention.check.interval.ms': 500,
        'log.initial.task.delay.ms': 0,
        'log.cleaner.backoff.ms': 50,
      },
    });
    const lines = Array.from({ length: 200_000 }, (_, i) => `hot-${i % 2000}:value-${i}-${'p'.repeat(60)}`).join('\n') + '\n';
    const producer = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K', ':', '-X', 'batch.size=16384', '-X', 'linger.ms=5'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
      child.stdin.end(lines);
    });
    let done = false;
    void producer.then(() => (done = true));
    let reads = 0;
    for (; !done && reads < 200; reads++) {
      const out = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'auto.offset.reset=earliest', '-f', '%o %k\n'], undefined, 120_000)
        .catch((e: Error) => { throw new Error(`${e.message}\nthe broker's warnings and errors:\n${brokerComplaints(broker)}`, { cause: e }); });
      const offsets = out.split('\n').filter((l) => l !== '').map((l) => Number(l.split(' ')[0]));
      for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i] > offsets[i - 1], 'offsets ascend');
    }
    const { code, stderr } = await producer;
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.ok(reads > 0);
    // Afterwards every key's last value is there once cleaned.
    await waitUntil('the cleaner to catch up', 60_000, () => (cleanerCheckpoint(broker.dataDir, topic) ?? 0) > 0);
    const last = new Map<string, string>();
    for (const l of (await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k %s\n'], undefined, 120_000)).split('\n')) {
      if (l) last.set(l.split(' ')[0], l.split(' ')[1]);
    }
    for (let k = 0; k < 2000; k++) assert.equal(last.get(`hot-${k}`), `value-${198_000 + k}-${'p'.repeat(60)}`);
  });
});
