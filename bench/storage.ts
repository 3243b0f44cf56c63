// Storage throughput (not a test). Run each configuration in its own process:
//   node dist/bench/storage.js log <MiB> <tail cache MiB>
//     appends 16 KiB batches of 100-byte records, reads the log back like a consumer, then
//     appends and fetches each batch at once (a consumer at the tail)
//   node dist/bench/storage.js raw <MiB>
//     synchronous writes on the event loop versus threadpool writes of the same buffers
import { closeSync, openSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { logConfig } from '../src/storage/log-config.js';
import { LogManager } from '../src/storage/log-manager.js';
import { type TestRecord, buildBatch, makeTempDir } from '../test/storage/helpers.js';

const [mode = 'log', totalArg = '256', tailArg = '64'] = process.argv.slice(2);
const totalMiB = Number(totalArg);
const RECORD_VALUE_BYTES = 100;
const BATCH_BYTES = 16 * 1024;
const FETCH_BYTES = 1024 * 1024;

function sixteenKiBBatch(): Buffer {
  const records: TestRecord[] = [];
  // ~108 bytes per encoded record (value + length/attribute/delta varints)
  while (records.length * 108 + 61 < BATCH_BYTES - 108) records.push({ value: Buffer.alloc(RECORD_VALUE_BYTES, 97 + (records.length % 26)) });
  return buildBatch(records);
}

const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
const mibps = (bytes: number, ms: number): string => `${((bytes / ms) * 1000 / 1048576).toFixed(0)} MiB/s`;

async function main(): Promise<void> {
  const tmp = makeTempDir('samsa-bench-');
  try {
    const batch = sixteenKiBBatch();
    const recordsPerBatch = batch.readInt32BE(57);
    const batches = Math.floor((totalMiB * 1048576) / batch.length);
    console.log(`batch ${batch.length} B, ${recordsPerBatch} records of ${RECORD_VALUE_BYTES} B; ${batches} batches (${totalMiB} MiB)`);

    if (mode === 'log') {
      const tailCacheBytes = Number(tailArg) * 1024 * 1024;
      console.log(`tail cache ${tailArg} MiB`);
      const manager = await LogManager.open({ logDirs: [join(tmp.path, `logs-${tailCacheBytes}`)], tailCacheBytes });
      const log = manager.createLog('bench', 0, logConfig());
      const append = { leaderEpoch: 0, timestampType: 'CreateTime', now: Date.now() } as const;
      let start = performance.now();
      for (let i = 0; i < batches; i++) log.append(batch, append);
      let ms = performance.now() - start;
      console.log(`append: ${rate(batches * recordsPerBatch, ms)} records, ${rate(batches, ms)} batches, ${mibps(batches * batch.length, ms)}`);
      log.updateHighWatermark(log.logEndOffset);

      start = performance.now();
      let offset = 0;
      let bytes = 0;
      while (offset < log.logEndOffset) {
        const { records, size } = await log.read(offset, FETCH_BYTES, { minOneBatch: true, maxOffset: log.highWatermark });
        const last = records[records.length - 1];
        let at = 0;
        while (at + last.readInt32BE(at + 8) + 12 < last.length) at += last.readInt32BE(at + 8) + 12;
        offset = Number(last.readBigInt64BE(at)) + last.readInt32BE(at + 23) + 1;
        bytes += size;
      }
      ms = performance.now() - start;
      console.log(`read from the start (1 MiB fetches, page cache): ${rate(log.logEndOffset, ms)} records, ${mibps(bytes, ms)}`);

      // a consumer at the tail: each append is fetched right away
      const tailLog = manager.createLog('tail', 0, logConfig());
      const rounds = Math.min(batches, 20000);
      let fetched = 0;
      start = performance.now();
      for (let i = 0; i < rounds; i++) {
        const { baseOffset } = tailLog.append(batch, append);
        tailLog.updateHighWatermark(tailLog.logEndOffset);
        fetched += (await tailLog.read(baseOffset, FETCH_BYTES, { minOneBatch: true, maxOffset: tailLog.highWatermark })).size;
      }
      ms = performance.now() - start;
      console.log(`append + fetch at the tail: ${rate(rounds, ms)} round trips, ${mibps(fetched, ms)}`);
      await manager.close();
      return;
    }

    const path = join(tmp.path, 'raw');
    const fd = openSync(path, 'w');
    let start = performance.now();
    for (let i = 0; i < batches; i++) writeSync(fd, batch, 0, batch.length, i * batch.length);
    let ms = performance.now() - start;
    console.log(`raw writeSync on the event loop: ${rate(batches, ms)} batches, ${mibps(batches * batch.length, ms)}`);
    for (const inFlight of [1, 4]) {
      start = performance.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches) {
          const i = next++;
          await new Promise<void>((resolve, reject) => write(fd, batch, 0, batch.length, i * batch.length, (err) => (err ? reject(err) : resolve())));
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      ms = performance.now() - start;
      console.log(`raw fs.write on the threadpool (${inFlight} in flight): ${rate(batches, ms)} batches, ${mibps(batches * batch.length, ms)}`);
    }
    closeSync(fd);
  } finally {
    tmp.remove();
  }
}

await main();
