// Memory attributes: MAIR and stage-2 MemAttr decoding, S2CombineS1MemAttrs (ARM ARM D8.5.5),
// HCR_EL2.CD/DC and SCTLR_EL1.C/M defaults (AArch64.S1DisabledOutput), checked directly and via
// AT/PAR_EL1 (ARM ARM D19.2 PAR_EL1), including PAR's fault format.
import { describe, it, expect } from 'vitest';
import { machine, setS1, setS2, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import { combineS1S2, s2MemAttr, mairAttr, describeAttr, SH_ISH, SH_NSH, SH_OSH } from '../../src/mmu/attrs.js';
import { at } from '../../src/mmu/maintenance.js';
import { mmuOf } from '../../src/mmu/translate.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { runAsm, X } from '../helpers.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const c = (a1: number, sh1: number, a2: number, sh2: number, forced = false) => {
  const r = combineS1S2(a1, sh1, a2, sh2, forced);
  return [r & 0xff, r >>> 8];
};

describe('attribute decoding', () => {
  it('stage-2 MemAttr: 00xx Device, else outer/inner NC (01), WT (10), WB (11)', () => {
    expect(s2MemAttr(0b0000)).toBe(0x00);
    expect(s2MemAttr(0b0001)).toBe(0x04);
    expect(s2MemAttr(0b0011)).toBe(0x0c);
    expect(s2MemAttr(0b0101)).toBe(0x44);
    expect(s2MemAttr(0b1010)).toBe(0x88);
    expect(s2MemAttr(0b1111)).toBe(0xcc);
    expect(s2MemAttr(0b0111)).toBe(0x4c);
  });
  it('MAIR_EL1 Attr<n> is byte n', () => {
    expect(mairAttr(0x44332211, 0x88776655, 0)).toBe(0x11);
    expect(mairAttr(0x44332211, 0x88776655, 3)).toBe(0x44);
    expect(mairAttr(0x44332211, 0x88776655 | 0, 7)).toBe(0x88);
    expect(describeAttr(0x04)).toBe('Device-nGnRE');
    expect(describeAttr(0xf4)).toBe('Normal O:WB I:NC');
  });
});

describe('S2CombineS1MemAttrs', () => {
  it('Device beats Normal, and the stronger Device type wins', () => {
    expect(c(0xff, SH_ISH, 0x04, 0)).toEqual([0x04, SH_OSH]);
    expect(c(0x04, 0, 0xcc, SH_ISH)).toEqual([0x04, SH_OSH]);
    expect(c(0x08, 0, 0x00, 0)).toEqual([0x00, SH_OSH]);
    expect(c(0x00, 0, 0x0c, 0)).toEqual([0x00, SH_OSH]);
  });
  it('Non-cacheable beats Write-Through beats Write-Back, inner and outer apart; stage-1 hints kept', () => {
    expect(c(0xff, SH_ISH, 0xcc, SH_ISH)).toEqual([0xff, SH_ISH]);
    expect(c(0xff, SH_ISH, 0x88, SH_ISH)).toEqual([0xbb, SH_ISH]); // WT with stage 1's RW hints
    expect(c(0xaa, SH_ISH, 0xcc, SH_ISH)).toEqual([0xaa, SH_ISH]);
    expect(c(0xff, SH_ISH, 0x44, SH_ISH)).toEqual([0x44, SH_OSH]); // NC is always Outer Shareable
    expect(c(0xf4, SH_ISH, 0x4c, SH_ISH)).toEqual([0x44, SH_OSH]);
    expect(c(0xff, SH_ISH, 0xc4, SH_ISH)).toEqual([0xf4, SH_ISH]);
  });
  it('the more shareable wins', () => {
    expect(c(0xff, SH_NSH, 0xcc, SH_ISH)).toEqual([0xff, SH_ISH]);
    expect(c(0xff, SH_ISH, 0xcc, SH_OSH)).toEqual([0xff, SH_OSH]);
    expect(c(0xff, SH_NSH, 0xcc, SH_NSH)).toEqual([0xff, SH_NSH]);
  });
  it('HCR_EL2.CD makes stage-2 Normal Non-cacheable, leaving Device alone', () => {
    expect(c(0xff, SH_ISH, 0xcc, SH_ISH, true)).toEqual([0x44, SH_OSH]);
    expect(c(0xff, SH_ISH, 0x04, 0, true)).toEqual([0x04, SH_OSH]);
  });
});

const POOL = RAM + 0x0100_0000;
const S2POOL = RAM + 0x0200_0000;

function par(cpu: Cpu): { f: number; pa: number; attr: number; sh: number; fst: number; ptw: number; s: number } {
  const lo = cpu.sysLo(SYS.PAR_EL1);
  const hi = cpu.sysHi(SYS.PAR_EL1);
  return {
    f: lo & 1,
    pa: (hi & 0xffff) * 2 ** 32 + (lo >>> 12) * 4096,
    attr: hi >>> 24,
    sh: (lo >>> 7) & 3,
    fst: (lo >>> 1) & 0x3f,
    ptw: (lo >>> 8) & 1,
    s: (lo >>> 9) & 1,
  };
}
const atVa = (cpu: Cpu, op: string, va: number): void => at(cpu, op, va % 2 ** 32 | 0, Math.floor(va / 2 ** 32));

function s1Setup() {
  const { m, cpu } = machine();
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: POOL });
  b.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf({ attrIndx: 0, sh: SH_ISH }), 3);
  b.map(0x2000, RAM + 0x6000, 0x1000, s1Leaf({ attrIndx: 3, ap: 2 }), 3);
  b.map(0x3000, 0x8000_0000, 0x1000, s1Leaf({ attrIndx: 0, ap: 1, sh: SH_ISH }), 3);
  setS1(cpu, { ttbr0: b.root });
  return { m, cpu, b };
}

describe('AT and PAR_EL1', () => {
  it('AT S1E1R: PA, F=0, ATTR from MAIR, SH', () => {
    const { cpu } = s1Setup();
    atVa(cpu, 'S1E1R', 0x1234);
    expect(par(cpu)).toMatchObject({ f: 0, pa: RAM + 0x5000, attr: 0xff, sh: SH_ISH });
    atVa(cpu, 'S1E1R', 0x2010);
    expect(par(cpu)).toMatchObject({ f: 0, pa: RAM + 0x6000, attr: 0x04, sh: SH_OSH });
    expect(cpu.sysLo(SYS.PAR_EL1) & (1 << 11)).not.toBe(0); // RES1
  });
  it('AT reports faults in PAR (F=1, FST, S=0) instead of taking them', () => {
    const { cpu } = s1Setup();
    atVa(cpu, 'S1E1W', 0x2000); // read-only
    expect(par(cpu)).toMatchObject({ f: 1, fst: 0x0f, s: 0, ptw: 0 });
    atVa(cpu, 'S1E0R', 0x1000); // EL1 only
    expect(par(cpu)).toMatchObject({ f: 1, fst: 0x0f });
    atVa(cpu, 'S1E0W', 0x3000);
    expect(par(cpu).f).toBe(0);
    atVa(cpu, 'S1E1R', 0x9000);
    expect(par(cpu)).toMatchObject({ f: 1, fst: 0x07 });
    expect(cpu.status).toBe(0);
  });
  it('AT does not use or change the TLB model or its statistics', () => {
    const { cpu } = s1Setup();
    atVa(cpu, 'S1E1R', 0x1000);
    const t = mmuOf(cpu).tlb;
    expect(t.l1d.stats.lookups + t.walks.s1Walks + t.l2.count()).toBe(0);
  });
  it('SCTLR_EL1.C=0 makes Normal memory Non-cacheable', () => {
    const { cpu } = s1Setup();
    cpu.setSys(SYS.SCTLR_EL1, 0x30d00800 | 1, 0);
    atVa(cpu, 'S1E1R', 0x1000);
    expect(par(cpu)).toMatchObject({ attr: 0x44, sh: SH_OSH });
  });
  it('with stage 2: S1E1R gives the IPA and stage-1 attributes; S12E1R the PA and combined ones', () => {
    const { m, cpu } = s1Setup();
    const b2 = new TableBuilder(m.bus, { inputSize: 40, startLevel: 1, poolBase: S2POOL });
    b2.map(POOL, POOL, 0x10_0000, s2Leaf(), 3);
    b2.map(0x8000_0000, RAM + 0x7000, 0x1000, s2Leaf({ memAttr: 0b1010, s2ap: 1 }), 3); // WT, read-only
    setS2(cpu, b2);
    atVa(cpu, 'S1E1R', 0x3008);
    expect(par(cpu)).toMatchObject({ f: 0, pa: 0x8000_0000, attr: 0xff });
    atVa(cpu, 'S12E1R', 0x3008);
    expect(par(cpu)).toMatchObject({ f: 0, pa: RAM + 0x7000, attr: 0xbb, sh: SH_ISH });
    atVa(cpu, 'S12E0W', 0x3008);
    expect(par(cpu)).toMatchObject({ f: 1, fst: 0x0f, s: 1, ptw: 0 });
    atVa(cpu, 'S12E1R', 0x1000); // output IPA RAM+0x5000 not mapped at stage 2
    expect(par(cpu)).toMatchObject({ f: 1, fst: 0x06, s: 1 });
  });
  it('a stage-2 fault on the walk of AT S1E1R is a Data Abort to EL2 (S1PTW, CM, WnR)', () => {
    const { m, cpu } = s1Setup();
    const b2 = new TableBuilder(m.bus, { inputSize: 40, startLevel: 1, poolBase: S2POOL });
    setS2(cpu, b2);
    cpu.setSys(SYS.PAR_EL1, 0x1234, 0);
    atVa(cpu, 'S1E1R', 0x1000);
    expect([cpu.status, cpu.excTargetEl, cpu.excEC, cpu.excISS]).toEqual([1, 2, 0x24, 0x80 | 0x100 | 0x40 | 0x05]);
    expect(cpu.sysLo(SYS.PAR_EL1)).toBe(0x1234);
  });
  it('HCR_EL2.DC: stage 1 off gives Normal WB (not Device); HCR_EL2.CD makes it Non-cacheable', () => {
    const { m, cpu } = machine();
    const b2 = new TableBuilder(m.bus, { inputSize: 40, startLevel: 1, poolBase: S2POOL });
    b2.map(RAM, RAM, 0x20_0000, s2Leaf({ sh: SH_ISH }), 2);
    setS2(cpu, b2, { vm: false, hcrLo: 1 << 12 }); // DC=1 implies stage 2 on even with VM=0
    cpu.setSys(SYS.SCTLR_EL1, 0x30d00801, 0); // M=1 is ignored while DC=1
    atVa(cpu, 'S12E1R', RAM + 0x40);
    expect(par(cpu)).toMatchObject({ f: 0, pa: RAM, attr: 0xff, sh: SH_ISH });
    setS2(cpu, b2, { vm: true });
    cpu.setSys(SYS.SCTLR_EL1, 0x30d00800, 0);
    atVa(cpu, 'S12E1R', RAM + 0x40);
    expect(par(cpu)).toMatchObject({ attr: 0x00, sh: SH_OSH }); // Device-nGnRnE default for data
    setS2(cpu, b2, { vm: true, hcrLo: 1 << 12, hcrHi: 1 }); // DC and CD
    atVa(cpu, 'S12E1R', RAM + 0x40);
    expect(par(cpu)).toMatchObject({ attr: 0x44, sh: SH_OSH });
  });
  it('the AT instruction writes PAR_EL1 for MRS', async () => {
    const m = await runAsm('at s1e1r, x0\nmrs x1, par_el1\nhlt #1', {
      x: { 0: 0x1234n },
      setup: (mm) => {
        const b = new TableBuilder(mm.bus, { inputSize: 48, poolBase: POOL });
        b.map(RAM, RAM, 0x20_0000, s1Leaf(), 2);
        b.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf({ sh: SH_ISH }), 3);
        setS1(mm.cpu, { ttbr0: b.root });
      },
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe((0xffn << 56n) | BigInt(RAM + 0x5000) | (3n << 7n) | (1n << 11n));
  });
});
