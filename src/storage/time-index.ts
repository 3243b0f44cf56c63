// .timeindex: 12-byte entries (timestamp int64, offset relative to the segment base int32).
// An entry records the largest timestamp seen so far and the offset carrying it; entries are
// added with offset-index entries when the max timestamp grew, plus a final one when the
// segment stops being active.
import type { FileCache } from './file-cache.js';
import { SparseIndex } from './sparse-index.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends SparseIndex {
  constructor(path: string, baseOffset: number, maxIndexSize: number, files: FileCache) {
    super(path, baseOffset, TIME_INDEX_ENTRY_SIZE, Math.floor(maxIndexSize / TIME_INDEX_ENTRY_SIZE), files);
  }

  /** Appends unless the timestamp is not larger than the last entry's; the final entry at roll may exceed capacity. */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (this.isFull && !skipFullCheck) return;
    if (this.entries > 0 && timestamp <= this.timestampAt(this.entries - 1)) return;
    const at = this.appendSlot();
    this.data.writeBigInt64BE(BigInt(timestamp), at);
    this.data.writeInt32BE(offset - this.baseOffset, at + 8);
    this.committed();
  }

  /** Last entry: the segment's max timestamp and its offset, or undefined when empty. */
  lastEntry(): TimestampOffset | undefined {
    return this.entries > 0 ? this.entry(this.entries - 1) : undefined;
  }

  /** Greatest entry with timestamp <= target; {-1, base offset} when there is none. */
  lookup(target: number): TimestampOffset {
    const slot = this.largestLowerBound(target, (n) => this.timestampAt(n));
    return slot < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(slot);
  }

  /** Removes entries for offsets >= offset. */
  truncateTo(offset: number): void {
    this.truncateToEntries(this.largestLowerBound(offset - 1 - this.baseOffset, (n) => this.relativeOffsetAt(n)) + 1);
  }

  protected isValid(_logSize: number, nextOffset: number): boolean {
    let lastTimestamp = -Infinity;
    let lastRelative = 0;
    for (let n = 0; n < this.entries; n++) {
      const timestamp = this.timestampAt(n);
      const relative = this.relativeOffsetAt(n);
      if (timestamp <= lastTimestamp || relative < lastRelative) return false;
      if (this.baseOffset + relative >= nextOffset) return false;
      lastTimestamp = timestamp;
      lastRelative = relative;
    }
    return true;
  }

  /** Entry `n` (0 = oldest). */
  entry(n: number): TimestampOffset {
    return { timestamp: this.timestampAt(n), offset: this.baseOffset + this.relativeOffsetAt(n) };
  }

  private timestampAt(n: number): number {
    return Number(this.data.readBigInt64BE(this.entryAt(n)));
  }

  private relativeOffsetAt(n: number): number {
    return this.data.readInt32BE(this.entryAt(n) + 8);
  }
}
