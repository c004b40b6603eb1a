// The virt board's flash (src/devices/flash.ts): read-only memory at PA 0, little-endian reads of
// the image, zero past it (QEMU's unbacked pflash reads zero), writes ignored with a log line.
import { describe, it, expect } from 'vitest';
import { FlashRom, FLASH_BANK_SIZE } from '../../src/devices/flash.js';
import { Bus } from '../../src/devices/bus.js';

describe('FlashRom', () => {
  it('reads the image little-endian at sizes 1, 2, 4 and zero beyond it', () => {
    const f = new FlashRom(new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55]));
    expect(f.read(0, 1)).toBe(0x11);
    expect(f.read(0, 2)).toBe(0x2211);
    expect(f.read(0, 4)).toBe(0x44332211);
    expect(f.read(2, 4)).toBe(0x00554433); // straddles the image end
    expect(f.read(FLASH_BANK_SIZE, 4)).toBe(0); // the second bank (U-Boot's environment)
    expect(f.read(0x1000, 4)).toBe(0);
  });

  it('values with bit 31 set come back unsigned', () => {
    expect(new FlashRom(new Uint8Array([0, 0, 0, 0xff])).read(0, 4)).toBe(0xff000000);
  });

  it('ignores writes and reports them', () => {
    const f = new FlashRom(new Uint8Array([1, 2, 3, 4]));
    const log: string[] = [];
    f.onUnknown = (m) => log.push(m);
    f.write(0, 4, 0x98);
    expect(f.read(0, 4)).toBe(0x04030201);
    expect(log).toEqual(['flash: 4-byte write of 0x98 at 0x0 ignored (read-only, no CFI commands)']);
  });

  it('covers both 64 MiB banks on the bus and rejects an image larger than the flash', () => {
    const bus = new Bus(0x4000_0000, 0x10000);
    const f = new FlashRom(new Uint8Array([7]));
    bus.map(0, f.size, f);
    expect(bus.region(0)?.dev).toBe(f);
    expect(bus.region(2 * FLASH_BANK_SIZE - 1)?.dev).toBe(f);
    expect(bus.region(2 * FLASH_BANK_SIZE)).toBeUndefined();
    expect(() => new FlashRom(new Uint8Array(9), 8)).toThrow(/exceeds/);
  });
});
