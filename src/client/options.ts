// Options shared by the producer, the consumer and the admin client. Each is
// Kafka's client config of the same meaning, camelCased (bootstrapServers is
// bootstrap.servers), with Kafka's default unless said otherwise.
import { KafkaStateError } from './errors.js';

/** Options every client takes. */
export interface ClientOptions {
  /** `bootstrap.servers`: 'host:port', a comma-separated list of them, or an array. Required. */
  bootstrapServers: string | readonly string[];
  /** `client.id`: sent with every request, shown in broker logs and group descriptions. Default 'samsa'. */
  clientId?: string;
  /** `request.timeout.ms`: how long to wait for any answer (and for the bootstrap connection). Default 30000. */
  requestTimeoutMs?: number;
  /** `socket.connection.setup.timeout.ms`: how long one connection attempt may take. Default 10000. */
  connectionTimeoutMs?: number;
  /** `retry.backoff.ms`: pause before retrying a failed request. Default 100. */
  retryBackoffMs?: number;
  /** `metadata.max.age.ms`: cluster metadata is refreshed at least this often. Default 300000. */
  metadataMaxAgeMs?: number;
}

/** ClientOptions with every default filled in and the bootstrap list parsed. */
export interface ResolvedClientOptions {
  bootstrap: { host: string; port: number }[];
  clientId: string;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
}

/** Checks and completes the shared options; throws KafkaStateError naming a bad one. */
export function resolveClientOptions(options: ClientOptions, defaultClientId = 'samsa'): ResolvedClientOptions {
  if (options === null || typeof options !== 'object') throw new KafkaStateError('options must be an object with bootstrapServers', 'INVALID_CONFIG');
  return {
    bootstrap: parseBootstrap(options.bootstrapServers),
    clientId: options.clientId ?? defaultClientId,
    requestTimeoutMs: positive(options.requestTimeoutMs, 'requestTimeoutMs', 30_000),
    connectionTimeoutMs: positive(options.connectionTimeoutMs, 'connectionTimeoutMs', 10_000),
    retryBackoffMs: nonNegative(options.retryBackoffMs, 'retryBackoffMs', 100),
    metadataMaxAgeMs: positive(options.metadataMaxAgeMs, 'metadataMaxAgeMs', 300_000),
  };
}

function parseBootstrap(servers: string | readonly string[] | undefined): { host: string; port: number }[] {
  if (servers === undefined || servers === null) throw new KafkaStateError('bootstrapServers is required', 'INVALID_CONFIG');
  const list = (typeof servers === 'string' ? servers.split(',') : [...servers]).map((s) => String(s).trim()).filter((s) => s !== '');
  if (list.length === 0) throw new KafkaStateError('bootstrapServers names no server', 'INVALID_CONFIG');
  return list.map((entry) => {
    // 'host:port', '[v6addr]:port'
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(entry);
    const port = m ? Number(m[2]) : NaN;
    if (!m || m[1] === '' || port < 1 || port > 65535) {
      throw new KafkaStateError(`bootstrapServers entry '${entry}' is not host:port`, 'INVALID_CONFIG');
    }
    return { host: m[1], port };
  });
}

/** `value` if given (a finite number > 0), else `fallback`. */
export function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new KafkaStateError(`${name} must be a positive number, got ${String(value)}`, 'INVALID_CONFIG');
  }
  return value;
}

/** `value` if given (a finite number >= 0), else `fallback`. */
export function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KafkaStateError(`${name} must be a number >= 0, got ${String(value)}`, 'INVALID_CONFIG');
  }
  return value;
}

/** `value` if it is one of `allowed`, else `fallback` when undefined; throws otherwise. */
export function oneOf<T>(value: T | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new KafkaStateError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`, 'INVALID_CONFIG');
  }
  return value;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
