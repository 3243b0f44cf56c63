// One TCP connection to one broker: requests are pipelined (written as they
// come, answered in order, matched by correlation id), each API is spoken at
// the highest version both sides support (ApiVersions on connect), and every
// request has a deadline; a missed deadline closes the connection, failing
// everything in flight on it, as the Java client does. Responses are read
// without copying (frame-reader.ts).
import { connect, type Socket } from 'node:net';
import { ApiKey, apiKeyName } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import { decodeResponseHeader, encodeRequestFrame } from '../protocol/header.js';
import type { ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import { apiMessages } from '../protocol/messages/index.js';
import { Reader } from '../protocol/primitives.js';
import { KafkaClientError, KafkaConnectionError, KafkaTimeoutError } from './errors.js';
import { FrameReader } from '../protocol/frame-reader.js';

/** Highest versions the client speaks where it stops short of the codecs' range. */
const CLIENT_MAX_VERSION: ReadonlyMap<number, number> = new Map([
  // Fetch v13+ names topics by id only; the client addresses them by name.
  [ApiKey.Fetch, 12],
]);
/** Lowest versions the client speaks: Produce v3 is the first with magic-2 record batches. */
const CLIENT_MIN_VERSION: ReadonlyMap<number, number> = new Map([[ApiKey.Produce, 3], [ApiKey.Fetch, 4]]);

/** The versions of `apiKey` the client can speak, or undefined for an API it has no codec for. */
export function clientVersionRange(apiKey: number): { minVersion: number; maxVersion: number } | undefined {
  const api = apiMessages.get(apiKey);
  if (!api) return undefined;
  return {
    minVersion: Math.max(api.minVersion, CLIENT_MIN_VERSION.get(apiKey) ?? 0),
    maxVersion: Math.min(api.maxVersion, CLIENT_MAX_VERSION.get(apiKey) ?? Infinity),
  };
}

const APIVERSIONS_MAX = 3;
const CLIENT_SOFTWARE = { clientSoftwareName: 'samsa-client', clientSoftwareVersion: '0.1.0' };

export interface ConnectionOptions {
  clientId: string;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
}

export interface RequestOptions {
  /** Defaults to the negotiated version. */
  version?: number;
  /** false for Produce with acks=0: the broker sends nothing back; resolves with null once written. */
  expectResponse?: boolean;
  /** Added to requestTimeoutMs (a Fetch may legitimately wait maxWaitMs on the broker). */
  extraTimeoutMs?: number;
}

interface Pending {
  correlationId: number;
  apiKey: number;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Connection {
  /** Broker id this connection is for; -1 for a bootstrap connection. */
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  private readonly socket: Socket;
  private readonly options: ConnectionOptions;
  private readonly pending: Pending[] = [];
  private readonly versions = new Map<number, number>();
  private advertised: readonly { apiKey: number; minVersion: number; maxVersion: number }[] = [];
  private nextCorrelationId = 1;
  private closedWith: Error | null = null;
  private readonly closeListeners: ((e: Error) => void)[] = [];

  private constructor(nodeId: number, host: string, port: number, socket: Socket, options: ConnectionOptions) {
    this.nodeId = nodeId;
    this.host = host;
    this.port = port;
    this.socket = socket;
    this.options = options;
    socket.setNoDelay(true);
    socket.on('error', (e) => this.fail(new KafkaConnectionError(`connection to ${this.address} failed: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new KafkaConnectionError(`connection to ${this.address} was closed`)));
  }

  /** Connects within `deadline` (ms since epoch) and negotiates API versions. */
  static async open(nodeId: number, host: string, port: number, options: ConnectionOptions, deadline = Infinity): Promise<Connection> {
    const limit = Math.max(1, Math.min(options.connectionTimeoutMs, deadline - Date.now()));
    let connection: Connection | null = null;
    // The socket reads into the reader's buffers: responses arrive as frames, not 'data' events.
    const reader = new FrameReader(
      (frame) => connection !== null && connection.onFrame(frame),
      (size) => connection?.fail(new KafkaConnectionError(`broker ${host}:${port} sent a response of size ${size}`)),
    );
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port, onread: reader.onread });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new KafkaConnectionError(`connecting to ${host}:${port} took longer than ${Math.round(limit)} ms`));
      }, limit);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new KafkaConnectionError(`cannot connect to ${host}:${port}: ${e.message}`, { cause: e }));
      });
    });
    connection = new Connection(nodeId, host, port, socket, options);
    try {
      await connection.negotiateVersions();
    } catch (e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  /** Requests written and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** The version ranges the broker advertised in ApiVersions (for tools that show them). */
  get brokerApiVersions(): readonly { apiKey: number; minVersion: number; maxVersion: number }[] {
    return this.advertised;
  }

  /** The version this connection speaks for `apiKey`, or undefined when the broker and client share none. */
  version(apiKey: number): number | undefined {
    return this.versions.get(apiKey);
  }

  /** Calls `listener` once, when the connection closes for any reason. */
  onClose(listener: (e: Error) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /** Sends one request; resolves with the decoded response body (null when no response is expected). */
  request<T>(apiKey: number, body: unknown, opts: RequestOptions = {}): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const api = apiMessages.get(apiKey);
    const version = opts.version ?? this.versions.get(apiKey);
    if (!api || version === undefined) {
      return Promise.reject(new KafkaClientError(`broker ${this.address} does not support ${apiKeyName(apiKey) ?? apiKey} in a version this client speaks`, 'UNSUPPORTED_VERSION', false));
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const chunks = encodeRequestFrame({ apiKey, apiVersion: version, correlationId, clientId: this.options.clientId }, body);
    const expectResponse = opts.expectResponse ?? true;
    const promise = expectResponse
      ? new Promise<T>((resolve, reject) => {
          const timeoutMs = this.options.requestTimeoutMs + (opts.extraTimeoutMs ?? 0);
          const timer = setTimeout(() => this.timedOut(apiKey, timeoutMs), timeoutMs);
          this.pending.push({ correlationId, apiKey, version, resolve: resolve as (b: unknown) => void, reject, timer });
        })
      : Promise.resolve(null as T);
    if (chunks.length === 1) {
      this.socket.write(chunks[0]);
    } else {
      this.socket.cork();
      for (const c of chunks) this.socket.write(c);
      this.socket.uncork();
    }
    return promise;
  }

  /** Closes the socket; requests in flight fail with a KafkaConnectionError. */
  close(): void {
    this.fail(new KafkaConnectionError(`connection to ${this.address} was closed by the client`));
  }

  private async negotiateVersions(): Promise<void> {
    let response = await this.request<ApiVersionsResponse>(ApiKey.ApiVersions, CLIENT_SOFTWARE, { version: APIVERSIONS_MAX });
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      // The broker answered in v0 with the versions it has; ask again at the highest of those.
      const own = response.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
      const version = Math.min(APIVERSIONS_MAX, own?.maxVersion ?? 0);
      response = await this.request<ApiVersionsResponse>(ApiKey.ApiVersions, CLIENT_SOFTWARE, { version });
    }
    if (response.errorCode !== 0) {
      throw new KafkaConnectionError(`broker ${this.address} refused ApiVersions with error code ${response.errorCode}`);
    }
    this.advertised = response.apiKeys.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
    for (const { apiKey, minVersion, maxVersion } of response.apiKeys) {
      const client = clientVersionRange(apiKey);
      if (!client) continue;
      const high = Math.min(maxVersion, client.maxVersion);
      const low = Math.max(minVersion, client.minVersion);
      if (high >= low) this.versions.set(apiKey, high);
    }
  }

  /** Handles one response frame; false once the connection has failed. */
  private onFrame(frame: Buffer): boolean {
    const head = this.pending.shift();
    if (!head) {
      this.fail(new KafkaConnectionError(`broker ${this.address} sent a response nobody asked for`));
      return false;
    }
    clearTimeout(head.timer);
    let body: unknown;
    try {
      const r = new Reader(frame);
      const { correlationId } = decodeResponseHeader(r, head.apiKey, head.version);
      if (correlationId !== head.correlationId) {
        throw new Error(`correlation id ${correlationId}, expected ${head.correlationId}`);
      }
      const api = apiMessages.get(head.apiKey)!;
      // An ApiVersions refusal comes back in v0, whatever version was asked.
      const version = head.apiKey === ApiKey.ApiVersions && r.remaining >= 2 && frame.readInt16BE(r.offset) === ErrorCode.UNSUPPORTED_VERSION
        ? 0
        : head.version;
      body = api.response.decode(r, version);
    } catch (e) {
      head.reject(new KafkaConnectionError(`unreadable ${apiKeyName(head.apiKey)} response from ${this.address}: ${(e as Error).message}`));
      this.fail(new KafkaConnectionError(`connection to ${this.address} closed after an unreadable response`));
      return false;
    }
    head.resolve(body);
    return this.closedWith === null;
  }

  private timedOut(apiKey: number, timeoutMs: number): void {
    this.fail(new KafkaTimeoutError(`${apiKeyName(apiKey)} request to ${this.address} got no response within ${timeoutMs} ms`));
  }

  private fail(e: Error): void {
    if (this.closedWith) return;
    this.closedWith = e;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    for (const l of this.closeListeners.splice(0)) l(e);
  }
}
