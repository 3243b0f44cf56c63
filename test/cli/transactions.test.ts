// `samsa transactions` (Kafka's kafka-transactions) run as a child process against an in-process
// broker, about an open transaction of Samsa's transactional producer: list, describe,
// describe-producers, find-hanging, abort by start offset; and the argument errors.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Producer, startBroker, type EmbeddedBroker } from '../../src/index.js';
import { run, type RunResult } from '../helpers/clients.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let broker: EmbeddedBroker;
before(async () => {
  broker = await startBroker({ topics: [{ name: 'txn-topic', partitions: 1 }], config: { 'transaction.state.log.replication.factor': 1, 'transaction.state.log.min.isr': 1 } });
});
after(async () => {
  await broker.stop();
});

function txn(...args: string[]): Promise<RunResult> {
  return run(process.execPath, [MAIN, 'transactions', '--bootstrap-server', broker.bootstrap, ...args]);
}

/** Kafka's prettyPrintTable: tab-ended cells padded to their column; returns header → value maps. */
function table(stdout: string): Record<string, string>[] {
  const [header, ...rows] = stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t').slice(0, -1).map((c) => c.trimEnd()));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

test('an open transaction: list, describe, describe-producers, find-hanging, then abort it by its start offset', async () => {
  const producer = new Producer({ bootstrapServers: broker.bootstrap, transactionalId: 'cli-txn' });
  try {
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic: 'txn-topic', partition: 0, value: 'in flight' });
    await producer.send({ topic: 'txn-topic', partition: 0, value: 'also in flight' });

    let r = await txn('list');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n/);
    const [listed] = table(r.stdout).filter((t) => t.TransactionalId === 'cli-txn');
    assert.equal(listed.Coordinator, '0');
    assert.equal(listed.TransactionState, 'Ongoing');
    r = await txn('list', '--output', 'json');
    assert.ok((JSON.parse(r.stdout) as Record<string, string>[]).some((t) => t.TransactionalId === 'cli-txn' && t.ProducerId === listed.ProducerId));

    r = await txn('describe', '--transactional-id', 'cli-txn');
    assert.equal(r.code, 0, r.stderr);
    const [described] = table(r.stdout);
    assert.equal(described.CoordinatorId, '0');
    assert.equal(described.ProducerId, listed.ProducerId);
    assert.equal(described.TransactionState, 'Ongoing');
    assert.equal(described.TopicPartitions, 'txn-topic-0');
    assert.match(described.CurrentTransactionStartTimeMs, /^\d+$/);
    assert.match(described.TransactionDurationMs, /^\d+$/);

    r = await txn('describe-producers', '--topic', 'txn-topic', '--partition', '0');
    assert.equal(r.code, 0, r.stderr);
    let [state] = table(r.stdout);
    assert.equal(state.ProducerId, listed.ProducerId);
    assert.equal(state.LastSequence, '1');
    assert.equal(state.CurrentTransactionStartOffset, '0');

    // Open longer than a zero timeout, but its coordinator knows the partition: not hanging.
    r = await txn('find-hanging', '--topic', 'txn-topic', '--max-transaction-timeout', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t\n');

    r = await txn('abort', '--topic', 'txn-topic', '--partition', '0', '--start-offset', '7');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Could not find any open transactions starting at offset 7 on partition txn-topic-0\n');
    r = await txn('abort', '--topic', 'txn-topic', '--partition', '0', '--start-offset', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    r = await txn('describe-producers', '--topic', 'txn-topic', '--partition', '0');
    [state] = table(r.stdout);
    assert.equal(state.CurrentTransactionStartOffset, 'None');
  } finally {
    await producer.close();
  }
});

test('argument and lookup errors exit 1 with Kafka\'s messages', async () => {
  const cases: [string[], RegExp][] = [
    [[], /too few arguments/],
    [['rollback'], /argument COMMAND: invalid choice: 'rollback' \(choose from 'list', 'describe', 'describe-producers', 'abort', 'find-hanging'\)/],
    [['describe'], /argument --transactional-id is required/],
    [['list', '--topic', 't'], /unrecognized arguments: '--topic'/],
    [['describe-producers', '--topic', 'txn-topic'], /argument --partition is required/],
    [['describe', '--transactional-id', 'nobody'], /^Failed to describe transaction state of transactional-id `nobody`: TRANSACTIONAL_ID_NOT_FOUND.*\. Enable debug logging for additional detail\.\n$/],
    [['abort', '--topic', 'txn-topic', '--partition', '0'], /^The transaction to abort must be identified either with --start-offset \(for brokers on 3\.0 or above\) or with --producer-id, --producer-epoch, and --coordinator-epoch \(for older brokers\)\n$/],
    [['abort', '--topic', 'txn-topic', '--partition', '0', '--producer-id', '5'], /^Missing required argument --producer-epoch\n$/],
    [['find-hanging'], /^The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search\n$/],
    [['find-hanging', '--broker-id', '0', '--partition', '0'], /^The --partition argument requires --topic to be provided\n$/],
    [['describe-producers', '--topic', 'no-such-topic', '--partition', '0'], /^Failed to describe producers for partition no-such-topic-0 on leader: UNKNOWN_TOPIC_OR_PARTITION/],
  ];
  const results = await Promise.all(cases.map(([args]) => txn(...args)));
  cases.forEach(([args, message], i) => {
    assert.equal(results[i].code, 1, args.join(' '));
    assert.match(results[i].stderr, message, args.join(' '));
  });
  const r = await run(process.execPath, [MAIN, 'transactions', 'list']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /argument --bootstrap-server is required/);
});
