import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatCheckpoint, readCheckpoint } from '../../src/storage/checkpoint-file.js';
import { LeaderEpochCache } from '../../src/storage/leader-epoch-cache.js';
import { OffsetIndex } from '../../src/storage/offset-index.js';
import { TimeIndex } from '../../src/storage/time-index.js';
import { tempStorage } from './helpers.js';

const { tmp, files } = tempStorage(16);

const entries = (pairs: Array<[number, number]>, size = 8): Buffer => {
  const buf = Buffer.alloc(pairs.length * size);
  pairs.forEach(([a, b], i) => {
    if (size === 8) buf.writeInt32BE(a, i * 8);
    else buf.writeBigInt64BE(BigInt(a), i * 12);
    buf.writeInt32BE(b, i * size + size - 4);
  });
  return buf;
};

describe('OffsetIndex', () => {
  test('lookup finds the greatest entry <= target; persist writes exact entries', () => {
    const path = join(tmp.path, 'a.index');
    const index = new OffsetIndex(path, 100, 1 << 20, files);
    index.reset();
    index.append(110, 500);
    index.append(130, 1500);
    index.append(131, 1600);
    assert.deepEqual(index.lookup(99), { offset: 100, position: 0 });
    assert.deepEqual(index.lookup(109), { offset: 100, position: 0 });
    assert.deepEqual(index.lookup(110), { offset: 110, position: 500 });
    assert.deepEqual(index.lookup(129), { offset: 110, position: 500 });
    assert.deepEqual(index.lookup(1000), { offset: 131, position: 1600 });
    index.persist();
    assert.ok(readFileSync(path).equals(entries([[10, 500], [30, 1500], [31, 1600]])));
    index.truncateTo(130);
    assert.equal(index.entries, 1);
    index.persist();
    assert.ok(readFileSync(path).equals(entries([[10, 500]])));
    assert.ok(index.canAppendOffset(100 + 0x7fffffff));
    assert.ok(!index.canAppendOffset(101 + 0x7fffffff));
  });

  test('corrupt files fail validation on load', async () => {
    const cases: Array<[string, Buffer]> = [
      ['size not a multiple of 8', Buffer.concat([entries([[1, 10]]), Buffer.alloc(3)])],
      ['offsets not increasing', entries([[5, 10], [5, 20]])],
      ['positions not increasing', entries([[5, 20], [6, 10]])],
      ['offset beyond the segment', entries([[50, 10]])],
      ['position beyond the log', entries([[1, 5000]])],
      ['negative relative offset', entries([[-1, 10]])],
    ];
    for (const [name, content] of cases) {
      const path = join(tmp.path, `bad-${cases.indexOf(cases.find((c) => c[0] === name)!)}.index`);
      writeFileSync(path, content);
      const index = new OffsetIndex(path, 0, 1 << 20, files);
      assert.equal(await index.load(1000, 40), false, name);
      assert.equal(index.entries, 0);
    }
    const good = join(tmp.path, 'good.index');
    writeFileSync(good, entries([[1, 10], [7, 300]]));
    const index = new OffsetIndex(good, 0, 1 << 20, files);
    assert.equal(await index.load(1000, 40), true);
    assert.deepEqual(index.lookup(8), { offset: 7, position: 300 });
    assert.equal(await new OffsetIndex(join(tmp.path, 'missing.index'), 0, 1 << 20, files).load(1000, 40), false);
  });
});

describe('TimeIndex', () => {
  test('maybeAppend keeps timestamps increasing; lookup and truncate', () => {
    const path = join(tmp.path, 'a.timeindex');
    const index = new TimeIndex(path, 1000, 1 << 20, files);
    index.reset();
    index.maybeAppend(5000, 1010);
    index.maybeAppend(5000, 1020); // not larger: skipped
    index.maybeAppend(4000, 1030); // smaller: skipped
    index.maybeAppend(7000, 1040);
    assert.equal(index.entries, 2);
    assert.deepEqual(index.lookup(4999), { timestamp: -1, offset: 1000 });
    assert.deepEqual(index.lookup(6999), { timestamp: 5000, offset: 1010 });
    assert.deepEqual(index.lastEntry(), { timestamp: 7000, offset: 1040 });
    index.persist();
    assert.ok(readFileSync(path).equals(entries([[5000, 10], [7000, 40]], 12)));
    index.truncateTo(1040);
    assert.deepEqual(index.lastEntry(), { timestamp: 5000, offset: 1010 });
  });

  test('a full index takes only the final entry of a roll', () => {
    const index = new TimeIndex(join(tmp.path, 'full.timeindex'), 0, 24, files);
    index.reset();
    index.maybeAppend(1, 1);
    index.maybeAppend(2, 2);
    assert.ok(index.isFull);
    index.maybeAppend(3, 3);
    assert.equal(index.entries, 2);
    index.maybeAppend(3, 3, true);
    assert.equal(index.entries, 3);
  });

  test('corrupt files fail validation on load', async () => {
    const cases = [
      Buffer.concat([entries([[1, 1]], 12), Buffer.alloc(5)]),
      entries([[5, 1], [5, 2]], 12),
      entries([[5, 2], [6, 1]], 12),
      entries([[5, 99]], 12),
    ];
    for (const [i, content] of cases.entries()) {
      const path = join(tmp.path, `bad-${i}.timeindex`);
      writeFileSync(path, content);
      assert.equal(await new TimeIndex(path, 0, 1 << 20, files).load(1000, 50), false, `case ${i}`);
    }
  });
});

describe('checkpoints', () => {
  test('format and parse', async () => {
    assert.equal(formatCheckpoint(['a 0 5', 'b 1 7']), '0\n2\na 0 5\nb 1 7\n');
    assert.equal(formatCheckpoint([]), '0\n0\n');
    const path = join(tmp.path, 'cp');
    writeFileSync(path, '0\n2\na 0 5\n');
    await assert.rejects(readCheckpoint(path), /expected 2 entries/);
    writeFileSync(path, '1\n0\n');
    await assert.rejects(readCheckpoint(path), /version/);
    assert.deepEqual(await readCheckpoint(join(tmp.path, 'none')), []);
  });

  test('leader epoch cache: assign, truncate, end offsets', async () => {
    const path = join(tmp.path, 'leader-epoch-checkpoint');
    const cache = LeaderEpochCache.empty(path);
    cache.assign(0, 0);
    cache.assign(0, 10); // same epoch: no new entry
    cache.assign(2, 10);
    cache.assign(1, 15); // older epoch: ignored
    cache.assign(5, 30);
    await cache.flush();
    assert.equal(readFileSync(path, 'utf8'), '0\n3\n0 0\n2 10\n5 30\n');
    assert.deepEqual(cache.endOffsetFor(5, 42), { epoch: 5, endOffset: 42 });
    assert.deepEqual(cache.endOffsetFor(2, 42), { epoch: 2, endOffset: 30 });
    assert.deepEqual(cache.endOffsetFor(3, 42), { epoch: 2, endOffset: 30 });
    assert.deepEqual(cache.endOffsetFor(6, 42), { epoch: -1, endOffset: -1 });
    cache.truncateFromEnd(10);
    await cache.flush();
    assert.deepEqual((await LeaderEpochCache.load(path)).all, [{ epoch: 0, startOffset: 0 }]);
    assert.equal(cache.latestEpoch, 0);
    cache.clear();
    await cache.flush();
    assert.equal(readFileSync(path, 'utf8'), '0\n0\n');
  });
});
