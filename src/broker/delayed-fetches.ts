// Fetch purgatory: fetches waiting for fetch.min.bytes, keyed by the partitions
// they read. New readable bytes wake them (for consumers: the high watermark
// advanced; for replicas: the leader appended); a timer per fetch ends it at max.wait.ms.

export interface DelayedFetch {
  /** Called after `bytes` were appended to a watched partition; returns true when the fetch completed. */
  onAppend(bytes: number): boolean;
  /** Ends the wait now (deadline or shutdown). */
  complete(): void;
}

export class DelayedFetches<K extends object> {
  private readonly byKey = new Map<K, Set<DelayedFetch>>();

  watch(keys: Iterable<K>, op: DelayedFetch): void {
    for (const k of keys) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(op);
    }
  }

  unwatch(keys: Iterable<K>, op: DelayedFetch): void {
    for (const k of keys) {
      const set = this.byKey.get(k);
      if (!set) continue;
      set.delete(op);
      if (set.size === 0) this.byKey.delete(k);
    }
  }

  notifyAppend(key: K, bytes: number): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const op of [...set]) op.onAppend(bytes);
  }

  /** Completes the fetches watching `key` (its partition's leadership changed: they answer now). */
  completeWatching(key: K): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const op of [...set]) op.complete();
  }

  get size(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }

  /** Completes every waiting fetch (broker shutdown). */
  completeAll(): void {
    const all = new Set<DelayedFetch>();
    for (const s of this.byKey.values()) for (const op of s) all.add(op);
    for (const op of all) op.complete();
  }
}
