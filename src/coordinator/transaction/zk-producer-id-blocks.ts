// Producer id blocks in a cluster: every broker claims its blocks from
// ZooKeeper's /latest_producer_id_block with a conditional write, so no two
// brokers ever hand out the same id (Kafka 2.x's ZooKeeper ProducerIdManager.
// getNewProducerIdBlock: read the latest block and its version, write the next
// one if nobody wrote in between, else read again).
import { decodeProducerIdBlock, encodeProducerIdBlock, zkPaths } from '../../cluster/zk-layout.js';
import { type ZooKeeperClient, ZooKeeperError } from '../../cluster/zookeeper-client.js';
import type { ProducerIdBlock, ProducerIdBlockStore } from './producer-ids.js';

/** Conditional writes lost to other brokers before a claim gives up (each loss means another broker got a block). */
const MAX_CLAIM_ATTEMPTS = 100;

export class ZkProducerIdBlockStore implements ProducerIdBlockStore {
  constructor(private readonly zk: () => Pick<ZooKeeperClient, 'getData' | 'setData' | 'create'>) {}

  async claimNextBlock(brokerId: number, size: number): Promise<ProducerIdBlock> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const zk = this.zk();
      const { first, version } = await readNextStart(zk);
      const last = first + BigInt(size) - 1n;
      if (last > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('Have exhausted all producerIds.');
      const data = encodeProducerIdBlock({ brokerId, blockStart: first, blockEnd: last });
      try {
        if (version === null) await zk.create(zkPaths.producerIdBlock, data);
        else await zk.setData(zkPaths.producerIdBlock, data, version);
        return { brokerId, firstProducerId: Number(first), lastProducerId: Number(last) };
      } catch (e) {
        // Another broker claimed a block (or created the znode) in between: read again.
        if (e instanceof ZooKeeperError && (e.code === 'BAD_VERSION' || e.code === 'NODE_EXISTS')) continue;
        throw e;
      }
    }
    throw new Error(`could not claim a producer id block in ${MAX_CLAIM_ATTEMPTS} attempts: other brokers kept claiming`);
  }
}

/**
 * Where the next block starts (0 when none was ever written: the znode is empty, as brokers
 * create it at start-up, or absent) and the znode's version to write against (null: absent).
 */
async function readNextStart(zk: Pick<ZooKeeperClient, 'getData'>): Promise<{ first: bigint; version: number | null }> {
  try {
    const { data, stat } = await zk.getData(zkPaths.producerIdBlock);
    return { first: data.length === 0 ? 0n : decodeProducerIdBlock(data).blockEnd + 1n, version: stat.version };
  } catch (e) {
    if (e instanceof ZooKeeperError && e.code === 'NO_NODE') return { first: 0n, version: null };
    throw e;
  }
}
