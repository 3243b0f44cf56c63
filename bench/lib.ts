// Shared pieces of the benchmark suite: the row shape every benchmark returns,
// a broker child process with /proc readings, timed child processes, stats.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, startBrokerProcess, type BrokerProcess, type StartOptions } from '../test/helpers/broker-process.js';

/** One figure of the suite. `run()` of every benchmark module (bench/groups.ts too) returns these. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** The repository root (dist/bench/.. /..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every child process still running; killed when the suite gives up on a benchmark or exits. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
/** SIGKILLs every child process this suite started and has not seen exit. */
export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}
process.once('exit', killChildren);

/** Rejects when `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** utime + stime of a live process in seconds (NaN once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** CPU seconds all processes on the machine spent busy so far (every core; /proc/stat). */
export function systemBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal || 0)) / CLK_TCK;
}

/** VmRSS and VmHWM of a live process in MiB. */
export function memoryMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export type BenchBroker = BrokerProcess;

/** Node flags come from the environment too: BENCH_NODE_ARGS (default '--initial-old-space-size=64', as `samsa start` runs), BENCH_CPU_PROF=<dir> (--cpu-prof there). */
export type BrokerOptions = StartOptions;

/** Temp data dirs made here: removed when the suite exits (a benchmark may restart a broker on one). */
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** `samsa start` as a child process (test/helpers/broker-process.ts), tracked so the suite can always kill it. */
export async function startBenchBroker(opts: BrokerOptions = {}): Promise<BenchBroker> {
  let dataDir = opts.dataDir;
  if (dataDir === undefined) tempDirs.add((dataDir = mkdtempSync(join(tmpdir(), 'samsa-bench-'))));
  const nodeArgs = [...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? ['--initial-old-space-size=64']), ...(opts.nodeArgs ?? [])];
  const prof = process.env.BENCH_CPU_PROF;
  if (prof) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${prof}`);
  const broker = await startBrokerProcess({ ...opts, dataDir, nodeArgs });
  track(broker.child);
  return broker;
}

export { removeDir };

export interface TimedRun {
  code: number | null;
  /** Wall time from spawn to exit, seconds. */
  elapsed: number;
  /** CPU seconds of the process (user + system), from /usr/bin/time when available. */
  cpu: number;
  stdout: string;
  stderr: string;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const TIME_MARK = '@@time ';

/**
 * Runs a command to completion, bounded by timeoutMs (SIGKILL). stdout goes to /dev/null unless
 * captureStdout (a consumer's output would otherwise cost this process CPU it shares with the broker).
 */
export function runTimed(
  cmd: string,
  args: string[],
  opts: { timeoutMs: number; captureStdout?: boolean; stdinFile?: string } = { timeoutMs: 120_000 },
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const full = TIME ? [TIME, ['-f', `${TIME_MARK}%e %U %S`, cmd, ...args]] as const : [cmd, args] as const;
    const started = performance.now();
    const child = track(spawn(full[0], full[1], { stdio: ['ignore', opts.captureStdout ? 'pipe' : 'ignore', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 1_000_000) stderr = stderr.slice(-200_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      const elapsed = (performance.now() - started) / 1000;
      let cpu = NaN;
      const at = stderr.lastIndexOf(TIME_MARK);
      if (at >= 0) {
        const [, u, s] = stderr.slice(at + TIME_MARK.length).trim().split(/\s+/).map(Number);
        cpu = u + s;
        stderr = stderr.slice(0, at);
      }
      resolve({ code, elapsed, cpu, stdout, stderr });
    });
  });
}

/** Resolves once a TCP connection to the port succeeds; polls every `everyMs`, bounded. */
export async function waitForPort(port: number, timeoutMs: number, everyMs = 2): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => { s.destroy(); resolve(true); });
      s.once('error', () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    await sleep(everyMs);
  }
  throw new Error(`port ${port} did not answer within ${timeoutMs} ms`);
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  commit: string;
  kcat: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  const tryRun = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return 'unknown';
    }
  };
  const kcatV = /Version ([\d.]+).*?librdkafka ([\d.]+)/s.exec(tryRun('kcat', ['-V']));
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    commit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
    kcat: kcatV ? `kcat ${kcatV[1]} (librdkafka ${kcatV[2]})` : 'kcat (version unknown)',
    os: tryRun('uname', ['-sr']),
  };
}

export const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

/** Rows as a Markdown table. */
export function table(rows: BenchRow[]): string {
  const lines = ['| Benchmark | Value | Unit | Notes |', '|---|---:|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}
