// __consumer_offsets as the coordinator's durable state: each group's records
// go to one partition, appended through the PartitionLog (so they are durable
// and fetchable like any other record), and are replayed on start.
import { ErrorCode } from '../../protocol/errors.js';
import { buildBatch, decodeBatches } from '../../protocol/records/record.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { offsetsPartitionFor } from './partition-for.js';
import { type KeyValue, type OffsetAndMetadata, type StoredGroup, parseOffsetsTopicRecord } from './records.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** Bytes read per step while loading a partition (Kafka's offsets.load.buffer.size). */
const LOAD_BUFFER_BYTES = 5 * 1024 * 1024;

export interface OffsetsLogAccess {
  /** The log of a __consumer_offsets partition, when this broker has it. */
  offsetsLog(partition: number): PartitionLog | undefined;
  /** Called after every append: the broker advances the high watermark and wakes waiting fetches. */
  afterAppend(log: PartitionLog, bytes: number): void;
}

/** What replaying a partition left for one group. */
export interface LoadedGroup {
  /** Latest membership record; null if none survives (never written, or tombstoned). */
  stored: StoredGroup | null;
  offsets: Map<string, Map<number, OffsetAndMetadata>>;
}

export class OffsetsTopicStore {
  constructor(
    private readonly access: OffsetsLogAccess,
    readonly partitions: number,
    private readonly now: () => number,
    private readonly warn: (msg: string) => void,
  ) {}

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitions);
  }

  /** Whether this broker hosts the group's partition, i.e. coordinates the group. */
  hosts(groupId: string): boolean {
    return this.access.offsetsLog(this.partitionFor(groupId)) !== undefined;
  }

  /**
   * Appends a group's records as one batch (CreateTime = now, like Kafka). Returns NONE, or the
   * error a client should see: NOT_COORDINATOR when the partition is gone or the write failed.
   */
  append(groupId: string, records: readonly KeyValue[]): number {
    if (records.length === 0) return ErrorCode.NONE;
    const log = this.access.offsetsLog(this.partitionFor(groupId));
    if (!log) return ErrorCode.NOT_COORDINATOR;
    const now = this.now();
    const batch = buildBatch({
      baseTimestamp: now,
      records: records.map((r, i) => ({ offsetDelta: i, timestampDelta: 0, key: r.key, value: r.value, headers: [] })),
    });
    try {
      log.append(batch, { leaderEpoch: 0, timestampType: log.config.messageTimestampType, now });
    } catch (e) {
      this.warn(`writing group ${groupId} to ${OFFSETS_TOPIC}-${log.partition} failed: ${(e as Error).message}`);
      return ErrorCode.NOT_COORDINATOR;
    }
    this.access.afterAppend(log, batch.length);
    return ErrorCode.NONE;
  }

  /** Replays one partition from its log start: the last record per key wins, tombstones delete. */
  async load(partition: number): Promise<Map<string, LoadedGroup>> {
    const groups = new Map<string, LoadedGroup>();
    const log = this.access.offsetsLog(partition);
    if (!log) return groups;
    const entry = (groupId: string): LoadedGroup => {
      let g = groups.get(groupId);
      if (!g) groups.set(groupId, (g = { stored: null, offsets: new Map() }));
      return g;
    };
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end) {
      const { records } = await log.read(offset, LOAD_BUFFER_BYTES, { minOneBatch: true, maxOffset: end });
      const readFrom = offset;
      for (const chunk of records) {
        for (const batch of decodeBatches(chunk)) {
          offset = batch.baseOffset + batch.lastOffsetDelta + 1;
          // Control batches end transactions; transactional offset commits arrive with transactions.
          if (batch.isControl) continue;
          for (const r of batch.records) {
            if (r.key === null) continue;
            const rec = parseOffsetsTopicRecord(r.key, r.value);
            if (rec.kind === 'offset') {
              const offsets = entry(rec.group).offsets;
              let byPartition = offsets.get(rec.topic);
              if (!byPartition) offsets.set(rec.topic, (byPartition = new Map()));
              if (rec.value) byPartition.set(rec.partition, rec.value);
              else byPartition.delete(rec.partition);
            } else if (rec.kind === 'group') {
              entry(rec.group).stored = rec.value;
            }
          }
        }
      }
      if (offset === readFrom) break;
    }
    for (const [groupId, g] of groups) {
      for (const [topic, byPartition] of g.offsets) if (byPartition.size === 0) g.offsets.delete(topic);
      if (g.stored === null && g.offsets.size === 0) groups.delete(groupId);
    }
    return groups;
  }
}
