// OffsetForLeaderEpoch at the protocol level, answered as Kafka 3.9's
// LeaderEpochFileCache.endOffsetFor does: fencing by current_leader_epoch,
// unknown partitions, the latest epoch (log end), older epochs (start of the
// next one), epochs before the first known, newer and undefined epochs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Broker, BrokerConfig } from '../../src/index.js';
import { quietLogger } from '../../src/broker/logger.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { OffsetForLeaderEpochResponse } from '../../src/protocol/messages/offset-for-leader-epoch.js';
import { kcat } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { valueBatch } from '../storage/helpers.js';

let dataDir: string;
let broker: Broker;
let c: RawClient;
let bootstrap: string;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-epochs-'));
  const config = BrokerConfig.parse({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, 'num.partitions': 2 });
  broker = await Broker.start(config, quietLogger());
  const { port } = broker.boundListeners[0];
  bootstrap = `127.0.0.1:${port}`;
  c = await RawClient.connect(port);
});
after(async () => {
  c.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Ask { partition: number; leaderEpoch: number; currentLeaderEpoch?: number }

async function ask(topic: string, asks: Ask[], opts: { version?: number; replicaId?: number } = {}) {
  const r = await c.request<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, opts.version ?? 4, {
    replicaId: opts.replicaId ?? -1,
    topics: [{ topic, partitions: asks.map((a) => ({ currentLeaderEpoch: -1, ...a })) }],
  });
  assert.ok(r);
  assert.equal(r.topics[0].topic, topic);
  return r.topics[0].partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]);
}

test('the current epoch ends at the log end, also on an empty partition and for every version and asker', async () => {
  await broker.topics.create({ name: 'epochs', numPartitions: 2, replicationFactor: -1 });
  await kcat(['-b', bootstrap, '-P', '-t', 'epochs', '-p', '0'], 'a\nb\nc\n');
  // Metadata reports leader epoch 0 and produce writes 0 into the batches.
  assert.deepEqual(await ask('epochs', [{ partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 }, { partition: 1, leaderEpoch: 0 }]), [
    [0, ErrorCode.NONE, 0, 3],
    [1, ErrorCode.NONE, 0, 0],
  ]);
  for (const version of [0, 1, 2, 3]) {
    for (const replicaId of [-2, -1, 1]) {
      const [[, error, , endOffset]] = await ask('epochs', [{ partition: 0, leaderEpoch: 0 }], { version, replicaId });
      assert.deepEqual([error, endOffset], [ErrorCode.NONE, 3], `v${version} replica ${replicaId}`);
    }
  }
});

test('current_leader_epoch fences older and newer leaders; -1 checks nothing', async () => {
  await broker.topics.create({ name: 'fencing', numPartitions: 1, replicationFactor: -1 });
  assert.deepEqual(await ask('fencing', [
    { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 1 },
    { partition: 0, leaderEpoch: 0, currentLeaderEpoch: -2 },
    { partition: 0, leaderEpoch: 0, currentLeaderEpoch: -1 },
  ]), [
    [0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
    [0, ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
    [0, ErrorCode.NONE, 0, 0],
  ]);
});

test('unknown topics and partitions', async () => {
  assert.deepEqual(await ask('no-such-topic', [{ partition: 0, leaderEpoch: 0 }]), [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]]);
  assert.deepEqual(await ask('epochs', [{ partition: 2, leaderEpoch: 0 }]), [[2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]]);
});

test('a log written under several leaders: older epochs end where the next begins', async () => {
  await broker.topics.create({ name: 'history', numPartitions: 1, replicationFactor: -1 });
  const log = broker.topics.partitionLog('history', 0)!;
  // Epoch 1 holds offsets 0-2, epoch 3 offsets 3-4, epoch 5 offset 5 (as if leaders had changed).
  for (const [leaderEpoch, count] of [[1, 3], [3, 2], [5, 1]]) {
    log.append(valueBatch(count, 10), { leaderEpoch, timestampType: 'CreateTime', now: Date.now() });
  }
  assert.deepEqual(await ask('history', [0, 1, 2, 3, 4, 5, 6, -1].map((leaderEpoch) => ({ partition: 0, leaderEpoch }))), [
    [0, ErrorCode.NONE, 0, 0], // before the first known epoch: the start of the first one
    [0, ErrorCode.NONE, 1, 3],
    [0, ErrorCode.NONE, 1, 3], // unknown epoch between two: the one before, ending where the next starts
    [0, ErrorCode.NONE, 3, 5],
    [0, ErrorCode.NONE, 3, 5],
    [0, ErrorCode.NONE, 5, 6], // the latest: the log end
    [0, ErrorCode.NONE, -1, -1], // newer than any
    [0, ErrorCode.NONE, -1, -1], // undefined
  ]);
});
