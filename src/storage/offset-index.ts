// .index: 8-byte entries (offset relative to the segment base int32, file position int32).
// Sparse: an entry maps the last offset of an append to the position where that append starts.
import type { FileCache } from './file-cache.js';
import { SparseIndex } from './sparse-index.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends SparseIndex {
  constructor(path: string, baseOffset: number, maxIndexSize: number, files: FileCache) {
    super(path, baseOffset, OFFSET_INDEX_ENTRY_SIZE, Math.floor(maxIndexSize / OFFSET_INDEX_ENTRY_SIZE), files);
  }

  append(offset: number, position: number): void {
    const at = this.appendSlot();
    this.data.writeInt32BE(offset - this.baseOffset, at);
    this.data.writeInt32BE(position, at + 4);
    this.committed();
  }

  /** Greatest entry with offset <= target; the segment start when there is none. */
  lookup(target: number): OffsetPosition {
    const slot = this.largestLowerBound(target - this.baseOffset, (n) => this.relativeOffsetAt(n));
    if (slot < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relativeOffsetAt(slot), position: this.positionAt(slot) };
  }

  /** Entry `n` (0 = oldest). */
  entry(n: number): OffsetPosition {
    return { offset: this.baseOffset + this.relativeOffsetAt(n), position: this.positionAt(n) };
  }

  /** Removes entries for offsets >= offset. */
  truncateTo(offset: number): void {
    this.truncateToEntries(this.largestLowerBound(offset - 1 - this.baseOffset, (n) => this.relativeOffsetAt(n)) + 1);
  }

  /** True when `offset` is representable as a 32-bit offset relative to the base. */
  canAppendOffset(offset: number): boolean {
    const relative = offset - this.baseOffset;
    return relative >= 0 && relative <= 0x7fffffff;
  }

  protected isValid(logSize: number, nextOffset: number): boolean {
    let lastRelative = -1;
    let lastPosition = -1;
    for (let n = 0; n < this.entries; n++) {
      const relative = this.relativeOffsetAt(n);
      const position = this.positionAt(n);
      if (relative <= lastRelative || position <= lastPosition) return false;
      if (position >= logSize || this.baseOffset + relative >= nextOffset) return false;
      lastRelative = relative;
      lastPosition = position;
    }
    return true;
  }

  private relativeOffsetAt(n: number): number {
    return this.data.readInt32BE(this.entryAt(n));
  }

  private positionAt(n: number): number {
    return this.data.readInt32BE(this.entryAt(n) + 4);
  }
}
