// Idempotent and transactional appends in the partition log (Kafka's ProducerStateManager
// rules): duplicates of the last five batches, sequence gaps, stale and new epochs, markers,
// the last stable offset, the aborted-transaction index, expiration, and deduplication that
// survives a kill -9 of the appending process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatch, decodeBatches } from '../../src/protocol/records/record.js';
import { ProducerStateError } from '../../src/storage/errors.js';
import { FileCache } from '../../src/storage/file-cache.js';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { type AppendOptions, type LogContext, PartitionLog } from '../../src/storage/partition-log.js';
import { makeTempDir } from './helpers.js';

const NOW = 1_700_000_000_000;
const CLIENT: AppendOptions = { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW };

let tmp: ReturnType<typeof makeTempDir>;
let ctx: LogContext;
let dirCount = 0;
before(() => {
  tmp = makeTempDir('samsa-producers-');
  ctx = { files: new FileCache(64), onBackgroundError: (err) => assert.fail(err as Error) };
});
after(() => {
  ctx.files.closeAll();
  tmp.remove();
});

function newLog(overrides = {}): PartitionLog {
  const topic = `p${dirCount++}`;
  return PartitionLog.create(topic, 0, join(tmp.path, `${topic}-0`), logConfig(overrides), ctx);
}

interface ProducerBatch {
  producerId?: number;
  epoch?: number;
  sequence: number;
  count?: number;
  transactional?: boolean;
  timestamp?: number;
}

/** A batch of `count` records from a producer, starting at `sequence`. */
export function producerBatch(b: ProducerBatch): Buffer {
  const count = b.count ?? 1;
  return buildBatch({
    baseTimestamp: b.timestamp ?? NOW,
    producerId: b.producerId ?? 1000,
    producerEpoch: b.epoch ?? 0,
    baseSequence: b.sequence,
    isTransactional: b.transactional ?? false,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(`seq-${b.sequence + i}`), headers: [],
    })),
  });
}

function assertProducerError(fn: () => unknown, code: number, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProducerStateError, `expected ProducerStateError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const marker = (log: PartitionLog, commit: boolean, producerId = 1000, producerEpoch = 0, coordinatorEpoch = 0) =>
  log.appendTxnMarker({ producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch: 0, now: NOW + 1 });

describe('idempotent appends', () => {
  test('a duplicate of each of the last five batches returns the original offsets and appends nothing', () => {
    const log = newLog();
    const originals = [];
    for (let i = 0; i < 6; i++) originals.push(log.append(producerBatch({ sequence: i * 3, count: 3 }), CLIENT));
    const end = log.logEndOffset;
    assert.equal(end, 18);
    for (let i = 1; i < 6; i++) {
      const again = log.append(producerBatch({ sequence: i * 3, count: 3 }), CLIENT);
      assert.equal(again.duplicate, true);
      assert.equal(again.baseOffset, originals[i].baseOffset);
      assert.equal(again.lastOffset, originals[i].lastOffset);
      assert.equal(log.logEndOffset, end);
    }
    // The first batch is no longer among the last five: it is out of order now, not a duplicate.
    assertProducerError(() => log.append(producerBatch({ sequence: 0, count: 3 }), CLIENT), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal(log.logEndOffset, end);
  });

  test('a sequence gap gets OUT_OF_ORDER_SEQUENCE_NUMBER with Kafka\'s message', () => {
    const log = newLog();
    log.append(producerBatch({ sequence: 0, count: 2 }), CLIENT);
    assertProducerError(
      () => log.append(producerBatch({ sequence: 3 }), CLIENT),
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      /^Out of order sequence number for producer 1000 at offset 2 in partition p\d+-0: 3 \(incoming seq\. number\), 1 \(current end sequence number\)$/,
    );
    assert.equal(log.logEndOffset, 2);
    assert.equal(log.append(producerBatch({ sequence: 2 }), CLIENT).baseOffset, 2);
  });

  test('an older epoch gets INVALID_PRODUCER_EPOCH; a new epoch must start at sequence 0', () => {
    const log = newLog();
    log.append(producerBatch({ epoch: 3, sequence: 0, count: 5 }), CLIENT);
    assertProducerError(() => log.append(producerBatch({ epoch: 2, sequence: 5 }), CLIENT), ErrorCode.INVALID_PRODUCER_EPOCH,
      /^Epoch of producer 1000 at offset 5 in p\d+-0 is 2, which is smaller than the last seen epoch 3$/);
    assertProducerError(() => log.append(producerBatch({ epoch: 4, sequence: 5 }), CLIENT), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      /Invalid sequence number for new epoch/);
    assert.equal(log.append(producerBatch({ epoch: 4, sequence: 0 }), CLIENT).baseOffset, 5);
    // The old epoch's batches are forgotten: a retry of them is not a duplicate any more.
    assertProducerError(() => log.append(producerBatch({ epoch: 3, sequence: 0, count: 5 }), CLIENT), ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('an unknown producer may start at any sequence; batches without a producer id are not checked', () => {
    const log = newLog();
    assert.equal(log.append(producerBatch({ producerId: 7, sequence: 42 }), CLIENT).baseOffset, 0);
    assert.equal(log.append(producerBatch({ producerId: -1, sequence: -1 }), CLIENT).baseOffset, 1);
    assert.equal(log.append(producerBatch({ producerId: -1, sequence: -1 }), CLIENT).baseOffset, 2);
    assert.deepEqual(log.activeProducers().map((p) => [p.producerId, p.lastSequence]), [[7, 42]]);
  });

  test('sequences wrap from 2147483647 to 0', () => {
    const log = newLog();
    log.append(producerBatch({ sequence: 2147483646, count: 2 }), CLIENT);
    assert.equal(log.append(producerBatch({ sequence: 0 }), CLIENT).baseOffset, 2);
  });
});

describe('transactions', () => {
  test('markers end transactions, move the last stable offset and index aborts', async () => {
    const log = newLog();
    const hw = (): number => log.updateHighWatermark(log.logEndOffset);
    log.append(producerBatch({ producerId: 1, sequence: 0, count: 2 }), CLIENT); // 0-1 idempotent only
    log.append(producerBatch({ producerId: 2, sequence: 0, count: 3, transactional: true }), CLIENT); // 2-4
    hw();
    assert.equal(log.lastStableOffset, 2);
    log.append(producerBatch({ producerId: 3, sequence: 0, count: 2, transactional: true }), CLIENT); // 5-6
    hw();
    assert.equal(log.lastStableOffset, 2);
    const abort = marker(log, false, 2); // 7
    assert.equal(abort.baseOffset, 7);
    // Until the high watermark passes the marker, the transaction still holds the LSO back.
    assert.equal(log.lastStableOffset, 2);
    hw();
    assert.equal(log.lastStableOffset, 5);
    marker(log, true, 3); // 8
    hw();
    assert.equal(log.lastStableOffset, 9);
    assert.deepEqual(await log.abortedTransactions(0, 9), [{ producerId: 2, firstOffset: 2 }]);
    assert.deepEqual(await log.abortedTransactions(5, 9), [{ producerId: 2, firstOffset: 2 }]); // its marker (7) is in range
    assert.deepEqual(await log.abortedTransactions(8, 9), []);
    assert.deepEqual(log.activeProducers().find((p) => p.producerId === 2), {
      producerId: 2, producerEpoch: 0, lastSequence: 2, lastTimestamp: NOW + 1, coordinatorEpoch: 0, currentTxnStartOffset: -1,
    });
  });

  test('a non-transactional write inside a transaction gets INVALID_TXN_STATE', () => {
    const log = newLog();
    log.append(producerBatch({ sequence: 0, transactional: true }), CLIENT);
    assertProducerError(() => log.append(producerBatch({ sequence: 1 }), CLIENT), ErrorCode.INVALID_TXN_STATE,
      /^Expected transactional write from producer 1000 at offset 1 in partition p\d+-0$/);
  });

  test('stale markers: older producer epoch, older coordinator epoch', () => {
    const log = newLog();
    log.append(producerBatch({ epoch: 2, sequence: 0, transactional: true }), CLIENT);
    marker(log, true, 1000, 2, 5);
    assertProducerError(() => marker(log, false, 1000, 1, 5), ErrorCode.INVALID_PRODUCER_EPOCH);
    assertProducerError(() => marker(log, false, 1000, 2, 4), ErrorCode.TRANSACTION_COORDINATOR_FENCED,
      /^Invalid coordinator epoch for producerId 1000 at offset 2 in partition p\d+-0: 4 \(zombie\), 5 \(current\)$/);
    // A marker for a producer with nothing open is written and changes no offsets.
    assert.equal(marker(log, false, 1000, 2, 5).baseOffset, 2);
  });
});

describe('producer.id.expiration.ms', () => {
  test('an idle producer is forgotten unless it has a transaction open', () => {
    const log = PartitionLog.create('expiring', 0, join(tmp.path, 'expiring-0'), logConfig(), { ...ctx, producerIdExpirationMs: 60_000 });
    log.append(producerBatch({ producerId: 1, sequence: 0 }), CLIENT);
    log.append(producerBatch({ producerId: 2, sequence: 0, transactional: true }), CLIENT);
    log.removeExpiredProducers(NOW + 59_999);
    assert.deepEqual(log.activeProducers().map((p) => p.producerId), [1, 2]);
    log.removeExpiredProducers(NOW + 60_000);
    assert.deepEqual(log.activeProducers().map((p) => p.producerId), [2]);
    // Forgotten: any sequence is accepted again.
    assert.equal(log.append(producerBatch({ producerId: 1, sequence: 17 }), CLIENT).baseOffset, 2);
  });
});

interface Ack {
  sequence: number;
  count: number;
  offset: number;
}

/** Runs the append child until it acknowledged `minAcks` batches, then SIGKILLs it. */
function runAndKill(dir: string, minAcks: number): Promise<{ start: number; acks: Ack[] }> {
  const script = fileURLToPath(new URL('./producer-append-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acks: Ack[] = [];
    let start = -1;
    let pending = '';
    proc.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [a, b, c] = line.split(' ');
        if (a === 'start') start = Number(b);
        else acks.push({ sequence: Number(a), count: Number(b), offset: Number(c) });
      }
      if (acks.length >= minAcks) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ start, acks }) : reject(new Error(`child exited with ${code}`))));
  });
}

describe('recovery after kill -9', () => {
  test('keeps deduplication: each sequence once and in order, the last batches still duplicates', async () => {
    const dir = makeTempDir('samsa-idem-kill-');
    try {
      const acks: Ack[] = [];
      for (let run = 0; run < 2; run++) {
        const { start, acks: runAcks } = await runAndKill(dir.path, 1500);
        // The restarted producer state continues at the sequence after the last one in the log.
        assert.ok(start >= (acks.at(-1) ? acks.at(-1)!.sequence + acks.at(-1)!.count : 0), `run ${run} starts at ${start}`);
        acks.push(...runAcks);
      }
      const manager = await LogManager.open({ logDirs: [dir.path] });
      try {
        const log = manager.getLog('idem', 0)!;
        const { records } = await log.read(0, 1 << 30, { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER });
        const sequenceAt = new Map<number, number>();
        let next = 0;
        for (const batch of decodeBatches(Buffer.concat(records))) {
          assert.equal(batch.baseSequence, next, `batch at ${batch.baseOffset}`);
          batch.records.forEach((r, i) => sequenceAt.set(r.offset, batch.baseSequence + i));
          next += batch.recordCount;
        }
        for (const ack of acks) assert.equal(sequenceAt.get(ack.offset), ack.sequence, `acknowledged sequence ${ack.sequence}`);
        const producer = log.activeProducers().find((p) => p.producerId === 5)!;
        assert.equal(producer.lastSequence, next - 1);
        for (const ack of acks.slice(-4)) {
          const again = log.append(producerBatch({ producerId: 5, sequence: ack.sequence, count: ack.count }), CLIENT);
          assert.deepEqual([again.duplicate, again.baseOffset], [true, ack.offset]);
        }
        const end = log.logEndOffset;
        assertProducerError(() => log.append(producerBatch({ producerId: 5, sequence: next + 1 }), CLIENT), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assert.equal(log.append(producerBatch({ producerId: 5, sequence: next }), CLIENT).baseOffset, end);
      } finally {
        await manager.close();
      }
    } finally {
      dir.remove();
    }
  });
});
