// Splits a connection's byte stream into size-prefixed frames (responses to
// a client or to a broker's inter-broker requests)
// without copying them: the socket reads straight into our buffers (net's
// `onread` option), and each frame is a view of the buffer it was read into.
// A buffer is never read into again below bytes already handed out, so a
// frame (and the record sets decoded from it) stays valid as long as it is
// referenced. A frame too large for the current buffer gets a buffer of its
// own, into which the rest of it is read directly: a 4 MiB Fetch response
// costs at most one landing buffer's worth of copying instead of 4 MiB.
// With a FrameMemory, those buffers come from it: the reader holds one while
// filling it, and the frame's recipient holds it once more from the moment the
// frame is handed over, to release it when done (then it takes a later large
// frame, without the page faults of new memory).
import type { FrameMemory } from './frame-memory.js';

/** Size of a buffer for reads when no large frame is expected. */
const LANDING_SIZE = 64 * 1024;
/** Below this much free space a buffer is not worth reading into (unless a frame's end is in it). */
const MIN_READ = 8 * 1024;

export class FrameReader {
  private buf: Buffer = Buffer.allocUnsafe(LANDING_SIZE);
  /** Unconsumed bytes are buf[start, end). */
  private start = 0;
  private end = 0;

  /**
   * @param onFrame called with each frame (without its size prefix); returns false to stop reading.
   * @param onInvalid called instead for a size prefix below zero or above `maxFrameBytes`; reading stops.
   * @param maxFrameBytes the largest frame accepted (a broker's socket.request.max.bytes).
   * @param memory where large frames' buffers come from; each such frame is handed over held
   *   once for its recipient (FrameMemory.release when done, or forget). Without it, they are new.
   */
  constructor(
    private readonly onFrame: (frame: Buffer) => boolean,
    private readonly onInvalid: (size: number) => void,
    private readonly maxFrameBytes = 0x7fffffff,
    private readonly memory?: FrameMemory,
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
      this.memory?.hold(b.buffer); // the recipient's (nothing for landing buffers, not from memory)
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
    this.memory?.release(this.buf.buffer); // the reader's own hold, if the buffer came from memory
    this.buf = next;
    this.start = 0;
    this.end = pending;
  }

  /** A buffer of exactly `size` bytes for one large frame (size prefix included). */
  private ownBuffer(size: number): Buffer {
    return this.memory ? this.memory.take(size).subarray(0, size) : Buffer.allocUnsafe(size);
  }
}
