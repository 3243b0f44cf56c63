// TCP listeners for the broker: accepts connections and hands frames to the
// request router. Several servers may run in one process; each owns its sockets.
import { createServer, type OnReadOpts, type Server as NetServer, Socket } from 'node:net';
import type { FrameMemory } from '../protocol/frame-memory.js';
import { Connection, type FrameHandler } from './connection.js';
import type { Listener } from './config.js';

export interface BoundListener extends Listener {
  /** The port actually bound (differs from `port` when it was 0). */
  boundPort: number;
}

export class NetworkServer {
  private readonly servers: NetServer[] = [];
  private readonly connections = new Set<Connection>();
  readonly bound: BoundListener[] = [];

  constructor(
    private readonly maxFrameBytes: number,
    private readonly handle: FrameHandler,
    private readonly memory: FrameMemory,
    private readonly log: (msg: string) => void,
  ) {}

  async listen(listeners: Listener[]): Promise<void> {
    for (const l of listeners) {
      // Paused, so the accepted socket reads nothing before readingInto takes its handle over.
      const server = createServer({ pauseOnConnect: true }, (accepted) => {
        const conn = new Connection((onread) => readingInto(server, accepted, onread), this.maxFrameBytes, this.handle, this.log, this.memory);
        this.connections.add(conn);
        conn.socket.on('close', () => this.connections.delete(conn));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: l.host === '' ? undefined : l.host, port: l.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.log(`listener ${l.name}: ${e.message}`));
      this.servers.push(server);
      const addr = server.address();
      this.bound.push({ ...l, boundPort: typeof addr === 'object' && addr ? addr.port : l.port });
    }
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes every connection. */
  async close(graceMs: number): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.connections].map((c) => c.drainAndClose())),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); }),
    ]);
    clearTimeout(timer);
    for (const c of this.connections) c.close();
    await Promise.all(closing);
  }
}

/** What readingInto moves from the accepted socket to its successor (Node's net.Socket internals). */
interface AcceptedSocketInternals {
  _handle: unknown;
  _server: NetServer | null;
  server: NetServer | null;
}

/**
 * The accepted connection as a socket that reads with `onread` (net.connect's zero-copy reads),
 * which net.Server does not offer: a new Socket over the accepted one's TCP handle, counted
 * among the server's connections in its place (so server.close() still waits for it).
 */
function readingInto(server: NetServer, accepted: Socket, onread: OnReadOpts): Socket {
  const from = accepted as unknown as AcceptedSocketInternals;
  if (!from._handle || from._server !== server) throw new Error('accepted socket without its TCP handle');
  const handle = from._handle;
  from._handle = null;
  from._server = null;
  from.server = null;
  const socket = new Socket({ handle, onread, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
  const to = socket as unknown as AcceptedSocketInternals;
  to._server = server;
  to.server = server;
  return socket;
}
