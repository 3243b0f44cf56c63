// OffsetFetch (9): committed offsets (-1 where none). v0-v7 ask for one group
// (v2+ may ask for all its topics with a null list, and carry a group error);
// v8+ ask for several groups at once. v7+ may require stable offsets: a
// partition with a pending transactional offset gets UNSTABLE_OFFSET_COMMIT.
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/messages/offset-fetch.js';
import type { GroupCoordinator } from '../../coordinator/group/index.js';
import type { RequestContext } from '../router.js';

type TopicRequest = { name: string; partitionIndexes: number[] };
type TopicResponse = OffsetFetchResponse['topics'][number];

export function handleOffsetFetch(ctx: RequestContext, req: OffsetFetchRequest): OffsetFetchResponse {
  const { groups } = ctx.broker;
  if (ctx.version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => ({ groupId: g.groupId, ...fetchGroup(groups, g.groupId, g.topics, req.requireStable) })),
    } as OffsetFetchResponse;
  }
  const { errorCode, topics } = fetchGroup(groups, req.groupId, req.topics, req.requireStable);
  if (errorCode !== ErrorCode.NONE && ctx.version < 2) {
    // No group-level error field before v2: every requested partition carries it.
    return { throttleTimeMs: 0, topics: responseTopics(req.topics ?? [], () => ({ ...noOffset, errorCode })) } as OffsetFetchResponse;
  }
  return { throttleTimeMs: 0, errorCode, topics } as OffsetFetchResponse;
}

const noOffset = { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };

function fetchGroup(
  groups: GroupCoordinator, groupId: string, wanted: TopicRequest[] | null, requireStable: boolean,
): { errorCode: number; topics: TopicResponse[] } {
  const partitions = wanted?.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))) ?? null;
  const r = groups.fetchOffsets(groupId, partitions, requireStable);
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, topics: [] };
  const found = r.offsets.map((o) => ({
    topic: o.topic,
    partitionIndex: o.partition,
    committedOffset: o.offset,
    committedLeaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    errorCode: o.errorCode,
  }));
  if (wanted !== null) {
    // Offsets come back in request order.
    let i = 0;
    return { errorCode: ErrorCode.NONE, topics: responseTopics(wanted, () => found[i++]) };
  }
  const byTopic = new Map<string, TopicResponse['partitions']>();
  for (const { topic, ...partition } of found) {
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  return { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
}

function responseTopics(
  wanted: TopicRequest[], next: () => Omit<TopicResponse['partitions'][number], 'partitionIndex'>,
): TopicResponse[] {
  return wanted.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      const { committedOffset, committedLeaderEpoch, metadata, errorCode } = next();
      return { partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode };
    }),
  }));
}
