// Import before using @platformatic/kafka: 2.x targets Node 22 and calls
// Promise.withResolvers, which Node 20 lacks. Also: a raw connection for its
// per-API functions.
import { Connection } from '@platformatic/kafka';

const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
promiseCtor.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};

/** Runs `fn` on a fresh @platformatic/kafka connection to 127.0.0.1:port, closed afterwards. */
export async function withConnection<T>(port: number, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = new Connection('samsa-test');
  await c.connect('127.0.0.1', port);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}
