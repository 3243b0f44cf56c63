// IncrementalAlterConfigs (44): SET, DELETE, APPEND and SUBTRACT on a topic's or a
// broker's dynamic configs.
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../protocol/messages/incremental-alter-configs.js';
import type { RequestContext } from '../router.js';

export async function handleIncrementalAlterConfigs(ctx: RequestContext, req: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
  const results = await ctx.broker.configAdmin.incrementalAlter(req.resources, req.validateOnly);
  return {
    throttleTimeMs: 0,
    responses: req.resources.map((r, i) => ({ ...results[i], resourceType: r.resourceType, resourceName: r.resourceName })),
  };
}
