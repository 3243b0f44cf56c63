// What a request handler can reach: one broker's services. Handlers get it
// through the RequestContext; nothing is process-wide.
import type { Controller } from '../cluster/controller.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import type { ReplicaManager } from '../cluster/replica-manager.js';
import type { GroupCoordinator } from '../coordinator/group/index.js';
import type { TransactionCoordinator } from '../coordinator/transaction/index.js';
import type { FrameMemory } from '../protocol/frame-memory.js';
import type { LogManager } from '../storage/log-manager.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { ConfigAdmin } from './config-admin.js';
import type { BrokerConfig } from './config.js';
import type { DelayedFetches } from './delayed-fetches.js';
import type { PartitionWaits } from './partition-waits.js';
import type { FetchSessionCache } from './fetch-sessions.js';
import type { Logger } from './logger.js';
import type { TopicService } from './topics.js';
import type { TxnVerification } from './txn-verification.js';

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly metadata: MetadataStore;
  /** Cluster mode: the controller candidacy (active while this broker is the controller). */
  readonly controller: Controller | undefined;
  readonly topics: TopicService;
  /** Consumer groups and committed offsets. */
  readonly groups: GroupCoordinator;
  /** Producer ids and transactions. */
  readonly transactions: TransactionCoordinator;
  /** Asks the transaction coordinator about transactional writes before they start a transaction in a partition. */
  readonly txnVerification: TxnVerification;
  readonly logs: LogManager;
  /** Large request frames' buffers: a fetch response releases the views of them it was written from. */
  readonly frameMemory: FrameMemory;
  /** Topic and broker configs through the admin APIs. */
  readonly configAdmin: ConfigAdmin;
  /** Which partitions this broker leads or follows; the leaders' high watermarks and ISRs. */
  readonly replicas: ReplicaManager;
  /** Consumer fetches waiting for the high watermark to advance. */
  readonly delayedFetches: DelayedFetches<PartitionLog>;
  /** Followers' fetches waiting for appends. */
  readonly delayedReplicaFetches: DelayedFetches<PartitionLog>;
  /** acks=all produces waiting for the in-sync replicas. */
  readonly delayedProduces: PartitionWaits<PartitionLog>;
  /** DeleteRecords waiting until every live replica's log starts at the offset asked for. */
  readonly delayedDeleteRecords: PartitionWaits<PartitionLog>;
  readonly fetchSessions: FetchSessionCache;
  readonly log: Logger;
  /** API keys and version ranges this broker serves (ApiVersions). */
  supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[];
  /** True once stop() began: waits end at once. */
  readonly stopping: boolean;
}
