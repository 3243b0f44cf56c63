// Framing: frames split across chunks, several per chunk, empty and oversized ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, FrameTooLargeError } from '../../src/broker/frame-reader.js';

const frame = (payload: string): Buffer => {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  b.write(payload, 4);
  return b;
};

test('frames arrive whole whatever the chunking', () => {
  const all = Buffer.concat([frame('hello'), frame(''), frame('world!'), frame('x')]);
  for (let split = 1; split <= all.length; split++) {
    const r = new FrameReader(100);
    const got: string[] = [];
    for (let at = 0; at < all.length; at += split) got.push(...r.push(all.subarray(at, at + split)).map((f) => f.toString()));
    assert.deepEqual(got, ['hello', '', 'world!', 'x'], `chunks of ${split}`);
    assert.equal(r.pending, 0);
  }
});

test('a size above the limit or below zero is refused before any allocation', () => {
  assert.throws(() => new FrameReader(10).push(frame('eleven bytes')), FrameTooLargeError);
  const negative = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
  assert.throws(() => new FrameReader(10).push(negative), FrameTooLargeError);
});
