// Walks the batch headers of a segment file (baseOffset, length, lastOffsetDelta, maxTimestamp)
// without reading whole batches: how an offset or timestamp is turned into a file position.
import { BATCH, BATCH_HEADER_SIZE, baseOffsetOf, batchSizeOf, lastOffsetDeltaOf, maxTimestampOf } from '../protocol/records/batch.js';
import { CorruptLogError } from './errors.js';

export interface BatchHeader {
  position: number;
  /** Whole batch size including the 12-byte log overhead. */
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Header bytes needed per batch: everything up to and including maxTimestamp. */
const HEADER_PEEK_BYTES = BATCH.maxTimestamp + 8;
/** Bytes read per step; an index entry is usually within index.interval.bytes of its target. */
const SCAN_WINDOW_BYTES = 16 * 1024;

export type ReadAt = (position: number, length: number) => Promise<Buffer>;

function headerAt(buf: Buffer, at: number, position: number): BatchHeader {
  const size = batchSizeOf(buf, at);
  if (size < BATCH_HEADER_SIZE) throw new CorruptLogError(`batch at position ${position} has size ${size}`);
  const baseOffset = baseOffsetOf(buf, at);
  return {
    position,
    size,
    baseOffset,
    lastOffset: baseOffset + lastOffsetDeltaOf(buf, at),
    maxTimestamp: maxTimestampOf(buf, at),
  };
}

/**
 * Calls `visit` for each batch header in [start, end) until it returns true; resolves that
 * header, or undefined when none matched.
 */
export async function scanBatchHeaders(
  readAt: ReadAt,
  start: number,
  end: number,
  visit: (header: BatchHeader) => boolean,
): Promise<BatchHeader | undefined> {
  let position = start;
  while (position + HEADER_PEEK_BYTES <= end) {
    const window = await readAt(position, Math.min(SCAN_WINDOW_BYTES, end - position));
    if (window.length < HEADER_PEEK_BYTES) break;
    let at = 0;
    while (at + HEADER_PEEK_BYTES <= window.length) {
      const header = headerAt(window, at, position + at);
      if (visit(header)) return header;
      at += header.size;
    }
    position += at;
  }
  return undefined;
}
