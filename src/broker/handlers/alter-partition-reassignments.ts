// AlterPartitionReassignments (45): served by the controller (the admin client
// sends it there; any other broker answers NOT_CONTROLLER at the top level).
// Each partition is validated and moved (or its move cancelled) on its own.
import { NotControllerError, type Controller } from '../../cluster/controller.js';
import type { ReassignmentResult } from '../../cluster/reassignment.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../../protocol/messages/alter-partition-reassignments.js';
import type { RequestContext } from '../router.js';

/** Kafka's Errors.NOT_CONTROLLER message, which the top-level error carries. */
const NOT_CONTROLLER_MESSAGE = 'This is not the correct controller for this cluster.';

export async function handleAlterPartitionReassignments(ctx: RequestContext, req: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
  const controller: Controller | undefined = ctx.broker.controller;
  const notController: AlterPartitionReassignmentsResponse = {
    throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: NOT_CONTROLLER_MESSAGE, responses: [],
  };
  if (!controller?.isActive) return notController;
  const requests = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
  let results: ReassignmentResult[];
  try {
    results = await controller.alterPartitionReassignments(requests);
  } catch (e) {
    if (e instanceof NotControllerError) return notController;
    throw e;
  }
  const byTopic = new Map<string, AlterPartitionReassignmentsResponse['responses'][number]>();
  for (const r of results) {
    let entry = byTopic.get(r.topic);
    if (!entry) byTopic.set(r.topic, (entry = { name: r.topic, partitions: [] }));
    entry.partitions.push({ partitionIndex: r.partition, errorCode: ErrorCode[r.error], errorMessage: r.message });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: [...byTopic.values()] };
}
