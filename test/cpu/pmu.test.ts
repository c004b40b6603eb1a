// PMUv3 (src/cpu/pmu): registers, exact counts, filtering, SW_INCR, CHAIN, the 64-bit cycle
// counter, EL0 access control, MDCR_EL2 partitioning and traps. Each case cites the rule it checks
// (ARM ARM D11, registers in D13.4); expected counts are derived in the comments.
import { describe, it, expect } from 'vitest';
import { runPmu } from './pmu-helpers.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { PMCR_ID } from '../../src/cpu/pmu/pmu.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';

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
    expect(x(cpu, 1)).toBe(BigInt(PMCR_ID) | 0x40n); // LC (bit 6) RES1
    expect(x(cpu, 1)).toBe(0x41013040n);
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

describe('counting by EL across exceptions', () => {
  it('ERET to EL0 and SVC back: an EL0-only counter sees the 5 NOPs and the SVC, an EL1-only one the MSR PMCR, the ERET and an MRS', async () => {
    const { cpu, end } = await runPmu(`
      mov x1, #8
      orr x1, x1, #0x80000000      // P: not at EL1
      msr pmevtyper0_el0, x1
      mov x1, #8
      orr x1, x1, #0x40000000      // U: not at EL0
      msr pmevtyper1_el0, x1
      mov x1, #3
      msr pmcntenset_el0, x1
      adr x2, el0code
      msr elr_el1, x2
      msr spsr_el1, xzr            // EL0t
      mov x1, #1
      msr pmcr_el0, x1
      eret
el0code:
      ${'nop\n'.repeat(5)}
      svc #0
      .balign 2048
vectors:
      .skip 0x400                  // lower EL, synchronous
      mrs x0, pmevcntr0_el0
      mrs x3, pmevcntr1_el0
      hlt #1`);
    expect(end).toBe('done');
    expect([x(cpu, 0), x(cpu, 3)]).toEqual([6n, 3n]);
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
  it('PMCCNTR is 64 bits and PMCR_EL0.LC is RES1 (no AArch32): no overflow at bit 31, only at bit 63', async () => {
    const { cpu } = await runPmu(`
      mrs x6, pmcr_el0           // LC reads 1 from reset
      mov x1, #1
      lsl x1, x1, #31
      msr pmcntenset_el0, x1
      mov w2, #0xfffffff0
      msr pmccntr_el0, x2
      mov x1, #1
      msr pmcr_el0, x1           // E, writing LC = 0 (ignored)
      ${'nop\n'.repeat(20)}
      mrs x0, pmccntr_el0        // 0xfffffff0 + 21 = 0x1_0000_0005
      mrs x3, pmovsset_el0       // no overflow at bit 31
      mrs x7, pmcr_el0
      mov x2, #-16               // 0xffff_ffff_ffff_fff0
      msr pmccntr_el0, x2
      ${'nop\n'.repeat(20)}
      mrs x4, pmccntr_el0        // wrapped past 2^64: 0xfffffffffffffff0 + 21 = 5
      mrs x5, pmovsset_el0       // bit 31
      hlt #1`);
    expect((x(cpu, 6) >> 6n) & 1n).toBe(1n);
    expect((x(cpu, 7) >> 6n) & 1n).toBe(1n);
    expect(x(cpu, 0)).toBe(0x1_0000_0005n);
    expect(x(cpu, 3)).toBe(0n);
    expect(x(cpu, 4)).toBe(5n);
    expect(x(cpu, 5)).toBe(0x8000_0000n);
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

describe('the overflow interrupt (PPI 23 through the GIC, D11.8)', () => {
  it('an INST_RETIRED counter preset to 2^32 - 16 interrupts once; the handler sees PMOVSCLR bit 0 and INTID 23', async () => {
    const { cpu, end } = await runPmu(`
      movz x10, #0x0800, lsl #16   // GICD
      mov w1, #1
      str w1, [x10]                // GICD_CTLR.Enable
      mov w1, #0x800000
      str w1, [x10, #0x100]        // GICD_ISENABLER0: INTID 23
      movz x11, #0x0801, lsl #16   // GICC
      mov w1, #1
      str w1, [x11]                // GICC_CTLR.Enable
      mov w1, #0xf0
      str w1, [x11, #4]            // GICC_PMR
      mov x1, #8
      msr pmevtyper0_el0, x1       // INST_RETIRED
      mov w1, #0xfffffff0
      msr pmevcntr0_el0, x1
      mov x1, #1
      msr pmintenset_el1, x1
      msr pmcntenset_el0, x1
      mov x20, #0
      msr daifclr, #2
      msr pmcr_el0, x1             // E: 16 instructions to the overflow
      mov x9, #100
loop:
      subs x9, x9, #1
      b.ne loop
      msr daifset, #2
      hlt #1
      .balign 2048
vectors:
      .skip 0x280                  // current EL with SP_ELx, IRQ
      ldr w2, [x11, #0xc]          // GICC_IAR
      add x20, x20, #1
      mov x22, x2
      mrs x23, pmovsclr_el0
      mrs x24, pmevcntr0_el0
      mov x1, #1
      msr pmovsclr_el0, x1         // the request drops (level-sensitive)
      str w2, [x11, #0x10]         // GICC_EOIR
      eret`);
    expect(end).toBe('done');
    expect(cpu.readX(20)).toBe(1n); // one interrupt
    expect(cpu.readX(22) & 0x3ffn).toBe(23n);
    expect(cpu.readX(23)).toBe(1n);
    // Taken soon after the wrap: the scheduled overflow checks (pmu.ts update) find it and the
    // IRQ is taken at the next block boundary, 4 instructions past 2^32 here; deterministic, and
    // the same under the JIT (A64HV_ENGINE=jit).
    expect(cpu.readX(24)).toBe(4n);
    expect(cpu.pmu.overflows).toBe(1);
  });
});

describe('TLB and memory events are the model\'s exact counts', () => {
  // 40 pages (4K, mapped by level-3 descriptors) loaded in order, twice. The L1 DTLB has 32
  // round-robin entries, so every load misses it (each refill evicts the page needed 8 loads
  // later); the L2 TLB (1024 entries) holds all 40 after the first pass: 40 walks.
  const src = `
      mov x1, #0x05
      msr pmevtyper0_el0, x1       // L1D_TLB_REFILL
      mov x1, #0x25
      msr pmevtyper1_el0, x1       // L1D_TLB
      mov x1, #0x34
      msr pmevtyper2_el0, x1       // DTLB_WALK
      mov x1, #0x13
      msr pmevtyper3_el0, x1       // MEM_ACCESS
      mov x1, #0x2d
      msr pmevtyper4_el0, x1       // L2D_TLB_REFILL
      mov x1, #0x2f
      msr pmevtyper5_el0, x1       // L2D_TLB
      mov x1, #0x3f
      msr pmcntenset_el0, x1
      mov x7, #2
      mov x1, #1
      msr pmcr_el0, x1
pass:
      mov x2, x0
      mov x3, #40
page:
      ldr x4, [x2]
      add x2, x2, #4096
      subs x3, x3, #1
      b.ne page
      subs x7, x7, #1
      b.ne pass
      msr pmcr_el0, xzr
      mrs x10, pmevcntr0_el0
      mrs x11, pmevcntr1_el0
      mrs x12, pmevcntr2_el0
      mrs x13, pmevcntr3_el0
      mrs x14, pmevcntr4_el0
      mrs x15, pmevcntr5_el0
      hlt #1`;
  const setup = (m: import('../../src/machine.js').Machine): void => {
    const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: 0x4080_0000 });
    b.map(0x4000_0000, 0x4000_0000, 0x20_0000, s1Leaf(), 2); // code: one 2M block
    b.map(0x4020_0000, 0x4020_0000, 0x20_0000, s1Leaf(), 3); // data: 4K pages
    setS1(m.cpu, { ttbr0: b.root });
    m.cpu.contextChanged();
    m.cpu.writeX(0, 0x4020_0000n);
  };
  it('L1D_TLB_REFILL 80, L1D_TLB 80, DTLB_WALK 40, MEM_ACCESS 80, L2D_TLB_REFILL 40, L2D_TLB 80; both engines', async () => {
    for (const engine of ['interp', 'jit'] as const) {
      const { cpu, end } = await runPmu(src, { setup, machine: { engine } });
      expect(end).toBe('done');
      expect([10, 11, 12, 13, 14, 15].map((r) => cpu.readX(r))).toEqual([80n, 80n, 40n, 80n, 40n, 80n]);
    }
  });
});
