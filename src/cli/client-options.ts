// Client settings for the commands, the way Kafka's tools take them: a
// properties file (--command-config, --producer.config, --consumer.config),
// repeatable k=v options (--producer-property, --consumer-property) and
// --bootstrap-server, in Kafka's dotted key names, turned into the client's
// camelCase options. Also a bounded first connect, so an unreachable broker
// is a clear error rather than a long wait.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { Admin, type AdminOptions, type ClientOptions, type ConsumerOptions, type ProducerOptions } from '../client/index.js';
import { resolveClientOptions, sleep } from '../client/options.js';
import { parseProperties } from '../cluster/properties.js';
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';

export const BOOTSTRAP_SERVER_OPTION: OptionSpec = {
  name: 'bootstrap-server', kind: 'string', valueName: 'String: server to connect to',
  describe: 'The Kafka server to connect to: host:port, or a comma-separated list.',
};

export const COMMAND_CONFIG_OPTION: OptionSpec = {
  name: 'command-config', kind: 'string', valueName: 'String: command config property file',
  describe: 'Property file containing configs to be passed to the client (Kafka\'s key names).',
};

/** Which options hold properties files and which hold k=v pairs (later sources win; --bootstrap-server wins over all). */
export interface PropertySources {
  files: string[];
  pairs?: string[];
}

/** The client properties from the command line: files, then k=v pairs, then --bootstrap-server. */
export async function readClientProperties(args: ParsedArgs, sources: PropertySources = { files: ['command-config'] }): Promise<Map<string, string>> {
  const props = new Map<string, string>();
  for (const option of sources.files) {
    const file = args.string(option);
    if (file === undefined) continue;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`option --${option}: cannot read '${file}': ${(e as Error).message}`);
    }
    for (const [k, v] of parseProperties(text)) props.set(k, v);
  }
  for (const option of sources.pairs ?? []) {
    for (const pair of args.list(option)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`option --${option}: '${pair}' is not key=value`);
      props.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  const bootstrap = args.defines('bootstrap-server') ? args.string('bootstrap-server') : undefined;
  if (bootstrap !== undefined) props.set('bootstrap.servers', bootstrap);
  if (!props.has('bootstrap.servers')) throw new UsageError('missing required option --bootstrap-server');
  return props;
}

type Scope = 'common' | 'producer' | 'consumer';
type Parse = (value: string, key: string) => unknown;

const text: Parse = (v) => v;
const int: Parse = (v, key) => {
  if (!/^[+-]?\d+$/.test(v)) throw new Error(`client config ${key}: '${v}' is not an integer`);
  return Number(v);
};
const bool: Parse = (v, key) => {
  const lower = v.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new Error(`client config ${key}: '${v}' is not true or false`);
  return lower === 'true';
};
const oneOf = (...allowed: string[]): Parse => (v, key) => {
  const lower = v.toLowerCase();
  if (!allowed.includes(lower)) throw new Error(`client config ${key}: '${v}' is not one of ${allowed.join(', ')}`);
  return lower;
};
const acks: Parse = (v, key) => {
  if (v === 'all' || v === '-1') return 'all';
  if (v === '0' || v === '1') return Number(v);
  throw new Error(`client config ${key}: '${v}' is not all, -1, 0 or 1`);
};
// Kafka names assignors by class; the short names are accepted too.
const ASSIGNORS: Record<string, string> = {
  'org.apache.kafka.clients.consumer.rangeassignor': 'range', range: 'range',
  'org.apache.kafka.clients.consumer.roundrobinassignor': 'roundrobin', roundrobin: 'roundrobin',
  'org.apache.kafka.clients.consumer.cooperativestickyassignor': 'cooperative-sticky', 'cooperative-sticky': 'cooperative-sticky',
};
const assignors: Parse = (v, key) => v.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
  const name = ASSIGNORS[s.toLowerCase()];
  if (!name) throw new Error(`client config ${key}: assignor '${s}' is not supported`);
  return name;
});

/** Kafka client key → the client option of the same meaning. A null field is accepted and has no effect here. */
const KEYS: Record<string, { scope: Scope; field: string | null; parse: Parse }> = {
  'bootstrap.servers': { scope: 'common', field: 'bootstrapServers', parse: text },
  'client.id': { scope: 'common', field: 'clientId', parse: text },
  'request.timeout.ms': { scope: 'common', field: 'requestTimeoutMs', parse: int },
  'default.api.timeout.ms': { scope: 'common', field: 'requestTimeoutMs', parse: int },
  'socket.connection.setup.timeout.ms': { scope: 'common', field: 'connectionTimeoutMs', parse: int },
  'retry.backoff.ms': { scope: 'common', field: 'retryBackoffMs', parse: int },
  'metadata.max.age.ms': { scope: 'common', field: 'metadataMaxAgeMs', parse: int },
  'security.protocol': { scope: 'common', field: null, parse: oneOf('plaintext') },
  acks: { scope: 'producer', field: 'acks', parse: acks },
  'compression.type': { scope: 'producer', field: 'compression', parse: oneOf('none', 'gzip', 'snappy', 'lz4', 'zstd') },
  'linger.ms': { scope: 'producer', field: 'lingerMs', parse: int },
  'batch.size': { scope: 'producer', field: 'batchSize', parse: int },
  'buffer.memory': { scope: 'producer', field: 'bufferMemory', parse: int },
  'max.block.ms': { scope: 'producer', field: 'maxBlockMs', parse: int },
  'max.request.size': { scope: 'producer', field: 'maxRequestSize', parse: int },
  retries: { scope: 'producer', field: 'retries', parse: int },
  'delivery.timeout.ms': { scope: 'producer', field: 'deliveryTimeoutMs', parse: int },
  'max.in.flight.requests.per.connection': { scope: 'producer', field: 'maxInFlightRequestsPerConnection', parse: int },
  'enable.idempotence': { scope: 'producer', field: 'idempotent', parse: bool },
  'transactional.id': { scope: 'producer', field: 'transactionalId', parse: text },
  'transaction.timeout.ms': { scope: 'producer', field: 'transactionTimeoutMs', parse: int },
  'group.id': { scope: 'consumer', field: 'groupId', parse: text },
  'group.instance.id': { scope: 'consumer', field: 'groupInstanceId', parse: text },
  'auto.offset.reset': { scope: 'consumer', field: 'autoOffsetReset', parse: oneOf('earliest', 'latest', 'none') },
  'enable.auto.commit': { scope: 'consumer', field: 'enableAutoCommit', parse: bool },
  'auto.commit.interval.ms': { scope: 'consumer', field: 'autoCommitIntervalMs', parse: int },
  'session.timeout.ms': { scope: 'consumer', field: 'sessionTimeoutMs', parse: int },
  'heartbeat.interval.ms': { scope: 'consumer', field: 'heartbeatIntervalMs', parse: int },
  'max.poll.interval.ms': { scope: 'consumer', field: 'maxPollIntervalMs', parse: int },
  'max.poll.records': { scope: 'consumer', field: 'maxPollRecords', parse: int },
  'fetch.min.bytes': { scope: 'consumer', field: 'fetchMinBytes', parse: int },
  'fetch.max.wait.ms': { scope: 'consumer', field: 'fetchMaxWaitMs', parse: int },
  'fetch.max.bytes': { scope: 'consumer', field: 'fetchMaxBytes', parse: int },
  'max.partition.fetch.bytes': { scope: 'consumer', field: 'maxPartitionFetchBytes', parse: int },
  'isolation.level': { scope: 'consumer', field: 'isolationLevel', parse: oneOf('read_uncommitted', 'read_committed') },
  'partition.assignment.strategy': { scope: 'consumer', field: 'partitionAssignors', parse: assignors },
};
// allow.auto.create.topics means the same to both.
const AUTO_CREATE = { field: 'allowAutoTopicCreation', parse: bool };

/** Options for `scope` from Kafka-named properties; an unknown key, or one of another client, stops naming it. */
function toOptions(props: ReadonlyMap<string, string>, scope: 'admin' | 'producer' | 'consumer'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of props) {
    const entry = key === 'allow.auto.create.topics' && scope !== 'admin' ? { scope, ...AUTO_CREATE } : KEYS[key];
    if (!entry || (entry.scope !== 'common' && entry.scope !== scope)) {
      throw new Error(`client config ${key} is unknown or not supported by the ${scope} client`);
    }
    const parsed = entry.parse(value, key);
    if (entry.field) out[entry.field] = parsed;
  }
  return out;
}

export function adminOptions(props: ReadonlyMap<string, string>): AdminOptions {
  return toOptions(props, 'admin') as unknown as AdminOptions;
}

export function producerOptions(props: ReadonlyMap<string, string>): ProducerOptions {
  return toOptions(props, 'producer') as unknown as ProducerOptions;
}

export function consumerOptions(props: ReadonlyMap<string, string>): ConsumerOptions {
  return toOptions(props, 'consumer') as unknown as ConsumerOptions;
}

/**
 * Waits until a TCP connection to some bootstrap server opens, for at most the client's
 * connectionTimeoutMs (socket.connection.setup.timeout.ms, 10 s by default); then throws
 * `could not reach the broker at <addr> within <N> ms`.
 */
export async function ensureReachable(options: ClientOptions): Promise<void> {
  const resolved = resolveClientOptions(options);
  const limit = resolved.connectionTimeoutMs;
  const deadline = Date.now() + limit;
  for (let round = 1; ; round++) {
    for (const { host, port } of resolved.bootstrap) {
      if (await canConnect(host, port, deadline - Date.now())) return;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(left, 100 * Math.min(round, 10)));
  }
  const addresses = resolved.bootstrap.map((b) => `${b.host}:${b.port}`).join(', ');
  throw new Error(`could not reach the broker at ${addresses} within ${limit} ms`);
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  if (timeoutMs <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Runs `fn` with an admin client built from the command line (after a bounded connect), closing it after;
 * `overrides` win over the properties (e.g. a tool's --timeout as requestTimeoutMs); `sources` names the
 * options holding properties (default: --command-config).
 */
export async function withAdmin<T>(args: ParsedArgs, fn: (admin: Admin) => Promise<T>, overrides: Partial<AdminOptions> = {}, sources?: PropertySources): Promise<T> {
  const options = { ...adminOptions(await readClientProperties(args, sources)), ...overrides };
  await ensureReachable(options);
  const admin = new Admin(options);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}
