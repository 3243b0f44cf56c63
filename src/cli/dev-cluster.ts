// `samsa dev-cluster`: a cluster on one machine for development. Starts
// Debian's ZooKeeper and N brokers (ids 1..N) as child processes, with their
// data under one directory (kept between runs), streams their output prefixed
// with who wrote it, reports a child that exits unexpectedly, and on Ctrl-C or
// SIGTERM stops the brokers (SIGTERM: a clean shutdown), then ZooKeeper.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkZooKeeperInstalled, freePort, startZooKeeperServer, ZooKeeperNotInstalledError } from '../cluster/zookeeper-server.js';
import { defineCommand, UsageError, type ParsedArgs } from './args.js';
import type { CliIo, Command } from './command.js';
import { isRunning, stopChild, streamLines } from './dev-cluster/child-processes.js';

/** This build's `samsa` script, which the brokers run as `samsa start`. */
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** Bound for a broker to open its listener (it recovers its logs first). */
const LISTEN_TIMEOUT_MS = 60_000;
/** Bound for the brokers to register with ZooKeeper and see each other. */
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 500;
/** A broker's clean shutdown (controlled shutdown, log flush) longer than this ends with SIGKILL. */
const BROKER_STOP_TIMEOUT_MS = 60_000;
const ZOOKEEPER_STOP_TIMEOUT_MS = 10_000;

const spec = defineCommand({
  name: 'dev-cluster',
  summary: 'Run ZooKeeper and a cluster of brokers on this machine for development; Ctrl-C stops them all.',
  options: [
    { name: 'brokers', kind: 'int', valueName: 'Integer: count', default: 3, describe: 'How many brokers to run (ids 1..N).' },
    { name: 'data-dir', kind: 'string', valueName: 'String: directory', default: './data/dev-cluster', describe: 'Where ZooKeeper\'s data and each broker\'s log dir go (kept between runs).' },
    { name: 'zookeeper-port', kind: 'int', valueName: 'Integer: port', default: 2181, describe: 'ZooKeeper\'s port on 127.0.0.1; 0 picks a free one.' },
    { name: 'base-port', kind: 'int', valueName: 'Integer: port', default: 9092, describe: 'Broker 1\'s port on 127.0.0.1, broker N listens on base-port + N - 1; 0 gives each broker a free one.' },
    { name: 'override', kind: 'list', valueName: 'String: key=value', describe: 'A broker config set on every broker (repeatable), e.g. num.partitions=8.' },
  ],
});

interface DevClusterOptions {
  brokers: number;
  dataDir: string;
  zookeeperPort: number;
  basePort: number;
  overrides: [string, string][];
}

function readOptions(args: ParsedArgs): DevClusterOptions {
  const brokers = args.int('brokers')!;
  if (brokers < 1) throw new UsageError(`option --brokers: ${brokers} is not a positive count`);
  const zookeeperPort = args.int('zookeeper-port')!;
  const basePort = args.int('base-port')!;
  if (zookeeperPort < 0 || zookeeperPort > 65535) throw new UsageError(`option --zookeeper-port: ${zookeeperPort} is not a port`);
  if (basePort < 0 || basePort + brokers - 1 > 65535) throw new UsageError(`option --base-port: ${basePort} leaves no port for broker ${brokers}`);
  const overrides = args.list('override').map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`option --override: '${pair}' is not key=value`);
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
  });
  return { brokers, dataDir: resolve(args.string('data-dir')!), zookeeperPort, basePort, overrides };
}

interface BrokerChild {
  id: number;
  logDir: string;
  child: ChildProcess;
  /** The bound port, from the broker's "listening on" line. */
  listening: Promise<number>;
}

class DevCluster {
  private zookeeper: ChildProcess | undefined;
  private readonly brokers: BrokerChild[] = [];
  private stopRequested = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private onStopRequest!: () => void;
  /** Resolves when stop() is first called. */
  readonly stopRequest = new Promise<void>((resolve) => { this.onStopRequest = resolve; });

  constructor(private readonly opts: DevClusterOptions, private readonly io: CliIo) {}

  start(): Promise<void> {
    this.starting = this.startAll();
    return this.starting;
  }

  /** Brokers first (SIGTERM, in parallel), then ZooKeeper; waits for a start in progress to reach a step where it can stop. */
  stop(): Promise<void> {
    this.stopRequested = true;
    this.onStopRequest();
    this.stopping ??= (async () => {
      await this.starting?.catch(() => {});
      await Promise.all(this.brokers.map((b) => stopChild(b.child, 'SIGTERM', BROKER_STOP_TIMEOUT_MS)));
      if (this.zookeeper) await stopChild(this.zookeeper, 'SIGTERM', ZOOKEEPER_STOP_TIMEOUT_MS);
    })();
    return this.stopping;
  }

  /** A second Ctrl-C: no more waiting. */
  killAll(): void {
    for (const b of this.brokers) if (isRunning(b.child)) b.child.kill('SIGKILL');
    if (this.zookeeper && isRunning(this.zookeeper)) this.zookeeper.kill('SIGKILL');
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  private async startAll(): Promise<void> {
    const { opts, io } = this;
    const zookeeperDir = join(opts.dataDir, 'zookeeper');
    const zookeeperPort = opts.zookeeperPort === 0 ? await freePort() : opts.zookeeperPort;
    const zookeeper = await startZooKeeperServer({ dir: zookeeperDir, port: zookeeperPort });
    this.zookeeper = zookeeper;
    streamLines(zookeeper, '[zookeeper] ', io.stdout);
    zookeeper.once('exit', (code, signal) => {
      if (!this.stopRequested) io.stderr.write(`ZooKeeper exited unexpectedly (${code ?? signal}); the brokers cannot coordinate until it is back\n`);
    });
    io.stdout.write(`ZooKeeper on 127.0.0.1:${zookeeperPort} (pid ${zookeeper.pid}, data in ${zookeeperDir})\n`);
    if (this.stopRequested) return;

    for (let id = 1; id <= opts.brokers; id++) this.brokers.push(this.spawnBroker(id, `127.0.0.1:${zookeeperPort}`));
    const ports = await Promise.all(this.brokers.map((b) => b.listening));
    for (const [i, b] of this.brokers.entries()) {
      io.stdout.write(`broker ${b.id} on 127.0.0.1:${ports[i]} (pid ${b.child.pid}, log dir ${b.logDir})\n`);
    }
    const bootstrap = ports.map((p) => `127.0.0.1:${p}`).join(',');
    io.stdout.write(`bootstrap servers: ${bootstrap}\n`);
    for (const b of this.brokers) {
      b.child.once('exit', (code, signal) => {
        if (!this.stopRequested) io.stderr.write(`broker ${b.id} exited unexpectedly (${code ?? signal}); the others keep running\n`);
      });
    }

    const seen = await this.waitForBrokers(bootstrap);
    if (this.stopRequested) return;
    if (seen === opts.brokers) io.stdout.write(`ready: ${seen} brokers, bootstrap servers ${bootstrap}; Ctrl-C stops them\n`);
    else io.stderr.write(`only ${seen} of ${opts.brokers} brokers are in the cluster's metadata after ${READY_TIMEOUT_MS / 1000} s; see their output above\n`);
  }

  private spawnBroker(id: number, zookeeperConnect: string): BrokerChild {
    const { opts, io } = this;
    const logDir = join(opts.dataDir, `broker-${id}`);
    mkdirSync(logDir, { recursive: true });
    // Kafka's internal topics want 3 replicas (2 in sync for transactions): fewer brokers get what they can have.
    const config: [string, string | number][] = [
      ['broker.id', id],
      ['zookeeper.connect', zookeeperConnect],
      ['listeners', `PLAINTEXT://127.0.0.1:${opts.basePort === 0 ? 0 : opts.basePort + id - 1}`],
      ['log.dirs', logDir],
      ['offsets.topic.replication.factor', Math.min(3, opts.brokers)],
      ['transaction.state.log.replication.factor', Math.min(3, opts.brokers)],
      ['transaction.state.log.min.isr', Math.min(2, opts.brokers)],
      ...opts.overrides,
    ];
    // Own process group: a Ctrl-C in the terminal reaches this command only, which stops the children in order.
    const child = spawn(process.execPath, [...process.execArgv, MAIN, 'start', ...config.flatMap(([k, v]) => ['--override', `${k}=${v}`])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let onLine: ((line: string) => void) | undefined;
    const listening = new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`broker ${id} did not listen within ${LISTEN_TIMEOUT_MS / 1000} s`)), LISTEN_TIMEOUT_MS);
      onLine = (line) => {
        const m = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      };
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`broker ${id} exited (${code ?? signal}) before it listened; its output is above`));
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`broker ${id} could not be started: ${e.message}`));
      });
    });
    streamLines(child, `[broker ${id}] `, io.stdout, (line) => onLine?.(line));
    return { id, logDir, child, listening };
  }

  /** Polls the cluster's metadata until it lists every broker (or a stop, or the bound); the count last seen. */
  private async waitForBrokers(bootstrap: string): Promise<number> {
    const { Admin } = await import('../client/index.js');
    const admin = new Admin({ bootstrapServers: bootstrap, clientId: 'samsa-dev-cluster', requestTimeoutMs: 5_000 });
    let seen = 0;
    try {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (!this.stopRequested && Date.now() < deadline) {
        seen = await admin.describeCluster().then((c) => c.brokers.length, () => seen);
        if (seen >= this.opts.brokers) break;
        await new Promise((r) => setTimeout(r, READY_POLL_MS));
      }
    } finally {
      await admin.close();
    }
    return seen;
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const opts = readOptions(args);
  try {
    checkZooKeeperInstalled();
  } catch (e) {
    if (!(e instanceof ZooKeeperNotInstalledError)) throw e;
    io.stderr.write(`samsa dev-cluster: ${e.message}\n`);
    return 1;
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const cluster = new DevCluster(opts, io);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cluster.stopped) {
      io.stderr.write(`${signal} again: killing every process of the cluster\n`);
      cluster.killAll();
      return;
    }
    io.stdout.write(`${signal} received: stopping the brokers, then ZooKeeper\n`);
    void cluster.stop();
  };
  // Children in their own process groups outlive a crash of this process unless told.
  const onExit = (): void => cluster.killAll();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  try {
    try {
      await cluster.start();
    } catch (e) {
      io.stderr.write(`samsa dev-cluster: ${(e as Error).message}\n`);
      await cluster.stop();
      return 1;
    }
    await cluster.stopRequest;
    await cluster.stop();
    io.stdout.write('stopped\n');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

export const command: Command = { spec, run };
