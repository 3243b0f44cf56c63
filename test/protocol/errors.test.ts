import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, KafkaProtocolError, errorInfo, errorName, isRetriable } from '../../src/protocol/errors.js';

// Codes, names and Java-client retriability from the compat notes (section 5).
const compatTable: [number, string, boolean][] = [
  [-1, 'UNKNOWN_SERVER_ERROR', false], [0, 'NONE', false], [1, 'OFFSET_OUT_OF_RANGE', false],
  [2, 'CORRUPT_MESSAGE', true], [3, 'UNKNOWN_TOPIC_OR_PARTITION', true], [5, 'LEADER_NOT_AVAILABLE', true],
  [6, 'NOT_LEADER_OR_FOLLOWER', true], [7, 'REQUEST_TIMED_OUT', true], [10, 'MESSAGE_TOO_LARGE', false],
  [12, 'OFFSET_METADATA_TOO_LARGE', false], [14, 'COORDINATOR_LOAD_IN_PROGRESS', true],
  [15, 'COORDINATOR_NOT_AVAILABLE', true], [16, 'NOT_COORDINATOR', true], [17, 'INVALID_TOPIC_EXCEPTION', false],
  [18, 'RECORD_LIST_TOO_LARGE', false], [19, 'NOT_ENOUGH_REPLICAS', true], [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true],
  [21, 'INVALID_REQUIRED_ACKS', false], [22, 'ILLEGAL_GENERATION', false], [23, 'INCONSISTENT_GROUP_PROTOCOL', false],
  [24, 'INVALID_GROUP_ID', false], [25, 'UNKNOWN_MEMBER_ID', false], [26, 'INVALID_SESSION_TIMEOUT', false],
  [27, 'REBALANCE_IN_PROGRESS', false], [29, 'TOPIC_AUTHORIZATION_FAILED', false], [30, 'GROUP_AUTHORIZATION_FAILED', false],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false], [32, 'INVALID_TIMESTAMP', false], [33, 'UNSUPPORTED_SASL_MECHANISM', false],
  [34, 'ILLEGAL_SASL_STATE', false], [35, 'UNSUPPORTED_VERSION', false], [36, 'TOPIC_ALREADY_EXISTS', false],
  [37, 'INVALID_PARTITIONS', false], [38, 'INVALID_REPLICATION_FACTOR', false], [40, 'INVALID_CONFIG', false],
  [42, 'INVALID_REQUEST', false], [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false], [46, 'DUPLICATE_SEQUENCE_NUMBER', false],
  [47, 'INVALID_PRODUCER_EPOCH', false], [48, 'INVALID_TXN_STATE', false], [49, 'INVALID_PRODUCER_ID_MAPPING', false],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false], [51, 'CONCURRENT_TRANSACTIONS', true],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false], [54, 'SECURITY_DISABLED', false], [56, 'KAFKA_STORAGE_ERROR', true],
  [58, 'SASL_AUTHENTICATION_FAILED', false], [59, 'UNKNOWN_PRODUCER_ID', false], [68, 'NON_EMPTY_GROUP', false],
  [69, 'GROUP_ID_NOT_FOUND', false], [70, 'FETCH_SESSION_ID_NOT_FOUND', true], [71, 'INVALID_FETCH_SESSION_EPOCH', true],
  [74, 'FENCED_LEADER_EPOCH', true], [75, 'UNKNOWN_LEADER_EPOCH', true], [76, 'UNSUPPORTED_COMPRESSION_TYPE', false],
  [78, 'OFFSET_NOT_AVAILABLE', true], [79, 'MEMBER_ID_REQUIRED', false], [82, 'FENCED_INSTANCE_ID', false],
  [87, 'INVALID_RECORD', false], [88, 'UNSTABLE_OFFSET_COMMIT', true], [89, 'THROTTLING_QUOTA_EXCEEDED', true],
  [90, 'PRODUCER_FENCED', false], [100, 'UNKNOWN_TOPIC_ID', true], [110, 'FENCED_MEMBER_EPOCH', false],
  [113, 'STALE_MEMBER_EPOCH', false], [120, 'TRANSACTION_ABORTABLE', false], [128, 'INVALID_REGULAR_EXPRESSION', false],
];

test('errors: every code of the compat notes, with its name and retriability', () => {
  for (const [code, name, retriable] of compatTable) {
    assert.equal(errorName(code), name);
    assert.equal(isRetriable(code), retriable, name);
    assert.equal((ErrorCode as Record<string, number>)[name], code);
    assert.ok(errorInfo(code)?.message, `${name} has a message`);
  }
  assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
});

test('errors: the table has no duplicate codes or names, and no gaps from -1 to its end', () => {
  const codes = Object.values(ErrorCode).sort((a, b) => a - b);
  assert.equal(new Set(codes).size, codes.length);
  assert.deepEqual(codes, Array.from({ length: codes.length }, (_, i) => i - 1));
});

test('errors: unknown codes and KafkaProtocolError', () => {
  assert.equal(errorName(9999), 'UNKNOWN_ERROR_CODE_9999');
  assert.equal(isRetriable(9999), false);
  const e = new KafkaProtocolError(ErrorCode.NOT_COORDINATOR);
  assert.ok(e instanceof Error);
  assert.equal(e.code, 16);
  assert.equal(e.errorName, 'NOT_COORDINATOR');
  assert.equal(e.retriable, true);
  assert.equal(e.message, errorInfo(16)?.message);
  assert.equal(new KafkaProtocolError(ErrorCode.INVALID_REQUEST, 'bad acks').message, 'bad acks');
});
