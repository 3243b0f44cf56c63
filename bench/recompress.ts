// Recompression on produce (not a test): a 1 MiB batch of 100-byte records,
// as a producer sends it uncompressed, rewritten into each codec at Kafka's
// default level, and back out of it; plus how long the event loop is held
// while it runs (a 1 ms timer's lateness, summed).
//   node dist/bench/recompress.js [rounds]
import { CompressionType } from '../src/protocol/records/batch.js';
import { recompressBatch } from '../src/protocol/records/recompress.js';
import { buildBatch } from '../src/protocol/records/record.js';

const rounds = Number(process.argv[2] ?? 20);
const LEVELS: { [codec: number]: number | undefined } = { [CompressionType.Gzip]: -1, [CompressionType.Lz4]: 9, [CompressionType.Zstd]: 3 };

/** ~100-byte JSON-like values (compressible as real events are, not runs of one byte). */
function oneMiBBatch(): Buffer {
  const records = [];
  let size = 0;
  for (let i = 0; size < 1 << 20; i++) {
    const value = Buffer.from(`{"id":${i},"user":"user-${i % 997}","event":"click","ts":${1_700_000_000_000 + i * 13},"v":${(i * 7919) % 100_000}}`.padEnd(100, ' '));
    records.push({ offsetDelta: i, timestampDelta: i % 50, key: null, value, headers: [] });
    size += value.length + 8;
  }
  return buildBatch({ records, baseTimestamp: Date.now() });
}

/** Mean ms per call of `fn`, and the event-loop stall it caused per call. */
async function time(fn: () => Promise<unknown>): Promise<{ ms: number; stalledMs: number }> {
  await fn();
  let stalled = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    stalled += Math.max(0, now - last - 1);
    last = now;
  }, 1);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await fn();
  const ms = (performance.now() - start) / rounds;
  clearInterval(ticker);
  return { ms, stalledMs: stalled / rounds };
}

const plain = oneMiBBatch();
console.log(`batch ${plain.length} bytes, ${rounds} rounds`);
for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
  const level = LEVELS[codec];
  const packed = await recompressBatch(plain, { type: codec, level });
  const into = await time(() => recompressBatch(plain, { type: codec, level }));
  const out = await time(() => recompressBatch(packed, { type: CompressionType.None }));
  console.log(`${CompressionType[codec].padEnd(6)} -> ${packed.length} bytes; into ${into.ms.toFixed(1)} ms (loop held ${into.stalledMs.toFixed(1)} ms); `
    + `out ${out.ms.toFixed(1)} ms (loop held ${out.stalledMs.toFixed(1)} ms)`);
}
