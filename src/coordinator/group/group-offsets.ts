// A group's offsets: the committed ones, and transactional ones kept pending
// per producer until their transaction's marker commits or aborts them
// (Kafka's GroupMetadata offsets and pendingTransactionalOffsetCommits). Each
// remembers where its record sits in __consumer_offsets, so that a
// transaction committed after a later plain commit does not undo it.
import type { TopicPartition } from './group.js';
import type { OffsetAndMetadata } from './records.js';

/** An offset and the offset of the batch that wrote it (Kafka's CommitRecordMetadataAndOffset). */
export interface CommitRecord {
  value: OffsetAndMetadata;
  recordOffset: number;
}

/** topic → partition → T. */
class PartitionMap<T> {
  private readonly byTopic = new Map<string, Map<number, T>>();

  get(topic: string, partition: number): T | undefined {
    return this.byTopic.get(topic)?.get(partition);
  }

  set(topic: string, partition: number, value: T): void {
    let byPartition = this.byTopic.get(topic);
    if (!byPartition) this.byTopic.set(topic, (byPartition = new Map()));
    byPartition.set(partition, value);
  }

  delete(topic: string, partition: number): boolean {
    const byPartition = this.byTopic.get(topic);
    if (!byPartition?.delete(partition)) return false;
    if (byPartition.size === 0) this.byTopic.delete(topic);
    return true;
  }

  get isEmpty(): boolean {
    return this.byTopic.size === 0;
  }

  entries(): (TopicPartition & { value: T })[] {
    const out = [];
    for (const [topic, byPartition] of this.byTopic) {
      for (const [partition, value] of byPartition) out.push({ topic, partition, value });
    }
    return out;
  }
}

export class GroupOffsets {
  private readonly committed = new PartitionMap<CommitRecord>();
  /** Producer id → its transaction's offsets. A producer stays until its marker, even if its offsets were removed. */
  private readonly pending = new Map<number, PartitionMap<CommitRecord>>();

  get(topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.committed.get(topic, partition)?.value;
  }

  /** Every committed offset. */
  all(): (TopicPartition & { value: OffsetAndMetadata })[] {
    return this.committed.entries().map(({ topic, partition, value }) => ({ topic, partition, value: value.value }));
  }

  /** Committed and pending alike: a group with either still has offsets. */
  get isEmpty(): boolean {
    return this.committed.isEmpty && this.pending.size === 0;
  }

  /** Makes `record` the committed offset unless the current one was written later. */
  commit(topic: string, partition: number, record: CommitRecord): void {
    const current = this.committed.get(topic, partition);
    if (!current || current.recordOffset < record.recordOffset) this.committed.set(topic, partition, record);
  }

  /** A plain tombstone read back from the log. */
  deleteCommitted(topic: string, partition: number): void {
    this.committed.delete(topic, partition);
  }

  addPending(producerId: number, topic: string, partition: number, record: CommitRecord): void {
    let offsets = this.pending.get(producerId);
    if (!offsets) this.pending.set(producerId, (offsets = new PartitionMap()));
    offsets.set(topic, partition, record);
  }

  /** A transactional tombstone read back from the log (Kafka's loader accepts them). */
  deletePending(producerId: number, topic: string, partition: number): void {
    this.pending.get(producerId)?.delete(topic, partition);
  }

  /** The producer's transaction ended: on commit its offsets become committed where they are the latest. */
  completePending(producerId: number, commit: boolean): void {
    const offsets = this.pending.get(producerId);
    if (!offsets) return;
    this.pending.delete(producerId);
    if (commit) for (const { topic, partition, value } of offsets.entries()) this.commit(topic, partition, value);
  }

  isPending(topic: string, partition: number): boolean {
    for (const offsets of this.pending.values()) if (offsets.get(topic, partition)) return true;
    return false;
  }

  pendingProducers(): number[] {
    return [...this.pending.keys()];
  }

  /** The partitions of a topic with a committed or a pending offset. */
  partitionsOf(topic: string): TopicPartition[] {
    const partitions = new Set<number>();
    for (const offsets of [this.committed, ...this.pending.values()]) {
      for (const tp of offsets.entries()) if (tp.topic === topic) partitions.add(tp.partition);
    }
    return [...partitions].map((partition) => ({ topic, partition }));
  }

  /** Removes committed and pending offsets of these partitions; returns the committed ones that existed. */
  remove(partitions: readonly TopicPartition[]): TopicPartition[] {
    const removed: TopicPartition[] = [];
    for (const tp of partitions) {
      for (const offsets of this.pending.values()) offsets.delete(tp.topic, tp.partition);
      if (this.committed.delete(tp.topic, tp.partition)) removed.push(tp);
    }
    return removed;
  }
}
