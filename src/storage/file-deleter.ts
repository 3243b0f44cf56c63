// Deletion of files a read in flight may still use (Kafka's asynchronous segment deletion):
// they are renamed with the .deleted suffix at once, so a crash cannot bring them back (the next
// start-up removes every .deleted file), and unlinked file.delete.delay.ms later on the threadpool.
import { renameSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { DELETED_SUFFIX } from './file-names.js';

/** Renames `path` to `path.deleted` and returns the new path; undefined when the file does not exist. */
export function renameForDeletion(path: string): string | undefined {
  try {
    renameSync(path, path + DELETED_SUFFIX);
    return path + DELETED_SUFFIX;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Unlinks renamed files after a delay. One per LogManager; close() stops it. */
export class DelayedFileDeleter {
  private readonly waiting = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Unlinks `paths` after `delayMs`. A file already gone (its partition deleted or moved meanwhile) is fine. */
  schedule(paths: readonly string[], delayMs: number): void {
    if (paths.length === 0 || this.closed) return;
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      const run = Promise.all(paths.map((path) => unlink(path).catch(ignoreMissing)))
        .then(() => undefined, this.onError)
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }, delayMs);
    timer.unref();
    this.waiting.add(timer);
  }

  /** Drops the waiting deletions (the next start-up removes those files) and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.waiting) clearTimeout(timer);
    this.waiting.clear();
    await Promise.allSettled(this.running);
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
