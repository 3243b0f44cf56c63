import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ATTR_TIMESTAMP_TYPE, attributesOf, baseTimestampOf, isBatchCrcValid, maxTimestampOf, partitionLeaderEpochOf } from '../../src/protocol/records/batch.js';
import { OffsetOutOfRangeError } from '../../src/storage/errors.js';
import { logConfig } from '../../src/storage/log-config.js';
import { type LogContext, PartitionLog } from '../../src/storage/partition-log.js';
import { TailCache } from '../../src/storage/tail-cache.js';
import { buildBatch, decodeBatches, tempStorage, valueBatch } from './helpers.js';

const NOW = 1_700_000_000_000;
const CREATE = { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW } as const;
const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };

const { tmp, files } = tempStorage(64);
let ctx: LogContext;
let dirCount = 0;

function newPlainLog(overrides = {}): PartitionLog {
  const topic = `t${dirCount++}`;
  return PartitionLog.create(topic, 0, join(tmp.path, `${topic}-0`), logConfig(overrides), ctx);
}

function reopen(log: PartitionLog, hadCleanShutdown = true): Promise<PartitionLog> {
  return PartitionLog.open(log.topic, log.partition, log.dir, log.config, ctx, {
    recoveryPoint: log.recoveryPoint,
    logStartOffset: log.logStartOffset,
    highWatermark: log.highWatermark,
    hadCleanShutdown,
  });
}

async function readAll(log: PartitionLog, from = log.logStartOffset) {
  const { records } = await log.read(from, 1 << 30, ALL);
  return decodeBatches(Buffer.concat(records));
}

// Every test runs reading files only, and with a tail cache small enough that reads cross
// chunk boundaries and mix memory and file reads.
for (const mode of ['files only', 'tail cache'] as const) describe(`PartitionLog append/read (${mode})`, () => {
  before(() => {
    const tail = mode === 'tail cache' ? new TailCache(8 * 1024, 1024) : undefined;
    ctx = { files, tail, onBackgroundError: (err) => assert.fail(err as Error) };
  });
  /** With the tail cache, every log starts with a consumer at its end so appends are cached. */
  const newLog = (overrides = {}): PartitionLog => {
    const log = newPlainLog(overrides);
    void log.read(0, 1, ALL);
    return log;
  };

  test('assigns offsets and leader epoch, reads back whole batches', async () => {
    const log = newLog();
    const r1 = log.append(valueBatch(3, 10, 'a'), CREATE);
    const r2 = log.append(valueBatch(2, 10, 'b'), { ...CREATE, leaderEpoch: 4 });
    assert.deepEqual(r1, { baseOffset: 0, lastOffset: 2, logAppendTime: -1, logStartOffset: 0 });
    assert.deepEqual(r2, { baseOffset: 3, lastOffset: 4, logAppendTime: -1, logStartOffset: 0 });
    assert.equal(log.logEndOffset, 5);
    const { records, size } = await log.read(0, 1 << 20, ALL);
    assert.equal(size, records.reduce((n, b) => n + b.length, 0));
    const decoded = decodeBatches(Buffer.concat(records));
    assert.deepEqual(decoded.map((r) => r.offset), [0, 1, 2, 3, 4]);
    assert.ok(decoded[3].value!.startsWith('b-0;'));
    assert.equal(partitionLeaderEpochOf(records[0], 0), 0);
    assert.deepEqual(log.leaderEpochs.all, [{ epoch: 0, startOffset: 0 }, { epoch: 4, startOffset: 3 }]);
    await log.flush();
    assert.equal(readFileSync(join(log.dir, 'leader-epoch-checkpoint'), 'utf8'), '0\n2\n0 0\n4 3\n');
    await log.close();
  });

  test('rolls segments by size and reads across them', async () => {
    const log = newLog({ segmentBytes: 1024, indexIntervalBytes: 100 });
    for (let i = 0; i < 40; i++) log.append(valueBatch(5, 20, `r${i}`), CREATE);
    assert.ok(log.segmentCount > 5, `segments: ${log.segmentCount}`);
    const names = readdirSync(log.dir).filter((n) => n.endsWith('.log')).sort();
    assert.deepEqual(names.map((n) => Number(n.slice(0, 20))), log.segmentBaseOffsets);
    assert.ok(names.every((n) => /^\d{20}\.log$/.test(n)));
    const all = await readAll(log);
    assert.deepEqual(all.map((r) => r.offset), Array.from({ length: 200 }, (_, i) => i));
    // every fetch offset, including mid-batch ones, starts at the batch containing it
    for (let offset = 0; offset < 200; offset += 7) {
      const { records } = await log.read(offset, 300, { minOneBatch: true, maxOffset: 200 });
      const first = decodeBatches(records[0])[0].offset;
      assert.equal(first, offset - (offset % 5));
    }
    await log.close();
  });

  test('maxBytes, minOneBatch and maxOffset bound what is returned', async () => {
    const log = newLog({ segmentBytes: 4096 });
    const batchSize = valueBatch(10, 50).length;
    for (let i = 0; i < 30; i++) log.append(valueBatch(10, 50), CREATE);
    const small = await log.read(0, 10, { minOneBatch: false, maxOffset: 300 });
    assert.deepEqual(small, { records: [], size: 0 });
    const one = await log.read(0, 10, { minOneBatch: true, maxOffset: 300 });
    assert.equal(one.size, batchSize);
    assert.equal((await log.read(0, 0, { minOneBatch: true, maxOffset: 300 })).size, batchSize);
    assert.equal((await log.read(0, 0, { minOneBatch: false, maxOffset: 300 })).size, 0);
    const three = await log.read(0, batchSize * 3 + batchSize / 2, { minOneBatch: true, maxOffset: 300 });
    assert.equal(three.size, batchSize * 3);
    const belowHw = await log.read(0, 1 << 20, { minOneBatch: true, maxOffset: 25 });
    assert.deepEqual(decodeBatches(Buffer.concat(belowHw.records)).at(-1)!.offset, 19);
    const atHw = await log.read(20, 1 << 20, { minOneBatch: true, maxOffset: 20 });
    assert.equal(atHw.size, 0);
    const atEnd = await log.read(300, 1 << 20, ALL);
    assert.equal(atEnd.size, 0);
    await assert.rejects(log.read(301, 100, ALL), OffsetOutOfRangeError);
    await assert.rejects(log.read(-1, 100, ALL), OffsetOutOfRangeError);
    await log.close();
  });

  test('LogAppendTime sets the timestamp type and max timestamp and rewrites the CRC', async () => {
    const log = newLog({ messageTimestampType: 'LogAppendTime' });
    const batch = valueBatch(4, 10, 'l', { baseTimestamp: 1000 });
    const result = log.append(batch, { leaderEpoch: 2, timestampType: 'LogAppendTime', now: NOW + 5 });
    assert.equal(result.logAppendTime, NOW + 5);
    const { records } = await log.read(0, 1 << 20, ALL);
    const stored = records[0];
    assert.ok(attributesOf(stored) & ATTR_TIMESTAMP_TYPE);
    assert.equal(maxTimestampOf(stored), NOW + 5);
    assert.equal(baseTimestampOf(stored), 1000); // Kafka leaves the producer's base timestamp
    assert.ok(isBatchCrcValid(stored, 0, stored.length));
    assert.deepEqual(await log.offsetForTimestamp(NOW), { offset: 0, timestamp: NOW + 5 });
    await log.close();
  });

  test('several batches in one append get consecutive offsets and one index decision', async () => {
    const log = newLog({ indexIntervalBytes: 10 });
    log.append(valueBatch(2, 10), CREATE);
    const two = Buffer.concat([valueBatch(3, 10, 'x'), valueBatch(2, 10, 'y')]);
    const r = log.append(two, CREATE);
    assert.deepEqual([r.baseOffset, r.lastOffset], [2, 6]);
    const all = await readAll(log);
    assert.deepEqual(all.map((x) => x.offset), [0, 1, 2, 3, 4, 5, 6]);
    await log.close();
    // one entry: the second append's last offset at the position where that append starts
    const index = readFileSync(join(log.dir, '00000000000000000000.index'));
    assert.equal(index.length, 8);
    assert.deepEqual([index.readInt32BE(0), index.readInt32BE(4)], [6, valueBatch(2, 10).length]);
  });

  test('offsetForTimestamp and maxTimestampOffset resolve records inside batches', async () => {
    const log = newLog({ segmentBytes: 600, indexIntervalBytes: 50 });
    // batch i holds records with timestamps NOW + 10*i + 0..4
    for (let i = 0; i < 20; i++) log.append(valueBatch(5, 20, 't', { baseTimestamp: NOW + 10 * i }), CREATE);
    assert.ok(log.segmentCount > 2);
    assert.deepEqual(await log.offsetForTimestamp(0), { offset: 0, timestamp: NOW });
    assert.deepEqual(await log.offsetForTimestamp(NOW + 73), { offset: 38, timestamp: NOW + 73 });
    assert.deepEqual(await log.offsetForTimestamp(NOW + 76), { offset: 40, timestamp: NOW + 80 });
    assert.equal(await log.offsetForTimestamp(NOW + 1000), null);
    assert.deepEqual(await log.maxTimestampOffset(), { offset: 99, timestamp: NOW + 194 });
    // after a reopen the same answers come from the indexes on disk
    await log.close();
    const reopened = await reopen(log);
    assert.deepEqual(await reopened.offsetForTimestamp(NOW + 73), { offset: 38, timestamp: NOW + 73 });
    assert.deepEqual(await reopened.maxTimestampOffset(), { offset: 99, timestamp: NOW + 194 });
    await reopened.close();
  });

  test('an out-of-order max timestamp stays the maximum', async () => {
    const log = newLog();
    log.append(valueBatch(2, 5, 'a', { baseTimestamp: NOW + 100 }), CREATE);
    log.append(valueBatch(2, 5, 'b', { baseTimestamp: NOW }), CREATE);
    assert.deepEqual(await log.maxTimestampOffset(), { offset: 1, timestamp: NOW + 101 });
    assert.deepEqual(await log.offsetForTimestamp(NOW + 50), { offset: 0, timestamp: NOW + 100 });
    await log.close();
  });

  test('rolls when the first batch is older than segment.ms (record time)', async () => {
    const log = newLog({ segmentMs: 1000 });
    log.append(valueBatch(1, 5, 'a', { baseTimestamp: NOW }), CREATE);
    log.append(valueBatch(1, 5, 'b', { baseTimestamp: NOW + 1000 }), CREATE);
    assert.equal(log.segmentCount, 1);
    log.append(valueBatch(1, 5, 'c', { baseTimestamp: NOW + 1001 }), CREATE);
    assert.deepEqual(log.segmentBaseOffsets, [0, 2]);
    await log.close();
  });

  test('rolls when an index is full', async () => {
    const log = newLog({ maxIndexSize: 24, indexIntervalBytes: 1 });
    // equal timestamps: the time index keeps one entry; appends 2-4 fill the offset index (3 entries)
    for (let i = 0; i < 6; i++) log.append(valueBatch(1, 5), CREATE);
    assert.deepEqual(log.segmentBaseOffsets, [0, 4]);
    // growing timestamps: appends 7 and 8 fill the time index (2 entries), append 9 rolls
    for (let i = 0; i < 4; i++) log.append(valueBatch(1, 5, 't', { baseTimestamp: NOW + i }), CREATE);
    assert.deepEqual(log.segmentBaseOffsets, [0, 4, 8]);
    await log.close();
  });

  test('reopen after close continues offsets', async () => {
    const log = newLog({ segmentBytes: 800 });
    for (let i = 0; i < 10; i++) log.append(valueBatch(4, 30), CREATE);
    log.updateHighWatermark(40);
    await log.close();
    assert.equal(log.recoveryPoint, 40);
    const reopened = await reopen(log);
    assert.equal(reopened.logEndOffset, 40);
    assert.equal(reopened.highWatermark, 40);
    assert.equal(reopened.append(valueBatch(2, 30), CREATE).baseOffset, 40);
    assert.deepEqual((await readAll(reopened)).map((r) => r.offset), Array.from({ length: 42 }, (_, i) => i));
    await reopened.close();
  });

  test('truncateTo cuts records, indexes, segments and leader epochs', async () => {
    const log = newLog({ segmentBytes: 700, indexIntervalBytes: 50 });
    for (let i = 0; i < 12; i++) log.append(valueBatch(5, 20), { ...CREATE, leaderEpoch: i < 6 ? 1 : 2 });
    log.updateHighWatermark(60);
    const segmentsBefore = log.segmentCount;
    assert.ok(segmentsBefore >= 3);
    await log.truncateTo(25);
    assert.equal(log.logEndOffset, 25);
    assert.equal(log.highWatermark, 25);
    assert.ok(log.segmentCount < segmentsBefore);
    assert.deepEqual(log.leaderEpochs.all, [{ epoch: 1, startOffset: 0 }]);
    assert.deepEqual((await readAll(log)).map((r) => r.offset), Array.from({ length: 25 }, (_, i) => i));
    assert.equal(readdirSync(log.dir).filter((n) => n.endsWith('.deleted')).length, 0);
    assert.equal(log.append(valueBatch(5, 20, 'n'), { ...CREATE, leaderEpoch: 3 }).baseOffset, 25);
    const after = await readAll(log, 25);
    assert.ok(after[0].value!.startsWith('n-0;'));
    await log.truncateTo(100); // past the end: nothing happens
    assert.equal(log.logEndOffset, 30);
    await log.close();
    const reopened = await reopen(log, false);
    assert.equal(reopened.logEndOffset, 30);
    assert.deepEqual(reopened.leaderEpochs.all, [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 25 }]);
    await reopened.truncateTo(0);
    assert.equal(reopened.logEndOffset, 0);
    assert.deepEqual(reopened.segmentBaseOffsets, [0]);
    assert.equal(reopened.append(valueBatch(1, 5), CREATE).baseOffset, 0);
    await reopened.close();
  });

  test('onAppend is called after each append', async () => {
    const log = newLog();
    const seen: number[] = [];
    log.onAppend = (l) => seen.push(l.logEndOffset);
    log.append(valueBatch(2, 5), CREATE);
    log.append(valueBatch(3, 5), CREATE);
    assert.deepEqual(seen, [2, 5]);
    await log.close();
  });

  test('flush.messages fsyncs and advances the recovery point', async () => {
    const log = newLog({ flushIntervalMessages: 3 });
    log.append(valueBatch(2, 5), CREATE);
    assert.equal(log.recoveryPoint, 0);
    log.append(valueBatch(2, 5), CREATE);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(log.recoveryPoint, 4);
    await log.close();
  });

  test('rejects appends and reads after close', async () => {
    const log = newLog();
    await log.close();
    assert.throws(() => log.append(valueBatch(1, 5), CREATE), /closed/);
    await assert.rejects(log.read(0, 10, ALL), /closed/);
    assert.ok(existsSync(join(log.dir, '00000000000000000000.timeindex')));
  });

  test('rejects buffers that are not whole batches', () => {
    const log = newLog();
    const batch = buildBatch([{ value: 'x' }]);
    assert.throws(() => log.append(batch.subarray(0, batch.length - 1), CREATE), /whole record batches/);
    assert.throws(() => log.append(Buffer.concat([batch, Buffer.alloc(3)]), CREATE), /whole record batches/);
    assert.equal(log.logEndOffset, 0);
  });
});

test('the tail cache keeps given-up records without a copy, counting their backing memory once', async () => {
  const tail = new TailCache(64 * 1024, 16 * 1024);
  const tailCtx: LogContext = { files, tail, onBackgroundError: (err) => assert.fail(err as Error) };
  const log = PartitionLog.create('kept', 0, join(tmp.path, 'kept-0'), logConfig({ segmentBytes: 1 << 20 }), tailCtx);
  await log.read(0, 1, ALL); // a consumer at the tail
  const OWNED = { ...CREATE, owned: true };
  // Two partitions' records in one request frame (its own memory, as a frame spanning socket reads gets).
  const [a, b] = [valueBatch(8, 600, 'a'), valueBatch(8, 600, 'b')];
  const frame = Buffer.concat([Buffer.alloc(40), a, Buffer.alloc(10), b]);
  const aView = frame.subarray(40, 40 + a.length);
  const bView = frame.subarray(50 + a.length);
  log.append(aView, OWNED);
  log.append(bView, OWNED);
  assert.equal(tail.size, frame.buffer.byteLength, 'the frame is counted once, whole');
  // Zero the file behind the log's back: the kept records are what reads return, not copies of them.
  const path = join(log.dir, '00000000000000000000.log');
  writeFileSync(path, Buffer.alloc(statSync(path).size));
  const read = await log.read(0, 1 << 20, ALL);
  assert.ok(read.records.every((r) => r.buffer === frame.buffer));
  assert.deepEqual(decodeBatches(Buffer.concat(read.records)).map((r) => [r.offset, r.value!.slice(0, 3)]).filter((_, i) => i % 8 === 0), [[0, 'a-0'], [8, 'b-0']]);
  // A small append is copied even when given up.
  const small = valueBatch(1, 10, 's');
  log.append(small, OWNED);
  const smallRead = await log.read(16, 1 << 20, ALL);
  assert.ok(smallRead.records.every((r) => r.buffer !== small.buffer));
  assert.equal(tail.size, frame.buffer.byteLength + 16 * 1024);
  // Later appends push the first out of the budget: its memory is no longer counted.
  const later = Array.from({ length: 12 }, (_, i) => valueBatch(8, 600, `n${i}`));
  for (const batch of later) log.append(batch, OWNED);
  assert.ok(tail.size <= 64 * 1024, `tail holds ${tail.size} bytes`);
  const last = await log.read(17 + 11 * 8, 1 << 20, ALL);
  assert.equal(last.records[0].buffer, later[11].buffer);
  await log.close();
  assert.equal(tail.size, 0);
});

test('the tail cache serves recent appends from memory within its budget', async () => {
  const tail = new TailCache(4096, 1024);
  const tailCtx: LogContext = { files, tail, onBackgroundError: (err) => assert.fail(err as Error) };
  const log = PartitionLog.create('tailed', 0, join(tmp.path, 'tailed-0'), logConfig({ segmentBytes: 30_000 }), tailCtx);
  const batchSize = valueBatch(4, 50).length;
  log.append(valueBatch(4, 50, 'nobody reads'), CREATE);
  assert.equal(tail.size, 0, 'appends are copied only while a consumer is at the tail');
  await log.read(1, 100, ALL); // a consumer caught up
  for (let i = 1; i < 40; i++) log.append(valueBatch(4, 50, `t${i}`), CREATE);
  assert.ok(tail.size <= 4096, `tail holds ${tail.size} bytes`);
  // zero the file behind the log's back: the cached suffix still reads correctly
  const path = join(log.dir, '00000000000000000000.log');
  writeFileSync(path, Buffer.alloc(statSync(path).size));
  const recent = await log.read(150, 2 * batchSize, { minOneBatch: true, maxOffset: 160 });
  assert.deepEqual(decodeBatches(Buffer.concat(recent.records)).map((r) => r.value!.slice(0, 5)), ['t37-0', 't37-1', 't37-2', 't37-3', 't38-0', 't38-1', 't38-2', 't38-3']);
  // a roll releases the old segment's chunks
  log.append(valueBatch(200, 100), CREATE);
  log.append(valueBatch(1, 10), CREATE);
  assert.equal(log.segmentCount, 2);
  assert.ok(tail.size <= 1024 + 200 * 110, `after roll ${tail.size}`);
  await log.close();
  assert.equal(tail.size, 0);
});

