// kill -9 of a broker stopped at each point of a log cleaning (samsa.test.cleaner.pause.at: the
// offset map built, a cleaned segment half written, written, its .swap committed, the old segments
// renamed .deleted, everything swapped but not checkpointed), then a restart: kcat reads every
// latest value at its original offset and no older value of a deleted key without its tombstone,
// the indexes are valid, and the cleaner resumes and finishes. The interrupted cleaning is a
// second one, which merges segments the first one emptied into groups.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLEANER_PAUSE_POINTS } from '../../src/storage/cleaner/test-pause.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { COMPACTING, checkCompactedView, mergeExpected, checkIndexes, cleanerCheckpoint, produceRounds, readTopic } from './compaction-helpers.js';
import { waitUntil } from '../helpers/wait.js';

const TOPIC = 'crashing-changelog';

const brokers: BrokerProcess[] = [];
after(async () => {
  for (const b of brokers) {
    await b.kill9();
    removeDir(b.dataDir);
  }
});

async function start(opts: Parameters<typeof startBrokerProcess>[0]): Promise<BrokerProcess> {
  const b = await startBrokerProcess(opts);
  brokers.push(b);
  return b;
}

describe('kill -9 in the middle of a cleaning', () => {
  for (const point of CLEANER_PAUSE_POINTS) {
    test(`at ${point}: no latest value lost, indexes valid, the cleaner resumes`, { timeout: 180_000 }, async () => {
      const first = await start({ overrides: COMPACTING });
      const written = await produceRounds(first.bootstrap, TOPIC, 2000, 4, 10);
      await waitUntil('the first cleaning', 60_000, () => cleanerCheckpoint(first.dataDir, TOPIC) !== undefined);
      assert.equal(await first.stop(), 0);

      const paused = await start({ dataDir: first.dataDir, overrides: { ...COMPACTING, 'samsa.test.cleaner.pause.at': point } });
      const expected = mergeExpected(written, await produceRounds(paused.bootstrap, TOPIC, 1000, 2, 7, written.count));
      await waitUntil(`the cleaner to pause at ${point}`, 60_000, () => paused.output().includes(`log cleaner paused at ${point}`));
      await paused.kill9();

      const restarted = await start({ dataDir: paused.dataDir, overrides: COMPACTING });
      checkCompactedView(await readTopic(restarted.bootstrap, TOPIC), expected);
      // The cleaner resumes: everything below the active segment ends up clean.
      await waitUntil('the cleaning to finish', 60_000, () => (cleanerCheckpoint(restarted.dataDir, TOPIC) ?? 0) >= written.count);
      const records = await readTopic(restarted.bootstrap, TOPIC);
      checkCompactedView(records, expected);
      const checkpoint = cleanerCheckpoint(restarted.dataDir, TOPIC)!;
      const cleanedKeys = records.filter((r) => r.offset < checkpoint).map((r) => r.key);
      assert.equal(new Set(cleanedKeys).size, cleanedKeys.length, 'each key at most once in the cleaned part');
      assert.equal(await restarted.stop(), 0);
      checkIndexes(join(restarted.dataDir, `${TOPIC}-0`));
    });
  }
});
