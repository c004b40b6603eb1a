// Stage 2 (ARM ARM D8.2/D8.4, AArch64.S2Translate/S2Walk) alone and nested under stage 1:
// every fault kind with its level reported to EL2 (EC 0x20/0x24, WnR, S1PTW, FAR_EL2 and the IPA
// for HPFAR_EL2), concatenated start tables, VTCR_EL2 consistency, HCR_EL2.PTW, and the
// 24-reference cold nested walk.
import { describe, it, expect } from 'vitest';
import { machine, setS1, setS2, probe, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import { ACC_READ, ACC_WRITE, ACC_FETCH, MT_DEVICE, MT_NORMAL, mmuOf } from '../../src/mmu/translate.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { tlbiVmallS12E1 } from '../../src/mmu/maintenance.js';

const S1POOL = RAM + 0x0100_0000;
const S2POOL = RAM + 0x0200_0000;
const RW = s2Leaf({ s2ap: 3 });

/** Stage 2 with a 44-bit IPA space (4 levels, 4K). RAM identity-mapped by 2 MiB blocks unless `pages`. */
function setup(opts: { pages?: boolean; s1?: boolean; granule?: number; inputSize?: number; startLevel?: number } = {}) {
  const { m, cpu } = machine();
  const b2 = new TableBuilder(m.bus, {
    granule: opts.granule ?? 4096,
    inputSize: opts.inputSize ?? 44,
    startLevel: opts.startLevel,
    poolBase: S2POOL,
  });
  if (opts.pages) b2.map(S1POOL, S1POOL, 0x10_0000, RW, 3); // S1 tables: 4K pages
  else b2.map(RAM, RAM, 0x0400_0000, RW);
  setS2(cpu, b2, { vmid: 5 });
  let b1: TableBuilder | null = null;
  if (opts.s1) {
    b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
    setS1(cpu, { ttbr0: b1.root });
  }
  return { m, cpu, b2, b1: b1! };
}

describe('stage 2 only (SCTLR_EL1.M=0, HCR_EL2.VM=1)', () => {
  it('translates IPA = VA through a 4-level stage 2', () => {
    const { cpu, b2 } = setup();
    expect(b2.startLevel).toBe(0);
    b2.map(0x8000_0000, RAM + 0x7000, 0x1000, RW, 3);
    const r = probe(cpu, 0x8000_0123n);
    expect(r.pa).toBe(RAM + 0x7123);
    // Stage 1 disabled: data accesses are Device-nGnRnE whatever stage 2 says.
    expect(r.memType).toBe(MT_DEVICE);
    expect(probe(cpu, 0x8000_0120n, ACC_FETCH).memType).toBe(MT_NORMAL);
  });
  it('an unmapped IPA is a stage-2 Translation fault to EL2 with FAR = VA and the IPA for HPFAR', () => {
    const { cpu } = setup();
    const r = probe(cpu, 0x9000_0444n, ACC_WRITE);
    expect(r.target).toBe(2);
    expect(r.ec).toBe(0x24);
    expect(r.iss).toBe(0x40 | 0x05); // WnR, translation fault level 1 (level-1 slot empty)
    expect(r.far).toBe(0x9000_0444n);
    expect(r.ipa).toBe(0x9000_0444);
    expect(r.s2).toBe(1); // the run loop merges the instruction's ISV/SRT syndrome
    const f = probe(cpu, 0x9000_0444n, ACC_FETCH);
    expect(f.ec).toBe(0x20);
    expect(f.s2).toBe(0);
  });
  it('faults at each stage-2 level: translation 0..3, access flag, permission, address size', () => {
    const { cpu, b2 } = setup();
    expect(probe(cpu, 0x800_0000_0000n).fsc).toBe(0x04); // level-0 slot empty
    b2.map(0x8000_0000, RAM, 0x1000, RW, 3);
    expect(probe(cpu, 0x8020_0000n).fsc).toBe(0x06);
    expect(probe(cpu, 0x8000_1000n).fsc).toBe(0x07);
    b2.map(0x8000_2000, RAM, 0x1000, s2Leaf({ af: false }), 3);
    expect(probe(cpu, 0x8000_2000n).fsc).toBe(0x0b);
    b2.map(0x8000_3000, RAM, 0x1000, s2Leaf({ s2ap: 1 }), 3); // read-only
    expect(probe(cpu, 0x8000_3000n).pa).toBe(RAM);
    const w = probe(cpu, 0x8000_3008n, ACC_WRITE);
    expect(w.iss).toBe(0x40 | 0x0f);
    expect(w.ipa).toBe(0x8000_3008);
    b2.map(0x8000_4000, RAM, 0x1000, s2Leaf({ s2ap: 2 }), 3); // write-only
    expect(probe(cpu, 0x8000_4000n).fsc).toBe(0x0f);
    b2.map(0x8000_5000, RAM, 0x1000, s2Leaf({ xn: true }), 3);
    const x = probe(cpu, 0x8000_5000n, ACC_FETCH);
    expect([x.ec, x.fsc]).toEqual([0x20, 0x0f]);
    b2.map(0x8000_6000, 2 ** 44, 0x1000, RW, 3); // above VTCR_EL2.PS=44 bits
    expect(probe(cpu, 0x8000_6000n).fsc).toBe(0x03);
    b2.map(0x8000_7000, 2 ** 41, 0x1000, RW, 3);
    cpu.setSys(SYS.VTCR_EL2, (cpu.sysLo(SYS.VTCR_EL2) & ~(7 << 16)) | (2 << 16), 0); // PS = 40 bits
    expect(probe(cpu, 0x8000_7000n).fsc).toBe(0x03);
  });
  it('an IPA above VTCR_EL2.T0SZ, or an inconsistent SL0, is a level-0 Translation fault', () => {
    const { cpu } = setup({ inputSize: 40, startLevel: 1 }); // 2 concatenated level-1 tables
    expect(probe(cpu, 0x100_0000_0000n).fsc).toBe(0x04);
    expect(probe(cpu, 0x80_4000_0000n).fsc).toBe(0x05); // 2nd concatenated table, empty
    expect(probe(cpu, BigInt(RAM + 0x10)).pa).toBe(RAM + 0x10);
    // SL0=2 (level 0) with a 40-bit IPA: too few bits for that start level. (TLB entries made
    // under the old VTCR_EL2 may be used until a TLBI: drop them.)
    cpu.setSys(SYS.VTCR_EL2, (cpu.sysLo(SYS.VTCR_EL2) & ~(3 << 6)) | (2 << 6), 0);
    tlbiVmallS12E1(cpu);
    expect(probe(cpu, BigInt(RAM + 0x10)).fsc).toBe(0x04);
  });
  it('16 concatenated initial tables: 4K, a 34-bit IPA starting at level 2', () => {
    // 4K granule, start level 2 resolves 9 bits plus up to 4 more by concatenation: 34-bit IPA.
    const { cpu, b2 } = setup({ inputSize: 34, startLevel: 2 });
    expect(b2.startBits).toBe(13);
    b2.map(0x3_c000_0000, RAM + 0x3000, 0x1000, RW, 3);
    expect(probe(cpu, 0x3_c000_0010n).pa).toBe(RAM + 0x3010);
  });
  it('TableBuilder.vtcr/vttbr give the hypervisor a consistent VTCR_EL2/VTTBR_EL2', () => {
    const { m, cpu } = machine();
    const b2 = new TableBuilder(m.bus, { granule: 65536, inputSize: 42, poolBase: S2POOL });
    b2.map(0x8000_0000, RAM + 0x10_0000, 0x1_0000, RW, 3);
    cpu.setSys(SYS.VTCR_EL2, b2.vtcr(), 0);
    const [lo, hi] = b2.vttbr(9);
    cpu.setSys(SYS.VTTBR_EL2, lo, hi);
    cpu.setSys(SYS.HCR_EL2, 1, 0);
    expect(probe(cpu, 0x8000_0040n).pa).toBe(RAM + 0x10_0040);
    expect(mmuOf(cpu).vmid).toBe(9);
  });
  it('16K and 64K stage-2 granules', () => {
    for (const granule of [16384, 65536]) {
      const { cpu, b2 } = setup({ granule, inputSize: 40 });
      b2.map(0x8000_0000, RAM + 0x10_0000, granule, RW, 3);
      expect(probe(cpu, 0x8000_0008n).pa).toBe(RAM + 0x10_0008);
      expect(probe(cpu, BigInt(0x8000_0000 + granule)).fsc).toBe(0x07);
    }
  });
});

describe('nested stage 1 + stage 2', () => {
  it('translates VA -> IPA -> PA', () => {
    const { cpu, b1, b2 } = setup({ s1: true });
    b1.map(0x1000, 0x8000_0000, 0x1000, s1Leaf(), 3);
    b2.map(0x8000_0000, RAM + 0x9000, 0x1000, RW, 3);
    const r = probe(cpu, 0x1010n);
    expect(r.pa).toBe(RAM + 0x9010);
    expect(r.memType).toBe(MT_NORMAL);
  });
  it('a stage-2 fault on the final IPA reports S1PTW=0 and the IPA', () => {
    const { cpu, b1 } = setup({ s1: true });
    b1.map(0x1000, 0x8000_0000, 0x1000, s1Leaf(), 3);
    const r = probe(cpu, 0x1010n, ACC_WRITE);
    expect([r.ec, r.iss, r.ipa, r.far, r.s2]).toEqual([0x24, 0x45, 0x8000_0010, 0x1010n, 1]);
  });
  it('a stage-1 fault goes to EL1 even with stage 2 on', () => {
    const { cpu } = setup({ s1: true });
    const r = probe(cpu, 0x1010n, ACC_READ);
    expect([r.target, r.ec, r.fsc]).toEqual([1, 0x25, 0x04]);
  });
  it('stage-1 access flag, permission and address size faults go to EL1 with stage 2 on', () => {
    const { cpu, b1, b2 } = setup({ s1: true });
    b2.map(0x8000_0000, RAM + 0x9000, 0x1000, RW, 3);
    b1.map(0x1000, 0x8000_0000, 0x1000, s1Leaf({ af: false }), 3);
    b1.map(0x2000, 0x8000_0000, 0x1000, s1Leaf({ ap: 3 }), 3);
    b1.map(0x3000, 2 ** 44, 0x1000, s1Leaf(), 3);
    const r = [probe(cpu, 0x1000n), probe(cpu, 0x2000n, ACC_WRITE), probe(cpu, 0x3000n)];
    expect(r.map((x) => [x.target, x.ec, x.fsc])).toEqual([
      [1, 0x25, 0x0b],
      [1, 0x25, 0x0f],
      [1, 0x25, 0x03],
    ]);
  });
  it('a stage-1 permission fault wins over a stage-2 fault on the output address', () => {
    const { cpu, b1 } = setup({ s1: true });
    b1.map(0x1000, 0x8000_0000, 0x1000, s1Leaf({ ap: 2 }), 3); // IPA unmapped at stage 2
    const r = probe(cpu, 0x1010n, ACC_WRITE);
    expect([r.target, r.fsc]).toEqual([1, 0x0f]);
  });
  it('a stage-2 fault on a stage-1 table walk: S1PTW=1, WnR=0, IPA of the descriptor, no ISV merge', () => {
    const { cpu, b1, b2 } = setup({ s1: true, pages: true });
    b1.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf(), 3);
    const l3 = b1.descAddr(0x1000, 3); // the level-3 table's descriptor address (IPA = PA here)
    b2.unmap(l3 - (l3 % 4096), 3);
    const r = probe(cpu, 0x1010n, ACC_WRITE);
    expect(r.target).toBe(2);
    expect(r.ec).toBe(0x24);
    expect(r.iss).toBe(0x80 | 0x07); // S1PTW, translation fault at stage-2 level 3
    expect(r.ipa).toBe(l3);
    expect(r.far).toBe(0x1010n);
    expect(r.s2).toBe(0);
  });
  it('stage 2 must grant read access to the stage-1 tables; HCR_EL2.PTW forbids Device tables', () => {
    const { cpu, b1, b2 } = setup({ s1: true, pages: true });
    b1.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf(), 3);
    b2.map(RAM + 0x5000, RAM + 0x5000, 0x1000, RW, 3);
    const l1 = b1.descAddr(0x1000, 1);
    const page = l1 - (l1 % 4096);
    b2.map(page, page, 0x1000, s2Leaf({ s2ap: 2 }), 3); // write-only
    expect(probe(cpu, 0x1000n).iss).toBe(0x80 | 0x0f);
    b2.map(page, page, 0x1000, s2Leaf({ s2ap: 3, memAttr: 0b0001 }), 3); // Device-nGnRE
    tlbiVmallS12E1(cpu);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x5000);
    tlbiVmallS12E1(cpu);
    cpu.setSys(SYS.HCR_EL2, 1 | 4, 0); // VM | PTW
    expect(probe(cpu, 0x1000n).iss).toBe(0x80 | 0x0f);
  });
  it('a cold 4+4-level walk makes 24 memory references; warm walk and IPA caches save most', () => {
    const { cpu, b1, b2 } = setup({ s1: true, pages: true });
    b1.map(0x1000, 0x8000_0000, 0x2000, s1Leaf(), 3);
    b2.map(0x8000_0000, RAM + 0x9000, 0x2000, RW, 3);
    const w = mmuOf(cpu).tlb.walks;
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x9000);
    expect(w.lastS1Reads).toBe(4);
    expect(w.lastS2Reads).toBe(20); // 4 table IPAs + the output IPA, 4 levels each
    // Second page: the walk cache gives the level-3 table (1 stage-1 read, its IPA is in the IPA
    // cache), and only the new output IPA needs a stage-2 walk.
    expect(probe(cpu, 0x2000n).pa).toBe(RAM + 0xa000);
    expect(w.lastS1Reads).toBe(1);
    expect(w.lastS2Reads).toBe(4);
    expect(w.s1Walks).toBe(2);
    expect(w.s2Walks).toBe(6);
  });
});
