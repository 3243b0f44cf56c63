// Common part of the offset and time indexes: fixed-size big-endian entries kept in memory
// (loaded lazily from the file for inactive segments) and written to the file in batches.
// The file always holds a prefix of the in-memory entries and exactly `entries * entrySize`
// bytes once persisted, so it never needs trimming for kafka-dump-log.
import { ftruncateSync } from 'node:fs';
import type { CachedFile, FileCache } from './file-cache.js';
import { fileSize, readFully, writeFullySync } from './file-io.js';

/** Unwritten entries that trigger a file write from the append path. */
const PERSIST_BATCH_ENTRIES = 128;
const INITIAL_CAPACITY_ENTRIES = 16;

export abstract class SparseIndex {
  private buf: Buffer = Buffer.alloc(0);
  private count = 0;
  /** Entries known to be in the file; the file may be longer than this after a truncation. */
  private persisted = 0;
  private fileTooLong = false;
  private loading: Promise<boolean> | undefined;
  /** False until the file was read (inactive segments) or the entries were built in memory. */
  loaded = false;

  constructor(
    readonly path: string,
    readonly baseOffset: number,
    readonly entrySize: number,
    readonly maxEntries: number,
    protected readonly files: FileCache,
  ) {}

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Reads the file once; resolves false when it is missing or fails validation (caller rebuilds). */
  load(logSize: number, nextOffset: number): Promise<boolean> {
    if (this.loaded) return Promise.resolve(true);
    this.loading ??= this.readFile().then((ok) => {
      ok = ok && this.isValid(logSize, nextOffset);
      if (!ok) this.resetInMemory();
      else this.loaded = true;
      this.loading = undefined;
      return ok;
    });
    return this.loading;
  }

  /**
   * Takes the entries of an index file's bytes as they are, unvalidated, as Kafka opens an index
   * read-only (a trailing partial entry is left out): for tools that inspect files (samsa dump-log).
   */
  useFileBytes(bytes: Buffer): void {
    this.count = this.persisted = Math.floor(bytes.length / this.entrySize);
    this.buf = bytes.subarray(0, this.count * this.entrySize);
    this.loaded = true;
  }

  /** Empties the index (in memory now, in the file at the next persist). */
  reset(): void {
    this.resetInMemory();
    this.fileTooLong = true;
    this.loaded = true;
  }

  /** Writes unwritten entries and cuts the file to the used size. Synchronous: runs on the append path. */
  persist(): void {
    if (!this.loaded || (this.persisted === this.count && !this.fileTooLong)) return;
    this.files.withFdSync(
      this.path,
      (fd) => {
        if (this.fileTooLong) ftruncateSync(fd, this.persisted * this.entrySize);
        const from = this.persisted * this.entrySize;
        writeFullySync(fd, this.buf.subarray(from, this.count * this.entrySize), from);
      },
      true,
    );
    this.persisted = this.count;
    this.fileTooLong = false;
  }

  protected entryAt(n: number): number {
    return n * this.entrySize;
  }

  protected get data(): Buffer {
    return this.buf;
  }

  /** Reserves the next entry and returns its byte position in `data`; fill it, then call committed(). */
  protected appendSlot(): number {
    if (this.count * this.entrySize === this.buf.length) {
      const grown = Buffer.alloc(Math.max(INITIAL_CAPACITY_ENTRIES, this.count * 2) * this.entrySize);
      this.buf.copy(grown);
      this.buf = grown;
    }
    const at = this.count * this.entrySize;
    this.count++;
    return at;
  }

  protected committed(): void {
    if (this.count - this.persisted < PERSIST_BATCH_ENTRIES) return;
    try {
      this.persist();
    } catch {
      // The log append already succeeded; unwritten entries are retried at the next persist
      // and rebuilt by recovery if the broker dies first.
    }
  }

  /** Keeps the first `n` entries. */
  protected truncateToEntries(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    if (this.persisted > n) {
      this.persisted = n;
      this.fileTooLong = true;
    }
  }

  /** Largest slot whose key is <= target (keys ascend), or -1. */
  protected largestLowerBound(target: number, keyAt: (slot: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Entry-level sanity checks done once on load; false means corrupt. */
  protected abstract isValid(logSize: number, nextOffset: number): boolean;

  private resetInMemory(): void {
    this.buf = Buffer.alloc(0);
    this.count = 0;
    this.persisted = 0;
  }

  private async readFile(): Promise<boolean> {
    let file: CachedFile;
    try {
      file = await this.files.acquire(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    try {
      const size = await fileSize(file.fd);
      if (size % this.entrySize !== 0) return false;
      const buf = Buffer.alloc(size);
      if ((await readFully(file.fd, buf, 0)) !== size) return false;
      this.buf = buf;
      this.count = this.persisted = size / this.entrySize;
      return true;
    } finally {
      this.files.release(file);
    }
  }
}
