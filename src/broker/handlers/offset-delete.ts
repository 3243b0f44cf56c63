// OffsetDelete (47): removes committed offsets of topics the group does not
// consume; a group-level error leaves the topic list empty.
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/offset-delete.js';
import type { RequestContext } from '../router.js';

export function handleOffsetDelete(ctx: RequestContext, req: OffsetDeleteRequest): OffsetDeleteResponse {
  const r = ctx.broker.groups.deleteOffsets(
    req.groupId,
    req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex }))),
  );
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  // Results come back in request order.
  let i = 0;
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: r.partitions[i++].errorCode })),
    })),
  };
}
