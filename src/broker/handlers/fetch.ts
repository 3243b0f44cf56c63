// Fetch (1): whole batches from each partition within the request's byte
// limits, long-polling for fetch.min.bytes until max.wait.ms (woken by
// appends). Old versions get records converted down to magic 0/1. From v7,
// incremental fetch sessions (KIP-227, fetch-sessions.ts). read_committed
// (isolation level 1, v4+) reads up to the last stable offset and gets the
// aborted transactions of the range read. As in Kafka (KafkaApis
// maybeConvertFetchedData), a topic whose compression.type is zstd answers
// fetches below v10 with UNSUPPORTED_COMPRESSION_TYPE, decided by the topic's
// config and not by the batches: v4-v9 get zstd batches of other topics as
// they are (clients such as kafka-python decompress them).
// Only a partition's leader answers (NOT_LEADER_OR_FOLLOWER elsewhere, and
// FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a current leader epoch older or
// newer than the leader's). Consumers read below the high watermark and wait
// for it to advance; followers (replica id >= 0) read up to the log end, wait
// for appends, and each fetch tells the leader where the follower's log ends.
import { ErrorCode } from '../../protocol/errors.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.js';
import { forEachBatch, lastOffsetOf } from '../../protocol/records/batch.js';
import { RecordsError } from '../../protocol/records/errors.js';
import { v2ToLegacy } from '../../protocol/records/legacy.js';
import { LogClosedError, OffsetOutOfRangeError } from '../../storage/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { BrokerContext } from '../context.js';
import { FINAL_EPOCH, INITIAL_EPOCH, nextEpoch, sessionKey } from '../../protocol/fetch-session.js';
import type { FetchSession, SessionPartition } from '../fetch-sessions.js';
import type { RequestContext } from '../router.js';

type PartitionData = FetchResponse['responses'][number]['partitions'][number];

/** One partition to read: what the client asked for, and what this broker has for it. */
interface Target {
  wanted: SessionPartition;
  log: PartitionLog | undefined;
  /** Error known before reading (unknown topic, fenced epoch). */
  error: number;
  /** A follower's fetch gets no data for it: the leader's replication throttle holds it back. */
  throttled?: boolean;
}

interface FetchPlan {
  /** Partitions in the session (or the request) in order. */
  partitions: SessionPartition[];
  session: FetchSession | undefined;
  /** Answer only partitions with news (an incremental fetch). */
  incremental: boolean;
}

const NO_ID = Buffer.alloc(16);
/** Kafka answers errors and empty reads with an empty record set, never null (librdkafka rejects a null one). */
const NO_RECORDS: readonly Buffer[] = [];
const READ_COMMITTED = 1;

export async function handleFetch(ctx: RequestContext, req: FetchRequest): Promise<FetchResponse> {
  const { broker, version } = ctx;
  const plan = planFetch(broker, version, req);
  if (typeof plan === 'number') {
    return { throttleTimeMs: 0, errorCode: plan, sessionId: 0, responses: [], nodeEndpoints: [] };
  }
  const replicaId = version >= 15 ? req.replicaState.replicaId : req.replicaId;
  const follower = replicaId >= 0 ? replicaId : undefined;
  // Followers out of the ISR get nothing for partitions the leader's replication quota holds back.
  const throttle = (t: Target): Target => (follower !== undefined && t.log && broker.replicas.leaderThrottled(t.log, follower) ? { ...t, throttled: true } : t);
  const targets = plan.partitions.map((p) => throttle(resolve(broker, version, p, follower)));
  const responseLimit = Math.min(version >= 3 ? req.maxBytes : Number.MAX_SAFE_INTEGER, broker.config.int('fetch.max.bytes'));
  const isolation: Isolation = follower !== undefined ? 'log-end' : version >= 4 && req.isolationLevel === READ_COMMITTED ? 'committed' : 'high-watermark';
  // The record views a response is built from are held (request frames kept by the tail cache)
  // until the response is written: then those frames may take later requests.
  const release = (held: Buffer[]) => (): void => {
    for (const b of held) broker.frameMemory.release(b.buffer);
  };
  const respond = async (): Promise<FetchResponse> => {
    // Leadership may have moved while the fetch waited.
    const current = targets.map((t) => (t.error === ErrorCode.NONE ? throttle(resolve(broker, version, t.wanted)) : t));
    const held: Buffer[] = [];
    const read = await readTargets(broker, version, current, responseLimit, isolation, held);
    ctx.afterWritten(release(held));
    if (follower !== undefined) recordReplication(broker, current, read.data);
    return answer(version, plan, current, read.data);
  };

  const firstHeld: Buffer[] = [];
  const first = await readTargets(broker, version, targets, responseLimit, isolation, firstHeld);
  const logs = targets.flatMap((t) => (t.log ? [t.log] : []));
  if (first.bytes >= req.minBytes || req.maxWaitMs <= 0 || first.hasError || logs.length === 0 || broker.stopping) {
    ctx.afterWritten(release(firstHeld));
    if (follower !== undefined) recordReplication(broker, targets, first.data);
    return answer(version, plan, targets, first.data);
  }
  release(firstHeld)(); // not sent: the fetch reads again once woken
  const purgatory = follower !== undefined ? broker.delayedReplicaFetches : broker.delayedFetches;
  return new Promise<FetchResponse>((resolvePromise, reject) => {
    let appended = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      purgatory.unwatch(logs, op);
      respond().then(resolvePromise, reject);
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
    purgatory.watch(logs, op);
  });
}

/** Decides which partitions this fetch reads, applying the session rules; a number is a top-level error. */
function planFetch(broker: BrokerContext, version: number, req: FetchRequest): FetchPlan | number {
  const keyOf = (topic: string, topicId: Buffer): string => (version >= 13 ? topicId.toString('hex') : topic);
  const fromRequest = new Map<string, SessionPartition>();
  for (const t of req.topics) {
    for (const p of t.partitions) {
      fromRequest.set(sessionKey(keyOf(t.topic, t.topicId), p.partition), {
        topic: t.topic, topicId: t.topicId, partition: p.partition, fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch, fetcherLogStartOffset: p.logStartOffset,
        highWatermark: -1, logStartOffset: -1, lastStableOffset: -1,
      });
    }
  }
  const sessions = broker.fetchSessions;
  const now = Date.now();
  if (version < 7 || req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH) {
    // A full fetch closes any session it names; epoch 0 opens a new one.
    if (version >= 7 && req.sessionId !== 0) sessions.remove(req.sessionId);
    const session = version >= 7 && req.sessionEpoch === INITIAL_EPOCH ? sessions.create(fromRequest, now) : undefined;
    return { partitions: [...fromRequest.values()], session, incremental: false };
  }
  const session = sessions.get(req.sessionId);
  if (!session) return ErrorCode.FETCH_SESSION_ID_NOT_FOUND;
  if (session.epoch !== req.sessionEpoch) return ErrorCode.INVALID_FETCH_SESSION_EPOCH;
  for (const [key, p] of fromRequest) {
    const cached = session.partitions.get(key);
    if (cached) {
      Object.assign(cached, {
        fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch, fetcherLogStartOffset: p.fetcherLogStartOffset,
      });
    } else {
      session.partitions.set(key, p);
    }
  }
  for (const f of req.forgottenTopicsData) {
    for (const partition of f.partitions) session.partitions.delete(sessionKey(keyOf(f.topic, f.topicId), partition));
  }
  session.epoch = nextEpoch(session.epoch);
  session.lastUsed = now;
  return { partitions: [...session.partitions.values()], session, incremental: true };
}

/** The leader's log of a wanted partition, or the error; a follower's fetch (`follower` = its id) also records where its log ends. */
function resolve(broker: BrokerContext, version: number, wanted: SessionPartition, follower?: number): Target {
  const meta = version >= 13
    ? broker.metadata.topicById(wanted.topicId)
    : broker.metadata.topic(wanted.topic);
  if (!meta) return { wanted, log: undefined, error: version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  wanted.topic = meta.name;
  wanted.topicId = meta.topicId;
  const log = broker.replicas.leaderLog(meta.name, wanted.partition, wanted.currentLeaderEpoch);
  if (typeof log === 'number') return { wanted, log: undefined, error: log };
  const error = follower === undefined ? ErrorCode.NONE : broker.replicas.recordFollowerFetch(log, follower, wanted.fetchOffset, wanted.fetcherLogStartOffset, log.logEndOffset);
  return { wanted, log, error };
}

/** What a fetch may read: followers up to the log end, read_committed consumers to the last stable offset, others to the high watermark. */
type Isolation = 'log-end' | 'high-watermark' | 'committed';

/** Reads every target; the record buffers read are added to `held` (the caller releases them, FrameMemory). */
async function readTargets(broker: BrokerContext, version: number, targets: Target[], responseLimit: number, isolation: Isolation, held: Buffer[]) {
  const data: PartitionData[] = [];
  let bytes = 0;
  let hasError = false;
  for (const t of targets) {
    const d = await readPartition(broker, version, t, Math.max(0, responseLimit - bytes), bytes === 0, isolation, held);
    if (d.errorCode !== ErrorCode.NONE) hasError = true;
    bytes += sizeOf(d);
    data.push(d);
  }
  return { data, bytes, hasError };
}

/** The bytes a replica fetch response carries count against the leader's replication quota (for throttled partitions). */
function recordReplication(broker: BrokerContext, targets: Target[], data: PartitionData[]): void {
  targets.forEach((t, i) => {
    const bytes = sizeOf(data[i]);
    if (t.log && bytes > 0) broker.replicas.recordLeaderReplication(t.log, bytes);
  });
}

function sizeOf(p: PartitionData): number {
  const r = p.records;
  if (r === null) return 0;
  if (!Array.isArray(r)) return (r as Buffer).length;
  let n = 0;
  for (const b of r as readonly Buffer[]) n += b.length;
  return n;
}

/** Groups partition data by topic; an incremental answer keeps only partitions with news and remembers what was sent. */
function answer(version: number, plan: FetchPlan, targets: Target[], data: PartitionData[]): FetchResponse {
  const byTopic = new Map<string, FetchResponse['responses'][number]>();
  targets.forEach((t, i) => {
    const d = data[i];
    const w = t.wanted;
    const news = sizeOf(d) > 0 || d.errorCode !== ErrorCode.NONE || d.highWatermark !== w.highWatermark
      || d.logStartOffset !== w.logStartOffset || d.lastStableOffset !== w.lastStableOffset;
    w.highWatermark = d.highWatermark;
    w.logStartOffset = d.logStartOffset;
    w.lastStableOffset = d.lastStableOffset;
    if (plan.incremental && !news) return;
    const key = version >= 13 ? w.topicId.toString('hex') : w.topic;
    let entry = byTopic.get(key);
    if (!entry) byTopic.set(key, (entry = { topic: w.topic, topicId: version >= 13 ? w.topicId : NO_ID, partitions: [] }));
    // Kafka swaps the answer after the read (and after the session took note of it).
    entry.partitions.push(refusesZstd(version, t.log) ? partitionData(w.partition, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE) : d);
  });
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: plan.session?.id ?? 0,
    responses: [...byTopic.values()],
    nodeEndpoints: [],
  };
}

async function readPartition(
  broker: BrokerContext, version: number, t: Target, budget: number, firstInResponse: boolean, isolation: Isolation, held: Buffer[],
): Promise<PartitionData> {
  const { wanted, log } = t;
  if (t.error !== ErrorCode.NONE || !log) return partitionData(wanted.partition, t.error);
  const base = partitionData(wanted.partition, ErrorCode.NONE, log);
  if (t.throttled) return base;
  const readCommitted = isolation === 'committed';
  try {
    const read = await log.read(wanted.fetchOffset, Math.min(wanted.partitionMaxBytes, budget), {
      minOneBatch: firstInResponse && version >= 3,
      maxOffset: isolation === 'log-end' ? log.logEndOffset : readCommitted ? base.lastStableOffset : base.highWatermark,
      held: true,
    });
    held.push(...read.records);
    base.records = refusesZstd(version, log) ? read.records : convertDown(version, wanted.fetchOffset, read.records);
    // Kafka sends read_committed readers a list (empty when nothing was read), others null.
    if (readCommitted) {
      base.abortedTransactions = read.records.length === 0 ? [] : await log.abortedTransactions(wanted.fetchOffset, endOffsetOf(read.records));
    }
    return base;
  } catch (e) {
    const failed = (errorCode: number): PartitionData => ({ ...base, errorCode, records: NO_RECORDS, abortedTransactions: null });
    if (e instanceof OffsetOutOfRangeError) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
    if (e instanceof RecordsError) return failed(e.code);
    // Deleted or moved meanwhile: the client asks the metadata again.
    if (e instanceof LogClosedError) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // As Kafka's readFromLocalLog: the partition gets the error, the rest of the fetch and the connection go on.
    broker.log.error(`fetch of ${log.topic}-${wanted.partition} at offset ${wanted.fetchOffset} failed: ${(e as Error).stack ?? String(e)}`);
    return failed(typeof (e as NodeJS.ErrnoException).code === 'string' ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.UNKNOWN_SERVER_ERROR);
  }
}

/** The offset after the last batch read. */
function endOffsetOf(records: Buffer[]): number {
  const last = records[records.length - 1];
  let end = -1;
  forEachBatch(last, (at) => {
    end = lastOffsetOf(last, at) + 1;
  });
  return end;
}

/** Fetch below v10 is refused for zstd topics (answered in `answer`). */
function refusesZstd(version: number, log: PartitionLog | undefined): boolean {
  return version < 10 && log?.config.compressionType === 'zstd';
}

/** Fetch v0-v3 get magic 0/1 message sets (up to the first zstd batch, see v2ToLegacy). */
function convertDown(version: number, fetchOffset: number, records: Buffer[]): Buffer[] {
  if (version >= 4 || records.length === 0) return records;
  const joined = records.length === 1 ? records[0] : Buffer.concat(records);
  return [v2ToLegacy(joined, version >= 2 ? 1 : 0, { fromOffset: fetchOffset })];
}

function partitionData(index: number, errorCode: number, log?: PartitionLog): PartitionData {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: log ? log.highWatermark : -1,
    lastStableOffset: log ? log.lastStableOffset : -1,
    logStartOffset: log ? log.logStartOffset : -1,
    divergingEpoch: { epoch: -1, endOffset: -1 },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: NO_RECORDS,
  };
}
