// DescribeConfigs (32): topic and broker configs with their sources, synonyms
// (v1+ when asked), types and documentation (v3+ when asked).
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../../protocol/messages/describe-configs.js';
import { ConfigSource } from '../config-view.js';
import type { RequestContext } from '../router.js';

export function handleDescribeConfigs(ctx: RequestContext, req: DescribeConfigsRequest): DescribeConfigsResponse {
  const opts = { includeSynonyms: req.includeSynonyms, includeDocumentation: req.includeDocumentation };
  return {
    throttleTimeMs: 0,
    results: req.resources.map((resource) => {
      const r = ctx.broker.configAdmin.describe(resource, opts);
      return {
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        // v0 has no source, only whether the value is a default (as Kafka 2.x answered it).
        configs: r.configs.map((c) => ({ ...c, isDefault: c.configSource === ConfigSource.DEFAULT_CONFIG })),
      };
    }),
  };
}
