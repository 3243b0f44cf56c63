// Issue 12: the embedded broker (src/embedded.ts startBroker()): time to a first acknowledged
// produce and the memory an idle broker adds, each measured in a fresh node process.
import { fileURLToPath } from 'node:url';
import { type BenchRow, median, runTimed } from './lib.js';

const CHILD = fileURLToPath(new URL('./embedded-child.js', import.meta.url));
const REPEATS = Number(process.env.BENCH_EMBEDDED_REPEATS ?? 5);

async function child(mode: string): Promise<Record<string, number>> {
  const r = await runTimed(process.execPath, ['--expose-gc', CHILD, mode], { timeoutMs: 60_000, captureStdout: true });
  if (r.code !== 0) throw new Error(`embedded-child ${mode} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

async function repeated(mode: string): Promise<Record<string, number>> {
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await child(mode));
  const out: Record<string, number> = {};
  for (const k of Object.keys(runs[0])) out[k] = median(runs.map((r) => r[k]));
  return out;
}

export async function embedded(): Promise<BenchRow[]> {
  const k = await repeated('kafkajs');
  const r = await repeated('raw');
  const m = await repeated('memory');
  const n = `median of ${REPEATS} fresh processes`;
  return [
    { name: 'embedded: startBroker() → first acked produce (KafkaJS)', value: k.firstAckMs, unit: 'ms', note: `${n}; startBroker() alone ${k.startMs.toFixed(1)} ms; topic auto-created; KafkaJS connect + metadata + send acks=1` },
    { name: 'embedded: startBroker() → first acked produce (raw request)', value: r.firstAckMs, unit: 'ms', note: `${n}; startBroker() alone ${r.startMs.toFixed(1)} ms; Metadata v4 (auto-create) + Produce v7 on one socket` },
    { name: 'embedded: import of samsa (module loading)', value: m.importMs, unit: 'ms', note: `${n}; before startBroker(), not included above` },
    { name: 'embedded: RSS added by an idle broker', value: m.idleRss, unit: 'MiB', note: `${n}; after import + startBroker() + 1 s idle, GC'd, vs. before import (baseline ${m.baseRss.toFixed(1)} MiB); the import alone: ${m.importRss.toFixed(1)} MiB` },
    { name: 'embedded: heap added by an idle broker', value: m.idleHeap, unit: 'MiB', note: `V8 heapUsed, same points; external +${m.idleExternal.toFixed(1)} MiB` },
  ];
}
