// Requests from this broker to other brokers, addressed by broker id (Kafka's
// inter-broker NetworkClient / BrokerToBrokerChannel). One pipelined connection
// per remote broker, opened on first use and reopened after a failure; every
// request has a deadline, and a missed deadline closes the connection (what
// Kafka's NetworkClient does), failing everything in flight on it. All brokers
// of a cluster run Samsa, so each API is spoken at the highest version of our
// codecs: no ApiVersions round trip.
import { connect, type Socket } from 'node:net';
import { apiKeyName } from '../protocol/api-keys.js';
import type { Encodable } from '../protocol/codec.js';
import { FrameMemory } from '../protocol/frame-memory.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { decodeResponseHeader, encodeRequestFrame } from '../protocol/header.js';
import { apiMessages } from '../protocol/messages/index.js';
import { Reader } from '../protocol/primitives.js';
import type { BrokerRegistration } from './metadata-store.js';

/** Where a response keeps the way to give its frame's memory back (releaseResponse). */
const RELEASE = Symbol('release the response frame');

/**
 * The caller keeps nothing of `response` any more (no record set, no other view of it): its
 * frame's memory may take a later response. A follower calls it once a Fetch response's records
 * are written, so its large responses reuse one buffer instead of new memory each time.
 */
export function releaseResponse(response: object): void {
  (response as { [RELEASE]?: () => void })[RELEASE]?.();
}

export class BrokerChannelError extends Error {
  override name = 'BrokerChannelError';
  constructor(
    readonly brokerId: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface BrokerChannelOptions {
  /** Client id on every request (Kafka: e.g. "broker-1-fetcher-0"). */
  clientId: string;
  /** Deadline of a connect and, plus a request's extraTimeoutMs, of a response. */
  requestTimeoutMs: number;
}

export interface BrokerRequestOptions {
  /** Defaults to the highest version of the API's codec. */
  version?: number;
  /** Added to the request timeout (a Fetch may wait max_wait_ms on the broker before answering). */
  extraTimeoutMs?: number;
}

/** Where the channel looks brokers up (the metadata store). */
export interface BrokerDirectory {
  liveBrokers(): BrokerRegistration[];
}

export class BrokerChannel {
  private readonly connections = new Map<number, BrokerConnection>();
  private closed = false;

  constructor(
    private readonly directory: BrokerDirectory,
    private readonly options: BrokerChannelOptions,
  ) {}

  /** Sends one request to broker `brokerId`; rejects with BrokerChannelError when it cannot be answered. */
  async request<Res, Req = unknown>(brokerId: number, apiKey: number, body: Encodable<Req>, opts: BrokerRequestOptions = {}): Promise<Res> {
    if (this.closed) throw new BrokerChannelError(brokerId, 'the broker channel is closed');
    const api = apiMessages.get(apiKey);
    if (!api) throw new BrokerChannelError(brokerId, `API key ${apiKey} has no codec`);
    const broker = this.directory.liveBrokers().find((b) => b.nodeId === brokerId);
    if (!broker) throw new BrokerChannelError(brokerId, `broker ${brokerId} is not alive`);
    let connection = this.connections.get(brokerId);
    // A broker that re-registered elsewhere (restarted on another port) gets a new connection.
    if (connection && (connection.isClosed || connection.host !== broker.host || connection.port !== broker.port)) {
      connection.close();
      connection = undefined;
    }
    if (!connection) {
      connection = new BrokerConnection(brokerId, broker.host, broker.port, this.options);
      this.connections.set(brokerId, connection);
    }
    const version = opts.version ?? api.maxVersion;
    return (await connection.request(apiKey, version, body, opts.extraTimeoutMs ?? 0)) as Res;
  }

  /** Closes the connection to one broker (e.g. it left the cluster); requests in flight to it fail. */
  disconnect(brokerId: number): void {
    this.connections.get(brokerId)?.close();
    this.connections.delete(brokerId);
  }

  /** Closes every connection; requests in flight fail, later ones are refused. */
  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}

interface InFlight {
  apiKey: number;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** One socket to one broker; requests are written as they come and matched to responses by correlation id. */
class BrokerConnection {
  private readonly socket: Socket;
  private readonly inFlight = new Map<number, InFlight>();
  /** Requests written before the socket connected wait in the socket's own buffer; this bounds the connect. */
  private connectTimer: NodeJS.Timeout | null;
  private nextCorrelationId = 0;
  private closedWith: Error | null = null;
  private readonly reader: FrameReader;
  /** Large responses' buffers: a released Fetch response's takes the next one (two of the largest kept). */
  private readonly memory = new FrameMemory(16 * 1024 * 1024);

  constructor(
    readonly brokerId: number,
    readonly host: string,
    readonly port: number,
    private readonly options: BrokerChannelOptions,
  ) {
    // The socket reads straight into the reader's buffers: a follower's ~1 MiB Fetch response
    // lands in one buffer of its own instead of being copied together from 64 KiB reads.
    this.reader = new FrameReader(
      (frame) => this.onFrame(frame),
      () => this.fail(`${this.address} sent a frame of negative size`),
      undefined,
      this.memory,
    );
    this.socket = connect({ host, port, onread: this.reader.onread });
    this.socket.setNoDelay(true);
    this.connectTimer = setTimeout(() => this.fail(`connecting to ${this.address} took longer than ${options.requestTimeoutMs} ms`), options.requestTimeoutMs);
    this.socket.once('connect', () => this.clearConnectTimer());
    this.socket.on('error', (e) => this.fail(`connection to ${this.address} failed: ${e.message}`, e));
    this.socket.on('close', () => this.fail(`connection to ${this.address} was closed`));
  }

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  private get address(): string {
    return `broker ${this.brokerId} at ${this.host}:${this.port}`;
  }

  request(apiKey: number, version: number, body: unknown, extraTimeoutMs: number): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const chunks = encodeRequestFrame({ apiKey, apiVersion: version, correlationId, clientId: this.options.clientId }, body);
    const timeoutMs = this.options.requestTimeoutMs + extraTimeoutMs;
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`${apiKeyName(apiKey)} request to ${this.address} got no response within ${timeoutMs} ms`), timeoutMs);
      this.inFlight.set(correlationId, { apiKey, version, resolve, reject, timer });
    });
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
    return promise;
  }

  close(): void {
    this.fail(`connection to ${this.address} was closed by this broker`);
  }

  /** Handles one response frame; false stops reading (the connection failed). */
  private onFrame(frame: Buffer): boolean {
    if (this.closedWith) return false;
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    const request = this.inFlight.get(correlationId);
    if (!request) {
      this.fail(`${this.address} answered correlation id ${correlationId}, which nobody asked for`);
      return false;
    }
    this.inFlight.delete(correlationId);
    clearTimeout(request.timer);
    let body: unknown;
    try {
      const r = new Reader(frame);
      decodeResponseHeader(r, request.apiKey, request.version);
      body = apiMessages.get(request.apiKey)!.response.decode(r, request.version);
    } catch (e) {
      request.reject(new BrokerChannelError(this.brokerId, `unreadable ${apiKeyName(request.apiKey)} response from ${this.address}: ${(e as Error).message}`, { cause: e }));
      this.fail(`connection to ${this.address} closed after an unreadable response`);
      return false;
    }
    // The response's hold on its frame (large ones only): given back by releaseResponse, or left to the collector.
    if (typeof body === 'object' && body !== null) {
      let released = false;
      const release = (): void => {
        if (!released) this.memory.release(frame.buffer);
        released = true;
      };
      Object.defineProperty(body, RELEASE, { value: release });
    }
    request.resolve(body);
    return true;
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private fail(message: string, cause?: Error): void {
    if (this.closedWith) return;
    const error = new BrokerChannelError(this.brokerId, message, cause ? { cause } : undefined);
    this.closedWith = error;
    this.clearConnectTimer();
    this.socket.destroy();
    for (const request of this.inFlight.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.inFlight.clear();
  }
}
