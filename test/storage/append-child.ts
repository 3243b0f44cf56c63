// Child process for the kill -9 test: appends batches to crash-0 in <logDir> forever (bounded)
// and prints each acknowledged last offset with a synchronous write, so every printed offset
// was written to the log before it was printed.
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { printLine } from './child-output.js';
import { valueBatch } from './helpers.js';

const MAX_APPENDS = 200_000;
const [logDir, run] = process.argv.slice(2);
const manager = await LogManager.open({ logDirs: [logDir] });
const log = manager.createLog('crash', 0, logConfig({ segmentBytes: 64 * 1024, indexIntervalBytes: 1024 }));
printLine(`start ${log.logEndOffset}`);
for (let i = 0; i < MAX_APPENDS; i++) {
  // batch sizes vary so the kill lands at different places within and between batches
  const batch = valueBatch(1 + (i % 7), 10 + ((i * 37) % 300), `${run}:${i}`);
  const { lastOffset } = log.append(batch, { leaderEpoch: 0, timestampType: 'CreateTime', now: Date.now() });
  printLine(String(lastOffset));
}
await manager.close();
