// Bounds the bytes of records sent but not yet acknowledged, so a tool reading its input (stdin, a
// record count) never runs far ahead of the producer: Kafka's send() blocks on buffer.memory the
// same way.
import type { ProducerRecord, RecordData } from '../client/index.js';

/** About the bytes a record takes in the producer's buffer (its key, value and headers). */
export function recordBytes(record: ProducerRecord): number {
  const size = (d: RecordData | undefined): number => (d === null || d === undefined ? 0 : Buffer.byteLength(d));
  let total = size(record.key) + size(record.value);
  const headers = record.headers === undefined ? [] : Array.isArray(record.headers) ? record.headers : Object.entries(record.headers);
  for (const [name, value] of headers as [string, RecordData][]) total += Buffer.byteLength(name) + size(value);
  return total;
}

export class SendWindow {
  private bytes = 0;
  private count = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly maxBytes: number) {}

  /** Waits until `size` more bytes fit (a single record larger than the window goes alone), then counts them. */
  async acquire(size: number): Promise<void> {
    while (this.count > 0 && this.bytes + size > this.maxBytes) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.bytes += size;
    this.count++;
  }

  /** Gives back what acquire(size) took, once its send has an outcome. */
  release(size: number): void {
    this.bytes -= size;
    this.count--;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once every acquired send has been released. */
  async idle(): Promise<void> {
    while (this.count > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
