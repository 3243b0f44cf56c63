// FrameReader: frames of any size, arriving in reads of any size, come out whole and stay intact
// after later reads; large frames are read into a buffer of their own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameMemory } from '../../src/protocol/frame-memory.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';

/** A deterministic pseudo-random sequence (xorshift32). */
function random(seed: number): (below: number) => number {
  let x = seed;
  return (below) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % below;
  };
}

/** Feeds `stream` to a reader as the socket would: each read copies at most `readSize()` bytes into the buffer it offers. */
function feed(stream: Buffer, readSize: () => number): Buffer[] {
  const frames: Buffer[] = [];
  const reader = new FrameReader((f) => frames.push(f) > 0, (size) => assert.fail(`invalid size ${size}`));
  const { buffer, callback } = reader.onread;
  let at = 0;
  while (at < stream.length) {
    const target = buffer();
    assert.ok(target.length > 0, 'a read always has room');
    const n = Math.min(readSize(), target.length, stream.length - at);
    stream.copy(target, 0, at, at + n);
    at += n;
    assert.equal(callback(n, target), true);
  }
  return frames;
}

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => {
    const size = Buffer.alloc(4);
    size.writeInt32BE(p.length);
    return [size, p];
  }));
}

test('frames of 0 B to 5 MiB in reads of 1 B to 256 KiB come out whole, and stay so', () => {
  const next = random(12345);
  for (const maxRead of [1, 3, 4, 7, 1000, 64 * 1024, 256 * 1024]) {
    const sizes = maxRead < 100 ? [0, 1, 3, 4, 5, 100, 70_000] : [0, 1, 5, 100, 8000, 65_000, 65_536, 70_000, 300_000, 5 * 1024 * 1024, 12, 64 * 1024 - 4];
    const payloads = sizes.map((size, i) => Buffer.alloc(size, (i * 37 + size) & 0xff).fill(i & 0xff, 0, Math.min(size, 1)));
    for (let i = 0; i < 40; i++) payloads.push(Buffer.alloc(next(3000), next(256)));
    const frames = feed(framed(payloads), () => 1 + next(maxRead));
    assert.equal(frames.length, payloads.length, `reads of up to ${maxRead} B`);
    // Compared only at the end: no later read wrote over an earlier frame.
    frames.forEach((f, i) => assert.ok(f.equals(payloads[i]), `frame ${i} (${payloads[i].length} B), reads of up to ${maxRead} B`));
  }
});

test('a large frame is read into one buffer of its own, not copied chunk by chunk', () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 7);
  const frames = feed(framed([Buffer.from('small'), big, Buffer.from('after')]), () => 64 * 1024);
  assert.deepEqual(frames.map((f) => f.length), [5, big.length, 5]);
  // The big frame spans its whole buffer but for what arrived before its size was known.
  assert.ok(frames[1].buffer.byteLength >= big.length && frames[1].buffer.byteLength < big.length + 64 * 1024 + 4);
  assert.ok(frames[1].equals(big));
});

test('a negative size stops reading and is reported', () => {
  let invalid = 0;
  const reader = new FrameReader(() => true, (size) => {
    invalid = size;
  });
  const { buffer, callback } = reader.onread;
  const target = buffer();
  target.writeInt32BE(-5, 0);
  assert.equal(callback(4, target), false);
  assert.equal(invalid, -5);
});

test('a size above the limit stops reading before anything is allocated for it', () => {
  let invalid = 0;
  const frames: Buffer[] = [];
  const reader = new FrameReader((f) => frames.push(f) > 0, (size) => {
    invalid = size;
  }, 100);
  const { buffer, callback } = reader.onread;
  const target = buffer();
  const stream = framed([Buffer.alloc(100, 1), Buffer.alloc(101, 2)]);
  stream.copy(target);
  assert.equal(callback(stream.length, target), false);
  assert.deepEqual(frames.map((f) => f.length), [100]);
  assert.equal(invalid, 101);
});

test('a large frame from a FrameMemory is reused once its recipient releases it; landing-buffer frames are not tracked', () => {
  const frames: Buffer[] = [];
  const memory = new FrameMemory(4 * 1024 * 1024);
  const reader = new FrameReader((f) => frames.push(f) > 0, (size) => assert.fail(`invalid size ${size}`), undefined, memory);
  const { buffer, callback } = reader.onread;
  const send = (stream: Buffer): void => {
    for (let at = 0; at < stream.length;) {
      const target = buffer();
      const n = Math.min(64 * 1024, target.length, stream.length - at);
      stream.copy(target, 0, at, at + n);
      at += n;
      assert.equal(callback(n, target), true);
    }
  };
  const big = (fill: number): Buffer => Buffer.alloc(300_000, fill);
  send(framed([big(1), Buffer.from('small')]));
  const [first, small] = frames;
  assert.equal(first.buffer.byteLength, 320 * 1024, 'the large frame has memory of its own (rounded to 64 KiB)');
  memory.release(small.buffer); // not from memory: ignored
  // Held by its recipient only (the reader moved on to a landing buffer): released, it is free.
  memory.release(first.buffer);
  send(framed([big(2)]));
  assert.equal(frames[2].buffer, first.buffer, 'the second large frame reused the first one\'s memory');
  assert.ok(frames[2].equals(big(2)));
  assert.ok(small.equals(Buffer.from('small')));
  // While its recipient holds it, a frame's memory is not given to the next one.
  send(framed([big(3)]));
  assert.notEqual(frames[3].buffer, frames[2].buffer);
  assert.ok(frames[2].equals(big(2)) && frames[3].equals(big(3)));
});
