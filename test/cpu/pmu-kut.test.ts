// What kvm-unit-tests' arm/pmu.c checks (read for its facts; these guests are our own), on this
// board, with the counts pinned: this model is deterministic, so "at least 20" becomes "exactly 20".
// Each describe names the kvm-unit-tests sub-test it mirrors.
import { describe, it, expect } from 'vitest';
import { runPmu } from './pmu-helpers.js';
import type { Cpu } from '../../src/cpu/cpu.js';

// Keystone has no numeric local labels: each expansion gets its own.
let labels = 0;
const label = (): string => `L${++labels}`;
const X = (cpu: Cpu, n: number): bigint => cpu.readX(n);
const xs = (cpu: Cpu, ...n: number[]): bigint[] => n.map((k) => cpu.readX(k));

// pmu_reset: counters reset with counting disabled (P, C, LC), all disabled, overflow flags and
// interrupt enables cleared.
const RESET = `
    mov x1, #0x46                // LC | C | P
    msr pmcr_el0, x1
    mov w1, #-1
    msr pmcntenclr_el0, x1
    msr pmovsclr_el0, x1
    msr pmintenclr_el1, x1
    isb`;
// Counting from PMCR_EL0 = x1 (E) over \`loop\` iterations of SUBS/B.GT, then PMCR_EL0 = 0:
// MSR + ISB + 2 x loop instructions (the precise instruction loop).
const precise = (loop: number, l = label()): string => `
    mov x9, #${loop}
    msr pmcr_el0, x1
    isb
${l}:
    subs w9, w9, #1
    b.gt ${l}
    msr pmcr_el0, xzr
    isb`;
// 20 loads of the same address with PMCR_EL0 = x1 during the loop.
const memLoop = (n: number, l = label()): string => `
    mov x10, #${n}
    msr pmcr_el0, x1
    isb
${l}:
    sub x10, x10, #1
    ldr x9, [x20]
    cmp x10, #0
    b.gt ${l}
    msr pmcr_el0, xzr
    isb`;
const DATA = `    movz x20, #0x4010, lsl #16   // a data word in RAM\n`;

describe('pmu-cycle-counter', () => {
  it('back-to-back PMCCNTR reads increase; a precise loop of N instructions takes N cycles (1 per instruction in the default profile)', async () => {
    const { cpu, end } = await runPmu(`
      ${RESET}
      mov x1, #1
      lsl x1, x1, #31
      msr pmcntenset_el0, x1
      msr pmccfiltr_el0, xzr
      mov x1, #0x45                // LC | C | E
      msr pmcr_el0, x1
      isb
      mrs x2, pmccntr_el0
      mrs x3, pmccntr_el0
      mrs x4, pmccntr_el0
      msr pmccntr_el0, xzr
      mov x1, #0x41                // LC | E
      ${precise(15)}
      mrs x5, pmccntr_el0
      hlt #1`);
    expect(end).toBe('done');
    const [a, b, c] = xs(cpu, 2, 3, 4);
    expect(a < b && b < c).toBe(true);
    // E stayed set: from the zeroing MSR PMCCNTR (itself counted), MOV, MOV, then the loop's MSR,
    // ISB and 15 x (SUBS, B.GT), up to the MSR that clears E: 3 + 32 = 35 cycles (1 each here).
    expect(X(cpu, 5)).toBe(3n + 2n + 2n * 15n);
  });
});

describe('pmu-event-counter-config', () => {
  it('PMSELR/PMXEVTYPER/PMXEVCNTR reach PMEVTYPER1/PMEVCNTR1; a counter with an unimplemented event holds what was written', async () => {
    const { cpu } = await runPmu(`
      ${RESET}
      mov x1, #1
      msr pmselr_el0, x1
      mov x1, #0xea                // not an implemented event
      msr pmxevtyper_el0, x1
      movz x1, #0xbeef
      movk x1, #0xdead, lsl #16
      msr pmxevcntr_el0, x1
      mrs x2, pmevtyper1_el0
      mrs x3, pmevcntr1_el0
      msr pmselr_el0, xzr
      mov x1, #1                   // event 0x01 L1I_CACHE_REFILL: not implemented
      msr pmxevtyper_el0, x1
      mov x1, #1
      msr pmxevcntr_el0, x1
      mrs x4, pmxevcntr_el0
      mrs x4, pmxevcntr_el0
      hlt #1`);
    expect(X(cpu, 2) & 0xfffn).toBe(0xean);
    expect(X(cpu, 3)).toBe(0xdeadbeefn);
    expect(X(cpu, 4)).toBe(1n);
  });
});

describe('pmu-basic-event-count (32-bit overflows)', () => {
  it('enables only implemented counters, resets with P/C, counts CPU_CYCLES from 2^32 - 16 to an overflow on #0 only', async () => {
    const { cpu } = await runPmu(`
      ${RESET}
      mrs x21, pmcr_el0
      mov x1, #0x11                // CPU_CYCLES, not at EL0
      orr x1, x1, #0x40000000
      msr pmevtyper0_el0, x1
      mov x1, #0x08                // INST_RETIRED, not at EL0
      orr x1, x1, #0x40000000
      msr pmevtyper1_el0, x1
      mov w1, #-1
      msr pmcntenclr_el0, x1
      mrs x2, pmcntenclr_el0
      mrs x3, pmcntenset_el0
      mov x1, #0x46
      msr pmcr_el0, x1
      mrs x4, pmcr_el0             // P and C read 0: PMCR as before with LC
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      mrs x5, pmevcntr0_el0
      mrs x6, pmevcntr1_el0
      mov w1, #0x7fffffff          // every counter but the cycle counter, implemented or not
      msr pmcntenset_el0, x1
      mrs x7, pmcntenset_el0
      mrs x8, pmcntenclr_el0
      mvn w1, wzr
      lsl w1, w1, #2
      msr pmcntenclr_el0, x1       // keep #0 and #1
      mrs x11, pmcntenset_el0
      mov w1, #-1
      msr pmovsclr_el0, x1
      msr pmintenclr_el1, x1
      mrs x12, pmintenclr_el1
      mov w1, #0x7fffffff
      msr pmintenset_el1, x1
      mrs x13, pmintenset_el1
      msr pmintenclr_el1, x1       // (no interrupt controller programmed: leave them off)
      mov x1, #0x41                // LC | E
      ${precise(20)}
      mrs x14, pmovsclr_el0
      mrs x15, pmevcntr0_el0
      mrs x16, pmevcntr1_el0
      hlt #1`);
    expect(xs(cpu, 2, 3)).toEqual([0n, 0n]);
    expect(X(cpu, 4)).toBe(X(cpu, 21));
    expect(X(cpu, 4) & 0x40n).toBe(0x40n);
    expect(xs(cpu, 5, 6)).toEqual([0xfffffff0n, 0n]);
    expect(xs(cpu, 7, 8, 11)).toEqual([0x3fn, 0x3fn, 3n]);
    expect(xs(cpu, 12, 13)).toEqual([0n, 0x3fn]);
    expect(X(cpu, 14)).toBe(1n); // overflow on #0 only
    // 42 instructions of 1 cycle from 0xfffffff0: 0x1a after the wrap; INST_RETIRED 42.
    expect(xs(cpu, 15, 16)).toEqual([0x1an, 42n]);
  });
});

describe('pmu-mem-access', () => {
  it('two MEM_ACCESS counters count the 20 loads (exactly), then both overflow from 2^32 - 16', async () => {
    const { cpu } = await runPmu(`
      ${DATA}
      ${RESET}
      mov x1, #0x13
      orr x1, x1, #0x40000000
      msr pmevtyper0_el0, x1
      msr pmevtyper1_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      isb
      mov x1, #1
      ${memLoop(20)}
      mrs x2, pmevcntr0_el0
      mrs x3, pmevcntr1_el0
      mrs x4, pmovsclr_el0
      ${RESET}
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      msr pmevcntr1_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      mov x1, #1
      ${memLoop(20)}
      mrs x5, pmovsclr_el0
      hlt #1`);
    expect(xs(cpu, 2, 3, 4)).toEqual([20n, 20n, 0n]);
    expect(X(cpu, 5)).toBe(3n);
  });
});

describe('pmu-sw-incr', () => {
  it('PMSWINC does nothing while PMCR_EL0.E = 0; with E, 100 increments wrap #0 from 2^32 - 16 and count 100 on #1', async () => {
    const swinc100 = (mask: number, l = label()): string => `
      mov x9, #100
      mov x8, #${mask}
${l}:
      msr pmswinc_el0, x8
      subs x9, x9, #1
      b.ne ${l}
      isb`;
    const { cpu } = await runPmu(`
      ${RESET}
      mov x1, #0x40000000          // SW_INCR, not at EL0
      msr pmevtyper0_el0, x1
      msr pmevtyper1_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      isb
      ${swinc100(1)}
      mrs x2, pmevcntr0_el0
      ${RESET}
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      mov x1, #0x41
      msr pmcr_el0, x1
      isb
      ${swinc100(3)}
      mrs x3, pmevcntr0_el0
      mrs x4, pmevcntr1_el0
      mrs x5, pmovsclr_el0
      hlt #1`);
    expect(X(cpu, 2)).toBe(0xfffffff0n);
    expect(xs(cpu, 3, 4, 5)).toEqual([0x54n, 100n, 1n]); // (2^32 - 16 + 100) mod 2^32
  });
});

describe('pmu-chained-counters', () => {
  it('CPU_CYCLES on #0 from 2^32 - 16 over a 46-instruction loop: CHAIN #1 goes 0 -> 1, 1 -> 2, 0xffffffff -> 0 (then #1 overflows too)', async () => {
    const run = (preset1: string): string => `
      ${RESET}
      mov x1, #0x11
      orr x1, x1, #0x40000000
      msr pmevtyper0_el0, x1
      mov x1, #0x1e
      orr x1, x1, #0x40000000
      msr pmevtyper1_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      ${preset1}
      mov x1, #0x41
      ${precise(22)}`;
    const { cpu } = await runPmu(`
      ${run('')}
      mrs x2, pmevcntr1_el0
      mrs x3, pmovsclr_el0
      ${run('mov x1, #1\n msr pmevcntr1_el0, x1')}
      mrs x4, pmevcntr1_el0
      mrs x5, pmovsclr_el0
      ${run('mov w1, #-1\n msr pmevcntr1_el0, x1')}
      mrs x6, pmevcntr1_el0
      mrs x7, pmovsclr_el0
      hlt #1`);
    expect(xs(cpu, 2, 3)).toEqual([1n, 1n]);
    expect(xs(cpu, 4, 5)).toEqual([2n, 1n]);
    expect(xs(cpu, 6, 7)).toEqual([0n, 3n]);
  });
});

describe('pmu-chain-promotion', () => {
  it('a CHAIN counter whose even neighbour is disabled does not count; a disabled CHAIN counter is not incremented', async () => {
    const { cpu } = await runPmu(`
      ${DATA}
      ${RESET}
      mov x1, #0x13
      orr x1, x1, #0x40000000
      msr pmevtyper0_el0, x1       // MEM_ACCESS
      mov x1, #0x1e
      orr x1, x1, #0x40000000
      msr pmevtyper1_el0, x1       // CHAIN
      mov x1, #2
      msr pmcntenset_el0, x1       // only the CHAIN counter
      mov x1, #1
      ${memLoop(20)}
      mrs x2, pmevcntr0_el0
      mrs x3, pmevcntr1_el0
      ${RESET}
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      mov x1, #1
      msr pmcntenset_el0, x1       // only the even counter
      ${memLoop(20)}
      mrs x4, pmevcntr1_el0
      mrs x5, pmovsclr_el0
      ${RESET}
      mov x1, #3
      msr pmcntenset_el0, x1
      mov w1, #0xffffffdc          // 2^32 - 36: +20 with CHAIN on, +20 with CHAIN off
      msr pmevcntr0_el0, x1
      mov x1, #1
      ${memLoop(20)}
      mov x1, #2
      msr pmcntenclr_el0, x1
      mov x1, #1
      ${memLoop(20)}
      mrs x6, pmovsclr_el0
      mrs x7, pmevcntr1_el0
      ${RESET}
      mov x1, #1
      msr pmcntenset_el0, x1
      mov w1, #0xffffffdc          // +20 with CHAIN off, +20 with CHAIN on
      msr pmevcntr0_el0, x1
      mov x1, #1
      ${memLoop(20)}
      mov x1, #3
      msr pmcntenset_el0, x1
      mov x1, #1
      ${memLoop(20)}
      mrs x11, pmevcntr1_el0
      mrs x12, pmovsclr_el0
      hlt #1`);
    expect(xs(cpu, 2, 3)).toEqual([0n, 0n]);
    expect(xs(cpu, 4, 5)).toEqual([0n, 1n]);
    expect(xs(cpu, 6, 7)).toEqual([1n, 0n]);
    expect(xs(cpu, 11, 12)).toEqual([1n, 1n]);
  });
});
