import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TailCache } from '../../src/storage/tail-cache.js';

// A real collection, so the test sees what the cache keeps reachable (not just what it counts).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FRAME_BYTES = 64 * 1024;

test('the tail cache lets go of kept frames it evicted: only its budget stays reachable', async () => {
  const budgetFrames = 4;
  const cache = new TailCache(budgetFrames * FRAME_BYTES, FRAME_BYTES);
  const tail = cache.newSegmentTail(0);
  const frames: WeakRef<ArrayBuffer>[] = [];
  for (let i = 0; i < 40; i++) {
    // A produce request's frame of its own, whose records the caller gives up.
    const frame = Buffer.alloc(FRAME_BYTES, i);
    frames.push(new WeakRef(frame.buffer as ArrayBuffer));
    tail.append(i * FRAME_BYTES, frame, true);
  }
  assert.equal(cache.size, budgetFrames * FRAME_BYTES);
  // WeakRef targets stay alive until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const reachable = frames.map((f, i) => (f.deref() ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(reachable, [36, 37, 38, 39], 'only the frames within the budget are reachable');
  // The newest are still served from memory, the evicted ones not.
  assert.equal(tail.read(39 * FRAME_BYTES + 10, 5)?.[0], 39);
  assert.equal(tail.read(35 * FRAME_BYTES, 5), undefined);
  tail.reset(40 * FRAME_BYTES);
  assert.equal(cache.size, 0);
});
