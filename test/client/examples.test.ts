// The client examples (examples/client/) run as a user runs them, each in its own process; the
// README's code blocks are those example files; docs/client.md maps every option to Kafka's config.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function read(file: string): string {
  return readFileSync(`${REPO}${file}`, 'utf8');
}

async function runExample(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: REPO, timeout: 60_000, killSignal: 'SIGKILL' });
  return stdout;
}

test('examples/client/produce-consume.mjs', async () => {
  const out = await runExample('examples/client/produce-consume.mjs');
  assert.match(out, /^topics: orders$/m);
  assert.match(out, /^order-1 written to partition \d at offset 0$/m);
  assert.match(out, /^2 more orders written$/m);
  for (const line of ['order-1 → coffee', 'order-2 → tea', 'order-3 → cake']) assert.ok(out.includes(line), out);
});

test('examples/client/transactions.mjs', async () => {
  const out = await runExample('examples/client/transactions.mjs');
  assert.match(out, /^committed: charge 25$/m);
});

test('each README code block introduced by a link to an example is that example (without its opening comments)', () => {
  const readme = read('README.md');
  const blocks = [...readme.matchAll(/\((examples\/[\w/.-]+\.mjs)\)\):\n\n```js\n([\s\S]*?)```\n/g)];
  const files = blocks.map(([, file]) => file);
  for (const expected of ['examples/embedded/node-test.test.mjs', 'examples/embedded/vitest.test.mjs', 'examples/client/produce-consume.mjs']) {
    assert.ok(files.includes(expected), `README embeds ${expected}`);
  }
  for (const [, file, code] of blocks) {
    const body = read(file).replace(/^(\/\/.*\n|\/\*.*\*\/\n)+/, '');
    assert.equal(code, body, `README's copy of ${file}`);
  }
});

/** Options of an exported options interface with the Kafka config each names: `[dotted.name]` or `` `dotted.name` `` opening its comment. */
function optionsOf(file: string, name: string): Map<string, string> {
  const source = read(file);
  const start = source.indexOf(`export interface ${name} `);
  assert.ok(start >= 0, `${name} in ${file}`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const out = new Map<string, string>();
  for (const [, bracketed, quoted, option] of body.matchAll(/\/\*\*\s*(?:\[([\w.]+)\]|`([\w.]+)`)[\s\S]*?\*\/\s*\n\s*(\w+)\??:/g)) out.set(option, bracketed ?? quoted);
  assert.ok(out.size > 0, `options of ${name}`);
  return out;
}

test('docs/client.md has a row for every client option with its Kafka config name, and no other', () => {
  const doc = read('docs/client.md');
  const options = doc.slice(doc.indexOf('\n## Options\n'), doc.indexOf('\n## Calls\n'));
  const rows = new Map([...options.matchAll(/^\| `(\w+)` \| `([\w.]+)` \|/gm)].map(([, option, config]) => [`${option} ${config}`, true]));
  const expected = [
    ...optionsOf('src/client/options.ts', 'ClientOptions'),
    ...optionsOf('src/client/producer.ts', 'ProducerOptions'),
    ...optionsOf('src/client/consumer.ts', 'ConsumerOptions'),
  ].map(([option, config]) => `${option} ${config}`);
  for (const row of expected) assert.ok(rows.has(row), `docs/client.md row for ${row}`);
  // allowAutoTopicCreation is in both the producer's and the consumer's table.
  assert.deepEqual([...rows.keys()].sort(), [...new Set(expected)].sort());
});
