// ListOffsets (2): earliest (-2), latest (-1), max timestamp (-3), earliest
// local (-4), or the first offset at or after a timestamp (time index).
// Answered by the partition's leader only (Kafka's fetchOnlyFromLeader: every
// asker but the debugging replica id -2), with the leader epoch checks of Fetch.
import { ErrorCode } from '../../protocol/errors.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/list-offsets.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { BrokerContext } from '../context.js';
import type { RequestContext } from '../router.js';

type PartitionResult = ListOffsetsResponse['topics'][number]['partitions'][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const EARLIEST_PENDING_UPLOAD = -5;
const READ_COMMITTED = 1;
/** replica_id of a consumer; -2 is a debugging tool, which may ask a follower. */
const CONSUMER_REPLICA_ID = -1;
const DEBUGGING_REPLICA_ID = -2;

export async function handleListOffsets(ctx: RequestContext, req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const { broker, version } = ctx;
  const seen = new Set<string>();
  const topics: ListOffsetsResponse['topics'] = [];
  for (const t of req.topics) {
    const partitions: PartitionResult[] = [];
    for (const p of t.partitions) {
      const key = `${t.name}\0${p.partitionIndex}`;
      // Kafka rejects a partition named twice in one request (v2+).
      if (version >= 2 && seen.has(key)) {
        partitions.push(result(p.partitionIndex, ErrorCode.INVALID_REQUEST));
        continue;
      }
      seen.add(key);
      const log = localLog(broker, t.name, p.partitionIndex, p.currentLeaderEpoch, req.replicaId);
      if (typeof log === 'number') {
        partitions.push(result(p.partitionIndex, log));
        continue;
      }
      const found = await lookup(log, p.timestamp, lastFetchableOffset(log, req));
      // Kafka's check after a leader change: a consumer gets no latest offset (nor a timestamp's
      // offset beyond what it may read) while the high watermark lags the start of the leader's epoch.
      const lagging = req.replicaId === CONSUMER_REPLICA_ID && broker.replicas.epochStartOffset(log) > log.highWatermark;
      if (lagging && (p.timestamp === LATEST || (found.offset < 0 && p.timestamp !== EARLIEST && p.timestamp !== EARLIEST_LOCAL))) {
        partitions.push(result(p.partitionIndex, ErrorCode.OFFSET_NOT_AVAILABLE));
        continue;
      }
      const r = result(p.partitionIndex, ErrorCode.NONE);
      if (version === 0) {
        // v0 answers with a list of offsets instead of one offset and timestamp.
        r.oldStyleOffsets = found.offset >= 0 ? [found.offset] : [];
      } else {
        r.offset = found.offset;
        r.timestamp = found.timestamp;
        r.leaderEpoch = found.offset >= 0 ? broker.replicas.leaderEpoch(log) : -1;
      }
      partitions.push(r);
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

/** The leader's log (any replica's for the debugging id), or the error, as Kafka's getLocalLog decides. */
function localLog(broker: BrokerContext, topic: string, partition: number, currentLeaderEpoch: number, replicaId: number): PartitionLog | number {
  if (replicaId !== DEBUGGING_REPLICA_ID) return broker.replicas.leaderLog(topic, partition, currentLeaderEpoch);
  const log = broker.metadata.topic(topic) ? broker.topics.partitionLog(topic, partition) : undefined;
  return log ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}

/**
 * What the asker may see, as Kafka's Partition.fetchOffsetForTimestamp decides: a replica or a
 * debugging tool the log end, a read_committed consumer the last stable offset, others the high watermark.
 */
function lastFetchableOffset(log: PartitionLog, req: ListOffsetsRequest): number {
  if (req.replicaId !== CONSUMER_REPLICA_ID) return log.logEndOffset;
  return req.isolationLevel === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
}

async function lookup(log: PartitionLog, timestamp: number, lastFetchable: number): Promise<{ offset: number; timestamp: number }> {
  const none = { offset: -1, timestamp: -1 };
  let found: { offset: number; timestamp: number } | null;
  switch (timestamp) {
    case LATEST: return { offset: lastFetchable, timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL: return { offset: log.logStartOffset, timestamp: -1 };
    case EARLIEST_PENDING_UPLOAD: return none;
    case MAX_TIMESTAMP: found = await log.maxTimestampOffset(); break;
    default: found = await log.offsetForTimestamp(timestamp);
  }
  // Only offsets the asker could fetch count.
  return found && found.offset < lastFetchable ? found : none;
}

function result(partitionIndex: number, errorCode: number): PartitionResult {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
}
