// A log dir written by Apache Kafka 2.4.1 (shared/reference/kafka-2.4.1-logdir)
// adopted by `samsa start`: every topic appears, and kcat and kafka-python read
// every record at the offsets Kafka's own dumps give, from each partition's log
// start offset on; the compacted partition stays as the cleaner left it; the
// transactional one keeps its markers, so read_committed (kcat) skips the aborted records.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kcat, python } from '../helpers/clients.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import {
  KAFKA_LOGDIR as REFERENCE, KAFKA_PARTITIONS as PARTITIONS, abortedRanges, dumpedRecords, kcatRows as kcatRowsOf, markerOffsets, type Row,
} from '../helpers/kafka-reference.js';

let broker: BrokerProcess;
let dataDir: string;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-kafka-logdir-'));
  cpSync(REFERENCE, dataDir, { recursive: true });
  broker = await startBrokerProcess({ dataDir });
});
after(async () => {
  await broker?.stop();
  removeDir(dataDir);
});

const kcatRows = (topic: string, partition: number, isolation?: string): Promise<Row[]> => kcatRowsOf(broker.bootstrap, topic, partition, isolation);

/**
 * kafka-python 2.0.2 has no isolation level (it reads uncommitted), and it hands control records to
 * the application as if they were data, whichever broker serves them: those are left out here.
 */
async function kafkaPythonRows(topic: string, partition: number): Promise<Row[]> {
  const r = await python<{ records: Row[] }>('read_partition.py', [broker.bootstrap, topic, String(partition)]);
  const markers = markerOffsets(`${topic}-${partition}`);
  return r.records.filter(([offset]) => !markers.has(offset));
}

test('every topic of the Kafka log dir is adopted with its partitions', async () => {
  const out = await kcat(['-b', broker.bootstrap, '-L']);
  for (const [topic, partitions] of [['corpus-plain', 2], ['corpus-logappend', 1], ['corpus-compact', 1], ['corpus-txn', 1]] as const) {
    assert.match(out, new RegExp(`topic "${topic}" with ${partitions} partitions`));
  }
  assert.match(broker.output(), /adopted topic corpus-plain with 2 partition\(s\).*defaults/);
});

for (const [topic, partition, logStart] of PARTITIONS) {
  test(`${topic}-${partition}: kcat and kafka-python read every record at Kafka's offsets`, async () => {
    const expected = dumpedRecords(`${topic}-${partition}`, logStart);
    assert.ok(expected.length > 0);
    assert.deepEqual(await kcatRows(topic, partition), expected);
    assert.deepEqual(await kafkaPythonRows(topic, partition), expected);
  });
}

test('corpus-compact-0 stays compacted: only the latest value of each key, at its original offset', async () => {
  const rows = await kcatRows('corpus-compact', 0);
  assert.deepEqual(rows.map((r) => r[0]), Array.from({ length: 16 }, (_, i) => 32 + i));
});

test('corpus-txn-0: read_committed skips the aborted transaction, read_uncommitted sees it', async () => {
  const all = dumpedRecords('corpus-txn-0', 0);
  const aborted = abortedRanges('corpus-txn-0');
  assert.deepEqual(aborted.map((a) => [a[1], a[2]]), [[5, 8]]);
  const committed = all.filter(([offset]) => !aborted.some(([, first, last]) => offset >= first && offset <= last));
  assert.ok(committed.length < all.length);
  assert.deepEqual(await kcatRows('corpus-txn', 0, 'read_committed'), committed);
  assert.deepEqual(await kcatRows('corpus-txn', 0, 'read_uncommitted'), all);
});
