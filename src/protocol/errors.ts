// Kafka error codes: one table shared by the broker and the client.
// `retriable` follows the Java client (the exception class extends
// RetriableException), which is what other clients mirror.

type ErrorRow = readonly [code: number, name: string, retriable: boolean, message: string];

const errorTable = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The server failed unexpectedly while handling the request.'],
  [0, 'NONE', false, 'Success.'],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'The requested offset is outside the range held by the server for this partition.'],
  [2, 'CORRUPT_MESSAGE', true, 'A record or batch failed its CRC check, is too short, or is otherwise malformed.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This server does not host this topic-partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The requested fetch size is invalid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader at the moment (for example during an election).'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This server is neither the leader nor a follower of this partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The request timed out.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'The replica is not available for the requested topic-partition.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'The request included a record batch larger than the server accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The controller moved to another broker.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The metadata attached to the committed offset is too large.'],
  [13, 'NETWORK_EXCEPTION', true, 'The server disconnected before a response was received.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The coordinator is still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This server is not the coordinator for that key.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The topic name is invalid, or the operation is not allowed on this topic.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The produced record batch is larger than the maximum segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'There are fewer in-sync replicas than required.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'The records were written, but to fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'The requested acks value is invalid (must be -1, 0 or 1).'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation id is not the current one.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, 'The member protocol type or protocols do not match the group.'],
  [24, 'INVALID_GROUP_ID', false, 'The group id is empty or invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The member id is not known to the coordinator.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'The session timeout is outside the range the broker allows.'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing; the member must rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The committing offset data size is invalid.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized to access the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for this cluster operation.'],
  [32, 'INVALID_TIMESTAMP', false, 'A record timestamp is outside the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The broker does not support the requested SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not valid in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The broker does not support this version of the API.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'The topic already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The number of partitions is invalid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'The replication factor is invalid.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', false, 'A configuration entry is unknown or has an invalid value.'],
  [41, 'NOT_CONTROLLER', true, 'This broker is not the controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or inconsistent.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'The message format version on the broker does not support the request.'],
  [44, 'POLICY_VIOLATION', false, 'The request violates a configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The broker received an out of order sequence number.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The broker received a duplicate sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'The producer epoch is older than the current one for this producer id.'],
  [48, 'INVALID_TXN_STATE', false, 'The operation is not valid in the current transaction state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id is not the one assigned to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'The transaction timeout exceeds transaction.max.timeout.ms.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'The producer has a transaction that is still being completed.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'A newer transaction coordinator epoch exists.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized to use this transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled.'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'The operation was not attempted because of an earlier failure in the batch.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'A disk error occurred while accessing the log.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'The log directory is not configured on this broker.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker has no state for this producer id.'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation token authentication is disabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'The delegation token was not found.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'The principal does not own this delegation token.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests are not allowed on this connection.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for this delegation token operation.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group still has members.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session id was not found.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is invalid.'],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no endpoint for the listener this request came in on.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled.'],
  [74, 'FENCED_LEADER_EPOCH', true, 'The request leader epoch is older than the broker\'s.'],
  [75, 'UNKNOWN_LEADER_EPOCH', true, 'The request leader epoch is newer than the broker\'s.'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, 'The compression type is not supported by this request version.'],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch has changed.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'The leader high watermark has not caught up yet after a leader change.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'The member must rejoin with the member id given in the response.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group has reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member with the same group.instance.id replaced this one.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader is available for the election.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'The leader election is not needed.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'The group is still subscribed to the topic.'],
  [87, 'INVALID_RECORD', false, 'A record failed validation on the broker.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'There are unstable (pending transactional) offsets for this partition.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The throttling quota has been exceeded.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id exists.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'The resource does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The request contains the same resource more than once.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'The credential does not meet the requirements.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'The voter set does not match the quorum\'s.'],
  [95, 'INVALID_UPDATE_VERSION', false, 'The update version is invalid.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'The feature update could not be applied.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'The forwarded principal could not be deserialized.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The snapshot was not found.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The requested position is outside the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This server does not know the topic id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'A broker with this id is already registered.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The broker id is not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'The topic id does not match the topic name.'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, 'The cluster id does not match.'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'The transactional id was not found.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'The fetch session mixes requests with and without topic ids.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The new ISR contains at least one ineligible replica.'],
  [108, 'NEW_LEADER_ELECTED', false, 'A new leader was elected and the ISR change was not applied.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'The requested offset has moved to tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch is fenced; the member must rejoin with epoch 0.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'The group.instance.id is still used by another member.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The assignor is not supported by the group.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'The member epoch is stale.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'The request was sent to an endpoint of the wrong type.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'This endpoint type is not supported.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'This controller id is not known.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'The client telemetry subscription id is not known.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'The client telemetry payload is too large.'],
  [119, 'INVALID_REGISTRATION', false, 'The controller registration is invalid.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'The server hit an error the client can recover from by aborting the transaction.'],
  [121, 'INVALID_RECORD_STATE', false, 'The record state is invalid.'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'The share session was not found.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'The share session epoch is invalid.'],
  [124, 'FENCED_STATE_EPOCH', false, 'The share coordinator state epoch is fenced.'],
  [125, 'INVALID_VOTER_KEY', false, 'The voter key does not match the receiving replica.'],
  [126, 'DUPLICATE_VOTER', false, 'The voter is already part of the voter set.'],
  [127, 'VOTER_NOT_FOUND', false, 'The voter is not part of the voter set.'],
  [128, 'INVALID_REGULAR_EXPRESSION', false, 'The regular expression is invalid.'],
  [129, 'REBOOTSTRAP_REQUIRED', false, 'The client must rebootstrap its metadata.'],
] as const satisfies readonly ErrorRow[];

type ErrorEntry = (typeof errorTable)[number];

/** Error codes by Kafka name, e.g. `ErrorCode.UNKNOWN_TOPIC_OR_PARTITION === 3`. */
export const ErrorCode = Object.freeze(Object.fromEntries(errorTable.map(([code, name]) => [name, code]))) as {
  readonly [E in ErrorEntry as E[1]]: E[0];
};

export type ErrorCodeName = ErrorEntry[1];

export interface KafkaErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

const errorsByCode: ReadonlyMap<number, KafkaErrorInfo> = new Map(
  errorTable.map(([code, name, retriable, message]) => [code, Object.freeze({ code, name, retriable, message })]),
);

/** The table entry for a code, or undefined for a code Kafka does not define (yet). */
export function errorInfo(code: number): KafkaErrorInfo | undefined {
  return errorsByCode.get(code);
}

/** Kafka's name for an error code; unknown codes get a name that still shows the number. */
export function errorName(code: number): string {
  return errorsByCode.get(code)?.name ?? `UNKNOWN_ERROR_CODE_${code}`;
}

export function isRetriable(code: number): boolean {
  return errorsByCode.get(code)?.retriable ?? false;
}

/** An error that maps to a Kafka error code in a response. */
export class KafkaProtocolError extends Error {
  override name = 'KafkaProtocolError';

  constructor(
    readonly code: number,
    message: string = errorsByCode.get(code)?.message ?? errorName(code),
  ) {
    super(message);
  }

  get errorName(): string {
    return errorName(this.code);
  }

  get retriable(): boolean {
    return isRetriable(this.code);
  }
}
