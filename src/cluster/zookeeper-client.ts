// A small promise-based ZooKeeper client over node-zookeeper-client (see
// docs/decisions-zookeeper.md for why that library and what this layer fixes).
// One instance is one ZooKeeper session: after 'expired' it refuses everything,
// and the owner opens a new one (as Kafka re-initializes its session), so work
// begun under a dead session can never run under its successor.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type * as zookeeper from 'node-zookeeper-client';

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

export interface ZkStat {
  /** The znode's data version: what a conditional set or delete names. */
  version: number;
  /** Version of its list of children. */
  cversion: number;
  czxid: bigint;
  mzxid: bigint;
  /** Milliseconds since the epoch. */
  ctime: number;
  mtime: number;
  /** Session id of the owner of an ephemeral znode, 0n otherwise. */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
}

export type ZkWatchEvent = {
  type: 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';
  path: string;
};
export type Watcher = (event: ZkWatchEvent) => void;

/** One operation of an atomic multi; a version of -1 matches any version. */
export type ZkOp =
  | { op: 'create'; path: string; data: Buffer | null; mode?: CreateMode }
  | { op: 'setData'; path: string; data: Buffer; version: number }
  | { op: 'delete'; path: string; version: number }
  | { op: 'check'; path: string; version: number };

/** Per operation of a multi: the created path (create), the new stat (setData). */
export type ZkOpResult = { path?: string; stat?: ZkStat };

export interface ZooKeeperClientOptions {
  /** host:port[,host:port...][/chroot], as Kafka's zookeeper.connect. */
  connect: string;
  /** Requested session timeout (the server bounds it between 2 and 20 ticks unless configured). */
  sessionTimeoutMs: number;
  /** How long the first connection may take before connect() fails. */
  connectionTimeoutMs: number;
}

/**
 * A failed ZooKeeper operation. code is ZooKeeper's error name: NO_NODE, NODE_EXISTS,
 * BAD_VERSION, NOT_EMPTY, CONNECTION_LOSS, SESSION_EXPIRED, ...
 */
export class ZooKeeperError extends Error {
  constructor(
    readonly code: string,
    readonly operation: string,
    readonly path: string | undefined,
    /** For a failed multi: the index of the operation that failed. */
    readonly failedOp?: number,
  ) {
    super(`ZooKeeper ${operation}${path === undefined ? '' : ` ${path}`}: ${code}`);
    this.name = 'ZooKeeperError';
  }
}

export type ClientState = 'connected' | 'disconnected' | 'expired' | 'closed';

/**
 * The library's internals this layer reaches into, each for a flaw described where
 * it is used (the version is pinned in package.json).
 */
interface LibraryInternals {
  connectionManager: { socket?: Socket; connect(): void };
}
interface TransactionInternals {
  ops: { version?: number }[];
}

/**
 * The library, its constants in our terms; loaded by the first connect, so a broker without
 * zookeeper.connect never loads it (about 9 MiB of RSS).
 */
interface Library {
  zk: typeof zookeeper;
  modes: Record<CreateMode, number>;
  eventTypes: Record<number, ZkWatchEvent['type']>;
}
let library: Library | undefined;

async function loadLibrary(): Promise<Library> {
  if (library) return library;
  const zk = ((await import('node-zookeeper-client')) as unknown as { default: typeof zookeeper }).default;
  library = {
    zk,
    modes: {
      persistent: zk.CreateMode.PERSISTENT,
      ephemeral: zk.CreateMode.EPHEMERAL,
      persistent_sequential: zk.CreateMode.PERSISTENT_SEQUENTIAL,
      ephemeral_sequential: zk.CreateMode.EPHEMERAL_SEQUENTIAL,
    },
    eventTypes: {
      [zk.Event.NODE_CREATED]: 'created',
      [zk.Event.NODE_DELETED]: 'deleted',
      [zk.Event.NODE_DATA_CHANGED]: 'dataChanged',
      [zk.Event.NODE_CHILDREN_CHANGED]: 'childrenChanged',
    },
  };
  return library;
}
/** Reconnect back-off of the library between rounds over all servers (random in [0, this)). */
const SPIN_DELAY_MS = 200;
/** A close waits this long for the server to end the session before dropping the socket. */
const CLOSE_TIMEOUT_MS = 3_000;

type LibraryError = Error | zookeeper.Exception | null;
type Done<T> = (error: LibraryError, result?: T) => void;

/**
 * Events: 'connected' (the first connection, or a reconnection within the session
 * timeout: the session, its ephemeral znodes and watches are intact), 'disconnected'
 * (requests wait for a reconnection), 'expired' (the session is gone with its
 * ephemeral znodes and watches; this client is finished).
 */
export class ZooKeeperClient extends EventEmitter {
  private stateNow: ClientState = 'disconnected';
  /** Rejects of the requests in flight, failed at once on close or expiry. */
  private readonly inFlight = new Set<(error: ZooKeeperError) => void>();
  private readonly watchdog: NodeJS.Timeout;
  private probeSince: number | undefined;

  private constructor(
    private readonly raw: zookeeper.Client,
    private readonly lib: Library,
  ) {
    super();
    raw.on('connected', () => this.setState('connected'));
    raw.on('disconnected', () => this.setState('disconnected'));
    raw.on('expired', () => this.setState('expired'));
    this.watchdog = setInterval(() => this.checkConnection(), raw.getSessionTimeout() / 6);
    this.watchdog.unref();
  }

  /**
   * Opens a session. With a chroot in connect, the chroot path is created first if
   * missing (as Kafka does), through a short session at the root.
   */
  static async connect(options: ZooKeeperClientOptions): Promise<ZooKeeperClient> {
    const slash = options.connect.indexOf('/');
    const chroot = slash < 0 ? '' : options.connect.slice(slash);
    if (chroot.length > 1) {
      const root = await ZooKeeperClient.open({ ...options, connect: options.connect.slice(0, slash) });
      try {
        await root.createParents(chroot);
      } finally {
        await root.close();
      }
    }
    return ZooKeeperClient.open(options);
  }

  private static async open(options: ZooKeeperClientOptions): Promise<ZooKeeperClient> {
    const lib = await loadLibrary();
    const raw = lib.zk.createClient(options.connect, {
      sessionTimeout: options.sessionTimeoutMs,
      spinDelay: SPIN_DELAY_MS,
      // No blind retry: a create whose connection was lost may have been applied; the caller decides.
      retries: 0,
    });
    const client = new ZooKeeperClient(raw, lib);
    const connected = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), options.connectionTimeoutMs);
      raw.once('connected', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    raw.connect();
    if (!(await connected)) {
      await client.close();
      throw new Error(`could not connect to ZooKeeper at ${options.connect} within ${options.connectionTimeoutMs} ms`);
    }
    return client;
  }

  get state(): ClientState {
    return this.stateNow;
  }

  /** The session id in hex, as ZooKeeper logs it. */
  get sessionId(): string {
    return this.raw.getSessionId().toString('hex');
  }

  /** The session timeout the server granted. */
  get sessionTimeoutMs(): number {
    return this.raw.getSessionTimeout();
  }

  /** Creates a znode; resolves to its path (with the sequence number for a sequential one). */
  create(path: string, data: Buffer | null, mode: CreateMode = 'persistent'): Promise<string> {
    return this.call<string>('create', path, (done) => this.raw.create(path, data ?? Buffer.alloc(0), this.lib.modes[mode], done));
  }

  /** Creates path and any missing parents, empty and persistent; an existing path is fine. */
  async createParents(path: string): Promise<void> {
    await this.call<string>('createParents', path, (done) => this.raw.mkdirp(path, done));
  }

  async getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: ZkStat }> {
    const [data, stat] = await this.call<[Buffer, zookeeper.Stat]>('getData', path, (done) => {
      const both = (error: LibraryError, d: Buffer, s: zookeeper.Stat): void => done(error, [d, s]);
      if (watcher) this.raw.getData(path, toLibraryWatcher(watcher), both);
      else this.raw.getData(path, both);
    });
    return { data: data ?? Buffer.alloc(0), stat: toStat(stat) };
  }

  /** Sets the data if the znode's version is `version` (-1: any); resolves to the new stat. */
  async setData(path: string, data: Buffer, version = -1): Promise<ZkStat> {
    return toStat(await this.call<zookeeper.Stat>('setData', path, (done) => this.raw.setData(path, data, version, done)));
  }

  /** The stat, or null when the znode does not exist; a watcher fires on creation, change or deletion. */
  async exists(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    const stat = await this.call<zookeeper.Stat | null>('exists', path, (done) =>
      watcher ? this.raw.exists(path, toLibraryWatcher(watcher), done) : this.raw.exists(path, done));
    return stat ? toStat(stat) : null;
  }

  /** The children's names (not paths), sorted. */
  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    const children = await this.call<string[]>('getChildren', path, (done) =>
      watcher ? this.raw.getChildren(path, toLibraryWatcher(watcher), done) : this.raw.getChildren(path, done));
    return [...children].sort();
  }

  /** Deletes the znode if its version is `version` (-1: any). */
  async delete(path: string, version = -1): Promise<void> {
    await this.call<void>('delete', path, (done) => this.raw.remove(path, version, done));
  }

  /** Applies all operations atomically, or none (ZooKeeperError.failedOp names the one that failed). */
  async multi(ops: ZkOp[]): Promise<ZkOpResult[]> {
    const tx = this.raw.transaction();
    for (const op of ops) {
      if (op.op === 'create') tx.create(op.path, op.data ?? Buffer.alloc(0), this.lib.modes[op.mode ?? 'persistent']);
      else if (op.op === 'setData') tx.setData(op.path, op.data, op.version);
      else if (op.op === 'delete') tx.remove(op.path, op.version);
      else tx.check(op.path, op.version);
      // The library turns a version of 0 into -1 (`version || -1`), which would make a
      // check or conditional write on a znode never written since its creation
      // unconditional; the version is set again as given.
      if (op.op !== 'create') (tx as unknown as TransactionInternals).ops.at(-1)!.version = op.version;
    }
    type Result = { type: number; err?: number; path?: string; stat?: zookeeper.Stat };
    const results = await this.call<Result[]>('multi', undefined, (done) =>
      tx.commit((error, all: Result[] | undefined) => {
        // The failing operation is the one with an error result other than OK (0).
        const failedOp = all?.findIndex((r) => r.err !== undefined && r.err !== 0) ?? -1;
        done(error && failedOp >= 0 ? toError(error, 'multi', ops[failedOp].path, failedOp) : error, all);
      }));
    return results.map((r) => ({ path: r.path, stat: r.stat ? toStat(r.stat) : undefined }));
  }

  /** Ends the session (its ephemeral znodes go at once); requests in flight fail. */
  async close(): Promise<void> {
    if (this.stateNow === 'closed') return;
    const wasConnected = this.stateNow === 'connected';
    this.setState('closed');
    const internals = (this.raw as unknown as LibraryInternals).connectionManager;
    // Without this the library would keep reconnecting to deliver the close request.
    internals.connect = () => {};
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wasConnected ? CLOSE_TIMEOUT_MS : 0);
      internals.socket?.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.raw.close();
    await closed;
    internals.socket?.destroy();
  }

  private setState(next: ClientState): void {
    if (this.stateNow === next || this.stateNow === 'closed' || this.stateNow === 'expired') return;
    this.stateNow = next;
    if (next === 'expired' || next === 'closed') {
      clearInterval(this.watchdog);
      this.failInFlight(next === 'expired' ? 'SESSION_EXPIRED' : 'CLOSED');
    }
    if (next !== 'closed') this.emit(next);
  }

  private failInFlight(code: string): void {
    for (const reject of this.inFlight) reject(new ZooKeeperError(code, 'request', undefined));
    this.inFlight.clear();
  }

  /**
   * The library never times out a read: a server that stops answering (paused, or a
   * network that drops packets without closing the connection) leaves it "connected",
   * or stuck in a handshake, until TCP gives up. Like the official clients, this drops
   * a connection that has not answered within 2/3 of the session timeout, so the
   * library reconnects (to the same session) and learns of an expiry in time.
   */
  private checkConnection(): void {
    if (this.probeSince === undefined) {
      this.probeSince = Date.now();
      this.raw.exists('/', () => { this.probeSince = undefined; });
    } else if (Date.now() - this.probeSince > (this.raw.getSessionTimeout() * 2) / 3) {
      this.probeSince = undefined;
      (this.raw as unknown as LibraryInternals).connectionManager.socket?.destroy();
    }
  }

  private call<T>(operation: string, path: string | undefined, run: (done: Done<T>) => void): Promise<T> {
    if (this.stateNow === 'expired' || this.stateNow === 'closed') {
      return Promise.reject(new ZooKeeperError(this.stateNow === 'expired' ? 'SESSION_EXPIRED' : 'CLOSED', operation, path));
    }
    return new Promise<T>((resolve, reject) => {
      const fail = (error: ZooKeeperError): void => reject(error);
      this.inFlight.add(fail);
      run((error, result) => {
        if (!this.inFlight.delete(fail)) return; // already failed by close or expiry
        if (error) reject(toError(error, operation, path));
        else resolve(result as T);
      });
    });
  }
}

function toLibraryWatcher(watcher: Watcher): (event: zookeeper.Event) => void {
  return (event) => {
    const type = library?.eventTypes[event.getType()];
    if (type) watcher({ type, path: event.getPath() });
  };
}

function toError(error: Error | zookeeper.Exception, operation: string, path: string | undefined, failedOp?: number): ZooKeeperError {
  if (error instanceof ZooKeeperError) return error;
  const code = library && error instanceof library.zk.Exception ? error.getName() : (error as Error).message;
  return new ZooKeeperError(code, operation, path, failedOp);
}

function toStat(stat: zookeeper.Stat): ZkStat {
  return {
    version: stat.version,
    cversion: stat.cversion,
    czxid: stat.czxid.readBigInt64BE(0),
    mzxid: stat.mzxid.readBigInt64BE(0),
    ctime: Number(stat.ctime.readBigInt64BE(0)),
    mtime: Number(stat.mtime.readBigInt64BE(0)),
    ephemeralOwner: stat.ephemeralOwner.readBigInt64BE(0),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}
