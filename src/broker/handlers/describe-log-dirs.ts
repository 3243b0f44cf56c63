// DescribeLogDirs (35): every log dir with the partitions it holds (all, or those asked for),
// their sizes and offset lags, the copies AlterReplicaLogDirs is moving into it, and (v4) the
// volume's total and usable bytes. A dir whose volume cannot be read is reported offline
// (KAFKA_STORAGE_ERROR), as Kafka reports a failed log dir.
import { statfs } from 'node:fs/promises';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeLogDirsPartition,
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResult,
} from '../../protocol/messages/describe-log-dirs.js';
import type { LogDirListing } from '../../storage/log-manager.js';
import type { RequestContext } from '../router.js';

type Wanted = (topic: string, partition: number) => boolean;

export async function handleDescribeLogDirs(ctx: RequestContext, req: DescribeLogDirsRequest): Promise<DescribeLogDirsResponse> {
  let wanted: Wanted = () => true;
  if (req.topics !== null) {
    const asked = new Set(req.topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.topic, p))));
    wanted = (topic, partition) => asked.has(partitionKey(topic, partition));
  }
  const results = await Promise.all(ctx.broker.logs.listLogDirs().map((dir) => describeDir(dir, wanted)));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
}

async function describeDir(dir: LogDirListing, wanted: Wanted): Promise<DescribeLogDirsResult> {
  let volume;
  try {
    volume = await statfs(dir.absolutePath);
  } catch {
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dir.absolutePath, topics: [], totalBytes: -1, usableBytes: -1 };
  }
  const byTopic = new Map<string, DescribeLogDirsPartition[]>();
  const add = (topic: string, partition: DescribeLogDirsPartition): void => {
    if (!wanted(topic, partition.partitionIndex)) return;
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(partition);
  };
  for (const log of dir.logs) {
    // A current log lags its high watermark (never on a leader).
    add(log.topic, { partitionIndex: log.partition, partitionSize: log.size, offsetLag: Math.max(log.highWatermark - log.logEndOffset, 0), isFutureKey: false });
  }
  for (const { log, size, logEndOffset } of dir.futures) {
    // A copy being moved in lags the current log's end.
    add(log.topic, { partitionIndex: log.partition, partitionSize: size, offsetLag: log.logEndOffset - logEndOffset, isFutureKey: true });
  }
  const topics = [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) }));
  return {
    errorCode: ErrorCode.NONE,
    logDir: dir.absolutePath,
    topics,
    totalBytes: volume.blocks * volume.bsize,
    usableBytes: volume.bavail * volume.bsize,
  };
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}
