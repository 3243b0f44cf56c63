import assert from 'node:assert/strict';
import { fstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FileCache } from '../../src/storage/file-cache.js';
import { makeTempDir } from './helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
const paths: string[] = [];
before(() => {
  tmp = makeTempDir();
  for (let i = 0; i < 4; i++) {
    paths.push(join(tmp.path, `f${i}`));
    writeFileSync(paths[i], `file ${i}`);
  }
});
after(() => tmp.remove());

const isOpen = (fd: number): boolean => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

test('evicts the least recently used idle descriptor', async () => {
  const cache = new FileCache(2);
  const a = await cache.acquire(paths[0]);
  cache.release(a);
  const b = await cache.acquire(paths[1]);
  cache.release(b);
  cache.release(await cache.acquire(paths[0])); // a is now the most recent
  const c = await cache.acquire(paths[2]);
  cache.release(c);
  assert.equal(cache.size, 2);
  assert.ok(isOpen(a.fd));
  const again = await cache.acquire(paths[0]);
  assert.equal(again.fd, a.fd, 'a stayed cached');
  cache.closeAll();
  assert.equal(cache.size, 1, 'a pinned descriptor outlives closeAll');
  cache.release(again);
  assert.equal(cache.size, 0);
});

test('a pinned descriptor is never closed; acquirers wait for a release', async () => {
  const cache = new FileCache(2);
  const a = await cache.acquire(paths[0]);
  const b = await cache.acquire(paths[1]);
  let got: number | undefined;
  const waiting = cache.acquire(paths[2]).then((f) => (got = f.fd));
  await new Promise((r) => setImmediate(r));
  assert.equal(got, undefined);
  assert.equal(cache.size, 2);
  cache.release(b);
  await waiting;
  assert.equal(cache.size, 2);
  assert.ok(isOpen(a.fd));
  cache.closeAll();
});

test('withFdSync uses a transient descriptor when everything is pinned', async () => {
  const cache = new FileCache(1);
  const a = await cache.acquire(paths[0]);
  const size = cache.withFdSync(paths[1], (fd) => fstatSync(fd).size);
  assert.equal(size, 6);
  assert.equal(cache.size, 1);
  cache.release(a);
  cache.closeAll();
});

test('forget closes an in-use descriptor only on its last release', async () => {
  const cache = new FileCache(4);
  const a = await cache.acquire(paths[3]);
  cache.forget(paths[3]);
  assert.ok(isOpen(a.fd));
  assert.equal(cache.size, 1);
  cache.release(a);
  assert.equal(cache.size, 0);
  assert.ok(!isOpen(a.fd) || (await cache.acquire(paths[3])).fd !== a.fd);
  cache.closeAll();
});
