// The samsa command itself: `samsa --help`, `--help` on a command, the option parser's rules
// (Kafka's joptsimple: --name value, --name=value, unique prefixes), --command-config, and a
// bounded, clear failure when no broker answers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defineCommand, helpText, parseArgs, UsageError } from '../../src/cli/args.js';
import { consumerOptions, producerOptions } from '../../src/cli/client-options.js';
import { COMMAND_NAMES } from '../../src/cli/commands.js';
import { formatTable, progressBar } from '../../src/cli/output.js';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { run } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const samsa = (...args: string[]): ReturnType<typeof run> => run(process.execPath, [MAIN, ...args], { timeoutMs: 60_000 });

let broker: EmbeddedBroker;
let dir: string;
before(async () => {
  broker = await startBroker({ topics: ['one'] });
  dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'));
});
after(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('samsa --help lists every command; samsa <command> --help prints its options', async () => {
  let r = await samsa('--help');
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['start', ...COMMAND_NAMES]) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'), name);
  assert.match(r.stdout, /^ {2}topics +Create, delete, describe, or change a topic/m);
  r = await samsa('topics', '--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: samsa topics \[options\]/);
  assert.match(r.stdout, /^--bootstrap-server <String: server to connect to> +REQUIRED/m);
  assert.match(r.stdout, /^--partitions <Integer: # of partitions> /m);
  r = await samsa('no-such-command');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown command 'no-such-command'/);
});

test('README\'s Command-line tools table has a row for every command', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Command-line tools'), readme.indexOf('\n## ', readme.indexOf('## Command-line tools') + 1));
  const rows = [...section.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(rows.sort(), ['start', ...COMMAND_NAMES].sort());
});

test('every command: --help exits 0 with its usage; an unknown flag exits 1 naming it', async () => {
  const results = await Promise.all(['start', ...COMMAND_NAMES].map(async (name) => ({ name, help: await samsa(name, '--help'), bad: await samsa(name, '--no-such-flag') })));
  for (const { name, help, bad } of results) {
    assert.equal(help.code, 0, `${name}: ${help.stderr}`);
    assert.match(help.stdout, new RegExp(`^Usage: samsa ${name} `), name);
    assert.equal(bad.code, 1, name);
    assert.match(bad.stderr, /--no-such-flag/, name);
    assert.equal(bad.stdout, '', name);
  }
});

test('--command-config: a properties file of Kafka client keys; an unknown key stops naming it', async () => {
  const good = join(dir, 'good.properties');
  writeFileSync(good, `# admin client settings\nbootstrap.servers=${broker.bootstrap}\nclient.id=cli-test\nrequest.timeout.ms=20000\nsecurity.protocol=PLAINTEXT\n`);
  // bootstrap.servers from the file stands in for --bootstrap-server.
  let r = await samsa('topics', '--list', '--command-config', good);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'one\n');
  const bad = join(dir, 'bad.properties');
  writeFileSync(bad, 'linger.ms=5\n');
  r = await samsa('topics', '--list', '--bootstrap-server', broker.bootstrap, '--command-config', bad);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error: client config linger.ms is unknown or not supported by the admin client\n');
  r = await samsa('topics', '--list', '--bootstrap-server', broker.bootstrap, '--command-config', join(dir, 'missing.properties'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--command-config: cannot read/);
});

test('an unreachable broker fails within the connection timeout with a clear message', async () => {
  // A port that was free a moment ago: connections are refused.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const config = join(dir, 'fast.properties');
  writeFileSync(config, 'socket.connection.setup.timeout.ms=1500\n');
  const deletions = join(dir, 'delete.json');
  writeFileSync(deletions, '{"partitions":[{"topic":"one","partition":0,"offset":1}],"version":1}');
  const address = `127.0.0.1:${port}`;
  // Every command that connects, with the option that takes its client settings.
  const commands: string[][] = [
    ['topics', '--list', '--command-config', config],
    ['configs', '--describe', '--entity-type', 'topics', '--command-config', config],
    ['cluster-id', '--command-config', config],
    ['broker-api-versions', '--command-config', config],
    ['console-producer', '--topic', 'one', '--producer.config', config],
    ['console-consumer', '--topic', 'one', '--consumer.config', config],
    ['consumer-groups', '--list', '--command-config', config],
    ['get-offsets', '--topic', 'one', '--command-config', config],
    ['delete-records', '--offset-json-file', deletions, '--command-config', config],
    ['transactions', '--command-config', config, 'list'],
    ['producer-perf-test', '--topic', 'one', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer.config', config],
    ['consumer-perf-test', '--topic', 'one', '--messages', '10', '--consumer.config', config],
  ];
  assert.deepEqual(new Set(commands.map(([name]) => name)), new Set(COMMAND_NAMES.filter((n) => n !== 'dump-log' && n !== 'dev-cluster')), 'every command that connects');
  const results = await Promise.all(commands.map((command) => run(process.execPath, [MAIN, ...command, '--bootstrap-server', address], { input: 'a line\n', timeoutMs: 30_000 })));
  results.forEach((r, i) => {
    assert.equal(r.code, 1, commands[i].join(' '));
    assert.equal(r.stderr, `Error: could not reach the broker at ${address} within 1500 ms\n`, commands[i].join(' '));
  });
});

test('output piped into a reader that stops early (| head) ends the command quietly with 0', async () => {
  const logdir = '/work/shared/reference/kafka-2.4.1-logdir/corpus-plain-0';
  const files = Array.from({ length: 20 }, () => join(logdir, '00000000000000000000.log')).join(',');
  // Far more output than a pipe holds, so writes go on after head has exited.
  const r = await run('bash', ['-c', `"$0" "$1" dump-log --files "$2" --deep-iteration --print-data-log | head -n 1; exit "\${PIPESTATUS[0]}"`, process.execPath, MAIN, files]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `Dumping ${join(logdir, '00000000000000000000.log')}\n`);
});

test('the option parser: --name value, --name=value, prefixes, lists, ints, and errors naming the option', () => {
  const spec = defineCommand({
    name: 'demo',
    summary: 'A demo.',
    options: [
      { name: 'topic', kind: 'string', describe: 'A topic.' },
      { name: 'partitions', kind: 'int', describe: 'How many.', default: 1 },
      { name: 'config', kind: 'list', describe: 'k=v, repeatable.' },
      { name: 'create', kind: 'flag', describe: 'Create.' },
      { name: 'consumer-property', kind: 'list', describe: 'k=v.' },
    ],
  });
  const a = parseArgs(spec, ['--topic', 't', '--partitions=-3', '--config', 'a=1', '--config=b=2', '--cr']);
  assert.equal(a.string('topic'), 't');
  assert.equal(a.int('partitions'), -3);
  assert.deepEqual(a.list('config'), ['a=1', 'b=2']);
  assert.equal(a.flag('create'), true);
  assert.equal(a.has('consumer-property'), false);
  assert.equal(parseArgs(spec, []).int('partitions'), 1, 'the default');
  const fails: [string[], RegExp][] = [
    [['--nope'], /^unknown option --nope$/],
    [['--co', 'x'], /^option --co is ambiguous \(--config, --consumer-property\)$/],
    [['--topic'], /^option --topic requires a value$/],
    [['--partitions', '1.5'], /^option --partitions: '1\.5' is not an integer$/],
    [['--partitions', '99999999999999999999'], /^option --partitions: '99999999999999999999' is not an integer$/],
    [['--create=yes'], /^option --create takes no value$/],
    [['stray'], /^unexpected argument 'stray'$/],
  ];
  for (const [argv, message] of fails) assert.throws(() => parseArgs(spec, argv), (e: Error) => e instanceof UsageError && message.test(e.message), argv.join(' '));
  assert.throws(() => parseArgs(defineCommand({ name: 'r', summary: '', options: [{ name: 'x', kind: 'string', describe: '', required: true }] }), []), /missing required option --x/);
  assert.match(helpText(spec), /^--partitions <Integer> +How many\. \(default: 1\)$/m);
});

test('Kafka client keys map to the client options; a key of the other client is refused', () => {
  const props = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries({ 'bootstrap.servers': 'h:1', ...entries }));
  assert.deepEqual(producerOptions(props({ acks: '-1', 'linger.ms': '10', 'compression.type': 'LZ4', 'enable.idempotence': 'false' })), {
    bootstrapServers: 'h:1', acks: 'all', lingerMs: 10, compression: 'lz4', idempotent: false,
  });
  assert.deepEqual(consumerOptions(props({ 'group.id': 'g', 'auto.offset.reset': 'earliest', 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor', 'allow.auto.create.topics': 'true' })), {
    bootstrapServers: 'h:1', groupId: 'g', autoOffsetReset: 'earliest', partitionAssignors: ['roundrobin'], allowAutoTopicCreation: true,
  });
  assert.throws(() => consumerOptions(props({ acks: '1' })), /client config acks is unknown or not supported by the consumer client/);
  assert.throws(() => producerOptions(props({ 'linger.ms': 'soon' })), /linger\.ms: 'soon' is not an integer/);
});

test('formatTable pads every column but the last to its widest cell', () => {
  assert.deepEqual(formatTable(['GROUP', 'TOPIC', 'LAG'], [['g', 'a-long-topic', '0'], ['group-two', 't', '12']]), [
    'GROUP     TOPIC        LAG',
    'g         a-long-topic 0',
    'group-two t            12',
  ]);
});

test('the progress bar draws on a terminal only, and clears its line when done', () => {
  const draw = (isTTY: boolean): string => {
    const stderr = new PassThrough();
    const bar = progressBar({ stdout: new PassThrough(), stderr, stdin: new PassThrough(), isTTY }, 4, 'work ');
    for (let i = 0; i < 4; i++) bar.tick();
    bar.done();
    return String(stderr.read() ?? '');
  };
  assert.equal(draw(false), '');
  const drawn = draw(true);
  assert.match(drawn, /^\rwork \[ {30}\] 0\/4/);
  assert.ok(drawn.endsWith(`\rwork [${'#'.repeat(30)}] 4/4\r\u001b[K`), JSON.stringify(drawn));
});
