// Context descriptors (IHI 0070 5.4): each decoded field (TTB0/1, T0SZ/T1SZ, TG0/TG1, EPD0/1, IPS,
// TBI, ASID, AFFD, WXN, R, MAIR) and the ILLEGAL values that give C_BAD_CD; F_CD_FETCH.
import { describe, expect, it } from 'vitest';
import { rig, writeWords, writeSte, cdWords, s1Builder, drainEvents, CDS, RAM, type CdFields } from './helpers.js';
import { s1Leaf, TableBuilder } from '../../src/mmu/builder.js';
import { decodeCd, ContextDesc, STRW_EL1, STRW_EL2, ASID_EL2 } from '../../src/smmu/config.js';
import { C_BAD_CD } from '../../src/smmu/events.js';

const PAGE = RAM + 0x80_0000;

function stream(cd: CdFields, map = true) {
  const r = rig();
  const b = s1Builder(r);
  if (map) b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
  writeWords(r.bus, CDS, cdWords({ ttb0: b.root, ...cd }));
  writeSte(r, 1, { config: 0b101, cdPtr: CDS });
  return { r, b };
}

describe('C_BAD_CD for ILLEGAL descriptors', () => {
  const cases: [string, CdFields][] = [
    ['V=0', { v: false }],
    ['AA64=0 (AArch32 tables: IDR0.TTF)', { aa64: false }],
    ['ENDI=1 (big-endian tables: IDR0.TTENDIAN)', { endi: true }],
    ['S=1 (stall: IDR0.STALL_MODEL)', { s: true }],
    ['TG0=0b11 (reserved)', { tg0: 3 }],
    ['T0SZ=15', { t0sz: 15 }],
    ['T0SZ=40', { t0sz: 40 }],
    ['TG1=0b00 (reserved) with EPD1=0', { epd1: false, tg1: 0 }],
    ['T1SZ=12 with EPD1=0', { epd1: false, t1sz: 12 }],
  ];
  for (const [name, cd] of cases) {
    it(name, () => {
      const { r } = stream(cd);
      expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
      expect(drainEvents(r).map((e) => [e.name, e.sid])).toEqual([['C_BAD_CD', 1]]);
    });
  }

  it('a disabled range (EPD0=1) may hold any TG0/T0SZ', () => {
    const w = new Int32Array(cdWords({ epd0: true, tg0: 3, t0sz: 2 }));
    expect(decodeCd(w, STRW_EL1, new ContextDesc())).toBe(0);
    expect(decodeCd(new Int32Array(cdWords({ epd0: false, tg0: 3 })), STRW_EL1, new ContextDesc())).toBe(C_BAD_CD);
  });
});

describe('CD fields', () => {
  it('decodes TTB0/TTB1, TnSZ, TGn (TG1 has its own encoding), IPS, ASID, TBI, MAIR, AFFD, WXN, R', () => {
    const cd = new ContextDesc();
    const w = new Int32Array(
      cdWords({ t0sz: 20, tg0: 2, t1sz: 30, tg1: 3, epd1: false, ips: 2, asid: 0xabcd, tbi: 3, mair: 0x44ff, ttb0: 0x1234_5000, ttb1: 0x8_0000_0000, affd: true, wxn: true, r: false }),
    );
    w[7] = 0x1122;
    expect(decodeCd(w, STRW_EL1, cd)).toBe(0);
    expect([cd.tt0.inputSize, cd.tt0.g, cd.tt0.epd, cd.tt0.base, cd.tt0.oaBits, cd.tt0.asid]).toEqual([44, 14, false, 0x1234_5000 - (0x1234_5000 % 2 ** 6), 40, 0xabcd]);
    expect([cd.tt1.inputSize, cd.tt1.g, cd.tt1.epd, cd.tt1.base, cd.tt1.ttbr1]).toEqual([34, 16, false, 0x8_0000_0000, true]);
    expect([cd.asid, cd.tbi, cd.mairLo, cd.mairHi, cd.tt0.affd, cd.tt0.wxn, cd.record]).toEqual([0xabcd, 3, 0x44ff, 0x1122, true, true, false]);
  });

  it('STRW=EL2: TTB1 fields are ignored, ASID is not used (EL2 tag), TBI1 ignored', () => {
    const cd = new ContextDesc();
    expect(decodeCd(new Int32Array(cdWords({ epd1: false, tg1: 0, t1sz: 3, asid: 9, tbi: 3 })), STRW_EL2, cd)).toBe(0);
    expect([cd.el2, cd.tt1.epd, cd.asid, cd.tbi]).toEqual([true, true, ASID_EL2, 1]);
  });

  it('TTB1 translates the upper VA range (VA[55]=1, T1SZ)', () => {
    const r = rig();
    const b1 = new TableBuilder(r.bus, { inputSize: 39, poolBase: RAM + 0x60_0000, poolEnd: RAM + 0x70_0000 });
    b1.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    writeWords(r.bus, CDS, cdWords({ epd0: true, epd1: false, t1sz: 25, tg1: 2, ttb1: b1.root }));
    writeSte(r, 1, { config: 0b101, cdPtr: CDS });
    const va = 2 ** 64 - 2 ** 39 + 0x1800; // 0xffff_ff80_0000_1800: bits 63..11, exact as a double
    expect(r.smmu.translate(1, va, false)).toBe(PAGE + 0x800);
    expect(r.smmu.translate(1, 0x1234, false)).toBe(-1); // TTB0 disabled (EPD0)
    const [ev] = drainEvents(r);
    expect(ev.inputAddr).toBe(0x1234);
  });

  it('TBI0: a tagged address translates only with CD.TBI[0]=1', () => {
    for (const tbi of [0, 1]) {
      const { r } = stream({ tbi, asid: 2 });
      const pa = r.smmu.translate(1, 2 ** 56 + 0x1010, false); // top byte 0x01
      expect(pa).toBe(tbi ? PAGE + 0x10 : -1);
    }
  });

  it('IPS bounds the stage-1 output: F_ADDR_SIZE', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, 0x1_0000_0000, 0x1000, s1Leaf({ ap: 1 }), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: b.root, ips: 0 }));
    writeWords(r.bus, CDS + 64, cdWords({ ttb0: b.root, ips: 1, asid: 1 }));
    writeSte(r, 1, { config: 0b101, cdPtr: CDS });
    writeSte(r, 2, { config: 0b101, cdPtr: CDS + 64 });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    expect(drainEvents(r).map((e) => [e.name, e.s2])).toEqual([['F_ADDR_SIZE', false]]);
    expect(r.smmu.translate(2, 0x1000, false)).toBe(0x1_0000_0000);
  });

  it('WXN: a writable page is not executable for an instruction access', () => {
    for (const wxn of [false, true]) {
      const r = rig();
      const b = s1Builder(r);
      b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
      writeWords(r.bus, CDS, cdWords({ ttb0: b.root, wxn }));
      writeSte(r, 1, { config: 0b101, cdPtr: CDS, instcfg: 3 });
      expect(r.smmu.translate(1, 0x1000, false)).toBe(wxn ? -1 : PAGE);
    }
  });

  it('HA/HD (IDR0.HTTU=0), A, ASET, PAN, UWXN and the cacheability fields are ignored', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    b.map(0x2000, PAGE, 0x1000, s1Leaf({ ap: 1, af: false }), 3);
    const w = cdWords({ ttb0: b.root });
    w[0] |= 0x3f << 8; // IR0, OR0, SH0
    w[1] |= (1 << 5) | (1 << 8) | (3 << 10) | (1 << 14) | (1 << 15); // UWXN, PAN, HD, HA, A, ASET
    writeWords(r.bus, CDS, w);
    writeSte(r, 1, { config: 0b101, cdPtr: CDS });
    expect(r.smmu.translate(1, 0x1000, true)).toBe(PAGE);
    expect(r.smmu.translate(1, 0x2000, true)).toBe(-1);
    expect(drainEvents(r).map((e) => e.name)).toEqual(['F_ACCESS']);
  });

  it('a CD fetch that aborts is F_CD_FETCH with the CD address', () => {
    const r = rig();
    writeSte(r, 1, { config: 0b101, cdPtr: 0x2000_0040 });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.addr]).toEqual(['F_CD_FETCH', 0x2000_0040]);
  });
});
