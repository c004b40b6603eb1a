// DmaPort: the bus masters' port (src/devices/dma-port.ts). Direct or through a translator page by
// page; a transaction is all or nothing; only RAM is reachable; writes tell the CPU (dmaWritten).
import { describe, it, expect } from 'vitest';
import { Machine, VIRT } from '../../src/machine.js';
import { DmaPort, ADDR_TOO_HIGH, type DmaTranslator } from '../../src/devices/dma-port.js';
import { assemble } from '../helpers.js';

const RAM = VIRT.RAM;
const small = (): Machine => new Machine({ ramSize: 1 << 20, dmaEngine: false });

/** A fake IOMMU: a page table of IOVA page -> PA page; other pages abort. Records every call. */
class FakeTranslator implements DmaTranslator {
  readonly map = new Map<number, number>();
  readonly calls: [number, number, boolean][] = [];
  translate(sid: number, iova: number, write: boolean): number {
    this.calls.push([sid, iova, write]);
    const pa = this.map.get(Math.floor(iova / 4096));
    return pa === undefined ? -1 : pa * 4096 + (iova % 4096);
  }
}

describe('DmaPort direct', () => {
  it('reads and writes RAM at PAs and counts bytes', () => {
    const m = small();
    const p = new DmaPort(m.bus, 't');
    expect(p.write(RAM + 0x1000, new Uint8Array([1, 2, 3, 4]))).toBe(true);
    const d = new Uint8Array(4);
    expect(p.read(RAM + 0x1000, d)).toBe(true);
    expect([...d]).toEqual([1, 2, 3, 4]);
    expect(p.readU32(RAM + 0x1000)).toBe(0x04030201);
    expect(p.writeU16(RAM + 0x1002, 0xbeef)).toBe(true);
    expect(p.readU16(RAM + 0x1002)).toBe(0xbeef);
    expect(p.stats).toMatchObject({ bytesWritten: 6, bytesRead: 4 + 4 + 2, aborts: 0 });
  });

  it('a transaction reaching a device or a hole aborts and writes nothing (no MMIO peer-to-peer)', () => {
    const m = small();
    const p = new DmaPort(m.bus, 't');
    // Straddling the end of RAM: the first part is RAM, the rest is not: nothing is written.
    const end = RAM + (1 << 20);
    expect(p.write(end - 2, new Uint8Array([9, 9, 9, 9]))).toBe(false);
    expect(m.bus.u8[(1 << 20) - 2]).toBe(0);
    // The UART's frame: a device is not reachable by DMA (its registers are untouched).
    expect(p.write(VIRT.UART0, new Uint8Array(4).fill(0x41))).toBe(false);
    expect(m.output).toBe('');
    expect(p.read(0x1000, new Uint8Array(4))).toBe(false);
    expect(p.stats.aborts).toBe(3);
  });

  it('64-bit fields: exact below 2^53, ADDR_TOO_HIGH above (which then aborts)', () => {
    const m = small();
    const p = new DmaPort(m.bus, 't');
    m.bus.dv.setUint32(0x10, 0x89abcdef, true);
    m.bus.dv.setUint32(0x14, 0x001f_ffff, true);
    expect(p.readU64(RAM + 0x10)).toBe(0x1f_ffff * 2 ** 32 + 0x89abcdef);
    m.bus.dv.setUint32(0x14, 0xffff_ffff, true);
    expect(p.readU64(RAM + 0x10)).toBe(ADDR_TOO_HIGH);
    expect(p.read(ADDR_TOO_HIGH, new Uint8Array(1))).toBe(false);
  });

  it('a DMA write over decoded code invalidates it (Cpu.dmaWritten), as a CPU store would', async () => {
    const m = new Machine({ ramSize: 1 << 20 }); // with its DMA engine: the board's wiring is tested
    // x0 = 1 each time round; between the two passes, DMA patches `mov x0, #1` into `mov x0, #2`.
    const code = await assemble('mov x0, #1\nhlt #0x1');
    const patch = await assemble('mov x0, #2');
    m.bus.load(RAM, code);
    m.cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c) => (c.halt('done', 0), true) };
    m.cpu.pc = BigInt(RAM);
    m.cpu.run(10);
    expect(m.cpu.readX(0)).toBe(1n);
    const port = m.dma!.port;
    expect(port.write(RAM, patch)).toBe(true);
    m.cpu.status = 0;
    m.cpu.pc = BigInt(RAM);
    m.cpu.run(10);
    expect(m.cpu.readX(0)).toBe(2n); // a stale decoded block would give 1
  });

  it('a DMA write clears an exclusive reservation on those bytes (STXR then fails)', async () => {
    const m = small();
    const code = await assemble(`
      ldxr x1, [x2]
      hlt #0x2
      stxr w3, x1, [x2]
      hlt #0x1`);
    m.bus.load(RAM, code);
    let stops = 0;
    m.cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c) => (stops++, c.halt('stop', 0), true) };
    m.cpu.writeX(2, BigInt(RAM + 0x8000));
    m.cpu.pc = BigInt(RAM);
    m.cpu.run(10);
    const port = new DmaPort(m.bus, 'p', null, 0, (pa, len) => m.cpu.dmaWritten(pa, len));
    port.writeU32(RAM + 0x8004, 7);
    m.cpu.status = 0;
    m.cpu.pc = BigInt(RAM + 8);
    m.cpu.run(10);
    expect(stops).toBe(2);
    expect(m.cpu.readX(3)).toBe(1n); // STXR status 1: the monitor was cleared
  });
});

describe('DmaPort through an IOMMU (fake translator)', () => {
  it('translates every 4 KiB page of the IOVA with its StreamID, read or write', () => {
    const m = small();
    const t = new FakeTranslator();
    t.map.set(0x1000, (RAM >>> 12) + 5); // IOVA 0x100_0000 -> RAM page 5
    t.map.set(0x1001, (RAM >>> 12) + 2); // IOVA 0x100_1000 -> RAM page 2 (not contiguous)
    const p = new DmaPort(m.bus, 't', t, 0x21);
    const src = new Uint8Array(0x20).map((_, i) => i + 1);
    expect(p.write(0x100_0ff0, src)).toBe(true);
    expect(t.calls).toEqual([
      [0x21, 0x100_0ff0, true],
      [0x21, 0x100_1000, true],
    ]);
    expect([...m.bus.u8.subarray(5 * 4096 + 0xff0, 5 * 4096 + 0x1000)]).toEqual([...src.subarray(0, 16)]);
    expect([...m.bus.u8.subarray(2 * 4096, 2 * 4096 + 16)]).toEqual([...src.subarray(16)]);
    const back = new Uint8Array(0x20);
    expect(p.read(0x100_0ff0, back)).toBe(true);
    expect([...back]).toEqual([...src]);
    expect(t.calls.slice(2).every(([, , w]) => !w)).toBe(true);
  });

  it('an aborted translation on any page writes nothing at all and reads nothing', () => {
    const m = small();
    const t = new FakeTranslator();
    t.map.set(0x1000, (RAM >>> 12) + 5); // only the first page is mapped
    const p = new DmaPort(m.bus, 't', t, 3);
    expect(p.write(0x100_0ff0, new Uint8Array(0x20).fill(0xaa))).toBe(false);
    expect(m.bus.u8.subarray(5 * 4096, 6 * 4096).every((b) => b === 0)).toBe(true);
    const d = new Uint8Array(0x20).fill(0x55);
    expect(p.read(0x100_0ff0, d)).toBe(false);
    expect(d.every((b) => b === 0x55)).toBe(true);
    expect(p.stats).toMatchObject({ aborts: 2, bytesWritten: 0, bytesRead: 0 });
  });

  it('a translation to a non-RAM PA aborts too', () => {
    const m = small();
    const t = new FakeTranslator();
    t.map.set(0, VIRT.UART0 >>> 12);
    const p = new DmaPort(m.bus, 't', t, 0);
    expect(p.writeU32(0x10, 0x41414141)).toBe(false);
    expect(m.output).toBe('');
  });
});
