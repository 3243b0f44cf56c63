// A minimal Kafka connection over a raw socket, built on Samsa's own protocol
// codecs, for tests that send exact (and deliberately broken) bytes.
import { connect, type Socket } from 'node:net';
import { decodeResponseHeader, encodeRequestHeader } from '../../src/protocol/header.js';
import { apiMessages } from '../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';

export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiters: ((frame: Buffer | null) => void)[] = [];
  /** Frames that arrived before anyone asked for them. */
  private ready: Buffer[] = [];
  private closed = false;
  private correlationId = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const waiter = this.waiters.shift();
        if (waiter) waiter(frame);
        else this.ready.push(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes raw bytes. */
  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the next response frame, or null if the broker closed the connection. */
  nextFrame(): Promise<Buffer | null> {
    const early = this.ready.shift();
    if (early) return Promise.resolve(early);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends a request encoded with our codecs and decodes the response (null if the connection closed). */
  async request<T>(apiKey: number, version: number, body: unknown): Promise<T | null> {
    const api = apiMessages.get(apiKey);
    if (!api) throw new Error(`no codec for api ${apiKey}`);
    const w = new Writer();
    const correlationId = ++this.correlationId;
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'raw-test' });
    api.request.encode(w, version, body as never);
    const payload = w.toBuffer();
    const frame = Buffer.allocUnsafe(4 + payload.length);
    frame.writeInt32BE(payload.length, 0);
    payload.copy(frame, 4);
    this.send(frame);
    const resp = await this.nextFrame();
    if (!resp) return null;
    const r = new Reader(resp);
    const header = decodeResponseHeader(r, apiKey, version);
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    return api.response.decode(r, version) as T;
  }

  close(): void {
    this.socket.destroy();
  }
}
