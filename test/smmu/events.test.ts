// Event records as laid out in memory (IHI 0070 7.3): the raw words of each event type the model
// produces, checked bit by bit against the record format, and the event interrupt (wired or MSI).
import { describe, expect, it } from 'vitest';
import { rig, writeSte, writeWords, cdWords, s2Builder, s1Builder, w64, EVTQ, CDS, RAM } from './helpers.js';
import { s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import * as R from '../../src/smmu/regs.js';

const PAGE = RAM + 0x80_0000;

/** The raw words of event record i. */
function raw(r: ReturnType<typeof rig>, i: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 8; k++) out.push(r.bus.read(EVTQ + i * 32 + 4 * k, 4));
  return out;
}
/** Bit n of a record (0..255) from its words. */
const bit = (w: number[], n: number) => (w[n >>> 5] >>> (n & 31)) & 1;
const bits = (w: number[], hi: number, lo: number) => {
  let v = 0;
  for (let n = hi; n >= lo; n--) v = v * 2 + bit(w, n);
  return v;
};

describe('event record layout', () => {
  it('C_BAD_STREAMID (0x02): EventType[7:0], StreamID[63:32], nothing else', () => {
    const r = rig();
    r.smmu.translate(0x1234, 0x5000, true);
    const w = raw(r, 0);
    expect(bits(w, 7, 0)).toBe(0x02);
    expect(bits(w, 63, 32)).toBe(0x1234);
    expect(w.slice(2)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('C_BAD_STE (0x04), F_STE_FETCH (0x03) with FetchAddr[51:3], C_BAD_CD (0x0a), F_CD_FETCH (0x09)', () => {
    const r = rig();
    writeSte(r, 1, { v: false, config: 0 });
    r.smmu.translate(1, 0, false);
    writeWords(r.bus, CDS, cdWords({ v: false }));
    writeSte(r, 2, { config: 0b101, cdPtr: CDS });
    r.smmu.translate(2, 0, false);
    writeSte(r, 3, { config: 0b101, cdPtr: 0x2000_0100 });
    r.smmu.translate(3, 0, false);
    expect([bits(raw(r, 0), 7, 0), bits(raw(r, 0), 63, 32)]).toEqual([0x04, 1]);
    expect([bits(raw(r, 1), 7, 0), bits(raw(r, 1), 63, 32)]).toEqual([0x0a, 2]);
    const f = raw(r, 2);
    expect([bits(f, 7, 0), bits(f, 63, 32), bits(f, 192 + 51, 192 + 3) * 8]).toEqual([0x09, 3, 0x2000_0100]);
    // F_STE_FETCH: a stream table in a hole.
    const r2 = rig({ enable: false });
    w64(r2.smmu, R.STRTAB_BASE, 0x2000_0000);
    r2.smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN);
    r2.smmu.translate(2, 0, false);
    const s = raw(r2, 0);
    expect([bits(s, 7, 0), bits(s, 63, 32), bits(s, 192 + 51, 192 + 3) * 8]).toEqual([0x03, 2, 0x2000_0080]);
  });

  it('F_TRANSLATION (0x10) at stage 2: RnW[99], S2[103], CLASS[105:104], InputAddr[191:128], IPA[243:204]', () => {
    const r = rig();
    const b = s2Builder(r);
    writeSte(r, 9, { config: 0b110, s2: { ttb: b.root } });
    r.smmu.translate(9, 0x12_3456_7890, false);
    const w = raw(r, 0);
    expect(bits(w, 7, 0)).toBe(0x10);
    expect(bits(w, 63, 32)).toBe(9);
    expect(bit(w, 99)).toBe(1); // read
    expect(bit(w, 103)).toBe(1); // stage 2
    expect(bits(w, 105, 104)).toBe(2); // CLASS = IN
    expect(bit(w, 97)).toBe(0); // PnU: unprivileged
    expect(bit(w, 98)).toBe(0); // InD: data
    expect(bits(w, 191, 160) * 2 ** 32 + bits(w, 159, 128)).toBe(0x12_3456_7890);
    expect(bits(w, 243, 204) * 4096).toBe(0x12_3456_7000);
    expect(bits(w, 203, 192)).toBe(0);
  });

  it('F_PERMISSION (0x13) at stage 1 for a privileged instruction write: PnU=1, InD=1, RnW=0, S2=0', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 2 }), 3); // EL1 read-only
    writeWords(r.bus, CDS, cdWords({ ttb0: b.root }));
    writeSte(r, 1, { config: 0b101, cdPtr: CDS, privcfg: 3, instcfg: 3 });
    r.smmu.translate(1, 0x1008, true);
    const w = raw(r, 0);
    expect([bits(w, 7, 0), bit(w, 97), bit(w, 98), bit(w, 99), bit(w, 103), bits(w, 105, 104)]).toEqual([0x13, 1, 1, 0, 0, 2]);
    expect(bits(w, 159, 128)).toBe(0x1008);
    expect(bits(w, 255, 192)).toBe(0); // no IPA for a stage-1 fault
  });

  it('F_ACCESS (0x12), F_ADDR_SIZE (0x11) and F_WALK_EABT (0x0b, FetchAddr of the descriptor)', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x1000, s2Leaf({ af: false }), 3);
    b.map(0x1000_1000, 0x1_0000_0000, 0x1000, s2Leaf({}), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, ps: 0 } });
    writeSte(r, 2, { config: 0b110, s2: { ttb: 0x2000_0000, vmid: 2 } });
    r.smmu.translate(1, 0x1000_0000, false);
    r.smmu.translate(1, 0x1000_1000, false);
    r.smmu.translate(2, 0x1000_0000, false);
    expect(bits(raw(r, 0), 7, 0)).toBe(0x12);
    expect(bits(raw(r, 1), 7, 0)).toBe(0x11);
    const e = raw(r, 2);
    expect([bits(e, 7, 0), bit(e, 103), bits(e, 243, 195) * 8]).toEqual([0x0b, 1, 0x2000_0000]);
  });

  it('a stage-2 fault on a stage-1 walk: CLASS=TT (01) and TTRnW[108]=1', () => {
    const r = rig();
    const s2 = s2Builder(r);
    s2.map(CDS, CDS, 0x1000, s2Leaf({}), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: 0x9000_0000 }));
    writeSte(r, 1, { config: 0b111, cdPtr: CDS, s2: { ttb: s2.root } });
    r.smmu.translate(1, 0x1000, false);
    const w = raw(r, 0);
    expect([bits(w, 7, 0), bit(w, 103), bits(w, 105, 104), bit(w, 108)]).toEqual([0x10, 1, 1, 1]);
  });
});

describe('event interrupt', () => {
  it('wired eventq pulse only with IRQ_CTRL.EVENTQ_IRQEN', () => {
    const r = rig();
    r.smmu.write(R.IRQ_CTRL, 4, R.IRQ_GERROR);
    r.smmu.translate(0x1000, 0, false);
    expect(r.irqs).toEqual([]);
  });

  it('EVENTQ_IRQ_CFG0.ADDR != 0: an MSI write of EVENTQ_IRQ_CFG1 replaces the wire', () => {
    const r = rig();
    w64(r.smmu, R.EVENTQ_IRQ_CFG0, RAM + 0x200);
    r.smmu.write(R.EVENTQ_IRQ_CFG1, 4, 0x55);
    r.smmu.translate(0x1000, 0, false);
    expect(r.irqs).toEqual([]);
    expect(r.bus.read(RAM + 0x200, 4)).toBe(0x55);
    expect(r.writes).toContainEqual([RAM + 0x200, 4]);
    expect(r.writes).toContainEqual([EVTQ, 32]);
  });
});
