// zstd off the event loop. zstd-napi has no asynchronous calls (its stream
// classes run synchronously too), so compressAsync/decompressAsync hand zstd
// work to one worker thread (zstd-thread.ts). Measured here on 1 MiB of
// 100-byte JSON-like records: inline level-3 compression holds the event loop
// 1.3 ms (level 9: 7.3 ms); through the worker it is held ~0.03 ms, for
// 0.1-0.3 ms more latency. Inputs are copied into a buffer of their own and
// transferred (structured cloning a Buffer measured 4 ms per MiB). Inputs up
// to INLINE_MAX_BYTES stay inline: there the hop costs more than the work
// (16 KiB: 0.04 ms inline, 0.12 ms round trip).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type ZstdJob = { id: number; data: Uint8Array } & ({ op: 'compress'; level: number } | { op: 'decompress' });
export type ZstdResult = { id: number; data: Uint8Array; error?: undefined } | { id: number; error: string };

const INLINE_MAX_BYTES = 16 * 1024;

const zstd = (): typeof import('zstd-napi') => createRequire(import.meta.url)('zstd-napi');

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
}

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

/** zstd frame of `data` at `level` (0 = zstd's default, 3). */
export function zstdCompressAsync(data: Buffer, level: number): Promise<Buffer> {
  if (data.length <= INLINE_MAX_BYTES) return Promise.resolve(zstd().compress(data, { compressionLevel: level }));
  return run({ id: nextId++, op: 'compress', level, data: new Uint8Array(data) });
}

export function zstdDecompressAsync(data: Buffer): Promise<Buffer> {
  if (data.length <= INLINE_MAX_BYTES) return Promise.resolve(zstd().decompress(data));
  return run({ id: nextId++, op: 'decompress', data: new Uint8Array(data) });
}

function run(job: ZstdJob): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const w = thread();
    if (pending.size === 0) w.ref();
    pending.set(job.id, { resolve, reject });
    w.postMessage(job, [job.data.buffer as ArrayBuffer]);
  });
}

/**
 * The worker, started on first use and kept, like libuv's threadpool, for the
 * life of the process; it keeps the process alive only while jobs are pending.
 */
function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./zstd-thread.js', import.meta.url));
  w.on('message', (r: ZstdResult) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) w.unref();
    if (r.error !== undefined) p.reject(new Error(r.error));
    else p.resolve(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  });
  const lost = (e: Error): void => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  w.on('error', lost);
  w.on('exit', (code) => lost(new Error(`zstd worker exited with code ${code}`)));
  w.unref(); // after the listeners: adding a 'message' listener refs it again
  worker = w;
  return w;
}
