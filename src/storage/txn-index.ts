// A segment's aborted-transaction index (<base>.txnindex), Kafka's TransactionIndex: one 34-byte
// entry per transaction aborted by a marker in the segment (version int16 0, producer id, first
// offset, last offset, last stable offset: int64 each), in marker order. read_committed fetches
// collect from it the aborted transactions overlapping what they return. Aborts are rare and the
// file small: it is read whole on first use and kept in memory; appends go straight to the file.
import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import type { AbortedTxn } from './producer-state.js';

export const ABORTED_TXN_SIZE = 34;
const CURRENT_VERSION = 0;

export function encodeAbortedTxn(txn: AbortedTxn): Buffer {
  const b = Buffer.alloc(ABORTED_TXN_SIZE);
  b.writeInt16BE(CURRENT_VERSION, 0);
  b.writeBigInt64BE(BigInt(txn.producerId), 2);
  b.writeBigInt64BE(BigInt(txn.firstOffset), 10);
  b.writeBigInt64BE(BigInt(txn.lastOffset), 18);
  b.writeBigInt64BE(BigInt(txn.lastStableOffset), 26);
  return b;
}

/** Every whole entry of a .txnindex file's bytes (a torn trailing entry is left out). */
export function decodeTxnIndex(buf: Buffer, path = 'transaction index'): AbortedTxn[] {
  const txns: AbortedTxn[] = [];
  for (let at = 0; at + ABORTED_TXN_SIZE <= buf.length; at += ABORTED_TXN_SIZE) {
    const version = buf.readInt16BE(at);
    if (version > CURRENT_VERSION) {
      throw new Error(`Unexpected aborted transaction version ${version} in transaction index ${path}, current version is ${CURRENT_VERSION}`);
    }
    txns.push({
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 26)),
    });
  }
  return txns;
}

export class TransactionIndex {
  /** The entries, once read. */
  private entries: AbortedTxn[] | undefined;

  constructor(readonly path: string) {}

  /** Every aborted transaction in the index, oldest first. */
  get all(): readonly AbortedTxn[] {
    return this.load();
  }

  append(txn: AbortedTxn): void {
    const entries = this.load();
    appendFileSync(this.path, encodeAbortedTxn(txn));
    entries.push(txn);
  }

  /**
   * Kafka's collectAbortedTxns: transactions overlapping [fetchOffset, upperBoundOffset);
   * `complete` once an entry's last stable offset reaches the bound (later segments cannot add any).
   */
  collect(fetchOffset: number, upperBoundOffset: number): { txns: AbortedTxn[]; complete: boolean } {
    const txns: AbortedTxn[] = [];
    for (const txn of this.load()) {
      if (txn.lastOffset >= fetchOffset && txn.firstOffset < upperBoundOffset) txns.push(txn);
      if (txn.lastStableOffset >= upperBoundOffset) return { txns, complete: true };
    }
    return { txns, complete: false };
  }

  /** Drops the transactions whose marker is at or after `offset` (log truncation). */
  truncateTo(offset: number): void {
    const entries = this.load();
    const keep = entries.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    truncateSync(this.path, keep * ABORTED_TXN_SIZE);
    entries.length = keep;
  }

  /** Empties the index before recovery rebuilds it. */
  reset(): void {
    if (this.load().length === 0) return;
    truncateSync(this.path, 0);
    this.entries = [];
  }

  private load(): AbortedTxn[] {
    if (this.entries) return this.entries;
    let buf: Buffer;
    try {
      buf = readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      buf = Buffer.alloc(0);
    }
    this.entries = decodeTxnIndex(buf, this.path);
    // A torn trailing entry (crash mid-write) is cut off so appends stay aligned.
    if (buf.length % ABORTED_TXN_SIZE !== 0) truncateSync(this.path, this.entries.length * ABORTED_TXN_SIZE);
    return this.entries;
  }
}
