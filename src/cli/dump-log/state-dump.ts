// Producer-state snapshots and aborted-transaction indexes dumped as Kafka's
// DumpLogSegments.dumpProducerIdSnapshot / dumpTxnIndex print them.
import { CorruptSnapshotError } from '../../storage/errors.js';
import { decodeSnapshot } from '../../storage/producer-snapshot.js';
import { firstSeqOf } from '../../storage/producer-state.js';
import { ABORTED_TXN_SIZE, decodeTxnIndex } from '../../storage/txn-index.js';
import { readWholeFile } from './files.js';

/** Java's OptionalLong.toString for a field that is -1 when absent. */
const optionalLong = (value: number): string => (value >= 0 ? `OptionalLong[${value}]` : 'OptionalLong.empty');

/** One line per producer; a corrupt snapshot is reported on stderr and the dump goes on (Kafka catches CorruptSnapshotException). */
export function dumpProducerSnapshot(path: string, out: (text: string) => void, err: (text: string) => void): void {
  let entries;
  try {
    entries = decodeSnapshot(readWholeFile(path));
  } catch (e) {
    if (!(e instanceof CorruptSnapshotError)) throw e;
    err(`${e.message}\n`);
    return;
  }
  for (const entry of entries) {
    let line = `producerId: ${entry.producerId} producerEpoch: ${entry.producerEpoch} coordinatorEpoch: ${entry.coordinatorEpoch}` +
      ` currentTxnFirstOffset: ${optionalLong(entry.currentTxnFirstOffset)} lastTimestamp: ${entry.lastTimestamp} `;
    const batch = entry.batches[0];
    if (batch !== undefined) {
      line += `firstSequence: ${firstSeqOf(batch)} lastSequence: ${batch.lastSeq} lastOffset: ${batch.lastOffset}` +
        ` offsetDelta: ${batch.offsetDelta} timestamp: ${batch.timestamp}`;
    }
    out(`${line}\n`);
  }
}

/** One line per aborted transaction. */
export function dumpTxnIndex(path: string, out: (text: string) => void): void {
  const bytes = readWholeFile(path);
  decodeTxnIndex(bytes, path).forEach((txn, n) => {
    const version = bytes.readInt16BE(n * ABORTED_TXN_SIZE);
    out(`version: ${version} producerId: ${txn.producerId} firstOffset: ${txn.firstOffset} lastOffset: ${txn.lastOffset} lastStableOffset: ${txn.lastStableOffset}\n`);
  });
}
