import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FrameMemory } from '../../src/protocol/frame-memory.js';
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

test('a kept frame from a FrameMemory is reused once evicted and its held reads are released; an unheld read keeps it from reuse', () => {
  const memory = new FrameMemory(8 * 1024 * 1024);
  const cache = new TailCache(2 * FRAME_BYTES, FRAME_BYTES, memory);
  const tail = cache.newSegmentTail(0);
  const frames: Buffer[] = [];
  const produce = (fill: number): void => {
    const frame = memory.take(FRAME_BYTES).fill(fill);
    frames.push(frame);
    tail.append((frames.length - 1) * FRAME_BYTES, frame, true);
    memory.release(frame.buffer); // the request's handler is done with it
  };
  produce(0);
  const view = tail.read(10, 100, true)!; // a fetch response being written from frame 0
  produce(1);
  produce(2); // evicts frame 0, still read
  assert.notEqual(memory.take(FRAME_BYTES).buffer, frames[0].buffer, 'evicted but read: not reused yet');
  assert.equal(view[0], 0);
  memory.release(view.buffer); // the response was written
  assert.equal(memory.take(FRAME_BYTES).buffer, frames[0].buffer, 'free for the next frame');

  tail.read(FRAME_BYTES + 10, 100); // a reader that never says it is done (no `held`)
  produce(3);
  produce(4); // evicts frame 1 (and 2)
  assert.ok(![memory.take(FRAME_BYTES), memory.take(FRAME_BYTES)].some((b) => b.buffer === frames[1].buffer), 'never reused');
});
