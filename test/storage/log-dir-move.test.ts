// Moving a partition between log dirs (AlterReplicaLogDirs): the copy runs while the log takes
// appends and reads, the switch loses and duplicates nothing, checkpoints and bookkeeping follow
// the log, and restarts find it in its new dir; interrupted copies are dropped.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isFutureDirName } from '../../src/storage/future-log.js';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { decodeBatches, makeTempDir, valueBatch } from './helpers.js';

const APPEND = { leaderEpoch: 0, timestampType: 'CreateTime', now: 1_700_000_000_000 } as const;
const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };
/** Small segments, so a move copies sealed segments and the active one. */
const CONFIG = logConfig({ segmentBytes: 256 * 1024, indexIntervalBytes: 1024 });
const RECORDS_PER_BATCH = 10;
const VALUE_BYTES = 200;

let tmp: ReturnType<typeof makeTempDir>;
let dirs = 0;
before(() => (tmp = makeTempDir('samsa-move-')));
after(() => tmp.remove());
const twoDirs = (): [string, string] => [join(tmp.path, `a${dirs}`), join(tmp.path, `b${dirs++}`)];

/** Appends batch number `n`: records tagged `b<n>`, so every offset's value is known. */
function appendBatch(log: PartitionLog, n: number): void {
  log.append(valueBatch(RECORDS_PER_BATCH, VALUE_BYTES, `b${n}`), APPEND);
}

function expectedValue(offset: number): string {
  return `b${Math.floor(offset / RECORDS_PER_BATCH)}-${offset % RECORDS_PER_BATCH};`;
}

/** Reads [from, log end) and checks every record's offset and value. */
async function checkRecords(log: PartitionLog, from = 0): Promise<number> {
  let offset = from;
  for (let reads = 0; offset < log.logEndOffset && reads < 10_000; reads++) {
    const { records } = await log.read(offset, 512 * 1024, ALL);
    for (const r of decodeBatches(Buffer.concat(records))) {
      if (r.offset < offset) continue; // whole batches: records below the fetch offset come along
      assert.equal(r.offset, offset, 'no gap and no duplicate');
      assert.ok(r.value?.startsWith(expectedValue(offset)), `value at ${offset}`);
      offset++;
    }
  }
  assert.equal(offset, log.logEndOffset);
  return offset;
}

function checkpointEntries(dir: string, name: string): string[] {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(2, -1).sort() : [];
}

/** Waits (bounded) for background removals in `dir` to finish. */
async function leftovers(dir: string, prefix: string): Promise<string[]> {
  let names: string[] = [];
  for (let i = 0; i < 500; i++) {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n !== prefix);
    if (names.length === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return names;
}

describe('moving a partition between log dirs', () => {
  test('appends and reads during the move; nothing lost, nothing duplicated; checkpoints follow', async () => {
    const [a, b] = twoDirs();
    const manager = await LogManager.open({ logDirs: [a, b] });
    const log = manager.createLog('moving', 0, CONFIG);
    assert.equal(log.dir, join(a, 'moving-0'));
    let batches = 0;
    while (batches < 600) appendBatch(log, batches++); // about 1.3 MB: several segments
    log.updateHighWatermark(log.logEndOffset);

    assert.equal(manager.alterLogDir('moving', 0, b), 'moving');
    assert.equal(manager.alterLogDir('moving', 0, b), 'moving', 'asking again changes nothing');
    assert.ok(readdirSync(b).some(isFutureDirName), 'the copy goes to a -future dir');
    let moved = false;
    const done = manager.whenMoved('moving', 0).then(() => (moved = true));
    let appendedDuring = 0;
    // Reads spanning several segments, left in flight across the switch: the files of a segment
    // they reach after it have been renamed away, so they read on from the moved segments.
    const reads: Promise<void>[] = [];
    for (let turn = 0; !moved && turn < 20_000; turn++) {
      appendBatch(log, batches++);
      appendedDuring++;
      const from = Math.floor(Math.random() * log.logEndOffset);
      reads.push(log.read(from, 600 * 1024, ALL).then(({ records }) => {
        const found = decodeBatches(Buffer.concat(records)).filter((r) => r.offset >= from);
        assert.ok(found.length > 0, `read at ${from} during the move`);
        found.forEach((r, i) => assert.ok(r.offset === from + i && r.value?.startsWith(expectedValue(r.offset)), `record ${r.offset}`));
      }));
      await new Promise((r) => setImmediate(r));
    }
    await done;
    assert.ok(moved, 'the move finished');
    assert.ok(appendedDuring > 0, 'appends ran during the move');
    await Promise.all(reads);

    assert.equal(log.dir, join(b, 'moving-0'));
    assert.equal(manager.getLog('moving', 0), log, 'the same log object, now in the other dir');
    appendBatch(log, batches++);
    assert.equal(log.logEndOffset, batches * RECORDS_PER_BATCH);
    await checkRecords(log);

    const [inA, inB] = manager.listLogDirs();
    assert.deepEqual([inA.logs.length, inB.logs.length, inA.futures.length, inB.futures.length], [0, 1, 0, 0]);
    assert.deepEqual(await leftovers(a, 'moving-0'), [], 'the old directory is removed');
    assert.deepEqual(readdirSync(b).filter((n) => n.startsWith('moving-0')), ['moving-0']);
    const files = readdirSync(log.dir);
    const sealed = files.filter((n) => n.endsWith('.log')).sort().slice(0, -1);
    assert.ok(sealed.length >= 4, 'several sealed segments were copied');
    for (const name of sealed) {
      for (const suffix of ['.index', '.timeindex']) assert.ok(files.includes(name.replace('.log', suffix)), `${name}: ${suffix} copied too`);
    }
    assert.deepEqual(checkpointEntries(a, 'recovery-point-offset-checkpoint'), []);
    assert.match(checkpointEntries(b, 'recovery-point-offset-checkpoint').join(), /^moving 0 \d+$/);
    assert.deepEqual(checkpointEntries(b, 'replication-offset-checkpoint'), [`moving 0 ${log.highWatermark}`]);
    assert.equal(readFileSync(join(b, 'moving-0', 'leader-epoch-checkpoint'), 'utf8'), '0\n1\n0 0\n');

    // New partitions now count this one in b.
    assert.equal(manager.createLog('other', 0, CONFIG).dir, join(a, 'other-0'));
    await manager.close();

    // A restart finds it in b with every record.
    const reopened = await LogManager.open({ logDirs: [a, b] });
    const again = reopened.getLog('moving', 0)!;
    assert.equal(again.dir, join(b, 'moving-0'));
    assert.equal(again.logEndOffset, batches * RECORDS_PER_BATCH);
    assert.equal(again.size, log.size);
    await checkRecords(again);
    await reopened.close();
  });

  test('a move back and forth; an empty log; ListOffsets by time after the move', async () => {
    const [a, b] = twoDirs();
    const manager = await LogManager.open({ logDirs: [a, b] });
    const empty = manager.createLog('empty', 0, CONFIG);
    manager.alterLogDir('empty', 0, b);
    await manager.whenMoved('empty', 0);
    assert.equal(empty.dir, join(b, 'empty-0'));
    assert.deepEqual([empty.logEndOffset, empty.size, empty.segmentCount], [0, 0, 1]);
    appendBatch(empty, 0);
    assert.equal(empty.logEndOffset, RECORDS_PER_BATCH);

    const log = manager.createLog('pingpong', 0, CONFIG);
    for (let n = 0; n < 50; n++) appendBatch(log, n);
    for (const target of [b, a, b]) {
      assert.equal(manager.alterLogDir('pingpong', 0, target), 'moving');
      await manager.whenMoved('pingpong', 0);
      assert.equal(log.dir, join(target, 'pingpong-0'));
      assert.equal(manager.alterLogDir('pingpong', 0, target), 'in-place');
    }
    await checkRecords(log);
    // Records carry timestamps base + index in batch; the first batch holds the earliest ones.
    assert.deepEqual(await log.offsetForTimestamp(APPEND.now), { offset: 0, timestamp: APPEND.now });
    assert.equal((await log.maxTimestampOffset())?.timestamp, 1_700_000_000_000 + RECORDS_PER_BATCH - 1);
    await manager.close();
  });

  test('a move stops when asked for the current dir, at close and when the log is deleted', async () => {
    const [a, b] = twoDirs();
    const manager = await LogManager.open({ logDirs: [a, b] });
    const log = manager.createLog('stopped', 0, CONFIG);
    for (let n = 0; n < 400; n++) appendBatch(log, n);

    assert.equal(manager.alterLogDir('stopped', 0, b), 'moving');
    assert.equal(manager.alterLogDir('stopped', 0, a), 'in-place', 'asking for the current dir stops the move');
    assert.deepEqual(manager.listLogDirs()[1].futures, []);
    assert.deepEqual(await leftovers(b, 'stopped-0'), [], 'the copy is removed');
    assert.equal(log.dir, join(a, 'stopped-0'));
    await checkRecords(log);

    manager.createLog('deleted', 0, CONFIG);
    for (let n = 0; n < 400; n++) appendBatch(manager.getLog('deleted', 0)!, n);
    manager.alterLogDir('deleted', 0, b);
    await manager.deleteLog('deleted', 0);
    assert.deepEqual(await leftovers(b, 'deleted-0'), []);
    assert.deepEqual(await leftovers(a, 'deleted-0'), []);

    manager.alterLogDir('stopped', 0, b);
    await manager.close();
    assert.deepEqual(readdirSync(b).filter((n) => n.startsWith('stopped-0')), [], 'close drops the copy');
    const reopened = await LogManager.open({ logDirs: [a, b] });
    assert.equal(reopened.getLog('stopped', 0)!.dir, join(a, 'stopped-0'));
    await checkRecords(reopened.getLog('stopped', 0)!);
    await reopened.close();
  });

  test('a -future dir left by a crash is dropped at start-up; the current log is kept', async () => {
    const [a, b] = twoDirs();
    let manager = await LogManager.open({ logDirs: [a, b] });
    const log = manager.createLog('crashed', 1, CONFIG);
    for (let n = 0; n < 20; n++) appendBatch(log, n);
    await manager.close();
    // What a crash in the middle of the copy leaves behind: part of the first segment.
    const future = join(b, 'crashed-1.0123456789abcdef0123456789abcdef-future');
    mkdirSync(future);
    writeFileSync(join(future, '00000000000000000000.log'), readFileSync(join(a, 'crashed-1', '00000000000000000000.log')).subarray(0, 1000));
    manager = await LogManager.open({ logDirs: [a, b] });
    const reopened = manager.getLog('crashed', 1)!;
    assert.equal(reopened.dir, join(a, 'crashed-1'));
    assert.equal(await checkRecords(reopened), 20 * RECORDS_PER_BATCH);
    assert.deepEqual(manager.listLogDirs()[1].futures, []);
    assert.deepEqual(await leftovers(b, 'crashed-1'), []);
    await manager.close();
  });

  test('a log dir asked for before the partition exists is where it is created', async () => {
    const [a, b] = twoDirs();
    const manager = await LogManager.open({ logDirs: [a, b] });
    assert.equal(manager.hasLogDir(b), true);
    assert.equal(manager.hasLogDir(`${b}/`), false, 'exact absolute paths only');
    assert.equal(manager.hasLogDir('relative'), false);
    manager.createLog('first', 0, CONFIG); // a has one partition more now
    assert.equal(manager.alterLogDir('later', 0, a), 'no-log');
    assert.equal(manager.createLog('later', 0, CONFIG).dir, join(a, 'later-0'));
    assert.equal(manager.createLog('later', 1, CONFIG).dir, join(b, 'later-1'), 'only for that partition, once');
    await manager.close();
  });
});
