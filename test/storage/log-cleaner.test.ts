// The log cleaner over real partition logs in this process (a LogManager with worker threads):
// the latest record per key at its original offset, tombstones kept until their delete horizon,
// segments merged up to segment.bytes, valid indexes, the checkpoint; transactional data as
// Kafka's cleaner treats it; the leftovers of a cleaning interrupted at every step.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ATTR_DELETE_HORIZON, attributesOf, baseTimestampOf, forEachBatch, isBatchCrcValid } from '../../src/protocol/records/batch.js';
import { decodeBatches as decodeRecordBatches } from '../../src/protocol/records/record.js';
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
});
