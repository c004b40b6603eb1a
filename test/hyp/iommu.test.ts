// The hypervisor's SMMUv3 driver (src/hyp/iommu.ts) against the SMMU model, on a small board:
// stage-2 STE translation on tables built in RAM, the IOTLB kept coherent only by the driver's
// CMD_TLBI_S2_IPA + CMD_SYNC (4.4.6: the SMMU may cache stage-2 translations), event records
// decoded and consumed, event queue overflow acknowledged, bad StreamIDs and a missing SMMU.
import { describe, it, expect } from 'vitest';
import { Machine, STREAM_ID } from '../../src/machine.js';
import { TableBuilder, s2Leaf } from '../../src/mmu/builder.js';
import { Bus } from '../../src/devices/bus.js';
import { HypSmmu, SmmuDriverError, decodeEvent, stage2Ste, HYP_SMMU_MEM } from '../../src/hyp/iommu.js';

const RAM = 0x4000_0000;
const SID = STREAM_ID.DMA_ENGINE;

function board(): { m: Machine; drv: HypSmmu; s2: TableBuilder } {
  const m = new Machine({ ramSize: 4 << 20, iommu: 'smmuv3' });
  const drv = new HypSmmu(m.bus, { base: 0x0905_0000, memBase: RAM + 0x20_0000 });
  drv.init();
  // A VM's stage 2 (40-bit IPA, 4K granule) in the first MiB: IPA 0x8000_0000 -> PA RAM + 3 MiB.
  const s2 = new TableBuilder(m.bus, { inputSize: 40, poolBase: RAM, poolEnd: RAM + 0x10_0000 });
  s2.map(0x8000_0000, RAM + 0x30_0000, 0x1000, s2Leaf(), 3);
  return { m, drv, s2 };
}

describe('the hypervisor SMMU driver', () => {
  it('programs a stage-2 STE the SMMU translates with, then keeps the IOTLB coherent by CMD_TLBI_S2_IPA + CMD_SYNC', () => {
    const { m, drv, s2 } = board();
    const smmu = m.smmu!;
    drv.attachStage2(SID, { vmid: 5, root: s2.root, vtcr: s2.vtcr() }, 'vm');
    expect(smmu.translate(SID, 0x8000_0123, false)).toBe(RAM + 0x30_0123);
    // Remap the page behind the SMMU's back: its IOTLB still holds the old translation...
    s2.map(0x8000_0000, RAM + 0x31_0000, 0x1000, s2Leaf(), 3);
    expect(smmu.translate(SID, 0x8000_0123, true)).toBe(RAM + 0x30_0123);
    // ...until the driver invalidates the IPA (and waits for CMD_SYNC).
    drv.invalidateIpa(5, 0x8000_0000, 0x1000);
    expect(smmu.translate(SID, 0x8000_0123, true)).toBe(RAM + 0x31_0123);
    expect(drv.commands.get('CMD_TLBI_S2_IPA')).toBe(1);
    // An invalidation for another VMID leaves this one's entry alone.
    s2.map(0x8000_0000, RAM + 0x32_0000, 0x1000, s2Leaf(), 3);
    drv.invalidateIpa(6, 0x8000_0000, 0x1000);
    expect(smmu.translate(SID, 0x8000_0123, false)).toBe(RAM + 0x31_0123);
    expect(drv.cmdErrors).toBe(0);
    expect(smmu.stats().commandErrors).toBe(0);
  });

  it('reads F_TRANSLATION records (StreamID, InputAddr, RnW, S2, CLASS IN) and consumes them', () => {
    const { m, drv, s2 } = board();
    drv.attachStage2(SID, { vmid: 5, root: s2.root, vtcr: s2.vtcr() });
    expect(m.smmu!.translate(SID, 0x9000_0010, true)).toBe(-1);
    expect(m.smmu!.translate(SID, 0x9000_2000, false)).toBe(-1);
    const evs = drv.drainEvents();
    expect(evs.map((e) => [e.name, e.streamId, e.inputAddr, e.read, e.stage2, e.cls])).toEqual([
      ['F_TRANSLATION', SID, 0x9000_0010, false, true, 'IN'],
      ['F_TRANSLATION', SID, 0x9000_2000, true, true, 'IN'],
    ]);
    expect(drv.drainEvents()).toEqual([]); // EVENTQ_CONS moved past them
    expect(m.bus.read(0x0905_0000 + 0x100ac, 4) & 0xff).toBe(2);
  });

  it('an overflowing event queue is acknowledged (EVENTQ_CONS.OVACKFLG = EVENTQ_PROD.OVFLG) and recording resumes', () => {
    const { m, drv, s2 } = board();
    drv.attachStage2(SID, { vmid: 5, root: s2.root, vtcr: s2.vtcr() });
    for (let k = 0; k < 200; k++) m.smmu!.translate(SID, 0x9000_0000 + k * 0x1000, false);
    const first = drv.drainEvents();
    expect(drv.overflows).toBe(1);
    expect(first.length).toBe(128); // the queue's 128 entries; the rest were lost
    m.smmu!.translate(SID, 0xa000_0000, false);
    const again = drv.drainEvents();
    expect(again.map((e) => e.inputAddr)).toEqual([0xa000_0000]);
    expect(drv.overflows).toBe(1);
  });

  it('bypass and detach: STE.Config 0b100 passes addresses through, abort stops them with no event', () => {
    const { m, drv } = board();
    drv.attachBypass(SID);
    expect(m.smmu!.translate(SID, RAM + 0x1234, true)).toBe(RAM + 0x1234);
    drv.detach(SID);
    expect(m.smmu!.translate(SID, RAM + 0x1234, true)).toBe(-1);
    expect(drv.drainEvents()).toEqual([]);
    // Another StreamID was never assigned: V=1 Config=abort from init.
    expect(m.smmu!.translate(3, RAM, false)).toBe(-1);
  });

  it('wrong input: a StreamID outside the table, no SMMU on the bus', () => {
    const { drv } = board();
    expect(() => drv.attachBypass(1 << 10)).toThrow(SmmuDriverError);
    expect(() => drv.attachBypass(-1)).toThrow(/StreamID -1 is outside the hypervisor's stream table/);
    const bare = new HypSmmu(new Bus(RAM, 1 << 20), { base: 0x0905_0000, memBase: RAM });
    expect(() => bare.init()).toThrow(/no stage 2 \(IDR0.S2P = 0\)/);
    expect(() => new HypSmmu(new Bus(RAM, 1 << 20), { base: 0x0905_0000, memBase: RAM + 0x40 })).toThrow(/aligned/);
  });

  it('decodes the STE and event layouts as IHI 0070 5.2 and 7.3 place the fields', () => {
    const w = stage2Ste({ vmid: 0x1234, root: 0x12_3456_7000, vtcr: 0x8_0000 | 0x3_5558 });
    expect(w[0]).toBe(0b1101); // V, Config 0b110
    expect(w[4]).toBe(0x1234); // S2VMID
    expect((w[5] >>> 0) & 0x7ffff).toBe(0x3_5558); // VTCR_EL2[18:0]; VS (bit 19) is not copied
    expect(w[6] >>> 0).toBe(0x3456_7000);
    expect(w[7]).toBe(0x12);
    // An F_PERMISSION record: StreamID 7, write (RnW 0), stage 2 (bit 103), CLASS TT (0b01).
    const e = decodeEvent([0x13, 7, 0, (1 << 7) | (1 << 8), 0x5000, 0x1, 0, 0]);
    expect([e.name, e.streamId, e.read, e.stage2, e.cls, e.inputAddr]).toEqual(['F_PERMISSION', 7, false, true, 'TT', 0x1_0000_5000]);
    expect(HYP_SMMU_MEM).toBeGreaterThanOrEqual(64 * 1024 + 0x2000);
  });
});
