import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiKey, apiKeyName } from '../../src/protocol/api-keys.js';

test('api keys: Kafka names from 0 to 75', () => {
  assert.equal(ApiKey.Produce, 0);
  assert.equal(ApiKey.DescribeCluster, 60);
  assert.equal(apiKeyName(18), 'ApiVersions');
  assert.equal(apiKeyName(75), 'DescribeTopicPartitions');
  assert.equal(apiKeyName(999), undefined);
  assert.deepEqual(
    Object.values(ApiKey),
    Array.from({ length: 76 }, (_, i) => i),
  );
});
