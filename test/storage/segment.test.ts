// A segment retired while a read may still be in flight (a cleaner swap, retention): reads go on
// over its renamed files, as in Kafka, even when a cleaned segment took its file names, until the
// renamed files are unlinked.
import assert from 'node:assert/strict';
import { existsSync, unlinkSync } from 'node:fs';
import { test } from 'node:test';
import { LogSegment } from '../../src/storage/segment.js';
import { tempStorage, valueBatch } from './helpers.js';

const SETTINGS = { indexIntervalBytes: 4096, maxIndexSize: 1024 * 1024 };
const NOW = 1_700_000_000_000;

const { tmp, files } = tempStorage(8);

/** A segment at base offset 0 in `tmp` holding `batch` (its file names those of any segment at 0 there). */
function segmentWith(batch: Buffer, lastOffset: number): LogSegment {
  const segment = LogSegment.create(tmp.path, 0, SETTINGS, 0, files, NOW);
  segment.append(batch, lastOffset, NOW, lastOffset);
  return segment;
}

test('a retired segment reads its renamed .log, not the cleaned one that took its name; once unlinked, ENOENT', async () => {
  const old = valueBatch(3, 10, 'old');
  const retired = segmentWith(old, 2);
  assert.ok((await retired.read(0, old.length)).equals(old));

  const [renamedLog] = retired.renameForDeletion();
  assert.ok(renamedLog.endsWith('.log.deleted'), renamedLog);
  // The cleaner's output takes the old file names.
  const cleaned = valueBatch(1, 10, 'new');
  const successor = segmentWith(cleaned, 0);
  assert.ok((await successor.read(0, cleaned.length)).equals(cleaned));

  // A read in flight over the old segment list finishes on the old bytes.
  assert.ok((await retired.read(0, old.length)).equals(old));
  assert.ok((await retired.read(10, 20)).equals(old.subarray(10, 30)));

  unlinkSync(renamedLog);
  assert.ok(!existsSync(renamedLog));
  await assert.rejects(retired.read(0, old.length), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  assert.ok((await successor.read(0, cleaned.length)).equals(cleaned));
});
