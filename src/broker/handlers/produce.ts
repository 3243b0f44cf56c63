// Produce (0): validate each partition's batch without parsing records,
// convert legacy message sets (v0-v2) to v2, append (offsets assigned by
// patching the batch header), answer per partition. acks=0 sends no answer;
// as in Kafka, a failed acks=0 produce closes the connection instead.
// Idempotent and transactional batches pass the partition's producer-state
// checks: a duplicate is answered with its original offset, a failed check with
// Kafka's error. Transactional batches are not verified with the transaction
// coordinator (transaction.partition.verification.enable, Kafka 3.6+): appends
// are accepted as Kafka 3.5 accepted them.
import { INTERNAL_TOPICS } from '../../cluster/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import { BATCH_HEADER_SIZE, isTransactionalBatch, magicOf } from '../../protocol/records/batch.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import { legacyToV2 } from '../../protocol/records/legacy.js';
import { RecordsError } from '../../protocol/records/errors.js';
import { validateProduceRecords } from '../../protocol/records/validate.js';
import { ProducerStateError } from '../../storage/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { BrokerContext } from '../context.js';
import { CloseConnection, type RequestContext } from '../router.js';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

export function handleProduce(ctx: RequestContext, req: ProduceRequest): ProduceResponse | null {
  const { broker, version } = ctx;
  const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1;
  // As KafkaApis: transactional records need the request's transactional id (and the right to use it).
  if (version >= 3 && req.transactionalId === null && hasTransactionalRecords(req)) return failAll(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  let failed = false;
  const responses = req.topicData.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map((p): PartitionResponse => {
      const r = validAcks
        ? appendPartition(broker, version, req.acks, t.name, p.index, p.records as Buffer | null)
        : result(p.index, ErrorCode.INVALID_REQUIRED_ACKS);
      if (r.errorCode !== ErrorCode.NONE) failed = true;
      return r;
    }),
  }));
  if (req.acks === 0) {
    if (failed) throw new CloseConnection('acks=0 produce failed; closing the connection so the client notices');
    return null;
  }
  return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
}

/** Kafka's RequestUtils.hasTransactionalRecords: looks at each partition's first batch. */
function hasTransactionalRecords(req: ProduceRequest): boolean {
  return req.topicData.some((t) => t.partitionData.some((p) => {
    const records = p.records as Buffer | null;
    return records !== null && records.length >= BATCH_HEADER_SIZE && magicOf(records) === 2 && isTransactionalBatch(records);
  }));
}

/** Every partition answered with one error, as Kafka's ProduceRequest.getErrorResponse. */
function failAll(req: ProduceRequest, errorCode: number): ProduceResponse | null {
  if (req.acks === 0) throw new CloseConnection('acks=0 produce failed; closing the connection so the client notices');
  const responses = req.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => result(p.index, errorCode)) }));
  return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
}

function appendPartition(
  broker: BrokerContext, version: number, acks: number, topic: string, partition: number, records: Buffer | null,
): PartitionResponse {
  if (INTERNAL_TOPICS.has(topic)) return result(partition, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  const log = broker.topics.partitionLog(topic, partition);
  if (!log) return result(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (acks === -1) {
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
  if (batch.length > cfg.segmentBytes) {
    return result(partition, ErrorCode.RECORD_LIST_TOO_LARGE, `batch of ${batch.length} bytes exceeds segment.bytes ${cfg.segmentBytes}`);
  }
  return append(broker, log, partition, batch);
}

/** CreateTime topics may bound how far record timestamps stray from the broker's clock. */
function timestampBounds(broker: BrokerContext, topic: string, type: string) {
  if (type !== 'CreateTime') return undefined;
  const { beforeMaxMs, afterMaxMs } = broker.topics.timestampLimits(topic);
  if (beforeMaxMs >= Number.MAX_SAFE_INTEGER && afterMaxMs >= Number.MAX_SAFE_INTEGER) return undefined;
  return { now: Date.now(), beforeMaxMs, afterMaxMs };
}

function append(broker: BrokerContext, log: PartitionLog, partition: number, batch: Buffer): PartitionResponse {
  let info;
  try {
    info = log.append(batch, { leaderEpoch: 0, timestampType: log.config.messageTimestampType, now: Date.now() });
  } catch (e) {
    if (e instanceof ProducerStateError) return result(partition, e.code, e.message);
    broker.log.error(`append to ${log.topic}-${partition} failed: ${(e as Error).message}`);
    return result(partition, ErrorCode.KAFKA_STORAGE_ERROR, (e as Error).message);
  }
  if (info.duplicate) {
    return { ...result(partition, ErrorCode.NONE), baseOffset: info.baseOffset, logAppendTimeMs: info.logAppendTime, logStartOffset: info.logStartOffset };
  }
  // Single node: every in-sync replica has the data once it is in the log.
  log.highWatermark = log.logEndOffset;
  broker.delayedFetches.notifyAppend(log, batch.length);
  return {
    ...result(partition, ErrorCode.NONE),
    baseOffset: info.baseOffset,
    logAppendTimeMs: info.logAppendTime,
    logStartOffset: log.logStartOffset,
  };
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
