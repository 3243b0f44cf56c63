// Splits a connection's byte stream into size-prefixed frames (responses to
// a client or to a broker's inter-broker requests)
// without copying them: the socket reads straight into our buffers (net's
// `onread` option), and each frame is a view of the buffer it was read into.
// A buffer is never read into again below bytes already handed out, so a
// frame (and the record sets decoded from it) stays valid as long as it is
// referenced. A frame too large for the current buffer gets a buffer of its
// own, into which the rest of it is read directly: a 4 MiB Fetch response
// costs at most one landing buffer's worth of copying instead of 4 MiB.
// The owner of such a frame may give it back (recycle) once nothing refers to
// it any more; its buffer then takes a later large frame, without the page
// faults and garbage collection of new memory (a follower's Fetch responses).

/** Size of a buffer for reads when no large frame is expected. */
const LANDING_SIZE = 64 * 1024;
/** Below this much free space a buffer is not worth reading into (unless a frame's end is in it). */
const MIN_READ = 8 * 1024;
/** Recycled large-frame buffers kept for the next large frames. */
const POOL_SIZE = 2;

export class FrameReader {
  private buf: Buffer = Buffer.allocUnsafe(LANDING_SIZE);
  /** Unconsumed bytes are buf[start, end). */
  private start = 0;
  private end = 0;
  /** The memory of buffers of their own for large frames (each all of its ArrayBuffer; a frame may use a prefix). */
  private readonly ownMemory = new WeakSet<ArrayBufferLike>();
  /** The frame handed out from each such buffer: the only one that can give it back. */
  private readonly handedOut = new WeakMap<ArrayBufferLike, Buffer>();
  private readonly pool: Buffer[] = [];

  /**
   * @param onFrame called with each frame (without its size prefix); returns false to stop reading.
   * @param onInvalid called instead for a size prefix below zero or above `maxFrameBytes`; reading stops.
   * @param maxFrameBytes the largest frame accepted (a broker's socket.request.max.bytes).
   * @param recycling whether large frames may be given back (recycle); off, nothing is tracked.
   */
  constructor(
    private readonly onFrame: (frame: Buffer) => boolean,
    private readonly onInvalid: (size: number) => void,
    private readonly maxFrameBytes = 0x7fffffff,
    private readonly recycling = false,
  ) {}

  /** The `onread` option for net.connect. */
  get onread(): { buffer: () => Buffer; callback: (n: number, b: Buffer) => boolean } {
    return { buffer: () => this.buf.subarray(this.end), callback: (n) => this.received(n) };
  }

  /** `n` more bytes were read at `end`. */
  private received(n: number): boolean {
    this.end += n;
    const b = this.buf;
    while (this.end - this.start >= 4) {
      const size = b.readInt32BE(this.start);
      if (size < 0 || size > this.maxFrameBytes) {
        this.onInvalid(size);
        return false;
      }
      const total = 4 + size;
      if (this.end - this.start < total) break;
      const frame = b.subarray(this.start + 4, this.start + total);
      if (this.recycling && this.ownMemory.has(b.buffer)) this.handedOut.set(b.buffer, frame);
      this.start += total;
      if (!this.onFrame(frame)) return false;
    }
    this.makeRoom();
    return true;
  }

  /** Moves the unconsumed bytes to a fresh buffer when the rest of their frame, or a useful read, does not fit. */
  private makeRoom(): void {
    const pending = this.end - this.start;
    const known = pending >= 4 ? 4 + this.buf.readInt32BE(this.start) : 0;
    const fits = known > 0 ? this.start + known <= this.buf.length : this.buf.length - this.end >= MIN_READ;
    if (fits) return;
    const next = known > LANDING_SIZE ? this.ownBuffer(known) : Buffer.allocUnsafe(LANDING_SIZE);
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.start = 0;
    this.end = pending;
  }

  /** A buffer of exactly `size` bytes for one large frame (size prefix included): a recycled one if any fits. */
  private ownBuffer(size: number): Buffer {
    if (!this.recycling) return Buffer.allocUnsafe(size);
    const i = this.pool.findIndex((b) => b.length >= size);
    const whole = i >= 0 ? this.pool.splice(i, 1)[0] : Buffer.allocUnsafe(size);
    this.ownMemory.add(whole.buffer);
    return whole.subarray(0, size);
  }

  /**
   * Gives back a frame that had a buffer of its own, for a later large frame to be read into.
   * The caller promises that nothing refers to the frame or to any view of it any more. Other
   * frames, a frame given back twice, or one whose buffer was already reused are ignored.
   */
  recycle(frame: Buffer): void {
    const memory = frame.buffer;
    if (this.handedOut.get(memory) !== frame || memory === this.buf.buffer) return;
    this.handedOut.delete(memory);
    if (this.pool.length < POOL_SIZE) this.pool.push(Buffer.from(memory));
  }
}
