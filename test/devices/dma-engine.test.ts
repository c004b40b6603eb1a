// The DMA engine (src/devices/dma-engine.ts, register map in src/devices/README-dma.md), driven
// through its MMIO frame as a guest would.
import { describe, it, expect } from 'vitest';
import { Machine, VIRT, INTID } from '../../src/machine.js';
import {
  DMA_REG,
  DMA_ID_VALUE,
  DMA_ERR,
  CTRL_START,
  CTRL_IRQ_EN,
  CTRL_BURST_SHIFT,
  STATUS_DONE,
  STATUS_ERROR,
  BURST_SETUP_CYCLES,
  BUS_BYTES_PER_CYCLE,
} from '../../src/devices/dma-engine.js';
import type { DmaTranslator } from '../../src/devices/dma-port.js';

const RAM = VIRT.RAM;
const B = VIRT.DMA_ENGINE;
const wr = (m: Machine, r: number, v: number): void => m.bus.write(B + r, 4, v);
const rd = (m: Machine, r: number): number => m.bus.read(B + r, 4);
const pending = (m: Machine, intid: number): boolean => ((m.gic.distributor.read(0x200 + 4 * (intid >> 5), 4) >>> (intid & 31)) & 1) === 1;

function program(m: Machine, src: number, dst: number, len: number, ctrl: number): void {
  wr(m, DMA_REG.SRC_LO, src >>> 0);
  wr(m, DMA_REG.SRC_HI, Math.floor(src / 2 ** 32));
  wr(m, DMA_REG.DST_LO, dst >>> 0);
  wr(m, DMA_REG.DST_HI, Math.floor(dst / 2 ** 32));
  wr(m, DMA_REG.LEN, len);
  wr(m, DMA_REG.CTRL, ctrl);
}

describe('DMA engine', () => {
  it('identifies itself and its registers read back', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(rd(m, DMA_REG.ID)).toBe(DMA_ID_VALUE);
    wr(m, DMA_REG.SRC_HI, 0x1234);
    wr(m, DMA_REG.SRC_LO, 0x89abcdef);
    expect(rd(m, DMA_REG.SRC_LO)).toBe(0x89abcdef);
    expect(rd(m, DMA_REG.SRC_HI)).toBe(0x1234);
    wr(m, DMA_REG.SRC_HI, 0xffff_ffff); // 48-bit addresses: the high word keeps 16 bits
    expect(rd(m, DMA_REG.SRC_HI)).toBe(0xffff);
    wr(m, DMA_REG.CTRL, CTRL_IRQ_EN | (6 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.CTRL)).toBe(CTRL_IRQ_EN | (6 << CTRL_BURST_SHIFT));
  });

  it('copies LEN bytes in bursts, charges BURST_SETUP + bytes/16 cycles per burst, sets DONE', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    for (let i = 0; i < 1000; i++) m.bus.u8[0x1003 + i] = (i * 7) & 0xff;
    const c0 = m.cpu.cycles;
    program(m, RAM + 0x1003, RAM + 0x8000, 1000, CTRL_START | (8 << CTRL_BURST_SHIFT)); // 256-byte bursts
    expect(rd(m, DMA_REG.STATUS)).toBe(STATUS_DONE);
    expect(rd(m, DMA_REG.DONE_BYTES)).toBe(1000);
    expect(rd(m, DMA_REG.CTRL) & CTRL_START).toBe(0);
    expect([...m.bus.u8.subarray(0x8000, 0x8000 + 1000)]).toEqual([...m.bus.u8.subarray(0x1003, 0x1003 + 1000)]);
    // Bursts do not cross a 256-byte boundary of the source: 0x1003..0x10ff (253 bytes), 256, 256, then the last 235.
    const sizes = [253, 256, 256, 235];
    expect(m.dma!.stats.bursts).toBe(sizes.length);
    const expected = sizes.reduce((a, n) => a + BURST_SETUP_CYCLES + Math.ceil(n / BUS_BYTES_PER_CYCLE), 0);
    expect(m.cpu.cycles - c0).toBe(expected);
    expect(m.dma!.port.stats.bytesWritten).toBe(1000);
  });

  it('raises its SPI when DONE with IRQ_EN; write-1-to-clear drops it', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.gic.distributor.write(0x100 + 4 * (INTID.DMA_ENGINE >> 5), 4, 1 << (INTID.DMA_ENGINE & 31)); // GICD_ISENABLER
    program(m, RAM, RAM + 0x100, 16, CTRL_START | (4 << CTRL_BURST_SHIFT));
    expect(pending(m, INTID.DMA_ENGINE)).toBe(false); // IRQ_EN clear
    program(m, RAM, RAM + 0x100, 16, CTRL_START | CTRL_IRQ_EN | (4 << CTRL_BURST_SHIFT));
    expect(pending(m, INTID.DMA_ENGINE)).toBe(true);
    wr(m, DMA_REG.STATUS, STATUS_DONE);
    expect(rd(m, DMA_REG.STATUS)).toBe(0);
    expect(pending(m, INTID.DMA_ENGINE)).toBe(false); // level-sensitive: the line dropped
  });

  it('a destination outside RAM stops at the failing burst: ERROR, WRITE_ABORT, ERR_ADDR, bytes done so far', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const end = RAM + (1 << 20);
    program(m, RAM, end - 32, 64, CTRL_START | (4 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.STATUS)).toBe(STATUS_ERROR);
    expect(rd(m, DMA_REG.ERROR)).toBe(DMA_ERR.WRITE_ABORT);
    expect(rd(m, DMA_REG.ERR_ADDR_LO)).toBe(end >>> 0);
    expect(rd(m, DMA_REG.DONE_BYTES)).toBe(32);
    wr(m, DMA_REG.STATUS, STATUS_ERROR);
    expect(rd(m, DMA_REG.ERROR)).toBe(0);
    // A source in a device frame: READ_ABORT, nothing written.
    program(m, VIRT.UART0, RAM + 0x200, 16, CTRL_START | (4 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.ERROR)).toBe(DMA_ERR.READ_ABORT);
    expect(rd(m, DMA_REG.ERR_ADDR_LO)).toBe(VIRT.UART0);
    expect(rd(m, DMA_REG.DONE_BYTES)).toBe(0);
  });

  it('refuses a burst size outside 16 B..4 KiB and a range beyond 2^48 without copying', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.bus.u8[0] = 0x5a;
    program(m, RAM, RAM + 0x100, 1, CTRL_START | (3 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.ERROR)).toBe(DMA_ERR.BAD_BURST);
    program(m, RAM, RAM + 0x100, 1, CTRL_START | (13 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.ERROR)).toBe(DMA_ERR.BAD_BURST);
    program(m, 2 ** 48 - 1, RAM + 0x100, 2, CTRL_START | (4 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.ERROR)).toBe(DMA_ERR.BAD_RANGE);
    expect(m.bus.u8[0x100]).toBe(0);
    expect(m.dma!.port.stats.bytesWritten).toBe(0);
  });

  it('LEN 0 completes at once with nothing moved', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    program(m, RAM, RAM + 0x100, 0, CTRL_START | (12 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.STATUS)).toBe(STATUS_DONE);
    expect(m.dma!.stats.bursts).toBe(0);
  });

  it('behind an IOMMU: addresses are IOVAs of StreamID 32; an aborted page stops the copy there', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const seen: number[] = [];
    const t: DmaTranslator = {
      translate: (sid, iova) => {
        seen.push(sid);
        // IOVA 0x1000_0000 + x -> RAM + x for the first 8 KiB only.
        return iova >= 0x1000_0000 && iova < 0x1000_2000 ? RAM + (iova - 0x1000_0000) : -1;
      },
    };
    m.setIommu(t);
    m.bus.u8.fill(0x11, 0, 0x1000);
    program(m, 0x1000_0000, 0x1000_1000, 0x1000, CTRL_START | (12 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.STATUS)).toBe(STATUS_DONE);
    expect(m.bus.u8[0x1fff]).toBe(0x11);
    expect(new Set(seen)).toEqual(new Set([32]));
    program(m, 0x1000_0000, 0x1000_1800, 0x1000, CTRL_START | (11 << CTRL_BURST_SHIFT));
    expect(rd(m, DMA_REG.ERROR)).toBe(DMA_ERR.WRITE_ABORT);
    expect(rd(m, DMA_REG.ERR_ADDR_LO)).toBe(0x1000_2000);
    expect(rd(m, DMA_REG.DONE_BYTES)).toBe(0x800);
  });
});
