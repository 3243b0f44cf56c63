// Promise wrappers over fd-based fs calls (the threadpool), plus the synchronous full write
// used on the append path.
import { fstat, fsync, read, writeSync } from 'node:fs';

/** Reads into `buf` from `position` until it is full or the file ends; resolves the bytes read. */
export async function readFully(fd: number, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const n = await new Promise<number>((resolve, reject) =>
      read(fd, buf, done, buf.length - done, position + done, (err, bytes) => (err ? reject(err) : resolve(bytes))),
    );
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** [position, position + length) of the file in a new buffer; shorter where the file ends. */
export async function readRange(fd: number, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const n = await readFully(fd, buf, position);
  return n === length ? buf : buf.subarray(0, n);
}

export function writeFullySync(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

export function fileSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}
