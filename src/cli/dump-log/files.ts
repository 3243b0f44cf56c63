// Reading the files dump-log is given: read-only, whole index/state files, and the batches of a
// .log file walked the way Kafka's FileRecords/FileLogInputStream walk them (a trailing partial
// batch ends the walk; a length below any format's minimum is corruption).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BATCH, BATCH_HEADER_SIZE, LOG_OVERHEAD, batchLengthOf, magicOf } from '../../protocol/records/batch.js';
import { LOG_SUFFIX } from '../../storage/file-names.js';

/** Bytes up to and including the magic byte: what tells batch formats apart (Kafka's HEADER_SIZE_UP_TO_MAGIC). */
const HEADER_SIZE_UP_TO_MAGIC = BATCH.magic + 1;
/** The smallest legal batch length field (a magic-0 message with no key and value: Kafka's RECORD_OVERHEAD_V0). */
const MIN_BATCH_LENGTH = 14;

/** A file that could not be opened, named plainly (a missing file is the usual case). */
function unreadable(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error(`${path}: no such file`);
  if (code === 'EISDIR') return new Error(`${path}: is a directory`);
  return new Error(`${path}: cannot be read (${(err as Error).message})`);
}

export function readWholeFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw unreadable(path, err);
  }
}

/** The number before the first '.' of a segment file's name (Kafka: `name.split("\\.")(0).toLong`). */
export function baseOffsetOfFile(path: string): number {
  const stem = basename(path).split('.')[0];
  if (!/^\d+$/.test(stem)) throw new Error(`${path}: the file name does not start with a segment base offset`);
  return Number(stem);
}

/** `<dir of path>/<base offset stem><suffix>`: the segment file that goes with an index file. */
export function siblingFile(path: string, suffix: string): string {
  return join(dirname(resolve(path)), basename(path).split('.')[0] + suffix);
}

export const logFileOf = (indexPath: string): string => siblingFile(indexPath, LOG_SUFFIX);

/** One record batch of a .log file: its file position and all its bytes. */
export interface FileBatch {
  position: number;
  bytes: Buffer;
}

export class LogFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
  ) {}

  static open(path: string): LogFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw unreadable(path, err);
    }
    return new LogFile(path, fd, fstatSync(fd).size);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The batches starting in [start, end) that end by `end` (end defaults to the file size). */
  *batches(start = 0, end = this.size): Generator<FileBatch> {
    end = Math.min(end, this.size);
    let position = start;
    const header = Buffer.alloc(HEADER_SIZE_UP_TO_MAGIC);
    while (position < end - HEADER_SIZE_UP_TO_MAGIC) {
      this.readAt(header, position);
      const length = batchLengthOf(header);
      if (length < MIN_BATCH_LENGTH) {
        throw new Error(`Found record size ${length} smaller than minimum record overhead (${MIN_BATCH_LENGTH}) in file ${this.path}.`);
      }
      if (position > end - LOG_OVERHEAD - length) return;
      const magic = magicOf(header);
      if (magic !== 2) {
        throw new Error(`${this.path}: the batch at position ${position} has magic ${magic}; only magic 2 record batches (Kafka 0.11+) can be dumped`);
      }
      const size = LOG_OVERHEAD + length;
      if (size < BATCH_HEADER_SIZE) {
        throw new Error(`${this.path}: the batch at position ${position} is ${size} bytes, shorter than a record batch header (${BATCH_HEADER_SIZE})`);
      }
      const bytes = Buffer.alloc(size);
      this.readAt(bytes, position);
      yield { position, bytes };
      position += size;
    }
  }

  private readAt(buf: Buffer, position: number): void {
    for (let done = 0; done < buf.length; ) {
      const n = readSync(this.fd, buf, done, buf.length - done, position + done);
      if (n === 0) throw new Error(`${this.path}: unexpected end of file at ${position + done}`);
      done += n;
    }
  }
}
