// The child processes of `samsa dev-cluster`: their output streamed line by
// line with a prefix, and stopping one with a signal and a bound.
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Writes what `child` prints on stdout and stderr to `out`, each line prefixed (e.g. `[broker 1] `). */
export function streamLines(child: ChildProcess, prefix: string, out: Writable, onLine?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    // A decoder rather than setEncoding: other listeners of the stream may want Buffers.
    const decoder = new StringDecoder('utf8');
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        out.write(`${prefix}${line}\n`);
        onLine?.(line);
      }
    });
    stream?.on('end', () => {
      partial += decoder.end();
      if (partial !== '') out.write(`${prefix}${partial}\n`);
      partial = '';
    });
  }
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves once `child` has exited (at once if it has). */
function exited(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` and waits for the exit; SIGKILL once `timeoutMs` have passed. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!isRunning(child)) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited(child);
  clearTimeout(timer);
}
