// Waiting for the host: a guest asleep in WFI that only console input can wake makes the run
// loop return; the CLI then awaits the next event on its stdin stream (data or its end).
import { performance } from 'node:perf_hooks';
import { CYCLES_PER_MS } from './cpu/timer.js';

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
): Promise<void> {
  const start = performance.now();
  const ms = (deadline - cpu.cycles) / CYCLES_PER_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await new Promise<void>((res) => {
    void input.next().then(res);
    if (Number.isFinite(ms)) timer = setTimeout(res, Math.max(0, ms));
    signal?.addEventListener('abort', () => res(), { once: true });
  });
  if (timer !== undefined) clearTimeout(timer);
  const passed = Math.round((performance.now() - start) * CYCLES_PER_MS);
  cpu.idleFor(Math.min(deadline, cpu.cycles + passed) - cpu.cycles);
}
