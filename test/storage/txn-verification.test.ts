// Transaction verification in the partition log (Kafka's VerificationGuard and
// VerificationStateEntry): with verification on, a transactional batch that
// would start its producer's transaction must carry the guard its verification
// created; a marker or a transactional write in between makes the guard stale;
// a lower sequence waiting for verification holds higher ones back; nothing
// changes for producers already in a transaction, and nothing at all with
// verification off.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatch } from '../../src/protocol/records/record.js';
import { ProducerStateError } from '../../src/storage/errors.js';
import { FileCache } from '../../src/storage/file-cache.js';
import { logConfig } from '../../src/storage/log-config.js';
import { type AppendOptions, type LogContext, PartitionLog } from '../../src/storage/partition-log.js';
import { VerificationGuard } from '../../src/storage/verification-state.js';
import { makeTempDir } from './helpers.js';

const NOW = 1_700_000_000_000;
const PID = 7000;
const CLIENT: AppendOptions = { leaderEpoch: 0, timestampType: 'CreateTime', now: NOW };
const { SENTINEL } = VerificationGuard;

let tmp: ReturnType<typeof makeTempDir>;
let ctx: LogContext;
let logs = 0;
before(() => {
  tmp = makeTempDir('samsa-verification-');
  ctx = { files: new FileCache(64), onBackgroundError: (err) => assert.fail(err as Error), producerIdExpirationMs: 60_000 };
});
after(() => {
  ctx.files.closeAll();
  tmp.remove();
});

function newLog(): PartitionLog {
  const topic = `v${logs++}`;
  return PartitionLog.create(topic, 0, join(tmp.path, `${topic}-0`), logConfig(), ctx);
}

function txnBatch(sequence: number, opts: { producerId?: number; epoch?: number; transactional?: boolean } = {}): Buffer {
  return buildBatch({
    baseTimestamp: NOW,
    producerId: opts.producerId ?? PID,
    producerEpoch: opts.epoch ?? 0,
    baseSequence: sequence,
    isTransactional: opts.transactional ?? true,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(`seq-${sequence}`), headers: [] }],
  });
}

function refused(fn: () => unknown, code: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProducerStateError, `expected ProducerStateError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

const abort = (log: PartitionLog): void => {
  log.appendTxnMarker({ producerId: PID, producerEpoch: 0, coordinatorEpoch: 0, commit: false, leaderEpoch: 0, now: NOW + 1 });
  log.updateHighWatermark(log.logEndOffset);
};

test('an unverified batch that would start a transaction is refused: nothing appended, the LSO not held', () => {
  const log = newLog();
  log.append(txnBatch(0, { producerId: 1, transactional: false }), CLIENT);
  log.updateHighWatermark(log.logEndOffset);
  refused(() => log.append(txnBatch(0), { ...CLIENT, verificationGuard: SENTINEL }), ErrorCode.INVALID_TXN_STATE, /^Record was not part of an ongoing transaction$/);
  // A guard of nothing this log started is no better than the sentinel.
  refused(() => log.append(txnBatch(0), { ...CLIENT, verificationGuard: new VerificationGuard() }), ErrorCode.INVALID_TXN_STATE, /ongoing transaction/);
  assert.equal(log.logEndOffset, 1);
  assert.equal(log.lastStableOffset, 1);
  assert.equal(log.hasOngoingTransaction(PID), false);
});

test('the guard of the verification appends; later batches of the ongoing transaction need none', () => {
  const log = newLog();
  const guard = log.maybeStartTransactionVerification(PID, 0, 0);
  assert.notEqual(guard, SENTINEL);
  // Asked again before the append (a retry), the same verification goes on.
  assert.equal(log.maybeStartTransactionVerification(PID, 0, 0), guard);
  assert.equal(log.append(txnBatch(0), { ...CLIENT, verificationGuard: guard }).baseOffset, 0);
  log.updateHighWatermark(log.logEndOffset);
  assert.equal(log.lastStableOffset, 0);
  assert.equal(log.maybeStartTransactionVerification(PID, 1, 0), SENTINEL);
  assert.equal(log.append(txnBatch(1), { ...CLIENT, verificationGuard: SENTINEL }).baseOffset, 1);
  // Non-transactional batches of other producers are not concerned.
  assert.equal(log.append(txnBatch(0, { producerId: 2, transactional: false }), { ...CLIENT, verificationGuard: SENTINEL }).baseOffset, 2);
});

test('a verification overtaken by the end of the transaction appends nothing (the ABA case)', () => {
  const log = newLog();
  const first = log.maybeStartTransactionVerification(PID, 0, 0);
  log.append(txnBatch(0), { ...CLIENT, verificationGuard: first });
  // The transaction ends; a new verification starts and the coordinator's abort comes before its append.
  abort(log);
  const second = log.maybeStartTransactionVerification(PID, 1, 0);
  assert.notEqual(second, first);
  abort(log);
  refused(() => log.append(txnBatch(1), { ...CLIENT, verificationGuard: second }), ErrorCode.INVALID_TXN_STATE, /ongoing transaction/);
  refused(() => log.append(txnBatch(1), { ...CLIENT, verificationGuard: first }), ErrorCode.INVALID_TXN_STATE, /ongoing transaction/);
  assert.equal(log.lastStableOffset, log.logEndOffset);
});

test('a lower sequence waiting for verification holds higher ones back; a newer epoch starts afresh', () => {
  const log = newLog();
  log.append(txnBatch(0, { transactional: false }), CLIENT);
  log.maybeStartTransactionVerification(PID, 3, 0);
  const guard = log.maybeStartTransactionVerification(PID, 1, 0);
  refused(
    () => log.append(txnBatch(3), { ...CLIENT, verificationGuard: guard }), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    /^Out of order sequence number for producer 7000 at offset 1 in partition v\d+-0: 3 \(incoming seq\. number\), 1 \(earliest seen sequence\)$/,
  );
  assert.equal(log.append(txnBatch(1), { ...CLIENT, verificationGuard: guard }).baseOffset, 1);
  const other = newLog();
  other.maybeStartTransactionVerification(PID, 5, 0);
  const bumped = other.maybeStartTransactionVerification(PID, 0, 1);
  assert.equal(other.append(txnBatch(0, { epoch: 1 }), { ...CLIENT, verificationGuard: bumped }).baseOffset, 0);
});

test('the coordinator\'s transactional writes are checked too; replication is not', () => {
  const log = newLog();
  const coordinator: AppendOptions = { ...CLIENT, origin: 'coordinator' };
  refused(() => log.append(txnBatch(0), { ...coordinator, verificationGuard: SENTINEL }), ErrorCode.INVALID_TXN_STATE, /ongoing transaction/);
  const guard = log.maybeStartTransactionVerification(PID, -1, 0);
  assert.equal(log.append(txnBatch(0), { ...coordinator, verificationGuard: guard }).baseOffset, 0);
  assert.equal(newLog().append(txnBatch(0), { ...CLIENT, origin: 'replication', verificationGuard: SENTINEL }).baseOffset, 0);
});

test('verification off: appended as Kafka 3.5 did, and the transaction holds the LSO', () => {
  const log = newLog();
  assert.equal(log.append(txnBatch(0), CLIENT).baseOffset, 0);
  log.updateHighWatermark(log.logEndOffset);
  assert.equal(log.lastStableOffset, 0);
});

test('a verification never used expires with producer.id.expiration.ms', () => {
  const log = newLog();
  const guard = log.maybeStartTransactionVerification(PID, 0, 0);
  log.removeExpiredProducers(Date.now() - 1);
  assert.equal(log.maybeStartTransactionVerification(PID, 0, 0), guard);
  log.removeExpiredProducers(Date.now() + 60_000);
  refused(() => log.append(txnBatch(0), { ...CLIENT, verificationGuard: guard }), ErrorCode.INVALID_TXN_STATE, /ongoing transaction/);
});
