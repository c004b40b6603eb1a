// The JIT's tiering (src/cpu/jit/engine.ts): when a hot block is compiled, and the compile budget.
// Both are decisions about host work only: the counts must stay the interpreter's.
import { describe, it, expect } from 'vitest';
import type { Machine } from '../../../src/machine.js';
import { runAsm, X } from '../../helpers.js';

/** A loop block of 3 instructions run `n` times, entered by a branch (so it is its own block). */
const loop = (n: number) => `mov x1, #${n}\nb l\nl: add x0, x0, #1\nsubs x1, x1, #1\nb.ne l\nhlt #1`;

function jit(threshold: number, burst: number): (m: Machine) => void {
  return (m) => {
    m.cpu.engine = 'jit';
    m.cpu.jit.threshold = threshold;
    m.cpu.jit.burst = burst;
  };
}

const counts = (m: Machine) => ({ x0: X(m.cpu, 0), instret: m.cpu.instret, cycles: m.cpu.cycles, halt: m.cpu.haltReason });

describe('JIT tiering', () => {
  it('the threshold counts instructions run by the block, not runs: a 3-instruction block compiles at its 100th run with threshold 300', async () => {
    // 99 runs = 297 instructions: still interpreted.
    const a = await runAsm(loop(99), { setup: jit(300, Infinity) });
    expect(a.cpu.haltReason).toBe('done');
    expect(a.cpu.jit.regionsCompiled).toBe(0);
    // The 100th run brings it to 300.
    const b = await runAsm(loop(100), { setup: jit(300, Infinity) });
    expect(b.cpu.jit.regionsCompiled).toBe(1);
    const ref = await runAsm(loop(100), { setup: (m) => void (m.cpu.engine = 'interp') });
    expect(counts(b)).toEqual(counts(ref));
  });

  it('the compile budget: past the burst, one region per 2 thresholds of instructions retired; a hot block over it is asked again after half a threshold', async () => {
    // burst 0, threshold 300: the loop block is hot at its 100th run (instret 299: budget 0,
    // declined, hits back to 150), again at its 150th (instret 449) and 200th (599), and is
    // compiled at its 250th (instret 749 >= 2 * 300).
    const m = await runAsm(loop(400), { setup: jit(300, 0) });
    expect(m.cpu.jit.declined).toBe(3);
    expect(m.cpu.jit.regionsCompiled).toBe(1);
    const ref = await runAsm(loop(400), { setup: (x) => void (x.cpu.engine = 'interp') });
    expect(counts(m)).toEqual(counts(ref));
    expect(counts(m).x0).toBe(400n);
  });
});
