// In-memory copies of the most recently appended bytes of active segments, so consumers at the
// tail are served without a threadpool read. One budget per LogManager, shared by all
// partitions: the oldest chunks anywhere are dropped first. Chunks are append-only and never
// reused, so slices handed to readers stay valid after the chunk leaves the cache.

interface TailChunk {
  owner: SegmentTail;
  /** File position of the chunk's first byte. */
  position: number;
  buf: Buffer;
  /** Bytes filled; always whole appends (whole batches). */
  length: number;
  /** False once evicted. */
  live: boolean;
}

const FIRST_CHUNK_BYTES = 16 * 1024;

/** FIFO of items with O(1) push and shift (an array with a moving head, compacted now and then). */
class Fifo<T> {
  private items: T[] = [];
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
    return this.items[this.head + i];
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head++];
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

  constructor(
    readonly budgetBytes: number,
    /** Largest chunk; a segment's chunks start small and double, so idle partitions hold little. */
    readonly maxChunkBytes: number,
  ) {}

  /** Bytes held across all partitions. */
  get size(): number {
    return this.bytes;
  }

  /** A tail for a new active segment whose .log currently ends at `position`. */
  newSegmentTail(position: number): SegmentTail {
    return new SegmentTail(this, position);
  }

  allocate(owner: SegmentTail, position: number, bytes: number): TailChunk {
    const chunk = { owner, position, buf: Buffer.allocUnsafe(bytes), length: 0, live: true };
    this.chunks.push(chunk);
    this.bytes += chunk.buf.length;
    while (this.bytes > this.budgetBytes && this.chunks.length > 1) {
      const oldest = this.chunks.shift()!;
      // The globally oldest chunk is also its owner's oldest.
      if (oldest.live) oldest.owner.dropOldest();
    }
    return chunk;
  }

  release(chunk: TailChunk): void {
    chunk.live = false;
    this.bytes -= chunk.buf.length;
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

  /** Copies bytes just written at `position` (== the previous end). */
  append(position: number, records: Buffer): void {
    if (position !== this.end) this.reset(position); // not contiguous: start over
    let chunk = this.chunks.last();
    if (!chunk || chunk.length + records.length > chunk.buf.length) {
      const size = Math.min(this.cache.maxChunkBytes, chunk ? chunk.buf.length * 2 : FIRST_CHUNK_BYTES);
      chunk = this.cache.allocate(this, position, Math.max(size, records.length));
      this.chunks.push(chunk);
    }
    records.copy(chunk.buf, chunk.length);
    chunk.length += records.length;
    this.end = position + records.length;
  }

  /**
   * Bytes from `position` up to `length`, within one chunk (so possibly fewer), or undefined
   * when `position` is older than the cached suffix.
   */
  read(position: number, length: number): Buffer | undefined {
    // Newest first: readers at the tail are the common case.
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const chunk = this.chunks.at(i);
      if (position >= chunk.position) {
        const from = position - chunk.position;
        return from < chunk.length ? chunk.buf.subarray(from, Math.min(chunk.length, from + length)) : undefined;
      }
    }
    return undefined;
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
