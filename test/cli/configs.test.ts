// `samsa configs` (Kafka's kafka-configs) as a child process against an in-process broker:
// describing and altering topic and broker-default configs, synonyms, --all, --output json,
// and the refusals ConfigCommand makes.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { parseAddConfig } from '../../src/cli/configs.js';
import { startBroker, type EmbeddedBroker } from '../../src/embedded.js';
import { run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker({ topics: [{ name: 'events', partitions: 1, config: { 'cleanup.policy': 'compact' } }] });
});
after(() => broker.stop());

function configs(...args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, 'configs', '--bootstrap-server', broker.bootstrap, ...args], { timeoutMs: 60_000 });
}

test('topic configs: describe the dynamic ones with synonyms, add and delete them', async () => {
  let r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--describe');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Dynamic configs for topic events are:\n'
    + '  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}\n');

  r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--alter', '--add-config', 'retention.ms=60000,cleanup.policy=[compact,delete]');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Completed updating config for topic events.\n');
  r = await configs('--topic', 'events', '--describe');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp('^Dynamic configs for topic events are:\n'
    + '  cleanup\\.policy=compact,delete sensitive=false synonyms=\\{DYNAMIC_TOPIC_CONFIG:cleanup\\.policy=compact,delete, DEFAULT_CONFIG:log\\.cleanup\\.policy=delete\\}\n'
    + '  retention\\.ms=60000 sensitive=false synonyms=\\{DYNAMIC_TOPIC_CONFIG:retention\\.ms=60000[^}]*\\}\n$'));

  r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--alter', '--delete-config', 'retention.ms', '--delete-config', 'cleanup.policy');
  assert.equal(r.code, 0, r.stderr);
  r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--describe');
  assert.equal(r.stdout, 'Dynamic configs for topic events are:\n');

  r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--describe', '--all');
  assert.equal(r.code, 0, r.stderr);
  const all = r.stdout.split('\n');
  assert.equal(all[0], 'All configs for topic events are:');
  assert.ok(all.includes('  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}'), r.stdout);

  r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--alter', '--delete-config', 'no.such.key');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Invalid config(s): no.such.key\n');
  r = await configs('--entity-type', 'topics', '--entity-name', 'events', '--alter', '--add-config', 'no.such.key=1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error while executing config command\n.*no\.such\.key/);
  r = await configs('--entity-type', 'topics', '--entity-name', 'missing', '--describe');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
});

test('broker configs: the cluster default and one broker, as text and JSON', async () => {
  let r = await configs('--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'log.retention.ms=3600000');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Completed updating default config for brokers in the cluster.\n');
  r = await configs('--entity-type', 'brokers', '--describe');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Dynamic configs for broker 0 are:\n'
    + 'Default configs for brokers in the cluster are:\n'
    + '  log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000}\n');

  r = await configs('--broker-defaults', '--describe', '--output', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{
    entityType: 'brokers',
    entityName: null,
    configs: [{
      name: 'log.retention.ms', value: '3600000', sensitive: false, source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
      synonyms: [{ name: 'log.retention.ms', value: '3600000', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' }],
    }],
  }]);
  r = await configs('--entity-type', 'brokers', '--entity-name', '0', '--describe', '--all');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^All configs for broker 0 are:\n/);
  assert.match(r.stdout, /^ {2}log\.retention\.ms=3600000 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log\.retention\.ms=3600000, /m);

  r = await configs('--entity-type', 'brokers', '--entity-default', '--alter', '--delete-config', 'log.retention.ms');
  assert.equal(r.code, 0, r.stderr);
  r = await configs('--broker-defaults', '--describe');
  assert.equal(r.stdout, 'Default configs for brokers in the cluster are:\n');
});

test('--add-config splits on commas outside brackets, as ConfigCommand', () => {
  assert.deepEqual(parseAddConfig('a=1,b=[x,y,z], c = 3'), { a: '1', b: 'x,y,z', c: '3' });
  assert.deepEqual(parseAddConfig('empty='), { empty: '' });
  assert.throws(() => parseAddConfig('novalue'), /key=val/);
  assert.throws(() => parseAddConfig('a=b=c'), /key=val/);
});

test('bad command lines exit 1 naming what is wrong', async () => {
  const r = await configs('--entity-type', 'users', '--entity-name', 'x', '--describe');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid entity type users/);
  const cases: [string[], RegExp][] = [
    [['--entity-type', 'topics'], /exactly one action: --describe, --alter/],
    [['--describe'], /At least one entity type must be specified/],
    [['--entity-type', 'topics', '--alter', '--add-config', 'a=1'], /an entity name must be specified with --alter of topics/],
    [['--entity-type', 'topics', '--entity-name', 't', '--alter'], /At least one of --add-config, --add-config-file, or --delete-config/],
    [['--entity-type', 'topics', '--entity-name', 't', '--describe', '--add-config', 'a=1'], /"\[describe\]" can't be used with option "\[add-config\]"/],
    [['--entity-type', 'brokers', '--entity-name', 'b1', '--describe'], /valid integer broker id, but it is: b1/],
    [['--entity-type', 'topics', '--topic', 't', '--describe'], /should not be used in conjunction with specific entity flags/],
    [['--topic', 't', '--alter', '--add-config', 'bad key=1'], /Invalid character found for config key: bad key/],
  ];
  const { command } = await import('../../src/cli/configs.js');
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), isTTY: false };
  for (const [args, message] of cases) {
    await assert.rejects(
      async () => command.run(parseArgs(command.spec, ['--bootstrap-server', '127.0.0.1:1', ...args]), io),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      args.join(' '),
    );
  }
});
