// TCP listeners for the broker: accepts connections and hands frames to the
// request router. Several servers may run in one process; each owns its sockets.
import { createServer, type Server as NetServer } from 'node:net';
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
    private readonly log: (msg: string) => void,
  ) {}

  async listen(listeners: Listener[]): Promise<void> {
    for (const l of listeners) {
      const server = createServer((socket) => {
        const conn = new Connection(socket, this.maxFrameBytes, this.handle, this.log);
        this.connections.add(conn);
        socket.on('close', () => this.connections.delete(conn));
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
