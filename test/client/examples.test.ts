// The client examples (examples/client/) run as a user runs them, each in its own process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

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
