// 2,000 partitions behind a 100-descriptor cache: everything stays readable and the process
// never holds more descriptors than the limit for log files.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { decodeBatches, makeTempDir, valueBatch } from './helpers.js';

const PARTITIONS = 2000;
const MAX_OPEN = 100;
const APPEND = { leaderEpoch: 0, timestampType: 'CreateTime', now: 1_700_000_000_000 } as const;

let tmp: ReturnType<typeof makeTempDir>;
before(() => (tmp = makeTempDir()));
after(() => tmp.remove());

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('2,000 partitions with a file-cache limit of 100', { timeout: 120_000 }, async () => {
  const dir = tmp.path;
  let manager = await LogManager.open({ logDirs: [dir], maxOpenFiles: MAX_OPEN });
  const baseline = openFds();
  let peak = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const log = manager.createLog('wide', p, logConfig({ segmentBytes: 600 }));
    // two segments per partition
    for (let i = 0; i < 3; i++) log.append(valueBatch(3, 50, `p${p}-${i}`), APPEND);
    log.updateHighWatermark(log.logEndOffset);
    if (p % 100 === 0) peak = Math.max(peak, openFds() - baseline);
  }
  assert.ok(peak <= MAX_OPEN, `peak while appending ${peak}`);
  await manager.close();

  manager = await LogManager.open({ logDirs: [dir], maxOpenFiles: MAX_OPEN });
  const reopenedBaseline = openFds();
  peak = 0;
  const results = await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      const log = manager.getLog('wide', p)!;
      const { records } = await log.read(0, 1 << 20, { minOneBatch: true, maxOffset: log.highWatermark });
      peak = Math.max(peak, openFds() - reopenedBaseline);
      return decodeBatches(Buffer.concat(records));
    }),
  );
  results.forEach((records, p) => {
    assert.equal(records.length, 9);
    assert.ok(records[8].value!.startsWith(`p${p}-2-2;`));
  });
  assert.ok(peak <= MAX_OPEN, `peak while reading ${peak}`);
  assert.equal(manager.getLog('wide', 7)!.segmentCount, 2);
  await manager.close();
});
