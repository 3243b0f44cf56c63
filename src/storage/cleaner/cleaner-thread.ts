// Body of a log cleaner worker thread (log-cleaner.ts starts log.cleaner.threads of them): it keeps
// one offset map (its share of log.cleaner.dedupe.buffer.size) and runs one cleaning at a time,
// reading and writing segment files itself; for each cleaned group it asks the main thread to swap
// it in and waits for the answer.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { type CleanJob, type CleanResult, type CleanedGroup, CleaningAbortedError, cleanLog } from './clean-log.js';
import { OffsetMap } from './offset-map.js';
import { pauseForTest } from './test-pause.js';

/** The lowest CPU priority: the cleaner runs on what request handling leaves. */
const BACKGROUND_NICE = 19;

export interface CleanerThreadData {
  /** Bytes of offset map (log.cleaner.dedupe.buffer.size / log.cleaner.threads). */
  memoryBytes: number;
  /** log.cleaner.io.buffer.load.factor */
  loadFactor: number;
  /** log.cleaner.io.buffer.size / threads / 2, as Kafka splits it into a read and a write buffer. */
  ioBufferSize: number;
  pauseAt?: string;
}

/** Every message names the cleaning it belongs to (`id`). */
export type ToCleanerThread =
  | { type: 'clean'; id: number; job: CleanJob; /** Set to 1 to stop the cleaning at the next check. */ abort: SharedArrayBuffer }
  | { type: 'swapped'; id: number; ok: boolean };

export type FromCleanerThread =
  | { type: 'group'; id: number; group: CleanedGroup }
  | { type: 'done'; id: number; result: CleanResult }
  | { type: 'failed'; id: number; message: string; aborted: boolean };

const port = parentPort;
if (!port) throw new Error('cleaner-thread runs only as a worker thread');
const data = workerData as CleanerThreadData;
// Background work: on Linux the nice value is per thread (pid 0 = this thread), so the cleaner
// yields the CPU to the event loop and request handling instead of competing with them.
try {
  setPriority(0, BACKGROUND_NICE);
} catch {
  // not permitted here: the thread runs at normal priority
}
const map = new OffsetMap(data.memoryBytes, data.loadFactor);
let swapAnswer: { id: number; answer: (ok: boolean) => void } | undefined;

port.on('message', (msg: ToCleanerThread) => {
  if (msg.type === 'swapped') {
    if (swapAnswer?.id === msg.id) swapAnswer.answer(msg.ok);
    return;
  }
  const { id } = msg;
  const abort = new Int32Array(msg.abort);
  cleanLog(msg.job, map, {
    ioBufferSize: data.ioBufferSize,
    checkDone: () => {
      if (Atomics.load(abort, 0) !== 0) throw new CleaningAbortedError('cleaning aborted');
    },
    pause: (point) => pauseForTest(data.pauseAt, point),
    swap: (group) =>
      new Promise<boolean>((resolve) => {
        swapAnswer = { id, answer: resolve };
        post({ type: 'group', id, group });
      }),
  }).then(
    (result) => post({ type: 'done', id, result }),
    (err: unknown) => post({ type: 'failed', id, message: (err as Error).stack ?? String(err), aborted: err instanceof CleaningAbortedError }),
  );
});

function post(msg: FromCleanerThread): void {
  port!.postMessage(msg);
}
