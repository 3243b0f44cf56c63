// Produce (0): validate each partition's batch without parsing records,
// convert legacy message sets (v0-v2) to v2, append (offsets assigned by
// patching the batch header), answer per partition. acks=0 sends no answer;
// as in Kafka, a failed acks=0 produce closes the connection instead.
// Where the topic's compression.type names a codec other than the batch's,
// the batch is recompressed first (off the event loop) and the answer comes
// asynchronously; appends to a partition keep their arrival order.
// Idempotent and transactional batches pass the partition's producer-state
// checks: a duplicate is answered with its original offset, a failed check with
// Kafka's error. With transaction.partition.verification.enable (Kafka 3.6+), a
// transactional batch that would start its producer's transaction in a
// partition waits until the transaction coordinator confirms the partition is
// in the transaction (one question per request); the other batches append as
// before, synchronously. Only a partition's leader appends (elsewhere:
// NOT_LEADER_OR_FOLLOWER); acks=all is answered once the in-sync replicas have
// the batch (partition-waits.ts), at once when the leader is the whole ISR.
import { INTERNAL_TOPICS } from '../../cluster/topic-names.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import {
  BATCH_HEADER_SIZE, CODEC_BY_NAME, CompressionType, baseSequenceOf, isTransactionalBatch, magicOf, producerEpochOf, producerIdOf,
} from '../../protocol/records/batch.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import { legacyToV2 } from '../../protocol/records/legacy.js';
import { RecordsError } from '../../protocol/records/errors.js';
import { recompressBatch, type TargetCompression } from '../../protocol/records/recompress.js';
import { validateProduceRecords } from '../../protocol/records/validate.js';
import { ProducerStateError } from '../../storage/errors.js';
import type { LogConfig } from '../../storage/log-config.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { VerificationGuard } from '../../storage/verification-state.js';
import type { BrokerContext } from '../context.js';
import { CloseConnection, type RequestContext } from '../router.js';
import type { RequestVerification } from '../txn-verification.js';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

type PartitionResult = PartitionResponse | Promise<PartitionResponse>;

export function handleProduce(ctx: RequestContext, req: ProduceRequest): ProduceResponse | null | Promise<ProduceResponse | null> {
  const { broker, version } = ctx;
  const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1;
  // As KafkaApis: transactional records need the request's transactional id (and the right to use it).
  if (version >= 3 && req.transactionalId === null && hasTransactionalRecords(req)) return failAll(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  // Without a transactional id there are no transactional batches (refused just above).
  const producer = req.transactionalId === null ? undefined : transactionalProducer(broker, req);
  if (producer === null) return failAll(req, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  // Produce v11+ clients know TRANSACTION_ABORTABLE (Kafka's genericError).
  const verification = producer && req.transactionalId !== null
    ? broker.txnVerification.begin({ transactionalId: req.transactionalId, ...producer, abortableSupported: version > 10 })
    : undefined;
  let async = false;
  const results = req.topicData.map((t) => t.partitionData.map((p): PartitionResult => {
    const r = validAcks
      ? appendPartition(broker, version, req, t.name, p.index, p.records as Buffer | null, verification)
      : result(p.index, ErrorCode.INVALID_REQUIRED_ACKS);
    if (r instanceof Promise) async = true;
    return r;
  }));
  verification?.send();
  const respond = (partitions: PartitionResponse[][]): ProduceResponse | null => {
    if (req.acks === 0) {
      if (partitions.some((ps) => ps.some((r) => r.errorCode !== ErrorCode.NONE))) {
        throw new CloseConnection('acks=0 produce failed; closing the connection so the client notices');
      }
      return null;
    }
    const responses = req.topicData.map((t, i) => ({ name: t.name, partitionResponses: partitions[i] }));
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  };
  if (!async) return respond(results as PartitionResponse[][]);
  return Promise.all(results.map((ps) => Promise.all(ps))).then(respond);
}

/** Kafka's RequestUtils.hasTransactionalRecords: looks at each partition's first batch. */
function hasTransactionalRecords(req: ProduceRequest): boolean {
  return req.topicData.some((t) => t.partitionData.some((p) => startsTransactional(p.records as Buffer | null)));
}

function startsTransactional(records: Buffer | null): records is Buffer {
  return records !== null && records.length >= BATCH_HEADER_SIZE && magicOf(records) === 2 && isTransactionalBatch(records);
}

/**
 * The one producer of the request's transactional batches in existing partitions (undefined when
 * there are none); null when there are several, which Kafka refuses (INVALID_PRODUCER_ID_MAPPING).
 */
function transactionalProducer(broker: BrokerContext, req: ProduceRequest): { producerId: number; producerEpoch: number } | null | undefined {
  let producer: { producerId: number; producerEpoch: number } | undefined;
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      const records = p.records as Buffer | null;
      if (!startsTransactional(records) || producerIdOf(records) < 0 || typeof broker.replicas.leaderLog(t.name, p.index) === 'number') continue;
      const found = { producerId: producerIdOf(records), producerEpoch: producerEpochOf(records) };
      if (producer && (producer.producerId !== found.producerId || producer.producerEpoch !== found.producerEpoch)) return null;
      producer = found;
    }
  }
  return producer;
}

/** Every partition answered with one error, as Kafka's ProduceRequest.getErrorResponse. */
function failAll(req: ProduceRequest, errorCode: number): ProduceResponse | null {
  if (req.acks === 0) throw new CloseConnection('acks=0 produce failed; closing the connection so the client notices');
  const responses = req.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => result(p.index, errorCode)) }));
  return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
}

function appendPartition(
  broker: BrokerContext, version: number, req: ProduceRequest, topic: string, partition: number, records: Buffer | null,
  verification: RequestVerification | undefined,
): PartitionResult {
  if (INTERNAL_TOPICS.has(topic)) return result(partition, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  const log = broker.replicas.leaderLog(topic, partition);
  if (typeof log === 'number') return result(partition, log);
  if (req.acks === -1) {
    const { isr, minIsr } = broker.topics.insyncReplicas(topic, partition);
    if (isr < minIsr) return result(partition, ErrorCode.NOT_ENOUGH_REPLICAS, `${isr} in-sync replica(s), min.insync.replicas is ${minIsr}`);
  }
  if (records === null) return result(partition, ErrorCode.INVALID_RECORD, 'no records');
  let batch = records;
  try {
    if (version < 3) batch = legacyToV2(records);
  } catch (e) {
    if (e instanceof RecordsError) return result(partition, e.code, e.message);
    throw e;
  }
  const cfg = log.config;
  const check = validateProduceRecords(batch, {
    produceVersion: Math.max(version, 3),
    maxMessageBytes: cfg.maxMessageBytes,
    requireKeys: cfg.cleanupPolicy.includes('compact'),
    timestampBounds: timestampBounds(broker, topic, cfg.messageTimestampType),
  });
  if (!check.ok) return result(partition, check.error, check.message, check.recordIndex);
  const tooLarge = segmentOverflow(batch, cfg, partition);
  if (tooLarge) return tooLarge;
  const target = recompressionTarget(cfg, check.compression);
  const earlier = pendingAppends.get(log);
  const started = verification && isTransactionalBatch(batch) ? verification.add(log, baseSequenceOf(batch)) : undefined;
  const appendBatch = (b: Buffer): PartitionResult => append(broker, log, partition, b, started?.guard, req);
  if (!target && !earlier && !started?.verdict) return appendBatch(batch);
  const ready = target ? recompressed(batch, target, cfg, partition) : batch;
  return appendInOrder(log, earlier, started?.verdict ? verified(started.verdict, ready, partition) : ready, appendBatch);
}

/** The batch once the coordinator has verified its partition, else the answer Kafka gives (ReplicaManager's postVerificationCallback). */
async function verified(
  verdict: Promise<number>, batch: Buffer | Promise<Buffer | PartitionResponse>, partition: number,
): Promise<Buffer | PartitionResponse> {
  const [error, ready] = await Promise.all([verdict, batch]);
  if (error === ErrorCode.NONE) return ready;
  if (error === ErrorCode.INVALID_TXN_STATE) return result(partition, error, 'Partition was not added to the transaction');
  // Retriable for the coordinator, but older clients would not retry them: NOT_ENOUGH_REPLICAS makes
  // every client retry the produce without a metadata refresh.
  if (COORDINATOR_BUSY.has(error)) {
    return result(partition, ErrorCode.NOT_ENOUGH_REPLICAS, `Unable to verify the partition has been added to the transaction. Underlying error: ${errorName(error)}`);
  }
  return result(partition, error);
}

const COORDINATOR_BUSY: ReadonlySet<number> = new Set([
  ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NETWORK_EXCEPTION, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR,
]);

/** Kafka's UnifiedLog check: a batch larger than a whole segment cannot be appended. */
function segmentOverflow(batch: Buffer, cfg: LogConfig, partition: number): PartitionResponse | undefined {
  if (batch.length <= cfg.segmentBytes) return undefined;
  return result(partition, ErrorCode.RECORD_LIST_TOO_LARGE, `batch of ${batch.length} bytes exceeds segment.bytes ${cfg.segmentBytes}`);
}

/** What a batch in `source` must be recompressed to under the topic's compression.type (Kafka's BrokerCompressionType), if anything. */
function recompressionTarget(cfg: LogConfig, source: CompressionType): TargetCompression | undefined {
  if (cfg.compressionType === 'producer') return undefined;
  const type = CODEC_BY_NAME[cfg.compressionType];
  if (type === source) return undefined;
  const levels = cfg.compressionLevels;
  const level = type === CompressionType.Gzip ? levels.gzip : type === CompressionType.Lz4 ? levels.lz4 : type === CompressionType.Zstd ? levels.zstd : undefined;
  return { type, level };
}

/** The batch in the target codec, or the error answer; as in Kafka, the new batch must fit max.message.bytes and the segment again. */
async function recompressed(batch: Buffer, target: TargetCompression, cfg: LogConfig, partition: number): Promise<Buffer | PartitionResponse> {
  let out: Buffer;
  try {
    out = await recompressBatch(batch, target);
  } catch (e) {
    if (e instanceof RecordsError) return result(partition, e.code, e.message);
    throw e;
  }
  if (out.length > cfg.maxMessageBytes) {
    return result(partition, ErrorCode.MESSAGE_TOO_LARGE, `recompressed batch of ${out.length} bytes exceeds max.message.bytes ${cfg.maxMessageBytes}`);
  }
  return segmentOverflow(out, cfg, partition) ?? out;
}

/**
 * Per partition, the last append still waiting for recompression. A later
 * append to the partition (an idempotent producer pipelines up to 5 requests
 * per connection) waits for it, so appends keep their arrival order.
 */
const pendingAppends = new WeakMap<PartitionLog, Promise<unknown>>();

function appendInOrder(
  log: PartitionLog, earlier: Promise<unknown> | undefined, batch: Buffer | Promise<Buffer | PartitionResponse>,
  appendBatch: (b: Buffer) => PartitionResult,
): Promise<PartitionResponse> {
  // Boxed, so that the next append waits for this one's write and not for its replication (acks=all).
  const appended = Promise.all([earlier, batch]).then(([, b]) => ({ answer: Buffer.isBuffer(b) ? appendBatch(b) : b }));
  const settled = appended.then(() => undefined, () => undefined);
  const done = appended.then((a) => a.answer);
  pendingAppends.set(log, settled);
  void settled.then(() => {
    if (pendingAppends.get(log) === settled) pendingAppends.delete(log);
  });
  return done;
}

/** CreateTime topics may bound how far record timestamps stray from the broker's clock. */
function timestampBounds(broker: BrokerContext, topic: string, type: string) {
  if (type !== 'CreateTime') return undefined;
  const { beforeMaxMs, afterMaxMs } = broker.topics.timestampLimits(topic);
  if (beforeMaxMs >= Number.MAX_SAFE_INTEGER && afterMaxMs >= Number.MAX_SAFE_INTEGER) return undefined;
  return { now: Date.now(), beforeMaxMs, afterMaxMs };
}

function append(
  broker: BrokerContext, log: PartitionLog, partition: number, batch: Buffer, verificationGuard: VerificationGuard | undefined, req: ProduceRequest,
): PartitionResult {
  let info;
  const leaderEpoch = broker.replicas.leaderEpoch(log);
  try {
    // The records are the request frame's (or a conversion's): nothing writes them after this.
    info = log.append(batch, { leaderEpoch, timestampType: log.config.messageTimestampType, now: Date.now(), verificationGuard, owned: true });
  } catch (e) {
    if (e instanceof ProducerStateError) return result(partition, e.code, e.message);
    broker.log.error(`append to ${log.topic}-${partition} failed: ${(e as Error).message}`);
    return result(partition, ErrorCode.KAFKA_STORAGE_ERROR, (e as Error).message);
  }
  const appended = {
    ...result(partition, ErrorCode.NONE),
    baseOffset: info.baseOffset,
    logAppendTimeMs: info.logAppendTime,
    logStartOffset: info.duplicate ? info.logStartOffset : log.logStartOffset,
  };
  if (!info.duplicate) broker.replicas.afterLeaderAppend(log, batch.length);
  if (req.acks !== -1) return appended;
  // acks=all: answered once the in-sync replicas have the batch (Kafka's DelayedProduce).
  const replicated = broker.delayedProduces.await(log, info.lastOffset + 1, req.timeoutMs);
  if (typeof replicated === 'number') return replicated === ErrorCode.NONE ? appended : { ...appended, errorCode: replicated };
  return replicated.then((errorCode) => (errorCode === ErrorCode.NONE ? appended : { ...appended, errorCode }));
}

function result(index: number, errorCode: number, errorMessage: string | null = null, recordIndex?: number): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: recordIndex === undefined ? [] : [{ batchIndex: recordIndex, batchIndexErrorMessage: errorMessage }],
    errorMessage,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
  };
}
