// The replication throttle's bookkeeping (Kafka's ReplicationQuotaManager):
// which replicas a topic throttles on this broker, and the rate measured over
// the retained samples against the bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicationQuota, type QuotaSettings } from '../../src/cluster/replication-quota.js';

const UNLIMITED = Number.MAX_SAFE_INTEGER;

function quota(side: 'leader' | 'follower', settings: QuotaSettings, configs: Record<string, Record<string, string[]>> = {}): ReplicationQuota {
  return new ReplicationQuota(side, 2, () => settings, (topic, key) => configs[topic]?.[key]);
}

test('a topic throttles the replicas it names for this broker, or all of them with *', () => {
  const configs = {
    listed: { 'leader.replication.throttled.replicas': ['0:1', '1:2', '3:2'], 'follower.replication.throttled.replicas': ['0:2'] },
    all: { 'follower.replication.throttled.replicas': ['*'] },
  };
  const leader = quota('leader', { rate: 100, samples: 11, windowMs: 1000 }, configs);
  const follower = quota('follower', { rate: 100, samples: 11, windowMs: 1000 }, configs);
  assert.deepEqual([0, 1, 2, 3].map((p) => leader.isThrottled('listed', p)), [false, true, false, true]);
  assert.deepEqual([0, 1].map((p) => follower.isThrottled('listed', p)), [true, false]);
  assert.equal(follower.isThrottled('all', 7), true);
  assert.equal(leader.isThrottled('all', 7), false);
  assert.equal(leader.isThrottled('unknown', 0), false);
});

test('the rate is the retained bytes over the time since the oldest sample, at least one window', () => {
  const q = quota('leader', { rate: 100, samples: 3, windowMs: 1000 });
  const t0 = 1_000_000;
  assert.equal(q.isQuotaExceeded(t0), false, 'nothing recorded');
  q.record(100, t0);
  assert.equal(q.isQuotaExceeded(t0 + 10), false, '100 bytes over one window: at the bound, not above');
  q.record(1, t0 + 500);
  assert.equal(q.isQuotaExceeded(t0 + 500), true, '101 bytes in the first window');
  assert.equal(q.isQuotaExceeded(t0 + 1100), false, '101 bytes over 1.1 s');
  q.record(250, t0 + 1500);
  assert.equal(q.isQuotaExceeded(t0 + 2000), true, '351 bytes over 2 s');
  // The first sample expires after three windows: 250 bytes over the 1.5 s since the second began.
  assert.equal(q.isQuotaExceeded(t0 + 3000), true);
  assert.equal(q.isQuotaExceeded(t0 + 4499), false, '250 bytes over about 3 s');
  assert.equal(q.isQuotaExceeded(t0 + 4500), false, 'every sample expired');
});

test('the default rate (Long.MAX_VALUE) is never exceeded', () => {
  const q = quota('follower', { rate: UNLIMITED, samples: 11, windowMs: 1000 });
  q.record(1e12, 5);
  assert.equal(q.isQuotaExceeded(6), false);
});
