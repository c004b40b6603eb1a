// An idle interactive guest waits on the host many times (src/host-input.ts paceIdle): each wait
// must take its AbortSignal listener back, or Node prints MaxListenersExceededWarning into the
// guest's console after 10 waits (the leak issue 17 reports for interactive Linux sessions).
import { describe, it, expect } from 'vitest';
import { getEventListeners } from 'node:events';
import { InputWait, paceIdle, onAbort } from '../src/host-input.js';
import { ManualClock } from './manual-clock.js';

describe('paceIdle and onAbort', { timeout: 20_000 }, () => {
  it('a hundred idle waits leave no abort listener behind (and the modelled time still passes)', async () => {
    const ac = new AbortController();
    const clock = new ManualClock();
    const input = new InputWait();
    const cpu = { cycles: 0, idleFor(c: number): void { this.cycles += c; } };
    for (let k = 0; k < 100; k++) {
      const armed = clock.nextAfter();
      const waiting = paceIdle(cpu, cpu.cycles + 1_000_000, input, ac.signal, clock); // 1 ms at 1 GHz
      await armed;
      clock.advance(1);
      await waiting;
    }
    expect(cpu.cycles).toBe(100_000_000);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
  it('onAbort calls back on abort, and not after it was taken back', () => {
    const ac = new AbortController();
    let n = 0;
    const off = onAbort(ac.signal, () => n++);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    off();
    ac.abort();
    expect(n).toBe(0);
    const ac2 = new AbortController();
    onAbort(ac2.signal, () => n++);
    ac2.abort();
    expect(n).toBe(1);
    expect(onAbort(undefined, () => n++)).toBeTypeOf('function');
  });
});
