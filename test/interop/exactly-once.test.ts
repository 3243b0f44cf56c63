// Exactly-once consume-transform-produce through confluent-kafka against `samsa start`
// (test/interop/py/eos_pipeline.py): a group consumer reads topic A read_committed and writes
// topic B in transactions that also commit its offsets (send_offsets_to_transaction with the
// group metadata). One transaction is aborted on purpose and redone; the broker is killed -9 with
// a transaction open and restarted on the same data dir and port; then the pipeline is killed -9
// with a transaction open and a new instance with the same transactional.id fences it and resumes
// from the committed offsets. At the end a read_committed reader of B sees every record of A
// exactly once and the group's committed offsets are A's end offsets. Every wait is bounded.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { DescribeTransactionsResponse } from '../../src/protocol/messages/describe-transactions.js';
import type { ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/offset-fetch.js';
import { removeDir, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat, python } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

const SCRIPT = fileURLToPath(new URL('../../../test/interop/py/eos_pipeline.py', import.meta.url));
const [INPUT, OUTPUT, GROUP, TXN_ID] = ['eos-in', 'eos-out', 'eos-group', 'eos-pipeline'];
const RECORDS = 20_000;
const PARTITIONS = 3;
const BATCH = 500;
const STEP_TIMEOUT_MS = 120_000;
const BROKER_OVERRIDES = { 'transaction.state.log.num.partitions': 4 };

type PipelineEvent = { event: string; records?: number } & Record<string, unknown>;

/** One eos_pipeline.py process; its JSON lines are read as events. */
class Pipeline {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly events: PipelineEvent[] = [];
  /** Events already returned by next(). */
  private readonly taken = new Set<PipelineEvent>();
  private readonly waiters: (() => void)[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(bootstrap: string, extraArgs: string[]) {
    this.child = spawn('/usr/bin/python3', [SCRIPT, bootstrap, INPUT, OUTPUT, GROUP, TXN_ID, String(BATCH), ...extraArgs]);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as PipelineEvent);
      this.wake();
    });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => { this.wake(); resolve(code); }));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first event named `name` not consumed by an earlier call; bounded. */
  async next(name: string): Promise<PipelineEvent> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const at = this.events.findIndex((e) => e.event === name && !this.taken.has(e));
      if (at >= 0) {
        this.taken.add(this.events[at]);
        return this.events[at];
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`no '${name}' from the pipeline (exit ${this.child.exitCode ?? this.child.signalCode}); events: ${JSON.stringify(this.events.slice(-20))}\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
    }
  }

  go(): void {
    this.child.stdin.write('go\n');
  }

  kill9(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  get errors(): string {
    return this.stderr;
  }
}

let broker: BrokerProcess;
let raw: RawClient;
const running: Pipeline[] = [];
before(async () => {
  broker = await startBrokerProcess({ overrides: BROKER_OVERRIDES });
  raw = await RawClient.connect(broker.port);
});
after(async () => {
  for (const p of running) await p.kill9();
  raw?.close();
  await broker?.stop();
  if (broker) removeDir(broker.dataDir);
});

/** kill -9, then `samsa start` on the same data dir and port, so the clients reconnect. */
async function restartBroker(): Promise<void> {
  await broker.kill9();
  broker = await startBrokerProcess({ dataDir: broker.dataDir, port: broker.port, overrides: BROKER_OVERRIDES });
  raw.close();
  raw = await RawClient.connect(broker.port);
}

/** Group offsets of A's partitions as OffsetFetch v7 with require_stable answers them. */
async function committedOffsets(): Promise<number[]> {
  const r = await raw.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, {
    groupId: GROUP, topics: [{ name: INPUT, partitionIndexes: [0, 1, 2] }], requireStable: true,
  });
  assert.ok(r);
  assert.equal(r.errorCode, ErrorCode.NONE);
  return r.topics[0].partitions.map((p) => {
    assert.equal(p.errorCode, ErrorCode.NONE);
    return Number(p.committedOffset);
  });
}

async function endOffsets(topic: string): Promise<number[]> {
  const r = await raw.request<ListOffsetsResponse>(ApiKey.ListOffsets, 2, {
    replicaId: -1, isolationLevel: 0,
    topics: [{ name: topic, partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, timestamp: -1 })) }],
  });
  return r!.topics[0].partitions.map((p) => Number(p.offset));
}

type TopicContents = Record<string, { offsets: number[]; values: string[]; position: number }>;
const valuesOf = (contents: TopicContents): string[] => Object.values(contents).flatMap((p) => p.values);

test('exactly once through an abort, a broker kill -9 and a pipeline kill -9', { timeout: 600_000 }, async () => {
  const kafka = new Kafka({ clientId: 'samsa-eos-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [INPUT, OUTPUT].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  await admin.disconnect();
  const input = Array.from({ length: RECORDS }, (_, i) => `a-${i}`);
  // Keyed, so that librdkafka's partitioner spreads them over the partitions.
  await kcat(['-b', broker.bootstrap, '-P', '-t', INPUT, '-K', ':'], input.map((v, i) => `${i}:${v}`).join('\n') + '\n', 60_000);
  const inputEnds = await endOffsets(INPUT);
  assert.equal(inputEnds.reduce((a, b) => a + b), RECORDS);
  assert.ok(inputEnds.every((n) => n > 0), `every partition of A has records: ${inputEnds.join(', ')}`);

  const first = new Pipeline(broker.bootstrap, ['--abort-after', '2000', '--pause-after', '6000', '--pause-after', '12000']);
  running.push(first);
  assert.equal((await first.next('aborted')).reason, 'on purpose');

  // A transaction open (records written, offsets sent) when the broker dies.
  await first.next('paused');
  await restartBroker();
  first.go();

  // Another transaction open when the pipeline dies; its successor fences it and resumes.
  const paused = await first.next('paused');
  assert.ok(paused.records! >= 12_000, `second pause after ${paused.records} records`);
  await first.kill9();
  const second = new Pipeline(broker.bootstrap, []);
  running.push(second);
  // And the broker dies again while the new instance runs freely: wherever that lands (a produce,
  // the offsets, the commit in flight), the clients retry or abort and redo.
  await second.next('committed');
  await restartBroker();
  await second.next('done');
  assert.equal(await second.exited, 0, second.errors);

  const committed = await python<TopicContents>('read_topic.py', [broker.bootstrap, OUTPUT, 'read_committed'], 120_000);
  const outputValues = valuesOf(committed);
  const seen = new Set<string>();
  const duplicates = outputValues.filter((v) => seen.has(v) || !seen.add(v));
  assert.deepEqual(duplicates.slice(0, 10), [], `${duplicates.length} duplicates in B`);
  assert.deepEqual(outputValues.sort(), input.map((v) => v.toUpperCase()).sort());
  // The reader's positions end at B's log end: past the last commit marker.
  const outputEnds = await endOffsets(OUTPUT);
  for (const [p, contents] of Object.entries(committed)) assert.equal(contents.position, outputEnds[Number(p)]);
  // read_uncommitted also sees the aborted batch and the killed pipeline's open transaction.
  const uncommitted = valuesOf(await python<TopicContents>('read_topic.py', [broker.bootstrap, OUTPUT, 'read_uncommitted'], 120_000));
  assert.ok(uncommitted.length >= RECORDS + 2 * BATCH, `read_uncommitted sees ${uncommitted.length} records`);

  assert.deepEqual(await committedOffsets(), inputEnds);
  const r = await raw.request<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, 0, { transactionalIds: [TXN_ID] });
  const [state] = r!.transactionStates;
  assert.equal(state.transactionState, 'CompleteCommit');
  // The second instance's InitProducerId bumped the epoch past the first instance's.
  assert.ok(state.producerEpoch >= 1, `epoch ${state.producerEpoch}`);
});
