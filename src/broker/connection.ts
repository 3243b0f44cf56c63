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
import type { FrameMemory } from '../protocol/frame-memory.js';
import { FrameReader } from '../protocol/frame-reader.js';

/** APIs whose answers must reflect everything requested before them on the connection. */
const IN_ORDER_APIS: ReadonlySet<number> = new Set([ApiKey.Metadata, ApiKey.FindCoordinator, ApiKey.DescribeCluster]);

/** A response frame's chunks (header + body, no size prefix), and what to call once they are written. */
export interface ResponseFrame {
  chunks: Buffer[];
  /** Called once the socket has taken every chunk (or failed): nothing reads them any more. */
  written?: () => void;
}

/** Handles one request frame; resolves to the response, or null when no response is sent (acks=0). Rejects to close the connection. */
export type FrameHandler = (frame: Buffer, conn: Connection) => Promise<ResponseFrame | null>;

interface Slot {
  response: ResponseFrame | null | undefined; // undefined while pending
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
   * @param memory where large frames' buffers come from (FrameReader).
   */
  constructor(
    open: (onread: OnReadOpts) => Socket,
    maxFrameBytes: number,
    private readonly handle: FrameHandler,
    private readonly log: (msg: string) => void,
    private readonly memory?: FrameMemory,
  ) {
    const frames = new FrameReader(
      (frame) => this.onFrame(frame),
      (size) => {
        this.log(`closing ${this.remote}: frame of ${size} bytes ${size < 0 ? 'has a negative size' : `exceeds socket.request.max.bytes (${maxFrameBytes})`}`);
        this.close();
      },
      maxFrameBytes,
      memory,
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
    if (this.closed) {
      this.memory?.forget(frame.buffer);
      return false;
    }
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    // A produce request's handler keeps nothing of its frame once it has answered: the tail
    // cache holds what it keeps of the records itself. Other handlers may keep views of theirs
    // (a group member's metadata), so their frames are never reused.
    const reusable = apiKey === ApiKey.Produce;
    if (!reusable) this.memory?.forget(frame.buffer);
    // Only the few in-order requests look at what is still pending: produce and fetch go straight on.
    const earlier = IN_ORDER_APIS.has(apiKey) ? this.queue.filter((q) => q.response === undefined).map((q) => q.handled) : [];
    const handling = earlier.length > 0
      ? Promise.allSettled(earlier).then(() => this.handle(frame, this))
      : this.handle(frame, this);
    const slot: Slot = { response: undefined, handled: handling };
    this.queue.push(slot);
    handling.then(
      (response) => {
        if (reusable) this.memory?.release(frame.buffer);
        slot.response = response;
        this.flush();
      },
      (e: unknown) => {
        // A failed handler may still have appends under way that read the frame.
        this.memory?.forget(frame.buffer);
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
    while (this.queue.length > 0 && this.queue[0].response !== undefined) {
      const { response } = this.queue.shift() as Slot;
      if (!response) continue;
      if (!corked) { s.cork(); corked = true; }
      const { chunks, written } = response;
      let size = 0;
      for (const c of chunks) size += c.length;
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32BE(size, 0);
      s.write(prefix);
      // The last chunk's callback comes once the socket has taken all of them (or failed).
      const last = chunks.length - 1;
      if (last < 0) {
        written?.();
        continue;
      }
      for (let i = 0; i < last; i++) s.write(chunks[i]);
      s.write(chunks[last], written && (() => written()));
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
