// A transaction coordinator over real __transaction_state PartitionLogs and a
// real data topic in a temp dir, with a clock the test advances by hand.
// Markers go through the broker's local writer into the data logs; a gate can
// hold them back to catch the coordinator between PrepareCommit and
// CompleteCommit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTxnMarkerWriter } from '../../../src/broker/txn-markers.js';
import { TransactionCoordinator } from '../../../src/coordinator/transaction/coordinator.js';
import type { TransactionCoordinatorConfig } from '../../../src/coordinator/transaction/config.js';
import type { TxnMarker, TxnMarkerWriter } from '../../../src/coordinator/transaction/markers.js';
import { FileProducerIdBlockStore, ProducerIdManager } from '../../../src/coordinator/transaction/producer-ids.js';
import { type StoredTransaction, parseTransactionLogRecord } from '../../../src/coordinator/transaction/records.js';
import { TRANSACTION_STATE_TOPIC } from '../../../src/coordinator/transaction/store.js';
import { buildBatch, decodeBatches, type DecodedBatch } from '../../../src/protocol/records/record.js';
import { logConfig } from '../../../src/storage/log-config.js';
import { LogManager } from '../../../src/storage/log-manager.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ManualClock, now, settle } from '../harness.js';

export const TXN_PARTITIONS = 3;
/** The data topic transactions write to. */
export const TOPIC = 't';
export const TOPIC_PARTITIONS = 2;

export const TEST_CONFIG: TransactionCoordinatorConfig = {
  transactionalIdExpirationMs: 7 * 24 * 3_600_000,
  transactionMaxTimeoutMs: 900_000,
  transactionLogPartitions: TXN_PARTITIONS,
  loadBufferSize: 5 * 1024 * 1024,
  abortTimedOutTransactionsIntervalMs: 10_000,
  removeExpiredTransactionalIdsIntervalMs: 3_600_000,
};

/** Passes markers to the real writer, or holds them until released. */
export class MarkerGate implements TxnMarkerWriter {
  held = false;
  readonly written: TxnMarker[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly inner: TxnMarkerWriter) {}

  async write(marker: TxnMarker): Promise<Map<string, number>> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.written.push(marker);
    return this.inner.write(marker);
  }

  async release(): Promise<void> {
    this.held = false;
    for (const resume of this.waiting.splice(0)) resume();
    await settle();
  }
}

export interface Harness {
  coordinator: TransactionCoordinator;
  clock: ManualClock;
  logs: LogManager;
  markers: MarkerGate;
  /** __consumer_offsets partitions whose markers reached the group coordinator, with the outcome. */
  completedOffsets: { partition: number; producerId: number; commit: boolean }[];
  /** The transactional id's records in __transaction_state, in log order (null: tombstone). */
  stateRecords(transactionalId: string): Promise<(StoredTransaction | null)[]>;
  /** Every batch of a data partition. */
  batches(partition: number): Promise<DecodedBatch[]>;
  /** Appends a transactional batch of one record, as the producer would between AddPartitionsToTxn and EndTxn. */
  produce(partition: number, producerId: number, producerEpoch: number, baseSequence: number): void;
  /** Closes the coordinator and logs without waiting for markers, then opens both again on the same directory. */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  dir?: string;
  /** Data topics, each with TOPIC_PARTITIONS partitions; [TOPIC] by default. */
  topics?: readonly string[];
}

export async function openHarness(config: Partial<TransactionCoordinatorConfig> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'samsa-txn-'));
  const topics = new Set(options.topics ?? [TOPIC]);
  const logs = await LogManager.open({ logDirs: [dir] });
  for (let p = 0; p < TXN_PARTITIONS; p++) {
    if (!logs.getLog(TRANSACTION_STATE_TOPIC, p)) logs.createLog(TRANSACTION_STATE_TOPIC, p, logConfig({ cleanupPolicy: ['compact'] }));
  }
  for (const topic of topics) {
    for (let p = 0; p < TOPIC_PARTITIONS; p++) if (!logs.getLog(topic, p)) logs.createLog(topic, p, logConfig({}));
  }
  const clock = new ManualClock();
  const completedOffsets: Harness['completedOffsets'] = [];
  const markers = new MarkerGate(new LocalTxnMarkerWriter({
    replicas: {
      leaderLog: (t, p) => logs.getLog(t, p) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      leaderEpoch: () => 0,
      afterLeaderAppend: (l) => { l.highWatermark = l.logEndOffset; },
    },
    // One node: a marker is replicated once it is in the log.
    delayedProduces: { await: () => ErrorCode.NONE },
    config: { int: () => 30_000 },
    groups: { completeTransactionalOffsets: (partition, producerId, commit) => { completedOffsets.push({ partition, producerId, commit }); } },
    log: { error: (m) => { throw new Error(m); } },
  }));
  const producerIds = new ProducerIdManager(new FileProducerIdBlockStore(dir), 0, (m) => { throw new Error(m); });
  const coordinator = new TransactionCoordinator({
    config: { ...TEST_CONFIG, ...config },
    producerIds,
    markers,
    transactionLog: (p) => logs.getLog(TRANSACTION_STATE_TOPIC, p),
    afterAppend: (log) => {
      log.highWatermark = log.logEndOffset;
      return ErrorCode.NONE;
    },
    partitionExists: (t, p) => topics.has(t) && p >= 0 && p < TOPIC_PARTITIONS,
    clock,
  });
  await coordinator.start();
  await Promise.all(Array.from({ length: TXN_PARTITIONS }, (_, p) => coordinator.onBecomeLeader(p, 0)));
  await settle();
  const readAll = async (topic: string, partition: number): Promise<DecodedBatch[]> => {
    const log = logs.getLog(topic, partition)!;
    const { records } = await log.read(log.logStartOffset, 64 * 1024 * 1024, { minOneBatch: true, maxOffset: log.logEndOffset });
    return records.flatMap((chunk) => decodeBatches(chunk));
  };
  const h: Harness = {
    coordinator, clock, logs, markers, completedOffsets,
    async stateRecords(transactionalId) {
      const batches = await readAll(TRANSACTION_STATE_TOPIC, coordinator.partitionFor(transactionalId));
      return batches.flatMap((b) => b.records)
        .map((r) => parseTransactionLogRecord(r.key!, r.value))
        .flatMap((r) => (r.kind === 'transaction' && r.transactionalId === transactionalId ? [r.value] : []));
    },
    batches: (partition) => readAll(TOPIC, partition),
    produce(partition, producerId, producerEpoch, baseSequence) {
      const batch = buildBatch({
        baseTimestamp: clock.now(), producerId, producerEpoch, baseSequence, isTransactional: true,
        records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(`v${baseSequence}`), headers: [] }],
      });
      logs.getLog(TOPIC, partition)!.append(batch, { leaderEpoch: 0, timestampType: 'CreateTime', now: clock.now() });
    },
    async restart() {
      coordinator.close();
      await logs.close();
      return openHarness(config, { dir, topics: [...topics] });
    },
    async close() {
      coordinator.close();
      await logs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** InitProducerId for a transactional id with a 60 s timeout. */
export function initTxn(h: Harness, transactionalId: string, overrides: { transactionTimeoutMs?: number; producerId?: number; producerEpoch?: number } = {}) {
  return now(h.coordinator.initProducerId({ transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1, ...overrides }));
}
