// ControlledShutdown (7): served by the controller. A stopping broker's
// partitions get other leaders and it leaves their ISRs; the answer lists the
// partitions it still leads (no other in-sync replica), and it asks again.
import { NotControllerError } from '../../cluster/controller.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ControlledShutdownRequest, ControlledShutdownResponse } from '../../protocol/messages/controlled-shutdown.js';
import type { RequestContext } from '../router.js';

export async function handleControlledShutdown(ctx: RequestContext, req: ControlledShutdownRequest): Promise<ControlledShutdownResponse> {
  const { controller, metadata } = ctx.broker;
  const refused = (errorCode: number): ControlledShutdownResponse => ({ errorCode, remainingPartitions: [] });
  if (!controller?.isActive) return refused(ErrorCode.NOT_CONTROLLER);
  // KIP-380: a request from an earlier life of the broker (epoch below its registration's) is stale.
  const registered = metadata.liveBrokers().find((b) => b.nodeId === req.brokerId)?.epoch;
  if (req.brokerEpoch !== -1 && registered !== undefined && req.brokerEpoch < registered) return refused(ErrorCode.STALE_BROKER_EPOCH);
  try {
    const { remaining } = await controller.controlledShutdown(req.brokerId);
    return { errorCode: ErrorCode.NONE, remainingPartitions: remaining.map((p) => ({ topicName: p.topic, partitionIndex: p.partition })) };
  } catch (e) {
    if (e instanceof NotControllerError) return refused(ErrorCode.NOT_CONTROLLER);
    throw e;
  }
}
