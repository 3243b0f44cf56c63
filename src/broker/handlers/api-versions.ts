// ApiVersions (18): the APIs and version ranges this broker serves.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import type { RequestContext } from '../router.js';

/** Kafka's rule for client software name and version (KIP-511). */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export function handleApiVersions(ctx: RequestContext, req: ApiVersionsRequest): ApiVersionsResponse {
  const bad = ctx.version >= 3 && (!SOFTWARE_FIELD.test(req.clientSoftwareName) || !SOFTWARE_FIELD.test(req.clientSoftwareVersion));
  return {
    errorCode: bad ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE,
    apiKeys: ctx.broker.supportedApis(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}
