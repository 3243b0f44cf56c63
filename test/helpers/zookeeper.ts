// Starts a real ZooKeeper (Debian's `zookeeper` package, 3.8) as a child JVM on a
// free port with its own config and data dir. Tests kill -9 and restart it (same
// port, same data: sessions survive), or pause it with SIGSTOP for connection loss.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZooKeeperServer } from '../../src/cluster/zookeeper-server.js';
import { freeTestPort } from './ports.js';

const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_KEPT = 20_000;

export interface ZooKeeperOptions {
  /** Its unit of time: sessions are checked once a tick, heartbeats every few. */
  tickTimeMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

export interface ZooKeeperServer {
  /** host:port for a client (append a chroot as needed). */
  readonly connectString: string;
  readonly port: number;
  readonly dataDir: string;
  /** The JVM's output so far (for failure messages). */
  output(): string;
  /** SIGKILL: the crash case; data and sessions stay on disk. */
  kill9(): Promise<void>;
  /** Starts it again on the same port with the same data (after kill9) and waits until it serves. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startZooKeeper(opts: ZooKeeperOptions = {}): Promise<ZooKeeperServer> {
  const tickTimeMs = opts.tickTimeMs ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'samsa-zk-'));
  const port = await freeTestPort();

  let child: ChildProcess | undefined;
  let out = '';
  let paused = false;

  const launch = async (): Promise<void> => {
    out = '';
    const c = await startZooKeeperServer({
      dir,
      port,
      tickTimeMs,
      minSessionTimeoutMs: opts.minSessionTimeoutMs,
      maxSessionTimeoutMs: opts.maxSessionTimeoutMs ?? 60_000,
      forceSync: false,
      onOutput: (d) => {
        out += d.toString();
        if (out.length > 2 * OUTPUT_KEPT) out = out.slice(-OUTPUT_KEPT);
      },
    });
    child = c;
    running.add(c);
    c.once('exit', () => running.delete(c));
  };

  const exited = async (timeoutMs: number): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    await new Promise((resolve) => c.once('exit', resolve));
    clearTimeout(timer);
  };

  await launch();
  return {
    connectString: `127.0.0.1:${port}`,
    port,
    dataDir: join(dir, 'data'),
    output: () => out,
    async kill9() {
      paused = false;
      child?.kill('SIGKILL');
      await exited(STOP_TIMEOUT_MS);
    },
    async restart() {
      if (child && child.exitCode === null && child.signalCode === null) {
        throw new Error('ZooKeeper is still running; kill9() it first');
      }
      await launch();
    },
    pause() {
      paused = true;
      child?.kill('SIGSTOP');
    },
    resume() {
      paused = false;
      child?.kill('SIGCONT');
    },
    async stop() {
      if (paused) child?.kill('SIGCONT');
      child?.kill('SIGTERM');
      await exited(STOP_TIMEOUT_MS);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
