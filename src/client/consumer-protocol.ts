// The "consumer" embedded protocol: the bytes a member puts in JoinGroup (its
// subscription) and the leader puts in SyncGroup (each member's assignment),
// Kafka's ConsumerProtocolSubscription and ConsumerProtocolAssignment. Readers
// take any version and ignore what a newer one appends, as Kafka does.
import { Reader, Writer } from '../protocol/primitives.js';
import type { TopicPartition } from './types.js';

/** What a member asks for. */
export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+: partitions the member holds now (cooperative rebalancing). */
  ownedPartitions: TopicPartition[];
}

/** What the leader gives a member. */
export interface Assignment {
  partitions: TopicPartition[];
  userData: Buffer | null;
}

const SUBSCRIPTION_VERSION = 1;
const ASSIGNMENT_VERSION = 1;

export function encodeSubscription(s: Subscription): Buffer {
  const w = new Writer(64);
  w.int16(SUBSCRIPTION_VERSION);
  w.arrayLength(s.topics.length, false);
  for (const t of s.topics) w.string(t);
  w.nullableBytes(s.userData);
  writePartitions(w, s.ownedPartitions);
  return w.toBuffer();
}

export function decodeSubscription(b: Buffer): Subscription {
  const r = new Reader(b);
  const version = r.int16();
  const n = r.arrayLength(false);
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.string());
  const userData = r.remaining > 0 ? copy(r.nullableBytes()) : null;
  const ownedPartitions = version >= 1 && r.remaining > 0 ? readPartitions(r) : [];
  return { topics, userData, ownedPartitions };
}

export function encodeAssignment(a: Assignment): Buffer {
  const w = new Writer(64);
  w.int16(ASSIGNMENT_VERSION);
  writePartitions(w, a.partitions);
  w.nullableBytes(a.userData);
  return w.toBuffer();
}

/** An empty buffer (what a coordinator sends a member left out) is an empty assignment. */
export function decodeAssignment(b: Buffer): Assignment {
  if (b.length === 0) return { partitions: [], userData: null };
  const r = new Reader(b);
  r.int16();
  const partitions = readPartitions(r);
  const userData = r.remaining > 0 ? copy(r.nullableBytes()) : null;
  return { partitions, userData };
}

function writePartitions(w: Writer, partitions: readonly TopicPartition[]): void {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic);
    if (list) list.push(p.partition);
    else byTopic.set(p.topic, [p.partition]);
  }
  w.arrayLength(byTopic.size, false);
  for (const [topic, list] of byTopic) {
    w.string(topic);
    w.arrayLength(list.length, false);
    for (const p of list) w.int32(p);
  }
}

function readPartitions(r: Reader): TopicPartition[] {
  const out: TopicPartition[] = [];
  const topics = r.arrayLength(false);
  for (let i = 0; i < topics; i++) {
    const topic = r.string();
    const n = r.arrayLength(false);
    for (let j = 0; j < n; j++) out.push({ topic, partition: r.int32() });
  }
  return out;
}

function copy(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}
