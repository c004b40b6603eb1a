// A host clock the test advances itself (src/host-input.ts HostClock): time-dependent CLI paths
// (an idle interactive guest) give the same result however fast or loaded the host is.
import type { HostClock } from '../src/host-input.js';

export class ManualClock implements HostClock {
  private t = 0;
  private timers: { at: number; fn: () => void }[] = [];
  private onAfter: (() => void)[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    const waiters = this.onAfter;
    this.onAfter = [];
    for (const w of waiters) w();
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Resolves at the next after() call: the code under test is now waiting on this clock. */
  nextAfter(): Promise<void> {
    return new Promise((res) => this.onAfter.push(res));
  }

  /** Let `ms` pass: timers now due fire, in order. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
  }
}
