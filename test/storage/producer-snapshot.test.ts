// Producer-state snapshots and the aborted-transaction index against files written by Kafka
// 2.4.1 (shared/reference/kafka-2.4.1-logdir) and their kafka-dump-log output; opening Kafka's
// transactional partition gives its last stable offset, aborted transactions and producers,
// also when the .txnindex and the snapshot have to be rebuilt from the log.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CorruptSnapshotError } from '../../src/storage/errors.js';
import { FileCache } from '../../src/storage/file-cache.js';
import { logConfig } from '../../src/storage/log-config.js';
import { type LogContext, PartitionLog } from '../../src/storage/partition-log.js';
import { decodeSnapshot, encodeSnapshot, listSnapshots, readSnapshot, writeSnapshot } from '../../src/storage/producer-snapshot.js';
import { ProducerStateEntry } from '../../src/storage/producer-state.js';
import { decodeTxnIndex, encodeAbortedTxn } from '../../src/storage/txn-index.js';
import { KAFKA_LOGDIR, copyKafkaLogDir, decodeBatches, makeTempDir } from './helpers.js';

const TXN_DIR = join(KAFKA_LOGDIR, 'corpus-txn-0');
const PLAIN_DIR = join(KAFKA_LOGDIR, 'corpus-plain-0');
const TXN_SNAPSHOT = '00000000000000000015.snapshot';
const TXN_INDEX = '00000000000000000000.txnindex';

/** A snapshot entry as kafka-dump-log prints it. */
interface DumpedProducer {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
  firstSequence: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
}

function dumpedProducers(dump: string): DumpedProducer[] {
  const line = /^producerId: (\d+) producerEpoch: (\d+) coordinatorEpoch: (-?\d+) currentTxnFirstOffset: (None|\d+) firstSequence: (-?\d+) lastSequence: (-?\d+) lastOffset: (-?\d+) offsetDelta: (\d+) timestamp: (\d+)$/;
  return readFileSync(dump, 'utf8').split('\n').flatMap((l) => {
    const m = line.exec(l);
    if (!m) return [];
    const n = m.slice(1).map((v) => (v === 'None' ? -1 : Number(v)));
    return [{
      producerId: n[0], producerEpoch: n[1], coordinatorEpoch: n[2], currentTxnFirstOffset: n[3],
      firstSequence: n[4], lastSequence: n[5], lastOffset: n[6], offsetDelta: n[7], timestamp: n[8],
    }];
  });
}

const asDumped = (e: ProducerStateEntry): DumpedProducer => ({
  producerId: e.producerId, producerEpoch: e.producerEpoch, coordinatorEpoch: e.coordinatorEpoch,
  currentTxnFirstOffset: e.currentTxnFirstOffset, firstSequence: e.firstSeq, lastSequence: e.lastSeq,
  lastOffset: e.lastDataOffset, offsetDelta: e.lastOffsetDelta, timestamp: e.lastTimestamp,
});

const byId = <T extends { producerId: number }>(list: T[]): T[] => [...list].sort((a, b) => a.producerId - b.producerId);

describe('snapshot files written by Kafka', () => {
  test('the transactional partition\'s snapshot decodes to the producers of its dump, and encodes back to the same bytes', () => {
    const bytes = readFileSync(join(TXN_DIR, TXN_SNAPSHOT));
    const entries = decodeSnapshot(bytes);
    const dumped = dumpedProducers(join(TXN_DIR, `${TXN_SNAPSHOT}.dump.txt`));
    assert.equal(dumped.length, 2);
    assert.deepEqual(entries.map(asDumped), dumped);
    assert.deepEqual(encodeSnapshot(entries), bytes);
  });

  test('header-only snapshots of a non-idempotent partition hold no producers', () => {
    const names = readdirSync(PLAIN_DIR).filter((n) => n.endsWith('.snapshot'));
    assert.deepEqual(names, ['00000000000000000084.snapshot', '00000000000000000147.snapshot', '00000000000000000171.snapshot']);
    for (const name of names) {
      const bytes = readFileSync(join(PLAIN_DIR, name));
      assert.deepEqual(decodeSnapshot(bytes), []);
      assert.deepEqual(dumpedProducers(join(PLAIN_DIR, `${name}.dump.txt`)), []);
      assert.deepEqual(encodeSnapshot([]), bytes);
    }
    assert.deepEqual(listSnapshots(PLAIN_DIR), [84, 147, 171]);
  });

  test('a flipped byte, a wrong version or a short file is a CorruptSnapshotError', () => {
    const bytes = readFileSync(join(TXN_DIR, TXN_SNAPSHOT));
    const flipped = Buffer.from(bytes);
    flipped[40] ^= 1;
    assert.throws(() => decodeSnapshot(flipped), (e) => e instanceof CorruptSnapshotError && /CRC is no longer valid/.test(e.message));
    const version = Buffer.from(bytes);
    version.writeInt16BE(2, 0);
    assert.throws(() => decodeSnapshot(version), (e) => e instanceof CorruptSnapshotError && /unknown file version 2/.test(e.message));
    assert.throws(() => decodeSnapshot(bytes.subarray(0, 50)), CorruptSnapshotError);
  });

  test('what we write reads back, including an open transaction and a producer without batches', async () => {
    const tmp = makeTempDir('samsa-snapshot-');
    try {
      const entries = [
        new ProducerStateEntry(7, 3, 2, 1_700_000_000_123, 40, [{ lastSeq: 12, lastOffset: 44, offsetDelta: 4, timestamp: 1_700_000_000_123 }]),
        new ProducerStateEntry(9, 0, -1, 1_700_000_000_000, -1),
      ];
      writeSnapshot(tmp.path, 45, entries, true);
      assert.deepEqual(listSnapshots(tmp.path), [45]);
      const read = await readSnapshot(tmp.path, 45);
      assert.deepEqual(read.map(asDumped), entries.map(asDumped));
    } finally {
      tmp.remove();
    }
  });
});

describe('transaction index written by Kafka', () => {
  test('decodes to its dump and encodes back to the same bytes', () => {
    const bytes = readFileSync(join(TXN_DIR, TXN_INDEX));
    const dump = readFileSync(join(TXN_DIR, `${TXN_INDEX}.dump.txt`), 'utf8');
    const dumped = [...dump.matchAll(/version: 0 producerId: (\d+) firstOffset: (\d+) lastOffset: (\d+) lastStableOffset: (\d+)/g)]
      .map((m) => ({ producerId: Number(m[1]), firstOffset: Number(m[2]), lastOffset: Number(m[3]), lastStableOffset: Number(m[4]) }));
    assert.deepEqual(dumped, [{ producerId: 0, firstOffset: 5, lastOffset: 8, lastStableOffset: 9 }]);
    assert.deepEqual(decodeTxnIndex(bytes), dumped);
    assert.deepEqual(Buffer.concat(dumped.map(encodeAbortedTxn)), bytes);
  });
});

describe('opening Kafka\'s transactional partition', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let ctx: LogContext;
  before(() => {
    tmp = makeTempDir('samsa-kafka-txn-');
    // Kafka wrote these producers on 2026-11-23: a day's expiration would already have dropped them.
    ctx = { files: new FileCache(32), onBackgroundError: (err) => assert.fail(err as Error), producerIdExpirationMs: Number.MAX_SAFE_INTEGER };
  });
  after(() => {
    ctx.files.closeAll();
    tmp.remove();
  });

  async function openCopy(name: string, hadCleanShutdown: boolean, prepare?: (dir: string) => void): Promise<PartitionLog> {
    const root = join(tmp.path, name);
    copyKafkaLogDir(root);
    const dir = join(root, 'corpus-txn-0');
    for (const f of readdirSync(dir)) if (f.endsWith('.dump.txt')) rmSync(join(dir, f));
    prepare?.(dir);
    return PartitionLog.open('corpus-txn', 0, dir, logConfig({ indexIntervalBytes: 512 }), ctx, {
      recoveryPoint: hadCleanShutdown ? 15 : 0, logStartOffset: 0, highWatermark: 15, hadCleanShutdown,
    });
  }

  async function checkKafkaState(log: PartitionLog): Promise<void> {
    assert.equal(log.logEndOffset, 15);
    assert.equal(log.lastStableOffset, 15);
    assert.deepEqual(await log.abortedTransactions(0, 15), [{ producerId: 0, firstOffset: 5 }]);
    assert.deepEqual(await log.abortedTransactions(9, 15), []);
    const dumped = dumpedProducers(join(TXN_DIR, `${TXN_SNAPSHOT}.dump.txt`));
    assert.deepEqual(byId(log.activeProducers()), byId(dumped.map((d) => ({
      producerId: d.producerId, producerEpoch: d.producerEpoch, lastSequence: d.lastSequence, lastTimestamp: d.timestamp,
      coordinatorEpoch: d.coordinatorEpoch, currentTxnStartOffset: d.currentTxnFirstOffset,
    }))));
  }

  test('after a clean shutdown: state from Kafka\'s snapshot, aborted transactions from its .txnindex', async () => {
    const log = await openCopy('clean', true);
    await checkKafkaState(log);
    // read_committed readers get everything up to the LSO, with the aborted transaction to filter.
    const { records } = await log.read(0, 1 << 20, { minOneBatch: true, maxOffset: log.lastStableOffset });
    assert.equal(decodeBatches(Buffer.concat(records)).at(-1)?.offset, 14);
    await log.close();
  });

  test('after a crash without snapshot and .txnindex: both rebuilt from the log, byte for byte as Kafka wrote them', async () => {
    const log = await openCopy('rebuilt', false, (dir) => {
      rmSync(join(dir, TXN_SNAPSHOT));
      writeFileSync(join(dir, TXN_INDEX), Buffer.alloc(0));
    });
    await checkKafkaState(log);
    const dir = log.dir;
    assert.deepEqual(readFileSync(join(dir, TXN_INDEX)), readFileSync(join(TXN_DIR, TXN_INDEX)));
    await log.close();
    // The snapshot written at close holds Kafka's producers (Kafka wrote them in another order).
    const written = decodeSnapshot(readFileSync(join(dir, TXN_SNAPSHOT)));
    assert.deepEqual(byId(written.map(asDumped)), byId(decodeSnapshot(readFileSync(join(TXN_DIR, TXN_SNAPSHOT))).map(asDumped)));
  });

  test('a corrupt latest snapshot is deleted and the log replayed instead', async () => {
    const log = await openCopy('corrupt', false, (dir) => writeFileSync(join(dir, TXN_SNAPSHOT), Buffer.from('not a snapshot')));
    await checkKafkaState(log);
    await log.close();
  });
});
