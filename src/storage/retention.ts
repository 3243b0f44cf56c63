// Which of a log's oldest segments a retention check deletes, by Kafka's rules
// (UnifiedLog.deleteOldSegments): first the segments wholly below the log start offset, then,
// with cleanup.policy delete, the oldest segments while the log is larger than retention.bytes,
// then those whose largest timestamp is older than retention.ms. Whole segments only, oldest
// first, never one reaching past the high watermark, and never the active segment (Kafka 3.9
// rolls and deletes an expired active segment; Samsa keeps it, as issue 15 asks).
import type { LogConfig } from './log-config.js';

export interface RetentionSegment {
  baseOffset: number;
  size: number;
}

export interface RetentionState {
  logStartOffset: number;
  highWatermark: number;
}

/**
 * How many of the oldest `segments` go. `largestTimestamp(i)` is Kafka's LogSegment.largestTimestamp
 * of segment i (its largest record timestamp, else the file's modification time); it is asked
 * for only while the time rule runs, oldest first, so only the segments it reaches are read.
 */
export async function countDeletableSegments(
  segments: readonly RetentionSegment[],
  state: RetentionState,
  config: Pick<LogConfig, 'cleanupPolicy' | 'retentionBytes' | 'retentionMs'>,
  now: number,
  largestTimestamp: (i: number) => Promise<number>,
): Promise<number> {
  const sealed = segments.length - 1;
  /** Extends the deletable prefix from `from` while `deletable(i)` holds. */
  const extend = async (from: number, deletable: (i: number) => boolean | Promise<boolean>): Promise<number> => {
    let i = from;
    // Segment i ends where segment i + 1 begins; it may go only once that is below the high watermark.
    while (i < sealed && segments[i + 1].baseOffset <= state.highWatermark && (await deletable(i))) i++;
    return i;
  };

  let count = await extend(0, (i) => segments[i + 1].baseOffset <= state.logStartOffset);
  if (!config.cleanupPolicy.includes('delete')) return count;

  if (config.retentionBytes >= 0) {
    let excess = segments.slice(count).reduce((n, s) => n + s.size, 0) - config.retentionBytes;
    if (excess >= 0) {
      count = await extend(count, (i) => {
        if (excess - segments[i].size < 0) return false;
        excess -= segments[i].size;
        return true;
      });
    }
  }

  if (config.retentionMs >= 0) {
    count = await extend(count, async (i) => now - (await largestTimestamp(i)) > config.retentionMs);
  }
  return count;
}
