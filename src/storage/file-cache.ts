// Bounded LRU of open file descriptors shared by all partitions of one LogManager.
// Reference counted: an fd pinned by an in-flight read is never closed under it;
// eviction picks the least recently used idle fd.
import { closeSync, constants, openSync } from 'node:fs';
import { dirname } from 'node:path';

export class CachedFile {
  refs = 0;
  /** Removed from the cache while pinned: closed on the last release. */
  detached = false;
  constructor(
    readonly path: string,
    readonly fd: number,
  ) {}
}

const READ_WRITE = constants.O_RDWR;
const READ_WRITE_CREATE = constants.O_RDWR | constants.O_CREAT;

export class FileCache {
  /** Insertion order is recency order: the first idle entry is the eviction victim. */
  private readonly files = new Map<string, CachedFile>();
  /** Cached paths by directory, so closing one partition does not scan the whole cache. */
  private readonly byDir = new Map<string, Set<string>>();
  private openCount = 0;
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  constructor(readonly maxOpen: number) {
    if (maxOpen < 1) throw new RangeError('maxOpen must be at least 1');
  }

  /** Open descriptors, including detached ones still pinned by reads. */
  get size(): number {
    return this.openCount;
  }

  /**
   * Pins the file's descriptor for an asynchronous operation; pair with release().
   * Waits while every cached descriptor is pinned and the cache is full.
   */
  async acquire(path: string): Promise<CachedFile> {
    for (;;) {
      this.checkOpen();
      let file: CachedFile | undefined;
      try {
        file = this.files.get(path) ?? (this.makeRoom() ? this.open(path, READ_WRITE) : undefined);
      } catch (err) {
        // The room this waiter was woken for is still free (e.g. the file was deleted meanwhile): pass it on.
        this.waiters.shift()?.();
        throw err;
      }
      if (file) {
        this.touch(file);
        file.refs++;
        return file;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(file: CachedFile): void {
    file.refs--;
    if (file.refs === 0 && file.detached) this.closeFd(file);
    if (file.refs === 0) this.waiters.shift()?.();
  }

  /**
   * Runs `fn` with the file's descriptor synchronously (the append path). When every cached
   * descriptor is pinned it uses a transient descriptor closed before returning.
   */
  withFdSync<T>(path: string, fn: (fd: number) => T, create = false): T {
    this.checkOpen();
    let file = this.files.get(path);
    if (!file && this.makeRoom()) file = this.open(path, create ? READ_WRITE_CREATE : READ_WRITE);
    if (!file) {
      const fd = openSync(path, create ? READ_WRITE_CREATE : READ_WRITE);
      try {
        return fn(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.touch(file);
    return fn(file.fd);
  }

  /** Closes the descriptors of `path` (now, or on their last release); used before rename/unlink. */
  forget(path: string): void {
    const file = this.files.get(path);
    if (!file) return;
    this.remove(file);
    if (file.refs > 0) {
      file.detached = true;
      return;
    }
    this.closeFd(file);
    this.waiters.shift()?.(); // its room is free
  }

  /** Forgets every file directly in `dir` (a partition directory). */
  forgetDir(dir: string): void {
    for (const path of [...(this.byDir.get(dir) ?? [])]) this.forget(path);
  }

  closeAll(): void {
    for (const path of [...this.files.keys()]) this.forget(path);
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('file cache is closed');
  }

  private touch(file: CachedFile): void {
    this.files.delete(file.path);
    this.files.set(file.path, file);
  }

  /** True when one more descriptor may be opened, evicting the least recently used idle one if needed. */
  private makeRoom(): boolean {
    if (this.openCount < this.maxOpen) return true;
    for (const file of this.files.values()) {
      if (file.refs === 0) {
        this.remove(file);
        this.closeFd(file);
        return true;
      }
    }
    return false;
  }

  private open(path: string, flags: number): CachedFile {
    const file = new CachedFile(path, openSync(path, flags, 0o644));
    this.openCount++;
    this.files.set(path, file);
    const dir = dirname(path);
    let paths = this.byDir.get(dir);
    if (!paths) this.byDir.set(dir, (paths = new Set()));
    paths.add(path);
    return file;
  }

  private remove(file: CachedFile): void {
    this.files.delete(file.path);
    const dir = dirname(file.path);
    const paths = this.byDir.get(dir);
    paths?.delete(file.path);
    if (paths?.size === 0) this.byDir.delete(dir);
  }

  private closeFd(file: CachedFile): void {
    this.openCount--;
    closeSync(file.fd);
  }
}
