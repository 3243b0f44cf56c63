// `samsa get-offsets` (Kafka's GetOffsetShell) and `samsa delete-records` (DeleteRecordsCommand)
// run as child processes against an in-process broker.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Admin, Producer, startBroker, type EmbeddedBroker } from '../../src/index.js';
import { run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
let dir: string;
before(async () => {
  broker = await startBroker({ topics: [{ name: 'offs', partitions: 3 }, { name: 'wide', partitions: 11 }, { name: 'trim', partitions: 2 }] });
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  // offs-0: five records at 1000..5000 ms; offs-1: two at 1000 and 2000; offs-2: none. trim: ten in each partition.
  await producer.sendBatch([
    ...[1, 2, 3, 4, 5].map((i) => ({ topic: 'offs', partition: 0, value: `a${i}`, timestamp: i * 1000 })),
    ...[1, 2].map((i) => ({ topic: 'offs', partition: 1, value: `b${i}`, timestamp: i * 1000 })),
    ...Array.from({ length: 20 }, (_, i) => ({ topic: 'trim', partition: i % 2, value: `t${i}` })),
  ]);
  await producer.close();
  // A committed offset creates __consumer_offsets, an internal topic.
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.alterGroupOffsets('offsets-test', [{ topic: 'offs', partition: 0, offset: 1 }]);
  await admin.close();
  dir = mkdtempSync(join(tmpdir(), 'samsa-offsets-'));
});
after(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(command: string, ...args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, command, '--bootstrap-server', broker.bootstrap, ...args]);
}

async function offsets(...args: string[]): Promise<string> {
  const r = await cli('get-offsets', ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('get-offsets: latest, earliest, a timestamp, max-timestamp, partition filters, Kafka\'s order', async () => {
  assert.equal(await offsets('--topic', 'offs'), 'offs:0:5\noffs:1:2\noffs:2:0\n');
  assert.equal(await offsets('--topic', 'offs', '--time', '-1'), 'offs:0:5\noffs:1:2\noffs:2:0\n');
  assert.equal(await offsets('--topic', 'offs', '--time', 'earliest'), 'offs:0:0\noffs:1:0\noffs:2:0\n');
  // Partitions with no record at or after the timestamp print nothing.
  assert.equal(await offsets('--topic', 'offs', '--time', '2500'), 'offs:0:2\n');
  assert.equal(await offsets('--topic', 'offs', '--time', '-3'), 'offs:0:4\noffs:1:1\n');
  assert.equal(await offsets('--topic', 'of.*', '--partitions', '0,2'), 'offs:0:5\noffs:2:0\n');
  assert.equal(await offsets('--topic-partitions', 'offs:1-,wide:3'), 'offs:1:2\noffs:2:0\nwide:3:0\n');
  assert.equal(await offsets('--topic-partitions', 'offs:-1'), 'offs:0:5\n');
  // Sorted as TopicPartition.toString() sorts: wide-10 before wide-2.
  assert.deepEqual((await offsets('--topic', 'wide')).split('\n').slice(0, 4), ['wide:0:0', 'wide:1:0', 'wide:10:0', 'wide:2:0']);
  const json = JSON.parse(await offsets('--topic', 'offs', '--output', 'json')) as unknown;
  assert.deepEqual(json, [{ topic: 'offs', partition: 0, offset: 5 }, { topic: 'offs', partition: 1, offset: 2 }, { topic: 'offs', partition: 2, offset: 0 }]);
  // Internal topics are included unless excluded.
  assert.match(await offsets('--topic', '__consumer_offsets', '--partitions', '0'), /^__consumer_offsets:0:\d+\n$/);
  const excluded = await cli('get-offsets', '--topic', '__consumer_offsets', '--exclude-internal-topics');
  assert.equal(excluded.code, 1);
  assert.equal(excluded.stderr, 'Error occurred: Could not match any topic-partitions with the specified filters\n');
});

test('get-offsets: bad arguments exit 1 with Kafka\'s messages', async () => {
  const cases: [string[], RegExp][] = [
    [['--time', 'yesterday'], /^Error occurred: Malformed time argument yesterday\. Please use -1 or latest \/ -2 or earliest \/ -3 or max-timestamp/],
    [['--topic-partitions', 'offs', '--topic', 'offs'], /^Error occurred: --topic-partitions cannot be used with --topic or --partitions/],
    [['--partitions', '0,x'], /^Error occurred: --partitions expects a comma separated list of numeric partition ids, but received: 0,x/],
    [['--topic', 'nothing-like-this'], /^Error occurred: Could not match any topic-partitions with the specified filters/],
    [['--topic-partitions', 'offs:1:2'], /^Error occurred: Invalid rule specification: offs:1:2/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli('get-offsets', ...args)));
  cases.forEach(([args, message], i) => {
    assert.equal(results[i].code, 1, args.join(' '));
    assert.match(results[i].stderr, message);
  });
  let r = await run(process.execPath, [MAIN, 'get-offsets', '--topic', 'offs']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Missing required argument "\[bootstrap-server\]"/);
  r = await run(process.execPath, [MAIN, 'get-offsets', '--bootstrap-server', 'nohost']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Please provide valid host:port like host1:9091,host2:9092/);
});

function offsetFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('delete-records: low watermarks move, -1 means the high watermark, errors are per partition', async () => {
  const file = offsetFile('delete.json', { partitions: [{ topic: 'trim', partition: 0, offset: 3 }, { topic: 'trim', partition: 1, offset: -1 }], version: 1 });
  let r = await cli('delete-records', '--offset-json-file', file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Executing records delete operation\nRecords delete operation completed:\npartition: trim-0\tlow_watermark: 3\npartition: trim-1\tlow_watermark: 10\n');
  assert.equal(await offsets('--topic', 'trim', '--time', 'earliest'), 'trim:0:3\ntrim:1:10\n');

  // Without "version" the file is version 1; a partition that does not exist fails on its own line.
  r = await cli('delete-records', '--offset-json-file', offsetFile('mixed.json', { partitions: [{ topic: 'trim', partition: 0, offset: 5 }, { topic: 'trim', partition: 9, offset: 1 }] }));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^partition: trim-0\tlow_watermark: 5$/m);
  assert.match(r.stdout, /^partition: trim-9\terror: UNKNOWN_TOPIC_OR_PARTITION/m);

  r = await cli('delete-records', '--offset-json-file', offsetFile('json-out.json', { partitions: [{ topic: 'trim', partition: 0, offset: 6 }], version: 1 }), '--output', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ topic: 'trim', partition: 0, lowWatermark: 6, error: null }]);
});

test('delete-records: bad files and options exit 1 with Kafka\'s messages', async () => {
  const cases: [unknown, RegExp][] = [
    [{ partitions: [{ topic: 'trim', partition: 0, offset: 1 }, { topic: 'trim', partition: 0, offset: 2 }], version: 1 }, /Offset json file contains duplicate topic partitions: trim-0/],
    [{ partitions: [], version: 2 }, /Not supported version field value 2/],
    [{ version: 1 }, /Missing partitions field/],
    ['{"partitions": [', /The input string is not a valid JSON/],
    [{ partitions: [{ topic: 'trim', offset: 1 }] }, /No such field exists: `partition`/],
  ];
  const results = await Promise.all(cases.map(([content], i) => cli('delete-records', '--offset-json-file', offsetFile(`bad-${i}.json`, content))));
  cases.forEach(([, message], i) => {
    assert.equal(results[i].code, 1);
    assert.match(results[i].stderr, message);
  });
  const r = await cli('delete-records');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Missing required argument "\[offset-json-file\]"/);
});
