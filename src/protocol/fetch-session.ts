// The fetcher's side of an incremental fetch session (KIP-227; Kafka's
// FetchSessionHandler, which followers and consumers use). The first, full fetch
// names every partition and opens a session on the broker; later fetches name
// only the partitions added or changed (a new fetch offset, log start, leader
// epoch) and those to forget, and the broker answers only partitions with news.
// An error answer, a failed request or a partition the session does not hold
// makes the next fetch a full one again. One handler per broker fetched from.
import { ErrorCode } from './errors.js';
import type { FetchRequest, FetchResponse } from './messages/fetch.js';

type FetchTopic = FetchRequest['topics'][number];
export type FetchPartition = FetchTopic['partitions'][number];

/** A partition as the fetcher wants it now. */
export interface WantedPartition {
  topic: string;
  topicId: Buffer;
  request: FetchPartition;
}

/** What a fetch request carries of the session. */
export type SessionRequest = Pick<FetchRequest, 'sessionId' | 'sessionEpoch' | 'topics' | 'forgottenTopicsData'>;

// The session rules both sides follow (the broker's cache is src/broker/fetch-sessions.ts).
const NO_SESSION = 0;
/** Epoch 0 asks for a new session (closing the one named, if any); -1 closes it and asks for none. */
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;
/** The epoch of the first fetch after the one that opened the session. */
export const FIRST_INCREMENTAL_EPOCH = 1;

/** Epochs wrap from Int32.MAX back to 1, never to 0 or -1. */
export function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? FIRST_INCREMENTAL_EPOCH : epoch + 1;
}

/** A session's partition: its topic (by id from Fetch v13, else by name) and index. */
export function sessionKey(topicKey: string, partition: number): string {
  return `${topicKey}:${partition}`;
}
const SESSION_ERRORS: ReadonlySet<number> = new Set([ErrorCode.FETCH_SESSION_ID_NOT_FOUND, ErrorCode.INVALID_FETCH_SESSION_EPOCH]);

export class FetchSessionHandler {
  private id = NO_SESSION;
  private epoch = INITIAL_EPOCH;
  /** The partitions as the broker's session holds them, by topic and partition. */
  private readonly partitions = new Map<string, WantedPartition>();
  private readonly topicIdHex = new WeakMap<Buffer, string>();

  /** `byTopicId`: the fetches name topics by id (Fetch v13+), else by name. */
  constructor(private readonly byTopicId: boolean) {}

  /** The session's part of the next fetch, for the partitions wanted now (Kafka's FetchSessionHandler.Builder). */
  next(wanted: readonly WantedPartition[]): SessionRequest {
    const full = this.epoch === INITIAL_EPOCH;
    const send: WantedPartition[] = [];
    const nextKeys = new Set<string>();
    for (const w of wanted) {
      const key = this.keyOf(w.topic, w.topicId, w.request.partition);
      nextKeys.add(key);
      const held = this.partitions.get(key);
      if (full || !held || !sameRequest(held.request, w.request)) send.push(w);
      this.partitions.set(key, w);
    }
    const forgotten: WantedPartition[] = [];
    for (const [key, held] of this.partitions) {
      if (nextKeys.has(key)) continue;
      this.partitions.delete(key);
      if (!full) forgotten.push(held);
    }
    return {
      sessionId: this.id,
      sessionEpoch: this.epoch,
      topics: this.byTopic(send).map(([first, ps]) => ({ topic: first.topic, topicId: first.topicId, partitions: ps.map((p) => p.request) })),
      forgottenTopicsData: this.byTopic(forgotten).map(([first, ps]) => ({ topic: first.topic, topicId: first.topicId, partitions: ps.map((p) => p.request.partition) })),
    };
  }

  /**
   * Takes note of the answer to the last fetch: 'use' its partitions; else the next fetch is a full
   * one, at once after an answer about the session itself ('refetch': an error on the session, or a
   * partition outside it), after the fetcher's backoff for another error ('error').
   */
  onResponse(response: FetchResponse): 'use' | 'refetch' | 'error' {
    if (response.errorCode !== ErrorCode.NONE) {
      // A session the broker no longer has (it restarted, or evicted it) is not closed: a new one is asked for.
      if (response.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND) this.id = NO_SESSION;
      this.epoch = INITIAL_EPOCH;
      return SESSION_ERRORS.has(response.errorCode) ? 'refetch' : 'error';
    }
    if (this.epoch === INITIAL_EPOCH) {
      // The broker may have opened no session (its cache is full): then every fetch stays a full one.
      this.id = response.sessionId;
      this.epoch = this.id === NO_SESSION ? INITIAL_EPOCH : FIRST_INCREMENTAL_EPOCH;
      return 'use';
    }
    for (const t of response.responses) {
      for (const p of t.partitions) {
        if (this.partitions.has(this.keyOf(t.topic, t.topicId, p.partitionIndex))) continue;
        this.epoch = INITIAL_EPOCH;
        return 'refetch';
      }
    }
    this.epoch = nextEpoch(this.epoch);
    return 'use';
  }

  /** The request failed (no answer): the next fetch is a full one that closes this session. */
  onFailure(): void {
    this.epoch = INITIAL_EPOCH;
  }

  private topicKey(topic: string, topicId: Buffer): string {
    if (!this.byTopicId) return topic;
    // A topic's id is one Buffer for all its partitions and fetches: hex-encoded once.
    let hex = this.topicIdHex.get(topicId);
    if (hex === undefined) this.topicIdHex.set(topicId, (hex = topicId.toString('hex')));
    return hex;
  }

  private keyOf(topic: string, topicId: Buffer, partition: number): string {
    return sessionKey(this.topicKey(topic, topicId), partition);
  }

  private byTopic(partitions: WantedPartition[]): [WantedPartition, WantedPartition[]][] {
    const groups = new Map<string, [WantedPartition, WantedPartition[]]>();
    for (const p of partitions) {
      const key = this.topicKey(p.topic, p.topicId);
      const group = groups.get(key);
      if (group) group[1].push(p);
      else groups.set(key, [p, [p]]);
    }
    return [...groups.values()];
  }
}

/** A partition is sent again when any field of its request changed (Kafka's PartitionData equality). */
function sameRequest(a: FetchPartition, b: FetchPartition): boolean {
  return a.fetchOffset === b.fetchOffset && a.logStartOffset === b.logStartOffset && a.partitionMaxBytes === b.partitionMaxBytes
    && a.currentLeaderEpoch === b.currentLeaderEpoch && a.lastFetchedEpoch === b.lastFetchedEpoch;
}
