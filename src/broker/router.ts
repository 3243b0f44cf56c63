// Request router: header decode, version checks, body decode, dispatch to the
// API's handler, response encode. Kafka's rules for versions: an ApiVersions
// request above our maximum gets a v0-shaped UNSUPPORTED_VERSION answer; any
// other unsupported version or unknown API key closes the connection.
import { ApiKey } from '../protocol/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import { decodeRequestHeader, encodeResponseHeader, type RequestHeader } from '../protocol/header.js';
import { ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import { apiMessages } from '../protocol/messages/index.js';
import { ProtocolError, Reader, Writer } from '../protocol/primitives.js';
import type { Connection, ResponseFrame } from './connection.js';
import type { BrokerContext } from './context.js';

export interface RequestContext {
  header: RequestHeader;
  /** The request's API version (same as header.apiVersion). */
  version: number;
  conn: Connection;
  broker: BrokerContext;
  /** Runs `fn` once the response is written (at once when there is none): a fetch releases the records it was built from. */
  afterWritten(fn: () => void): void;
}

/** Handles one decoded request; returns the response body, or null for none (acks=0). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (ctx: RequestContext, request: any) => Promise<unknown> | unknown;

/** Thrown by a handler to close the client's connection instead of answering (Kafka's way for failed acks=0 produces). */
export class CloseConnection extends Error {
  override name = 'CloseConnection';
}

export class RequestRouter {
  constructor(
    private readonly broker: BrokerContext,
    private readonly handlers: ReadonlyMap<number, Handler>,
  ) {}

  /** API keys with a handler, and the version range served: what ApiVersions advertises. */
  supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    const out = [];
    for (const apiKey of this.handlers.keys()) {
      const m = apiMessages.get(apiKey);
      if (m) out.push({ apiKey, minVersion: m.minVersion, maxVersion: m.maxVersion });
    }
    return out.sort((a, b) => a.apiKey - b.apiKey);
  }

  readonly handleFrame = async (frame: Buffer, conn: Connection): Promise<ResponseFrame | null> => {
    const r = new Reader(frame);
    const header = decodeRequestHeader(r);
    const { apiKey, apiVersion } = header;
    const api = apiMessages.get(apiKey);
    const handler = this.handlers.get(apiKey);
    if (!api || !handler) throw new ProtocolError(`unknown API key ${apiKey}`);
    if (apiVersion > api.maxVersion && apiKey === ApiKey.ApiVersions) {
      return this.unsupportedApiVersions(header, api.maxVersion);
    }
    if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      throw new ProtocolError(`${api.name} version ${apiVersion} is not supported`);
    }
    const request = api.request.decode(r, apiVersion);
    let afterWritten: (() => void)[] | undefined;
    const written = (): void => {
      for (const fn of afterWritten ?? []) fn();
    };
    const ctx: RequestContext = {
      header, version: apiVersion, conn, broker: this.broker,
      afterWritten: (fn) => (afterWritten ??= []).push(fn),
    };
    try {
      const body = await handler(ctx, request);
      if (body === null || body === undefined) {
        written();
        return null;
      }
      const w = new Writer(512);
      encodeResponseHeader(w, header);
      api.response.encode(w, apiVersion, body);
      return { chunks: w.chunksOut(), written: afterWritten && written };
    } catch (e) {
      // A malformed request is the client's fault; anything else is a bug worth its stack trace.
      if (!(e instanceof ProtocolError || e instanceof CloseConnection)) this.broker.log.error(`${api.name} v${apiVersion} from ${conn.remote} failed: ${(e as Error).stack ?? String(e)}`);
      throw e;
    }
  };

  /** The v0-layout error answer to an ApiVersions version we do not know, listing our range for key 18. */
  private unsupportedApiVersions(header: RequestHeader, max: number): ResponseFrame {
    const w = new Writer(64);
    encodeResponseHeader(w, header);
    ApiVersionsResponse.encode(w, 0, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: max }],
    } as ApiVersionsResponse);
    return { chunks: w.chunksOut() };
  }
}
