// API key → handler. One module per API; what is listed here is what
// ApiVersions advertises.
import { ApiKey } from '../../protocol/api-keys.js';
import type { Handler } from '../router.js';
import { handleAlterReplicaLogDirs } from './alter-replica-log-dirs.js';
import { handleAlterPartitionReassignments } from './alter-partition-reassignments.js';
import { handleAddOffsetsToTxn } from './add-offsets-to-txn.js';
import { handleAddPartitionsToTxn } from './add-partitions-to-txn.js';
import { handleApiVersions } from './api-versions.js';
import { handleCreatePartitions } from './create-partitions.js';
import { handleAlterConfigs } from './alter-configs.js';
import { handleCreateTopics } from './create-topics.js';
import { handleControlledShutdown } from './controlled-shutdown.js';
import { handleDeleteGroups } from './delete-groups.js';
import { handleElectLeaders } from './elect-leaders.js';
import { handleDeleteRecords } from './delete-records.js';
import { handleDeleteTopics } from './delete-topics.js';
import { handleDescribeCluster } from './describe-cluster.js';
import { handleDescribeConfigs } from './describe-configs.js';
import { handleDescribeGroups } from './describe-groups.js';
import { handleDescribeProducers } from './describe-producers.js';
import { handleDescribeTransactions } from './describe-transactions.js';
import { handleEndTxn } from './end-txn.js';
import { handleDescribeLogDirs } from './describe-log-dirs.js';
import { handleFetch } from './fetch.js';
import { handleFindCoordinator } from './find-coordinator.js';
import { handleHeartbeat } from './heartbeat.js';
import { handleIncrementalAlterConfigs } from './incremental-alter-configs.js';
import { handleInitProducerId } from './init-producer-id.js';
import { handleJoinGroup } from './join-group.js';
import { handleLeaveGroup } from './leave-group.js';
import { handleListGroups } from './list-groups.js';
import { handleListOffsets } from './list-offsets.js';
import { handleListPartitionReassignments } from './list-partition-reassignments.js';
import { handleListTransactions } from './list-transactions.js';
import { handleMetadata } from './metadata.js';
import { handleOffsetCommit } from './offset-commit.js';
import { handleOffsetDelete } from './offset-delete.js';
import { handleOffsetFetch } from './offset-fetch.js';
import { handleOffsetForLeaderEpoch } from './offset-for-leader-epoch.js';
import { handleProduce } from './produce.js';
import { handleSyncGroup } from './sync-group.js';
import { handleWriteTxnMarkers } from './write-txn-markers.js';
import { handleTxnOffsetCommit } from './txn-offset-commit.js';

export const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [ApiKey.Produce, handleProduce],
  [ApiKey.Fetch, handleFetch],
  [ApiKey.ListOffsets, handleListOffsets],
  [ApiKey.OffsetForLeaderEpoch, handleOffsetForLeaderEpoch],
  [ApiKey.Metadata, handleMetadata],
  [ApiKey.ApiVersions, handleApiVersions],
  [ApiKey.CreateTopics, handleCreateTopics],
  [ApiKey.DeleteTopics, handleDeleteTopics],
  [ApiKey.DeleteRecords, handleDeleteRecords],
  [ApiKey.CreatePartitions, handleCreatePartitions],
  [ApiKey.DescribeCluster, handleDescribeCluster],
  // Log dirs.
  [ApiKey.AlterReplicaLogDirs, handleAlterReplicaLogDirs],
  [ApiKey.DescribeLogDirs, handleDescribeLogDirs],
  [ApiKey.DescribeConfigs, handleDescribeConfigs],
  [ApiKey.AlterConfigs, handleAlterConfigs],
  [ApiKey.IncrementalAlterConfigs, handleIncrementalAlterConfigs],
  // Cluster control, served by the controller.
  [ApiKey.ControlledShutdown, handleControlledShutdown],
  [ApiKey.ElectLeaders, handleElectLeaders],
  [ApiKey.AlterPartitionReassignments, handleAlterPartitionReassignments],
  [ApiKey.ListPartitionReassignments, handleListPartitionReassignments],
  // Consumer groups.
  [ApiKey.FindCoordinator, handleFindCoordinator],
  [ApiKey.JoinGroup, handleJoinGroup],
  [ApiKey.SyncGroup, handleSyncGroup],
  [ApiKey.Heartbeat, handleHeartbeat],
  [ApiKey.LeaveGroup, handleLeaveGroup],
  [ApiKey.OffsetCommit, handleOffsetCommit],
  [ApiKey.OffsetFetch, handleOffsetFetch],
  [ApiKey.TxnOffsetCommit, handleTxnOffsetCommit],
  [ApiKey.DescribeGroups, handleDescribeGroups],
  [ApiKey.ListGroups, handleListGroups],
  [ApiKey.DeleteGroups, handleDeleteGroups],
  [ApiKey.OffsetDelete, handleOffsetDelete],
  // Idempotent and transactional producers.
  [ApiKey.InitProducerId, handleInitProducerId],
  [ApiKey.AddPartitionsToTxn, handleAddPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, handleAddOffsetsToTxn],
  [ApiKey.EndTxn, handleEndTxn],
  [ApiKey.WriteTxnMarkers, handleWriteTxnMarkers],
  [ApiKey.DescribeProducers, handleDescribeProducers],
  [ApiKey.DescribeTransactions, handleDescribeTransactions],
  [ApiKey.ListTransactions, handleListTransactions],
]);
