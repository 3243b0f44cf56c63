// `samsa console-producer` and `samsa console-consumer` (Kafka's console tools) run as child
// processes against an in-process broker: keys, headers and the print.* properties, group
// offsets committed at exit (after --max-messages and after SIGINT), --partition/--offset,
// --include, --timeout-ms, interop with kcat both ways, and bad flags.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { kcat, run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker({
    config: { 'num.partitions': 1 },
    topics: [{ name: 'three', partitions: 3 }, 'inc-a', 'inc-b', 'other'],
  });
});
after(() => broker.stop());

function samsa(args: string[], input?: string): Promise<RunResult> {
  return run(process.execPath, [MAIN, ...args], { input, timeoutMs: 60_000 });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

test('console-producer keys and headers, read back with every print.* property; the group commits what it printed', async () => {
  const b = broker.bootstrap;
  const produced = await samsa([
    'console-producer', '--bootstrap-server', b, '--topic', 'keyed',
    '--property', 'parse.key=true', '--property', 'parse.headers=true', '--property', 'null.marker=NULL',
  ], 'h1:v1,h2:v2\tk1\tfirst value\nh3:v3\tk2\tsecond\nh4:NULL\tNULL\tthird\n');
  assert.equal(produced.code, 0, produced.stderr);

  const printAll = ['--property', 'print.key=true', '--property', 'print.partition=true', '--property', 'print.offset=true',
    '--property', 'print.timestamp=true', '--property', 'print.headers=true'];
  const first = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'keyed', '--from-beginning', '--group', 'readers', '--max-messages', '2', ...printAll]);
  assert.equal(first.code, 0, first.stderr);
  const printed = lines(first.stdout);
  assert.equal(printed.length, 2);
  assert.match(printed[0], /^CreateTime:\d{13}\tPartition:0\tOffset:0\th1:v1,h2:v2\tk1\tfirst value$/);
  assert.match(printed[1], /^CreateTime:\d{13}\tPartition:0\tOffset:1\th3:v3\tk2\tsecond$/);
  assert.match(first.stderr, /^Processed a total of 2 messages$/m);

  // The group committed offset 2 at exit: the same group goes on with the third record only.
  const rest = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'keyed', '--group', 'readers', '--max-messages', '1', '--timeout-ms', '30000', ...printAll]);
  assert.equal(rest.code, 0, rest.stderr);
  assert.match(rest.stdout, /^CreateTime:\d{13}\tPartition:0\tOffset:2\th4:null\tnull\tthird\n$/);
  assert.match(rest.stderr, /Processed a total of 1 messages/);

  // Other separators, no value, another null literal; without --group a throwaway group reads from the beginning.
  const keysOnly = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'keyed', '--from-beginning', '--max-messages', '3',
    '--property', 'print.key=true', '--property', 'print.value=false', '--property', 'print.offset=true', '--property', 'key.separator=|',
    '--property', 'line.separator=;', '--property', 'null.literal=NIL']);
  assert.equal(keysOnly.code, 0, keysOnly.stderr);
  assert.equal(keysOnly.stdout, 'Offset:0|k1;Offset:1|k2;Offset:2|NIL;');
});

test('a line without the key separator stops console-producer with Kafka\'s message, after sending the lines before it', async () => {
  const b = broker.bootstrap;
  const r = await samsa(['console-producer', '--bootstrap-server', b, '--topic', 'badline', '--property', 'parse.key=true', '--sync'], 'k1\tv1\nno separator here\nk3\tv3\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No key separator found on line number 2: 'no separator here'/);
  assert.equal(await kcat(['-b', b, '-C', '-t', 'badline', '-e', '-q', '-f', '%k=%s\n']), 'k1=v1\n');

  // ignore.error: the whole line becomes the value.
  const lenient = await samsa(['console-producer', '--bootstrap-server', b, '--topic', 'badline', '--property', 'parse.key=true', '--property', 'ignore.error=true'], 'plain\n');
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.equal(await kcat(['-b', b, '-C', '-t', 'badline', '-e', '-q', '-f', '%k=%s\n']), 'k1=v1\n=plain\n');
});

test('kcat -P with -K and -H is read by console-consumer; console-producer is read by kcat -C', async () => {
  const b = broker.bootstrap;
  await kcat(['-b', b, '-P', '-t', 'from-kcat', '-K', ':', '-H', 'app=kcat', '-H', 'n=1'], 'k1:hello\nk2:world\n');
  const c = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'from-kcat', '--from-beginning', '--max-messages', '2',
    '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'key.separator=:']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(lines(c.stdout), ['app:kcat,n:1:k1:hello', 'app:kcat,n:1:k2:world']);

  const p = await samsa(['console-producer', '--bootstrap-server', b, '--topic', 'to-kcat', '--compression-codec',
    '--property', 'parse.key=true', '--property', 'key.separator=:', '--property', 'parse.headers=true', '--property', 'headers.delimiter=|',
    '--property', 'headers.separator=;', '--property', 'headers.key.separator=='], 'a=1;b=2|key1:value one\nc=3|key2:value two\n');
  assert.equal(p.code, 0, p.stderr);
  const out = await kcat(['-b', b, '-C', '-t', 'to-kcat', '-e', '-q', '-f', '%k %s %p %h\n']);
  assert.deepEqual(lines(out), ['key1 value one 0 a=1,b=2', 'key2 value two 0 c=3']);
});

test('--partition with --offset N, earliest and latest; --timeout-ms ends the wait with exit 0', async () => {
  const b = broker.bootstrap;
  await kcat(['-b', b, '-P', '-t', 'three', '-p', '1'], 'r0\nr1\nr2\nr3\nr4\n');
  const fromTwo = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'three', '--partition', '1', '--offset', '2', '--max-messages', '3', '--property', 'print.offset=true']);
  assert.equal(fromTwo.code, 0, fromTwo.stderr);
  assert.deepEqual(lines(fromTwo.stdout), ['Offset:2\tr2', 'Offset:3\tr3', 'Offset:4\tr4']);
  const earliest = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'three', '--partition', '1', '--offset', 'earliest', '--max-messages', '1']);
  assert.deepEqual(lines(earliest.stdout), ['r0']);
  assert.match(earliest.stderr, /Processed a total of 1 messages/);
  const latest = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'three', '--partition', '1', '--offset', 'latest', '--timeout-ms', '1000']);
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(latest.stdout, '');
  assert.match(latest.stderr, /Processed a total of 0 messages/);
  // An empty partition with --from-beginning.
  const empty = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'three', '--partition', '2', '--from-beginning', '--timeout-ms', '500']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stderr, /Processed a total of 0 messages/);
});

test('--include subscribes to the topics whose whole name matches', async () => {
  const b = broker.bootstrap;
  for (const topic of ['inc-a', 'inc-b', 'other']) await kcat(['-b', b, '-P', '-t', topic], `${topic} record\n`);
  const r = await samsa(['console-consumer', '--bootstrap-server', b, '--include', 'inc-.|oth', '--from-beginning', '--timeout-ms', '2000']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout).sort(), ['inc-a record', 'inc-b record']);
});

test('SIGINT ends console-consumer cleanly: exit 0, the count on stderr, the group\'s offsets committed', async () => {
  const b = broker.bootstrap;
  await kcat(['-b', b, '-P', '-t', 'interrupted'], 'one\ntwo\nthree\n');
  const child = spawn(process.execPath, [MAIN, 'console-consumer', '--bootstrap-server', b, '--topic', 'interrupted', '--from-beginning', '--group', 'stopper'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (lines(stdout).length === 3) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
  } finally {
    clearTimeout(killer);
  }
  assert.deepEqual(lines(stdout), ['one', 'two', 'three']);
  assert.match(stderr, /Processed a total of 3 messages/);
  await kcat(['-b', b, '-P', '-t', 'interrupted'], 'four\n');
  const again = await samsa(['console-consumer', '--bootstrap-server', b, '--topic', 'interrupted', '--group', 'stopper', '--max-messages', '1', '--timeout-ms', '30000']);
  assert.equal(again.stdout, 'four\n');
});

test('bad flags and option combinations exit 1 naming the problem', async () => {
  const b = broker.bootstrap;
  const cases: [string[], RegExp][] = [
    [['console-producer', '--bootstrap-server', b, '--topic', 't', '--bogus'], /unknown option --bogus/],
    [['console-producer', '--bootstrap-server', b], /missing required option --topic/],
    [['console-producer', '--bootstrap-server', b, '--topic', 't', '--batch-size', 'big'], /--batch-size: 'big' is not an integer/],
    [['console-producer', '--bootstrap-server', b, '--topic', 't', '--compression-codec', 'brotli'], /compression\.type: 'brotli'/],
    [['console-producer', '--bootstrap-server', b, '--topic', 't', '--property', 'headers.separator=:'], /headers\.separator and headers\.key\.separator may not be equal/],
    [['console-producer', '--topic', 't'], /--bootstrap-server/],
    [['console-consumer', '--bootstrap-server', b], /Exactly one of --include\/--topic is required/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--offset', '3'], /The partition is required when offset is specified/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--partition', '0', '--offset', 'abc'], /The provided offset value 'abc' is incorrect/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--partition', '0', '--group', 'g'], /Options group and partition cannot be specified together/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--group', 'g1', '--consumer-property', 'group.id=g2'], /do not match\. Detected group ids: 'g1', 'g2'/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--from-beginning', '--consumer-property', 'auto.offset.reset=latest'], /--from-beginning and 'auto\.offset\.reset=latest'/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--max-messages'], /option --max-messages requires a value/],
    [['console-consumer', '--bootstrap-server', b, '--topic', 't', '--consumer-property', 'no.such.key=1'], /no\.such\.key/],
  ];
  const results = await Promise.all(cases.map(([args]) => samsa(args)));
  cases.forEach(([args, message], i) => {
    assert.equal(results[i].code, 1, `${args.join(' ')}: ${results[i].stderr}`);
    assert.match(results[i].stderr, message, args.join(' '));
  });
  const help = await samsa(['console-consumer', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--from-beginning/);
});
