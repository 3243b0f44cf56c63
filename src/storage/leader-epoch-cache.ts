// leader-epoch-checkpoint: which leader epoch started at which offset. Changes are rare (a new
// leader epoch, a truncation) and written synchronously so they are durable before the append
// or truncation that caused them returns.
import { formatCheckpoint, readCheckpoint, writeFileAtomicSync } from './checkpoint-file.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private constructor(
    private readonly path: string,
    private entries: EpochEntry[],
  ) {}

  static async load(path: string): Promise<LeaderEpochCache> {
    const entries = (await readCheckpoint(path)).map(([epoch, startOffset]) => ({
      epoch: Number(epoch),
      startOffset: Number(startOffset),
    }));
    return new LeaderEpochCache(path, entries);
  }

  static empty(path: string): LeaderEpochCache {
    return new LeaderEpochCache(path, []);
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** Latest epoch, or -1 when none is recorded. */
  get latestEpoch(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].epoch : -1;
  }

  /** Records that `epoch` starts at `startOffset` when it is newer than the latest one. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    this.entries.push({ epoch, startOffset });
    this.write();
  }

  /** Drops epochs starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.write();
  }

  /** Forgets every epoch (the log was emptied and restarted at a new offset). */
  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.write();
  }

  /**
   * OffsetsForLeaderEpoch, as Kafka answers it: for the latest epoch the log end offset; for an
   * older one the largest epoch <= it and the start of the next epoch; {-1, -1} for an unknown
   * newer epoch or an empty cache.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    const undefinedEpoch = { epoch: -1, endOffset: -1 };
    if (epoch < 0 || this.entries.length === 0) return undefinedEpoch;
    if (epoch === this.latestEpoch) return { epoch, endOffset: logEndOffset };
    const next = this.entries.findIndex((e) => e.epoch > epoch);
    if (next < 0) return undefinedEpoch;
    const previous = next > 0 ? this.entries[next - 1].epoch : epoch;
    return { epoch: previous, endOffset: this.entries[next].startOffset };
  }

  private write(): void {
    writeFileAtomicSync(this.path, formatCheckpoint(this.entries.map((e) => `${e.epoch} ${e.startOffset}`)));
  }
}
