// Typed storage errors the broker maps to Kafka error codes.

/** Fetch or ListOffsets offset outside [logStartOffset, logEndOffset] (OFFSET_OUT_OF_RANGE). */
export class OffsetOutOfRangeError extends Error {
  override name = 'OffsetOutOfRangeError';
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is outside the log range [${logStartOffset}, ${logEndOffset}]`);
  }
}

/** Bytes on disk that do not parse as record batches where batches must be (CORRUPT_MESSAGE). */
export class CorruptLogError extends Error {
  override name = 'CorruptLogError';
}

/** Operation on a log that was closed or deleted (the broker answers NOT_LEADER/UNKNOWN_TOPIC). */
export class LogClosedError extends Error {
  override name = 'LogClosedError';
}
