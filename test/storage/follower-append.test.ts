// A follower's appends (PartitionLog.appendAsFollower): the leader's batches go
// in byte for byte, with their offsets and leader epochs; the epoch cache and
// producer state follow them, so a follower that becomes leader knows both.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBatch as buildRecordBatch } from '../../src/protocol/records/record.js';
import { CorruptLogError } from '../../src/storage/errors.js';
import { logConfig } from '../../src/storage/log-config.js';
import { type LogContext, PartitionLog } from '../../src/storage/partition-log.js';
import { decodeBatches, tempStorage, valueBatch } from './helpers.js';

const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };
const NOW = 1_700_000_000_000;

const { tmp, files } = tempStorage(64);
const ctx: LogContext = { files, onBackgroundError: (err) => assert.fail(err as Error) };
let count = 0;

function newLog(): PartitionLog {
  const topic = `f${count++}`;
  return PartitionLog.create(topic, 0, join(tmp.path, `${topic}-0`), logConfig({}), ctx);
}

function idempotentBatch(producerId: number, baseSequence: number, n: number): Buffer {
  return buildRecordBatch({
    baseTimestamp: NOW, producerId, producerEpoch: 0, baseSequence,
    records: Array.from({ length: n }, (_, i) => ({ offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(`p${baseSequence + i}`), headers: [] })),
  });
}

/** A leader log with data written in epochs 0, 0 and 3, one batch from an idempotent producer. */
function leaderLog(): PartitionLog {
  const leader = newLog();
  leader.append(valueBatch(3, 10, 'a'), { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW });
  leader.append(idempotentBatch(42, 0, 2), { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW });
  leader.append(valueBatch(4, 10, 'b'), { leaderEpoch: 3, timestampType: 'CreateTime', now: NOW });
  return leader;
}

test('the leader\'s batches are appended as they are: same offsets, epochs, bytes and producer state', async () => {
  const leader = leaderLog();
  const follower = newLog();
  const { records } = await leader.read(0, 1 << 20, ALL);
  // In two fetches, the first ending mid-response with a partial batch (as a fetch response may).
  const all = Buffer.concat(records);
  const firstTwo = all.subarray(0, all.length - 20);
  const appended = follower.appendAsFollower(firstTwo, NOW);
  assert.deepEqual([appended.baseOffset, appended.lastOffset], [0, 4]);
  const rest = await leader.read(follower.logEndOffset, 1 << 20, ALL);
  follower.appendAsFollower(Buffer.concat(rest.records), NOW);

  assert.equal(follower.logEndOffset, leader.logEndOffset);
  assert.deepEqual(follower.leaderEpochs.all, leader.leaderEpochs.all);
  assert.deepEqual(follower.leaderEpochs.all, [{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 5 }]);
  assert.deepEqual(follower.activeProducers(), leader.activeProducers());
  await Promise.all([leader.flush(), follower.flush()]);
  const segment = '00000000000000000000.log';
  assert.ok(readFileSync(join(follower.dir, segment)).equals(readFileSync(join(leader.dir, segment))));
  const read = await follower.read(0, 1 << 20, ALL);
  assert.deepEqual(decodeBatches(Buffer.concat(read.records)).map((r) => r.offset), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('a batch that does not start at the log end is refused, and nothing is written', async () => {
  const leader = leaderLog();
  const follower = newLog();
  const { records } = await leader.read(3, 1 << 20, ALL);
  assert.throws(() => follower.appendAsFollower(Buffer.concat(records), NOW), CorruptLogError);
  assert.equal(follower.logEndOffset, 0);
  assert.deepEqual(follower.leaderEpochs.all, []);
});

test('a fetched batch with a wrong CRC is refused (damaged on the way), and nothing of the fetch is written', async () => {
  const leader = leaderLog();
  const follower = newLog();
  const all = Buffer.from(Buffer.concat((await leader.read(0, 1 << 20, ALL)).records));
  // One byte of the last batch's last record flipped: the two batches before it are good.
  all[all.length - 1] ^= 0xff;
  assert.throws(() => follower.appendAsFollower(all, NOW), (e: Error) => e instanceof CorruptLogError && /offset 5 .* is corrupt/.test(e.message));
  assert.deepEqual([follower.logEndOffset, follower.leaderEpochs.all, follower.activeProducers()], [0, [], []]);
});

test('a follower far behind the leader\'s log start restarts its log there', async () => {
  const follower = newLog();
  follower.append(valueBatch(2, 10, 'old'), { leaderEpoch: 1, timestampType: 'CreateTime', now: NOW });
  await follower.truncateFullyAndStartAt(100);
  assert.deepEqual([follower.logStartOffset, follower.logEndOffset, follower.highWatermark], [100, 100, 100]);
  assert.deepEqual(follower.leaderEpochs.all, []);
  const batch = buildRecordBatch({
    baseOffset: 100, baseTimestamp: NOW, partitionLeaderEpoch: 5,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('x'), headers: [] }],
  });
  follower.appendAsFollower(batch, NOW);
  assert.equal(follower.logEndOffset, 101);
  assert.deepEqual(follower.leaderEpochs.all, [{ epoch: 5, startOffset: 100 }]);
});
