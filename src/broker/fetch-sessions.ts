// Incremental fetch sessions (KIP-227), the broker's side (the fetcher's, and the
// epoch rules both follow, are in src/protocol/fetch-session.ts). A client's full
// fetch with epoch 0 opens a session holding its partitions; later fetches name
// only partitions whose position changed (and those to forget), and the answer
// carries only partitions with news: records, a moved high watermark / log start
// offset / last stable offset, or an error. One cache per broker, bounded by
// max.incremental.fetch.session.cache.slots.
import { randomInt } from 'node:crypto';
import { FIRST_INCREMENTAL_EPOCH } from '../protocol/fetch-session.js';

/** A session idle this long may be evicted to make room for a new one (Kafka's eviction minimum). */
const EVICTABLE_AFTER_MS = 120_000;

export interface SessionPartition {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** Where the fetcher's own log starts (a follower's; -1 from consumers). */
  fetcherLogStartOffset: number;
  /** What the client last heard about the partition; a change is news. */
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
}

export interface FetchSession {
  readonly id: number;
  /** The epoch the next incremental fetch must carry. */
  epoch: number;
  lastUsed: number;
  /** Keyed by `${topic or topic id}:${partition}`, in the order the client added them. */
  readonly partitions: Map<string, SessionPartition>;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(private readonly maxSlots: number) {}

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session for these partitions; undefined when the cache is full of recently used sessions. */
  create(partitions: Map<string, SessionPartition>, now: number): FetchSession | undefined {
    if (this.maxSlots <= 0) return undefined;
    if (this.sessions.size >= this.maxSlots && !this.evictOne(now)) return undefined;
    let id: number;
    do id = randomInt(1, 0x7fffffff); while (this.sessions.has(id));
    const session: FetchSession = { id, epoch: FIRST_INCREMENTAL_EPOCH, lastUsed: now, partitions };
    this.sessions.set(id, session);
    return session;
  }

  /** Drops the least recently used session if it has been idle long enough. */
  private evictOne(now: number): boolean {
    let oldest: FetchSession | undefined;
    for (const s of this.sessions.values()) if (!oldest || s.lastUsed < oldest.lastUsed) oldest = s;
    if (!oldest || now - oldest.lastUsed < EVICTABLE_AFTER_MS) return false;
    this.sessions.delete(oldest.id);
    return true;
  }
}
