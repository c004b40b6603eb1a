// Stage-1 translation (ARM ARM D8.2/D8.3, AArch64.S1Translate / S1Walk) per granule and level,
// VA range selection, TBI, and every stage-1 fault kind with its level.
import { describe, it, expect } from 'vitest';
import { machine, setS1, probe, poke64, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { ACC_READ, ACC_WRITE, ACC_FETCH, MT_DEVICE, MT_NORMAL } from '../../src/mmu/translate.js';
import { SYS } from '../../src/cpu/sysregs.js';

const POOL = RAM + 0x0100_0000;
const N = s1Leaf({ attrIndx: 0, ap: 0 }); // Normal WB, EL1 RW

function setup(granule = 4096, inputSize = 48) {
  const { m, cpu } = machine();
  const b = new TableBuilder(m.bus, { granule, inputSize, poolBase: POOL });
  setS1(cpu, { granule, t0sz: 64 - inputSize, ttbr0: b.root });
  return { m, cpu, b };
}

describe('stage 1, 4K granule', () => {
  it('translates a level-3 page, a level-2 block and a level-1 block', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM + 0x5000, 0x1000, N, 3);
    b.map(0x20_0000, RAM + 0x40_0000, 0x20_0000, N, 2);
    b.map(0x8000_0000, RAM, 0x4000_0000, N, 1);
    expect(probe(cpu, 0x1abcn).pa).toBe(RAM + 0x5abc);
    expect(probe(cpu, 0x2f_fff8n).pa).toBe(RAM + 0x4f_fff8);
    expect(probe(cpu, 0x8123_4567n).pa).toBe(RAM + 0x0123_4567);
  });
  it('a 48-bit VA starts at level 0 and a 39-bit VA (T0SZ=25) at level 1', () => {
    const { cpu, b } = setup();
    b.map(0x7f_ffff_f000, RAM + 0x3000, 0x1000, N, 3);
    expect(b.startLevel).toBe(0);
    expect(probe(cpu, 0x7f_ffff_f010n).pa).toBe(RAM + 0x3010);
    const s = setup(4096, 39);
    expect(s.b.startLevel).toBe(1);
    s.b.map(0x40_0000_0000 + 0x1000, RAM + 0x7000, 0x1000, N, 3);
    expect(probe(s.cpu, 0x40_0000_1008n).pa).toBe(RAM + 0x7008);
  });
  it('TTBR1 covers the top of the address space (TG1=0b10 is 4K)', () => {
    const { m, cpu } = machine();
    const b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: POOL });
    setS1(cpu, { ttbr1: b1.root });
    b1.map(0xffff_0000_0000_1000 - 2 ** 64 + 2 ** 48, RAM + 0x9000, 0x1000, N, 3);
    expect(probe(cpu, 0xffff_0000_0000_1234n).pa).toBe(RAM + 0x9234);
  });
  it('an address in neither range is a level-0 Translation fault with FAR = VA', () => {
    const { cpu } = setup(4096, 39);
    const r = probe(cpu, 0x0000_8000_0000_0000n);
    expect(r.ec).toBe(0x25);
    expect(r.fsc).toBe(0x04);
    expect(r.far).toBe(0x0000_8000_0000_0000n);
    // With T1SZ=25 the TTBR1 range starts at 0xffff_ff80_0000_0000.
    cpu.setSys(SYS.TCR_EL1, cpu.sysLo(SYS.TCR_EL1) | (25 << 16), cpu.sysHi(SYS.TCR_EL1));
    expect(probe(cpu, 0xffff_0000_0000_0000n).fsc).toBe(0x04);
  });
  it('TBI0 ignores the top byte for data accesses, not for instruction fetches', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM + 0x5000, 0x1000, N, 3);
    expect(probe(cpu, 0x5a00_0000_0000_1004n).fsc).toBe(0x04); // TBI0=0: out of range
    cpu.setSys(SYS.TCR_EL1, cpu.sysLo(SYS.TCR_EL1), cpu.sysHi(SYS.TCR_EL1) | (1 << 5)); // TBI0
    expect(probe(cpu, 0x5a00_0000_0000_1004n).pa).toBe(RAM + 0x5004);
    expect(probe(cpu, 0x5a00_0000_0000_1004n, ACC_FETCH).fsc).toBe(0x04);
  });
  it('an invalid descriptor faults at its level (DFSC 0b0001LL)', () => {
    const { cpu, b } = setup();
    expect(probe(cpu, 0x1000n).fsc).toBe(0x04); // empty level-0 table
    b.map(0x1000, RAM + 0x5000, 0x1000, N, 3);
    b.unmap(0x1000, 3);
    expect(probe(cpu, 0x1000n).fsc).toBe(0x07);
    expect(probe(cpu, 0x2000n).fsc).toBe(0x07); // same level-3 table, empty slot
    expect(probe(cpu, 0x4000_0000n).fsc).toBe(0x05); // level-1 slot 1 empty
    expect(probe(cpu, 0x80_0000_0000n).fsc).toBe(0x04); // level-0 slot 1 empty
    expect(probe(cpu, 0x60_0000n).fsc).toBe(0x06); // level-2 slot 3 empty
  });
  it('a block descriptor at level 0, or 0b01 at level 3, is a Translation fault', () => {
    const { cpu, b } = setup();
    poke64(cpu, b.root, (RAM | 0x401) >>> 0, 0); // block at level 0: not allowed with 4K
    expect(probe(cpu, 0x10n).fsc).toBe(0x04);
    const s = setup();
    s.b.map(0x1000, RAM + 0x5000, 0x1000, N, 3);
    const da = s.b.descAddr(0x1000, 3);
    poke64(s.cpu, da, (RAM + 0x5000) | 0x401, 0); // bits[1:0]=01 at level 3: reserved
    expect(probe(s.cpu, 0x1000n).fsc).toBe(0x07);
  });
  it('AF=0 is an Access flag fault at the leaf level (no hardware AF update)', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf({ af: false }), 3);
    b.map(0x20_0000, RAM + 0x20_0000, 0x20_0000, s1Leaf({ af: false }), 2);
    expect(probe(cpu, 0x1000n).fsc).toBe(0x0b);
    expect(probe(cpu, 0x20_0000n, ACC_WRITE).iss & 0x7f).toBe(0x40 | 0x0a); // WnR + level 2
  });
  it('output addresses above TCR_EL1.IPS are Address size faults at that level', () => {
    const { cpu, b } = setup();
    cpu.setSys(SYS.TCR_EL1, cpu.sysLo(SYS.TCR_EL1), (cpu.sysHi(SYS.TCR_EL1) & ~7) | 0); // IPS=32 bits
    b.map(0x1000, 0x1_0000_0000, 0x1000, N, 3); // page at 4 GiB: above 32 bits
    expect(probe(cpu, 0x1000n).fsc).toBe(0x03);
    // The tables themselves sit above 4 GiB? No: at RAM (1 GiB). The TTBR check: move the base up.
    cpu.setSys(SYS.TTBR0_EL1, 0, 1); // BADDR = 4 GiB > 32-bit output size
    expect(probe(cpu, 0x1000n).fsc).toBe(0x00);
    // With IPS=44 bits (PARange) the page is fine.
    const s = setup();
    s.b.map(0x1000, 0x1_0000_0000, 0x1000, N, 3);
    expect(probe(s.cpu, 0x1000n).pa).toBe(0x1_0000_0000);
    s.b.map(0x2000, 2 ** 44, 0x1000, N, 3);
    expect(probe(s.cpu, 0x2000n).fsc).toBe(0x03);
  });
  it('TCR_EL1.EPD0 makes a TLB miss in the TTBR0 range a level-0 Translation fault', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM + 0x5000, 0x1000, N, 3);
    cpu.setSys(SYS.TCR_EL1, cpu.sysLo(SYS.TCR_EL1) | (1 << 7), cpu.sysHi(SYS.TCR_EL1));
    expect(probe(cpu, 0x1000n).fsc).toBe(0x04);
  });
  it('MAIR Device attributes give Device memory, Normal ones Normal', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf({ attrIndx: 1 }), 3);
    b.map(0x2000, RAM + 0x6000, 0x1000, s1Leaf({ attrIndx: 3 }), 3);
    b.map(0x3000, RAM + 0x7000, 0x1000, s1Leaf({ attrIndx: 2 }), 3);
    expect(probe(cpu, 0x1000n).memType).toBe(MT_DEVICE);
    expect(probe(cpu, 0x2000n).memType).toBe(MT_DEVICE);
    expect(probe(cpu, 0x3000n).memType).toBe(MT_NORMAL);
  });
  it('faults from EL0 use the lower-EL classes; fetch faults are instruction aborts', () => {
    const { cpu } = setup();
    expect(probe(cpu, 0x1000n, ACC_READ, 0).ec).toBe(0x24);
    expect(probe(cpu, 0x1000n, ACC_FETCH, 0).ec).toBe(0x20);
    expect(probe(cpu, 0x1000n, ACC_FETCH, 1).ec).toBe(0x21);
    expect(probe(cpu, 0x1000n, ACC_WRITE, 1).iss).toBe(0x44); // WnR | level-0 translation
  });
});

describe('stage 1, 16K and 64K granules', () => {
  it('16K: 48-bit VA starts at level 0 (1 bit), level-2 blocks are 32 MiB, pages 16 KiB', () => {
    const { cpu, b } = setup(16384);
    expect(b.startLevel).toBe(0);
    expect(b.startBits).toBe(1);
    b.map(0x4000, RAM + 0x8000, 0x4000, N, 3);
    b.map(0x200_0000, RAM + 0x400_0000, 0x200_0000, N, 2);
    expect(probe(cpu, 0x7ffcn).pa).toBe(RAM + 0xbffc);
    expect(probe(cpu, 0x3ff_fff0n).pa).toBe(RAM + 0x5ff_fff0);
    expect(probe(cpu, 0x8000n).fsc).toBe(0x07);
  });
  it('16K: a level-1 block is not allowed without 52-bit addresses', () => {
    const { cpu, b } = setup(16384);
    const da = b.descAddr(0, 1);
    poke64(cpu, da, RAM | 0x401, 0);
    expect(probe(cpu, 0x100n).fsc).toBe(0x05);
  });
  it('64K: 48-bit VA starts at level 1, level-2 blocks are 512 MiB, pages 64 KiB', () => {
    const { m, cpu, b } = setup(65536);
    expect(b.startLevel).toBe(1);
    b.map(0x1_0000, RAM + 0x2_0000, 0x1_0000, N, 3);
    expect(probe(cpu, 0x1_fffcn).pa).toBe(RAM + 0x2_fffc);
    b.map(0x2000_0000, 0, 0x2000_0000, N, 2);
    expect(probe(cpu, 0x2000_1000n).pa).toBe(0x1000);
    void m;
  });
  it('TTBR1 with TG1=0b11 is 64K and TG1=0b01 is 16K (TG1 encodes differently from TG0)', () => {
    for (const granule of [65536, 16384]) {
      const { m, cpu } = machine();
      const b1 = new TableBuilder(m.bus, { granule, inputSize: 48, poolBase: POOL });
      setS1(cpu, { granule1: granule, granule: 4096, ttbr1: b1.root });
      b1.map(2 ** 48 - 2 * granule, RAM + 4 * granule, granule, N, 3);
      expect(probe(cpu, 0xffff_ffff_ffff_ffffn - BigInt(2 * granule) + 1n + 8n).pa).toBe(RAM + 4 * granule + 8);
    }
  });
});

describe('stage-1 fault levels for every granule', () => {
  for (const granule of [4096, 16384, 65536]) {
    it(`${granule / 1024}K: translation faults at each level, AF and permission faults at pages and blocks`, () => {
      const { cpu, b } = setup(granule);
      const g = Math.log2(granule);
      const shift = (l: number): number => g + (3 - l) * (g - 3);
      const A = 4 * granule;
      b.map(A, RAM + 0x10_0000, granule, N, 3);
      for (let l = b.startLevel; l <= 3; l++) {
        // The next index at level l: same tables above, an empty slot at l.
        expect(probe(cpu, BigInt(A + 2 ** shift(l))).fsc).toBe(0x04 + l);
      }
      expect(probe(cpu, BigInt(A + 8)).pa).toBe(RAM + 0x10_0008);
      b.map(A + granule, RAM, granule, s1Leaf({ af: false }), 3);
      expect(probe(cpu, BigInt(A + granule)).fsc).toBe(0x0b);
      b.map(A + 2 * granule, RAM, granule, s1Leaf({ ap: 2 }), 3);
      expect(probe(cpu, BigInt(A + 2 * granule), ACC_WRITE).fsc).toBe(0x0f);
      const blk = 2 ** shift(2);
      b.map(4 * blk, RAM, blk, s1Leaf({ af: false }), 2);
      b.map(5 * blk, 0, blk, s1Leaf({ ap: 2 }), 2);
      expect(probe(cpu, BigInt(4 * blk + 0x10)).fsc).toBe(0x0a);
      expect(probe(cpu, BigInt(5 * blk + 0x10), ACC_WRITE).fsc).toBe(0x0e);
      expect(probe(cpu, BigInt(5 * blk + 0x10)).pa).toBe(0x10);
    });
  }
});
