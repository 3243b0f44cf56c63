// Producer id blocks claimed from a real ZooKeeper's /latest_producer_id_block:
// the first block starts at 0 (znode absent, or empty as brokers create it),
// blocks follow each other in Kafka's JSON, and brokers claiming at the same
// time never get the same block.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProducerIdBlock } from '../../../src/cluster/zk-layout.js';
import { ZooKeeperClient } from '../../../src/cluster/zookeeper-client.js';
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../../src/coordinator/transaction/producer-ids.js';
import { ZkProducerIdBlockStore } from '../../../src/coordinator/transaction/zk-producer-id-blocks.js';
import { startZooKeeper, type ZooKeeperServer } from '../../helpers/zookeeper.js';

let zk: ZooKeeperServer;
before(async () => { zk = await startZooKeeper(); });
after(async () => { await zk.stop(); });

async function open(chroot: string): Promise<ZooKeeperClient> {
  return ZooKeeperClient.connect({ connect: `${zk.connectString}${chroot}`, sessionTimeoutMs: 6_000, connectionTimeoutMs: 10_000 });
}

describe('ZkProducerIdBlockStore', { timeout: 120_000 }, () => {
  test('the first block starts at 0 when the znode is absent, the next follows it, in Kafka\'s JSON', async () => {
    const client = await open('/absent');
    try {
      const store = new ZkProducerIdBlockStore(() => client);
      assert.deepEqual(await store.claimNextBlock(1, PRODUCER_ID_BLOCK_SIZE), { brokerId: 1, firstProducerId: 0, lastProducerId: 999 });
      assert.deepEqual(await store.claimNextBlock(2, PRODUCER_ID_BLOCK_SIZE), { brokerId: 2, firstProducerId: 1000, lastProducerId: 1999 });
      const { data } = await client.getData('/latest_producer_id_block');
      assert.deepEqual(JSON.parse(data.toString()), { version: 1, broker: 2, block_start: '1000', block_end: '1999' });
    } finally {
      await client.close();
    }
  });

  test('an empty znode (created at broker start-up) means no block yet', async () => {
    const client = await open('/empty');
    try {
      await client.create('/latest_producer_id_block', null);
      const manager = new ProducerIdManager(new ZkProducerIdBlockStore(() => client), 0, (m) => assert.fail(m));
      await manager.start();
      assert.deepEqual([manager.generateProducerId(), manager.generateProducerId()], [0, 1]);
    } finally {
      await client.close();
    }
  });

  test('brokers claiming at once, each with its own session, get disjoint consecutive blocks', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => open('/race')));
    try {
      const claims = await Promise.all(clients.flatMap((c, i) => {
        const store = new ZkProducerIdBlockStore(() => c);
        return [store.claimNextBlock(i, PRODUCER_ID_BLOCK_SIZE), store.claimNextBlock(i, PRODUCER_ID_BLOCK_SIZE)];
      }));
      const starts = claims.map((b) => b.firstProducerId).sort((a, b) => a - b);
      assert.deepEqual(starts, Array.from({ length: 8 }, (_, i) => i * PRODUCER_ID_BLOCK_SIZE));
      const latest = decodeProducerIdBlock((await clients[0].getData('/latest_producer_id_block')).data);
      assert.equal(latest.blockEnd, BigInt(8 * PRODUCER_ID_BLOCK_SIZE - 1));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
