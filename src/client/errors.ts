// The client's error classes. Every error a caller sees is a KafkaClientError
// carrying Kafka's error name (`type`) and whether retrying may succeed, so
// code can branch on `err.type === 'MESSAGE_TOO_LARGE'` as with other clients.
import { errorInfo, errorName } from '../protocol/errors.js';

/** Base class of every error thrown by Samsa's client. */
export class KafkaClientError extends Error {
  override name = 'KafkaClientError';
  /** Kafka's error name (e.g. `NOT_LEADER_OR_FOLLOWER`), or a client-side name such as `NETWORK_EXCEPTION`. */
  readonly type: string;
  /** Whether the same operation may succeed if tried again. */
  readonly retriable: boolean;

  /** @param type Kafka's error name; @param retriable whether a retry may succeed. */
  constructor(message: string, type: string, retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.type = type;
    this.retriable = retriable;
  }
}

/** An error code returned by a broker, e.g. `UNKNOWN_TOPIC_OR_PARTITION` (code 3). */
export class KafkaError extends KafkaClientError {
  override name = 'KafkaError';
  /** Kafka's numeric error code. */
  readonly code: number;

  /**
   * @param code Kafka's error code; the name and retriability come from Kafka's table.
   * @param detail optional context (the broker's error message, the topic-partition concerned).
   */
  constructor(code: number, detail?: string | null) {
    const info = errorInfo(code);
    super(`${errorName(code)}: ${detail ?? info?.message ?? 'unknown error code'}`, errorName(code), info?.retriable ?? false);
    this.code = code;
  }
}

/** A connection could not be made or was lost before the answer came (Kafka's NETWORK_EXCEPTION); retriable. */
export class KafkaConnectionError extends KafkaClientError {
  override name = 'KafkaConnectionError';
  /** @param message what failed, naming the broker address. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NETWORK_EXCEPTION', true, options);
  }
}

/** An operation did not complete in its time limit (requestTimeoutMs, maxBlockMs, deliveryTimeoutMs...); retriable. */
export class KafkaTimeoutError extends KafkaClientError {
  override name = 'KafkaTimeoutError';
  /** @param message what timed out and after how long. */
  constructor(message: string) {
    super(message, 'REQUEST_TIMED_OUT', true);
  }
}

/** A method called in a state that does not allow it (closed client, no transaction, bad argument...); not retriable. */
export class KafkaStateError extends KafkaClientError {
  override name = 'KafkaStateError';
  /** @param type a Kafka error name when one fits (e.g. `INVALID_TXN_STATE`), else `ILLEGAL_STATE`. */
  constructor(message: string, type = 'ILLEGAL_STATE') {
    super(message, type, false);
  }
}

/** A commit failed because the group rebalanced; the records since the last commit may be delivered again. */
export class CommitFailedError extends KafkaClientError {
  override name = 'CommitFailedError';
  /** @param code the broker's error code (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS...). */
  constructor(code: number) {
    super(
      `Commit cannot be completed since the group has already rebalanced (${errorName(code)}); the records since the last commit may be delivered again`,
      errorName(code),
      false,
    );
  }
}

/** Raised in a waiting poll() by wakeup(). */
export class WakeupError extends KafkaClientError {
  override name = 'WakeupError';
  constructor() {
    super('poll() was woken up by wakeup()', 'WAKEUP', false);
  }
}

/** A KafkaError for `code`, or null for code 0 (NONE). */
export function errorFor(code: number, detail?: string | null): KafkaError | null {
  return code === 0 ? null : new KafkaError(code, detail);
}

/** Throws a KafkaError when `code` is not 0. */
export function throwIfError(code: number, detail?: string | null): void {
  if (code !== 0) throw new KafkaError(code, detail);
}
