// Output of the kill -9 tests' child processes.
import { writeSync } from 'node:fs';

/**
 * Writes a line to stdout synchronously. stdout is a pipe the parent reads, and Node may have
 * made it non-blocking: when the parent lags and the pipe is full, writeSync fails with EAGAIN or
 * writes part of the line, so this waits a millisecond and writes the rest.
 */
export function printLine(line: string): void {
  let bytes = Buffer.from(`${line}\n`);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(1, bytes));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
