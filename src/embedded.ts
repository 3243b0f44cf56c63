// The embedded broker: a real Samsa broker inside the calling Node process,
// for application tests. Same Broker code as `samsa start`; each instance owns
// its port, data dir, timers and files, so several can run side by side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from './broker/broker.js';
import { BrokerConfig } from './broker/config.js';
import { quietLogger, type Logger } from './broker/logger.js';
import { ErrorCode, errorName } from './protocol/errors.js';

export interface EmbeddedTopic {
  name: string;
  /** Defaults to the broker's num.partitions. */
  partitions?: number;
  /** Topic configs, e.g. { 'cleanup.policy': 'compact' }. */
  config?: Record<string, string | number | boolean>;
}

export interface StartBrokerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Data directory; default a fresh temp dir, removed by stop() unless keepData. */
  dataDir?: string;
  keepData?: boolean;
  /** server.properties keys, e.g. { 'num.partitions': 3 }. */
  config?: Record<string, string | number | boolean>;
  /** Topics created before startBroker() resolves. */
  topics?: (string | EmbeddedTopic)[];
  /** Where broker log lines go; default: warnings and errors on stderr. */
  logger?: Logger;
}

export interface EmbeddedBroker {
  /** 'host:port', for a client's bootstrap servers. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  createTopics(...topics: (string | EmbeddedTopic)[]): Promise<void>;
  deleteTopics(...names: string[]): Promise<void>;
  /** Closes sockets, timers and files; removes the temp data dir. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`startBroker: port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  // These come from host, port and dataDir; silently overriding what the caller wrote would mislead.
  for (const key of ['listeners', 'log.dirs', 'log.dir']) {
    if (options.config && key in options.config) throw new Error(`startBroker: config ${key}: use the host, port and dataDir options instead`);
  }
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'samsa-')));
  // A failed start removes its temp dir even with keepData: the caller never learnt its path.
  const removeOwnDir = async (failed: boolean): Promise<void> => {
    if (ownDir && (failed || !options.keepData)) await rm(dataDir, { recursive: true, force: true });
  };
  let broker: Broker;
  try {
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const config = BrokerConfig.parse({
      // Test-friendly defaults a user may still override: no rebalance delay, one replica for internal topics.
      'group.initial.rebalance.delay.ms': 0,
      'offsets.topic.replication.factor': 1,
      ...options.config,
      listeners: `PLAINTEXT://${hostPart}:${port}`,
      'log.dirs': dataDir,
    });
    const logger = options.logger ?? quietLogger(`[samsa ${host}] `);
    for (const w of config.warnings) logger.warn(w);
    broker = await Broker.start(config, logger);
  } catch (e) {
    await removeOwnDir(true);
    throw e;
  }
  const bound = broker.boundListeners[0];
  const createTopics = async (...topics: (string | EmbeddedTopic)[]): Promise<void> => {
    for (const t of topics) {
      const spec = typeof t === 'string' ? { name: t } : t;
      const configs: Record<string, string> = {};
      for (const [k, v] of Object.entries(spec.config ?? {})) configs[k] = String(v);
      const r = await broker.topics.create({ name: spec.name, numPartitions: spec.partitions ?? -1, replicationFactor: -1, configs });
      if (r.errorCode !== ErrorCode.NONE) {
        throw new Error(`createTopics: ${spec.name}: ${errorName(r.errorCode)}${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
      }
    }
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= broker.stop().finally(() => removeOwnDir(false));
    return stopping;
  };
  try {
    await createTopics(...(options.topics ?? []));
  } catch (e) {
    await broker.stop();
    await removeOwnDir(true);
    throw e;
  }
  return {
    bootstrap: `${host.includes(':') ? `[${host}]` : host}:${bound.port}`,
    host,
    port: bound.port,
    dataDir,
    createTopics,
    async deleteTopics(...names: string[]) {
      for (const name of names) {
        const r = await broker.topics.delete(name);
        if (r.errorCode !== ErrorCode.NONE) throw new Error(`deleteTopics: ${name}: ${errorName(r.errorCode)}`);
      }
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
