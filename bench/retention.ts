// One retention pass over 1,000 partitions (not a test): LogManager.deleteOldSegments over logs
// of 5 one-batch segments each, when nothing is due (cold: the first segment's time index is read
// from disk; warm: it is in memory) and when 4 segments per partition go (4,000 segments renamed
// .deleted, the log start offsets checkpointed). Also the longest the event loop was held
// meanwhile (a 1 ms timer's largest lateness).
//   node dist/bench/retention.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch } from '../src/protocol/records/record.js';
import { logConfig } from '../src/storage/log-config.js';
import { LogManager } from '../src/storage/log-manager.js';

const runs = Number(process.argv[2] ?? 3);
const PARTITIONS = 1000;
const SEGMENTS = 5;
/** One 1 KiB batch per segment. */
const CONFIG = logConfig({ segmentBytes: 1500, fileDeleteDelayMs: 60_000 });

function batch(): Buffer {
  const records = Array.from({ length: 10 }, (_, i) => ({ offsetDelta: i, timestampDelta: i, key: null, value: Buffer.alloc(90, 'v'), headers: [] }));
  return buildBatch({ records, baseTimestamp: Date.now() });
}

/** Wall time of `fn` and the largest lateness of a 1 ms timer meanwhile. */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; heldMs: number }> {
  let held = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    held = Math.max(held, now - last - 1);
    last = now;
  }, 1);
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  clearInterval(ticker);
  return { ms, heldMs: held };
}

async function oneRun(): Promise<Record<string, { ms: number; heldMs: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-retention-'));
  let manager = await LogManager.open({ logDirs: [dir], initialTaskDelayMs: 3_600_000 });
  for (let p = 0; p < PARTITIONS; p++) {
    const log = manager.createLog('retention', p, CONFIG);
    for (let s = 0; s < SEGMENTS; s++) log.append(batch(), { leaderEpoch: 0, timestampType: 'CreateTime', now: Date.now() });
    log.updateHighWatermark(log.logEndOffset);
  }
  await manager.close();
  // Reopened, as a broker after a restart: sealed segments' indexes are on disk only.
  manager = await LogManager.open({ logDirs: [dir], initialTaskDelayMs: 3_600_000, configFor: () => CONFIG });
  for (const log of manager.allLogs()) log.updateHighWatermark(log.logEndOffset);
  const result = {
    'nothing due, cold': await timed(() => manager.deleteOldSegments()),
    'nothing due, warm': await timed(() => manager.deleteOldSegments()),
    'nothing due, warm again': await timed(() => manager.deleteOldSegments()),
  };
  for (const log of manager.allLogs()) log.config = { ...log.config, retentionBytes: 0 };
  let deleted = 0;
  const deleting = await timed(async () => (deleted = await manager.deleteOldSegments()));
  if (deleted !== PARTITIONS * (SEGMENTS - 1)) throw new Error(`deleted ${deleted} segments`);
  await manager.close();
  rmSync(dir, { recursive: true, force: true });
  return { ...result, [`${deleted} segments deleted`]: deleting };
}

const all: Record<string, { ms: number; heldMs: number }[]> = {};
for (let i = 0; i < runs; i++) {
  for (const [name, r] of Object.entries(await oneRun())) (all[name] ??= []).push(r);
}
const range = (xs: number[]): string => {
  const lo = Math.min(...xs).toFixed(1);
  const hi = Math.max(...xs).toFixed(1);
  return lo === hi ? `${lo} ms` : `${lo}–${hi} ms`;
};
console.log(`| pass over ${PARTITIONS} partitions (${SEGMENTS} segments each) | time | loop held at most |`);
console.log('|---|---|---|');
for (const [name, rs] of Object.entries(all)) console.log(`| ${name} | ${range(rs.map((r) => r.ms))} | ${range(rs.map((r) => r.heldMs))} |`);
