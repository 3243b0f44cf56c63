// Child process for the producer-state kill -9 test: an idempotent producer (id 5, epoch 0)
// appending to idem-0 in <logDir>, continuing the sequence the log already holds, printing each
// acknowledged batch ("<base sequence> <count> <base offset>") with a synchronous write after
// the append, until killed (bounded).
import { buildBatch } from '../../src/protocol/records/record.js';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { printLine } from './child-output.js';

const MAX_APPENDS = 200_000;
export const PRODUCER_ID = 5;
const [logDir] = process.argv.slice(2);
const manager = await LogManager.open({ logDirs: [logDir] });
const log = manager.getLog('idem', 0) ?? manager.createLog('idem', 0, logConfig({ segmentBytes: 16 * 1024, indexIntervalBytes: 1024 }));
let sequence = (log.activeProducers().find((p) => p.producerId === PRODUCER_ID)?.lastSequence ?? -1) + 1;
printLine(`start ${sequence} ${log.logEndOffset}`);
for (let i = 0; i < MAX_APPENDS; i++) {
  const count = 1 + (i % 4);
  const batch = buildBatch({
    baseTimestamp: Date.now(),
    producerId: PRODUCER_ID,
    producerEpoch: 0,
    baseSequence: sequence,
    records: Array.from({ length: count }, (_, r) => ({ offsetDelta: r, timestampDelta: 0, key: null, value: Buffer.from(`seq-${sequence + r}`), headers: [] })),
  });
  const { baseOffset } = log.append(batch, { leaderEpoch: 0, timestampType: 'CreateTime', now: Date.now() });
  printLine(`${sequence} ${count} ${baseOffset}`);
  sequence += count;
}
await manager.close();
