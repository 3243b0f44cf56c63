// The copy of a partition log that AlterReplicaLogDirs makes in another log dir: Kafka's
// `<topic>-<partition>.<uuid>-future` directory. Segment data is copied in rounds on the
// threadpool while the log keeps taking appends, with each sealed segment's indexes and the
// partition's other files; PartitionLog.moveTo copies the last few bytes synchronously, renames
// the directory to the partition's name and swaps the copy in.
import { closeSync, constants, copyFileSync, mkdirSync, openSync, readSync, write } from 'node:fs';
import { copyFile, open, readdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import type { FileCache } from './file-cache.js';
import { fsyncFd, writeFullySync } from './file-io.js';
import { LOG_SUFFIX, partitionDirName } from './file-names.js';
import type { LogSegment } from './segment.js';

/** Bytes read and written per copy step. */
const COPY_CHUNK_BYTES = 1024 * 1024;
const FUTURE_DIR = /^.+-\d+\.[0-9a-f]{32}-future$/;
/** A segment's files besides its .log (those that exist are copied). */
const SEGMENT_SIDE_SUFFIXES = ['.index', '.timeindex', '.txnindex'];
const SEGMENT_FILE = /^\d{20}\.(log|index|timeindex|txnindex)$/;
/** Files of interrupted operations, never copied. */
const TRANSIENT_FILE = /\.(tmp|deleted|cleaned|swap)$/;

/** `<topic>-<partition>.<32-hex uuid>-future` */
export function futureDirName(topic: string, partition: number): string {
  return `${partitionDirName(topic, partition)}.${randomUUID().replaceAll('-', '')}-future`;
}

export function isFutureDirName(name: string): boolean {
  return FUTURE_DIR.test(name);
}

/** Segments with their sizes and the log end offset, read together: copied up to these sizes, the copy ends at that offset. */
export interface LogSnapshot {
  segments: readonly LogSegment[];
  sizes: readonly number[];
  logEndOffset: number;
}

interface CopiedSegment {
  /** The copy's .log while it may still grow; a sealed segment's copy is fsynced and closed once complete. */
  fd: number | undefined;
  bytes: number;
  sideFilesCopied: boolean;
}

export class FutureLog {
  /** Bytes of segment data copied: the future log's size. */
  size = 0;
  /** The log end offset the copy has reached. */
  logEndOffset = 0;
  /** Offset below which the copy is fsynced. */
  syncedOffset = 0;
  private readonly copied = new Map<number, CopiedSegment>();
  /** Files copied whole (indexes, leader-epoch-checkpoint), fsynced by sync(). */
  private readonly unsynced = new Set<string>();

  /** Creates the directory (synchronously: a failure is the caller's answer). */
  constructor(
    readonly dir: string,
    private readonly files: FileCache,
  ) {
    mkdirSync(dir);
  }

  /** Copies everything up to the snapshot, off the event loop; stops early once `cancelled()`. */
  async copy(snapshot: LogSnapshot, cancelled: () => boolean): Promise<void> {
    const { segments, sizes } = snapshot;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const copied = this.copiedOf(segment);
      while (copied.bytes < sizes[i]) {
        if (cancelled()) return;
        const chunk = await segment.read(copied.bytes, Math.min(COPY_CHUNK_BYTES, sizes[i] - copied.bytes));
        if (chunk.length === 0) throw new Error(`${segment.logPath} ended at ${copied.bytes} bytes while being copied`);
        await writeFully(this.fdOf(segment, copied), chunk, copied.bytes);
        copied.bytes += chunk.length;
        this.size += chunk.length;
      }
      // A sealed segment no longer changes: its indexes are complete (written at the roll), and
      // its copy is done, so it need not hold a file descriptor until the switch.
      if (i < segments.length - 1 && !copied.sideFilesCopied) {
        await Promise.all(sideFiles(segment).map((path) => this.copyFile(path)));
        copied.sideFilesCopied = true;
        if (copied.fd !== undefined) {
          await fsyncFd(copied.fd);
          closeSync(copied.fd);
          copied.fd = undefined;
        }
      }
    }
    this.logEndOffset = snapshot.logEndOffset;
  }

  /** Segment bytes not copied yet. */
  pendingBytes(segments: readonly LogSegment[]): number {
    return segments.reduce((n, s) => n + s.size - (this.copied.get(s.baseOffset)?.bytes ?? 0), 0);
  }

  /** Copies the partition's files that belong to no segment (leader-epoch-checkpoint, producer snapshots). */
  async copyPartitionFiles(partitionDir: string): Promise<void> {
    const names = (await readdir(partitionDir)).filter((n) => !SEGMENT_FILE.test(n) && !TRANSIENT_FILE.test(n));
    await Promise.all(names.map((n) => this.copyFile(join(partitionDir, n))));
  }

  /** Copies a whole file next to the segments, if it exists (a missing index is rebuilt when first used). */
  private async copyFile(path: string): Promise<void> {
    const target = join(this.dir, basename(path));
    try {
      await copyFile(path, target);
      this.unsynced.add(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** fsyncs what was copied so far and the directory; `syncedOffset` then covers it. */
  async sync(): Promise<void> {
    const upTo = this.logEndOffset;
    const paths = [...this.unsynced];
    this.unsynced.clear();
    await Promise.all([
      ...[...this.copied.values()].flatMap((c) => (c.fd === undefined ? [] : [fsyncFd(c.fd)])),
      ...paths.map((path) => fsyncPath(path)),
      fsyncPath(this.dir),
    ]);
    this.syncedOffset = upTo;
  }

  /**
   * The switch: copies what is still missing synchronously (the bytes appended since the last
   * round, and the indexes of every segment, which must be sealed by now) and closes the files.
   */
  finishSync(segments: readonly LogSegment[], logEndOffset: number): void {
    const buf = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    for (const segment of segments) {
      const copied = this.copiedOf(segment);
      if (copied.bytes < segment.size) {
        this.files.withFdSync(segment.logPath, (fd) => {
          while (copied.bytes < segment.size) {
            const n = readSync(fd, buf, 0, Math.min(buf.length, segment.size - copied.bytes), copied.bytes);
            if (n === 0) throw new Error(`${segment.logPath} ended at ${copied.bytes} bytes while being copied`);
            writeFullySync(this.fdOf(segment, copied), buf.subarray(0, n), copied.bytes);
            copied.bytes += n;
            this.size += n;
          }
        });
      }
      if (!copied.sideFilesCopied) {
        for (const path of sideFiles(segment)) copyFileIfPresentSync(path, join(this.dir, basename(path)));
        copied.sideFilesCopied = true;
      }
    }
    this.logEndOffset = logEndOffset;
    this.close();
  }

  /** Closes the copy's files (the switch, or an abandoned copy before its directory is removed). */
  close(): void {
    for (const c of this.copied.values()) if (c.fd !== undefined) closeSync(c.fd);
    this.copied.clear();
  }

  /** The copy of `segment`; its file is created at once, so even an empty segment has one. */
  private copiedOf(segment: LogSegment): CopiedSegment {
    let copied = this.copied.get(segment.baseOffset);
    if (!copied) {
      copied = { fd: undefined, bytes: 0, sideFilesCopied: false };
      this.copied.set(segment.baseOffset, copied);
      this.fdOf(segment, copied);
    }
    return copied;
  }

  /** The copy's file, opened (one call, also during the switch) while data is still to be written. */
  private fdOf(segment: LogSegment, copied: CopiedSegment): number {
    copied.fd ??= openSync(join(this.dir, basename(segment.logPath)), constants.O_RDWR | constants.O_CREAT, 0o644);
    return copied.fd;
  }
}

async function writeFully(fd: number, buf: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buf.length; ) {
    done += await new Promise<number>((resolve, reject) =>
      write(fd, buf, done, buf.length - done, position + done, (err, n) => (err ? reject(err) : resolve(n))),
    );
  }
}

/** fsyncs a file or a directory (after renames in it). */
export async function fsyncPath(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

function sideFiles(segment: LogSegment): string[] {
  return SEGMENT_SIDE_SUFFIXES.map((suffix) => segment.logPath.slice(0, -LOG_SUFFIX.length) + suffix);
}

function copyFileIfPresentSync(from: string, to: string): void {
  try {
    copyFileSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
