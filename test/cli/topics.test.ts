// `samsa topics` (Kafka's kafka-topics) as a child process against an in-process broker: each
// action's output lines and exit code, --topic as a regular expression, the report filters,
// --if-exists/--if-not-exists, replica assignments, --output json, and bad command lines.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { Admin } from '../../src/client/index.js';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 2, 'offsets.topic.num.partitions': 1 } });
});
after(() => broker.stop());

function topics(...args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, 'topics', '--bootstrap-server', broker.bootstrap, ...args], { timeoutMs: 60_000 });
}

const TOPIC_LINE = /^Topic: (\S+)\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: (\d+)\tReplicationFactor: (\d+)\tConfigs: (.*)$/;
const PARTITION_LINE = /^\tTopic: (\S+)\tPartition: (\d+)\tLeader: (\d+|none)\tReplicas: ([\d,]*)\tIsr: ([\d,]*)\tElr: N\/A\tLastKnownElr: N\/A$/;
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

test('create, list, describe, alter and delete print what kafka-topics prints', async () => {
  let r = await topics('--create', '--topic', 'orders', '--partitions', '8', '--replication-factor', '1', '--config', 'cleanup.policy=compact', '--config', 'retention.ms = 60000');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Created topic orders.\n');

  r = await topics('--create', '--topic', 'orders', '--partitions', '8');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Error while executing topic command : .*Topic 'orders' already exists/);
  r = await topics('--create', '--topic', 'orders', '--if-not-exists');
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stdout, '');

  r = await topics('--create', '--topic', 'order.lines');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [
    'WARNING: Due to limitations in metric names, topics with a period (\'.\') or underscore (\'_\') could collide. To avoid issues it is best to use either, but not both.',
    'Created topic order.lines.',
  ]);

  r = await topics('--list');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['order.lines', 'orders']);
  r = await topics('--list', '--topic', 'order\\..*');
  assert.deepEqual(lines(r.stdout), ['order.lines']);

  r = await topics('--describe', '--topic', 'orders');
  assert.equal(r.code, 0, r.stderr);
  const [head, ...partitions] = lines(r.stdout);
  const m = TOPIC_LINE.exec(head);
  assert.ok(m, head);
  assert.deepEqual(m.slice(1), ['orders', '8', '1', 'cleanup.policy=compact,retention.ms=60000']);
  assert.equal(partitions.length, 8);
  partitions.forEach((line, i) => {
    const p = PARTITION_LINE.exec(line);
    assert.ok(p, line);
    assert.deepEqual(p.slice(1), ['orders', String(i), '0', '0', '0']);
  });

  r = await topics('--alter', '--topic', 'orders', '--partitions', '10');
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stdout, '');
  r = await topics('--alter', '--topic', 'orders', '--partitions', '4');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Error while executing topic command : .*INVALID_PARTITIONS/);

  r = await topics('--describe', '--topic', 'orders', '--output', 'json');
  assert.equal(r.code, 0, r.stderr);
  const [described] = JSON.parse(r.stdout) as { name: string; topicId: string; partitionCount: number; replicationFactor: number; configs: Record<string, string>; partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[] }[];
  assert.equal(described.name, 'orders');
  assert.equal(described.partitionCount, 10);
  assert.equal(described.topicId, TOPIC_LINE.exec(head)![0].split('\t')[1].slice('TopicId: '.length));
  assert.deepEqual(described.configs, { 'cleanup.policy': 'compact', 'retention.ms': '60000' });
  assert.deepEqual(described.partitions[9], { partition: 9, leader: 0, replicas: [0], isr: [0] });

  r = await topics('--delete', '--topic', 'order.*');
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stdout, '');
  r = await topics('--list');
  assert.equal(r.stdout, '\n', 'an empty list prints one empty line, as Kafka\'s println does');
  r = await topics('--delete', '--topic', 'orders');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Error while executing topic command : Topic \'orders\' does not exist as expected\n');
  r = await topics('--delete', '--topic', 'orders', '--if-exists');
  assert.equal(r.code, 0, r.stdout);
  r = await topics('--describe', '--topic', 'orders', '--if-exists');
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stdout, '');
});

test('describe report filters, --topics-with-overrides and --exclude-internal', async () => {
  assert.equal((await topics('--create', '--topic', 'plain', '--partitions', '3')).code, 0);
  assert.equal((await topics('--create', '--topic', 'tuned', '--partitions', '2', '--config', 'min.insync.replicas=2')).code, 0);
  // An admin offset commit creates __consumer_offsets, an internal topic.
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  try {
    await admin.alterGroupOffsets('g', [{ topic: 'plain', partition: 0, offset: 0 }]);
  } finally {
    await admin.close();
  }

  let r = await topics('--list');
  assert.deepEqual(lines(r.stdout), ['__consumer_offsets', 'plain', 'tuned']);
  r = await topics('--list', '--exclude-internal');
  assert.deepEqual(lines(r.stdout), ['plain', 'tuned']);

  r = await topics('--describe', '--exclude-internal', '--topics-with-overrides');
  assert.equal(r.code, 0, r.stderr);
  const overridden = lines(r.stdout);
  assert.equal(overridden.length, 1, r.stdout);
  assert.deepEqual(TOPIC_LINE.exec(overridden[0])?.slice(1), ['tuned', '2', '1', 'min.insync.replicas=2']);

  // One replica everywhere: nothing under-replicated or unavailable; 'plain' (min ISR 1) is at its minimum, 'tuned' below it.
  r = await topics('--describe', '--exclude-internal', '--under-replicated-partitions');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  r = await topics('--describe', '--exclude-internal', '--unavailable-partitions');
  assert.equal(r.stdout, '');
  r = await topics('--describe', '--exclude-internal', '--at-min-isr-partitions');
  assert.deepEqual(lines(r.stdout).map((l) => PARTITION_LINE.exec(l)?.slice(1, 3).join('-')), ['plain-0', 'plain-1', 'plain-2']);
  r = await topics('--describe', '--exclude-internal', '--under-min-isr-partitions');
  assert.deepEqual(lines(r.stdout).map((l) => PARTITION_LINE.exec(l)?.slice(1, 3).join('-')), ['tuned-0', 'tuned-1']);

  r = await topics('--describe');
  assert.ok(lines(r.stdout).some((l) => l.startsWith('Topic: __consumer_offsets\t')), r.stdout);
  r = await topics('--describe', '--output', 'json', '--exclude-internal', '--under-min-isr-partitions');
  const json = JSON.parse(r.stdout) as { name: string; partitions: unknown[] }[];
  assert.deepEqual(json.map((t) => [t.name, t.partitions.length]), [['tuned', 2]]);
});

test('--replica-assignment places partitions on create and on alter', async () => {
  let r = await topics('--create', '--topic', 'placed', '--replica-assignment', '0,0,0');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await topics('--alter', '--topic', 'placed', '--partitions', '4', '--replica-assignment', '0,0,0,0');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await topics('--describe', '--topic', 'placed');
  assert.equal(TOPIC_LINE.exec(lines(r.stdout)[0])?.[2], '4');
  r = await topics('--create', '--topic', 'bad-placement', '--replica-assignment', '0:0');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /duplicate entries: 0/);
  r = await topics('--create', '--topic', 'bad-placement', '--replica-assignment', '0,1', '--partitions', '2');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"\[replica-assignment\]" can't be used with option "\[partitions\]"/);
});

test('--describe over many topics draws a progress bar on a terminal only', async () => {
  const names = Array.from({ length: 12 }, (_, i) => `bar-${i}`);
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  try {
    await admin.createTopics(names.map((name) => ({ name, partitions: 1 })));
  } finally {
    await admin.close();
  }
  const piped = await topics('--describe', '--topic', 'bar-.*');
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stderr, '');
  assert.equal(lines(piped.stdout).filter((l) => TOPIC_LINE.test(l)).length, names.length);
  // script(1) gives the command a terminal; the bar is cleared once the lines are ready.
  const command = [process.execPath, MAIN, 'topics', '--bootstrap-server', broker.bootstrap, '--describe', '--topic', 'bar-.*'];
  const r = await run('script', ['-qec', command.join(' '), '/dev/null']);
  assert.equal(r.code, 0, r.stdout);
  const cleared = `\rDescribing topics [${'#'.repeat(30)}] 12/12\r\u001b[K`;
  assert.ok(r.stdout.includes(cleared), JSON.stringify(r.stdout.slice(0, 300)));
  assert.equal(r.stdout.slice(r.stdout.indexOf(cleared) + cleared.length).split('\n').filter((l) => /^Topic: bar-\d+\t/.test(l)).length, names.length);
});

test('bad command lines exit 1 naming the flag or value', async () => {
  // The process's exit code and stderr for a few; the rest of TopicCommand's checks in-process (no broker needed).
  let r = await topics('--create', '--topic', 'x', '--partitions', 'abc');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^samsa topics: option --partitions: 'abc' is not an integer\nRun 'samsa topics --help' for usage\.\n$/);
  r = await topics('--list', '--partitions', '3');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"\[partitions\]" can't be used with option "\[list\]"/);
  r = await run(process.execPath, [MAIN, 'topics', '--create', '--topic', 'x']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--bootstrap-server/);
  r = await topics('--create', '--topic', 'x', '--partitions', '0');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Error while executing topic command : The partitions must be greater than 0\n');
  r = await topics('--create', '--topic', 'x', '--replication-factor', '0');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /replication factor must be between 1 and 32767/);

  const cases: [string[], RegExp][] = [
    [['--list', '--describe'], /exactly one action/],
    [[], /exactly one action/],
    [['--create'], /Missing required argument "\[topic\]"/],
    [['--alter', '--topic', 'x'], /Missing required argument "\[partitions\]"/],
    [['--describe', '--config', 'a=b'], /"\[config\]" can't be used with option "\[describe\]"/],
    [['--describe', '--topics-with-overrides', '--under-replicated-partitions'], /can't be used with option "\[topics-with-overrides\]"/],
    [['--create', '--topic', 'x', '--config', 'novalue'], /key=val/],
    [['--create', '--topic', 'x', '--replica-assignment', '0:0'], /duplicate entries: 0/],
    [['--create', '--topic', 'x', '--replica-assignment', '0,0:1'], /Partition 1 has different replication factor/],
    [['--create', '--topic', 'x', '--replica-assignment', '0,1', '--partitions', '2'], /"\[replica-assignment\]" can't be used with option "\[partitions\]"/],
    [['--list', '--bogus'], /unknown option --bogus/],
    [['--list', '--topic'], /--topic requires a value/],
    [['--list', '--output', 'yaml'], /--output: 'yaml'/],
    [['--describe', '--topic', '('], /invalid regex/],
  ];
  const { command } = await import('../../src/cli/topics.js');
  for (const [args, message] of cases) {
    await assert.rejects(
      async () => command.run(parseArgs(command.spec, ['--bootstrap-server', '127.0.0.1:1', ...args]), NO_IO),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      args.join(' '),
    );
  }
});

/** CliIo for in-process runs that must fail before writing anything. */
const NO_IO = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), isTTY: false };
