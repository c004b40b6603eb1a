// The TLB model (ARM ARM D8.10 "Translation Lookaside Buffers", D8.13 TLB maintenance): VMID and
// ASID tagging, global entries, and what each TLBI removes. A cached translation stays in use
// after the tables change until a TLBI removes it (the architecture allows either until then; the
// model keeps it, which makes missing TLBIs in guests visible).
import { describe, it, expect } from 'vitest';
import { machine, setS1, setS2, setAsid, probe, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import { mmuOf, configureTlb } from '../../src/mmu/translate.js';
import { tlbi, tlbiVmallS12E1, tlbiIpaS2E1, tlbiAllE1 } from '../../src/mmu/maintenance.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const S1POOL = RAM + 0x0100_0000;
const S2POOL = RAM + 0x0200_0000;

/** TLBI by VA operand: Xt[43:0] = VA[55:12], Xt[63:48] = ASID. */
function tlbiVa(cpu: Cpu, op: string, va: number, asid = 0): void {
  const page = Math.floor(va / 4096);
  tlbi(cpu, op, page % 2 ** 32 | 0, (Math.floor(page / 2 ** 32) & 0xfff) | (asid << 16));
}

/** Two ASIDs with their own TTBR0 tables mapping VA 0x1000 to different pages. */
function twoAsids(globalPages = false) {
  const { m, cpu } = machine();
  const a = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL + 0x10_0000 });
  a.map(0x1000, RAM + 0xa000, 0x1000, s1Leaf({ ng: !globalPages }), 3);
  b.map(0x1000, RAM + 0xb000, 0x1000, s1Leaf({ ng: !globalPages }), 3);
  a.map(0x20_0000, RAM + 0x20_0000, 0x20_0000, s1Leaf({ ng: true }), 2);
  b.map(0x20_0000, RAM + 0x40_0000, 0x20_0000, s1Leaf({ ng: true }), 2);
  setS1(cpu, { ttbr0: a.root, asid: 1 });
  const use = (which: 'a' | 'b'): void => {
    const t = which === 'a' ? a : b;
    cpu.setSys(SYS.TTBR0_EL1, t.root, (which === 'a' ? 1 : 2) << 16);
    cpu.contextChanged();
  };
  return { cpu, a, b, use };
}

describe('ASID tagging', () => {
  it('two ASIDs coexist: switching TTBR0/ASID needs no TLBI and no new walk', () => {
    const { cpu, use } = twoAsids();
    const w = mmuOf(cpu).tlb.walks;
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000);
    use('b');
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xb000);
    use('a');
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000);
    use('b');
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xb000);
    expect(w.s1Walks).toBe(2);
  });
  it('a global (nG=0) entry matches any ASID', () => {
    const { cpu, use } = twoAsids(true);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000);
    use('b');
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000); // ASID 2's own tables are not walked
  });
  it('TCR_EL1.A1=1 takes the ASID from TTBR1_EL1 (TTBR0_EL1.ASID is ignored)', () => {
    const { cpu, a } = twoAsids();
    cpu.setSys(SYS.TCR_EL1, cpu.sysLo(SYS.TCR_EL1) | (1 << 22), cpu.sysHi(SYS.TCR_EL1));
    cpu.setSys(SYS.TTBR1_EL1, 0, 6 << 16);
    probe(cpu, 0x1000n);
    expect(mmuOf(cpu).asid).toBe(6);
    a.map(0x1000, RAM + 0xc000, 0x1000, s1Leaf({ ng: true }), 3);
    cpu.setSys(SYS.TTBR0_EL1, a.root, 9 << 16); // TTBR0's ASID field changes: same context
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000);
    cpu.setSys(SYS.TTBR1_EL1, 0, 7 << 16); // a new ASID: the old entry does not match
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xc000);
  });
  it('with TCR_EL1.AS=0 only ASID[7:0] tags entries', () => {
    const { cpu, a } = twoAsids();
    cpu.setSys(SYS.TCR_EL1, cpu.sysLo(SYS.TCR_EL1), cpu.sysHi(SYS.TCR_EL1) & ~(1 << 4));
    setAsid(cpu, 0x101);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000);
    a.map(0x1000, RAM + 0xc000, 0x1000, s1Leaf({ ng: true }), 3); // behind the TLB's back
    setAsid(cpu, 0x201); // same 8-bit ASID 0x01: the cached entry still applies
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xa000);
  });
});

describe('TLBI by ASID and VA', () => {
  it('VAE1 removes the VA for that ASID; other ASIDs keep theirs', () => {
    const { cpu, a, b, use } = twoAsids();
    use('a');
    probe(cpu, 0x1000n);
    use('b');
    probe(cpu, 0x1000n);
    a.map(0x1000, RAM + 0xc000, 0x1000, s1Leaf({ ng: true }), 3);
    b.map(0x1000, RAM + 0xd000, 0x1000, s1Leaf({ ng: true }), 3);
    tlbiVa(cpu, 'VAE1', 0x1000, 1);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xb000); // ASID 2 (current) untouched
    use('a');
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xc000); // ASID 1 re-walked
  });
  it('VAE1 removes global entries of that VA whatever the ASID operand', () => {
    const { cpu, a } = twoAsids(true);
    probe(cpu, 0x1000n);
    a.map(0x1000, RAM + 0xc000, 0x1000, s1Leaf(), 3);
    tlbiVa(cpu, 'VAE1IS', 0x1000, 77);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xc000);
  });
  it('VAAE1 and VAALE1 remove the VA for all ASIDs', () => {
    for (const op of ['VAAE1', 'VAALE1IS']) {
      const { cpu, a, b, use } = twoAsids();
      probe(cpu, 0x1000n);
      use('b');
      probe(cpu, 0x1000n);
      a.map(0x1000, RAM + 0xc000, 0x1000, s1Leaf({ ng: true }), 3);
      b.map(0x1000, RAM + 0xd000, 0x1000, s1Leaf({ ng: true }), 3);
      tlbiVa(cpu, op, 0x1000);
      expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xd000);
      use('a');
      expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xc000);
    }
  });
  it('VALE1 removes a block entry given any address inside the block', () => {
    const { cpu, a } = twoAsids();
    expect(probe(cpu, 0x30_0000n).pa).toBe(RAM + 0x30_0000);
    a.map(0x20_0000, RAM + 0x60_0000, 0x20_0000, s1Leaf({ ng: true }), 2);
    tlbiVa(cpu, 'VALE1', 0x23_4000, 7); // wrong ASID: the block stays
    expect(probe(cpu, 0x30_0000n).pa).toBe(RAM + 0x30_0000);
    tlbiVa(cpu, 'VALE1', 0x23_4000, 1);
    expect(probe(cpu, 0x30_0000n).pa).toBe(RAM + 0x70_0000);
  });
  it('TLBI by VA reaches TTBR1 addresses: Xt[43:0] = VA[55:12], sign-extended from bit 55', () => {
    const { m, cpu } = machine();
    const b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
    b1.map(2 ** 48 - 0x10_0000, RAM + 0x8000, 0x1000, s1Leaf(), 3);
    setS1(cpu, { ttbr1: b1.root });
    const va = 0xffff_ffff_fff0_0010n;
    expect(probe(cpu, va).pa).toBe(RAM + 0x8010);
    b1.map(2 ** 48 - 0x10_0000, RAM + 0x9000, 0x1000, s1Leaf(), 3);
    expect(probe(cpu, va).pa).toBe(RAM + 0x8010);
    const xt = (va >> 12n) & ((1n << 44n) - 1n);
    tlbi(cpu, 'VAAE1IS', Number(xt & 0xffffffffn) | 0, Number(xt >> 32n));
    expect(probe(cpu, va).pa).toBe(RAM + 0x9010);
  });
  it('ASIDE1 removes one ASID, not global entries and not other ASIDs', () => {
    const { cpu, a, use } = twoAsids();
    a.map(0x40_0000, RAM + 0x1_0000, 0x1000, s1Leaf(), 3); // global
    probe(cpu, 0x1000n);
    probe(cpu, 0x40_0000n);
    use('b');
    probe(cpu, 0x1000n);
    const l1d = mmuOf(cpu).tlb.l1d;
    expect(l1d.count()).toBe(3);
    tlbi(cpu, 'ASIDE1', 0, 1 << 16);
    expect(l1d.count()).toBe(2);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0xb000);
    use('a');
    expect(probe(cpu, 0x40_0000n).pa).toBe(RAM + 0x1_0000);
    expect(mmuOf(cpu).tlb.walks.s1Walks).toBe(3);
  });
  it('an unknown TLBI operation is UNDEFINED', () => {
    const { cpu } = twoAsids();
    tlbi(cpu, 'RVAE1', 0, 0);
    expect([cpu.status, cpu.excEC]).toEqual([1, 0]);
  });
});

/** Two VMs with the same stage-1 tables and ASID but different stage 2. */
function twoVms() {
  const { m, cpu } = machine();
  const s1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
  s1.map(0x1000, 0x8000_0000, 0x1000, s1Leaf({ ng: false }), 3); // global at stage 1
  const vm = [1, 2].map((k) => {
    const b = new TableBuilder(m.bus, { inputSize: 44, poolBase: S2POOL + k * 0x10_0000 });
    b.map(S1POOL, S1POOL, 0x10_0000, s2Leaf(), 3);
    b.map(0x8000_0000, RAM + k * 0x1_0000, 0x1000, s2Leaf(), 3);
    return b;
  });
  setS1(cpu, { ttbr0: s1.root, asid: 3 });
  const use = (k: 1 | 2): void => setS2(cpu, vm[k - 1], { vmid: k });
  use(1);
  return { cpu, use, vm };
}

describe('VMID tagging', () => {
  it('two VMIDs with the same ASID (and global pages) never hit each other\'s entries', () => {
    const { cpu, use } = twoVms();
    const w = mmuOf(cpu).tlb.walks;
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x1_0000);
    use(2);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x2_0000);
    use(1);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x1_0000);
    expect(w.s1Walks).toBe(2);
  });
  it('with VTCR_EL2.VS=0 only VMID[7:0] tags entries', () => {
    const { cpu, vm } = twoVms();
    const vs0 = (vmid: number): void => {
      cpu.setSys(SYS.VTCR_EL2, cpu.sysLo(SYS.VTCR_EL2) & ~(1 << 19), 0);
      const [lo, hi] = vm[0].vttbr(vmid);
      cpu.setSys(SYS.VTTBR_EL2, lo, hi);
    };
    vs0(0x101);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x1_0000);
    vm[0].map(0x8000_0000, RAM + 0x6_0000, 0x1000, s2Leaf(), 3);
    vs0(0x201); // the same 8-bit VMID: cached entries still apply
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x1_0000);
    vs0(0x102);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x6_0000);
  });
  it('VMALLS12E1 removes only the current VM\'s entries, stage 1 and stage 2', () => {
    const { cpu, use, vm } = twoVms();
    probe(cpu, 0x1000n);
    use(2);
    probe(cpu, 0x1000n);
    vm[0].map(0x8000_0000, RAM + 0x3_0000, 0x1000, s2Leaf(), 3);
    vm[1].map(0x8000_0000, RAM + 0x4_0000, 0x1000, s2Leaf(), 3);
    use(1);
    tlbiVmallS12E1(cpu);
    const t = mmuOf(cpu).tlb;
    expect(t.ipa.removeWhere((e) => t.ipa.vmid[e] === 1)).toBe(0); // none left for VMID 1
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x3_0000);
    use(2);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x2_0000); // VM 2 still cached
  });
  it('VMALLE1 (from the guest) removes stage-1 entries of its VMID only; IPA cache entries stay', () => {
    const { cpu, use } = twoVms();
    probe(cpu, 0x1000n);
    use(2);
    probe(cpu, 0x1000n);
    const t = mmuOf(cpu).tlb;
    const ipaBefore = t.ipa.count();
    tlbi(cpu, 'VMALLE1IS', 0, 0);
    expect(t.l2.count()).toBe(1); // VM 1's entry
    expect(t.ipa.count()).toBe(ipaBefore);
  });
  it('IPAS2E1 removes the stage-2 entry only: combined entries need a VMALLE1 too', () => {
    const { cpu, vm } = twoVms();
    probe(cpu, 0x1000n);
    vm[0].map(0x8000_0000, RAM + 0x5_0000, 0x1000, s2Leaf(), 3);
    tlbiIpaS2E1(cpu, 0x8000_0000);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x1_0000); // combined entry still there
    tlbi(cpu, 'VMALLE1', 0, 0);
    expect(probe(cpu, 0x1000n).pa).toBe(RAM + 0x5_0000);
  });
  it('ALLE1 removes every VM\'s entries', () => {
    const { cpu, use } = twoVms();
    probe(cpu, 0x1000n);
    use(2);
    probe(cpu, 0x1000n);
    tlbiAllE1(cpu);
    const t = mmuOf(cpu).tlb;
    expect(t.l1d.count() + t.l2.count() + t.ipa.count()).toBe(0);
  });
});

describe('TLB geometry and statistics', () => {
  it('L1 misses go to the L2, then to a walk; counts per level and per context', () => {
    const { m, cpu } = machine();
    const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
    b.map(0x10_0000, RAM + 0x10_0000, 0x4_0000, s1Leaf({ ng: true }), 3);
    setS1(cpu, { ttbr0: b.root, asid: 9 });
    const t = mmuOf(cpu).tlb;
    for (let k = 0; k < 40; k++) probe(cpu, BigInt(0x10_0000 + k * 4096));
    for (let k = 0; k < 40; k++) probe(cpu, BigInt(0x10_0000 + k * 4096));
    // 32-entry round-robin L1 DTLB: a 40-page cycle misses every time; the 1024-entry L2 holds all.
    expect(t.l1d.stats.lookups).toBe(80);
    expect(t.l1d.stats.misses).toBe(80);
    expect(t.l1d.stats.evictions).toBe(48);
    expect(t.l2.stats.hits).toBe(40);
    expect(t.walks.s1Walks).toBe(40);
    // The first walk reads 4 descriptors; the walk cache then supplies the level-3 table.
    expect(t.walks.s1DescReads).toBe(4 + 39);
    expect(t.walk.stats.hits).toBe(39);
    const ctx = t.contexts.get(0 * 65536 + 9)!;
    // (L1 lookups are derived from executed instructions, test/cpu/pmu-exact.test.ts: none here.)
    expect([ctx.l1Misses, ctx.walks, ctx.s1DescReads]).toEqual([80, 40, 43]);
  });
  it('charges modelled cycles: 20 per descriptor read, 3 for an L1 miss that hits the L2', () => {
    const { m, cpu } = machine();
    const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
    b.map(0x10_0000, RAM + 0x10_0000, 0x40_000, s1Leaf(), 3);
    setS1(cpu, { ttbr0: b.root });
    const c0 = cpu.cycles;
    probe(cpu, 0x10_0000n);
    expect(cpu.cycles - c0).toBe(4 * 20);
    for (let k = 1; k <= 32; k++) probe(cpu, BigInt(0x10_0000 + k * 4096)); // evicts page 0 from L1
    const c1 = cpu.cycles;
    probe(cpu, 0x10_0000n);
    expect(cpu.cycles - c1).toBe(3);
  });
  it('the geometry is configurable; with 4 sets of 1 way, conflicting pages evict each other', () => {
    const { m, cpu } = machine();
    configureTlb(cpu, { l1d: { entries: 4, ways: 4 }, l2: { entries: 4, ways: 1 } });
    const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
    b.map(0x10_0000, RAM + 0x10_0000, 0x10_000, s1Leaf(), 3);
    setS1(cpu, { ttbr0: b.root });
    const t = mmuOf(cpu).tlb;
    probe(cpu, 0x10_0000n);
    probe(cpu, 0x10_4000n); // same L2 set (page number mod 4)
    expect(t.l2.stats.evictions).toBe(1);
    expect(t.l2.count()).toBe(1);
  });
  it('a PE reset empties the TLB model', () => {
    const { cpu } = twoVms();
    probe(cpu, 0x1000n);
    const t = mmuOf(cpu).tlb;
    expect(t.l2.count()).toBe(1);
    cpu.reset();
    expect(t.l1d.count() + t.l2.count() + t.ipa.count()).toBe(0);
  });
});

describe('stage-1 walk cache', () => {
  function setup() {
    const { m, cpu } = machine();
    const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: S1POOL });
    b.map(0x10_0000, RAM + 0x10_0000, 0x4000, s1Leaf({ ng: true }), 3);
    setS1(cpu, { ttbr0: b.root, asid: 4 });
    const w = mmuOf(cpu).tlb.walks;
    return { cpu, b, w };
  }
  it('TLBI VALE1 (last level) keeps cached tables; VAE1 removes them', () => {
    const { cpu, w } = setup();
    probe(cpu, 0x10_0000n);
    expect(w.lastS1Reads).toBe(4);
    tlbiVa(cpu, 'VALE1', 0x10_0000, 4);
    probe(cpu, 0x10_0000n);
    expect(w.lastS1Reads).toBe(1);
    tlbiVa(cpu, 'VAE1', 0x10_0000, 4);
    probe(cpu, 0x10_0000n);
    expect(w.lastS1Reads).toBe(4);
  });
  it('a changed table pointer is used only after a non-last-level TLBI', () => {
    const { cpu, b } = setup();
    expect(probe(cpu, 0x10_1000n).pa).toBe(RAM + 0x10_1000);
    // Point the level-2 entry at a fresh level-3 table mapping the page elsewhere.
    const other = new TableBuilder(cpu.bus, { inputSize: 48, poolBase: S1POOL + 0x8_0000 });
    other.map(0x10_0000, RAM + 0x50_0000, 0x4000, s1Leaf({ ng: true }), 3);
    const [lo, hi] = other.desc(0x10_0000, 2)!;
    const da = b.descAddr(0x10_0000, 2);
    cpu.bus.write(da, 4, lo >>> 0);
    cpu.bus.write(da + 4, 4, hi >>> 0);
    tlbiVa(cpu, 'VALE1', 0x10_1000, 4);
    expect(probe(cpu, 0x10_1000n).pa).toBe(RAM + 0x10_1000); // old level-3 table from the walk cache
    tlbiVa(cpu, 'VAE1', 0x10_1000, 4);
    expect(probe(cpu, 0x10_1000n).pa).toBe(RAM + 0x50_1000);
  });
  it('walk cache entries are tagged by ASID and removed by ASIDE1', () => {
    const { cpu, w } = setup();
    probe(cpu, 0x10_0000n);
    setAsid(cpu, 5);
    probe(cpu, 0x10_0000n);
    expect(w.lastS1Reads).toBe(4); // another ASID does not use ASID 4's cached tables
    setAsid(cpu, 4);
    tlbi(cpu, 'ASIDE1', 0, 4 << 16);
    probe(cpu, 0x10_1000n);
    expect(w.lastS1Reads).toBe(4);
    probe(cpu, 0x10_2000n);
    expect(w.lastS1Reads).toBe(1);
  });
});


describe('TLBI by VA searches only the sets that can hold the VA (TlbArray.removeVa)', () => {
  // The set-indexed search must remove exactly what a scan of every entry would: random entries
  // of 4K/2M/1G (stage-1 size = entry size, and with some split by stage 2, where every entry
  // is scanned), random TLBI VAs near them.
  it('removes the same entries as a full scan, with and without stage-2 split entries', async () => {
    const { Tlb } = await import('../../src/mmu/tlb.js');
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const SHIFTS = [12, 21, 30];
    for (const splitSome of [false, true]) {
      const a = new Tlb().l2;
      const b = new Tlb().l2;
      for (let k = 0; k < 3000; k++) {
        const s1 = SHIFTS[rnd(3)];
        const shift = splitSome && rnd(4) === 0 ? 12 : s1;
        const lo = (rnd(1 << 20) << 12) | 0;
        const hi = rnd(2);
        for (const t of [a, b]) {
          const e = t.allocate(lo & ~((2 ** shift - 1) | 0), hi, shift);
          t.s1shift[e] = s1;
          t.commit(e, lo, hi, shift);
        }
      }
      for (let k = 0; k < 400; k++) {
        const e = rnd(a.n);
        const lo = a.valid[e] ? (a.inLo[e] + rnd(0x1000) * 4096) | 0 : (rnd(1 << 20) << 12) | 0;
        const hi = a.valid[e] ? a.inHi[e] : rnd(2);
        const matches = (t: typeof a) => (x: number): boolean => {
          const m = ~((2 ** t.s1shift[x] - 1) | 0);
          return t.inHi[x] === hi && (t.inLo[x] & m) === (lo & m);
        };
        a.removeVa(lo, hi, matches(a));
        b.removeWhere(matches(b));
        expect([...a.valid]).toEqual([...b.valid]);
      }
      expect(a.count()).toBeLessThan(1024);
    }
  });
});
