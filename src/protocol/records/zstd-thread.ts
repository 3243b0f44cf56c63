// Body of the zstd worker thread (zstd-offload.ts starts it): runs each job
// it is sent with zstd-napi, whose calls are all synchronous, and sends the
// result back as a transferred buffer.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { ZstdJob, ZstdResult } from './zstd-offload.js';

const zstd = createRequire(import.meta.url)('zstd-napi') as typeof import('zstd-napi');
const port = parentPort;
if (!port) throw new Error('zstd-thread runs only as a worker thread');

port.on('message', (job: ZstdJob) => {
  let reply: ZstdResult;
  try {
    const out = job.op === 'compress' ? zstd.compress(job.data, { compressionLevel: job.level }) : zstd.decompress(job.data);
    reply = { id: job.id, data: ownedCopy(out) };
  } catch (e) {
    port.postMessage({ id: job.id, error: (e as Error).message } satisfies ZstdResult);
    return;
  }
  port.postMessage(reply, [reply.data.buffer as ArrayBuffer]);
});

/** `b` itself when it spans its whole ArrayBuffer; else a copy that does (a slice of Node's buffer pool must not be transferred). */
function ownedCopy(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}
