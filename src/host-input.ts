// Waiting for the host: a guest asleep in WFI that only console input can wake makes the run
// loop return; the CLI then awaits the next event on its stdin stream (data or its end).
import { performance } from 'node:perf_hooks';
import { CYCLES_PER_MS } from './cpu/timer.js';

/**
 * The host's clock as the idle pacing sees it: real time by default; tests pass a clock they
 * advance themselves, so what they check does not depend on the host's speed or load.
 */
export interface HostClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Call `fn` once `ms` milliseconds have passed; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: HostClock = {
  now: () => performance.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** A promise that resolves at the next stdin event (data or end). */
export class InputWait {
  private waiter: (() => void) | null = null;
  next(): Promise<void> {
    return new Promise((res) => (this.waiter = res));
  }
  wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * Call `f` when `signal` aborts; returns the function that takes the listener back. An idle
 * interactive guest waits thousands of times (each timer tick): a listener left behind by each
 * wait ({ once: true } only removes it if it fires) made Node print MaxListenersExceededWarning
 * into the guest's console.
 */
export function onAbort(signal: AbortSignal | undefined, f: () => void): () => void {
  if (signal === undefined) return () => {};
  signal.addEventListener('abort', f, { once: true });
  return () => signal.removeEventListener('abort', f);
}

/**
 * An interactive guest idle in WFI until `deadline` (a cycle count): wait in real time for that
 * long (1 GHz modelled), or less if host input arrives, then let the modelled time pass (the
 * elapsed real time when input came, else up to the deadline). Keeps an idle interactive guest's
 * clock with the wall clock and the host CPU idle, instead of racing through timer ticks.
 */
export async function paceIdle(
  cpu: { cycles: number; idleFor(cycles: number): void },
  deadline: number,
  input: InputWait,
  signal?: AbortSignal,
  clock: HostClock = realClock,
): Promise<void> {
  const start = clock.now();
  const ms = (deadline - cpu.cycles) / CYCLES_PER_MS;
  let cancel: (() => void) | undefined;
  let unlisten = (): void => {};
  await new Promise<void>((res) => {
    void input.next().then(res);
    if (Number.isFinite(ms)) cancel = clock.after(Math.max(0, ms), res);
    unlisten = onAbort(signal, res);
  });
  cancel?.();
  unlisten();
  const passed = Math.round((clock.now() - start) * CYCLES_PER_MS);
  cpu.idleFor(Math.min(deadline, cpu.cycles + passed) - cpu.cycles);
}
