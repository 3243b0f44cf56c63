// Producer ids, unique for the life of the cluster: handed out from blocks of
// 1000 (Kafka's ProducerIdsBlock size), each block claimed durably before its
// first id is used, so no id repeats after a restart or a kill -9. Where a
// block is claimed is behind ProducerIdBlockStore: a file here, ZooKeeper's
// /latest_producer_id_block in a cluster.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../storage/atomic-file.js';

/** Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface ProducerIdBlock {
  brokerId: number;
  firstProducerId: number;
  /** Inclusive. */
  lastProducerId: number;
}

export interface ProducerIdBlockStore {
  /** Claims, durably, the block after the last one claimed by anyone (the first block starts at 0). */
  claimNextBlock(brokerId: number, size: number): Promise<ProducerIdBlock>;
}

const BLOCK_FILE = 'samsa-producer-id-block.json';

/**
 * Single node: the latest block in a file of the first log dir, in the JSON layout of Kafka's
 * /latest_producer_id_block znode ({"version":1,"broker":0,"block_start":"0","block_end":"999"}).
 */
export class FileProducerIdBlockStore implements ProducerIdBlockStore {
  private readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, BLOCK_FILE);
  }

  async claimNextBlock(brokerId: number, size: number): Promise<ProducerIdBlock> {
    const latest = await this.readLatest();
    const first = latest === null ? 0 : latest.lastProducerId + 1;
    const block = { brokerId, firstProducerId: first, lastProducerId: first + size - 1 };
    if (!Number.isSafeInteger(block.lastProducerId)) throw new Error('Have exhausted all producerIds.');
    const json = { version: 1, broker: brokerId, block_start: String(block.firstProducerId), block_end: String(block.lastProducerId) };
    await writeFileAtomic(this.path, JSON.stringify(json));
    return block;
  }

  private async readLatest(): Promise<ProducerIdBlock | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const json = JSON.parse(text) as { broker: number; block_start: string; block_end: string };
    const block = { brokerId: json.broker, firstProducerId: Number(json.block_start), lastProducerId: Number(json.block_end) };
    if (!Number.isSafeInteger(block.firstProducerId) || !Number.isSafeInteger(block.lastProducerId)) {
      throw new Error(`${this.path} holds no valid producer id block: ${text}`);
    }
    return block;
  }
}

/** Once this share of a block is handed out, the next block is claimed in the background. */
const PREFETCH_THRESHOLD = 0.9;

/**
 * Hands out ids from the current block and claims the next one ahead of need, like Kafka's
 * RPCProducerIdManager: generating is synchronous, and when no claimed id is left the caller
 * gets null (Kafka answers COORDINATOR_LOAD_IN_PROGRESS, which clients retry).
 */
export class ProducerIdManager {
  private current: ProducerIdBlock | null = null;
  private nextId = 0;
  private prefetched: ProducerIdBlock | null = null;
  private claiming: Promise<void> | null = null;

  constructor(
    private readonly store: ProducerIdBlockStore,
    private readonly brokerId: number,
    private readonly warn: (msg: string) => void,
  ) {}

  /** Claims the first block; rejects when the store cannot be written. */
  async start(): Promise<void> {
    this.current = await this.store.claimNextBlock(this.brokerId, PRODUCER_ID_BLOCK_SIZE);
    this.nextId = this.current.firstProducerId;
  }

  /** A fresh producer id, or null while the next block is still being claimed. */
  generateProducerId(): number | null {
    if (this.current === null || this.nextId > this.current.lastProducerId) {
      if (this.prefetched === null) {
        this.claimNext();
        return null;
      }
      this.current = this.prefetched;
      this.prefetched = null;
      this.nextId = this.current.firstProducerId;
    }
    const id = this.nextId++;
    const { firstProducerId } = this.current;
    if (this.prefetched === null && id >= firstProducerId + Math.floor(PRODUCER_ID_BLOCK_SIZE * PREFETCH_THRESHOLD)) this.claimNext();
    return id;
  }

  /** Waits for a claim in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await this.claiming;
  }

  private claimNext(): void {
    if (this.claiming !== null) return;
    this.claiming = this.store.claimNextBlock(this.brokerId, PRODUCER_ID_BLOCK_SIZE).then(
      (block) => { this.prefetched = block; },
      (e: unknown) => { this.warn(`claiming a producer id block failed: ${(e as Error).message}`); },
    ).finally(() => { this.claiming = null; });
  }
}
