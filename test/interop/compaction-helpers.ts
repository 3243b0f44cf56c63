// Shared by the compaction interop tests: keyed rounds produced with kcat, a topic read back with
// kcat, the checks every reader of a compacted topic may rely on, and an index check of the files.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { batchSizeOf, lastOffsetOf, baseOffsetOf } from '../../src/protocol/records/batch.js';
import { kcat } from '../helpers/clients.js';

/** Broker settings that make every topic compacted, with small segments and an eager cleaner. */
export const COMPACTING = {
  'num.partitions': 1,
  'log.cleanup.policy': 'compact',
  'log.segment.bytes': 64 * 1024,
  'log.cleaner.min.cleanable.ratio': 0.01,
  'log.cleaner.backoff.ms': 100,
  'log.index.interval.bytes': 1024,
};

export interface Expected {
  /** Key → offset and value (null: tombstone) of its latest record. */
  latest: Map<string, { offset: number; value: string | null }>;
  /** Keys whose latest record is a tombstone. */
  deleted: Set<string>;
  /** Records written. */
  count: number;
}

/**
 * Produces `rounds` values for keys <prefix>0..<prefix>(keys-1), then tombstones for every
 * `tombstoneEvery`-th key (none for 0), with kcat (-K: keys, -Z: an empty value is a null value), starting at
 * offset `startOffset`.
 */
export async function produceRounds(
  bootstrap: string, topic: string, keys: number, rounds: number, tombstoneEvery: number, startOffset = 0, prefix = 'key-',
): Promise<Expected> {
  const lines: string[] = [];
  const latest = new Map<string, { offset: number; value: string | null }>();
  const deleted = new Set<string>();
  const add = (key: string, value: string | null): void => {
    latest.set(key, { offset: startOffset + lines.length, value });
    if (value === null) deleted.add(key);
    else deleted.delete(key);
    lines.push(`${key}:${value ?? ''}`);
  };
  for (let r = 0; r < rounds; r++) for (let k = 0; k < keys; k++) add(`${prefix}${k}`, `round-${r}-of-key-${k}-${'v'.repeat(20)}`);
  if (tombstoneEvery > 0) for (let k = 0; k < keys; k += tombstoneEvery) add(`${prefix}${k}`, null);
  await kcat(['-b', bootstrap, '-P', '-t', topic, '-K', ':', '-Z', '-X', 'linger.ms=20', '-X', 'batch.size=16384'], lines.join('\n') + '\n', 120_000);
  return { latest, deleted, count: lines.length };
}

/** What a reader expects after `later` was produced on top of `earlier`. */
export function mergeExpected(earlier: Expected, later: Expected): Expected {
  const deleted = new Set([...earlier.deleted].filter((k) => !later.latest.has(k)));
  for (const k of later.deleted) deleted.add(k);
  return { latest: new Map([...earlier.latest, ...later.latest]), deleted, count: earlier.count + later.count };
}

export interface ReadRecord {
  offset: number;
  key: string;
  /** null for a tombstone. */
  value: string | null;
}

/** The whole topic (partition 0) from the beginning, read with kcat. */
export async function readTopic(bootstrap: string, topic: string): Promise<ReadRecord[]> {
  const out = await kcat(['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-Z', '-f', '%o|%k|%S|%s\n'], undefined, 120_000);
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const [offset, key, size, ...value] = line.split('|');
    return { offset: Number(offset), key, value: size === '-1' ? null : value.join('|') };
  });
}

/**
 * What a reader of a compacted topic may rely on at any time during and after cleaning: offsets
 * ascend; every key's latest record is there at its original offset; a deleted key's older
 * value never shows without its tombstone after it. With `tombstonesGone`, deleted keys are
 * not there at all (their delete horizon has passed and a cleaning ran).
 */
export function checkCompactedView(records: readonly ReadRecord[], expected: Expected, tombstonesGone = false): void {
  for (let i = 1; i < records.length; i++) assert.ok(records[i].offset > records[i - 1].offset, `offsets ascend at ${records[i].offset}`);
  const lastSeen = new Map<string, ReadRecord>();
  for (const r of records) lastSeen.set(r.key, r);
  for (const [key, want] of expected.latest) {
    const got = lastSeen.get(key);
    if (tombstonesGone && expected.deleted.has(key)) {
      assert.equal(got, undefined, `${key} was deleted, yet ${JSON.stringify(got)} remains`);
      continue;
    }
    if (expected.deleted.has(key) && got === undefined) continue; // tombstone and values all cleaned away
    assert.deepEqual(got, { offset: want.offset, key, value: want.value }, `latest record of ${key}`);
  }
}

/** The cleaner checkpoint of topic-0 in the log dir, or undefined before the first cleaning. */
export function cleanerCheckpoint(dataDir: string, topic: string): number | undefined {
  const path = join(dataDir, 'cleaner-offset-checkpoint');
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(`${topic} 0 `));
  return line ? Number(line.split(' ')[2]) : undefined;
}

/**
 * Every .index entry of the partition points at the start of the batch it names (relative offset =
 * that batch's last offset), every .timeindex entry at an offset inside its segment, timestamps
 * ascending; no .cleaned or .swap file is left.
 */
export function checkIndexes(partitionDir: string): void {
  const names = readdirSync(partitionDir);
  assert.deepEqual(names.filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap')), [], 'no cleaner leftovers');
  const bases = names.filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
  for (const [i, base] of bases.entries()) {
    const stem = join(partitionDir, String(base).padStart(20, '0'));
    const log = readFileSync(`${stem}.log`);
    const next = bases[i + 1] ?? Number.MAX_SAFE_INTEGER;
    const batchAt = new Map<number, number>();
    for (let at = 0; at + 12 <= log.length; at += batchSizeOf(log, at)) {
      assert.ok(baseOffsetOf(log, at) >= base && lastOffsetOf(log, at) < next, `batch at ${at} of ${stem}.log lies in its segment`);
      batchAt.set(at, lastOffsetOf(log, at));
    }
    const index = existsSync(`${stem}.index`) ? readFileSync(`${stem}.index`) : Buffer.alloc(0);
    for (let at = 0; at + 8 <= index.length; at += 8) {
      const offset = base + index.readInt32BE(at);
      const position = index.readInt32BE(at + 4);
      assert.equal(batchAt.get(position), offset, `${stem}.index entry ${at / 8}: offset ${offset} at position ${position}`);
    }
    const time = existsSync(`${stem}.timeindex`) ? readFileSync(`${stem}.timeindex`) : Buffer.alloc(0);
    let lastTimestamp = -Infinity;
    for (let at = 0; at + 12 <= time.length; at += 12) {
      const timestamp = Number(time.readBigInt64BE(at));
      const offset = base + time.readInt32BE(at + 8);
      assert.ok(timestamp > lastTimestamp && offset >= base && offset < next, `${stem}.timeindex entry ${at / 12}`);
      lastTimestamp = timestamp;
    }
  }
}
