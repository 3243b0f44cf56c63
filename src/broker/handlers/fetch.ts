// Fetch (1): whole batches from each partition within the request's byte
// limits, long-polling for fetch.min.bytes until max.wait.ms (woken by
// appends). Old versions get records converted down to magic 0/1.
// Fetch sessions (KIP-227): this broker declines to create sessions (it
// answers session id 0, which clients handle by sending full fetches) and
// answers FETCH_SESSION_ID_NOT_FOUND to incremental fetches of unknown ones.
import { ErrorCode } from '../../protocol/errors.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.js';
import { CompressionType, compressionOf, forEachBatch } from '../../protocol/records/batch.js';
import { RecordsError } from '../../protocol/records/errors.js';
import { v2ToLegacy } from '../../protocol/records/legacy.js';
import { OffsetOutOfRangeError } from '../../storage/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

type PartitionData = FetchResponse['responses'][number]['partitions'][number];
type WantedPartition = FetchRequest['topics'][number]['partitions'][number];

interface Target {
  topic: string;
  topicId: Buffer;
  wanted: WantedPartition;
  log: PartitionLog | undefined;
  /** Error known before reading (unknown topic, fenced epoch). */
  error: number;
}

const READ_COMMITTED = 1;

export async function handleFetch(ctx: RequestContext, req: FetchRequest): Promise<FetchResponse> {
  const { broker, version } = ctx;
  if (version >= 7 && req.sessionId !== 0 && req.sessionEpoch !== -1) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [], nodeEndpoints: [] };
  }
  const targets = resolveTargets(broker, version, req);
  const responseLimit = Math.min(version >= 3 ? req.maxBytes : Number.MAX_SAFE_INTEGER, broker.config.int('fetch.max.bytes'));
  const read = (): Promise<{ response: FetchResponse; bytes: number; hasError: boolean }> =>
    readTargets(version, req.isolationLevel, targets, responseLimit);

  const first = await read();
  const logs = targets.flatMap((t) => (t.log ? [t.log] : []));
  if (first.bytes >= req.minBytes || req.maxWaitMs <= 0 || first.hasError || logs.length === 0 || broker.stopping) {
    return first.response;
  }
  return new Promise<FetchResponse>((resolve, reject) => {
    let appended = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      broker.delayedFetches.unwatch(logs, op);
      read().then((r) => resolve(r.response), reject);
    };
    const op = {
      onAppend(bytes: number): boolean {
        appended += bytes;
        if (first.bytes + appended >= req.minBytes) finish();
        return done;
      },
      complete: finish,
    };
    const timer = setTimeout(finish, req.maxWaitMs);
    broker.delayedFetches.watch(logs, op);
  });
}

function resolveTargets(broker: BrokerContext, version: number, req: FetchRequest): Target[] {
  const out: Target[] = [];
  for (const t of req.topics) {
    const meta = version >= 13
      ? [...broker.metadata.topics()].find((m) => m.topicId.equals(t.topicId))
      : broker.metadata.topic(t.topic);
    for (const wanted of t.partitions) {
      const log = meta ? broker.topics.partitionLog(meta.name, wanted.partition) : undefined;
      let error: number = ErrorCode.NONE;
      if (!meta) error = version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else {
        const epoch = meta.partitions[wanted.partition]?.leaderEpoch ?? 0;
        if (wanted.currentLeaderEpoch >= 0 && wanted.currentLeaderEpoch < epoch) error = ErrorCode.FENCED_LEADER_EPOCH;
        else if (wanted.currentLeaderEpoch > epoch) error = ErrorCode.UNKNOWN_LEADER_EPOCH;
      }
      out.push({ topic: meta?.name ?? t.topic, topicId: meta?.topicId ?? t.topicId, wanted, log, error });
    }
  }
  return out;
}

async function readTargets(version: number, isolation: number, targets: Target[], responseLimit: number) {
  const byTopic = new Map<string, FetchResponse['responses'][number]>();
  let bytes = 0;
  let hasError = false;
  for (const t of targets) {
    let entry = byTopic.get(t.topic);
    if (!entry) byTopic.set(t.topic, (entry = { topic: t.topic, topicId: t.topicId, partitions: [] }));
    const data = await readPartition(version, isolation, t, Math.max(0, responseLimit - bytes), bytes === 0);
    if (data.errorCode !== ErrorCode.NONE) hasError = true;
    for (const b of recordsOf(data)) bytes += b.length;
    entry.partitions.push(data);
  }
  const response: FetchResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [...byTopic.values()], nodeEndpoints: [] };
  return { response, bytes, hasError };
}

function recordsOf(p: PartitionData): readonly Buffer[] {
  const r = p.records;
  return r === null ? [] : Array.isArray(r) ? r : [r as Buffer];
}

async function readPartition(version: number, isolation: number, t: Target, budget: number, firstInResponse: boolean): Promise<PartitionData> {
  const { wanted, log } = t;
  if (t.error !== ErrorCode.NONE || !log) return partition(wanted.partition, t.error);
  const base = partition(wanted.partition, ErrorCode.NONE, log);
  // Without transactions the last stable offset equals the high watermark.
  const maxOffset = isolation === READ_COMMITTED ? log.highWatermark : log.highWatermark;
  try {
    const read = await log.read(wanted.fetchOffset, Math.min(wanted.partitionMaxBytes, budget), {
      minOneBatch: firstInResponse && version >= 3,
      maxOffset,
    });
    base.records = convertDown(version, wanted.fetchOffset, read.records);
    return base;
  } catch (e) {
    if (e instanceof OffsetOutOfRangeError) return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    if (e instanceof RecordsError) return { ...base, errorCode: e.code };
    throw e;
  }
}

/** Fetch v0-v3 get magic 0/1 message sets; before v10 a zstd batch cannot be sent. */
function convertDown(version: number, fetchOffset: number, records: Buffer[]): Buffer[] {
  if (version >= 10 || records.length === 0) return records;
  for (const b of records) {
    forEachBatch(b, (at) => {
      if (compressionOf(b, at) === CompressionType.Zstd) {
        throw new RecordsError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE as 76, 'zstd batches need Fetch v10 or later');
      }
    });
  }
  if (version >= 4) return records;
  const joined = records.length === 1 ? records[0] : Buffer.concat(records);
  return [v2ToLegacy(joined, version >= 2 ? 1 : 0, { fromOffset: fetchOffset })];
}

function partition(index: number, errorCode: number, log?: PartitionLog): PartitionData {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: log ? log.highWatermark : -1,
    lastStableOffset: log ? log.highWatermark : -1,
    logStartOffset: log ? log.logStartOffset : -1,
    divergingEpoch: { epoch: -1, endOffset: -1 },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
  };
}
