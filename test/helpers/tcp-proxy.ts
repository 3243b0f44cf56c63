// A TCP proxy on 127.0.0.1 that a test can cut off: while cut, bytes are dropped in
// both directions and the connections stay open, as a network that loses packets
// does (neither side sees a close). Closes are passed through either way. A cut
// can take only some connections, told apart by the first bytes their client sent.
// A test may also watch what each connection's client sends.
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Drops every byte from now on, both ways, on existing and new connections. */
  cut(): void;
  /** Drops the bytes, both ways, of the connections (existing and new) whose client's first bytes `match`. */
  cutWhere(match: (firstBytes: Buffer) => boolean): void;
  /** Forwards again; a connection that lost bytes is closed (a stream with a hole in it cannot go on). */
  heal(): void;
  close(): Promise<void>;
}

interface Connection {
  client: Socket;
  upstream: Socket;
  /** What the client sent first (null until it sent anything). */
  firstBytes: Buffer | null;
  lostBytes: boolean;
}

export interface ProxyOptions {
  /** Called for each new connection; what it returns is given every chunk that connection's client sends. */
  watchClient?: () => (chunk: Buffer) => void;
}

export async function startTcpProxy(targetPort: number, opts: ProxyOptions = {}): Promise<TcpProxy> {
  let cutAll = false;
  let cutMatch: ((firstBytes: Buffer) => boolean) | null = null;
  const connections = new Set<Connection>();
  const isCut = (c: Connection): boolean => cutAll || (cutMatch !== null && c.firstBytes !== null && cutMatch(c.firstBytes));
  const pass = (c: Connection, to: Socket, d: Buffer): void => {
    if (isCut(c)) c.lostBytes = true;
    else to.write(d);
  };
  const end = (c: Connection): void => {
    c.client.destroy();
    c.upstream.destroy();
    connections.delete(c);
  };
  const server = createServer((client) => {
    const c: Connection = { client, upstream: connect(targetPort, '127.0.0.1'), firstBytes: null, lostBytes: false };
    connections.add(c);
    const watch = opts.watchClient?.();
    client.on('data', (d: Buffer) => {
      c.firstBytes ??= d;
      watch?.(d);
      pass(c, c.upstream, d);
    });
    c.upstream.on('data', (d: Buffer) => pass(c, client, d));
    for (const s of [client, c.upstream]) {
      s.on('close', () => end(c));
      s.on('error', () => end(c));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => { cutAll = true; },
    cutWhere: (match) => { cutMatch = match; },
    heal: () => {
      cutAll = false;
      cutMatch = null;
      for (const c of connections) if (c.lostBytes) end(c);
    },
    async close() {
      for (const c of connections) end(c);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
