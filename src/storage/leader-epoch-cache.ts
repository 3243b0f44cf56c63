// leader-epoch-checkpoint: which leader epoch started at which offset. Changes (a new leader
// epoch, a truncation) are written in the background, off the append path: until the file is
// written, the batches themselves carry the epochs and recovery of the unflushed part of the
// log reassigns them; a log flush waits for the file before the recovery point moves.
import { writeFileAtomic } from './atomic-file.js';
import { formatCheckpoint, readCheckpoint } from './checkpoint-file.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  /** Writes run one after another; at most one waits to start and writes the latest entries. */
  private writing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private writeError: unknown;

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

  /**
   * The log now starts at `startOffset` (Kafka's truncateFromStart): epochs starting at or below
   * it are dropped, except the latest of them, which now starts there.
   */
  truncateFromStart(startOffset: number): void {
    const below = this.entries.filter((e) => e.startOffset <= startOffset);
    if (below.length === 0 || (below.length === 1 && below[0].startOffset === startOffset)) return;
    this.entries = [{ epoch: below[below.length - 1].epoch, startOffset }, ...this.entries.slice(below.length)];
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

  /** Resolves when the file holds every change made so far; rejects if the last write failed. */
  async flush(): Promise<void> {
    await this.writing;
    if (this.writeError !== undefined) throw this.writeError;
  }

  private write(): void {
    if (this.writeQueued) return;
    this.writeQueued = true;
    this.writing = this.writing.then(() => {
      this.writeQueued = false;
      const content = formatCheckpoint(this.entries.map((e) => `${e.epoch} ${e.startOffset}`));
      return writeFileAtomic(this.path, content).then(
        () => {
          this.writeError = undefined;
        },
        (err: unknown) => {
          this.writeError = err; // reported by the next flush()
        },
      );
    });
  }
}
