// Samsa's consumer in groups and around them, against an in-process broker: cooperative-sticky
// (incremental) rebalances, static membership, RegExp subscriptions picking up new topics,
// maxPollIntervalMs, wakeup(), pause/resume, read_committed with an open transaction.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Admin, Consumer, Producer, startBroker, type ConsumerOptions, type ConsumerRecord, type EmbeddedBroker, type RecordMetadata, type TopicPartition,
} from '../../src/index.js';

let broker: EmbeddedBroker;
let admin: Admin;
before(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 } });
  admin = new Admin({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await admin.close();
  await broker.stop();
});

function consumer(options: Partial<ConsumerOptions>): Consumer {
  return new Consumer({ bootstrapServers: broker.bootstrap, autoOffsetReset: 'earliest', heartbeatIntervalMs: 100, sessionTimeoutMs: 6000, ...options });
}

async function pollUntil(c: Consumer, done: (records: ConsumerRecord[]) => boolean, rounds = 150): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for (let i = 0; i < rounds && !done(out); i++) out.push(...(await c.poll(100)));
  return out;
}

/** A rebalance listener that writes down what it is told. */
function recorder(): { events: [string, number[]][]; listener: { onPartitionsRevoked(p: TopicPartition[]): void; onPartitionsAssigned(p: TopicPartition[]): void; onPartitionsLost(p: TopicPartition[]): void } } {
  const events: [string, number[]][] = [];
  const note = (what: string) => (p: TopicPartition[]): void => {
    events.push([what, p.map((tp) => tp.partition).sort()]);
  };
  return { events, listener: { onPartitionsRevoked: note('revoked'), onPartitionsAssigned: note('assigned'), onPartitionsLost: note('lost') } };
}

function partitionsOf(c: Consumer): number[] {
  return c.assignment().map((tp) => tp.partition).sort();
}

test('cooperative-sticky: a second member takes half; the first keeps the rest, reading throughout, and nothing is lost or read twice', async () => {
  const topic = 'coop';
  await admin.createTopics([{ name: topic, partitions: 4 }]);
  const producer = new Producer({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  const sent: RecordMetadata[] = [];
  let producing = true;
  // One record per partition at a time, until told to stop (bounded).
  const production = (async () => {
    for (let round = 0; producing && round < 2000; round++) {
      sent.push(...(await producer.sendBatch([0, 1, 2, 3].map((partition) => ({ topic, partition, value: `r${round}` })))));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const options = { groupId: 'coop-group', partitionAssignors: ['cooperative-sticky' as const] };
  const a = consumer(options);
  const b = consumer(options);
  const first = recorder();
  const second = recorder();
  const readByA: ConsumerRecord[] = [];
  const readByB: ConsumerRecord[] = [];
  try {
    a.subscribe([topic], first.listener);
    readByA.push(...await pollUntil(a, (r) => r.length >= 8));
    assert.deepEqual(partitionsOf(a), [0, 1, 2, 3]);
    assert.deepEqual(first.events, [['assigned', [0, 1, 2, 3]]]);

    b.subscribe([topic], second.listener);
    let aDuringRebalance = 0;
    await Promise.all([
      (async () => {
        for (let i = 0; i < 300 && !(partitionsOf(a).length === 2 && partitionsOf(b).length === 2); i++) {
          const got = await a.poll(100);
          readByA.push(...got);
          // After giving up the moved partitions A rejoins, and reads its others until that round ends.
          if (first.events.length === 3) aDuringRebalance += got.length;
        }
      })(),
      (async () => {
        for (let i = 0; i < 300 && partitionsOf(b).length < 2; i++) readByB.push(...(await b.poll(100)));
      })(),
    ]);
    assert.equal(partitionsOf(a).length, 2);
    assert.equal(partitionsOf(b).length, 2);
    const kept = partitionsOf(a);
    const moved = partitionsOf(b);
    assert.deepEqual([...kept, ...moved].sort(), [0, 1, 2, 3]);
    // A gave up only what moved, was given nothing new, and its kept partitions were never revoked.
    const revokedFromA = first.events.filter(([what]) => what === 'revoked');
    assert.deepEqual(revokedFromA, [['revoked', moved]]);
    assert.ok(first.events.slice(1).every(([what, p]) => what !== 'assigned' || p.length === 0), JSON.stringify(first.events));
    assert.ok(!first.events.some(([what]) => what === 'lost'));
    // B was first given nothing (the partitions were still A's), then the moved ones.
    assert.deepEqual(second.events.filter(([, p]) => p.length > 0), [['assigned', moved]]);
    assert.ok(aDuringRebalance > 0, 'the first member read records while the group rebalanced');

    producing = false;
    await production;
    const expected = new Set(sent.map((m) => `${m.partition}:${m.offset}`));
    await Promise.all([
      pollUntil(a, () => readByA.length + readByB.length >= expected.size).then((r) => readByA.push(...r)),
      pollUntil(b, () => readByA.length + readByB.length >= expected.size).then((r) => readByB.push(...r)),
    ]);
    const keys = [...readByA, ...readByB].map((r) => `${r.partition}:${r.offset}`);
    assert.equal(keys.length, new Set(keys).size, 'no record read twice');
    assert.deepEqual(new Set(keys), expected);
    assert.ok(readByB.every((r) => moved.includes(r.partition)));
  } finally {
    producing = false;
    await production;
    await producer.close();
    await a.close();
    await b.close();
  }
});

test('static membership: a member restarted within sessionTimeoutMs gets its partitions back without a rebalance', async () => {
  const topic = 'static';
  await admin.createTopics([{ name: topic, partitions: 4 }]);
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  const options = { groupId: 'static-group', sessionTimeoutMs: 30_000, enableAutoCommit: true };
  const a = consumer({ ...options, groupInstanceId: 'instance-a' });
  const b = consumer({ ...options, groupInstanceId: 'instance-b' });
  const watchB = recorder();
  let restarted: Consumer | null = null;
  try {
    a.subscribe([topic]);
    b.subscribe([topic], watchB.listener);
    await Promise.all([
      pollUntil(a, () => partitionsOf(a).length + partitionsOf(b).length === 4 && partitionsOf(b).length > 0, 300),
      pollUntil(b, () => partitionsOf(a).length + partitionsOf(b).length === 4 && partitionsOf(a).length > 0, 300),
    ]);
    const ofA = partitionsOf(a);
    const ofB = partitionsOf(b);
    assert.equal(ofA.length, 2);
    // Each reads (and, closing, commits) its partitions' first record.
    await producer.sendBatch([0, 1, 2, 3].map((partition) => ({ topic, partition, value: 'before' })));
    await Promise.all([pollUntil(a, (r) => r.length >= 2), pollUntil(b, (r) => r.length >= 2)]);
    const generation = b.groupMetadata().generationId;
    const eventsOfB = watchB.events.length;

    await a.close(); // a static member does not leave: its place is kept for sessionTimeoutMs
    const [kept] = await admin.describeGroups(['static-group']);
    assert.deepEqual(kept.members.map((m) => m.groupInstanceId).sort(), ['instance-a', 'instance-b']);

    await producer.sendBatch([0, 1, 2, 3].map((partition) => ({ topic, partition, value: 'after' })));
    restarted = consumer({ ...options, groupInstanceId: 'instance-a' });
    restarted.subscribe([topic]);
    const read = await pollUntil(restarted, (r) => r.length >= 2);
    assert.deepEqual(partitionsOf(restarted), ofA);
    // It carries on from the committed offsets: only what was written while it was away.
    assert.deepEqual(read.map((r) => [r.partition, r.value!.toString()]).sort(), ofA.map((p) => [p, 'after']));
    // B keeps polling and sees no rebalance at all.
    await pollUntil(b, (r) => r.length >= 2);
    assert.deepEqual(partitionsOf(b), ofB);
    assert.equal(b.groupMetadata().generationId, generation);
    assert.equal(watchB.events.length, eventsOfB);
  } finally {
    await producer.close();
    await a.close();
    await b.close();
    await restarted?.close();
  }
});

test('a RegExp subscription picks up a matching topic created later', async () => {
  await admin.createTopics([{ name: 'rx-first' }, { name: 'other-topic' }]);
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  await producer.send({ topic: 'rx-first', value: 'one' });
  await producer.send({ topic: 'other-topic', value: 'not mine' });
  const c = consumer({ groupId: 'rx-group', metadataMaxAgeMs: 300 });
  try {
    c.subscribe(/^rx-/);
    const first = await pollUntil(c, (r) => r.length >= 1);
    assert.deepEqual(first.map((r) => [r.topic, r.value!.toString()]), [['rx-first', 'one']]);
    assert.deepEqual(c.subscription(), ['rx-first']);

    await admin.createTopics([{ name: 'rx-second', partitions: 2 }]);
    await producer.send({ topic: 'rx-second', partition: 1, value: 'two' });
    const later = await pollUntil(c, (r) => r.length >= 1);
    assert.deepEqual(later.map((r) => [r.topic, r.partition, r.value!.toString()]), [['rx-second', 1, 'two']]);
    assert.deepEqual(c.subscription(), ['rx-first', 'rx-second']);
    assert.deepEqual(c.assignment().map((tp) => `${tp.topic}-${tp.partition}`).sort(), ['rx-first-0', 'rx-second-0', 'rx-second-1']);
  } finally {
    await producer.close();
    await c.close();
  }
});

test('maxPollIntervalMs: a member that stops polling leaves the group (its partitions lost); the next poll rejoins', async () => {
  const topic = 'slow';
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  await producer.send({ topic, value: 'first' });
  const c = consumer({ groupId: 'slow-group', maxPollIntervalMs: 1500, enableAutoCommit: false });
  const watch = recorder();
  try {
    c.subscribe([topic], watch.listener);
    assert.equal((await pollUntil(c, (r) => r.length >= 1)).length, 1);
    await c.commitSync();
    const memberBefore = c.groupMetadata().memberId;
    // Not polling: the member leaves once maxPollIntervalMs has passed.
    let members = 1;
    for (let i = 0; i < 100 && members > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      members = (await admin.describeGroups(['slow-group']))[0].members.length;
    }
    assert.equal(members, 0);
    assert.deepEqual(c.assignment(), []);
    assert.deepEqual(watch.events.at(-1), ['lost', [0]]);

    await producer.send({ topic, value: 'second' });
    const again = await pollUntil(c, (r) => r.length >= 1);
    assert.deepEqual(again.map((r) => r.value!.toString()), ['second']);
    assert.notEqual(c.groupMetadata().memberId, memberBefore);
    assert.deepEqual((await admin.describeGroups(['slow-group']))[0].members.map((m) => m.memberId), [c.groupMetadata().memberId]);
  } finally {
    await producer.close();
    await c.close();
  }
});

test('wakeup(): before a poll, during a poll waiting on a group join; the poll after works', async () => {
  const topic = 'woken';
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  await producer.send({ topic, value: 'v' });
  const c = consumer({ groupId: 'woken-group' });
  try {
    c.subscribe([topic]);
    c.wakeup();
    await assert.rejects(c.poll(10_000), (e: Error) => e.name === 'WakeupError');
    const polling = c.poll(60_000);
    c.wakeup();
    await assert.rejects(polling, (e: Error) => e.name === 'WakeupError');
    assert.deepEqual((await pollUntil(c, (r) => r.length >= 1)).map((r) => r.value!.toString()), ['v']);
  } finally {
    await producer.close();
    await c.close();
  }
});

test('pause/resume of a subscribed partition: the others keep coming; the position is kept', async () => {
  const topic = 'pausing';
  await admin.createTopics([{ name: topic, partitions: 2 }]);
  const producer = new Producer({ bootstrapServers: broker.bootstrap });
  const c = consumer({ groupId: 'pausing-group' });
  try {
    c.subscribe([topic]);
    await pollUntil(c, () => c.assignment().length === 2);
    c.pause([{ topic, partition: 0 }]);
    await producer.sendBatch([0, 1, 0, 1].map((partition, i) => ({ topic, partition, value: String(i) })));
    const whilePaused = await pollUntil(c, (r) => r.length >= 2);
    assert.deepEqual(whilePaused.map((r) => [r.partition, r.value!.toString()]), [[1, '1'], [1, '3']]);
    assert.deepEqual(await c.poll(300), []);
    c.resume([{ topic, partition: 0 }]);
    const resumed = await pollUntil(c, (r) => r.length >= 2);
    assert.deepEqual(resumed.map((r) => [r.partition, r.offset, r.value!.toString()]), [[0, 0, '0'], [0, 1, '2']]);
  } finally {
    await producer.close();
    await c.close();
  }
});

test('read_committed stops at an open transaction (records after it too) until it commits; read_uncommitted does not', async () => {
  const topic = 'open-txn';
  const transactional = new Producer({ bootstrapServers: broker.bootstrap, transactionalId: 'open-txn-producer' });
  const plain = new Producer({ bootstrapServers: broker.bootstrap });
  const committed = consumer({ isolationLevel: 'read_committed' });
  const uncommitted = consumer({ isolationLevel: 'read_uncommitted' });
  try {
    await plain.send({ topic, value: 'before' });
    await transactional.initTransactions();
    transactional.beginTransaction();
    await transactional.sendBatch([{ topic, value: 't1' }, { topic, value: 't2' }]);
    await plain.send({ topic, value: 'during' });
    committed.assign([{ topic, partition: 0 }]);
    uncommitted.assign([{ topic, partition: 0 }]);

    assert.deepEqual((await pollUntil(uncommitted, (r) => r.length >= 4)).map((r) => r.value!.toString()), ['before', 't1', 't2', 'during']);
    assert.deepEqual((await pollUntil(committed, (r) => r.length >= 1)).map((r) => r.value!.toString()), ['before']);
    assert.deepEqual(await committed.poll(500), []);
    assert.equal(await committed.position({ topic, partition: 0 }), 1);
    assert.deepEqual((await admin.listOffsets([{ topic, partition: 0, at: 'latest' }], { isolationLevel: 'read_committed' })).map((o) => o.offset), [1]);

    await transactional.commitTransaction();
    assert.deepEqual((await pollUntil(committed, (r) => r.length >= 3)).map((r) => r.value!.toString()), ['t1', 't2', 'during']);
  } finally {
    await transactional.close();
    await plain.close();
    await committed.close();
    await uncommitted.close();
  }
});
