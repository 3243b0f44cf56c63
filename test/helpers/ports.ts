// Ports for brokers and ZooKeeper that tests start, stop and start again on the same port.
// They are taken below the kernel's ephemeral range (ip_local_port_range), from which
// listen(0) and every outgoing connection draw their local ports: a port from that range
// that is free when picked can be taken by any connection before the process binds it, or
// while a stopped broker is down, and the start then fails with EADDRINUSE.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;
const given = new Set<number>();

/** The first port of the ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port on 127.0.0.1 outside the ephemeral range, not given before by this process. */
export async function freeTestPort(): Promise<number> {
  const end = ephemeralStart();
  if (end - LOWEST < 1_000) throw new Error(`the ephemeral port range starts at ${end}: no room below it for test ports`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (end - LOWEST));
    if (given.has(port) || !(await bindable(port))) continue;
    given.add(port);
    return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${end}`);
}
