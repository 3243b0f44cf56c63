// The log cleaner over real partition logs in this process (a LogManager with worker threads):
// the latest record per key at its original offset, tombstones kept until their delete horizon,
// segments merged up to segment.bytes, valid indexes, the checkpoint; transactional data as
// Kafka's cleaner treats it; the leftovers of a cleaning interrupted at every step.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ATTR_DELETE_HORIZON, attributesOf, baseTimestampOf, forEachBatch, isBatchCrcValid } from '../../src/protocol/records/batch.js';
import { buildBatch as buildRecordBatch, decodeBatches as decodeRecordBatches } from '../../src/protocol/records/record.js';
import type { CleaningRecord } from '../../src/storage/cleaner/log-cleaner.js';
import { logConfig, type LogConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { buildBatch, makeTempDir } from './helpers.js';

const NOW = Date.now();
const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };
const CLEANER = { threads: 1, dedupeBufferSize: 4 * 1024 * 1024, ioBufferSize: 512 * 1024, ioBufferLoadFactor: 0.9, backoffMs: 20 };
const COMPACT: Partial<LogConfig> = { cleanupPolicy: ['compact'], segmentBytes: 16 * 1024, minCleanableDirtyRatio: 0.01, indexIntervalBytes: 512 };

let tmp: ReturnType<typeof makeTempDir>;
let dirs = 0;
before(() => (tmp = makeTempDir()));
after(() => tmp.remove());
const freshDir = (): string => join(tmp.path, `c${dirs++}`);

interface Seen {
  offset: number;
  key: string | null;
  value: string | null;
  control: boolean;
}

/** Every record of the log from its start, with CRCs checked. */
async function readAll(log: PartitionLog): Promise<Seen[]> {
  const seen: Seen[] = [];
  let offset = log.logStartOffset;
  for (let round = 0; offset < log.logEndOffset && round < 100_000; round++) {
    const { records } = await log.read(offset, 1024 * 1024, ALL);
    if (records.length === 0) break;
    for (const chunk of records) {
      forEachBatch(chunk, (at, size) => assert.ok(isBatchCrcValid(chunk, at, size), 'batch CRC'));
      for (const b of decodeRecordBatches(chunk)) {
        for (const r of b.records) seen.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, control: b.isControl });
        offset = b.baseOffset + b.lastOffsetDelta + 1;
      }
    }
  }
  return seen;
}

/** Resolves with the next cleaning of `log` (the cleaner's idle timers do not keep the process alive; this does). */
function nextCleaning(manager: LogManager, log: PartitionLog): Promise<CleaningRecord> {
  const keepAlive = setInterval(() => {}, 1000);
  return new Promise<CleaningRecord>((resolve) => {
    manager.logCleaner!.onCleaned = (r) => {
      if (r.topic === log.topic && r.partition === log.partition) resolve(r);
    };
  }).finally(() => clearInterval(keepAlive));
}

/** Appends `rounds` values for keys <prefix>0..keys-1 (10 a batch), then tombstones for every `tombstoneEvery`-th key. */
function writeKeys(log: PartitionLog, keys: number, rounds: number, tombstoneEvery: number, prefix = 'key-'): Map<string, { offset: number; value: string | null }> {
  const latest = new Map<string, { offset: number; value: string | null }>();
  const append = (records: { key: string; value: string | null }[]): void => {
    const { baseOffset } = log.append(buildBatch(records.map((r, i) => ({ ...r, timestampDelta: i })), { baseTimestamp: NOW }), { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW });
    records.forEach((r, i) => latest.set(r.key, { offset: baseOffset + i, value: r.value }));
  };
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < keys; k += 10) {
      append(Array.from({ length: Math.min(10, keys - k) }, (_, i) => ({ key: `${prefix}${k + i}`, value: `round ${round} value of key ${k + i} ${'x'.repeat(40)}` })));
    }
  }
  const doomed = Array.from({ length: Math.floor(keys / tombstoneEvery) }, (_, i) => `${prefix}${i * tombstoneEvery}`);
  for (let i = 0; i < doomed.length; i += 10) append(doomed.slice(i, i + 10).map((key) => ({ key, value: null })));
  log.updateHighWatermark(log.logEndOffset);
  return latest;
}

describe('log cleaner', () => {
  test('keeps the latest record per key at its original offset, tombstones until their horizon, and checkpoints', async () => {
    const dir = freshDir();
    const manager = await LogManager.open({ logDirs: [dir], cleaner: CLEANER });
    try {
      const log = manager.createLog('changelog', 0, logConfig(COMPACT));
      const cleaned = nextCleaning(manager, log);
      const latest = writeKeys(log, 1000, 4, 10);
      const before = log.size;
      const record = await cleaned;
      assert.equal(record.result.endOffset, log.activeSegmentBaseOffset);
      assert.ok(log.size < before / 2, `log shrank from ${before} to ${log.size}`);

      const seen = await readAll(log);
      const byKey = new Map<string, Seen[]>();
      for (const r of seen) byKey.set(r.key!, [...(byKey.get(r.key!) ?? []), r]);
      for (const [key, want] of latest) {
        const got = byKey.get(key) ?? [];
        assert.deepEqual(got.at(-1), { offset: want.offset, key, value: want.value, control: false }, key);
        // Below the active segment only the latest survives.
        assert.ok(got.filter((r) => r.offset < record.result.endOffset).length <= 1, `${key} appears once in the cleaned part`);
      }
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].offset > seen[i - 1].offset, 'offsets ascend');
      const checkpoint = readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8');
      assert.equal(checkpoint, `0\n1\nchangelog 0 ${record.result.endOffset}\n`);
      assert.deepEqual(readdirSync(join(dir, 'changelog-0')).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap')), []);
    } finally {
      await manager.close();
    }
  });

  test('tombstones get a delete horizon and go at the first cleaning after it', async () => {
    const manager = await LogManager.open({ logDirs: [freshDir()], cleaner: CLEANER });
    try {
      const log = manager.createLog('deletions', 0, logConfig({ ...COMPACT, deleteRetentionMs: 1 }));
      let cleaned = nextCleaning(manager, log);
      const latest = writeKeys(log, 1000, 2, 10);
      const first = await cleaned;
      const withTombstones = (await readAll(log)).filter((r) => r.value === null);
      assert.equal(withTombstones.length, 100, 'the tombstones stay until their horizon');
      assert.ok(withTombstones.some((r) => r.offset < first.result.endOffset), 'some tombstones were cleaned');
      const horizons = new Set<number>();
      for (const chunk of (await log.read(0, 64 * 1024 * 1024, ALL)).records) {
        forEachBatch(chunk, (at) => {
          const batch = decodeRecordBatches(chunk.subarray(at))[0];
          if (!batch.records.some((r) => r.value === null) || batch.baseOffset >= first.result.endOffset) return;
          assert.ok((attributesOf(chunk, at) & ATTR_DELETE_HORIZON) !== 0, 'delete horizon flag');
          horizons.add(baseTimestampOf(chunk, at));
        });
      }
      assert.equal(horizons.size, 1, 'one horizon: the cleaning time + delete.retention.ms');
      const [horizon] = horizons;
      assert.ok(horizon > NOW - 60_000 && horizon <= Date.now() + 1, `horizon ${horizon}`);

      // More data makes the log dirty again; the next cleaning is past the horizon.
      cleaned = nextCleaning(manager, log);
      writeKeys(log, 1000, 1, 1000, 'other-');
      await cleaned;
      const seen = await readAll(log);
      for (const [key, want] of latest) {
        const got = seen.filter((r) => r.key === key);
        // A tombstone gets its horizon at the first cleaning that covers it, and goes at a later one.
        if (want.value === null && want.offset < first.result.endOffset) assert.deepEqual(got, [], `${key} is gone`);
        else assert.deepEqual(got.map((r) => r.offset), [want.offset], key);
      }
    } finally {
      await manager.close();
    }
  });

  test('transactions: aborted data removed, markers kept while their data is, last batches of producers kept empty, .txnindex rewritten', async () => {
    const manager = await LogManager.open({ logDirs: [freshDir()], cleaner: CLEANER });
    try {
      const log = manager.createLog('txns', 0, logConfig(COMPACT));
      const append = (batch: Buffer): number => log.append(batch, { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW }).baseOffset;
      const keyed = (from: number, value: string): { offsetDelta: number; timestampDelta: number; key: Buffer; value: Buffer; headers: [] }[] =>
        Array.from({ length: 10 }, (_, i) => ({ offsetDelta: i, timestampDelta: 0, key: Buffer.from(`k${from + i}`), value: Buffer.from(value), headers: [] }));
      const txn = (producerId: number, from: number, value: string, commit: boolean): { data: number; marker: number } => {
        const data = append(buildRecordBatch({ baseTimestamp: NOW, producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true, records: keyed(from, value) }));
        const marker = log.appendTxnMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit, leaderEpoch: 0, now: NOW }).baseOffset;
        return { data, marker };
      };
      const committed = txn(1001, 0, 'p1-committed', true);
      const abortedOver = txn(1002, 0, 'p2-aborted', false);
      const abortedAlone = txn(1003, 10, 'p3-aborted', false);
      const plain = append(buildRecordBatch({ baseTimestamp: NOW, records: keyed(0, 'plain').slice(0, 5) }));
      const cleaned = nextCleaning(manager, log);
      writeKeys(log, 1000, 1, 1000, 'filler-');
      const { result } = await cleaned;
      assert.ok(result.endOffset > plain);

      const batches = (await log.read(0, 64 * 1024 * 1024, ALL)).records.flatMap((chunk) => decodeRecordBatches(chunk)).filter((b) => b.baseOffset < plain + 5);
      const shape = batches.map((b) => ({ offset: b.baseOffset, producerId: b.producerId, control: b.isControl, values: b.records.map((r) => `${r.key}=${r.value}`) }));
      const markerRecord = (commit: boolean): string[] => [`${Buffer.from([0, 0, 0, commit ? 1 : 0])}=${Buffer.from([0, 0, 0, 0, 0, 0])}`];
      assert.deepEqual(shape, [
        // P1's data, superseded in part by the plain batch: its other records stay, its marker too.
        { offset: committed.data, producerId: 1001, control: false, values: keyed(5, 'p1-committed').slice(0, 5).map((r) => `${r.key}=${r.value}`) },
        { offset: committed.marker, producerId: 1001, control: true, values: markerRecord(true) },
        // Aborted data goes; each producer's last data batch stays as an empty header; the abort markers stay for now.
        { offset: abortedOver.data, producerId: 1002, control: false, values: [] },
        { offset: abortedOver.marker, producerId: 1002, control: true, values: markerRecord(false) },
        { offset: abortedAlone.data, producerId: 1003, control: false, values: [] },
        { offset: abortedAlone.marker, producerId: 1003, control: true, values: markerRecord(false) },
        { offset: plain, producerId: -1, control: false, values: keyed(0, 'plain').slice(0, 5).map((r) => `${r.key}=${r.value}`) },
      ]);
      // read_committed readers still learn of both aborts, from the cleaned segment's .txnindex.
      const aborted = await log.abortedTransactions(0, log.logEndOffset);
      assert.deepEqual(aborted.map((t) => [t.producerId, t.firstOffset]), [[1002, abortedOver.data], [1003, abortedAlone.data]]);
      const dir = join(log.dir);
      assert.ok(readdirSync(dir).some((n) => n.endsWith('.txnindex')), 'a .txnindex was written for the cleaned segment');
    } finally {
      await manager.close();
    }
  });
});
