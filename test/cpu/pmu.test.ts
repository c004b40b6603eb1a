// PMUv3 (src/cpu/pmu): registers, exact counts, filtering, SW_INCR, CHAIN, the 64-bit cycle
// counter, EL0 access control, MDCR_EL2 partitioning and traps. Each case cites the rule it checks
// (ARM ARM D11, registers in D13.4); expected counts are derived in the comments.
import { describe, it, expect } from 'vitest';
import { runPmu } from './pmu-helpers.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { PMCR_ID } from '../../src/cpu/pmu/pmu.js';

const x = (cpu: Parameters<typeof X>[0], n: number): bigint => X(cpu, n);

describe('identification', () => {
  it('ID_AA64DFR0_EL1.PMUVer = 1, PMCR_EL0 as a Cortex-A57 (IMP 0x41, IDCODE 0x01, N = 6), PMCEID0/1 list the counted events', async () => {
    const { cpu, end } = await runPmu(`
      mrs x0, id_aa64dfr0_el1
      mrs x1, pmcr_el0
      mrs x2, pmceid0_el0
      mrs x3, pmceid1_el0
      hlt #1`);
    expect(end).toBe('done');
    expect((x(cpu, 0) >> 8n) & 0xfn).toBe(1n);
    expect(x(cpu, 1)).toBe(BigInt(PMCR_ID));
    expect(x(cpu, 1)).toBe(0x41013000n);
    // 0x00 SW_INCR, 0x02 L1I_TLB_REFILL, 0x05 L1D_TLB_REFILL, 0x08 INST_RETIRED, 0x09 EXC_TAKEN,
    // 0x0A EXC_RETURN, 0x11 CPU_CYCLES, 0x13 MEM_ACCESS, 0x1B INST_SPEC, 0x1E CHAIN.
    const ev0 = [0x00, 0x02, 0x05, 0x08, 0x09, 0x0a, 0x11, 0x13, 0x1b, 0x1e].reduce((a, e) => a | (1n << BigInt(e)), 0n);
    expect(x(cpu, 2)).toBe(ev0);
    // 0x25 L1D_TLB, 0x26 L1I_TLB, 0x2D L2D_TLB_REFILL, 0x2F L2D_TLB, 0x34 DTLB_WALK, 0x35 ITLB_WALK.
    const ev1 = [0x25, 0x26, 0x2d, 0x2f, 0x34, 0x35].reduce((a, e) => a | (1n << BigInt(e - 32)), 0n);
    expect(x(cpu, 3)).toBe(ev1);
  });
});

describe('event counting is exact to the instruction', () => {
  it('INST_RETIRED: the enabling MSR and the 10 instructions after it, up to the reading MRS', async () => {
    const { cpu, end } = await runPmu(`
      mov x1, #8                 // INST_RETIRED
      msr pmevtyper0_el0, x1
      mov x1, #1
      msr pmcntenset_el0, x1
      msr pmcr_el0, x1           // E = 1
      ${'nop\n'.repeat(10)}
      mrs x0, pmevcntr0_el0
      mrs x2, pmevcntr0_el0
      hlt #1`);
    expect(end).toBe('done');
    expect(x(cpu, 0)).toBe(11n);
    expect(x(cpu, 2)).toBe(12n); // the first MRS retired in between
  });
  it('PMCCNTR counts CPU_CYCLES (1 per instruction here), every 64th with PMCR_EL0.D', async () => {
    const { cpu, end } = await runPmu(`
      mov x1, #1
      lsl x1, x1, #31
      msr pmcntenset_el0, x1     // C
      mov x1, #1
      msr pmcr_el0, x1           // E
      mrs x0, pmccntr_el0        // 1: the MSR PMCR
      ${'nop\n'.repeat(20)}
      mrs x2, pmccntr_el0        // 1 + 1 (MRS) + 20
      mov x1, #9                 // E | D, and reset the cycle counter with C
      orr x1, x1, #4
      msr pmcr_el0, x1
      ${'nop\n'.repeat(200)}
      mrs x3, pmccntr_el0        // the MSR and 200 NOPs = 201 cycles: 3 x 64 boundaries crossed
      hlt #1`);
    expect(end).toBe('done');
    expect([x(cpu, 0), x(cpu, 2), x(cpu, 3)]).toEqual([1n, 22n, 3n]);
  });
  it('the P filter bit stops counting at EL1; U does not (D11.6: filtering by EL)', async () => {
    const { cpu } = await runPmu(`
      mov x1, #8
      orr x1, x1, #0x80000000    // P: not at EL1
      msr pmevtyper0_el0, x1
      mov x1, #8
      orr x1, x1, #0x40000000    // U: not at EL0
      msr pmevtyper1_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      mov x1, #1
      msr pmcr_el0, x1
      ${'nop\n'.repeat(5)}
      mrs x0, pmevcntr0_el0
      mrs x2, pmevcntr1_el0
      hlt #1`);
    expect([x(cpu, 0), x(cpu, 2)]).toEqual([0n, 7n]); // MSR + 5 NOPs + the first MRS
  });
  it('a disabled counter (PMCNTENSET clear, or PMCR_EL0.E = 0) does not count', async () => {
    const { cpu } = await runPmu(`
      mov x1, #8
      msr pmevtyper0_el0, x1
      msr pmevtyper1_el0, x1
      mov x1, #1
      msr pmcntenset_el0, x1     // counter 0 only
      msr pmcr_el0, x1
      nop
      mov x1, #0
      msr pmcr_el0, x1           // E = 0: counter 0 stops (the MSR itself is not counted)
      nop
      nop
      mrs x0, pmevcntr0_el0
      mrs x2, pmevcntr1_el0
      hlt #1`);
    expect([x(cpu, 0), x(cpu, 2)]).toEqual([3n, 0n]); // MSR PMCR, NOP, MOV (the MSR E=0 is not counted)
  });
});

describe('SW_INCR, CHAIN, overflow', () => {
  it('PMSWINC increments enabled SW_INCR counters only (D11.6.3)', async () => {
    const { cpu } = await runPmu(`
      msr pmevtyper0_el0, xzr    // SW_INCR
      msr pmevtyper1_el0, xzr
      mov x1, #1
      msr pmcntenset_el0, x1     // counter 0 enabled, counter 1 not
      msr pmcr_el0, x1
      mov x1, #3
      msr pmswinc_el0, x1
      msr pmswinc_el0, x1
      msr pmswinc_el0, x1
      mrs x0, pmevcntr0_el0
      mrs x2, pmevcntr1_el0
      hlt #1`);
    expect([x(cpu, 0), x(cpu, 2)]).toEqual([3n, 0n]);
  });
  it('an even counter overflowing at 2^32 sets PMOVSSET[0] and increments its CHAIN neighbour (D11.5.3)', async () => {
    const { cpu } = await runPmu(`
      msr pmevtyper0_el0, xzr    // SW_INCR
      mov x1, #0x1e              // CHAIN
      msr pmevtyper1_el0, x1
      mov w1, #0xfffffffe
      msr pmevcntr0_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      mov x1, #1
      msr pmcr_el0, x1
      msr pmswinc_el0, x1        // 0xffffffff
      msr pmswinc_el0, x1        // wraps to 0: overflow
      msr pmswinc_el0, x1        // 1
      mrs x0, pmevcntr0_el0
      mrs x2, pmevcntr1_el0
      mrs x3, pmovsset_el0
      mov x1, #1
      msr pmovsclr_el0, x1
      mrs x4, pmovsset_el0
      hlt #1`);
    expect([x(cpu, 0), x(cpu, 2), x(cpu, 3), x(cpu, 4)]).toEqual([1n, 1n, 1n, 0n]);
  });
  it('PMCCNTR is 64 bits: with LC = 0 it overflows at bit 31 and keeps counting above; with LC = 1 only at bit 63', async () => {
    const { cpu } = await runPmu(`
      mov x1, #1
      lsl x1, x1, #31
      msr pmcntenset_el0, x1
      mov w2, #0xfffffff0
      msr pmccntr_el0, x2
      mov x1, #1
      msr pmcr_el0, x1           // E, LC = 0
      ${'nop\n'.repeat(20)}
      mrs x0, pmccntr_el0        // 0xfffffff0 + 21 = 0x1_0000_0005
      mrs x3, pmovsset_el0       // bit 31
      mov x1, #1
      lsl x1, x1, #31
      msr pmovsclr_el0, x1
      msr pmccntr_el0, x2
      mov x1, #0x41
      msr pmcr_el0, x1           // E, LC = 1
      ${'nop\n'.repeat(20)}
      mrs x4, pmccntr_el0        // counting all along: MOV, then MSR PMCR + 20 NOPs: 0xfffffff0 + 23
      mrs x5, pmovsset_el0       // no overflow below 2^64
      hlt #1`);
    expect(x(cpu, 0)).toBe(0x1_0000_0005n);
    expect(x(cpu, 3)).toBe(0x8000_0000n);
    expect(x(cpu, 4)).toBe(0x1_0000_0007n);
    expect(x(cpu, 5)).toBe(0n);
  });
});

describe('access control', () => {
  it('EL0: PMUSERENR_EL0 = 0 traps PMCCNTR reads to EL1 (EC 0x18); CR = 1 allows the read but not a write', async () => {
    const denied = await runPmu(`mrs x0, pmccntr_el0\n hlt #1`, { el: 0 });
    expect(denied.end).toBe('exception');
    expect(denied.cpu.sysLo(SYS.ESR_EL1) >>> 26).toBe(0x18);
    const setup = (m: import('../../src/machine.js').Machine): void => void (m.cpu.pmu.userenr = 4); // CR
    const read = await runPmu(`mrs x0, pmccntr_el0\n hlt #1`, { el: 0, setup });
    expect(read.end).toBe('done');
    const write = await runPmu(`msr pmccntr_el0, xzr\n hlt #1`, { el: 0, setup });
    expect(write.end).toBe('exception');
    expect(write.cpu.sysLo(SYS.ESR_EL1) >>> 26).toBe(0x18);
    // PMUSERENR_EL0 itself: readable at EL0, an MSR there is UNDEFINED (EC 0).
    const wr = await runPmu(`msr pmuserenr_el0, xzr\n hlt #1`, { el: 0 });
    expect(wr.end).toBe('exception');
    expect(wr.cpu.sysLo(SYS.ESR_EL1) >>> 26).toBe(0);
  });
  it('event counters n >= N are UNDEFINED, directly and through PMSELR_EL0', async () => {
    const direct = await runPmu(`mrs x0, pmevcntr6_el0\n hlt #1`);
    expect(direct.end).toBe('exception');
    expect(direct.cpu.sysLo(SYS.ESR_EL1) >>> 26).toBe(0);
    const sel = await runPmu(`mov x1, #7\n msr pmselr_el0, x1\n mrs x0, pmxevcntr_el0\n hlt #1`);
    expect(sel.end).toBe('exception');
  });
  it('PMSELR_EL0 selects the counter of PMXEVTYPER/PMXEVCNTR; SEL = 31 makes PMXEVTYPER PMCCFILTR_EL0', async () => {
    const { cpu } = await runPmu(`
      mov x1, #2
      msr pmselr_el0, x1
      mov x1, #0x11
      msr pmxevtyper_el0, x1
      mov x1, #1234
      msr pmxevcntr_el0, x1
      mrs x0, pmevtyper2_el0
      mrs x2, pmevcntr2_el0
      mov x1, #31
      msr pmselr_el0, x1
      mov x1, #0x80000000
      msr pmxevtyper_el0, x1
      mrs x3, pmccfiltr_el0
      hlt #1`);
    expect([x(cpu, 0), x(cpu, 2), x(cpu, 3)]).toEqual([0x11n, 1234n, 0x80000000n]);
  });
  it('MDCR_EL2.HPMN partitions the counters: EL1 sees N = HPMN, higher counters are UNDEFINED; TPM/TPMCR trap to EL2', async () => {
    const part = await runPmu(`mrs x0, pmcr_el0\n mrs x1, pmevcntr1_el0\n hlt #1`, { setup: (m) => m.cpu.setSys(SYS.MDCR_EL2, 2, 0) });
    expect(part.end).toBe('done');
    expect((x(part.cpu, 0) >> 11n) & 0x1fn).toBe(2n);
    const hidden = await runPmu(`mrs x1, pmevcntr2_el0\n hlt #1`, { setup: (m) => m.cpu.setSys(SYS.MDCR_EL2, 2, 0) });
    expect(hidden.end).toBe('exception');
    const tpmcr = await runPmu(`mrs x1, pmevcntr0_el0\n mrs x0, pmcr_el0\n hlt #1`, { setup: (m) => m.cpu.setSys(SYS.MDCR_EL2, 6 | (1 << 5), 0) });
    expect(tpmcr.end).toBe('EL2 EC=0x18'); // PMEVCNTR0 passes, PMCR traps
    const tpm = await runPmu(`mrs x1, pmevcntr0_el0\n hlt #1`, { setup: (m) => m.cpu.setSys(SYS.MDCR_EL2, 6 | (1 << 6), 0) });
    expect(tpm.end).toBe('EL2 EC=0x18');
  });
});
