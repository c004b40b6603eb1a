// Translation of DMA accesses: stage 2 only, stage 1 only, nested, bypass/abort, permissions and
// the transaction attributes (IHI 0070 3.3, 5.2 STE.Config/PRIVCFG/INSTCFG; ARM ARM permissions).
import { describe, expect, it } from 'vitest';
import { rig, writeSte, writeWords, cdWords, s1Builder, s2Builder, drainEvents, CDS, RAM, STRTAB as STRTAB_ADDR } from './helpers.js';
import { s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import * as R from '../../src/smmu/regs.js';
import { CLASS_CD, CLASS_IN, CLASS_TT } from '../../src/smmu/events.js';

const PAGE = RAM + 0x80_0000;

describe('stage 2 only (STE.Config = 0b110)', () => {
  it('translates IPA -> PA through S2TTB with the page offset kept', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x2000, s2Leaf({}), 3);
    writeSte(r, 5, { config: 0b110, s2: { ttb: b.root, vmid: 3 } });
    expect(r.smmu.translate(5, 0x1000_1234, false)).toBe(PAGE + 0x1234);
    expect(r.smmu.translate(5, 0x1000_0008, true)).toBe(PAGE + 8);
    expect(drainEvents(r)).toEqual([]);
  });

  it('a write to an S2AP read-only page is a stage-2 F_PERMISSION (S2=1, CLASS=IN, IPA, RnW=0); nothing is returned', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({ s2ap: 1 }), 3); // S2AP = 01: read-only
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root } });
    expect(r.smmu.translate(1, 0x1000_0010, false)).toBe(PAGE + 0x10);
    expect(r.smmu.translate(1, 0x1000_0010, true)).toBe(-1);
    const [ev, ...rest] = drainEvents(r);
    expect(rest).toEqual([]);
    expect(ev.name).toBe('F_PERMISSION');
    expect(ev.sid).toBe(1);
    expect(ev.s2).toBe(true);
    expect(ev.cls).toBe(CLASS_IN);
    expect(ev.write).toBe(true);
    expect(ev.inputAddr).toBe(0x1000_0010);
    expect(ev.addr).toBe(0x1000_0000); // IPA[51:12]
  });

  it('an unmapped IPA is F_TRANSLATION at stage 2; an IPA beyond S2T0SZ too', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({}), 3);
    writeSte(r, 2, { config: 0b110, s2: { ttb: b.root } });
    expect(r.smmu.translate(2, 0x2000_0000, false)).toBe(-1);
    expect(r.smmu.translate(2, 2 ** 40, false)).toBe(-1);
    expect(r.smmu.translate(2, 2 ** 48 + 0x1000_0000, false)).toBe(-1); // not an alias of 0x1000_0000
    const evs = drainEvents(r);
    expect(evs.map((e) => [e.name, e.s2, !e.write])).toEqual([
      ['F_TRANSLATION', true, true],
      ['F_TRANSLATION', true, true],
      ['F_TRANSLATION', true, true],
    ]);
    expect(evs[2].inputAddr).toBe(2 ** 48 + 0x1000_0000);
  });

  it('S2AFFD: AF=0 is F_ACCESS, with S2AFFD=1 the access proceeds', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({ af: false }), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root } });
    writeSte(r, 2, { config: 0b110, s2: { ttb: b.root, affd: true, vmid: 2 } });
    expect(r.smmu.translate(1, 0x1000_0000, false)).toBe(-1);
    expect(drainEvents(r)[0].name).toBe('F_ACCESS');
    expect(r.smmu.translate(2, 0x1000_0000, false)).toBe(PAGE);
  });

  it('S2PS bounds the output address: F_ADDR_SIZE', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, 0x1_0000_0000, 0x1000, s2Leaf({}), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, ps: 0 } }); // 32-bit output
    writeSte(r, 2, { config: 0b110, s2: { ttb: b.root, ps: 2, vmid: 9 } }); // 40-bit output
    expect(r.smmu.translate(1, 0x1000_0000, false)).toBe(-1);
    expect(drainEvents(r)[0].name).toBe('F_ADDR_SIZE');
    expect(r.smmu.translate(2, 0x1000_0000, false)).toBe(0x1_0000_0000);
  });

  it('instruction accesses (STE.INSTCFG=0b11) need stage-2 XN=0 only; data reads need S2AP[0]', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({ s2ap: 0 }), 3); // no data access, executable
    b.map(0x1000_1000, PAGE, 0x1000, s2Leaf({ s2ap: 3, xn: true }), 3); // read/write, XN
    writeSte(r, 1, { config: 0b110, instcfg: 3, s2: { ttb: b.root } });
    writeSte(r, 2, { config: 0b110, s2: { ttb: b.root, vmid: 2 } });
    expect(r.smmu.translate(1, 0x1000_0000, false)).toBe(PAGE);
    expect(r.smmu.translate(1, 0x1000_1000, false)).toBe(-1);
    expect(r.smmu.translate(2, 0x1000_0000, false)).toBe(-1);
    expect(r.smmu.translate(2, 0x1000_1000, false)).toBe(PAGE);
    expect(drainEvents(r).map((e) => [e.name, e.instr])).toEqual([
      ['F_PERMISSION', true],
      ['F_PERMISSION', false],
    ]);
  });

  it('S2R=0: a terminated stage-2 fault is not recorded', () => {
    const r = rig();
    const b = s2Builder(r);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, r: false } });
    expect(r.smmu.translate(1, 0x1000_0000, false)).toBe(-1);
    expect(drainEvents(r)).toEqual([]);
  });

  it('an external abort on a stage-2 descriptor read is F_WALK_EABT with the descriptor address', () => {
    const r = rig();
    writeSte(r, 1, { config: 0b110, s2: { ttb: 0x2000_0000 } }); // no RAM there
    expect(r.smmu.translate(1, 0x4000_1000, false)).toBe(-1);
    const [ev] = drainEvents(r);
    expect(ev.name).toBe('F_WALK_EABT');
    expect(ev.s2).toBe(true);
    expect(ev.addr).toBe(0x2000_0000 + 1 * 8); // level-1 index 1 of the concatenated tables
  });
});

function s1Stream(r: ReturnType<typeof rig>, sid: number, cd: Parameters<typeof cdWords>[0], ste: Partial<Parameters<typeof writeSte>[2]> = {}): void {
  const cdAddr = CDS + sid * 64;
  writeWords(r.bus, cdAddr, cdWords(cd));
  writeSte(r, sid, { config: 0b101, cdPtr: cdAddr, ...ste });
}

describe('stage 1 only (STE.Config = 0b101)', () => {
  it('translates VA -> PA through CD.TTB0 (T0SZ, TG0)', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1234_5000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3); // EL0+EL1 read/write
    s1Stream(r, 7, { ttb0: b.root, asid: 4 });
    expect(r.smmu.translate(7, 0x1234_5678, true)).toBe(PAGE + 0x678);
    expect(drainEvents(r)).toEqual([]);
  });

  it('16K and 64K granules (CD.TG0) walk their own tables', () => {
    for (const [g, tg0] of [
      [16384, 2],
      [65536, 1],
    ]) {
      const r = rig();
      const b = s1Builder(r);
      const b2 = new (b.constructor as typeof import('../../src/mmu/builder.js').TableBuilder)(r.bus, { inputSize: 39, granule: g, poolBase: RAM + 0x60_0000, poolEnd: RAM + 0x70_0000 });
      b2.map(0x4000_0000, PAGE, g, s1Leaf({ ap: 1 }), 3);
      s1Stream(r, 1, { ttb0: b2.root, tg0 });
      expect(r.smmu.translate(1, 0x4000_0000 + g - 8, false)).toBe(PAGE + g - 8);
    }
  });

  it('incoming transactions are unprivileged data: a privileged-only page faults unless STE.PRIVCFG = 0b11', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 0 }), 3); // EL1 only
    s1Stream(r, 1, { ttb0: b.root, asid: 1 });
    s1Stream(r, 2, { ttb0: b.root, asid: 2 }, { privcfg: 3 });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.s2, ev.cls, ev.priv, ev.write]).toEqual(['F_PERMISSION', false, CLASS_IN, false, false]);
    expect(r.smmu.translate(2, 0x1000, true)).toBe(PAGE);
  });

  it('AP[2] read-only: a DMA write is a stage-1 F_PERMISSION; CD.R=0 suppresses the record', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 3 }), 3); // read-only, EL0 and EL1
    s1Stream(r, 1, { ttb0: b.root, asid: 1 });
    s1Stream(r, 2, { ttb0: b.root, asid: 2, r: false });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
    expect(r.smmu.translate(1, 0x1000, true)).toBe(-1);
    expect(drainEvents(r).map((e) => [e.name, e.s2, e.write])).toEqual([['F_PERMISSION', false, true]]);
    expect(r.smmu.translate(2, 0x1000, true)).toBe(-1);
    expect(drainEvents(r)).toEqual([]);
  });

  it('STE.INSTCFG = 0b11 makes accesses instruction fetches: UXN pages fault', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1, uxn: true }), 3);
    s1Stream(r, 1, { ttb0: b.root, asid: 1 }, { instcfg: 3 });
    s1Stream(r, 2, { ttb0: b.root, asid: 2 }, { instcfg: 2 });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    expect(drainEvents(r)[0].instr).toBe(true);
    expect(r.smmu.translate(2, 0x1000, false)).toBe(PAGE);
  });

  it('a VA above T0SZ is a stage-1 F_TRANSLATION; EPD0 makes every miss a Translation fault', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    s1Stream(r, 1, { ttb0: b.root });
    s1Stream(r, 2, { ttb0: b.root, epd0: true, asid: 5 });
    expect(r.smmu.translate(1, 2 ** 39, false)).toBe(-1);
    expect(r.smmu.translate(2, 0x1000, false)).toBe(-1);
    expect(drainEvents(r).map((e) => [e.name, e.s2])).toEqual([
      ['F_TRANSLATION', false],
      ['F_TRANSLATION', false],
    ]);
  });

  it('CD.AFFD: AF=0 at stage 1 is F_ACCESS unless AFFD=1', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1, af: false }), 3);
    s1Stream(r, 1, { ttb0: b.root, asid: 1 });
    s1Stream(r, 2, { ttb0: b.root, asid: 2, affd: true });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    expect(drainEvents(r)[0].name).toBe('F_ACCESS');
    expect(r.smmu.translate(2, 0x1000, false)).toBe(PAGE);
  });

  it('STRW = EL2: one range, AP[1] ignored, a privileged-only page is accessible', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 0 }), 3);
    s1Stream(r, 1, { ttb0: b.root }, { strw: 0b10 });
    expect(r.smmu.translate(1, 0x1000, true)).toBe(PAGE);
  });
});

describe('nested (STE.Config = 0b111)', () => {
  it('stage-1 descriptors and the CD are fetched through stage 2; the output IPA is translated by stage 2', () => {
    const r = rig();
    const s2 = s2Builder(r);
    const IPA = 0x8000_0000;
    s2.map(IPA, RAM, 0x100_0000, s2Leaf({}), 2); // all 16 MiB of RAM at IPA 0x8000_0000, 2M blocks
    // Stage-1 tables written by a builder at PAs, with IPA pointers: build at PA, then use IPA = PA - RAM + IPA.
    const s1 = s1Builder(r);
    s1.map(0x1000, IPA + (PAGE - RAM), 0x1000, s1Leaf({ ap: 1 }), 3);
    // Table descriptors hold PAs; nested walks need IPAs: relocate every table pointer of the builder.
    relocateTables(r, s1.root, 1, RAM, IPA);
    const cdPa = CDS + 0x40;
    writeWords(r.bus, cdPa, cdWords({ ttb0: s1.root - RAM + IPA, asid: 3 }));
    writeSte(r, 4, { config: 0b111, cdPtr: cdPa - RAM + IPA, s2: { ttb: s2.root, vmid: 6 } });
    expect(r.smmu.translate(4, 0x1abc, false)).toBe(PAGE + 0xabc);
    const st = r.smmu.stats();
    expect(st.walks.s1DescReads).toBe(3); // levels 1-3 of a 39-bit VA
    expect(st.walks.s2Walks).toBeGreaterThanOrEqual(2); // the CD, then tables and output via the IPA cache
    expect(drainEvents(r)).toEqual([]);
  });

  it('a stage-2 fault on a stage-1 table read is CLASS=TT, S2=1, with the descriptor IPA', () => {
    const r = rig();
    const s2 = s2Builder(r);
    const IPA = 0x8000_0000;
    s2.map(IPA + 0x30_0000, CDS, 0x1000, s2Leaf({}), 3); // only the CD page is mapped
    writeWords(r.bus, CDS, cdWords({ ttb0: 0x9000_0000, asid: 3 }));
    writeSte(r, 4, { config: 0b111, cdPtr: IPA + 0x30_0000, s2: { ttb: s2.root, vmid: 6 } });
    expect(r.smmu.translate(4, 0x1000, true)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.s2, ev.cls, ev.ttRead]).toEqual(['F_TRANSLATION', true, CLASS_TT, true]);
    expect(ev.addr).toBe(0x9000_0000); // level-1 descriptor 0 of TTB0, page-aligned IPA
    expect(ev.inputAddr).toBe(0x1000);
  });

  it('a stage-2 fault on the CD fetch is CLASS=CD', () => {
    const r = rig();
    const s2 = s2Builder(r);
    writeSte(r, 4, { config: 0b111, cdPtr: 0x9000_0000, s2: { ttb: s2.root, vmid: 6 } });
    expect(r.smmu.translate(4, 0x1000, false)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.s2, ev.cls, ev.addr]).toEqual(['F_TRANSLATION', true, CLASS_CD, 0x9000_0000]);
  });

  it('a stage-1 Permission fault has priority over stage 2 translating the output address; it is not cached', () => {
    const r = rig();
    const s2 = s2Builder(r);
    s2.map(RAM, RAM, 0x80_0000, s2Leaf({}), 2); // tables and CD; the output IPA 0x9000_0000 is unmapped
    const s1 = s1Builder(r);
    s1.map(0x1000, 0x9000_0000, 0x1000, s1Leaf({ ap: 3 }), 3); // read-only at stage 1
    writeWords(r.bus, CDS, cdWords({ ttb0: s1.root }));
    writeSte(r, 4, { config: 0b111, cdPtr: CDS, s2: { ttb: s2.root, vmid: 6 } });
    expect(r.smmu.translate(4, 0x1000, true)).toBe(-1);
    expect(r.smmu.translate(4, 0x1000, false)).toBe(-1);
    expect(drainEvents(r).map((e) => [e.name, e.s2])).toEqual([
      ['F_PERMISSION', false],
      ['F_TRANSLATION', true],
    ]);
    expect(r.smmu.stats().iotlb).toMatchObject({ misses: 2, fills: 0 });
  });

  it('stage-2 permissions apply to the final access after stage 1 allowed it', () => {
    const r = rig();
    const s2 = s2Builder(r);
    const IPA = 0x8000_0000;
    s2.map(IPA, RAM, 0x80_0000, s2Leaf({}), 2);
    s2.map(IPA + 0x80_0000, PAGE, 0x1000, s2Leaf({ s2ap: 1 }), 3);
    const s1 = s1Builder(r);
    s1.map(0x1000, IPA + 0x80_0000, 0x1000, s1Leaf({ ap: 1 }), 3);
    relocateTables(r, s1.root, 1, RAM, IPA);
    writeWords(r.bus, CDS, cdWords({ ttb0: s1.root - RAM + IPA, asid: 3 }));
    writeSte(r, 4, { config: 0b111, cdPtr: CDS - RAM + IPA, s2: { ttb: s2.root, vmid: 6 } });
    expect(r.smmu.translate(4, 0x1004, false)).toBe(PAGE + 4);
    expect(r.smmu.translate(4, 0x1004, true)).toBe(-1);
    const [ev] = drainEvents(r);
    expect([ev.name, ev.s2, ev.cls, ev.addr]).toEqual(['F_PERMISSION', true, CLASS_IN, IPA + 0x80_0000]);
  });
});

/** Rewrite the table descriptors under `table` (4K, start level) from PA to IPA = PA - pa0 + ipa0. */
function relocateTables(r: ReturnType<typeof rig>, table: number, level: number, pa0: number, ipa0: number): void {
  if (level >= 3) return;
  for (let i = 0; i < 512; i++) {
    const a = table + i * 8;
    const lo = r.bus.read(a, 4);
    if ((lo & 3) !== 3) continue;
    const hi = r.bus.read(a + 4, 4);
    const pa = (hi & 0xffff) * 2 ** 32 + (lo & ~0xfff) >>> 0;
    relocateTables(r, pa, level + 1, pa0, ipa0);
    const ipa = pa - pa0 + ipa0;
    r.bus.write(a, 4, ((ipa >>> 0) & ~0xfff) | (lo & 0xfff));
  }
}

describe('SMMU disabled, bypass and abort', () => {
  it('SMMUEN=0: GBPA.ABORT=0 passes addresses through, ABORT=1 (written with Update) aborts without an event', () => {
    const r = rig({ enable: false });
    r.smmu.write(R.CR0, 4, R.CR0_EVENTQEN | R.CR0_CMDQEN);
    expect(r.smmu.translate(3, 0x4000_1000, true)).toBe(0x4000_1000);
    r.smmu.write(R.GBPA, 4, R.GBPA_ABORT); // no Update: ignored
    expect(r.smmu.translate(3, 0x4000_1000, true)).toBe(0x4000_1000);
    r.smmu.write(R.GBPA, 4, R.GBPA_ABORT | R.GBPA_UPDATE);
    expect(r.smmu.read(R.GBPA, 4) & R.GBPA_UPDATE).toBe(0);
    expect(r.smmu.translate(3, 0x4000_1000, true)).toBe(-1);
    expect(drainEvents(r)).toEqual([]);
    expect(r.smmu.stats()).toMatchObject({ translations: 3, bypassed: 2, aborted: 1 });
  });

  it('STE.Config = 0b100 bypasses; 0b000 aborts silently', () => {
    const r = rig();
    writeSte(r, 1, { config: 0b100 });
    writeSte(r, 2, { config: 0b000 });
    expect(r.smmu.translate(1, 0x4123_4567, false)).toBe(0x4123_4567);
    expect(r.smmu.translate(2, 0x4123_4567, false)).toBe(-1);
    expect(drainEvents(r)).toEqual([]);
  });

  it('input that is not an address aborts without throwing', () => {
    const r = rig();
    writeSte(r, 1, { config: 0b100 });
    expect(r.smmu.translate(1, -1, false)).toBe(-1);
    expect(r.smmu.translate(1, Number.NaN, false)).toBe(-1);
    expect(r.smmu.translate(1, 1.5, false)).toBe(-1);
    expect(r.smmu.translate(-3, 0x1000, false)).toBe(-1);
  });
});

describe('output attributes (shared attrs.ts: MAIR, stage-2 MemAttr, combineS1S2)', () => {
  it('stage 1: CD.MAIR Attr<AttrIndx> with the descriptor SH (Device is Outer Shareable)', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1, attrIndx: 0, sh: 3 }), 3);
    b.map(0x2000, PAGE, 0x1000, s1Leaf({ ap: 1, attrIndx: 5, sh: 3 }), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: b.root, mair: 0xff }));
    const w = cdWords({ ttb0: b.root, mair: 0xff });
    w[7] = 0x0400; // Attr5 = Device-nGnRE
    writeWords(r.bus, CDS, w);
    writeSte(r, 1, { config: 0b101, cdPtr: CDS });
    r.smmu.translate(1, 0x1000, false);
    expect(r.smmu.attrs).toBe(0xff | (3 << 8));
    r.smmu.translate(1, 0x2000, false);
    expect(r.smmu.attrs).toBe(0x04 | (2 << 8));
    r.smmu.translate(1, 0x2008, false); // IOTLB hit: the same attributes
    expect(r.smmu.attrs).toBe(0x04 | (2 << 8));
  });

  it('stage 2 combines with the incoming (Normal WB) or stage-1 attributes: the less cacheable wins', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({ memAttr: 0b0101 }), 3); // Normal NC
    b.map(0x1000_1000, PAGE, 0x1000, s2Leaf({ memAttr: 0b0001 }), 3); // Device-nGnRE
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root } });
    r.smmu.translate(1, 0x1000_0000, false);
    expect(r.smmu.attrs & 0xff).toBe(0x44);
    r.smmu.translate(1, 0x1000_1000, false);
    expect(r.smmu.attrs).toBe(0x04 | (2 << 8));
  });

  it('bypass: STE.MTCFG/MemAttr and SHCFG override the incoming attributes; GBPA likewise', () => {
    const r = rig();
    writeSte(r, 1, { config: 0b100 });
    const w = [...Array(16)].map(() => 0);
    w[0] = 1 | (0b100 << 1);
    w[3] = 0b0101 | (1 << 4) | (2 << 12); // MemAttr NC, MTCFG, SHCFG = Outer Shareable
    writeWords(r.bus, STRTAB_ADDR + 2 * 64, w);
    r.smmu.translate(1, 0x4000_0000, false);
    expect(r.smmu.attrs).toBe(0xff); // SHCFG = 0b00: Non-shareable
    r.smmu.translate(2, 0x4000_0000, false);
    expect(r.smmu.attrs).toBe(0x44 | (2 << 8));
    r.smmu.write(R.CR0, 4, 0);
    r.smmu.write(R.GBPA, 4, R.GBPA_UPDATE | (1 << 4) | 0b0000); // Device-nGnRnE
    r.smmu.translate(1, 0x4000_0000, false);
    expect(r.smmu.attrs).toBe(0x00 | (2 << 8));
  });
});

describe('timing', () => {
  it('charges each translation, each IOTLB miss and each descriptor read', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({}), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root } });
    r.smmu.translate(1, 0x1000_0000, false); // STE fetch, miss, 3 descriptor reads
    const first = r.cycles.n;
    r.smmu.translate(1, 0x1000_0008, false); // IOTLB hit
    const hit = r.cycles.n - first;
    expect(hit).toBe(1);
    expect(first).toBe(1 + 20 + 10 + 3 * 20);
  });
});

