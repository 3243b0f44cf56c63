// Runs Debian's ZooKeeper (package `zookeeper`, 3.8, jars in /usr/share/java)
// as a child JVM: one standalone server with its own zoo.cfg and data dir on
// 127.0.0.1. `samsa dev-cluster` and the tests' ZooKeeper helper start it here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** ZooKeeper's server and the logging API it needs (all in Debian's package and its dependencies). */
const JARS = ['zookeeper', 'zookeeper-jute', 'slf4j-api'].map((jar) => `/usr/share/java/${jar}.jar`);
/** slf4j's simple binding, which logs to stderr; without it ZooKeeper logs nothing and slf4j says so in three lines. */
const LOG_BINDING = '/usr/share/java/slf4j-simple.jar';
/** The JVM starts and loads its snapshot in about a second here; this bounds a slow machine. */
const DEFAULT_START_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
/** Output kept for the message of a failed start. */
const OUTPUT_KEPT = 20_000;

export class ZooKeeperNotInstalledError extends Error {
  override name = 'ZooKeeperNotInstalledError';
  constructor(missing: string[]) {
    super(`ZooKeeper is not installed (${missing.join(', ')} missing); install Debian's package with: apt-get install zookeeper`);
  }
}

export interface ZooKeeperServerOptions {
  /** Holds zoo.cfg and the data directory `data/` (created if missing; existing data is kept). */
  dir: string;
  port: number;
  /** ZooKeeper's unit of time: sessions are checked once a tick (its default is 2000). */
  tickTimeMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** fsync every transaction (ZooKeeper's default); tests turn it off, a crash of the JVM keeps the page cache. */
  forceSync?: boolean;
  /** Everything the JVM writes on stdout and stderr. */
  onOutput?: (chunk: Buffer) => void;
  startTimeoutMs?: number;
}

/** Throws ZooKeeperNotInstalledError unless java and ZooKeeper's jars are there. */
export function checkZooKeeperInstalled(): void {
  const missing = JARS.filter((jar) => !existsSync(jar));
  if (missing.length > 0) throw new ZooKeeperNotInstalledError(missing);
}

/**
 * Writes zoo.cfg, starts the JVM and resolves once the server answers as a standalone server.
 * A server that exits or does not serve in time is killed and the error carries its output.
 */
export async function startZooKeeperServer(opts: ZooKeeperServerOptions): Promise<ChildProcess> {
  checkZooKeeperInstalled();
  const tickTime = opts.tickTimeMs ?? 2000;
  const dataDir = join(opts.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const config = join(opts.dir, 'zoo.cfg');
  writeFileSync(config, [
    `tickTime=${tickTime}`,
    `dataDir=${dataDir}`,
    `clientPort=${opts.port}`,
    'clientPortAddress=127.0.0.1',
    `minSessionTimeout=${opts.minSessionTimeoutMs ?? 2 * tickTime}`,
    `maxSessionTimeout=${opts.maxSessionTimeoutMs ?? 20 * tickTime}`,
    'maxClientCnxns=0',
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr',
    '',
  ].join('\n'));

  const child = spawn('java', [
    '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
    `-Dzookeeper.forceSync=${opts.forceSync === false ? 'no' : 'yes'}`,
    // Errors only: at info ZooKeeper logs every connection, at warn every connection of an old-protocol client (ours).
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=error',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS",
    '-cp', [...JARS, ...(existsSync(LOG_BINDING) ? [LOG_BINDING] : [])].join(':'),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain', config,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d: Buffer): void => {
    output = (output + d.toString()).slice(-OUTPUT_KEPT);
    opts.onOutput?.(d);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let spawnError: Error | undefined;
  child.once('error', (e) => { spawnError = e; });
  const problem = await waitUntilServing(opts.port, child, opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  if (problem) {
    child.kill('SIGKILL');
    throw new Error(spawnError ? `could not run java for ZooKeeper: ${spawnError.message}` : `ZooKeeper ${problem}:\n${output}`);
  }
  return child;
}

/** A port free on 127.0.0.1 right now (the OS picks it; someone could take it before it is used). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls the `srvr` command until the server says it serves standalone; null then, else what went wrong. */
async function waitUntilServing(port: number, child: ChildProcess, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited (${child.exitCode ?? child.signalCode})`;
    if (/Mode: standalone/.test(await fourLetterWord(port, 'srvr'))) return null;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return `did not serve on port ${port} within ${timeoutMs} ms`;
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
