// The seed workflow end to end with samsa's own tools only, each run as a child process
// against an in-process broker: topics --create with 8 partitions, console-producer lines with
// keys, console-consumer --from-beginning --group, consumer-groups --describe with zero lag,
// --reset-offsets --to-earliest --execute, and the same group reading everything again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const KEYS = 20;
const PER_KEY = 10;
const RECORDS = KEYS * PER_KEY;

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker({ config: { 'offsets.topic.num.partitions': 1 } });
});
after(() => broker.stop());

function samsa(command: string, args: string[], input?: string): Promise<RunResult> {
  return run(process.execPath, [MAIN, command, '--bootstrap-server', broker.bootstrap, ...args], { input, timeoutMs: 60_000 });
}

/** Rows of a consumer-groups table (after its blank line) as header → cell maps; no cell holds a space. */
function table(stdout: string): Record<string, string>[] {
  const [header, ...rows] = stdout.split('\n').filter((l) => l.trim() !== '');
  const names = header.trim().split(/\s+/);
  return rows.map((row) => Object.fromEntries(row.trim().split(/\s+/).map((cell, i) => [names[i], cell])));
}

/** Reads the group's records with keys and partitions; each line `Partition:P<TAB>key<TAB>value`. */
async function consume(extra: string[]): Promise<{ partition: number; key: string; value: string }[]> {
  const r = await samsa('console-consumer', ['--topic', 'seeds', '--group', 'seed-group', '--max-messages', String(RECORDS), '--timeout-ms', '30000',
    '--property', 'print.key=true', '--property', 'print.partition=true', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`Processed a total of ${RECORDS} messages`));
  return r.stdout.split('\n').filter((l) => l !== '').map((line) => {
    const [partition, key, value] = line.split('\t');
    return { partition: Number(partition.slice('Partition:'.length)), key, value };
  });
}

async function describe(): Promise<Record<string, string>[]> {
  const r = await samsa('consumer-groups', ['--describe', '--group', 'seed-group']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Consumer group 'seed-group' has no active members\./);
  return table(r.stdout);
}

const total = (rows: Record<string, string>[], column: string): number => rows.reduce((n, row) => n + Number(row[column]), 0);

test('seed workflow: create, produce keyed lines, consume in a group, zero lag, reset to earliest, consume again', async () => {
  let r = await samsa('topics', ['--create', '--topic', 'seeds', '--partitions', '8', '--replication-factor', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Created topic seeds.\n');

  // key-K:K/N for N in order, the keys interleaved.
  const lines = Array.from({ length: RECORDS }, (_, i) => `key-${i % KEYS}:${i % KEYS}/${Math.floor(i / KEYS)}`);
  r = await samsa('console-producer', ['--topic', 'seeds', '--property', 'parse.key=true', '--property', 'key.separator=:'], `${lines.join('\n')}\n`);
  assert.equal(r.code, 0, r.stderr);

  const first = await consume(['--from-beginning']);
  assert.deepEqual(first.map((x) => `${x.key}:${x.value}`).sort(), [...lines].sort());
  // A key's records share one partition and keep their order there.
  for (let k = 0; k < KEYS; k++) {
    const ofKey = first.filter((x) => x.key === `key-${k}`);
    assert.equal(new Set(ofKey.map((x) => x.partition)).size, 1, `key-${k}`);
    assert.deepEqual(ofKey.map((x) => x.value), Array.from({ length: PER_KEY }, (_, n) => `${k}/${n}`));
  }
  assert.ok(new Set(first.map((x) => x.partition)).size > 1, 'the keys spread over partitions');

  let rows = await describe();
  assert.deepEqual(rows.map((row) => row.PARTITION), ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.ok(rows.every((row) => row.TOPIC === 'seeds' && row.LAG === '0' && row['CURRENT-OFFSET'] === row['LOG-END-OFFSET']), JSON.stringify(rows));
  assert.equal(total(rows, 'LOG-END-OFFSET'), RECORDS);

  r = await samsa('consumer-groups', ['--reset-offsets', '--group', 'seed-group', '--topic', 'seeds', '--to-earliest', '--execute']);
  assert.equal(r.code, 0, r.stderr);
  const plan = table(r.stdout);
  assert.equal(plan.length, 8);
  assert.ok(plan.every((row) => row.GROUP === 'seed-group' && row['NEW-OFFSET'] === '0'), r.stdout);
  rows = await describe();
  assert.ok(rows.every((row) => row['CURRENT-OFFSET'] === '0'), JSON.stringify(rows));
  assert.equal(total(rows, 'LAG'), RECORDS);

  // Without --from-beginning the group starts at its committed offsets: everything again.
  const again = await consume([]);
  assert.deepEqual(again.map((x) => `${x.partition}\t${x.key}:${x.value}`).sort(), first.map((x) => `${x.partition}\t${x.key}:${x.value}`).sort());
  assert.equal(total(await describe(), 'LAG'), 0);
});
