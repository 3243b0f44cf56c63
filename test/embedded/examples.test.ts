// The README's examples (examples/embedded/) run as a user runs them, each in
// its own process, and pass.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import { test } from 'node:test';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TIMEOUT_MS = 120_000;

/** Runs `node args` in the repo; rejects (with its output) on a non-zero exit. */
async function runNode(args: string[]): Promise<string> {
  const env = { ...process.env };
  // Otherwise the child `node --test` reports to this test runner's protocol instead of printing TAP.
  delete env.NODE_TEST_CONTEXT;
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO, env, timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
  // Vitest colours its summary when CI is set; compare the plain text.
  return stripVTControlCharacters(stdout);
}

test('the node:test example passes', async () => {
  const out = await runNode(['--test', 'examples/embedded/node-test.test.mjs']);
  assert.match(out, /^# pass 1$/m);
  assert.match(out, /^# fail 0$/m);
});

test('the Vitest example passes', async () => {
  // What `npx vitest run examples/embedded/vitest.test.mjs` starts; the path keeps Vitest to that one file.
  const out = await runNode(['node_modules/vitest/vitest.mjs', 'run', 'examples/embedded/vitest.test.mjs']);
  assert.match(out, /Test Files +1 passed \(1\)/);
  assert.match(out, /Tests +1 passed \(1\)/);
});
