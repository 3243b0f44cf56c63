// Time as the coordinator sees it: the current time and one-shot timers.
// Tests pass a clock they advance by hand; the broker uses the real one,
// whose timers never keep the process alive.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  schedule(delayMs: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Named timers of one owner: scheduling a name again replaces its timer. */
export class Timers {
  private readonly pending = new Map<string, Timer>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  set(name: string, delayMs: number, fn: () => void): void {
    if (this.closed) return;
    this.cancel(name);
    const timer = this.clock.schedule(delayMs, () => {
      if (this.pending.get(name) !== timer) return;
      this.pending.delete(name);
      fn();
    });
    this.pending.set(name, timer);
  }

  cancel(name: string): void {
    this.pending.get(name)?.cancel();
    this.pending.delete(name);
  }

  /** Cancels everything; later set() calls do nothing. */
  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
  }
}
