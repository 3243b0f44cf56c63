// `samsa consumer-groups` (Kafka's kafka-consumer-groups) run as a child process against an
// in-process broker: the workflow (8 partitions, keyed lines from kcat, a kcat group
// consumer, zero lag, a reset to the earliest offsets, lag = record count), every reset scenario,
// the members and state views of an active group, deleting offsets and groups, bad option combinations.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Admin, Consumer, Producer, startBroker, type EmbeddedBroker } from '../../src/index.js';
import { kcat, run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const RECORDS = 200;

let broker: EmbeddedBroker;
let admin: Admin;
let dir: string;
before(async () => {
  broker = await startBroker({ topics: [{ name: 'seed', partitions: 8 }] });
  admin = new Admin({ bootstrapServers: broker.bootstrap });
  dir = mkdtempSync(join(tmpdir(), 'samsa-cg-'));
});
after(async () => {
  await admin.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

function groups(...args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, 'consumer-groups', '--bootstrap-server', broker.bootstrap, ...args]);
}

/** The rows of a table printed after a blank line, as header → value maps (cells hold no spaces). */
function table(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const headers = lines[0].trim().split(/\s+/);
  return lines.slice(1).map((l) => Object.fromEntries(l.trim().split(/\s+/).map((cell, i) => [headers[i], cell])));
}

const sum = (rows: Record<string, string>[], column: string): number => rows.reduce((n, r) => n + Number(r[column]), 0);

async function logEnds(topic: string, partitions: number): Promise<number[]> {
  const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, at: 'latest' as const })));
  return ends.map((e) => e.offset);
}

test('the issue workflow: zero lag after kcat consumes, dry-run changes nothing, --execute to earliest leaves lag = records', async () => {
  const lines = Array.from({ length: RECORDS }, (_, i) => `key-${i}:line ${i}`).join('\n');
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'seed', '-K:'], `${lines}\n`);
  const consumed = await kcat(['-b', broker.bootstrap, '-G', 'seed-group', 'seed', '-o', 'beginning', '-e', '-q', '-c', String(RECORDS)]);
  assert.equal(consumed.split('\n').filter((l) => l !== '').length, RECORDS);

  let r = await groups('--describe', '--group', 'seed-group');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Consumer group 'seed-group' has no active members\./);
  assert.match(r.stdout, /^\nGROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID\n/);
  // Kafka's widths: GROUP and TOPIC at least 15, PARTITION 10, the offsets 15, then '-' for the absent consumer.
  assert.equal(r.stdout.split('\n')[1], `${'GROUP'.padEnd(15)} ${'TOPIC'.padEnd(15)} ${'PARTITION'.padEnd(10)} ${'CURRENT-OFFSET'.padEnd(15)} ${'LOG-END-OFFSET'.padEnd(15)} ${'LAG'.padEnd(15)} ${'CONSUMER-ID'.padEnd(15)} ${'HOST'.padEnd(15)} CLIENT-ID`);
  let rows = table(r.stdout);
  assert.deepEqual(rows.map((x) => x.PARTITION), ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.ok(rows.every((x) => x.GROUP === 'seed-group' && x.TOPIC === 'seed' && x.LAG === '0' && x['CONSUMER-ID'] === '-' && x.HOST === '-' && x['CLIENT-ID'] === '-'));
  assert.equal(sum(rows, 'CURRENT-OFFSET'), RECORDS);
  assert.deepEqual(rows.map((x) => Number(x['LOG-END-OFFSET'])), await logEnds('seed', 8));

  // Dry run (explicit, and the default with Kafka's warning) prints the plan and commits nothing.
  for (const mode of [['--dry-run'], []]) {
    r = await groups('--reset-offsets', '--group', 'seed-group', '--to-earliest', '--all-topics', ...mode);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(/WARN: No action will be performed as the --execute option is missing/.test(r.stderr), mode.length === 0);
    assert.equal(r.stdout.split('\n')[1], `${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}`);
    const plan = table(r.stdout);
    assert.equal(plan.length, 8);
    assert.ok(plan.every((x) => x['NEW-OFFSET'] === '0'));
    rows = table((await groups('--describe', '--group', 'seed-group')).stdout);
    assert.equal(sum(rows, 'LAG'), 0);
  }

  r = await groups('--reset-offsets', '--group', 'seed-group', '--to-earliest', '--all-topics', '--execute');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(table(r.stdout).length, 8);
  // The progress bar is for terminals only.
  assert.doesNotMatch(r.stderr, /Resetting offsets/);
  r = await groups('--describe', '--group', 'seed-group', '--output', 'json');
  assert.equal(r.code, 0, r.stderr);
  const [described] = JSON.parse(r.stdout) as { group: string; state: string; partitions: { partition: number; currentOffset: number; logEndOffset: number; lag: number; consumerId: null }[] }[];
  assert.equal(described.group, 'seed-group');
  assert.equal(described.state, 'Empty');
  assert.equal(described.partitions.reduce((n, p) => n + p.lag, 0), RECORDS);
  assert.ok(described.partitions.every((p) => p.currentOffset === 0 && p.lag === p.logEndOffset && p.consumerId === null));

  // On a terminal (script(1) gives the command one) an executed reset draws its progress bar.
  const command = [process.execPath, MAIN, 'consumer-groups', '--bootstrap-server', broker.bootstrap, '--reset-offsets', '--group', 'seed-group', '--to-latest', '--all-topics', '--execute'];
  r = await run('script', ['-qec', command.join(' '), '/dev/null']);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /Resetting offsets \[#{30}\] 8\/8/);
  // So does a describe, over its groups.
  r = await run('script', ['-qec', [process.execPath, MAIN, 'consumer-groups', '--bootstrap-server', broker.bootstrap, '--describe', '--all-groups'].join(' '), '/dev/null']);
  assert.equal(r.code, 0, r.stdout);
  const [, done, total] = /Describing groups \[#{30}\] (\d+)\/(\d+)\r/.exec(r.stdout) ?? [];
  assert.equal(done, total, r.stdout);
  assert.ok(r.stdout.includes('\r\u001b[K'), 'the bar is cleared');
  assert.doesNotMatch((await groups('--describe', '--all-groups')).stderr, /Describing groups/);
  rows = table((await groups('--describe', '--group', 'seed-group')).stdout);
  assert.equal(sum(rows, 'LAG'), 0);
});

test('reset scenarios: to-latest, shift-by and to-offset (kept within the log), topic:partition scope, to-current, datetime, duration, export and from-file', async () => {
  await admin.createTopics([{ name: 'scenarios', partitions: 2 }]);
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  // Partition 0: ten records an hour apart from 2024-01-01T00:00Z; partition 1: five records now.
  const start = Date.UTC(2024, 0, 1);
  await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic: 'scenarios', partition: 0, value: `old ${i}`, timestamp: start + i * 3_600_000 })));
  await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic: 'scenarios', partition: 1, value: `new ${i}` })));
  await producer.close();
  const plan = async (...args: string[]): Promise<string[]> => {
    const r = await groups('--reset-offsets', '--group', 'planner', ...args, '--execute');
    assert.equal(r.code, 0, r.stderr);
    return table(r.stdout).map((x) => `${x.TOPIC}:${x.PARTITION}:${x['NEW-OFFSET']}`);
  };

  assert.deepEqual(await plan('--topic', 'scenarios', '--to-latest'), ['scenarios:0:10', 'scenarios:1:5']);
  assert.deepEqual(await plan('--all-topics', '--shift-by', '-3'), ['scenarios:0:7', 'scenarios:1:2']);
  let r = await groups('--reset-offsets', '--group', 'planner', '--all-topics', '--shift-by', '100', '--execute');
  assert.match(r.stderr, /New offset \(107\) is higher than latest offset for topic partition scenarios-0\. Value will be set to 10/);
  assert.deepEqual(table(r.stdout).map((x) => x['NEW-OFFSET']), ['10', '5']);
  assert.deepEqual(await plan('--topic', 'scenarios:1', '--to-offset', '-4'), ['scenarios:1:0']);
  assert.deepEqual(await plan('--all-topics', '--to-current'), ['scenarios:0:10', 'scenarios:1:0']);
  // 02:30 UTC: the first record at or after it is the fourth; partition 1's records are all later.
  assert.deepEqual(await plan('--topic', 'scenarios:0', '--to-datetime', '2024-01-01T02:30:00.000'), ['scenarios:0:3']);
  assert.deepEqual(await plan('--topic', 'scenarios:0', '--to-datetime', '2024-01-01T04:30:00.000+02:00'), ['scenarios:0:3']);
  // One day back: nothing in partition 0 is that recent, so Kafka falls back to the log end (and says so).
  r = await groups('--reset-offsets', '--group', 'planner', '--all-topics', '--by-duration', 'P1D', '--execute');
  assert.match(r.stdout, /Warn: Partition 0 from topic scenarios is empty\. Falling back to latest known offset\./);
  assert.deepEqual(table(r.stdout.slice(r.stdout.indexOf('GROUP'))).map((x) => x['NEW-OFFSET']), ['10', '0']);

  // --export writes the CSV that --from-file reads back.
  r = await groups('--reset-offsets', '--group', 'planner', '--all-topics', '--to-earliest', '--export', '--dry-run');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'scenarios,0,0\nscenarios,1,0\n\n');
  const csv = join(dir, 'plan.csv');
  writeFileSync(csv, 'scenarios,0,6\nscenarios,1,2\n');
  assert.deepEqual(await plan('--from-file', csv), ['scenarios:0:6', 'scenarios:1:2']);
  assert.deepEqual((await admin.listGroupOffsets('planner')).map((o) => o.offset), [6, 2]);
  r = await groups('--reset-offsets', '--group', 'planner', '--all-topics', '--to-earliest', '--dry-run', '--output', 'json');
  assert.deepEqual(JSON.parse(r.stdout), [
    { group: 'planner', topic: 'scenarios', partition: 0, newOffset: 0 },
    { group: 'planner', topic: 'scenarios', partition: 1, newOffset: 0 },
  ]);
});

test('an active group: members, state and offsets with its consumer; a reset is refused', async () => {
  await admin.createTopics([{ name: 'live', partitions: 3 }]);
  const consumer = new Consumer({ bootstrapServers: broker.bootstrap, groupId: 'live-group', clientId: 'live-client', autoOffsetReset: 'earliest' });
  consumer.subscribe(['live']);
  for (let i = 0; i < 100 && consumer.assignment().length < 3; i++) await consumer.poll(100);
  assert.equal(consumer.assignment().length, 3);
  try {
    let r = await groups('--describe', '--group', 'live-group', '--members', '--verbose');
    assert.equal(r.code, 0, r.stderr);
    const [member] = table(r.stdout);
    assert.equal(member['CLIENT-ID'], 'live-client');
    assert.equal(member['#PARTITIONS'], '3');
    assert.equal(member.ASSIGNMENT, 'live(0,1,2)');
    assert.match(member['CONSUMER-ID'], /^live-client-/);

    r = await groups('--describe', '--group', 'live-group', '--state');
    assert.equal(r.code, 0, r.stderr);
    const [state] = table(r.stdout.replace('COORDINATOR (ID)', 'COORDINATOR').replace(/ {2}\(/, '('));
    assert.deepEqual(state, { GROUP: 'live-group', COORDINATOR: `${broker.bootstrap}(0)`, 'ASSIGNMENT-STRATEGY': 'range', STATE: 'Stable', '#MEMBERS': '1' });

    // Assigned partitions without a committed offset show '-' for the offset and the lag.
    r = await groups('--describe', '--group', 'live-group');
    const rows = table(r.stdout);
    assert.deepEqual(rows.map((x) => [x.PARTITION, x['CURRENT-OFFSET'], x.LAG, x['CLIENT-ID']]), [['0', '-', '-', 'live-client'], ['1', '-', '-', 'live-client'], ['2', '-', '-', 'live-client']]);

    r = await groups('--list', '--state', 'stable', '--output', 'json');
    assert.ok((JSON.parse(r.stdout) as { group: string; state: string }[]).some((g) => g.group === 'live-group' && g.state === 'Stable'));
    r = await groups('--describe', '--group', 'live-group', '--members', '--output', 'json');
    assert.deepEqual((JSON.parse(r.stdout) as { members: { assignment: unknown[] }[] }[])[0].members[0].assignment.length, 3);

    r = await groups('--reset-offsets', '--group', 'live-group', '--to-earliest', '--all-topics', '--execute');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Error: Assignments can only be reset if the group 'live-group' is inactive, but the current state is Stable\./);
    r = await groups('--delete', '--group', 'live-group');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\* Group 'live-group' could not be deleted due to: NON_EMPTY_GROUP/);
  } finally {
    await consumer.close();
  }
});

test('list, delete-offsets, delete and a group that does not exist', async () => {
  await admin.createTopics([{ name: 'doomed', partitions: 2 }]);
  await admin.alterGroupOffsets('doomed-group', [{ topic: 'doomed', partition: 0, offset: 0 }, { topic: 'doomed', partition: 1, offset: 0 }]);
  let r = await groups('--list');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.split('\n').includes('doomed-group'));
  r = await groups('--list', '--state');
  assert.match(r.stdout, /^GROUP {20,}STATE {15}\n/);
  assert.match(r.stdout, /\ndoomed-group +Empty +\n/);

  r = await groups('--delete-offsets', '--group', 'doomed-group', '--topic', 'doomed:1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Request succeed for deleting offsets with topic doomed:1 group doomed-group\n\nTOPIC +PARTITION +STATUS +\ndoomed +1 +Successful +\n$/);
  assert.deepEqual((await admin.listGroupOffsets('doomed-group')).map((o) => o.partition), [0]);

  r = await groups('--delete', '--group', 'doomed-group');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Deletion of requested consumer groups ('doomed-group') was successful.\n");
  r = await groups('--describe', '--group', 'doomed-group');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "\nError: Consumer group 'doomed-group' does not exist.\n");
  r = await groups('--delete', '--group', 'doomed-group');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Error: Deletion of some consumer groups failed:\n\* Group 'doomed-group' could not be deleted due to: GROUP_ID_NOT_FOUND/);
});

test('bad options and combinations exit 1 with Kafka\'s messages', async () => {
  const cases: [string[], RegExp][] = [
    [['--describe'], /Option \[describe\] takes one of these options: \[all-groups\], \[group\]/],
    [['--group', 'g'], /Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets/],
    [['--list', '--describe', '--group', 'g'], /Option "\[group\]" can't be used with option "\[list\]"/],
    [['--describe', '--group', 'g', '--all-groups'], /Option "\[group\]" can't be used with option "\[all-groups\]"/],
    [['--describe', '--group', 'g', '--topic', 't'], /Option "\[topic\]" can't be used with option "\[describe\]"/],
    [['--describe', '--group', 'g', '--members', '--state'], /Option \[describe\] takes at most one of these options: \[members\], \[offsets\], \[state\]/],
    [['--describe', '--group', 'g', '--state', 'stable'], /Option \[describe\] does not take a value for \[state\]/],
    [['--list', '--members'], /Option\(s\) \[members\] are unavailable given other options on the command line/],
    [['--delete', '--group', 'g', '--topic', 't'], /The consumer does not support topic-specific offset deletion from a consumer group\./],
    [['--delete-offsets', '--group', 'g'], /Option \[delete-offsets\] takes the following options: \[group\], \[topic\]/],
    [['--reset-offsets', '--group', 'g', '--all-topics'], /Option '\[reset-offsets\]' requires one of the following scenarios: \[\[to-offset\], /],
    [['--reset-offsets', '--group', 'g', '--to-earliest'], /One of the reset scopes should be defined: --all-topics, --topic\./],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--to-latest'], /Option "\[to-earliest\]" can't be used with option "\[to-latest\]"/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--dry-run', '--execute'], /Option \[reset-offsets\] only accepts one of \[execute\] and \[dry-run\]/],
    [['--reset-offsets', '--all-topics', '--to-earliest'], /Option \[reset-offsets\] takes one of these options: \[all-groups\], \[group\]/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-datetime', '2024-13-01T00:00:00.000'], /Unparseable date: "2024-13-01T00:00:00\.000Z"/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-datetime', '2024-01-01'], /It does not contain a 'T' according to ISO8601 format/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--by-duration', '1 day'], /Text cannot be parsed to a Duration/],
    [['--reset-offsets', '--group', 'g', '--topic', 't:x', '--to-earliest'], /Invalid partition 'x' specified in topic arg 't:x'/],
    [['--list', '--state', 'sleepy'], /Invalid state list 'sleepy'\. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling/],
  ];
  // A few at a time: each is a short-lived process.
  for (let i = 0; i < cases.length; i += 6) {
    const batch = cases.slice(i, i + 6);
    const results = await Promise.all(batch.map(([args]) => groups(...args)));
    batch.forEach(([args, message], j) => {
      assert.equal(results[j].code, 1, `${args.join(' ')}: ${results[j].stdout}${results[j].stderr}`);
      assert.match(results[j].stderr, message, args.join(' '));
    });
  }
  const r = await run(process.execPath, [MAIN, 'consumer-groups', '--list']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Missing required argument "\[bootstrap-server\]"/);
});
