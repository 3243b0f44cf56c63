// A read whose bytes left after whole batches are fewer than a batch header is complete. With a
// tail-cache chunk ending right after those batches, the read used to ask the next chunk for the
// few bytes left, take nothing and ask again, without end (a leader answering a follower's 1 MiB
// replica fetch spun its event loop this way and lost its ZooKeeper session).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { BATCH_HEADER_SIZE } from '../../src/protocol/records/batch.js';
import { logConfig } from '../../src/storage/log-config.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { TailCache } from '../../src/storage/tail-cache.js';
import { tempStorage, valueBatch } from './helpers.js';

const CREATE = { leaderEpoch: 0, timestampType: 'CreateTime', now: 1_700_000_000_000 } as const;
/** Tail chunks of 1 KiB: five batches of ~200 bytes fill one, the sixth starts the next. */
const CHUNK_BYTES = 1024;
const BATCHES = 12;

const { tmp, files } = tempStorage(16);

for (const mode of ['files only', 'tail cache'] as const) {
  test(`a read with less room left than a batch header ends there (${mode})`, async () => {
    const tail = mode === 'tail cache' ? new TailCache(64 * 1024, CHUNK_BYTES) : undefined;
    const ctx = { files, tail, onBackgroundError: (err: unknown) => assert.fail(err as Error) };
    const log = PartitionLog.create(`room-${mode === 'tail cache' ? 'tail' : 'files'}`, 0, join(tmp.path, `room-${mode.replace(' ', '-')}`), logConfig({}), ctx);
    // A reader at the log end, so appends go to the tail cache.
    await log.read(0, 1, { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER });
    const batch = valueBatch(1, 130);
    const perChunk = Math.floor(CHUNK_BYTES / batch.length);
    assert.ok(perChunk >= 2 && perChunk < BATCHES, `${perChunk} batches of ${batch.length} B per chunk`);
    for (let i = 0; i < BATCHES; i++) log.append(valueBatch(1, 130, `b${i}`), CREATE);
    log.highWatermark = log.logEndOffset;

    const whole = perChunk * batch.length;
    for (const left of [0, 1, BATCH_HEADER_SIZE - 1, BATCH_HEADER_SIZE, batch.length - 1]) {
      const { records, size } = await log.read(0, whole + left, { minOneBatch: true, maxOffset: log.logEndOffset });
      assert.equal(size, whole, `maxBytes ${whole} + ${left}`);
      assert.equal(records.reduce((n, r) => n + r.length, 0), whole);
    }
    const oneMore = await log.read(0, whole + batch.length, { minOneBatch: true, maxOffset: log.logEndOffset });
    assert.equal(oneMore.size, whole + batch.length);
    await log.close();
  });
}
