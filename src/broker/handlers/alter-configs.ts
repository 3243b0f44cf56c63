// AlterConfigs (33): replaces a topic's or a broker's whole set of dynamic configs.
import type { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/alter-configs.js';
import type { RequestContext } from '../router.js';

export async function handleAlterConfigs(ctx: RequestContext, req: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  const results = await ctx.broker.configAdmin.alter(req.resources, req.validateOnly);
  return {
    throttleTimeMs: 0,
    responses: req.resources.map((r, i) => ({ ...results[i], resourceType: r.resourceType, resourceName: r.resourceName })),
  };
}
