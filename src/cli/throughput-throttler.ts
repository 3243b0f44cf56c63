// Kafka's ThroughputThrottler (server-common): between sends, sleeps in slices of at least 2 ms so
// that the average rate comes out near the target (records or bytes per second).
import { sleep } from '../client/options.js';

const NS_PER_MS = 1_000_000;
const MIN_SLEEP_NS = 2 * NS_PER_MS;

export class ThroughputThrottler {
  private readonly sleepTimeNs: number;
  private sleepDeficitNs = 0;

  /** A target < 0 never throttles. */
  constructor(private readonly targetThroughput: number, private readonly startMs: number) {
    this.sleepTimeNs = targetThroughput > 0 ? 1e9 / targetThroughput : Infinity;
  }

  /** Whether `amountSoFar` sent by `sendStartMs` is ahead of the target rate. */
  shouldThrottle(amountSoFar: number, sendStartMs: number): boolean {
    if (this.targetThroughput < 0) return false;
    const elapsedSec = (sendStartMs - this.startMs) / 1000;
    return elapsedSec > 0 && amountSoFar / elapsedSec > this.targetThroughput;
  }

  /** Adds one send's share of sleep; sleeps once at least 2 ms have built up. */
  async throttle(): Promise<void> {
    this.sleepDeficitNs += this.sleepTimeNs;
    if (this.sleepDeficitNs < MIN_SLEEP_NS) return;
    const started = process.hrtime.bigint();
    // setTimeout may wake early by a fraction of a ms: sleep until the whole deficit has passed.
    for (let left = this.sleepDeficitNs; left > 0; left = this.sleepDeficitNs - Number(process.hrtime.bigint() - started)) {
      await sleep(Math.max(1, Math.ceil(left / NS_PER_MS)));
    }
    this.sleepDeficitNs = 0;
  }
}
