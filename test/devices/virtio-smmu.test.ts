// Bus masters behind the real SMMUv3 (src/smmu) on the board (iommu: 'smmuv3'), programmed by the
// hypervisor's SMMU driver (src/hyp/iommu.ts: stream table, queues, CMD_CFGI_STE, CMD_SYNC):
// virtio-blk (StreamID 0) and the DMA engine (StreamID 32) with a stage-2 STE translate their
// IOVAs (IPAs) through the stage-2 tables; an unmapped page aborts with an event naming the
// StreamID and nothing is written; a bypass STE passes PAs through.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, VIRT, STREAM_ID } from '../../src/machine.js';
import { HypSmmu } from '../../src/hyp/iommu.js';
import { TableBuilder, s2Leaf } from '../../src/mmu/builder.js';
import { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_S_OK, VIRTIO_BLK_S_IOERR } from '../../src/devices/virtio/blk.js';
import { DMA_REG, DMA_ERR, CTRL_START, CTRL_BURST_SHIFT, STATUS_DONE } from '../../src/devices/dma-engine.js';
import { TestDriver } from './virtio-driver.js';

const RAM = VIRT.RAM;
/** The device's view: IPA window [IPA, IPA + 1 MiB) -> PA [WIN, WIN + 1 MiB) (stage 2, 4 KiB pages). */
const IPA = 0x1000_0000;
const WIN = RAM + 0x10_0000;
const toPa = (ipa: number): number => WIN + (ipa - IPA);
const DESC = IPA + 0x0000;
const AVAIL = IPA + 0x1000;
const USED = IPA + 0x2000;
const HDR = IPA + 0x3000;
const DATA = IPA + 0x4000;
const STAT = IPA + 0x5000;

let dir: string;
let disk: string;
let m: Machine;
let drv: HypSmmu;
let s2: TableBuilder;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-smmu-'));
  disk = join(dir, 'disk.img');
  const img = new Uint8Array(8 * 512);
  img.fill(0x77, 512, 1024); // sector 1
  writeFileSync(disk, img);
  m = new Machine({ ramSize: 16 << 20, drives: [{ path: disk }], iommu: 'smmuv3' });
  drv = new HypSmmu(m.bus, { base: VIRT.SMMU, memBase: RAM + 0x80_0000 });
  drv.init();
  s2 = new TableBuilder(m.bus, { inputSize: 40, poolBase: RAM + 0xa0_0000, poolEnd: RAM + 0xc0_0000 });
  s2.map(IPA, WIN, 0x10_0000, s2Leaf({}), 3);
});
afterEach(() => {
  m.close();
  rmSync(dir, { recursive: true, force: true });
});

function header(type: number, sector: number): void {
  const o = toPa(HDR) - RAM;
  m.bus.dv.setUint32(o, type, true);
  m.bus.dv.setUint32(o + 8, sector, true);
  m.bus.dv.setUint32(o + 12, 0, true);
}
const status = (): number => m.bus.u8[toPa(STAT) - RAM];

describe('virtio-blk behind the SMMU', () => {
  it('a stage-2 STE: rings, header, data and status at IPAs reach their PAs; counters show translations', () => {
    drv.attachStage2(STREAM_ID.VIRTIO_BASE, { vmid: 5, root: s2.root, vtcr: s2.vtcr() });
    const d = new TestDriver(m, VIRT.VIRTIO_MMIO, DESC, AVAIL, USED);
    d.toPa = toPa;
    d.init([0, 3]);
    header(VIRTIO_BLK_T_IN, 1);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status()).toBe(VIRTIO_BLK_S_OK);
    expect(m.bus.u8.subarray(toPa(DATA) - RAM, toPa(DATA) - RAM + 512).every((b) => b === 0x77)).toBe(true);
    // Nothing landed at the IPAs taken as PAs (IPA 0x1000_0000 is not RAM anyway) and no events.
    expect(drv.drainEvents()).toEqual([]);
    const st = m.smmu!.stats();
    expect(st.translations).toBeGreaterThan(5);
    expect(st.bypassed).toBe(0);
    expect(st.aborted).toBe(0);
    expect(st.walks.s2Walks).toBeGreaterThan(0);
  });

  it('a data page missing from stage 2: the request completes with IOERR, the SMMU records a translation fault for StreamID 0, nothing is written there', () => {
    drv.attachStage2(STREAM_ID.VIRTIO_BASE, { vmid: 5, root: s2.root, vtcr: s2.vtcr() });
    s2.unmap(DATA);
    const d = new TestDriver(m, VIRT.VIRTIO_MMIO, DESC, AVAIL, USED);
    d.toPa = toPa;
    d.init([0, 3]);
    header(VIRTIO_BLK_T_IN, 1);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(status()).toBe(VIRTIO_BLK_S_IOERR);
    expect(m.bus.u8.subarray(toPa(DATA) - RAM, toPa(DATA) - RAM + 512).every((b) => b === 0)).toBe(true);
    const evs = drv.drainEvents();
    expect(evs.length).toBeGreaterThan(0);
    expect(evs[0].streamId).toBe(STREAM_ID.VIRTIO_BASE);
    expect(evs[0].name).toMatch(/F_TRANSLATION/);
    expect(evs[0].inputAddr).toBe(DATA);
    expect(evs[0].read).toBe(false); // the device was writing the data
    expect(evs[0].stage2).toBe(true);
    expect(m.virtio[0].mmio.port.stats.aborts).toBeGreaterThan(0);
  });

  it('a bypass STE: addresses are PAs', () => {
    drv.attachBypass(STREAM_ID.VIRTIO_BASE);
    const d = new TestDriver(m, VIRT.VIRTIO_MMIO, toPa(DESC), toPa(AVAIL), toPa(USED));
    d.init([0, 3]);
    m.bus.u8.fill(0x31, toPa(DATA) - RAM, toPa(DATA) - RAM + 512);
    header(VIRTIO_BLK_T_OUT, 3);
    d.submit([
      { addr: toPa(HDR), len: 16 },
      { addr: toPa(DATA), len: 512 },
      { addr: toPa(STAT), len: 1, write: true },
    ]);
    expect(status()).toBe(VIRTIO_BLK_S_OK);
    expect(m.smmu!.stats().bypassed).toBeGreaterThan(0);
  });

  it('no STE for the stream (abort by default once SMMUEN=1): the driver cannot even read the ring', () => {
    const d = new TestDriver(m, VIRT.VIRTIO_MMIO, DESC, AVAIL, USED);
    d.toPa = toPa;
    d.init([0, 3]);
    header(VIRTIO_BLK_T_IN, 1);
    d.submit([
      { addr: HDR, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: STAT, len: 1, write: true },
    ]);
    expect(d.usedIdx()).toBe(0);
    expect(d.rd(0x70) & 64).toBe(64); // DEVICE_NEEDS_RESET
  });
});

describe('board reset', () => {
  it('Machine.boot resets the SMMU (SMMUEN=0: GBPA bypass) and the virtio devices', () => {
    drv.attachStage2(STREAM_ID.VIRTIO_BASE, { vmid: 5, root: s2.root, vtcr: s2.vtcr() });
    const d = new TestDriver(m, VIRT.VIRTIO_MMIO, DESC, AVAIL, USED);
    d.toPa = toPa;
    d.init([0, 3]);
    expect(d.rd(0x70)).toBe(15);
    m.boot(BigInt(RAM));
    expect(d.rd(0x70)).toBe(0); // the transport's Status after reset
    expect(m.smmu!.read(0x20, 4) & 1).toBe(0); // CR0.SMMUEN
    // Untranslated again: a PA works as the address.
    expect(m.virtio[0].mmio.port.writeU32(WIN, 0x1234)).toBe(true);
    expect(m.smmu!.stats().bypassed).toBeGreaterThan(0);
  });
});

describe('the DMA engine behind the SMMU (StreamID 32)', () => {
  const E = VIRT.DMA_ENGINE;
  const program = (src: number, dst: number, len: number): void => {
    m.bus.write(E + DMA_REG.SRC_LO, 4, src);
    m.bus.write(E + DMA_REG.SRC_HI, 4, 0);
    m.bus.write(E + DMA_REG.DST_LO, 4, dst);
    m.bus.write(E + DMA_REG.DST_HI, 4, 0);
    m.bus.write(E + DMA_REG.LEN, 4, len);
    m.bus.write(E + DMA_REG.CTRL, 4, CTRL_START | (12 << CTRL_BURST_SHIFT));
  };

  it('copies between IPAs through stage 2; a destination outside the window aborts with an event and a WRITE_ABORT', () => {
    drv.attachStage2(STREAM_ID.DMA_ENGINE, { vmid: 7, root: s2.root, vtcr: s2.vtcr() });
    m.bus.u8.fill(0xab, toPa(IPA + 0x8000) - RAM, toPa(IPA + 0x8000) - RAM + 0x2000);
    program(IPA + 0x8000, IPA + 0x2_0000, 0x2000);
    expect(m.bus.read(E + DMA_REG.STATUS, 4)).toBe(STATUS_DONE);
    expect(m.bus.u8.subarray(toPa(IPA + 0x2_0000) - RAM, toPa(IPA + 0x2_2000) - RAM).every((b) => b === 0xab)).toBe(true);
    m.bus.write(E + DMA_REG.STATUS, 4, STATUS_DONE);
    program(IPA + 0x8000, IPA + 0x10_0000, 0x1000); // just past the mapped window
    expect(m.bus.read(E + DMA_REG.ERROR, 4)).toBe(DMA_ERR.WRITE_ABORT);
    const evs = drv.drainEvents();
    expect(evs.map((e) => [e.streamId, e.inputAddr])).toEqual([[STREAM_ID.DMA_ENGINE, IPA + 0x10_0000]]);
  });
});
