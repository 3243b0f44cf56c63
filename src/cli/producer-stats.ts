// ProducerPerformance's Stats: per-window and total counts, bytes and latencies, printed in
// Kafka's format; at most 500,000 latencies are kept (every n-th) for the percentiles.
import type { Writable } from 'node:stream';

export class ProducerStats {
  private readonly start = Date.now();
  private readonly sampling: number;
  private readonly latencies: Int32Array;
  private iteration = 0;
  private index = 0;
  private count = 0;
  private bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowStart = Date.now();
  private windowCount = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private windowBytes = 0;

  constructor(numRecords: number, private readonly reportingIntervalMs: number, private readonly out: Writable) {
    this.sampling = Math.floor(numRecords / Math.min(numRecords, 500_000));
    this.latencies = new Int32Array(Math.floor(numRecords / this.sampling) + 1);
  }

  /** One acknowledged record; prints the window's line once reportingIntervalMs has passed. */
  record(latencyMs: number, bytes: number, now: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    this.maxLatency = Math.max(this.maxLatency, latencyMs);
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latencyMs;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, latencyMs);
    if (this.iteration % this.sampling === 0 && this.index < this.latencies.length) this.latencies[this.index++] = latencyMs;
    this.iteration++;
    if (now - this.windowStart >= this.reportingIntervalMs) {
      this.printWindow();
      this.newWindow();
    }
  }

  private printWindow(): void {
    const elapsed = Date.now() - this.windowStart;
    const recsPerSec = (1000 * this.windowCount) / elapsed;
    const mbPerSec = (1000 * this.windowBytes) / elapsed / (1024 * 1024);
    this.out.write(`${this.windowCount} records sent, ${recsPerSec.toFixed(1)} records/sec (${mbPerSec.toFixed(2)} MB/sec), `
      + `${(this.windowTotalLatency / this.windowCount).toFixed(1)} ms avg latency, ${this.windowMaxLatency.toFixed(1)} ms max latency.\n`);
  }

  private newWindow(): void {
    this.windowStart = Date.now();
    this.windowCount = 0;
    this.windowMaxLatency = 0;
    this.windowTotalLatency = 0;
    this.windowBytes = 0;
  }

  /** The final line, with the 50th, 95th, 99th and 99.9th percentile latencies. */
  printTotal(): void {
    const elapsed = Date.now() - this.start;
    const recsPerSec = (1000 * this.count) / elapsed;
    const mbPerSec = (1000 * this.bytes) / elapsed / (1024 * 1024);
    const [p50, p95, p99, p999] = this.percentiles(0.5, 0.95, 0.99, 0.999);
    this.out.write(`${this.count} records sent, ${recsPerSec.toFixed(6)} records/sec (${mbPerSec.toFixed(2)} MB/sec), `
      + `${(this.totalLatency / this.count).toFixed(2)} ms avg latency, ${this.maxLatency.toFixed(2)} ms max latency, `
      + `${p50} ms 50th, ${p95} ms 95th, ${p99} ms 99th, ${p999} ms 99.9th.\n`);
  }

  private percentiles(...ps: number[]): number[] {
    const sorted = this.latencies.slice(0, this.index).sort();
    // Kafka reads index ⌊p·size⌋ of the sorted samples (0 when there are none).
    return ps.map((p) => sorted[Math.floor(p * sorted.length)] ?? 0);
  }
}
