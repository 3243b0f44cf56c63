// DescribeCluster (60): brokers, controller and cluster id.
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/describe-cluster.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/messages/metadata.js';
import type { RequestContext } from '../router.js';

/** Endpoint type 1 = brokers (2 = controllers, which a ZooKeeper-style cluster does not expose). */
const BROKERS_ENDPOINT = 1;

export function handleDescribeCluster(ctx: RequestContext, req: DescribeClusterRequest): DescribeClusterResponse {
  const { metadata } = ctx.broker;
  const base = { throttleTimeMs: 0, endpointType: req.endpointType, clusterId: metadata.clusterId, clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
  if (req.endpointType !== BROKERS_ENDPOINT) {
    return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'The endpoint type is not supported.', controllerId: -1, brokers: [] };
  }
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    controllerId: metadata.controllerId(),
    brokers: metadata.liveBrokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
  };
}
