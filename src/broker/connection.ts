// One client connection: frames in, responses out in request order. Requests
// are handled as soon as they arrive (a long-poll fetch does not hold up later
// requests), but each response waits for those before it. Requests that
// describe the cluster are the exception: they are handled only after every
// earlier request on the connection, as Kafka handles all requests. Otherwise
// a Metadata answer computed at once, but sent after an acks=all produce that
// waited out a failover, would name a leader that is gone, and clients act on
// the newest answer they receive.
import type { OnReadOpts, Socket } from 'node:net';
import { ApiKey } from '../protocol/api-keys.js';
import { FrameReader } from '../protocol/frame-reader.js';

/** APIs whose answers must reflect everything requested before them on the connection. */
const IN_ORDER_APIS: ReadonlySet<number> = new Set([ApiKey.Metadata, ApiKey.FindCoordinator, ApiKey.DescribeCluster]);

/** Handles one request frame; resolves to the response frame chunks (header + body, no size prefix), or null when no response is sent (acks=0). Rejects to close the connection. */
export type FrameHandler = (frame: Buffer, conn: Connection) => Promise<Buffer[] | null>;

interface Slot {
  chunks: Buffer[] | null | undefined; // undefined while pending
  /** The request's handling: settles once it is answered or has failed. */
  handled: Promise<unknown>;
}

export class Connection {
  readonly socket: Socket;
  private readonly queue: Slot[] = [];
  private closed = false;
  private onIdle: (() => void) | null = null;
  readonly remote: string;

  /**
   * @param open opens the socket, reading with `onread`: the socket reads straight into the frame
   *   reader's buffers, so a request frame is a view of the memory it was read into (never
   *   written again: the tail cache may keep a produce request's records) and a large one lands
   *   in one buffer instead of being copied together from 64 KiB reads.
   */
  constructor(
    open: (onread: OnReadOpts) => Socket,
    maxFrameBytes: number,
    private readonly handle: FrameHandler,
    private readonly log: (msg: string) => void,
  ) {
    const frames = new FrameReader(
      (frame) => this.onFrame(frame),
      (size) => {
        this.log(`closing ${this.remote}: frame of ${size} bytes ${size < 0 ? 'has a negative size' : `exceeds socket.request.max.bytes (${maxFrameBytes})`}`);
        this.close();
      },
      maxFrameBytes,
    );
    const socket = open(frames.onread);
    this.socket = socket;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('error', () => this.close());
    socket.on('close', () => { this.closed = true; });
    socket.on('drain', () => { if (!this.onIdle) socket.resume(); });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Number of requests whose responses have not been written yet. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Handles one request frame; false stops reading (the connection is closed). */
  private onFrame(frame: Buffer): boolean {
    if (this.closed) return false;
    // Only the few in-order requests look at what is still pending: produce and fetch go straight on.
    const inOrder = frame.length >= 2 && IN_ORDER_APIS.has(frame.readInt16BE(0));
    const earlier = inOrder ? this.queue.filter((q) => q.chunks === undefined).map((q) => q.handled) : [];
    const handling = earlier.length > 0
      ? Promise.allSettled(earlier).then(() => this.handle(frame, this))
      : this.handle(frame, this);
    const slot: Slot = { chunks: undefined, handled: handling };
    this.queue.push(slot);
    handling.then(
      (chunks) => {
        slot.chunks = chunks;
        this.flush();
      },
      (e: unknown) => {
        this.log(`closing ${this.remote}: ${(e as Error).message ?? String(e)}`);
        this.close();
      },
    );
    return true;
  }

  private flush(): void {
    if (this.closed) return;
    const s = this.socket;
    let corked = false;
    while (this.queue.length > 0 && this.queue[0].chunks !== undefined) {
      const { chunks } = this.queue.shift() as Slot;
      if (!chunks) continue;
      if (!corked) { s.cork(); corked = true; }
      let size = 0;
      for (const c of chunks) size += c.length;
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32BE(size, 0);
      s.write(prefix);
      for (const c of chunks) s.write(c);
    }
    if (corked) {
      s.uncork();
      // Back-pressure: stop reading requests while the client is not reading responses.
      if (s.writableNeedDrain) s.pause();
    }
    if (this.queue.length === 0) this.onIdle?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
    this.onIdle?.();
  }

  /** Stops reading; closes once every in-flight request was answered (or at once if none). */
  drainAndClose(): Promise<void> {
    this.socket.pause();
    return new Promise((resolve) => {
      this.onIdle = () => {
        this.onIdle = null;
        this.socket.end();
        resolve();
      };
      if (this.closed || this.queue.length === 0) this.onIdle();
    });
  }
}
