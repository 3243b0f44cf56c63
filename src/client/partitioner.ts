// The default partitioner, as in the Java client: a key goes to
// murmur2(key) mod partitions (so keyed records land where Java, librdkafka's
// murmur2_random and Kafka Streams put them); records without a key stick to
// one partition for about batchSize bytes, then move to another chosen at
// random among those with a leader (KIP-480, KIP-794).

/** Arguments a custom partitioner receives. */
export interface PartitionerArgs {
  topic: string;
  /** The key as given to send (null when none). */
  key: Buffer | string | null;
  value: Buffer | string | null;
  /** Number of partitions the topic has now. */
  partitionCount: number;
}

/** A function choosing the partition of a record sent without one: an integer in [0, partitionCount). */
export type Partitioner = (args: PartitionerArgs) => number;

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

/** Kafka's murmur2 (Utils.murmur2) of `data[start..end)`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = SEED ^ length;
  const tail = start + (length & ~3);
  for (let i = start; i < tail; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Scratch space for string keys, so hashing a string key allocates nothing. */
let scratch = Buffer.allocUnsafe(1024);

/** The partition Kafka's default partitioner gives `key` among `partitionCount` partitions. */
export function partitionForKey(key: Buffer | string, partitionCount: number): number {
  let hash: number;
  if (typeof key === 'string') {
    const max = key.length * 3;
    if (max > scratch.length) scratch = Buffer.allocUnsafe(Math.max(max, scratch.length * 2));
    const n = scratch.write(key, 0, 'utf8');
    hash = murmur2(scratch, 0, n);
  } else {
    hash = murmur2(key);
  }
  return (hash & 0x7fffffff) % partitionCount;
}

/** What sticky partitioning needs to know of a topic's partitions: which have a leader. */
export type PartitionLeaders = readonly ({ partition: number; leader: number } | undefined)[];

/** Per-topic state of sticky partitioning for records without a key. */
export class StickyPartitions {
  private readonly byTopic = new Map<string, { partition: number; bytes: number }>();

  constructor(private readonly stickyBytes: number) {}

  /** The partition for a keyless record of `size` bytes; a new one is chosen among those with a leader every stickyBytes. */
  next(topic: string, partitions: PartitionLeaders, size: number): number {
    let state = this.byTopic.get(topic);
    if (!state || state.bytes >= this.stickyBytes || state.partition >= partitions.length) {
      state = { partition: pick(partitions, state?.partition ?? -1), bytes: 0 };
      this.byTopic.set(topic, state);
    }
    state.bytes += size;
    return state.partition;
  }
}

function pick(partitions: PartitionLeaders, previous: number): number {
  const available: number[] = [];
  for (const p of partitions) if (p && p.leader >= 0 && p.partition !== previous) available.push(p.partition);
  if (available.length > 0) return available[Math.floor(Math.random() * available.length)];
  // No other partition has a leader: stay, or take any.
  return previous >= 0 && previous < partitions.length ? previous : Math.floor(Math.random() * partitions.length);
}
