// In-memory copies of the most recently appended bytes of active segments, so consumers at the
// tail are served without a threadpool read. One budget per LogManager, shared by all
// partitions: the oldest chunks anywhere are dropped first. Chunks are never written below
// bytes already filled and never reused, so slices handed to readers stay valid after the chunk
// leaves the cache.
//
// An append whose buffer the caller gives up (a produce request's records: nothing writes them
// again) is kept as it is instead of copied: a chunk that is a view of that buffer. Copying into
// fresh memory cost the leader of a replicated partition more than anything else it did per byte
// (the copy and, above all, the page faults of first touching new chunks). A view keeps its whole
// backing memory alive (the request frame it came from), so the budget counts backing stores, each
// once while any chunk still refers to it. Frames from a FrameMemory are held while kept, and by
// each read that says it will release its view (a fetch response, once written); any other read
// of one makes it never reused.
import type { FrameMemory } from '../protocol/frame-memory.js';

interface TailChunk {
  owner: SegmentTail;
  /** File position of the chunk's first byte. */
  position: number;
  buf: Buffer;
  /** Bytes filled; always whole appends (whole batches). */
  length: number;
  /** The caller's memory, kept as it is (buf is a view of it, filled from the start). */
  kept: boolean;
  /** False once evicted. */
  live: boolean;
}

const FIRST_CHUNK_BYTES = 16 * 1024;
/** Smaller appends are copied even when given up: packed into chunks, they read in fewer pieces. */
const KEEP_MIN_BYTES = 4 * 1024;

/** FIFO of items with O(1) push and shift (an array with a moving head, compacted now and then). */
class Fifo<T> {
  /** Shifted slots are cleared: an item no longer in the queue must not stay reachable (a kept chunk holds a request frame). */
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  first(): T | undefined {
    return this.items[this.head];
  }

  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  at(i: number): T {
    return this.items[this.head + i]!;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class TailCache {
  /** Every live chunk in allocation order; evicted entries are skipped when they reach the head. */
  private readonly chunks = new Fifo<TailChunk>();
  private bytes = 0;
  /** Backing stores of kept chunks, with how many live chunks refer to each. */
  private readonly kept = new Map<ArrayBufferLike, number>();

  constructor(
    readonly budgetBytes: number,
    /** Largest chunk; a segment's chunks start small and double, so idle partitions hold little. */
    readonly maxChunkBytes: number,
    /** Where kept request frames come from (and go back to). */
    private readonly memory?: FrameMemory,
  ) {}

  /** Bytes held across all partitions. */
  get size(): number {
    return this.bytes;
  }

  /** A tail for a new active segment whose .log currently ends at `position`. */
  newSegmentTail(position: number): SegmentTail {
    return new SegmentTail(this, position);
  }

  /** A new chunk of `bytes` to copy appends into. */
  allocate(owner: SegmentTail, position: number, bytes: number): TailChunk {
    return this.admit({ owner, position, buf: Buffer.allocUnsafe(bytes), length: 0, kept: false, live: true });
  }

  /** A new chunk that is `records` itself (the caller gave the buffer up). */
  keep(owner: SegmentTail, position: number, records: Buffer): TailChunk {
    return this.admit({ owner, position, buf: records, length: records.length, kept: true, live: true });
  }

  release(chunk: TailChunk): void {
    chunk.live = false;
    if (!chunk.kept) {
      this.bytes -= chunk.buf.length;
      return;
    }
    const backing = chunk.buf.buffer;
    const refs = this.kept.get(backing)! - 1;
    if (refs > 0) {
      this.kept.set(backing, refs);
    } else {
      this.kept.delete(backing);
      this.bytes -= backing.byteLength;
      this.memory?.release(backing);
    }
  }

  /** A held view (SegmentTail.read) its reader dropped unused. */
  unlend(view: Buffer): void {
    this.memory?.release(view.buffer);
  }

  /** A reader got a view of `chunk`: held if the reader releases it (FrameMemory.release), else never reused. */
  lend(chunk: TailChunk, held: boolean): void {
    if (!chunk.kept || !this.memory) return;
    if (held) this.memory.hold(chunk.buf.buffer);
    else this.memory.forget(chunk.buf.buffer);
  }

  private admit(chunk: TailChunk): TailChunk {
    this.chunks.push(chunk);
    if (!chunk.kept) {
      this.bytes += chunk.buf.length;
    } else {
      const backing = chunk.buf.buffer;
      const refs = this.kept.get(backing) ?? 0;
      if (refs === 0) {
        this.bytes += backing.byteLength;
        this.memory?.hold(backing);
      }
      this.kept.set(backing, refs + 1);
    }
    while (this.bytes > this.budgetBytes && this.chunks.length > 1) {
      const oldest = this.chunks.shift()!;
      // The globally oldest chunk is also its owner's oldest.
      if (oldest.live) oldest.owner.dropOldest();
    }
    return chunk;
  }
}

/** The cached suffix of one active segment: contiguous chunks ending at the segment's end. */
export class SegmentTail {
  private readonly chunks = new Fifo<TailChunk>();

  constructor(
    private readonly cache: TailCache,
    /** File position right after the cached bytes (the segment size). */
    private end: number,
  ) {}

  /**
   * Caches bytes just written at `position` (== the previous end): kept as they are when the
   * caller gave `records` up (`owned`: nothing writes them again), else copied.
   */
  append(position: number, records: Buffer, owned = false): void {
    if (position !== this.end) this.reset(position); // not contiguous: start over
    this.end = position + records.length;
    if (owned && records.length >= KEEP_MIN_BYTES) {
      this.chunks.push(this.cache.keep(this, position, records));
      return;
    }
    let chunk = this.chunks.last();
    if (!chunk || chunk.kept || chunk.length + records.length > chunk.buf.length) {
      const size = Math.min(this.cache.maxChunkBytes, chunk && !chunk.kept ? chunk.buf.length * 2 : FIRST_CHUNK_BYTES);
      chunk = this.cache.allocate(this, position, Math.max(size, records.length));
      this.chunks.push(chunk);
    }
    records.copy(chunk.buf, chunk.length);
    chunk.length += records.length;
  }

  /**
   * Bytes from `position` up to `length`, within one chunk (so possibly fewer), or undefined
   * when `position` is older than the cached suffix. `held`: the caller releases the view's
   * memory (FrameMemory.release of its buffer) once nothing reads it any more.
   */
  read(position: number, length: number, held = false): Buffer | undefined {
    // The last chunk starting at or before `position` (chunk positions increase).
    let lo = 0;
    let hi = this.chunks.length - 1;
    if (hi < 0 || position < this.chunks.at(0).position) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunks.at(mid).position <= position) lo = mid;
      else hi = mid - 1;
    }
    const chunk = this.chunks.at(lo);
    const from = position - chunk.position;
    if (from >= chunk.length) return undefined;
    this.cache.lend(chunk, held);
    return chunk.buf.subarray(from, Math.min(chunk.length, from + length));
  }

  /** Releases every chunk (segment rolled, truncated or closed); the segment now ends at `end`. */
  reset(end: number): void {
    while (this.chunks.length > 0) this.dropOldest();
    this.end = end;
  }

  dropOldest(): void {
    const chunk = this.chunks.shift();
    if (chunk?.live) this.cache.release(chunk);
  }
}
