// ListPartitionReassignments (46): served by the controller (others answer
// NOT_CONTROLLER). The reassignments in progress, of the partitions named or
// of all; partitions named that are not moving (or do not exist) are left out.
import { NotControllerError, type Controller } from '../../cluster/controller.js';
import type { OngoingReassignment } from '../../cluster/reassignment.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../../protocol/messages/list-partition-reassignments.js';
import type { RequestContext } from '../router.js';

/** Kafka's Errors.NOT_CONTROLLER message, which the top-level error carries. */
const NOT_CONTROLLER_MESSAGE = 'This is not the correct controller for this cluster.';

export async function handleListPartitionReassignments(ctx: RequestContext, req: ListPartitionReassignmentsRequest): Promise<ListPartitionReassignmentsResponse> {
  const controller: Controller | undefined = ctx.broker.controller;
  const notController: ListPartitionReassignmentsResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: NOT_CONTROLLER_MESSAGE, topics: [] };
  if (!controller?.isActive) return notController;
  const wanted = req.topics?.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))) ?? null;
  let ongoing: OngoingReassignment[];
  try {
    ongoing = await controller.listPartitionReassignments(wanted);
  } catch (e) {
    if (e instanceof NotControllerError) return notController;
    throw e;
  }
  const byTopic = new Map<string, ListPartitionReassignmentsResponse['topics'][number]>();
  for (const o of ongoing) {
    let entry = byTopic.get(o.topic);
    if (!entry) byTopic.set(o.topic, (entry = { name: o.topic, partitions: [] }));
    entry.partitions.push({ partitionIndex: o.partition, replicas: o.replicas, addingReplicas: o.addingReplicas, removingReplicas: o.removingReplicas });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [...byTopic.values()] };
}
