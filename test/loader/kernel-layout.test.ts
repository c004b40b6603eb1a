// QEMU's -kernel conventions for a raw kernel (src/loader/kernel-layout.ts). The expected lines are
// what qemu-system-aarch64 7.2 -M virt -cpu cortex-a57 -kernel printed for the same bytes
// (test/fixtures/raw-boot-probe.S assembled at 0x40080000; recorded, so CI needs no QEMU).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { assembleSource } from '../../src/loader/asm.js';
import { initrdBase, dtbBase, RAW_KERNEL_OFFSET } from '../../src/loader/kernel-layout.js';
import { loadImage, bootLoaded } from '../../src/loader/index.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { Machine } from '../../src/machine.js';

const MiB = 1024 * 1024;
const RAM = 0x4000_0000;
const line = (v: number): string => v.toString(16).padStart(16, '0');
/** The probe's output: x0, x1, x2, x3, its load address, and [x0] when x0 != 0. */
const probeOut = (x0: number, pc = 0x4008_0000): string =>
  [x0, 0, 0, 0, pc].map(line).join('\n') + '\n' + (x0 !== 0 ? line(0xedfe0dd0) + '\n' : '');

let dir: string;
let probe: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-kernel-layout-'));
  const src = readFileSync(join(__dirname, '..', 'fixtures', 'raw-boot-probe.S'), 'utf8');
  probe = join(dir, 'probe.bin');
  writeFileSync(probe, (await assembleSource(src, 'raw-boot-probe.S', 0x4008_0000n)).code);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('where QEMU virt puts the initrd and the device tree', () => {
  it('initrd at RAM + min(RAM/2, 128 MiB), or above the kernel if that ends higher (4K aligned)', () => {
    expect(initrdBase({ ramBase: RAM, ramSize: 128 * MiB }, RAM + 0x1000)).toBe(0x4400_0000);
    expect(initrdBase({ ramBase: RAM, ramSize: 1024 * MiB }, RAM + 0x1000)).toBe(0x4800_0000);
    // QEMU 7.2, a 70,000,001-byte raw kernel at 0x40080000 with a 128M RAM: the DTB at 0x44400000.
    const end = RAM + RAW_KERNEL_OFFSET + 70_000_001;
    expect(initrdBase({ ramBase: RAM, ramSize: 128 * MiB }, end)).toBe(0x4434_2000);
    expect(dtbBase({ ramBase: RAM, ramSize: 128 * MiB }, 0x4434_2000 + 11, 4096, 'k')).toBe(0x4440_0000);
  });
  it('the DTB on a 2 MiB boundary after the initrd; a 4K boundary when a small RAM has no 2 MiB one; else an error naming --ram', () => {
    expect(dtbBase({ ramBase: RAM, ramSize: 128 * MiB }, 0x4400_000b, 8192, 'k')).toBe(0x4420_0000);
    expect(dtbBase({ ramBase: RAM, ramSize: MiB }, RAM + 0x8_0000, 8192, 'k')).toBe(RAM + 0x8_0000);
    expect(() => dtbBase({ ramBase: RAM, ramSize: 64 * 1024 }, RAM + 0xf800, 8192, 'k')).toThrow(/k: no room for the 8192-byte device tree .*use a larger --ram/);
  });
});

describe('a raw kernel boots as under qemu-system-aarch64 -M virt -kernel', () => {
  it('128M RAM: loaded at 0x40080000, x0 = DTB at 0x44000000 (magic read back), x1..x3 = 0 (as QEMU printed)', async () => {
    const r = await cli('run', probe, '-q');
    expect(r.err).toBe('');
    expect(r.out).toBe(probeOut(0x4400_0000));
  });
  it('1G RAM: the DTB at 0x48000000; with an initrd the DTB moves 2 MiB up, as QEMU does', async () => {
    expect((await cli('run', probe, '-q', '--ram', '1G')).out).toBe(probeOut(0x4800_0000));
    const initrd = join(dir, 'initrd.img');
    writeFileSync(initrd, 'INITRD-DATA');
    expect((await cli('run', probe, '-q', '--initrd', initrd)).out).toBe(probeOut(0x4420_0000));
    expect((await cli('run', probe, '-q', '--ram', '1G', '--initrd', initrd)).out).toBe(probeOut(0x4820_0000));
  });
  it('--addr still places a raw binary where asked; it gets the device tree too', async () => {
    const r = await cli('run', probe, '-q', '--addr', '0x40000000');
    expect(r.out).toBe(probeOut(0x4400_0000, 0x4000_0000));
  });
  it('the initrd and /chosen bootargs are in the tree; an ELF is entered with x0 = 0 and no tree', async () => {
    const initrd = join(dir, 'initrd2.img');
    writeFileSync(initrd, new Uint8Array([1, 2, 3]));
    const m = new Machine();
    const dtbOf = (_b: unknown, chosen: Parameters<typeof virtBoardDtb>[1]): Uint8Array => virtBoardDtb(m.dtBoard(), chosen);
    const img = await loadImage(m, probe, { initrd, append: 'console=ttyAMA0', linuxDtb: dtbOf });
    expect(img.x0).toBe(0x4420_0000n);
    expect([...m.bus.readBytes(0x4400_0000, 3)]).toEqual([1, 2, 3]);
    const { readFdt, fdtFind, propStrings, propCells } = await import('../../src/loader/fdt.js');
    const chosen = fdtFind(readFdt(m.bus.readBytes(0x4420_0000, img.dtb!.blob.length)).root, '/chosen')!;
    expect(propStrings(chosen, 'bootargs')).toEqual(['console=ttyAMA0']);
    expect(propCells(chosen, 'linux,initrd-start')).toEqual([0, 0x4400_0000]);
    expect(propCells(chosen, 'linux,initrd-end')).toEqual([0, 0x4400_0003]);
    const m2 = new Machine({ ramSize: MiB });
    const elf = await loadImage(m2, join(__dirname, '..', 'fixtures', 'tiny.elf'), { linuxDtb: dtbOf });
    bootLoaded(m2, elf);
    expect([elf.x0, elf.dtb, m2.cpu.readX(0)]).toEqual([undefined, undefined, 0n]);
  });
});
