// Retention (by size, by time, below the log start offset) and DeleteRecords in the storage
// layer. What Kafka would delete is worked out here from the segment files themselves, not from
// the log's own bookkeeping.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OffsetOutOfRangeError } from '../../src/storage/errors.js';
import { type CachedFile, FileCache } from '../../src/storage/file-cache.js';
import { DelayedFileDeleter } from '../../src/storage/file-deleter.js';
import { type LogConfig, logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { type LogContext, PartitionLog } from '../../src/storage/partition-log.js';
import { decodeBatches, makeTempDir, segmentFiles, type SegmentFile, valueBatch } from './helpers.js';

const HOUR = 3_600_000;
const NOW = Date.now();
const APPEND = { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW } as const;
const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };
/** Each batch of `valueBatch(5, 100)` is about 700 bytes: one batch per segment. */
const SMALL_SEGMENTS = { segmentBytes: 1000 };

let tmp: ReturnType<typeof makeTempDir>;
let dirs = 0;
before(() => (tmp = makeTempDir('samsa-retention-')));
after(() => tmp.remove());

/**
 * Kafka 3.9's deleteOldSegments over the files: log start, then size, then time; a segment goes
 * only when the next one starts at or below the high watermark; the active (last) one stays.
 */
function kafkaDeletes(files: SegmentFile[], log: { logStartOffset: number; highWatermark: number }, config: LogConfig, now: number): number {
  let n = 0;
  const mayGo = (): boolean => n < files.length - 1 && files[n + 1].base <= log.highWatermark;
  while (mayGo() && files[n + 1].base <= log.logStartOffset) n++;
  if (!config.cleanupPolicy.includes('delete')) return n;
  if (config.retentionBytes >= 0) {
    let total = files.slice(n).reduce((sum, f) => sum + f.size, 0);
    while (mayGo() && total - files[n].size >= config.retentionBytes) total -= files[n++].size;
  }
  if (config.retentionMs >= 0) while (mayGo() && now - files[n].maxTimestamp > config.retentionMs) n++;
  return n;
}

function newLog(ctx: LogContext, overrides: Partial<LogConfig> = {}): PartitionLog {
  const topic = `r${dirs++}`;
  return PartitionLog.create(topic, 0, join(tmp.path, `${topic}-0`), logConfig({ ...SMALL_SEGMENTS, ...overrides }), ctx);
}

/** Appends one batch per timestamp (records at ts, ts + 1, ...) and makes everything replicated. */
function fill(log: PartitionLog, baseTimestamps: number[], records = 5): void {
  for (const [i, ts] of baseTimestamps.entries()) log.append(valueBatch(records, 100, `b${i}`, { baseTimestamp: ts }), APPEND);
  log.updateHighWatermark(log.logEndOffset);
}

/** Runs one check and compares what went with what Kafka deletes, computed from the files beforehand. */
async function checkAgainstKafka(log: PartitionLog, now: number): Promise<number> {
  const before = segmentFiles(log.dir);
  const startBefore = log.logStartOffset;
  const expected = kafkaDeletes(before, log, log.config, now);
  assert.equal(await log.deleteOldSegments(now), expected);
  assert.deepEqual(segmentFiles(log.dir), before.slice(expected));
  assert.deepEqual(log.segmentBaseOffsets, before.slice(expected).map((f) => f.base));
  assert.equal(log.logStartOffset, Math.max(startBefore, before[expected].base));
  return expected;
}

describe('retention', () => {
  const ctx: LogContext = { files: new FileCache(64), onBackgroundError: (err) => assert.fail(err as Error) };
  after(() => ctx.files.closeAll());

  test('by size: the oldest segments while the log is over retention.bytes, never the active one; the config is read at each check', async () => {
    const log = newLog(ctx);
    fill(log, Array.from({ length: 10 }, () => NOW));
    const files = segmentFiles(log.dir);
    assert.equal(files.length, 10);
    const total = files.reduce((n, f) => n + f.size, 0);
    assert.equal(await checkAgainstKafka(log, NOW), 0, 'default: no size limit, records are new');
    // Changed between checks, as AlterConfigs does.
    for (const retentionBytes of [total, total - 1, total - files[0].size - files[1].size - 1, Math.floor(total / 3), 0]) {
      log.config = { ...log.config, retentionBytes };
      await checkAgainstKafka(log, NOW);
    }
    assert.equal(log.segmentCount, 1, 'retention.bytes=0 leaves the active segment');
    assert.equal(log.logStartOffset, files[9].base);
    const records = decodeBatches(Buffer.concat((await log.read(log.logStartOffset, 1 << 20, ALL)).records));
    assert.equal(records[0].offset, files[9].base);
    await log.close();
  });

  test('by time: each segment\'s largest timestamp counts; a segment with future timestamps stops the deletion', async () => {
    const log = newLog(ctx, { retentionMs: HOUR });
    const old = NOW - 10 * HOUR;
    fill(log, [old, old, NOW + 10 * HOUR, old, old, NOW]);
    assert.equal(await checkAgainstKafka(log, NOW), 2);
    // A later check when the future has come: it goes, and the two old segments behind it.
    assert.equal(await checkAgainstKafka(log, NOW + 12 * HOUR), 3);
    assert.equal(log.segmentCount, 1, 'the active segment stays however old');

    // One recent record keeps an otherwise old segment.
    const mixed = newLog(ctx, { retentionMs: HOUR });
    mixed.append(valueBatch(5, 100, 'old', { baseTimestamp: old }), APPEND);
    mixed.append(valueBatch(5, 100, 'mixed', { baseTimestamp: old, maxTimestamp: NOW }), APPEND);
    fill(mixed, [old]);
    assert.equal(await checkAgainstKafka(mixed, NOW), 1);
    assert.equal(mixed.logStartOffset, 5);
    await Promise.all([log.close(), mixed.close()]);
  });

  test('never past the high watermark; retention.ms -1 and retention.bytes -1 keep everything', async () => {
    const log = newLog(ctx, { retentionMs: -1, retentionBytes: -1 });
    fill(log, Array.from({ length: 6 }, () => NOW - 100 * HOUR));
    assert.equal(await checkAgainstKafka(log, NOW), 0);
    const bases = log.segmentBaseOffsets;
    log.highWatermark = bases[2];
    log.config = { ...log.config, retentionMs: HOUR };
    assert.equal(await checkAgainstKafka(log, NOW), 2, 'segment 2 reaches the high watermark');
    await log.close();
  });

  test('DeleteRecords moves the log start mid-segment at once; whole segments below it go at the next check', async () => {
    const log = newLog(ctx);
    fill(log, Array.from({ length: 5 }, () => NOW));
    log.append(valueBatch(5, 100, 'epoch3', { baseTimestamp: NOW }), { ...APPEND, leaderEpoch: 3 });
    log.updateHighWatermark(log.logEndOffset);
    const bases = log.segmentBaseOffsets;
    const start = bases[2] + 2;

    assert.equal(log.deleteRecordsBefore(start), start);
    assert.equal(log.logStartOffset, start);
    assert.deepEqual(log.leaderEpochs.all, [{ epoch: 0, startOffset: start }, { epoch: 3, startOffset: bases[5] }], 'as Kafka\'s corpus-plain-1: "0 50"');
    await assert.rejects(log.read(start - 1, 1 << 20, ALL), OffsetOutOfRangeError);
    const first = decodeBatches(Buffer.concat((await log.read(start, 1 << 20, ALL)).records));
    assert.equal(first[0].offset, bases[2], 'whole batches: the one holding the start comes back');
    assert.equal(log.deleteRecordsBefore(start - 1), start, 'a lower offset changes nothing');
    assert.throws(() => log.deleteRecordsBefore(log.highWatermark + 1), OffsetOutOfRangeError);
    assert.equal(log.deleteRecordsBefore(log.highWatermark), log.highWatermark, 'up to the high watermark itself');
    assert.equal(log.segmentCount, 6, 'no segment deleted yet');

    assert.equal(await checkAgainstKafka(log, NOW), 5, 'every segment but the active one is wholly below');
    assert.equal(log.logStartOffset, log.highWatermark, 'the start stays where DeleteRecords put it');
    await log.flush();
    assert.equal(readFileSync(join(log.dir, 'leader-epoch-checkpoint'), 'utf8'), `0\n1\n3 ${log.logStartOffset}\n`);
    await log.close();
  });

  test('cleanup.policy=compact: only the segments below the log start offset go', async () => {
    const log = newLog(ctx, { cleanupPolicy: ['compact'], retentionBytes: 0, retentionMs: 0 });
    fill(log, Array.from({ length: 4 }, () => NOW - 100 * HOUR));
    assert.equal(await checkAgainstKafka(log, NOW), 0);
    log.deleteRecordsBefore(log.segmentBaseOffsets[2]);
    assert.equal(await checkAgainstKafka(log, NOW), 2);
    await log.close();
  });
});

describe('deleted segment files', () => {
  const manager = async (dir: string, config: Partial<LogConfig>, extra = {}): Promise<LogManager> =>
    LogManager.open({ logDirs: [dir], configFor: () => logConfig({ ...SMALL_SEGMENTS, ...config }), initialTaskDelayMs: 3_600_000, ...extra });

  test('renamed .deleted with their snapshots and kept file.delete.delay.ms; a start past the first segment is checkpointed', async () => {
    const dir = join(tmp.path, `m${dirs++}`);
    const logs = await manager(dir, { fileDeleteDelayMs: 3_600_000 });
    const log = logs.createLog('kept', 0, logConfig({ ...SMALL_SEGMENTS, fileDeleteDelayMs: 3_600_000 }));
    fill(log, Array.from({ length: 6 }, () => NOW));
    const bases = log.segmentBaseOffsets;
    assert.ok(readdirSync(log.dir).filter((n) => n.endsWith('.snapshot')).length >= 5, 'a snapshot at every roll');

    log.deleteRecordsBefore(bases[1] + 2);
    assert.equal(await logs.deleteOldSegments(), 1);
    assert.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), `0\n1\nkept 0 ${bases[1] + 2}\n`);
    log.config = { ...log.config, retentionBytes: 0 };
    assert.equal(await logs.deleteOldSegments(), 4);
    const names = readdirSync(log.dir);
    for (const base of bases.slice(0, 5)) {
      const stem = String(base).padStart(20, '0');
      for (const suffix of ['.log', '.index', '.timeindex']) {
        assert.ok(names.includes(`${stem}${suffix}.deleted`), `${stem}${suffix}.deleted`);
        assert.ok(!names.includes(`${stem}${suffix}`));
      }
      if (base > 0) assert.ok(names.includes(`${stem}.snapshot.deleted`), `${stem}.snapshot.deleted`);
    }
    assert.ok(names.includes(`${String(bases[5]).padStart(20, '0')}.snapshot`), 'the snapshot at the new start stays');
    // As Kafka, a start at the first segment's base is not listed: that segment gives it.
    assert.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), '0\n0\n');
    await logs.close();
  });

  test('unlinked after file.delete.delay.ms; after a restart the log starts at the first kept segment', async () => {
    const dir = join(tmp.path, `m${dirs++}`);
    let logs = await manager(dir, { fileDeleteDelayMs: 3_600_000 });
    const log = logs.createLog('restart', 0, logConfig({ ...SMALL_SEGMENTS, fileDeleteDelayMs: 3_600_000 }));
    fill(log, Array.from({ length: 4 }, () => NOW));
    const bases = log.segmentBaseOffsets;
    log.config = { ...log.config, retentionBytes: 0 };
    assert.equal(await logs.deleteOldSegments(), 3);
    await logs.close(); // waiting deletions are dropped: the files stay for the next start-up
    assert.ok(readdirSync(join(dir, 'restart-0')).some((n) => n.endsWith('.deleted')));

    logs = await manager(dir, { fileDeleteDelayMs: 0 });
    const reopened = logs.getLog('restart', 0)!;
    assert.ok(!readdirSync(reopened.dir).some((n) => n.endsWith('.deleted')), 'start-up finished the deletion');
    assert.equal(reopened.logStartOffset, bases[3]);
    assert.deepEqual(reopened.segmentBaseOffsets, [bases[3]]);
    reopened.config = { ...reopened.config, retentionBytes: 0 };
    fill(reopened, [NOW, NOW]);
    assert.equal(await logs.deleteOldSegments(), 2);
    // file.delete.delay.ms 0: unlinked off the event loop right after the check.
    for (let i = 0; i < 200 && readdirSync(reopened.dir).some((n) => n.endsWith('.deleted')); i++) await sleep(10);
    assert.deepEqual(readdirSync(reopened.dir).filter((n) => n.endsWith('.deleted')), []);
    await logs.close();
  });

  test('the check runs log.initial.task.delay.ms after opening, then every log.retention.check.interval.ms', async () => {
    const dir = join(tmp.path, `m${dirs++}`);
    const logs = await manager(dir, {}, { initialTaskDelayMs: 0, retentionCheckIntervalMs: 20 });
    const log = logs.createLog('timer', 0, logConfig(SMALL_SEGMENTS));
    fill(log, Array.from({ length: 5 }, () => NOW));
    await sleep(100);
    assert.equal(log.segmentCount, 5, 'nothing to delete under the default config');
    log.config = { ...log.config, retentionBytes: 0 }; // as AlterConfigs does
    for (let i = 0; i < 500 && log.segmentCount > 1; i++) await sleep(10);
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logStartOffset, log.segmentBaseOffsets[0]);
    await logs.close();
  });
});

/** A file cache whose acquire() of chosen paths waits for the test, before or after opening the file. */
class GatedFileCache extends FileCache {
  private readonly gates = new Map<string, { when: 'before-open' | 'after-open'; reached: () => void; opened: Promise<void> }>();

  /** The next acquire of `path` stops at `when`; resolves `reached` once a read is waiting there, and continues on release(). */
  hold(path: string, when: 'before-open' | 'after-open'): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const opened = new Promise<void>((resolve) => (release = resolve));
    this.gates.set(path, { when, reached, opened });
    return { reached: reachedPromise, release };
  }

  override async acquire(path: string): Promise<CachedFile> {
    const gate = this.gates.get(path);
    if (!gate) return super.acquire(path);
    this.gates.delete(path);
    if (gate.when === 'before-open') {
      gate.reached();
      await gate.opened;
      return super.acquire(path);
    }
    const file = await super.acquire(path);
    gate.reached();
    await gate.opened;
    return file;
  }
}

describe('reads racing with segment deletion', () => {
  const files = new GatedFileCache(64);
  const ctx: LogContext = { files, onBackgroundError: (err) => assert.fail(err as Error), deleter: new DelayedFileDeleter((err) => assert.fail(err as Error)) };
  after(async () => {
    await ctx.deleter!.close();
    files.closeAll();
  });

  /**
   * A log of six one-batch segments whose files are unlinked as soon as they are deleted. Flushed,
   * so the flush after each roll has taken its descriptors before a gate is set: only the read meets it.
   */
  async function sixSegments(): Promise<PartitionLog> {
    const log = newLog(ctx, { fileDeleteDelayMs: 0 });
    fill(log, Array.from({ length: 6 }, () => NOW));
    await log.flush();
    return log;
  }

  test('a read that opened a segment before it was deleted returns its data whole, and stops at the next deleted one', async () => {
    const log = await sixSegments();
    const bases = log.segmentBaseOffsets;
    const gate = files.hold(join(log.dir, '00000000000000000000.log'), 'after-open');
    const reading = log.read(0, 1 << 20, ALL);
    await gate.reached;
    log.deleteRecordsBefore(bases[3]);
    assert.equal(await log.deleteOldSegments(NOW), 3);
    for (let i = 0; i < 200 && existsSync(join(log.dir, '00000000000000000000.log.deleted')); i++) await sleep(10);
    assert.ok(!existsSync(join(log.dir, '00000000000000000000.log.deleted')), 'unlinked while the read holds it');
    gate.release();
    const records = decodeBatches(Buffer.concat((await reading).records));
    assert.deepEqual(records.map((r) => r.offset), [0, 1, 2, 3, 4]);
    assert.deepEqual(records.map((r) => r.value!.slice(0, 5)), ['b0-0;', 'b0-1;', 'b0-2;', 'b0-3;', 'b0-4;']);
    await log.close();
  });

  test('a read that reaches a deleted segment after its deletion gets OFFSET_OUT_OF_RANGE', async () => {
    const log = await sixSegments();
    const bases = log.segmentBaseOffsets;
    const gate = files.hold(join(log.dir, '00000000000000000000.log'), 'before-open');
    const reading = log.read(0, 1 << 20, ALL);
    await gate.reached;
    log.deleteRecordsBefore(bases[2]);
    assert.equal(await log.deleteOldSegments(NOW), 2);
    gate.release();
    await assert.rejects(reading, (err) => err instanceof OffsetOutOfRangeError && err.logStartOffset === bases[2]);
    await log.close();
  });

  test('many reads while segments go one by one: each gets whole valid batches from its offset, or OFFSET_OUT_OF_RANGE', async () => {
    const log = newLog(ctx, { fileDeleteDelayMs: 0 });
    fill(log, Array.from({ length: 30 }, () => NOW));
    const bases = log.segmentBaseOffsets;
    const reads: Promise<void>[] = [];
    let outOfRange = 0;
    for (let step = 1; step < bases.length; step++) {
      for (let r = 0; r < 10; r++) {
        const offset = Math.floor(Math.random() * log.logEndOffset);
        reads.push(log.read(offset, 4096, ALL).then(
          ({ records }) => {
            const got = decodeBatches(Buffer.concat(records)).map((x) => x.offset);
            assert.ok(got.length > 0 && got[0] <= offset && got.includes(offset), `offset ${offset}: ${got.join(',')}`);
            assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => got[0] + i));
          },
          (err: unknown) => {
            assert.ok(err instanceof OffsetOutOfRangeError, String(err));
            outOfRange++;
          },
        ));
      }
      log.deleteRecordsBefore(bases[step]);
      await log.deleteOldSegments(NOW);
    }
    await Promise.all(reads);
    assert.equal(log.segmentCount, 1);
    assert.ok(outOfRange > 0);
    await log.close();
  });
});
