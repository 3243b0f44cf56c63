// Starts `samsa start` as a child process on a free port with a temp data dir,
// the way a user runs it; tests kill -9 it, restart it and read its files.
// The benchmark suite (bench/lib.ts) starts its brokers through this too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTestPort } from './ports.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** A clean stop that takes longer than this is ended with SIGKILL (and reported as a null exit code). */
const STOP_TIMEOUT_MS = 60_000;
/** Broker output kept for error messages; older output is dropped. */
const OUTPUT_KEPT = 100_000;

export interface BrokerProcess {
  bootstrap: string;
  port: number;
  pid: number;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL, no cleanup: the crash case. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a clean exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  overrides?: Record<string, string | number | boolean>;
  /** Flags for node itself, before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function startBrokerProcess(opts: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-test-'));
  const overrides: Record<string, string | number | boolean> = {
    // Restarts reuse the port, so it comes from outside the ephemeral range (ports.ts).
    listeners: `PLAINTEXT://127.0.0.1:${opts.port || (await freeTestPort())}`,
    'log.dirs': dataDir,
    'offsets.topic.replication.factor': 1,
    'group.initial.rebalance.delay.ms': 0,
    ...opts.overrides,
  };
  const args = [...(opts.nodeArgs ?? []), MAIN, 'start'];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 2 * OUTPUT_KEPT) out = out.slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const boundPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start within 60 s:\n${out}`)), 60_000);
    const check = (): void => {
      const m = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stderr?.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}:\n${out}`)); });
  });
  return {
    bootstrap: `127.0.0.1:${boundPort}`,
    port: boundPort,
    pid: child.pid!,
    dataDir,
    child,
    output: () => out,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
