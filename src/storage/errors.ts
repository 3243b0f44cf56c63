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

/**
 * An idempotent or transactional append refused by the producer-state checks, as Kafka's
 * ProducerAppendInfo refuses it: `code` is Kafka's error code (OUT_OF_ORDER_SEQUENCE_NUMBER,
 * INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTION_COORDINATOR_FENCED, ...) and the
 * message is Kafka's.
 */
export class ProducerStateError extends Error {
  override name = 'ProducerStateError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A producer-state snapshot file that fails its version or CRC check (Kafka's CorruptSnapshotException). */
export class CorruptSnapshotError extends Error {
  override name = 'CorruptSnapshotError';
}
