// Stream table entries and the stream table (IHI 0070 5.2, 3.3.1-3.3.2, 6.3.24): every STE field
// the model decodes, the ILLEGAL combinations that give C_BAD_STE, linear and two-level tables,
// C_BAD_STREAMID and F_STE_FETCH.
import { describe, expect, it } from 'vitest';
import { rig, writeSte, writeWords, steWords, s2Builder, s1Builder, drainEvents, cdWords, wr64, w64, STRTAB, CDS, RAM, type S2Fields } from './helpers.js';
import { s1Leaf, s2Leaf, TableBuilder } from '../../src/mmu/builder.js';
import * as R from '../../src/smmu/regs.js';
import { CLASS_TT } from '../../src/smmu/events.js';

const PAGE = RAM + 0x80_0000;

function s2Stream(s2: Partial<S2Fields> = {}) {
  const r = rig();
  const b = s2Builder(r);
  b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({}), 3);
  writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, ...s2 } });
  return { r, b, pa: r.smmu.translate(1, 0x1000_0000, false), events: drainEvents(r).map((e) => e.name) };
}

describe('C_BAD_STE for ILLEGAL entries', () => {
  const cases: [string, Parameters<typeof steWords>[0]][] = [
    ['V=0', { v: false, config: 0b100 }],
    ['Config=0b001 (reserved)', { config: 0b001 }],
    ['Config=0b010 (reserved)', { config: 0b010 }],
    ['Config=0b011 (reserved)', { config: 0b011 }],
    ['S1CDMax > SSIDSIZE (0)', { config: 0b101, cdPtr: CDS, cdMax: 1 }],
    ['S1ContextPtr above the OAS', { config: 0b101, cdPtr: 2 ** 44 }],
    ['STRW=0b01 (reserved)', { config: 0b101, cdPtr: CDS, strw: 1 }],
    ['STRW=0b11 (EL3: no Secure state)', { config: 0b101, cdPtr: CDS, strw: 3 }],
    ['STRW=EL2 with stage 2', { config: 0b111, cdPtr: CDS, strw: 2, s2: { ttb: RAM } }],
  ];
  for (const [name, ste] of cases) {
    it(name, () => {
      const r = rig();
      writeWords(r.bus, CDS, cdWords({}));
      writeSte(r, 3, ste);
      expect(r.smmu.translate(3, 0x1000, false)).toBe(-1);
      const ev = drainEvents(r);
      expect(ev.map((e) => [e.name, e.sid])).toEqual([['C_BAD_STE', 3]]);
    });
  }

  const s2cases: [string, Partial<S2Fields>][] = [
    ['S2AA64=0 (IDR0.TTF: AArch64 only)', { aa64: false }],
    ['S2ENDI=1 (little-endian only)', { endi: true }],
    ['S2S=1 (no stall model)', { s: true }],
    ['S2TG=0b11 (reserved)', { tg: 3 }],
    ['S2T0SZ=15 (below the minimum)', { t0sz: 15 }],
    ['S2T0SZ=40 (above the maximum)', { t0sz: 40 }],
    ['S2SL0=0b11 (AArch64.S2InvalidSL)', { sl0: 3 }],
    ['S2SL0 level 2 for a 40-bit IPA (AArch64.S2InconsistentSL: 19 bits > 16 tables)', { sl0: 0 }],
    ['S2TTB above S2PS', { ps: 0, ttb: 0x1_0000_0000 }],
  ];
  for (const [name, f] of s2cases) {
    it(name, () => {
      const { pa, events } = s2Stream(f);
      expect(pa).toBe(-1);
      expect(events).toEqual(['C_BAD_STE']);
    });
  }
});

describe('stage-2 fields', () => {
  it('S2SL0=2 starts a 4K walk at level 0 (4 reads), S2SL0=1 at level 1 (3 reads)', () => {
    for (const [sl0, start, reads] of [
      [2, 0, 4],
      [1, 1, 3],
    ]) {
      const r = rig();
      const b = new TableBuilder(r.bus, { inputSize: 40, poolBase: RAM + 0x40_0000, poolEnd: RAM + 0x50_0000, startLevel: start });
      b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({}), 3);
      writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, sl0 } });
      expect(r.smmu.translate(1, 0x1000_0010, false)).toBe(PAGE + 0x10);
      expect(r.smmu.stats().walks.s2DescReads).toBe(reads);
    }
  });

  it('S2TG selects 16K and 64K stage-2 granules', () => {
    for (const [g, tg, sl0] of [
      [16384, 2, 2], // 16K, 40-bit: start level 1 (SL0=2), 4 bits
      [65536, 1, 1], // 64K, 40-bit: start level 2 (SL0=1), 40-29=11 bits (2 concatenated)
    ]) {
      const r = rig();
      const start = g === 16384 ? 1 : 2;
      const b = new TableBuilder(r.bus, { inputSize: 40, granule: g, poolBase: RAM + 0x40_0000, poolEnd: RAM + 0x60_0000, startLevel: start });
      b.map(0x1000_0000, PAGE, g, s2Leaf({}), 3);
      writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, tg, sl0 } });
      expect(r.smmu.translate(1, 0x1000_0000 + g - 4, false)).toBe(PAGE + g - 4);
    }
  });

  it('S2VMID is the tag of the stream: two VMIDs over the same tables make two IOTLB entries', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({}), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, vmid: 1 } });
    writeSte(r, 2, { config: 0b110, s2: { ttb: b.root, vmid: 0xbeef } });
    r.smmu.translate(1, 0x1000_0000, false);
    r.smmu.translate(2, 0x1000_0000, false);
    const st = r.smmu.stats();
    expect(st.iotlb.misses).toBe(2);
    expect(st.contexts.map((c) => c.vmid).sort()).toEqual([1, 0xbeef]);
  });

  it('S2PTW: a stage-1 walk to stage-2 Device memory is a stage-2 F_PERMISSION (CLASS=TT)', () => {
    for (const ptw of [false, true]) {
      const r = rig();
      const s2 = s2Builder(r);
      const s1 = s1Builder(r, 0x20_0000);
      s1.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
      // Identity stage 2 for the CD and the data page; the stage-1 tables are Device-nGnRnE at stage 2.
      s2.map(CDS, CDS, 0x1000, s2Leaf({}), 3);
      s2.map(PAGE, PAGE, 0x1000, s2Leaf({}), 3);
      for (let a = s1.root; a < s1.root + 0x4000; a += 0x1000) s2.map(a, a, 0x1000, s2Leaf({ memAttr: 0 }), 3);
      writeWords(r.bus, CDS, cdWords({ ttb0: s1.root }));
      writeSte(r, 1, { config: 0b111, cdPtr: CDS, s2: { ttb: s2.root, ptw, vmid: 4 } });
      const pa = r.smmu.translate(1, 0x1000, false);
      const ev = drainEvents(r);
      if (!ptw) {
        expect(pa).toBe(PAGE);
      } else {
        expect(pa).toBe(-1);
        expect([ev[0].name, ev[0].s2, ev[0].cls]).toEqual(['F_PERMISSION', true, CLASS_TT]);
      }
    }
  });
});

describe('fields this implementation ignores', () => {
  it('S2HA/S2HD (IDR0.HTTU=0): AF=0 still faults; EATS (no ATS), S1STALLD, S2IR0/OR0/SH0 change nothing', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({}), 3);
    b.map(0x1000_1000, PAGE, 0x1000, s2Leaf({ af: false }), 3);
    const w = steWords({ config: 0b110, s2: { ttb: b.root } });
    w[2] |= (3 << 28) | (1 << 27); // EATS, S1STALLD
    w[5] |= (3 << 23) | (0x3f << 8); // S2HD, S2HA, S2IR0/S2OR0/S2SH0
    writeWords(r.bus, STRTAB + 64, w);
    expect(r.smmu.translate(1, 0x1000_0004, true)).toBe(PAGE + 4);
    expect(r.smmu.translate(1, 0x1000_1000, true)).toBe(-1);
    expect(drainEvents(r).map((e) => e.name)).toEqual(['F_ACCESS']);
  });
});

describe('stream table', () => {
  it('linear: StreamID >= 2^LOG2SIZE is C_BAD_STREAMID, recorded only with CR2.RECINVSID', () => {
    const r = rig({ sidLog2: 4 });
    expect(r.smmu.translate(16, 0x1000, false)).toBe(-1);
    expect(drainEvents(r).map((e) => [e.name, e.sid])).toEqual([['C_BAD_STREAMID', 16]]);
    r.smmu.write(R.CR2, 4, 0);
    expect(r.smmu.translate(17, 0x1000, false)).toBe(-1);
    expect(drainEvents(r)).toEqual([]);
    expect(r.smmu.translate(2 ** 16, 0x1000, false)).toBe(-1); // beyond SIDSIZE
  });

  it('an STE fetch that aborts is F_STE_FETCH with the STE address', () => {
    const r = rig({ enable: false });
    w64(r.smmu, R.STRTAB_BASE, 0x2000_0000);
    r.smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN | R.CR0_CMDQEN);
    expect(r.smmu.translate(3, 0x1000, false)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.sid, ev.addr]).toEqual(['F_STE_FETCH', 3, 0x2000_0000 + 3 * 64]);
  });

  it('two-level (FMT=1, SPLIT=8): L1STD.Span bounds the L2 table; Span=0 is C_BAD_STREAMID', () => {
    const r = rig({ enable: false });
    const L1 = STRTAB;
    const L2 = STRTAB + 0x1_0000;
    r.smmu.write(R.STRTAB_BASE_CFG, 4, (1 << 16) | (8 << 6) | 16);
    // L1 index 2 (StreamIDs 0x200-0x2ff): Span = 3, 4 STEs at L2.
    wr64(r.bus, L1 + 2 * 8, L2 | 3);
    writeWords(r.bus, L2 + 1 * 64, steWords({ config: 0b100 }));
    r.smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN | R.CR0_CMDQEN);
    expect(r.smmu.translate(0x201, 0x4000_0000, false)).toBe(0x4000_0000);
    expect(r.smmu.translate(0x204, 0x1000, false)).toBe(-1); // beyond Span
    expect(r.smmu.translate(0x301, 0x1000, false)).toBe(-1); // L1 index 3: Span=0
    expect(drainEvents(r).map((e) => [e.name, e.sid])).toEqual([
      ['C_BAD_STREAMID', 0x204],
      ['C_BAD_STREAMID', 0x301],
    ]);
  });

  it('two-level: an L1 descriptor fetch that aborts is F_STE_FETCH with the L1STD address', () => {
    const r = rig({ enable: false });
    w64(r.smmu, R.STRTAB_BASE, 0x2000_0000);
    r.smmu.write(R.STRTAB_BASE_CFG, 4, (1 << 16) | (8 << 6) | 16);
    r.smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN);
    expect(r.smmu.translate(0x305, 0x1000, false)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.addr]).toEqual(['F_STE_FETCH', 0x2000_0000 + 3 * 8]);
  });

  it('FMT=0b10 (reserved) gives C_BAD_STREAMID', () => {
    const r = rig({ enable: false });
    r.smmu.write(R.STRTAB_BASE_CFG, 4, (2 << 16) | 8);
    r.smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN);
    expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    expect(drainEvents(r)[0].name).toBe('C_BAD_STREAMID');
  });
});
