// The arm64 Linux boot protocol loader (Linux Documentation/arm64/booting.rst: the Image header,
// placement at a 2 MiB aligned base + text_offset, the initrd and DTB beside it).
import { describe, it, expect } from 'vitest';
import { gzipSync } from 'node:zlib';
import { isArm64Image, parseImage, planLayout, placeLinux, loadLinux, DTB_MAX, ARM64_MAGIC, type LinuxChosen } from '../../src/loader/linux.js';
import { Bus } from '../../src/devices/bus.js';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { loadImage, bootLoaded } from '../../src/loader/index.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;

/** A minimal Image: the 64-byte header (booting.rst "Header notes") followed by `body`. */
function makeImage(o: { textOffset?: number; imageSize?: number; flags?: number; magic?: number; body?: number } = {}): Uint8Array {
  const img = new Uint8Array(64 + (o.body ?? 64));
  const v = new DataView(img.buffer);
  v.setUint32(0x00, 0x14000010, true); // code0: b +0x40 (past the header)
  v.setUint32(0x08, o.textOffset ?? 0, true);
  v.setUint32(0x10, o.imageSize ?? 0x10000, true);
  v.setUint32(0x18, o.flags ?? 0b1010, true); // LE, 4K pages, placement anywhere
  v.setUint32(0x38, o.magic ?? ARM64_MAGIC, true);
  img[64] = 0xaa;
  return img;
}

describe('arm64 Image header', () => {
  it('recognises the "ARM\\x64" magic at 0x38, raw and gzip-compressed', () => {
    expect(isArm64Image(makeImage())).toBe(true);
    expect(isArm64Image(gzipSync(makeImage()))).toBe(true);
    expect(isArm64Image(makeImage({ magic: 0x016f2818 }))).toBe(false); // the arm32 zImage magic
    expect(isArm64Image(gzipSync(new Uint8Array(100)))).toBe(false);
    expect(isArm64Image(new Uint8Array([0x1f, 0x8b, 1, 2, 3]))).toBe(false); // truncated gzip
  });
  it('reads text_offset, image_size and flags; decompresses a gzip Image', () => {
    const h = parseImage(gzipSync(makeImage({ textOffset: 0x80000, imageSize: 0x123000 })), 'vmlinuz');
    expect([h.textOffset, h.imageSize, h.flags]).toEqual([0x80000, 0x123000, 0b1010]);
    expect(h.image[64]).toBe(0xaa);
  });
  it('image_size 0 (pre-3.17 kernels) means "the file\'s length"', () => {
    expect(parseImage(makeImage({ imageSize: 0 }), 'k').imageSize).toBe(128);
  });
  it('one-line errors: no magic, too short, corrupt gzip, big-endian, 64K pages', () => {
    expect(() => parseImage(makeImage({ magic: 0 }), 'k')).toThrow(/^k: not an arm64 Linux Image \(no "ARM\\x64" magic at offset 0x38\)$/);
    expect(() => parseImage(new Uint8Array(10), 'k')).toThrow(/too short/);
    const gz = gzipSync(makeImage());
    expect(() => parseImage(gz.subarray(0, gz.length - 12), 'k')).toThrow(/^k: gzip data is corrupt/);
    expect(() => parseImage(makeImage({ flags: 1 }), 'k')).toThrow(/big-endian/);
    expect(() => parseImage(makeImage({ flags: 3 << 1 }), 'k')).toThrow(/64K pages/);
  });
});

describe('placement', () => {
  const ram = { ramBase: 0x4000_0000, ramSize: 128 * MiB };
  it('kernel at a 2 MiB aligned base + text_offset; initrd at RAM + min(RAM/2, 128M) as QEMU; DTB 2 MiB aligned above it', () => {
    const h = parseImage(makeImage({ textOffset: 0x80000, imageSize: 0x1_2345 }), 'k');
    const l = planLayout(h, 1000, DTB_MAX, ram, 'k');
    expect(l.kernel).toBe(0x4020_0000 + 0x80000);
    expect((l.kernel - h.textOffset) % (2 * MiB)).toBe(0);
    // Not right after image_size (0x40293000): a guest using the memory past its end would overwrite it.
    expect(l.initrdStart).toBe(0x4400_0000);
    expect(l.initrdEnd).toBe(l.initrdStart + 1000);
    expect(l.dtb).toBe(0x4420_0000);
    expect(l.dtb % 8).toBe(0); // booting.rst: the DTB on an 8-byte boundary
  });
  it('refuses a layout that does not fit in RAM, naming --ram', () => {
    const h = parseImage(makeImage({ imageSize: 126 * MiB }), 'k');
    expect(() => planLayout(h, 0, DTB_MAX, ram, 'k')).toThrow(/RAM ends at 0x48000000 \(use a larger --ram\)/);
  });
  it('a kernel reaching past RAM/2 pushes the initrd above its image_size (4K aligned), as QEMU does', () => {
    const h = parseImage(makeImage({ imageSize: 70 * MiB + 0x345 }), 'k');
    const l = planLayout(h, 11, DTB_MAX, ram, 'k');
    expect(l.initrdStart).toBe(0x4020_0000 + 70 * MiB + 0x1000);
    expect(l.dtb).toBe(0x44a0_0000);
  });
  it('copies the kernel and initrd where planned; BSS beyond the file stays zero', () => {
    const bus = new Bus(ram.ramBase, 8 * MiB);
    const h = parseImage(makeImage({ imageSize: 0x2000 }), 'k');
    const lay = planLayout(h, 3, DTB_MAX, bus, 'k');
    placeLinux(bus, h, new Uint8Array([1, 2, 3]), lay);
    expect(bus.readBytes(lay.kernel + 64, 1)[0]).toBe(0xaa);
    expect([...bus.readBytes(lay.initrdStart, 3)]).toEqual([1, 2, 3]);
    expect(bus.readBytes(lay.kernel + 0x1000, 4).every((b) => b === 0)).toBe(true);
  });
});

describe('loadLinux', () => {
  it('hands /chosen (bootargs, initrd range) to the DT builder and puts the blob at the DTB address', () => {
    const bus = new Bus(0x4000_0000, 16 * MiB);
    let seen: LinuxChosen | null = null;
    const b = loadLinux(bus, makeImage(), 'k', { initrd: new Uint8Array(100), append: 'console=ttyAMA0' }, (c) => {
      seen = c;
      return new Uint8Array([0xd0, 0x0d, 0xfe, 0xed]);
    });
    expect(seen).toEqual({ bootargs: 'console=ttyAMA0', initrd: { start: b.layout.initrdStart, end: b.layout.initrdStart + 100 } });
    expect(b.entry).toBe(0x4020_0000);
    expect([...bus.readBytes(b.dtb, 4)]).toEqual([0xd0, 0x0d, 0xfe, 0xed]);
    expect(b.end).toBe(b.dtb + 4);
  });
  it('without an initrd /chosen has none; an oversized DTB is refused', () => {
    const bus = new Bus(0x4000_0000, 16 * MiB);
    let seen: LinuxChosen | null = null;
    loadLinux(bus, makeImage(), 'k', {}, (c) => ((seen = c), new Uint8Array(8)));
    expect(seen).toEqual({ bootargs: '', initrd: null });
    expect(() => loadLinux(bus, makeImage(), 'k', {}, () => new Uint8Array(DTB_MAX + 8))).toThrow(/exceeds the 2 MiB/);
  });
});

describe('loadImage with a Linux Image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a64hv-linux-'));
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd');
  const raw = join(dir, 'raw.bin');
  writeFileSync(kernel, gzipSync(makeImage()));
  writeFileSync(initrd, new Uint8Array([9, 8, 7]));
  writeFileSync(raw, new Uint8Array(64));
  const fakeDtb = (): Uint8Array => new Uint8Array([0xd0, 0x0d, 0xfe, 0xed]);
  it('is recognised by content; boot enters at the first byte with x0 = DTB, x1..x3 = 0, EL1h, DAIF masked, MMU off', async () => {
    const m = new Machine();
    let chosen: LinuxChosen | null = null;
    let board: { ramBase: number; ramSize: number } | null = null;
    const img = await loadImage(m, kernel, { initrd, append: 'quiet', linuxDtb: (b, c) => ((board = b), (chosen = c), fakeDtb()) });
    bootLoaded(m, img);
    expect(img.kind).toBe('linux');
    expect(board).toMatchObject({ ramBase: 0x4000_0000, ramSize: 128 * MiB });
    expect(chosen!.bootargs).toBe('quiet');
    expect(m.cpu.pc).toBe(0x4020_0000n);
    expect(m.cpu.readX(0)).toBe(img.x0);
    expect([...m.bus.readBytes(Number(img.x0), 4)]).toEqual([0xd0, 0x0d, 0xfe, 0xed]);
    expect([m.cpu.readX(1), m.cpu.readX(2), m.cpu.readX(3)]).toEqual([0n, 0n, 0n]);
    expect([m.cpu.el, m.cpu.spsel, m.cpu.daif]).toEqual([1, 1, 0xf]);
    expect(m.cpu.sysLo(SYS.SCTLR_EL1) & 0b101).toBe(0); // SCTLR_EL1.M and .C clear
    expect([...m.bus.readBytes(chosen!.initrd!.start, 3)]).toEqual([9, 8, 7]);
  });
  it('user errors: no DT generator, --addr, --initrd/--append with a non-Linux image, missing initrd', async () => {
    await expect(loadImage(new Machine(), kernel, {})).rejects.toThrow(/vmlinuz: a Linux Image needs the board's device tree/);
    await expect(loadImage(new Machine(), kernel, { addr: 0x4000_0000n, linuxDtb: fakeDtb })).rejects.toThrow(/--addr applies to raw binaries only/);
    await expect(loadImage(new Machine(), raw, { append: 'x' })).rejects.toThrow(/raw.bin: --initrd and --append need the board's device tree/);
    await expect(loadImage(new Machine(), kernel, { initrd: join(dir, 'nope'), linuxDtb: fakeDtb })).rejects.toThrow(/nope: no such file/);
  });
  it('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
