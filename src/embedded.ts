// The embedded broker: a real Samsa broker inside the calling Node process,
// for application tests. Same Broker code as `samsa start`; each instance owns
// its port, data dir, timers and files, so several can run side by side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from './broker/broker.js';
import { BrokerConfig } from './broker/config.js';
import { quietLogger, type Logger } from './broker/logger.js';
import { checkStartOptions, topicNames, topicSpecs, type TopicSpec } from './embedded-arguments.js';
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
  topics?: readonly (string | EmbeddedTopic)[];
  /** Where broker log lines go; default: warnings and errors on stderr. */
  logger?: Logger;
}

export interface EmbeddedBroker {
  /** 'host:port', for a client's bootstrap servers. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Takes what the topics option takes, one by one or as arrays; checks all of them before creating any. */
  createTopics(...topics: (string | EmbeddedTopic | readonly (string | EmbeddedTopic)[])[]): Promise<void>;
  /** Names one by one or as arrays. */
  deleteTopics(...names: (string | readonly string[])[]): Promise<void>;
  /** Closes sockets, timers and files; removes the temp data dir. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<EmbeddedBroker> {
  // Everything is checked before the temp dir exists, so a bad option leaves nothing to clean up.
  checkStartOptions(options);
  const topics = topicSpecs('startBroker', [options.topics ?? []]);
  const host = options.host ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'samsa-')));
  // A failed start removes its temp dir even with keepData: the caller never learnt its path.
  const removeOwnDir = async (failed: boolean): Promise<void> => {
    if (ownDir && (failed || !options.keepData)) await rm(dataDir, { recursive: true, force: true });
  };
  let broker: Broker;
  try {
    const config = BrokerConfig.parse({
      // Test-friendly defaults a user may still override: no rebalance delay, one replica for internal topics.
      'group.initial.rebalance.delay.ms': 0,
      'offsets.topic.replication.factor': 1,
      ...options.config,
      listeners: `PLAINTEXT://${hostPart}:${options.port ?? 0}`,
      'log.dirs': dataDir,
    });
    const logger = options.logger ?? quietLogger(`[samsa ${host}] `);
    for (const w of config.warnings) logger.warn(w);
    broker = await Broker.start(config, logger);
  } catch (e) {
    await removeOwnDir(true);
    throw e;
  }
  // After stop() its files are closed (a temp dir removed): a late call would fail somewhere inside.
  const checkRunning = (fn: string): void => {
    if (broker.stopping) throw new Error(`${fn}: the broker is stopped`);
  };
  const create = async (specs: readonly TopicSpec[]): Promise<void> => {
    // The broker checks them all first, so a bad config or an existing topic creates none of them.
    for (const validateOnly of [true, false]) {
      for (const s of specs) {
        const r = await broker.topics.create({ name: s.name, numPartitions: s.partitions, replicationFactor: -1, configs: s.configs }, validateOnly);
        if (r.errorCode !== ErrorCode.NONE) {
          throw new Error(`createTopics: ${s.name}: ${errorName(r.errorCode)}${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
        }
      }
    }
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= broker.stop().finally(() => removeOwnDir(false));
    return stopping;
  };
  try {
    await create(topics);
  } catch (e) {
    await broker.stop();
    await removeOwnDir(true);
    throw e;
  }
  return {
    bootstrap: `${hostPart}:${broker.boundListeners[0].port}`,
    host,
    port: broker.boundListeners[0].port,
    dataDir,
    async createTopics(...args) {
      checkRunning('createTopics');
      await create(topicSpecs('createTopics', args));
    },
    async deleteTopics(...args) {
      checkRunning('deleteTopics');
      for (const name of topicNames('deleteTopics', args)) {
        const r = await broker.topics.delete(name);
        if (r.errorCode !== ErrorCode.NONE) throw new Error(`deleteTopics: ${name}: ${errorName(r.errorCode)}`);
      }
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
