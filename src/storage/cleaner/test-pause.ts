// Test hook (broker config samsa.test.cleaner.pause.at): the cleaner stops for good at one named
// point of a cleaning, so a test can kill -9 the broker exactly there. It announces the point on
// stderr and blocks its thread; unset (always, outside tests) it does nothing.

/** The points, in the order a cleaning passes them. */
export const CLEANER_PAUSE_POINTS = ['map-built', 'cleaning', 'cleaned', 'swap-renamed', 'old-deleted', 'swapped'] as const;
export type CleanerPausePoint = (typeof CLEANER_PAUSE_POINTS)[number];

export function pauseForTest(pauseAt: string | undefined, point: string): void {
  if (pauseAt !== point) return;
  process.stderr.write(`log cleaner paused at ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
