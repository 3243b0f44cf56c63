// Replication throttling (Kafka's ReplicationQuotaManager, KIP-73): a byte rate
// per broker for the leader side and one for the follower side
// (leader/follower.replication.throttled.rate, dynamic broker configs), applied
// to the replicas topics name in leader/follower.replication.throttled.replicas
// ("partition:broker" pairs, or '*'). Throttled bytes are recorded; while the
// measured rate is above the bound, replicas that are not in sync get no data
// (the leader sends them none, the follower leaves them out of its fetches).
// The rate is Kafka's SimpleRate: the bytes of the retained samples over the
// time since the oldest sample began, at least one sample window.

export interface QuotaSettings {
  /** Bytes per second; Number.MAX_SAFE_INTEGER (Kafka's Long.MAX_VALUE default) for none. */
  rate: number;
  /** replication.quota.window.num. */
  samples: number;
  /** replication.quota.window.size.seconds, in ms. */
  windowMs: number;
}

interface Sample {
  startMs: number;
  bytes: number;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

export class ReplicationQuota {
  private readonly samples: Sample[] = [];

  constructor(
    /** 'leader' or 'follower': which topic config lists the throttled replicas. */
    private readonly side: 'leader' | 'follower',
    private readonly nodeId: number,
    /** Read at each use: the rate is a dynamic config. */
    private readonly settings: () => QuotaSettings,
    /** The topic's {leader,follower}.replication.throttled.replicas (its override; none by default). */
    private readonly throttledReplicas: (topic: string, key: string) => readonly string[] | undefined,
  ) {}

  /** Whether the topic's config throttles this broker's replica of the partition (Kafka's isThrottled). */
  isThrottled(topic: string, partition: number): boolean {
    const list = this.throttledReplicas(topic, `${this.side}.replication.throttled.replicas`);
    if (!list || list.length === 0) return false;
    return list.join('') === '*' || list.includes(`${partition}:${this.nodeId}`);
  }

  /** Whether the measured rate is above the bound (Kafka's isQuotaExceeded). */
  isQuotaExceeded(now = Date.now()): boolean {
    const { rate, samples, windowMs } = this.settings();
    if (rate >= UNLIMITED) return false;
    this.purge(now, samples, windowMs);
    if (this.samples.length === 0) return false;
    const total = this.samples.reduce((sum, s) => sum + s.bytes, 0);
    const elapsedMs = Math.max(now - this.samples[0].startMs, windowMs);
    return (total * 1000) / elapsedMs > rate;
  }

  /** Counts replicated bytes of throttled partitions. */
  record(bytes: number, now = Date.now()): void {
    if (bytes <= 0) return;
    const { samples, windowMs } = this.settings();
    this.purge(now, samples, windowMs);
    const current = this.samples[this.samples.length - 1] as Sample | undefined;
    if (current && now - current.startMs < windowMs) current.bytes += bytes;
    else this.samples.push({ startMs: now, bytes });
  }

  /** Samples that began `samples` windows ago or earlier no longer count. */
  private purge(now: number, samples: number, windowMs: number): void {
    while (this.samples.length > 0 && now - this.samples[0].startMs >= samples * windowMs) this.samples.shift();
  }
}
