// A Samsa cluster for tests: Debian's ZooKeeper and N `samsa start` child
// processes (ids 1..N) registered under a fresh chroot, each with its own data
// dir, port (kept across restarts) and log file. Tests kill -9, stop and
// restart single brokers; close() removes everything (and, given the test's
// context, keeps the log files of a failed test and prints where they are).
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { startBrokerProcess, type BrokerProcess } from './broker-process.js';
import { RawClient } from './raw-client.js';
import { waitUntil, within } from './wait.js';
import { startZooKeeper, type ZooKeeperServer } from './zookeeper.js';

type Overrides = Record<string, string | number | boolean>;

const METADATA_API_KEY = 3;
const METADATA_VERSION = 12;
/** Bound for brokers to register and see each other. */
const WAIT_FOR_BROKERS_MS = 60_000;
/** Bound for one Metadata exchange (a paused or wedged broker must not hang the test). */
const METADATA_TIMEOUT_MS = 5_000;

export interface ClusterOptions {
  /** How many brokers: ids 1..brokers. */
  brokers: number;
  /** Broker configs for all brokers, over the harness's defaults. */
  overrides?: Overrides;
  /** Broker configs for single brokers, over `overrides`. */
  brokerOverrides?: Record<number, Overrides>;
  /** A running ZooKeeper to share (the cluster takes a fresh chroot in it and leaves it running); by default the cluster starts its own. */
  zk?: ZooKeeperServer;
  /** The chroot to run in (with `zk`: one the test prepared); by default a fresh one. */
  chroot?: string;
  /** Data dirs the test prepared, by broker id (left in place by close()); the others are fresh. */
  dataDirs?: Record<number, string>;
  /** The brokers started at once (by default all); the test starts the others with restart(). */
  startFirst?: number[];
  /**
   * The test's context: close() then runs after the test, and a failed test keeps the
   * cluster's directory and prints the brokers' log files.
   */
  t?: {
    after(fn: () => Promise<void>): void;
    readonly name: string;
    /** Set by Node 20's runner, though its types lack it. */
    readonly passed?: boolean;
  };
}

export interface ClusterBroker {
  readonly id: number;
  readonly port: number;
  readonly dataDir: string;
  /** Everything the broker wrote on stdout and stderr, across restarts. */
  readonly logFile: string;
  /** The running process; null after kill9/stop. */
  readonly process: BrokerProcess | null;
}

export interface Cluster {
  readonly zk: ZooKeeperServer;
  /** zookeeper.connect of the brokers, chroot included. */
  readonly zkConnect: string;
  readonly brokers: ReadonlyMap<number, ClusterBroker>;
  /** 127.0.0.1:p1,127.0.0.1:p2,... in broker id order (brokers started at least once). */
  readonly bootstrap: string;
  /** Where this cluster's data dirs and log files are. */
  readonly dir: string;
  /** SIGKILL: the crash case. */
  kill9(id: number): Promise<void>;
  /** SIGTERM and wait for it to exit; resolves to its exit code (null if it had to be killed). */
  stop(id: number): Promise<number | null>;
  /** Starts the broker again with the same id, port and data (stopping it first if it runs). */
  restart(id: number): Promise<void>;
  /** Waits until every running broker's Metadata lists `count` brokers (by default all of them). */
  waitForBrokers(count?: number, timeoutMs?: number): Promise<void>;
  /** Metadata (v12) from the first running broker that answers. */
  metadata(topics?: string[]): Promise<MetadataResponse>;
  /** The partition's leader in the Metadata of a running broker; null while it has none or the topic is unknown. */
  leaderOf(topic: string, partition: number): Promise<number | null>;
  /** One line per broker: its id, port and log file. */
  describe(): string;
  /** Stops the brokers (SIGKILL), then the cluster's own ZooKeeper, and removes the files unless `keepFiles`. */
  close(opts?: { keepFiles?: boolean }): Promise<void>;
}

interface BrokerSlot {
  id: number;
  port: number;
  dataDir: string;
  logFile: string;
  process: BrokerProcess | null;
  /** Resolves once the log file has everything of the last run (its stream closed). */
  logClosed: Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cluster-'));
  const ownZk = opts.zk === undefined;
  const slots = new Map<number, BrokerSlot>();
  let zk: ZooKeeperServer | undefined = opts.zk;
  let closed = false;
  const chroot = opts.chroot ?? `/samsa-${Math.random().toString(36).slice(2, 10)}`;
  const internalReplicas = Math.min(3, opts.brokers);

  const launch = async (slot: BrokerSlot): Promise<void> => {
    const log = createWriteStream(slot.logFile, { flags: 'a' });
    slot.logClosed = new Promise((resolve) => log.once('close', resolve));
    log.write(`--- broker ${slot.id} starting at ${new Date().toISOString()}\n`);
    let proc: BrokerProcess;
    try {
      proc = await startBrokerProcess({
        dataDir: slot.dataDir,
        port: slot.port,
        overrides: {
          'broker.id': slot.id,
          'zookeeper.connect': `${zk!.connectString}${chroot}`,
          'zookeeper.session.timeout.ms': 6000,
          'zookeeper.connection.timeout.ms': 10_000,
          'replica.lag.time.max.ms': 5000,
          // A controlled shutdown that cannot move a leader retries 3 times; 5 s apart (Kafka's default) is long for a test.
          'controlled.shutdown.retry.backoff.ms': 500,
          'offsets.topic.replication.factor': internalReplicas,
          'transaction.state.log.replication.factor': internalReplicas,
          'transaction.state.log.min.isr': Math.min(2, internalReplicas),
          ...opts.overrides,
          ...opts.brokerOverrides?.[slot.id],
        },
      });
    } catch (e) {
      log.end(`${(e as Error).message}\n`);
      await slot.logClosed;
      throw new Error(`broker ${slot.id} did not start (log: ${slot.logFile}): ${(e as Error).message}`, { cause: e });
    }
    // The output so far, then the rest as it comes (attached in the same tick: nothing is lost).
    log.write(proc.output());
    const append = (d: Buffer): void => { log.write(d); };
    proc.child.stdout?.on('data', append);
    proc.child.stderr?.on('data', append);
    proc.child.once('exit', (code, signal) => {
      log.end(`--- broker ${slot.id} exited (${code ?? signal})\n`);
    });
    slot.port = proc.port;
    slot.process = proc;
  };

  const slot = (id: number): BrokerSlot => {
    const s = slots.get(id);
    if (!s) throw new Error(`no broker ${id} in this cluster (ids 1..${opts.brokers})`);
    return s;
  };

  const running = (): BrokerSlot[] => [...slots.values()].filter((s) => s.process && s.process.child.exitCode === null && s.process.child.signalCode === null);

  const metadata = async (topics?: string[]): Promise<MetadataResponse> => {
    const errors: string[] = [];
    for (const s of running()) {
      try {
        return await requestMetadata(s.port, topics);
      } catch (e) {
        errors.push(`broker ${s.id}: ${(e as Error).message}`);
      }
    }
    throw new Error(`no running broker answered Metadata${errors.length ? ` (${errors.join('; ')})` : ''}`);
  };

  const kill9 = async (id: number): Promise<void> => {
    const s = slot(id);
    await s.process?.kill9();
    s.process = null;
    await s.logClosed;
  };

  const close = async (closeOpts: { keepFiles?: boolean } = {}): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all([...slots.keys()].map(kill9));
    if (ownZk) await zk?.stop();
    if (!closeOpts.keepFiles) rmSync(dir, { recursive: true, force: true });
  };

  try {
    zk ??= await startZooKeeper();
    for (let id = 1; id <= opts.brokers; id++) {
      const brokerDir = join(dir, `broker-${id}`);
      mkdirSync(brokerDir);
      // Port 0: the first start takes one outside the ephemeral range (ports.ts), kept for restarts.
      slots.set(id, { id, port: 0, dataDir: opts.dataDirs?.[id] ?? join(brokerDir, 'data'), logFile: join(dir, `broker-${id}.log`), process: null, logClosed: Promise.resolve() });
    }
    // Every start settles before a failure is reported, so close() finds every process that did start.
    const first = opts.startFirst ? [...slots.values()].filter((s) => opts.startFirst!.includes(s.id)) : [...slots.values()];
    const started = await Promise.allSettled(first.map(launch));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await close({ keepFiles: true });
    throw new Error(`${(e as Error).message}\n(cluster files kept in ${dir})`, { cause: e });
  }

  const describe = (): string => [...slots.values()]
    .map((s) => `broker ${s.id} on 127.0.0.1:${s.port}${s.process ? '' : ' (down)'}, log ${s.logFile}`)
    .join('\n');

  const t = opts.t;
  if (t) {
    t.after(async () => {
      const failed = t.passed !== true;
      if (failed) process.stderr.write(`cluster of test '${t.name}' (files kept in ${dir}):\n${describe()}\n`);
      await close({ keepFiles: failed });
    });
  }

  return {
    zk,
    zkConnect: `${zk.connectString}${chroot}`,
    brokers: slots,
    get bootstrap() {
      return [...slots.values()].filter((s) => s.port !== 0).map((s) => `127.0.0.1:${s.port}`).join(',');
    },
    dir,
    kill9,
    async stop(id) {
      const s = slot(id);
      const code = (await s.process?.stop()) ?? null;
      s.process = null;
      await s.logClosed;
      return code;
    },
    async restart(id) {
      const s = slot(id);
      await s.process?.stop();
      s.process = null;
      await s.logClosed;
      await launch(s);
    },
    async waitForBrokers(count = opts.brokers, timeoutMs = WAIT_FOR_BROKERS_MS) {
      let seen = '';
      try {
        await waitUntil(`${count} brokers in every running broker's Metadata`, timeoutMs, async () => {
          const views = await Promise.all(running().map((s) => requestMetadata(s.port).then(
            (m) => m.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
            () => null,
          )));
          seen = views.map((v) => (v ? `[${v.join(',')}]` : 'no answer')).join(' ');
          return views.length > 0 && views.every((v) => v !== null && v.length === count);
        });
      } catch (e) {
        throw new Error(`${(e as Error).message}; last seen: ${seen}\n${describe()}`, { cause: e });
      }
    },
    metadata,
    async leaderOf(topic, partition) {
      const m = await metadata([topic]);
      const p = m.topics.find((x) => x.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
      return p && p.errorCode === 0 && p.leaderId >= 0 ? p.leaderId : null;
    },
    describe,
    close,
  };
}

/** One Metadata (v12) exchange with the broker on 127.0.0.1:port, bounded in time. */
export async function requestMetadata(port: number, topics?: string[]): Promise<MetadataResponse> {
  const client = await within(`a connection to 127.0.0.1:${port}`, METADATA_TIMEOUT_MS, RawClient.connect(port));
  try {
    const response = await within(`Metadata from 127.0.0.1:${port}`, METADATA_TIMEOUT_MS, client.request<MetadataResponse>(METADATA_API_KEY, METADATA_VERSION, {
      topics: topics ? topics.map((name) => ({ topicId: Buffer.alloc(16), name })) : null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }));
    if (!response) throw new Error('connection closed');
    return response;
  } finally {
    client.close();
  }
}
