import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { decodeBatches, makeTempDir, valueBatch } from './helpers.js';

const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };
const APPEND = { leaderEpoch: 0, timestampType: 'CreateTime', now: 1_700_000_000_000 } as const;
const CONFIG = logConfig({ segmentBytes: 2000, indexIntervalBytes: 200 });

let tmp: ReturnType<typeof makeTempDir>;
let dirs = 0;
before(() => (tmp = makeTempDir()));
after(() => tmp.remove());

const segName = (base: number, suffix: string): string => String(base).padStart(20, '0') + suffix;

/** A closed log dir holding `batches` 5-record batches of partition p-0, several segments. */
async function writtenLogDir(batches = 30): Promise<{ dir: string; partitionDir: string; bases: number[] }> {
  const dir = join(tmp.path, `d${dirs++}`);
  const manager = await LogManager.open({ logDirs: [dir] });
  const log = manager.createLog('p', 0, CONFIG);
  for (let i = 0; i < batches; i++) log.append(valueBatch(5, 40, `b${i}`), APPEND);
  const bases = log.segmentBaseOffsets;
  await manager.close();
  return { dir, partitionDir: join(dir, 'p-0'), bases };
}

/** Forgets the clean shutdown (and optionally the recovery point), as after a crash. */
function markUnclean(dir: string, recoveryPointToZero = false): void {
  rmSync(join(dir, '.kafka_cleanshutdown'));
  if (recoveryPointToZero) writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\np 0 0\n');
}

async function openLog(dir: string, topic = 'p'): Promise<{ manager: LogManager; log: PartitionLog }> {
  const manager = await LogManager.open({ logDirs: [dir], configFor: () => CONFIG });
  return { manager, log: manager.getLog(topic, 0)! };
}

/** Every record from offset 0 is there once, in order, batch tags contiguous from b0. */
async function assertIntactPrefix(log: PartitionLog): Promise<void> {
  const records = decodeBatches(Buffer.concat((await log.read(0, 1 << 30, ALL)).records));
  assert.deepEqual(records.map((r) => r.offset), Array.from({ length: log.logEndOffset }, (_, i) => i));
  records.forEach((r, i) => assert.ok(r.value!.startsWith(`b${Math.floor(i / 5)}-${i % 5};`), `offset ${i}: ${r.value}`));
}

describe('recovery', () => {
  test('a torn tail in the active segment is cut at the last whole batch', async () => {
    const { dir, partitionDir, bases } = await writtenLogDir();
    const active = join(partitionDir, segName(bases.at(-1)!, '.log'));
    const batchSize = valueBatch(5, 40, 'b0').length;
    truncateSync(active, statSync(active).size - Math.floor(batchSize / 2));
    markUnclean(dir);
    const { manager, log } = await openLog(dir);
    assert.equal(log.logEndOffset, 29 * 5);
    await assertIntactPrefix(log);
    assert.equal(log.append(valueBatch(5, 40, 'b29'), APPEND).baseOffset, 145);
    await assertIntactPrefix(log);
    await manager.close();
  });

  test('a flipped byte (bad CRC) in an older segment truncates there and drops later segments', async () => {
    const { dir, partitionDir, bases } = await writtenLogDir();
    assert.ok(bases.length >= 4);
    const victim = join(partitionDir, segName(bases[1], '.log'));
    const bytes = readFileSync(victim);
    const batchSize = valueBatch(5, 40, 'b0').length;
    bytes[batchSize + 100] ^= 0x40; // inside the second batch of segment 1
    writeFileSync(victim, bytes);
    markUnclean(dir, true);
    const { manager, log } = await openLog(dir);
    assert.equal(log.logEndOffset, bases[1] + 5);
    assert.deepEqual(log.segmentBaseOffsets, bases.slice(0, 2));
    assert.equal(statSync(victim).size, batchSize);
    assert.ok(!existsSync(join(partitionDir, segName(bases[2], '.log'))));
    await assertIntactPrefix(log);
    assert.equal(log.append(valueBatch(5, 40, `b${bases[1] / 5 + 1}`), APPEND).baseOffset, bases[1] + 5);
    await assertIntactPrefix(log);
    await manager.close();
  });

  test('a clean shutdown skips the scan; a recovery point skips flushed segments', async () => {
    const { dir, partitionDir, bases } = await writtenLogDir();
    // corrupt a flushed segment's payload: neither kind of open scans it
    const victim = join(partitionDir, segName(bases[0], '.log'));
    const bytes = readFileSync(victim);
    bytes[150] ^= 0xff;
    writeFileSync(victim, bytes);
    let { manager, log } = await openLog(dir);
    assert.equal(log.logEndOffset, 150);
    await manager.close();
    markUnclean(dir);
    ({ manager, log } = await openLog(dir));
    assert.equal(log.logEndOffset, 150);
    assert.equal(statSync(victim).size, bytes.length);
    await manager.close();
  });

  test('deleted and corrupt indexes are rebuilt with the same entries', async () => {
    const { dir, partitionDir, bases } = await writtenLogDir();
    const original = (base: number, suffix: string) => readFileSync(join(partitionDir, segName(base, suffix)));
    const expected = bases.map((b) => [original(b, '.index'), original(b, '.timeindex')]);
    assert.ok(expected[1][0].length >= 16, 'segments have several index entries');
    rmSync(join(partitionDir, segName(bases[0], '.index')));
    const swapped = Buffer.from(expected[1][0]);
    expected[1][0].copy(swapped, 0, 8, 16);
    expected[1][0].copy(swapped, 8, 0, 8); // non-monotonic entries
    writeFileSync(join(partitionDir, segName(bases[1], '.index')), swapped);
    writeFileSync(join(partitionDir, segName(bases[2], '.timeindex')), Buffer.concat([expected[2][1], Buffer.alloc(5)]));
    writeFileSync(join(partitionDir, segName(bases.at(-1)!, '.index')), Buffer.alloc(64)); // zeros, like a preallocated file
    const { manager, log } = await openLog(dir);
    await assertIntactPrefix(log);
    // older segments load (and rebuild) their indexes when a lookup first needs them
    for (const base of bases) {
      const { records } = await log.read(base + 7, 1, ALL);
      assert.equal(decodeBatches(records[0])[0].offset, base + 5);
      assert.equal((await log.offsetForTimestamp(1_700_000_000_000))!.offset, 0);
    }
    await manager.close();
    bases.forEach((b, i) => {
      assert.ok(original(b, '.index').equals(expected[i][0]), `${b}.index`);
      assert.ok(original(b, '.timeindex').equals(expected[i][1]), `${b}.timeindex`);
    });
  });

  test('leftovers of interrupted operations are removed or completed', async () => {
    const { dir, partitionDir, bases } = await writtenLogDir(20);
    assert.ok(bases.length >= 3);
    // a cleaner swap that replaced segments 0 and 1 with one file holding both
    const merged = Buffer.concat([0, 1].map((i) => readFileSync(join(partitionDir, segName(bases[i], '.log')))));
    writeFileSync(join(partitionDir, segName(0, '.log.swap')), merged);
    const junk = [
      segName(bases[2], '.log.deleted'),
      segName(bases[2], '.log.cleaned'),
      segName(0, '.index.swap'),
      segName(999, '.index'),
      segName(999, '.timeindex'),
      'leader-epoch-checkpoint.tmp',
    ];
    for (const name of junk) writeFileSync(join(partitionDir, name), 'junk');
    const { manager, log } = await openLog(dir);
    assert.deepEqual(log.segmentBaseOffsets, [0, ...bases.slice(2)]);
    await assertIntactPrefix(log);
    assert.equal(log.logEndOffset, 100);
    for (const name of [...junk, segName(0, '.log.swap'), segName(bases[1], '.log')]) {
      assert.ok(!existsSync(join(partitionDir, name)), name);
    }
    await manager.close();
  });

  test('kill -9 during appends loses no acknowledged offset', { timeout: 60_000 }, async () => {
    const dir = join(tmp.path, 'kill');
    const child = fileURLToPath(new URL('./append-child.js', import.meta.url));
    let expectedStart = 0;
    for (let run = 0; run < 3; run++) {
      const { acknowledged, start } = await runAndKill(child, dir, run, 3000 + run * 1000);
      assert.equal(start, expectedStart, 'the child continues where the recovered log ends');
      const { manager, log } = await openLog(dir, 'crash');
      const lastAcked = acknowledged.at(-1)!;
      assert.ok(log.logEndOffset > lastAcked, `end ${log.logEndOffset} > acknowledged ${lastAcked}`);
      const records = decodeBatches(Buffer.concat((await log.read(0, 1 << 30, ALL)).records));
      assert.deepEqual(records.map((r) => r.offset), Array.from({ length: log.logEndOffset }, (_, i) => i));
      // the records are the child's batches, in order, none duplicated or skipped
      let previous = '';
      for (const r of records) {
        const tag = r.value!.slice(0, r.value!.indexOf('-'));
        if (tag !== previous) {
          const [prevRun, prevI] = previous ? previous.split(':').map(Number) : [-1, -1];
          const [tagRun, tagI] = tag.split(':').map(Number);
          assert.ok((tagRun === prevRun && tagI === prevI + 1) || (tagRun > prevRun && tagI === 0), `${previous} -> ${tag}`);
          previous = tag;
        }
      }
      expectedStart = log.logEndOffset;
      await manager.close();
      rmSync(join(dir, '.kafka_cleanshutdown')); // the next run must not look clean either way
    }
  });
});

/** Starts the append child, waits for `minAcks` acknowledged offsets, SIGKILLs it and waits for its exit. */
function runAndKill(script: string, dir: string, run: number, minAcks: number): Promise<{ acknowledged: number[]; start: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, dir, String(run)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: number[] = [];
    let start = -1;
    let pending = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('start ')) start = Number(line.slice(6));
        else acknowledged.push(Number(line));
      }
      if (acknowledged.length >= minAcks) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code} before it was killed`));
      else resolve({ acknowledged, start });
    });
  });
}
