// Memory for large frames, reused once nothing reads it any more. New memory is expensive to
// touch (a page fault per 4 KiB: 11 µs each on the VMs here), and frames left to the garbage
// collector are freed in bursts that the allocator hands back to the system, to fault again on
// the next allocation. Whoever may still read a frame's memory holds it: the frame reader filling
// it, the frame's recipient, the tail cache keeping its records, a response being written from
// them. Each hold() is matched by exactly one release(); a holder that cannot tell when it is done
// (or keeps views for as long as it likes) calls forget(), and the memory is left to the collector.

/** Fresh buffers are rounded up to this, so that frames of nearby sizes fit one another's memory. */
const ROUNDING = 64 * 1024;
/** Larger buffers are not kept for reuse (rare frames, whose memory would sit idle). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

export class FrameMemory {
  /** Memory handed out and not forgotten, with how many holders it has. */
  private readonly holders = new WeakMap<ArrayBufferLike, number>();
  private readonly free: Buffer[] = [];
  private freeBytes = 0;

  /**
   * @param maxFreeBytes how much released memory is kept for reuse: enough for a burst of releases
   *   (a segment roll empties the tail cache at once) to be taken again without new memory.
   */
  constructor(private readonly maxFreeBytes: number) {}

  /** A buffer of at least `size` bytes, all of its ArrayBuffer, held once (by the caller). */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i].length;
      // A much larger buffer would hold memory idle for as long as the frame lives.
      if (length >= size && length <= 2 * size + ROUNDING && (best < 0 || length < this.free[best].length)) best = i;
    }
    const buf = best >= 0 ? this.free.splice(best, 1)[0] : Buffer.allocUnsafe(Math.ceil(size / ROUNDING) * ROUNDING);
    if (best >= 0) this.freeBytes -= buf.length;
    this.holders.set(buf.buffer, 1);
    return buf;
  }

  /** One more holder of `memory` (ignored for memory not handed out here, or forgotten). */
  hold(memory: ArrayBufferLike): void {
    const n = this.holders.get(memory);
    if (n !== undefined) this.holders.set(memory, n + 1);
  }

  /** A holder is done with `memory`; once the last one is, it is reused. */
  release(memory: ArrayBufferLike): void {
    const n = this.holders.get(memory);
    if (n === undefined) return;
    if (n > 1) {
      this.holders.set(memory, n - 1);
      return;
    }
    this.holders.delete(memory);
    if (memory.byteLength > MAX_KEPT_BYTES || this.freeBytes + memory.byteLength > this.maxFreeBytes) return;
    this.free.push(Buffer.from(memory));
    this.freeBytes += memory.byteLength;
  }

  /** Never reuses `memory`: someone may read it at any time (it is left to the garbage collector). */
  forget(memory: ArrayBufferLike): void {
    this.holders.delete(memory);
  }
}
