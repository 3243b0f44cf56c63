// ListOffsets (2): earliest (-2), latest (-1), max timestamp (-3), earliest
// local (-4), or the first offset at or after a timestamp (time index).
import { ErrorCode } from '../../protocol/errors.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/list-offsets.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { RequestContext } from '../router.js';

type PartitionResult = ListOffsetsResponse['topics'][number]['partitions'][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const EARLIEST_PENDING_UPLOAD = -5;
const READ_COMMITTED = 1;

export async function handleListOffsets(ctx: RequestContext, req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const { broker, version } = ctx;
  const seen = new Set<string>();
  const topics: ListOffsetsResponse['topics'] = [];
  for (const t of req.topics) {
    const meta = broker.metadata.topic(t.name);
    const partitions: PartitionResult[] = [];
    for (const p of t.partitions) {
      const key = `${t.name}\0${p.partitionIndex}`;
      // Kafka rejects a partition named twice in one request (v2+).
      if (version >= 2 && seen.has(key)) {
        partitions.push(result(p.partitionIndex, ErrorCode.INVALID_REQUEST));
        continue;
      }
      seen.add(key);
      const log = meta ? broker.topics.partitionLog(t.name, p.partitionIndex) : undefined;
      if (!meta || !log) {
        partitions.push(result(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      const epoch = meta.partitions[p.partitionIndex]?.leaderEpoch ?? 0;
      if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < epoch) {
        partitions.push(result(p.partitionIndex, ErrorCode.FENCED_LEADER_EPOCH));
      } else if (p.currentLeaderEpoch > epoch) {
        partitions.push(result(p.partitionIndex, ErrorCode.UNKNOWN_LEADER_EPOCH));
      } else {
        const found = await lookup(log, p.timestamp, lastFetchableOffset(log, req));
        const r = result(p.partitionIndex, ErrorCode.NONE);
        if (version === 0) {
          // v0 answers with a list of offsets instead of one offset and timestamp.
          r.oldStyleOffsets = found.offset >= 0 ? [found.offset] : [];
        } else {
          r.offset = found.offset;
          r.timestamp = found.timestamp;
          r.leaderEpoch = found.offset >= 0 ? epoch : -1;
        }
        partitions.push(r);
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

/**
 * What the asker may see, as Kafka's Partition.fetchOffsetForTimestamp decides: a replica (or a
 * debugging tool) the log end, a read_committed consumer the last stable offset, others the high watermark.
 */
function lastFetchableOffset(log: PartitionLog, req: ListOffsetsRequest): number {
  if (req.replicaId >= 0) return log.logEndOffset;
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
