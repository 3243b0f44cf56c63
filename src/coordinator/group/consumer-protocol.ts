// The one piece of the client-side consumer protocol the coordinator reads:
// the topics in a member's subscription (protocol type "consumer"). Every
// subscription version starts with v0's layout, so v0 is all that is parsed.
import { Reader } from '../../protocol/primitives.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The subscribed topics, or null when the bytes are not a consumer subscription. */
export function subscribedTopics(subscription: Buffer): string[] | null {
  try {
    const r = new Reader(subscription);
    if (r.int16() < 0) return null;
    const n = r.arrayLength(false);
    if (n < 0) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string());
    return topics;
  } catch {
    return null;
  }
}
