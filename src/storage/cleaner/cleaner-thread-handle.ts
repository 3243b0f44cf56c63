// The main thread's side of one cleaner worker thread: starts it on first use (again after it
// died), hands it one cleaning at a time and answers its swap requests.
import { Worker } from 'node:worker_threads';
import type { CleanJob, CleanResult, CleanedGroup } from './clean-log.js';
import type { CleanerThreadData, FromCleanerThread, ToCleanerThread } from './cleaner-thread.js';

export class CleaningFailedError extends Error {
  override name = 'CleaningFailedError';
  constructor(
    message: string,
    /** Stopped on request (abort, or the log changed under it): not the log's fault. */
    readonly aborted: boolean,
  ) {
    super(message);
  }
}

interface Running {
  id: number;
  resolve: (r: CleanResult) => void;
  reject: (e: Error) => void;
  swap: (group: CleanedGroup) => Promise<boolean>;
}

export class CleanerThreadHandle {
  private worker: Worker | undefined;
  private running: Running | undefined;
  private nextId = 0;

  constructor(private readonly data: CleanerThreadData) {}

  /** Runs one cleaning; `swap` is called for each cleaned group and says whether it went in. */
  run(job: CleanJob, abort: SharedArrayBuffer, swap: (group: CleanedGroup) => Promise<boolean>): Promise<CleanResult> {
    if (this.running) throw new Error('a cleaner thread runs one cleaning at a time');
    const worker = this.thread();
    const id = this.nextId++;
    // A cleaning under way keeps the process alive, an idle thread does not.
    worker.ref();
    return new Promise<CleanResult>((resolve, reject) => {
      this.running = { id, resolve, reject, swap };
      this.post(worker, { type: 'clean', id, job, abort });
    }).finally(() => {
      this.running = undefined;
      worker.unref();
    });
  }

  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./cleaner-thread.js', import.meta.url), { workerData: this.data });
    worker.on('message', (msg: FromCleanerThread) => this.onMessage(worker, msg));
    const lost = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.running?.reject(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new CleaningFailedError(`cleaner thread exited with code ${code}`, true)));
    this.worker = worker;
    return worker;
  }

  private onMessage(worker: Worker, msg: FromCleanerThread): void {
    const running = this.running;
    if (running?.id !== msg.id) return; // from a cleaning that already ended
    if (msg.type === 'group') {
      running.swap(msg.group).then(
        (ok) => this.post(worker, { type: 'swapped', id: msg.id, ok }),
        (err: unknown) => {
          this.post(worker, { type: 'swapped', id: msg.id, ok: false });
          running.reject(err as Error);
        },
      );
    } else if (msg.type === 'done') {
      running.resolve(msg.result);
    } else {
      running.reject(new CleaningFailedError(msg.message, msg.aborted));
    }
  }

  private post(worker: Worker, msg: ToCleanerThread): void {
    worker.postMessage(msg);
  }
}
