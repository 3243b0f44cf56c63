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
        const found = await lookup(log, p.timestamp);
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

async function lookup(log: PartitionLog, timestamp: number): Promise<{ offset: number; timestamp: number }> {
  // Consumers see up to the high watermark (= last stable offset without transactions).
  switch (timestamp) {
    case LATEST: return { offset: log.highWatermark, timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL: return { offset: log.logStartOffset, timestamp: -1 };
    case EARLIEST_PENDING_UPLOAD: return { offset: -1, timestamp: -1 };
    case MAX_TIMESTAMP: return (await log.maxTimestampOffset()) ?? { offset: -1, timestamp: -1 };
    default: return (await log.offsetForTimestamp(timestamp)) ?? { offset: -1, timestamp: -1 };
  }
}

function result(partitionIndex: number, errorCode: number): PartitionResult {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
}
