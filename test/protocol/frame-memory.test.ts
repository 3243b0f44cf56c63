import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameMemory } from '../../src/protocol/frame-memory.js';

test('memory is reused only once every holder released it, and never once forgotten', () => {
  const memory = new FrameMemory(8 * 1024 * 1024);
  const a = memory.take(100_000);
  assert.ok(a.length >= 100_000 && a.buffer.byteLength === a.length, 'all of its own ArrayBuffer');
  memory.hold(a.buffer); // a second holder
  memory.release(a.buffer);
  assert.notEqual(memory.take(100_000).buffer, a.buffer, 'still held once: not reused');
  memory.release(a.buffer);
  assert.equal(memory.take(100_000).buffer, a.buffer, 'the last release frees it');

  const b = memory.take(100_000);
  memory.forget(b.buffer);
  memory.hold(b.buffer);
  memory.release(b.buffer);
  assert.notEqual(memory.take(100_000).buffer, b.buffer, 'forgotten memory is left to the collector');
});

test('a free buffer serves frames of nearby sizes, not much smaller ones; huge ones are not kept', () => {
  const memory = new FrameMemory(8 * 1024 * 1024);
  const a = memory.take(1_000_001);
  memory.release(a.buffer);
  assert.equal(memory.take(1_000_100).buffer, a.buffer, 'sizes are rounded up: a slightly larger frame fits');
  memory.release(a.buffer);
  assert.notEqual(memory.take(70_000).buffer, a.buffer, 'a 1 MiB buffer is not tied up by a 70 KB frame');
  const huge = memory.take(20 * 1024 * 1024);
  memory.release(huge.buffer);
  assert.notEqual(memory.take(20 * 1024 * 1024).buffer, huge.buffer);
});
