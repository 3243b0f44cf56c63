// Rebuilding a partition's producer state when its log is opened or truncated, as Kafka's
// UnifiedLog.rebuildProducerState does it: the latest snapshot not above the log end (corrupt ones
// are deleted and an older one tried), then the batch headers after it replayed (a control
// batch's one record tells commit from abort). Segments that recovery scanned get their
// .txnindex rebuilt by the same replay.
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, baseOffsetOf, batchSizeOf, lastOffsetOf } from '../protocol/records/batch.js';
import { CorruptSnapshotError } from './errors.js';
import { hasProducerId, ProducerStateManager } from './producer-state.js';
import { deleteSnapshot, listSnapshots, readSnapshot, writeSnapshot } from './producer-snapshot.js';
import type { LogSegment } from './segment.js';

/** Bytes read per step while replaying. */
const REPLAY_READ_BYTES = 1024 * 1024;

export interface ProducerStateRange {
  logStartOffset: number;
  logEndOffset: number;
  now: number;
  /** producer.id.expiration.ms: idle producers in a snapshot are left out. */
  expirationMs: number;
}

export interface ProducerStateLoad extends ProducerStateRange {
  /** "topic-partition", for error messages. */
  partition: string;
  hadCleanShutdown: boolean;
  /** Base offset of the first segment recovery scanned: from there on the .txnindex files are rebuilt. */
  recoveredFrom?: number;
}

/** The producer state of a log being opened. */
export async function loadProducerState(dir: string, segments: readonly LogSegment[], load: ProducerStateLoad): Promise<ProducerStateManager> {
  const state = new ProducerStateManager(load.partition);
  const snapshots = listSnapshots(dir);
  // A log without any snapshot after a clean shutdown was written before producer state existed
  // (Kafka's upgrade case): its state is taken as empty instead of scanning the whole log. The
  // snapshot is not fsynced (that would be one fsync per partition at start-up): if a crash
  // tears it, its CRC fails and the next start replays the log instead.
  if (load.hadCleanShutdown && load.recoveredFrom === undefined && snapshots.length === 0) {
    state.clear(load.logEndOffset);
    writeSnapshot(dir, load.logEndOffset, [], false);
    return state;
  }
  await rebuildProducerState(state, dir, segments, load, load.recoveredFrom, snapshots);
  return state;
}

/**
 * Reloads `state` for the log [logStartOffset, logEndOffset): snapshots above the end are
 * deleted, the latest one at or below min(end, reindexFrom) loaded, the log after it replayed.
 * With `reindexFrom`, the .txnindex of every segment from that offset on is rebuilt.
 * `snapshots`: the snapshot offsets in `dir`, ascending, when the caller has just listed them.
 */
export async function rebuildProducerState(
  state: ProducerStateManager,
  dir: string,
  segments: readonly LogSegment[],
  range: ProducerStateRange,
  reindexFrom?: number,
  snapshots: readonly number[] = listSnapshots(dir),
): Promise<void> {
  const { logStartOffset, logEndOffset } = range;
  for (const offset of snapshots) if (offset > logEndOffset) deleteSnapshot(dir, offset);
  const kept = new Set(snapshots.filter((o) => o <= logEndOffset));
  const usable = [...kept].filter((o) => o <= Math.min(logEndOffset, reindexFrom ?? logEndOffset)).reverse();
  state.clear(logStartOffset);
  for (const offset of usable) {
    try {
      state.load(await readSnapshot(dir, offset), Math.max(offset, logStartOffset), range.now, range.expirationMs);
      break;
    } catch (err) {
      if (!(err instanceof CorruptSnapshotError)) throw err;
      deleteSnapshot(dir, offset);
      kept.delete(offset);
    }
  }
  if (reindexFrom !== undefined) for (const s of segments) if (s.baseOffset >= reindexFrom) s.txnIndex.reset();
  await replay(state, segments, logEndOffset, reindexFrom ?? Number.MAX_SAFE_INTEGER);
  state.mapEndOffset = logEndOffset;
  // A later snapshot skipped for the reindexing replay holds the same state: no need to write another.
  const latest = [...kept].at(-1);
  if (latest !== undefined && latest > state.lastSnapshotOffset) state.lastSnapshotOffset = latest;
}

/** Applies the batches from state.mapEndOffset up to `end` (replication origin: no checks). */
async function replay(state: ProducerStateManager, segments: readonly LogSegment[], end: number, reindexFrom: number): Promise<void> {
  const from = state.mapEndOffset;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next = i + 1 < segments.length ? segments[i + 1].baseOffset : Number.MAX_SAFE_INTEGER;
    if (next <= from || segment.baseOffset >= end) continue;
    const reindex = segment.baseOffset >= reindexFrom;
    let position = 0;
    while (position < segment.size) {
      let chunk = await segment.read(position, Math.min(REPLAY_READ_BYTES, segment.size - position));
      if (chunk.length >= LOG_OVERHEAD && batchSizeOf(chunk) > chunk.length) chunk = await segment.read(position, batchSizeOf(chunk));
      let at = 0;
      while (at + BATCH_HEADER_SIZE <= chunk.length) {
        const size = batchSizeOf(chunk, at);
        if (size < BATCH_HEADER_SIZE || at + size > chunk.length) break;
        if (baseOffsetOf(chunk, at) >= end) return;
        if (lastOffsetOf(chunk, at) >= from && hasProducerId(chunk, at)) {
          const analysis = state.analyze(chunk.subarray(at, at + size), 'replication');
          state.apply(analysis, (txn) => {
            if (reindex) segment.txnIndex.append(txn);
          });
        }
        at += size;
      }
      if (at === 0) break; // torn tail: recovery has cut it, or it lies beyond the log end
      position += at;
    }
  }
}
