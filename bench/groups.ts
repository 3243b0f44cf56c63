// Consumer groups against `samsa start`: how long ten KafkaJS members take to
// form a Stable group over 100 partitions, and how many OffsetCommits per
// second the coordinator answers (each one appended to __consumer_offsets
// before its answer), one at a time and pipelined on one connection.
// Contract with bench/run.ts: `run()` returns the rows.
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ApiKey } from '../src/protocol/api-keys.js';
import { encodeRequestHeader } from '../src/protocol/header.js';
import { FindCoordinatorRequest } from '../src/protocol/messages/find-coordinator.js';
import { OffsetCommitRequest, OffsetCommitResponse } from '../src/protocol/messages/offset-commit.js';
import { Reader, Writer } from '../src/protocol/primitives.js';
import { createTopic, withAdmin } from './admin.js';
import { type BenchRow, median, startBenchBroker } from './lib.js';

const REPEATS = Number(process.env.BENCH_GROUPS_REPEATS ?? 3);
const MEMBERS = 10;
const PARTITIONS = 100;
const COMMIT_SECONDS = Number(process.env.BENCH_COMMIT_SECONDS ?? 5);
const COMMIT_VERSION = 7;

export async function run(): Promise<BenchRow[]> {
  const broker = await startBenchBroker();
  try {
    await createTopic(broker.bootstrap, 'bench-groups', PARTITIONS);
    const stableMs: number[] = [];
    for (let i = 0; i < REPEATS; i++) stableMs.push(await timeToStable(broker.bootstrap, `bench-group-${i}`));
    const sequential = await commitsPerSecond(broker.port, 1);
    const pipelined = await commitsPerSecond(broker.port, 64);
    return [
      {
        name: `groups: ${MEMBERS} KafkaJS members → Stable group (${PARTITIONS} partitions)`,
        value: median(stableMs),
        unit: 'ms',
        note: `median of ${REPEATS} (${stableMs.map((v) => v.toFixed(0)).join(', ')}); from creating the consumers until all ${MEMBERS} hold disjoint assignments covering every partition and DescribeGroups says Stable; group.initial.rebalance.delay.ms=0, KafkaJS maxWaitTimeInMs 500, heartbeat 1 s`,
      },
      {
        name: 'groups: OffsetCommit, 1 request in flight',
        value: sequential,
        unit: 'commits/s',
        note: `OffsetCommit v${COMMIT_VERSION}, 1 partition, ${COMMIT_SECONDS} s on one connection; each answered after its append to __consumer_offsets`,
      },
      {
        name: 'groups: OffsetCommit, 64 requests in flight',
        value: pipelined,
        unit: 'commits/s',
        note: `same, pipelined on one connection`,
      },
    ];
  } finally {
    await broker.stop();
  }
}

/** Ten KafkaJS consumers started together; ms until they split the topic and the group is Stable. */
async function timeToStable(bootstrap: string, groupId: string): Promise<number> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-groups', logLevel: logLevel.NOTHING });
  const consumers: Consumer[] = [];
  const assignments = new Map<Consumer, number[]>();
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: MEMBERS }, async () => {
      const c = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500 });
      consumers.push(c);
      c.on(c.events.GROUP_JOIN, (e) => assignments.set(c, e.payload.memberAssignment['bench-groups'] ?? []));
      await c.connect();
      await c.subscribe({ topic: 'bench-groups' });
      await c.run({ eachMessage: async () => {} });
    }));
    const deadline = started + 120_000;
    while (performance.now() < deadline) {
      const all = consumers.flatMap((c) => assignments.get(c) ?? []).sort((a, b) => a - b);
      const covered = consumers.every((c) => (assignments.get(c) ?? []).length > 0)
        && all.length === PARTITIONS && all.every((p, i) => p === i);
      if (covered && (await groupState(bootstrap, groupId)) === 'Stable') return performance.now() - started;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`group ${groupId} did not become Stable within 120 s`);
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect()));
  }
}

function groupState(bootstrap: string, groupId: string): Promise<string> {
  return withAdmin(bootstrap, async (admin) => (await admin.describeGroups([groupId])).groups[0].state);
}

/** Simple commits (generation -1) for COMMIT_SECONDS with `inFlight` requests outstanding. */
async function commitsPerSecond(port: number, inFlight: number): Promise<number> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  let correlationId = 0;
  let answered = 0;
  let buffered: Buffer = Buffer.alloc(0);
  let failure: string | null = null;
  let onAnswer: (frame: Buffer) => void = () => {};
  socket.on('data', (d: Buffer) => {
    buffered = buffered.length === 0 ? d : Buffer.concat([buffered, d]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
      buffered = buffered.subarray(4 + frame.length);
      answered++;
      onAnswer(frame);
    }
  });
  const send = (apiKey: number, version: number, encode: (w: Writer) => void): void => {
    const w = new Writer(256);
    const size = w.reserveInt32();
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId: ++correlationId, clientId: 'bench' });
    encode(w);
    w.patchInt32(size, w.length - 4);
    socket.write(w.toBuffer());
  };
  const groupId = `bench-commits-${inFlight}`;
  try {
    // Creates __consumer_offsets on first use, like a client's first FindCoordinator.
    send(ApiKey.FindCoordinator, 1, (w) => FindCoordinatorRequest.encode(w, 1, { key: groupId, keyType: 0 }));
    await new Promise<void>((resolve) => { onAnswer = () => resolve(); });
    answered = 0;
    let sent = 0;
    const commit = (): void => {
      sent++;
      send(ApiKey.OffsetCommit, COMMIT_VERSION, (w) => OffsetCommitRequest.encode(w, COMMIT_VERSION, {
        groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
        topics: [{ name: 'bench-groups', partitions: [{ partitionIndex: 0, committedOffset: sent, committedLeaderEpoch: -1, committedMetadata: null }] }],
      }));
    };
    const started = performance.now();
    const until = started + COMMIT_SECONDS * 1000;
    await new Promise<void>((resolve) => {
      onAnswer = (frame) => {
        // Response header v0 (correlation id), then the body.
        const errorCode = OffsetCommitResponse.decode(new Reader(frame, 4), COMMIT_VERSION).topics[0].partitions[0].errorCode;
        if (errorCode !== 0) failure ??= `OffsetCommit answered error ${errorCode}`;
        if (performance.now() < until && failure === null) commit();
        else if (answered === sent) resolve();
      };
      for (let i = 0; i < inFlight; i++) commit();
    });
    if (failure !== null) throw new Error(failure);
    return answered / ((performance.now() - started) / 1000);
  } finally {
    socket.destroy();
  }
}
