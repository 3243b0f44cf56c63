// Proof that a broker left nothing behind. Node's active-resource list shows
// what keeps the process alive; async_hooks also catches timers and sockets
// the broker's own code left open even when unref'd (a timer still firing);
// /proc shows open files.
import { createHook } from 'node:async_hooks';
import { readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** dist/src/: resources whose creation stack passes through here are the broker's. */
const SRC_DIR = fileURLToPath(new URL('../../src/', import.meta.url));

/** Types that run code later or hold a socket. Others (FILEHANDLE, crypto requests) report destroy only when garbage-collected. */
const TRACKED = new Set(['Timeout', 'Immediate', 'TCPSERVERWRAP', 'TCPWRAP', 'PIPEWRAP', 'FSEVENTWRAP', 'STATWATCHER']);

export type ResourceCounts = Record<string, number>;

/** process.getActiveResourcesInfo() counted by type. */
export async function activeResources(): Promise<ResourceCounts> {
  // The fs request whose completion resolved the caller's await stays listed until its callback returns.
  await new Promise((resolve) => setImmediate(resolve));
  const counts: ResourceCounts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** The resource types of which there are more now than `before`, with both counts. */
export async function grownSince(before: ResourceCounts): Promise<string[]> {
  const now = await activeResources();
  return Object.entries(now).filter(([t, n]) => n > (before[t] ?? 0)).map(([t, n]) => `${t}: ${before[t] ?? 0} -> ${n}`);
}

/** Paths of this process's open file descriptors under `dir` (Linux /proc). */
export function openFilesUnder(dir: string): string[] {
  const paths: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target === dir || target.startsWith(`${dir}/`)) paths.push(target);
    } catch {
      // Closed between readdir and readlink (the readdir's own fd, for one).
    }
  }
  return paths;
}

export interface BrokerResourceTracker {
  /** Broker-created resources still alive (type and creating line); stops tracking. */
  leftovers(): Promise<string[]>;
}

/** Tracks timers and sockets created from dist/src/ from now on. */
export function trackBrokerResources(): BrokerResourceTracker {
  const live = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (!TRACKED.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const line = stack.split('\n').find((l) => l.includes(SRC_DIR));
      if (line) live.set(id, `${type} ${line.trim()}`);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    async leftovers() {
      await new Promise((resolve) => setImmediate(resolve));
      hook.disable();
      return [...live.values()];
    },
  };
}
