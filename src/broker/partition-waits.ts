// Requests waiting until a partition's replicas reach an offset, keyed by partition: Kafka's
// DelayedProduce purgatory (acks=all appends, until the in-sync replicas have them) and its
// DelayedDeleteRecords one (until every live replica's log starts at the offset). The replica
// manager wakes a partition's waits when what they wait for moves or its leadership changes; a
// timer ends each wait at the request's timeout. Never polled.
import { ErrorCode } from '../protocol/errors.js';

/** The answer for a request that needs `requiredOffset` reached: an error code once decided, undefined while waiting. */
export type OffsetCheck<K> = (key: K, requiredOffset: number) => number | undefined;

interface Waiter {
  requiredOffset: number;
  finish: (errorCode: number) => void;
}

export class PartitionWaits<K extends object> {
  private readonly byKey = new Map<K, Set<Waiter>>();

  constructor(private readonly check: OffsetCheck<K>) {}

  /**
   * The error code of a request needing `requiredOffset` once it is decided: at once when it
   * already is, else when woken, or REQUEST_TIMED_OUT after `timeoutMs`.
   */
  await(key: K, requiredOffset: number, timeoutMs: number): number | Promise<number> {
    const now = this.check(key, requiredOffset);
    if (now !== undefined) return now;
    return new Promise<number>((resolve) => {
      let set = this.byKey.get(key);
      if (!set) this.byKey.set(key, (set = new Set()));
      const waiters = set;
      const waiter: Waiter = {
        requiredOffset,
        finish: (errorCode) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0 && this.byKey.get(key) === waiters) this.byKey.delete(key);
          resolve(errorCode);
        },
      };
      const timer = setTimeout(() => waiter.finish(ErrorCode.REQUEST_TIMED_OUT), timeoutMs);
      waiters.add(waiter);
    });
  }

  /** Completes the waits of `key` that are decided now. */
  notify(key: K): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const w of [...set]) {
      const errorCode = this.check(key, w.requiredOffset);
      if (errorCode !== undefined) w.finish(errorCode);
    }
  }

  get size(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }

  /** Ends every wait with `errorCode` (broker shutdown). */
  completeAll(errorCode: number): void {
    for (const set of [...this.byKey.values()]) for (const w of [...set]) w.finish(errorCode);
  }
}
