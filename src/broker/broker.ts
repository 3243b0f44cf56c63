// One broker: storage, metadata, request handling and listeners, owned by
// this object alone. `samsa start` and the embedded broker both run it.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { checkLogger, describeValue } from '../arguments.js';
import { LOCAL_METADATA_FILE, LocalMetadataStore } from '../cluster/local-metadata-store.js';
import { BrokerChannel } from '../cluster/broker-channel.js';
import { Controller } from '../cluster/controller.js';
import { MetaPropertiesError, loadOrCreateMetaProperties, storedClusterId } from '../cluster/meta-properties.js';
import { refuseMixedCluster } from '../cluster/mixed-cluster.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import { ReplicaManager, type ReplicationConfig } from '../cluster/replica-manager.js';
import { ZkMetadataStore } from '../cluster/zk-metadata-store.js';
import { GroupCoordinator, OFFSETS_TOPIC, groupCoordinatorConfig } from '../coordinator/group/index.js';
import {
  FileProducerIdBlockStore, LocalTxnPartitionVerifier, type ProducerIdBlockStore, ProducerIdManager, TRANSACTION_STATE_TOPIC,
  TransactionCoordinator, ZkProducerIdBlockStore, transactionCoordinatorConfig,
} from '../coordinator/transaction/index.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import { ApiKey } from '../protocol/api-keys.js';
import { FrameMemory } from '../protocol/frame-memory.js';
import type { ControlledShutdownResponse } from '../protocol/messages/controlled-shutdown.js';
import { decompress } from '../protocol/records/compression.js';
import type { CleanerConfig } from '../storage/cleaner/log-cleaner.js';
import { LogManager } from '../storage/log-manager.js';
import { logConfigFor } from '../storage/topic-config.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { BrokerConfig } from './config.js';
import { ConfigAdmin, loadDynamicBrokerConfigs } from './config-admin.js';
import type { BrokerContext } from './context.js';
import { DelayedFetches } from './delayed-fetches.js';
import { PartitionWaits } from './partition-waits.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { HANDLERS } from './handlers/index.js';
import type { Logger } from './logger.js';
import { RequestRouter } from './router.js';
import { NetworkServer } from './server.js';
import { TopicService } from './topics.js';
import { LocalTxnMarkerWriter } from './txn-markers.js';
import { TxnVerification } from './txn-verification.js';
import { CoordinatorLeadership } from './coordinator-leadership.js';
import { ClusterTxnMarkerWriter } from './cluster-txn-markers.js';
import { ClusterTxnPartitionVerifier } from './cluster-txn-verification.js';

/** How long stop() lets in-flight requests finish before closing their connections. */
const STOP_GRACE_MS = 5_000;
/** Released request-frame memory kept for the next large requests: as much as the tail cache keeps (log-manager.ts). */
const FREE_FRAME_BYTES = 64 * 1024 * 1024;

export class Broker implements BrokerContext {
  /** Consumer fetches, woken as the high watermark advances. */
  readonly delayedFetches = new DelayedFetches<PartitionLog>();
  /** Followers' fetches, woken by appends. */
  readonly delayedReplicaFetches = new DelayedFetches<PartitionLog>();
  readonly delayedProduces: PartitionWaits<PartitionLog>;
  readonly delayedDeleteRecords: PartitionWaits<PartitionLog>;
  readonly replicas: ReplicaManager;
  readonly fetchSessions: FetchSessionCache;
  /** The transaction coordinator's markers to other brokers, and this broker's verifications with other coordinators. */
  private readonly txnChannel: BrokerChannel;
  private readonly router: RequestRouter;
  private readonly server: NetworkServer;
  private stopPromise: Promise<void> | null = null;

  private constructor(
    readonly config: BrokerConfig,
    readonly log: Logger,
    readonly clusterId: string,
    readonly logs: LogManager,
    readonly metadata: MetadataStore,
    /** Large request frames' buffers, reused once produced records leave the tail cache. */
    readonly frameMemory: FrameMemory,
  ) {
    this.fetchSessions = new FetchSessionCache(config.int('max.incremental.fetch.session.cache.slots'));
    this.txnChannel = new BrokerChannel(metadata, { clientId: `broker-${config.nodeId}-txn`, requestTimeoutMs: config.int('request.timeout.ms') });
    this.replicas = new ReplicaManager({
      nodeId: config.nodeId,
      metadata,
      config: replicationConfig(config),
      openLog: (topic, partition) => {
        this.topics.openLogs(topic);
        return logs.getLog(topic.name, partition);
      },
      minInsyncReplicas: (topic) => this.topics.insyncReplicas(topic, 0).minIsr,
      quotaSettings: (side) => ({
        rate: config.int(`${side}.replication.throttled.rate`),
        samples: config.int('replication.quota.window.num'),
        windowMs: config.int('replication.quota.window.size.seconds') * 1000,
      }),
      onHighWatermark: (l, bytes) => {
        this.delayedFetches.notifyAppend(l, bytes);
        this.delayedProduces.notify(l);
      },
      onLogEnd: (l, bytes) => this.delayedReplicaFetches.notifyAppend(l, bytes),
      onFollowerLogStart: (l) => this.delayedDeleteRecords.notify(l),
      onLeadershipChange: (l) => {
        this.delayedFetches.completeWatching(l);
        this.delayedReplicaFetches.completeWatching(l);
        this.delayedProduces.notify(l);
        this.delayedDeleteRecords.notify(l);
      },
      log,
    });
    this.delayedProduces = new PartitionWaits((l, requiredOffset) => this.replicas.checkReplication(l, requiredOffset));
    this.delayedDeleteRecords = new PartitionWaits((l, requiredOffset) => this.replicas.checkLowWatermark(l, requiredOffset));
    this.topics = new TopicService(config, metadata, logs, log, (topic) => this.groups.topicDeleted(topic));
    // Consumer groups: state in the __consumer_offsets logs; appends wake fetches like produce does.
    this.groups = new GroupCoordinator({
      config: groupCoordinatorConfig((k) => config.int(k), metadata.topic(OFFSETS_TOPIC)?.partitions.length),
      offsetsLog: (p) => logs.getLog(OFFSETS_TOPIC, p),
      afterAppend: (l, bytes, lastOffset) => this.coordinatorAppended(l, bytes, lastOffset),
      partitionExists: (t, p) => metadata.topic(t)?.partitions[p] !== undefined,
      verifyTransaction: (l, txn, sequence) => this.txnVerification.start(l, txn, sequence),
      log,
    });
    // Transactions: state in the __transaction_state logs; markers go to the local logs.
    this.transactions = new TransactionCoordinator({
      config: transactionCoordinatorConfig((k) => config.int(k), metadata.topic(TRANSACTION_STATE_TOPIC)?.partitions.length),
      producerIds: new ProducerIdManager(producerIdBlockStore(metadata, config.logDirs[0]), config.nodeId, (m) => log.warn(m)),
      // In a cluster, markers for partitions led elsewhere go to their leaders.
      markers: metadata.clustered
        ? new ClusterTxnMarkerWriter(config.nodeId, metadata, new LocalTxnMarkerWriter(this), this.txnChannel, log)
        : new LocalTxnMarkerWriter(this),
      transactionLog: (p) => logs.getLog(TRANSACTION_STATE_TOPIC, p),
      afterAppend: (l, bytes, lastOffset) => this.coordinatorAppended(l, bytes, lastOffset),
      partitionExists: (t, p) => metadata.topic(t)?.partitions[p] !== undefined,
      log,
    });
    // The transactional id's coordinator verifies transactional writes: this broker's, or in a cluster another one.
    const localVerifier = new LocalTxnPartitionVerifier(this.transactions);
    this.txnVerification = new TxnVerification(
      metadata.clustered
        ? new ClusterTxnPartitionVerifier(config.nodeId, metadata, (id) => this.transactions.partitionFor(id), localVerifier, this.txnChannel, log)
        : localVerifier,
      () => config.bool('transaction.partition.verification.enable'));
    this.coordinatorLeadership = new CoordinatorLeadership(this.groups, this.transactions);
    if (metadata instanceof ZkMetadataStore) {
      this.controller = new Controller({
        store: metadata,
        nodeId: config.nodeId,
        log,
        uncleanLeaderElection: (topic) => (metadata.topic(topic)?.configs['unclean.leader.election.enable'] as boolean | undefined)
          ?? config.bool('unclean.leader.election.enable'),
        leaderRebalance: config.bool('auto.leader.rebalance.enable')
          ? { intervalMs: config.int('leader.imbalance.check.interval.seconds') * 1000, imbalancePercentage: config.int('leader.imbalance.per.broker.percentage') }
          : undefined,
      });
    }
    this.router = new RequestRouter(this, HANDLERS);
    this.server = new NetworkServer(config.int('socket.request.max.bytes'), this.router.handleFrame, frameMemory, (m) => log.warn(m));
  }

  readonly topics: TopicService;
  /** Cluster mode: this broker's candidacy for controller, and the controller's work while elected. */
  readonly controller: Controller | undefined;
  readonly configAdmin: ConfigAdmin = new ConfigAdmin(this);
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  readonly txnVerification: TxnVerification;
  /** Loads and unloads coordinator partitions as this broker's leadership changes. */
  readonly coordinatorLeadership: CoordinatorLeadership;

  /**
   * A coordinator's write is in the log: NONE once it is replicated, as the coordinators append
   * with acks=all. Single node: the log is the whole ISR, so at once.
   */
  private coordinatorAppended(l: PartitionLog, bytes: number, lastOffset: number): number | Promise<number> {
    this.replicas.afterLeaderAppend(l, bytes);
    return this.delayedProduces.await(l, lastOffset + 1, this.config.int('offsets.commit.timeout.ms'));
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get stopping(): boolean {
    return this.stopPromise !== null;
  }

  supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return this.router.supportedApis();
  }

  /** Opens storage and metadata, then listens. Rejects (with everything closed again) if any step fails. */
  static async start(config: BrokerConfig, log: Logger): Promise<Broker> {
    if (!(config instanceof BrokerConfig)) throw new TypeError(`Broker.start: config must come from BrokerConfig.parse(), got ${describeValue(config)}`);
    checkLogger('Broker.start: log', log);
    const started = Date.now();
    const dirs = config.logDirs;
    for (const d of dirs) await mkdir(d, { recursive: true });
    const { clusterId, metadata } = await openMetadata(config, log);
    // Dynamic broker configs count from the start: they are the defaults of the logs about to open.
    loadDynamicBrokerConfigs({ config, metadata, nodeId: config.nodeId, log });
    const frameMemory = new FrameMemory(FREE_FRAME_BYTES);
    const logs = await LogManager.open({
      logDirs: dirs,
      frameMemory,
      configFor: (topic) => logConfigFor(config.topicDefaults(), metadata.topic(topic)?.configs ?? {}),
      maxOpenFiles: config.int('samsa.log.open.files.max'),
      recoveryCheckpointIntervalMs: config.int('log.flush.offset.checkpoint.interval.ms'),
      highWatermarkCheckpointIntervalMs: config.int('replica.high.watermark.checkpoint.interval.ms'),
      producerIdExpirationMs: config.int('producer.id.expiration.ms'),
      producerIdExpirationCheckIntervalMs: config.int('producer.id.expiration.check.interval.ms'),
      retentionCheckIntervalMs: config.int('log.retention.check.interval.ms'),
      initialTaskDelayMs: config.int('log.initial.task.delay.ms'),
      cleaner: cleanerConfig(config),
      decompress,
      onBackgroundError: (e) => log.error(`background storage task failed: ${(e as Error).message}`),
    });
    let broker: Broker | undefined;
    try {
      broker = new Broker(config, log, clusterId, logs, metadata, frameMemory);
      if (!metadata.clustered) await broker.topics.adoptOrphanLogs();
      for (const topic of metadata.topics()) broker.topics.openLogs(topic);
      // Leads or follows each partition; a partition led alone has its high watermark at its log end.
      broker.replicas.start();
      await broker.transactions.start();
      broker.replicas.addLeadershipListener(broker.coordinatorLeadership);
      await broker.coordinatorLeadership.settled();
      await broker.server.listen(config.listeners);
      await metadata.registerBroker(broker.advertised());
      // Only once registered, so that a broker refused (its broker.id taken) deletes nothing.
      if (metadata.clustered) await broker.topics.deleteStrayLogs();
      broker.controller?.start();
    } catch (e) {
      if (broker) await broker.stop().catch(() => {});
      else await logs.close().catch(() => {});
      throw e;
    }
    for (const l of broker.server.bound) {
      log.info(`listening on ${l.name}://${l.host || '0.0.0.0'}:${l.boundPort}`);
    }
    log.info(`started broker ${config.nodeId} (cluster ${clusterId}) in ${Date.now() - started} ms`);
    return broker;
  }

  /** The first advertised listener, with the bound port when the configured one was 0. */
  private advertised(): { nodeId: number; host: string; port: number; rack: string | null } {
    const adv = this.config.advertisedListeners[0];
    const bound = this.server.bound.find((b) => b.name === adv.name);
    const port = adv.port === 0 && bound ? bound.boundPort : adv.port;
    const host = adv.host || bound?.host || hostname();
    return { nodeId: this.nodeId, host, port, rack: this.config.get('broker.rack') as string | null };
  }

  /** The ports actually bound, by listener name. */
  get boundListeners(): { name: string; host: string; port: number }[] {
    return this.server.bound.map((b) => ({ name: b.name, host: b.host, port: b.boundPort }));
  }

  /** Stops accepting, answers in-flight requests, flushes logs and writes checkpoints. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    if (this.metadata.clustered && this.config.bool('controlled.shutdown.enable')) await moveLeadershipAway(this);
    this.replicas.close();
    this.delayedFetches.completeAll();
    this.delayedReplicaFetches.completeAll();
    this.delayedProduces.completeAll(ErrorCode.REQUEST_TIMED_OUT);
    this.delayedDeleteRecords.completeAll(ErrorCode.REQUEST_TIMED_OUT);
    // Before the server drains: parked JoinGroup/SyncGroup requests get their answer now.
    this.controller?.close();
    this.groups.close();
    this.transactions.close();
    this.txnChannel.close();
    await this.server.close(STOP_GRACE_MS);
    await this.metadata.close();
    await this.logs.close();
  }
}

/**
 * Where producer id blocks are claimed: in a cluster, ZooKeeper's /latest_producer_id_block, which
 * every broker shares (through the store's current session); alone, a file in the first log dir.
 */
function producerIdBlockStore(metadata: MetadataStore, dir: string): ProducerIdBlockStore {
  if (metadata instanceof ZkMetadataStore) return new ZkProducerIdBlockStore(() => metadata.zk);
  return new FileProducerIdBlockStore(dir);
}

/**
 * Cluster mode, before stopping (KafkaServer.controlledShutdown): asks the controller to move the
 * leadership of this broker's partitions elsewhere, controlled.shutdown.max.retries more times
 * while some remain; then stops regardless, as Kafka does.
 */
async function moveLeadershipAway(broker: Broker): Promise<void> {
  const { config, metadata, log, nodeId } = broker;
  const retries = config.int('controlled.shutdown.max.retries');
  const channel = new BrokerChannel(metadata, { clientId: `broker-${nodeId}-controlled-shutdown`, requestTimeoutMs: config.int('replica.socket.timeout.ms') });
  const brokerEpoch = metadata.liveBrokers().find((b) => b.nodeId === nodeId)?.epoch ?? -1;
  broker.replicas.stopFollowing();
  try {
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      let outcome: string;
      try {
        const controllerId = metadata.controllerId();
        let remaining: number | undefined;
        if (controllerId === nodeId && broker.controller?.isActive) {
          remaining = (await broker.controller.controlledShutdown(nodeId)).remaining.length;
        } else if (controllerId >= 0) {
          const r = await channel.request<ControlledShutdownResponse>(controllerId, ApiKey.ControlledShutdown, { brokerId: nodeId, brokerEpoch });
          if (r.errorCode === ErrorCode.NONE) remaining = r.remainingPartitions.length;
          else outcome = `the controller answered ${errorName(r.errorCode)}`;
        }
        if (remaining === 0) {
          log.info('controlled shutdown succeeded: other replicas lead this broker\'s partitions');
          return;
        }
        outcome = remaining === undefined ? (controllerId < 0 ? 'no controller' : 'failed') : `${remaining} partition(s) have no other in-sync replica to lead them`;
      } catch (e) {
        outcome = (e as Error).message;
      }
      log.warn(`controlled shutdown attempt ${attempt} of ${retries + 1}: ${outcome}`);
      if (attempt <= retries) await new Promise((resolve) => setTimeout(resolve, config.int('controlled.shutdown.retry.backoff.ms')));
    }
    log.warn('proceeding to an unclean shutdown as all the controlled shutdown attempts failed');
  } finally {
    channel.close();
  }
}

/**
 * The metadata store and cluster id: with zookeeper.connect, the cluster's (meta.properties must
 * agree with ZooKeeper's cluster id); else a local file, with the id meta.properties holds or gets.
 */
async function openMetadata(config: BrokerConfig, log: Logger): Promise<{ clusterId: string; metadata: MetadataStore }> {
  const dirs = config.logDirs;
  const connect = config.get('zookeeper.connect') as string | null;
  if (connect === null) {
    const clusterId = await loadOrCreateMetaProperties(dirs, config.nodeId);
    return { clusterId, metadata: await LocalMetadataStore.open(dirs[0], clusterId, config.nodeId) };
  }
  // A single node's topics are in its own file, not in ZooKeeper: every partition would look stray and be deleted.
  const single = dirs.find((d) => existsSync(join(d, LOCAL_METADATA_FILE)));
  if (single !== undefined) {
    throw new MetaPropertiesError(`${join(single, LOCAL_METADATA_FILE)} says this log dir belongs to a single-node Samsa broker, whose topics `
      + 'are not in ZooKeeper; it cannot join a cluster with zookeeper.connect. Nothing was changed.');
  }
  const sessionTimeoutMs = config.int('zookeeper.session.timeout.ms');
  const store = await ZkMetadataStore.open({
    connect,
    sessionTimeoutMs,
    connectionTimeoutMs: (config.get('zookeeper.connection.timeout.ms') as number | null) ?? sessionTimeoutMs,
    nodeId: config.nodeId,
    log,
  }, await storedClusterId(dirs));
  try {
    refuseMixedCluster(store.kafkaBrokers(), connect);
    return { clusterId: await loadOrCreateMetaProperties(dirs, config.nodeId, store.clusterId), metadata: store };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** replica.*: how followers fetch and when the leader drops them from the ISR. */
function replicationConfig(config: BrokerConfig): ReplicationConfig {
  return {
    fetchMaxBytes: config.int('replica.fetch.max.bytes'),
    fetchMinBytes: config.int('replica.fetch.min.bytes'),
    fetchWaitMaxMs: config.int('replica.fetch.wait.max.ms'),
    fetchBackoffMs: config.int('replica.fetch.backoff.ms'),
    fetchResponseMaxBytes: config.int('replica.fetch.response.max.bytes'),
    lagTimeMaxMs: config.int('replica.lag.time.max.ms'),
    numFetchers: config.int('num.replica.fetchers'),
    socketTimeoutMs: config.int('replica.socket.timeout.ms'),
  };
}

/** log.cleaner.*: the log cleaner's settings, or undefined when log.cleaner.enable is false or no thread is configured. */
function cleanerConfig(config: BrokerConfig): CleanerConfig | undefined {
  if (!config.bool('log.cleaner.enable') || config.int('log.cleaner.threads') === 0) return undefined;
  return {
    threads: config.int('log.cleaner.threads'),
    dedupeBufferSize: config.int('log.cleaner.dedupe.buffer.size'),
    ioBufferSize: config.int('log.cleaner.io.buffer.size'),
    ioBufferLoadFactor: config.get('log.cleaner.io.buffer.load.factor') as number,
    backoffMs: config.int('log.cleaner.backoff.ms'),
    pauseAt: (config.get('samsa.test.cleaner.pause.at') as string | null) ?? undefined,
  };
}
