// Producer ids: handed out in order from durably claimed blocks of 1000, never
// repeated by a new manager over the same directory (a restart, or a kill -9
// after any id was given out), the next block claimed before the current ends.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileProducerIdBlockStore, PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../../src/coordinator/transaction/producer-ids.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-pid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function started(dir: string): Promise<ProducerIdManager> {
  const m = new ProducerIdManager(new FileProducerIdBlockStore(dir), 0, (msg) => assert.fail(msg));
  await m.start();
  return m;
}

test('ids start at 0 and the block is recorded in the layout of Kafka\'s /latest_producer_id_block', async (t) => {
  const dir = tempDir(t);
  const m = await started(dir);
  assert.deepEqual([m.generateProducerId(), m.generateProducerId(), m.generateProducerId()], [0, 1, 2]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'samsa-producer-id-block.json'), 'utf8')), {
    version: 1, broker: 0, block_start: '0', block_end: String(PRODUCER_ID_BLOCK_SIZE - 1),
  });
});

test('a new manager over the same directory starts after every block claimed before', async (t) => {
  const dir = tempDir(t);
  const first = await started(dir);
  first.generateProducerId();
  // No clean shutdown: the second manager only has the file.
  const second = await started(dir);
  assert.equal(second.generateProducerId(), PRODUCER_ID_BLOCK_SIZE);
});

test('ids run on into the next block without a gap, claimed ahead of need', async (t) => {
  const dir = tempDir(t);
  const m = await started(dir);
  const ids: (number | null)[] = [];
  for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE - 1; i++) ids.push(m.generateProducerId());
  await m.settled();
  for (let i = 0; i < 3; i++) ids.push(m.generateProducerId());
  assert.deepEqual(ids, Array.from({ length: PRODUCER_ID_BLOCK_SIZE + 2 }, (_, i) => i));
  const restarted = await started(dir);
  assert.equal(restarted.generateProducerId(), 2 * PRODUCER_ID_BLOCK_SIZE);
});

test('while the next block is not claimed yet, no id is given out (the client retries)', async (t) => {
  const dir = tempDir(t);
  let claims = 0;
  const store = new FileProducerIdBlockStore(dir);
  const slow = {
    async claimNextBlock(brokerId: number, size: number) {
      claims++;
      // The first claim (start) is immediate; later ones never finish within this test.
      return claims === 1 ? store.claimNextBlock(brokerId, size) : new Promise<never>(() => {});
    },
  };
  const m = new ProducerIdManager(slow, 0, () => {});
  await m.start();
  for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE; i++) assert.equal(m.generateProducerId(), i);
  assert.equal(m.generateProducerId(), null);
  assert.equal(claims, 2);
});
