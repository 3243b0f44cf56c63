// Offsets committed inside transactions by real clients against `samsa start`:
// confluent-kafka's send_offsets_to_transaction with the consumer's group
// metadata (TxnOffsetCommit with generation and member id) and KafkaJS's
// transaction.sendOffsets. While the transaction is open OffsetFetch shows the
// previous offset (UNSTABLE_OFFSET_COMMIT with require_stable); after a commit
// the new one, after an abort never. Every wait is bounded.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/offset-fetch.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

const PY_DIR = fileURLToPath(new URL('../../../test/interop/py/', import.meta.url));
const STEP_TIMEOUT_MS = 60_000;

let broker: BrokerProcess;
let raw: RawClient;
before(async () => {
  broker = await startBrokerProcess();
  raw = await RawClient.connect(broker.port);
});
after(async () => {
  raw?.close();
  await broker?.stop();
  removeDir(broker.dataDir);
});

/** [committed offset, error] of partition 0 as OffsetFetch v7 answers, with or without require_stable. */
async function fetchOffset(group: string, topic: string, requireStable: boolean): Promise<[number, number]> {
  const r = await raw.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], requireStable });
  assert.ok(r);
  assert.equal(r.errorCode, ErrorCode.NONE);
  const [p] = r.topics[0].partitions;
  return [p.committedOffset, p.errorCode];
}

/** The committed offset once no transaction holds it (markers are written after EndTxn is answered). */
async function stableOffset(group: string, topic: string): Promise<number> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const [offset, errorCode] = await fetchOffset(group, topic, true);
    if (errorCode === ErrorCode.NONE) return offset;
    assert.equal(errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    if (Date.now() > deadline) throw new Error(`${group}'s offset of ${topic}-0 stayed unstable`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function produceInput(topic: string, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => `in-${i}`).join('\n') + '\n';
  await kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0'], lines);
}

/** test/interop/py/txn_offsets.py: answers each command with JSON lines. */
class PythonTransactionalLoop {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private stderr = '';

  constructor(args: string[]) {
    this.child = spawn('/usr/bin/python3', [PY_DIR + 'txn_offsets.py', ...args]);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.child.on('exit', () => { for (const w of this.waiters.splice(0)) w(); });
  }

  send(command: string): void {
    this.child.stdin.write(command + '\n');
  }

  async next(): Promise<Record<string, unknown>> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`txn_offsets.py gave no answer:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
    }
    return JSON.parse(this.lines.shift()!) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send('quit');
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

test('confluent-kafka: send_offsets_to_transaction with the group metadata; visible after commit, never after abort', { timeout: 180_000 }, async () => {
  const [input, output, group] = ['ck-txn-in', 'ck-txn-out', 'ck-txn-group'];
  await produceInput(input, 20);
  const loop = new PythonTransactionalLoop([broker.bootstrap, input, output, group, 'ck-txn-id']);
  try {
    loop.send('round commit 5');
    assert.deepEqual(await loop.next(), { event: 'pending', position: 5 });
    assert.deepEqual(await fetchOffset(group, input, true), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    assert.deepEqual(await fetchOffset(group, input, false), [-1, ErrorCode.NONE]);
    loop.send('go');
    assert.deepEqual(await loop.next(), { event: 'done', committed: 5 });
    assert.deepEqual(await fetchOffset(group, input, true), [5, ErrorCode.NONE]);

    loop.send('round abort 5');
    assert.deepEqual(await loop.next(), { event: 'pending', position: 10 });
    assert.deepEqual(await fetchOffset(group, input, true), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    assert.deepEqual(await fetchOffset(group, input, false), [5, ErrorCode.NONE]);
    loop.send('go');
    assert.deepEqual(await loop.next(), { event: 'done', committed: 5 });
    assert.deepEqual(await fetchOffset(group, input, true), [5, ErrorCode.NONE]);

    loop.send('round commit 5');
    assert.deepEqual(await loop.next(), { event: 'pending', position: 15 });
    loop.send('go');
    assert.deepEqual(await loop.next(), { event: 'done', committed: 15 });
  } finally {
    await loop.close();
  }
  // The committed offset survives a restart of the broker (replayed with the markers).
  await broker.stop();
  broker = await startBrokerProcess({ dataDir: broker.dataDir });
  raw.close();
  raw = await RawClient.connect(broker.port);
  assert.deepEqual(await fetchOffset(group, input, true), [15, ErrorCode.NONE]);
});

test('KafkaJS: transaction.sendOffsets; visible after commit, never after abort', { timeout: 120_000 }, async () => {
  const [input, output, group] = ['kjs-txn-in', 'kjs-txn-out', 'kjs-txn-group'];
  await produceInput(input, 1);
  const kafka = new Kafka({ clientId: 'samsa-txn-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: 'kjs-txn-id', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const sendOffsets = async (offset: number, commit: boolean): Promise<void> => {
      const txn = await producer.transaction();
      await txn.send({ topic: output, messages: [{ value: `out-${offset}` }] });
      await txn.sendOffsets({ consumerGroupId: group, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(offset) }] }] });
      assert.equal((await fetchOffset(group, input, true))[1], ErrorCode.UNSTABLE_OFFSET_COMMIT);
      if (commit) await txn.commit();
      else await txn.abort();
    };
    await sendOffsets(3, true);
    assert.equal(await stableOffset(group, input), 3);
    await sendOffsets(8, false);
    assert.equal(await stableOffset(group, input), 3);
    assert.deepEqual(await fetchOffset(group, input, false), [3, ErrorCode.NONE]);
    await sendOffsets(9, true);
    assert.equal(await stableOffset(group, input), 9);
  } finally {
    await producer.disconnect();
  }
});
