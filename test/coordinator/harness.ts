// A group coordinator over real __consumer_offsets PartitionLogs in a temp dir,
// driven by a clock the test advances by hand, plus helpers that act like a
// client: join (with the MEMBER_ID_REQUIRED round trip), sync, subscriptions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MaybePromise } from '../../src/coordinator/completion.js';
import type { Clock, Timer } from '../../src/coordinator/group/clock.js';
import type { GroupCoordinatorConfig } from '../../src/coordinator/group/config.js';
import { GroupCoordinator } from '../../src/coordinator/group/coordinator.js';
import type { JoinRequest } from '../../src/coordinator/group/join.js';
import type { JoinResult } from '../../src/coordinator/group/member.js';
import { OFFSETS_TOPIC } from '../../src/coordinator/group/store.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Writer } from '../../src/protocol/primitives.js';
import { decodeBatches } from '../../src/protocol/records/record.js';
import { logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';

/** Timers fire only when the test advances time. */
export class ManualClock implements Clock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private readonly timers: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.t;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    const timer = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (let i = 0; i < 100_000; i++) {
      const due = this.timers
        .filter((x) => !x.cancelled && x.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }
}

/** A coordinator result, which a single node (every write replicated once in the log) gives at once. */
export function now<T>(result: MaybePromise<T>): T {
  if (result instanceof Promise) throw new Error('a single-node coordinator answered later than at once');
  return result;
}

/** Lets resolved promises run their continuations. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const PARTITIONS = 3;

export const TEST_CONFIG: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 0,
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  maxGroupSize: 1_000,
  offsetMetadataMaxBytes: 4096,
  offsetsRetentionMs: 7 * 24 * 3_600_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetsTopicPartitions: PARTITIONS,
};

export interface Harness {
  coordinator: GroupCoordinator;
  clock: ManualClock;
  logs: LogManager;
  dir: string;
  /** Every record in the group's offsets partition, decoded as key/value buffers. */
  records(groupId: string): Promise<{ key: Buffer; value: Buffer | null }[]>;
  /** Closes the coordinator and the logs, then opens both again on the same directory. */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export async function openHarness(config: Partial<GroupCoordinatorConfig> = {}, dir = mkdtempSync(join(tmpdir(), 'samsa-groups-'))): Promise<Harness> {
  const logs = await LogManager.open({ logDirs: [dir] });
  for (let p = 0; p < PARTITIONS; p++) logs.createLog(OFFSETS_TOPIC, p, logConfig({ cleanupPolicy: ['compact'] }));
  const clock = new ManualClock();
  // The topics that exist, by partition count: t (4) and u (2).
  const topics = new Map([['t', 4], ['u', 2]]);
  const coordinator = new GroupCoordinator({
    config: { ...TEST_CONFIG, ...config },
    offsetsLog: (p) => logs.getLog(OFFSETS_TOPIC, p),
    afterAppend: (log) => {
      log.highWatermark = log.logEndOffset;
      return ErrorCode.NONE;
    },
    partitionExists: (t, p) => p >= 0 && p < (topics.get(t) ?? 0),
    clock,
  });
  await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => coordinator.onBecomeLeader(p, 0)));
  const h: Harness = {
    coordinator, clock, logs, dir,
    async records(groupId) {
      const log = logs.getLog(OFFSETS_TOPIC, coordinator.partitionFor(groupId))!;
      const { records } = await log.read(log.logStartOffset, 64 * 1024 * 1024, { minOneBatch: true, maxOffset: log.logEndOffset });
      return records.flatMap((chunk) => decodeBatches(chunk)).flatMap((b) => b.records).map((r) => ({ key: r.key!, value: r.value }));
    },
    async restart() {
      coordinator.close();
      await logs.close();
      return openHarness(config, dir);
    },
    async close() {
      coordinator.close();
      await logs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** A consumer-protocol subscription (v0): the coordinator reads the topics from it. */
export function subscription(...topics: string[]): Buffer {
  const w = new Writer(64);
  w.int16(0).int32(topics.length);
  for (const t of topics) w.string(t);
  w.nullableBytes(null);
  return Buffer.from(w.toBuffer());
}

export function joinRequest(groupId: string, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: true,
    supportSkippingAssignment: false,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 30_000,
    sessionTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
    reason: null,
    ...overrides,
  };
}

/**
 * Sends a JoinGroup like a v4+ client: an unknown member first gets MEMBER_ID_REQUIRED and joins
 * again with the id it was given. Resolves once the member is in the group, with its answer
 * still pending (it comes when the rebalance completes).
 */
export async function startJoin(h: Harness, req: JoinRequest): Promise<{ answer: Promise<JoinResult> }> {
  if (req.memberId !== '' || req.groupInstanceId !== null || !req.requireKnownMemberId) return { answer: h.coordinator.joinGroup(req) };
  const first = await h.coordinator.joinGroup(req);
  if (first.memberId === '') throw new Error(`join failed with error ${first.errorCode}`);
  return { answer: h.coordinator.joinGroup({ ...req, memberId: first.memberId }) };
}

/** Joins several members together and completes the rebalance; returns their answers in order. */
export async function joinAll(h: Harness, reqs: JoinRequest[]): Promise<JoinResult[]> {
  const pending = [];
  for (const r of reqs) pending.push((await startJoin(h, r)).answer);
  await h.clock.advance(0);
  return Promise.all(pending);
}

/** Leader and followers sync; the leader assigns `assignment(memberId)` to each member. */
export async function syncAll(h: Harness, groupId: string, joined: JoinResult[], assignment: (memberId: string) => Buffer = (id) => Buffer.from(`a:${id}`)): Promise<Map<string, Buffer>> {
  const leader = joined.find((j) => j.memberId === j.leaderId);
  if (!leader) throw new Error('no leader among the joined members');
  const results = joined.map((j) => h.coordinator.syncGroup({
    groupId,
    generationId: j.generationId,
    memberId: j.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: j === leader ? new Map(leader.members.map((m) => [m.memberId, assignment(m.memberId)])) : new Map(),
  }));
  const out = await Promise.all(results);
  return new Map(joined.map((j, i) => {
    if (out[i].errorCode !== 0) throw new Error(`sync of ${j.memberId} failed with error ${out[i].errorCode}`);
    return [j.memberId, out[i].assignment];
  }));
}
