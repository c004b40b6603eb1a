// The `smmu` views and `tr sid=` on structures a driver like Linux's programs (IHI 0070): a
// two-level stream table (STRTAB_BASE_CFG.FMT = 2-level, SPLIT 8, L1STD.Span), a stage-1-only STE
// with a context descriptor, the event queue with a pending record. Built by hand in RAM and
// registers of the SMMU model on a small board.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SmmuView } from '../../src/debug/smmu-view.js';
import { streamWalk } from '../../src/debug/smmu-walk.js';

const RAM = 0x4000_0000;
const SMMU = 0x0905_0000;

function board(): { m: Machine; w: (pa: number, v: number) => void } {
  const m = new Machine({ ramSize: 4 << 20, iommu: 'smmuv3' });
  const w = (pa: number, v: number): void => m.bus.write(pa, 4, v >>> 0);
  const r = (off: number, v: number): void => m.bus.write(SMMU + off, 4, v >>> 0);
  // Stream table: 2-level, SPLIT 8, LOG2SIZE 16; L1STD[1] (StreamIDs 0x100-0x1ff): L2Ptr, Span 9.
  r(0x80, RAM + 0x1_0000);
  r(0x84, 0);
  r(0x88, (1 << 16) | (8 << 6) | 16);
  w(RAM + 0x1_0000 + 8, (RAM + 0x2_0000) | 9);
  // STE of StreamID 0x105: V, Config 0b101 (stage 1 only), S1ContextPtr = the CD.
  const ste = RAM + 0x2_0000 + 5 * 64;
  w(ste, (RAM + 0x3_0000) | (0b101 << 1) | 1);
  // CD: T0SZ 25, TG0 4K, IR0/OR0 WB, SH0 ISH, EPD1, V; IPS 40 bits, AA64, R, ASID 7; TTB0; MAIR.
  const cd = RAM + 0x3_0000;
  w(cd, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 30) | (1 << 31));
  w(cd + 4, 2 | (1 << 9) | (1 << 13) | (7 << 16));
  w(cd + 8, RAM + 0x4_0000);
  w(cd + 24, 0xff);
  // Stage 1, level 1: IOVA 0-1 GiB -> PA 0x4000_0000 (block, AP 0b01, ISH, AF).
  w(RAM + 0x4_0000, RAM | 0x741);
  // Event queue of 8 records, then SMMUEN | EVENTQEN.
  r(0xa0, (RAM + 0x5_0000) | 3);
  r(0xa4, 0);
  r(0x20, 1 | 4);
  return { m, w };
}

describe('smmu views of a two-level stream table with a stage-1 CD', () => {
  it('summary, STE, CD, the walk, and an event record', () => {
    const { m } = board();
    const v = new SmmuView(m.bus);
    const sum = v.summary();
    expect(sum).toMatch(/stream table: 0x40010000, 2-level \(SPLIT 8\), LOG2SIZE 16 \(65536 StreamIDs\)/);
    expect(sum).toMatch(/StreamID 261: stage 1 only, S1ContextPtr 0x40030000/);
    expect(sum).toMatch(/1 STE\(s\) translating or bypassing, 0 abort, 65535 invalid/);
    expect(v.steAddr(0x105)).toBe(RAM + 0x2_0000 + 5 * 64);
    expect(v.ste(0x105)).toMatch(/V 1, Config 101 \(stage 1 only\)\n  S1Fmt 0, S1ContextPtr 0x40030000, S1CDMax 0/);
    const cd = v.cd(0x105);
    expect(cd).toMatch(/V 1, AA64 1, ASID 7, IPS 40 bits/);
    expect(cd).toMatch(/TTB0 0x40040000: T0SZ 25 \(39-bit VA\), TG0 4K, IR0 1 OR0 1 SH0 3, EPD0 0/);
    const walk = streamWalk(m.bus, m.smmu, 0x105, 0x1234, true);
    expect(walk).toMatch(/CD @ 0x40030000: ASID 7/);
    expect(walk).toMatch(/S1 L1 table 0x40040000 desc @ 0x40040000 = +0x40000741 +block -> 0x40000000/);
    expect(walk).toMatch(/=> PA 0x40001234\n  permissions: stage 1 rw \(unprivileged\)$/);
    // A fault the model records: the view shows it pending until the driver moves EVENTQ_CONS.
    expect(m.smmu!.translate(0x105, 0x4000_0000, false)).toBe(-1);
    const ev = v.events();
    expect(ev).toMatch(/8 entries, PROD 1, CONS 0, 1 pending/);
    expect(ev).toMatch(/\[0\] F_TRANSLATION \(0x10\) StreamID 0x105 read of 0x40000000, stage 1, CLASS IN \(pending\)/);
  });

  it('StreamIDs the table cannot reach, and a board without an SMMU', () => {
    const { m } = board();
    const v = new SmmuView(m.bus);
    expect(() => v.steAddr(0x205)).toThrow(/StreamID 517: its L1STD has Span 0 \(no STE for it\)/);
    expect(() => v.ste(1 << 16)).toThrow(/StreamID 65536 is outside the stream table/);
    expect(() => v.cd(0x100)).toThrow(/StreamID 256 has no context descriptor \(STE abort, V=0\)/);
    expect(streamWalk(m.bus, m.smmu, 0x100, 0, false)).toMatch(/ILLEGAL \(V=0\): C_BAD_STE/);
    expect(() => new SmmuView(new Machine({ ramSize: 1 << 20 }).bus)).toThrow(/no SMMU on this machine/);
  });
});
