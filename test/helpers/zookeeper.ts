// Starts a real ZooKeeper (Debian's `zookeeper` package, 3.8) as a child JVM on a
// free port with its own config and data dir. Tests kill -9 and restart it (same
// port, same data: sessions survive), or pause it with SIGSTOP for connection loss.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLASSPATH = ['zookeeper', 'zookeeper-jute', 'slf4j-api']
  .map((jar) => `/usr/share/java/${jar}.jar`).join(':');
/** The JVM starts and loads its snapshot in about a second here; this bounds a slow machine. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 100;
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
  const tickTime = opts.tickTimeMs ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'samsa-zk-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const config = join(dir, 'zoo.cfg');
  writeFileSync(config, [
    `tickTime=${tickTime}`,
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    `minSessionTimeout=${opts.minSessionTimeoutMs ?? 2 * tickTime}`,
    `maxSessionTimeout=${opts.maxSessionTimeoutMs ?? 60_000}`,
    'maxClientCnxns=0',
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr',
    '',
  ].join('\n'));

  let child: ChildProcess | undefined;
  let out = '';
  let paused = false;

  const launch = async (): Promise<void> => {
    out = '';
    const c = spawn('java', [
      '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      // A crash of the process keeps the page cache; fsync would only slow the tests.
      '-Dzookeeper.forceSync=no',
      '-cp', CLASSPATH, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', config,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.length > 2 * OUTPUT_KEPT) out = out.slice(-OUTPUT_KEPT);
    };
    c.stdout?.on('data', onData);
    c.stderr?.on('data', onData);
    child = c;
    running.add(c);
    c.once('exit', () => running.delete(c));
    await waitUntilServing(port, c, () => out);
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
    dataDir,
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls the `srvr` command until the server says it is serving (standalone). */
async function waitUntilServing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`ZooKeeper exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    if (/Mode: standalone/.test(await fourLetterWord(port, 'srvr'))) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  child.kill('SIGKILL');
  throw new Error(`ZooKeeper did not serve on port ${port} within ${START_TIMEOUT_MS} ms:\n${output()}`);
}

/** One four-letter-word exchange; '' when the port does not answer (yet). */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => socket.end(word));
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('data', (d) => { reply += d.toString(); });
    socket.on('error', () => resolve(''));
    socket.on('close', () => resolve(reply));
  });
}
