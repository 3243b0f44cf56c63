// Runs third-party Kafka clients as child processes: kcat, and Debian's
// python3 with confluent_kafka or kafka-python (the python3 on PATH may be
// another build that does not see Debian's packages).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A child that exits without reading its input (kcat -L) closes the pipe: EPIPE is no failure of the run.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs kcat; rejects with its stderr when it exits non-zero. */
export async function kcat(args: string[], input?: string | Buffer, timeoutMs = 30_000): Promise<string> {
  const r = await run('kcat', args, { input, timeoutMs });
  if (r.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const PY_DIR = fileURLToPath(new URL('../../../test/interop/py/', import.meta.url));

/** Runs test/interop/py/<script> with Debian's python3; returns its stdout parsed as JSON. */
export async function python<T = unknown>(script: string, args: string[], timeoutMs = 90_000): Promise<T> {
  const r = await run('/usr/bin/python3', [PY_DIR + script, ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.code}:\n${clientLogLast(r.stderr)}\n${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * stderr with librdkafka's own log lines ("%<level>|...") after everything else, the most severe
 * first: a traceback and a fatal error stay at the top of a failure's message when a long log gets cut.
 */
function clientLogLast(stderr: string): string {
  const level = (line: string): number => (/^%\d\|/.test(line) ? Number(line[1]) : -1);
  return stderr.split('\n').map((line, i) => ({ line, i, level: level(line) }))
    .sort((a, b) => a.level - b.level || a.i - b.i)
    .map((l) => l.line).join('\n');
}
