// Registry of the APIs Samsa speaks: API key -> request/response codecs and
// the version range (Apache Kafka 3.9's). Used by the broker's router, by
// ApiVersions and by header parsing.

import { apiKeyName } from '../api-keys.js';
import type { MessageCodec } from '../codec.js';
import { AlterConfigsRequest, AlterConfigsResponse } from './alter-configs.js';
import { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from './alter-partition-reassignments.js';
import { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from './alter-replica-log-dirs.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './api-versions.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './create-topics.js';
import { ControlledShutdownRequest, ControlledShutdownResponse } from './controlled-shutdown.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './delete-groups.js';
import { ElectLeadersRequest, ElectLeadersResponse } from './elect-leaders.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './delete-topics.js';
import { DescribeClusterRequest, DescribeClusterResponse } from './describe-cluster.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './describe-configs.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './describe-groups.js';
import { DescribeLogDirsRequest, DescribeLogDirsResponse } from './describe-log-dirs.js';
import { FetchRequest, FetchResponse } from './fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './find-coordinator.js';
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js';
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from './incremental-alter-configs.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './init-producer-id.js';
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './add-offsets-to-txn.js';
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './add-partitions-to-txn.js';
import { DescribeProducersRequest, DescribeProducersResponse } from './describe-producers.js';
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from './describe-transactions.js';
import { EndTxnRequest, EndTxnResponse } from './end-txn.js';
import { ListTransactionsRequest, ListTransactionsResponse } from './list-transactions.js';
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from './write-txn-markers.js';
import { JoinGroupRequest, JoinGroupResponse } from './join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './leave-group.js';
import { ListGroupsRequest, ListGroupsResponse } from './list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './list-offsets.js';
import { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from './list-partition-reassignments.js';
import { MetadataRequest, MetadataResponse } from './metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './offset-commit.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './offset-delete.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './offset-fetch.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from './offset-for-leader-epoch.js';
import { ProduceRequest, ProduceResponse } from './produce.js';
import { SyncGroupRequest, SyncGroupResponse } from './sync-group.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './txn-offset-commit.js';

export interface ApiDefinition {
  /** Kafka's API name, e.g. 'Produce'. */
  readonly name: string;
  readonly apiKey: number;
  readonly request: MessageCodec<unknown>;
  readonly response: MessageCodec<unknown>;
  readonly minVersion: number;
  readonly maxVersion: number;
}

function api(request: MessageCodec<unknown>, response: MessageCodec<unknown>): ApiDefinition {
  const { apiKey, validVersions } = request.schema;
  const name = apiKeyName(apiKey) ?? `api key ${apiKey}`;
  // A mismatch here is a transcription mistake; fail at import, not on the wire.
  if (
    request.schema.name !== `${name}Request` ||
    response.schema.name !== `${name}Response` ||
    response.schema.apiKey !== apiKey ||
    response.schema.validVersions !== validVersions
  ) {
    throw new Error(`${name}: request and response schemas disagree on api key, name or versions`);
  }
  return Object.freeze({ name, apiKey, request, response, minVersion: request.minVersion, maxVersion: request.maxVersion });
}

export const apiMessages: ReadonlyMap<number, ApiDefinition> = new Map(
  [
    api(ProduceRequest, ProduceResponse),
    api(FetchRequest, FetchResponse),
    api(ListOffsetsRequest, ListOffsetsResponse),
    api(MetadataRequest, MetadataResponse),
    api(OffsetCommitRequest, OffsetCommitResponse),
    api(OffsetFetchRequest, OffsetFetchResponse),
    api(FindCoordinatorRequest, FindCoordinatorResponse),
    api(JoinGroupRequest, JoinGroupResponse),
    api(HeartbeatRequest, HeartbeatResponse),
    api(LeaveGroupRequest, LeaveGroupResponse),
    api(SyncGroupRequest, SyncGroupResponse),
    api(DescribeGroupsRequest, DescribeGroupsResponse),
    api(ListGroupsRequest, ListGroupsResponse),
    api(ApiVersionsRequest, ApiVersionsResponse),
    api(CreateTopicsRequest, CreateTopicsResponse),
    api(DeleteTopicsRequest, DeleteTopicsResponse),
    api(DeleteRecordsRequest, DeleteRecordsResponse),
    api(InitProducerIdRequest, InitProducerIdResponse),
    api(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse),
    api(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse),
    api(EndTxnRequest, EndTxnResponse),
    api(WriteTxnMarkersRequest, WriteTxnMarkersResponse),
    api(DescribeProducersRequest, DescribeProducersResponse),
    api(DescribeTransactionsRequest, DescribeTransactionsResponse),
    api(ListTransactionsRequest, ListTransactionsResponse),
    api(TxnOffsetCommitRequest, TxnOffsetCommitResponse),
    api(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse),
    api(DescribeConfigsRequest, DescribeConfigsResponse),
    api(AlterConfigsRequest, AlterConfigsResponse),
    api(AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse),
    api(DescribeLogDirsRequest, DescribeLogDirsResponse),
    api(CreatePartitionsRequest, CreatePartitionsResponse),
    api(DeleteGroupsRequest, DeleteGroupsResponse),
    api(ControlledShutdownRequest, ControlledShutdownResponse),
    api(ElectLeadersRequest, ElectLeadersResponse),
    api(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse),
    api(AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse),
    api(ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse),
    api(OffsetDeleteRequest, OffsetDeleteResponse),
    api(DescribeClusterRequest, DescribeClusterResponse),
  ].map((entry) => [entry.apiKey, entry]),
);
