// ElectLeaders (43): served by the controller (the admin client sends it there;
// any other broker answers NOT_CONTROLLER). Preferred or unclean elections, with
// Kafka's per-partition outcomes; with no partitions named, every partition is
// tried and only those elected or failed are reported.
import { NotControllerError, type ElectionResult } from '../../cluster/controller.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../../protocol/messages/elect-leaders.js';
import type { RequestContext } from '../router.js';

export async function handleElectLeaders(ctx: RequestContext, req: ElectLeadersRequest): Promise<ElectLeadersResponse> {
  const { controller } = ctx.broker;
  const wanted = req.topicPartitions?.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))) ?? null;
  if (req.electionType !== 0 && req.electionType !== 1) {
    return everyPartition(wanted, ErrorCode.INVALID_REQUEST, `Unknown election type ${req.electionType}`);
  }
  if (!controller?.isActive) return everyPartition(wanted, ErrorCode.NOT_CONTROLLER, null);
  let results: ElectionResult[];
  try {
    results = await controller.electLeaders(req.electionType, wanted);
  } catch (e) {
    if (e instanceof NotControllerError) return everyPartition(wanted, ErrorCode.NOT_CONTROLLER, null);
    throw e;
  }
  return response(ErrorCode.NONE, results.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: ErrorCode[r.error], errorMessage: r.message })));
}

/** A top-level error, repeated for each partition named. */
function everyPartition(wanted: { topic: string; partition: number }[] | null, errorCode: number, errorMessage: string | null): ElectLeadersResponse {
  return response(errorCode, (wanted ?? []).map((p) => ({ ...p, errorCode, errorMessage })));
}

function response(errorCode: number, results: { topic: string; partition: number; errorCode: number; errorMessage: string | null }[]): ElectLeadersResponse {
  const byTopic = new Map<string, ElectLeadersResponse['replicaElectionResults'][number]>();
  for (const r of results) {
    let entry = byTopic.get(r.topic);
    if (!entry) {
      entry = { topic: r.topic, partitionResult: [] };
      byTopic.set(r.topic, entry);
    }
    entry.partitionResult.push({ partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage });
  }
  return { throttleTimeMs: 0, errorCode, replicaElectionResults: [...byTopic.values()] };
}
