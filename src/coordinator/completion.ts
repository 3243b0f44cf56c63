// Coordinator writes finish when their records are replicated: at once on a
// single node (the log is the whole ISR), later in a cluster (acks=all: once
// the partition's high watermark passes them). Results are therefore a value
// now or a promise, and code after a write runs through andThen, so a single
// node stays synchronous.

export type MaybePromise<T> = T | Promise<T>;

/** Runs `next` on the value now, or once the promise resolves. */
export function andThen<T, U>(value: MaybePromise<T>, next: (v: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
