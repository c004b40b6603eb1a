// run --bios (src/loader/bios.ts): firmware laid out as QEMU's -bios puts it in flash bank 0,
// run from RAM at ramBase + 2 MiB, with the board's device tree at the start of RAM.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, VIRT } from '../../src/machine.js';
import { biosImage, loadBios, BIOS_RAM_OFFSET } from '../../src/loader/bios.js';
import { readFdt, fdtFind, propStrings } from '../../src/loader/fdt.js';
import { FLASH_BANK_SIZE } from '../../src/devices/flash.js';
import { mmuOf } from '../../src/mmu/translate.js';

/** A minimal ELF64 AArch64 image with one PT_LOAD segment (type ET_DYN like uboot.elf). */
function elf(paddr: number, body: Uint8Array, entry = 0, memsz = body.length): Uint8Array {
  const b = new Uint8Array(0x78 + body.length);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  dv.setUint16(16, 3, true); // ET_DYN
  dv.setUint16(18, 183, true); // EM_AARCH64
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(entry), true);
  dv.setBigUint64(32, 0x40n, true); // e_phoff
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, 1, true); // e_phnum
  dv.setUint32(0x40, 1, true); // PT_LOAD
  dv.setUint32(0x44, 7, true);
  dv.setBigUint64(0x48, 0x78n, true); // p_offset
  dv.setBigUint64(0x50, BigInt(paddr), true);
  dv.setBigUint64(0x58, BigInt(paddr), true);
  dv.setBigUint64(0x60, BigInt(body.length), true);
  dv.setBigUint64(0x68, BigInt(memsz), true);
  b.set(body, 0x78);
  return b;
}

describe('bios image layout', () => {
  it('a raw image is the flash content as is; an ELF is laid out by its segments (bss zeroed)', () => {
    const raw = new Uint8Array([1, 2, 3, 4]);
    expect(biosImage(raw, 'x')).toBe(raw);
    const img = biosImage(elf(0x10, new Uint8Array([9, 8]), 0, 6), 'x');
    expect([...img]).toEqual([...new Array(0x10).fill(0), 9, 8, 0, 0, 0, 0]);
  });

  it('rejects what QEMU -bios could not start: empty, larger than a bank, ELF entry not 0, segments past the bank', () => {
    expect(() => biosImage(new Uint8Array(0), 'e.bin')).toThrow('--bios e.bin: empty file');
    expect(() => biosImage(new Uint8Array(FLASH_BANK_SIZE + 1), 'big.bin')).toThrow(/do not fit the 64 MiB flash bank/);
    expect(() => biosImage(elf(0, new Uint8Array(4), 4), 'e.elf')).toThrow(/entry 0x4 is not 0/);
    expect(() => biosImage(elf(FLASH_BANK_SIZE - 2, new Uint8Array(4)), 'f.elf')).toThrow(/beyond the 64 MiB flash bank/);
  });

  it('loadBios: flash at 0 holds the image, RAM + 2 MiB a copy (the entry), RAM base the board DTB', () => {
    const m = new Machine({ ramSize: 16 * 1024 * 1024 });
    const b = loadBios(m, new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd]), 'fw.bin', 'console=ttyAMA0');
    expect(b.entry).toBe(VIRT.RAM + BIOS_RAM_OFFSET);
    expect(m.bus.u8[BIOS_RAM_OFFSET]).toBe(0xaa);
    expect(m.bus.region(0)?.dev.read(0, 4)).toBe(0xddccbbaa);
    expect(m.bus.region(FLASH_BANK_SIZE)?.dev.read(FLASH_BANK_SIZE, 4)).toBe(0);
    expect(b.dtb).toBe(VIRT.RAM);
    const dt = readFdt(m.bus.u8.subarray(0, 0x10000));
    expect(propStrings(fdtFind(dt.root, '/chosen')!, 'bootargs')).toEqual(['console=ttyAMA0']);
    // The DTB ends below the image, so neither overwrites the other.
    expect(dt.header.totalsize).toBeLessThan(BIOS_RAM_OFFSET);
  });

  it('an image that does not fit in RAM above the DTB is a one-line error', () => {
    const m = new Machine({ ramSize: 2 * 1024 * 1024 + 4096 });
    expect(() => loadBios(m, new Uint8Array(8192), 'fw.bin')).toThrow('--bios fw.bin: 8192 bytes at 0x40200000 do not fit in RAM (try a larger --ram)');
  });
});

const UBOOT_DIR = '/usr/lib/u-boot/qemu_arm64';
const haveUboot = existsSync(join(UBOOT_DIR, 'u-boot.bin'));
if (!haveUboot) console.log(`bios.test: ${UBOOT_DIR}/u-boot.bin absent (Debian package u-boot-qemu), skipping the U-Boot boot tests`);

/**
 * Boot U-Boot, press a key to stop autoboot, then type each command when the prompt "=> " shows
 * (as a user would: U-Boot's ctrlc() polling, e.g. in md, swallows type-ahead). Output without CRs.
 */
function bootUboot(file: string, commands: string[]): string {
  return bootUbootOn(file, commands).output.replace(/\r/g, '');
}
function bootUbootOn(file: string, commands: string[], engine?: 'interp' | 'jit', jitThreshold?: number): Machine {
  const m = new Machine({ uartInput: ' ', engine });
  if (jitThreshold !== undefined) m.cpu.jit.threshold = jitThreshold;
  const b = loadBios(m, new Uint8Array(readFileSync(join(UBOOT_DIR, file))), file);
  m.boot(BigInt(b.entry));
  const todo = [...commands];
  let n = 0;
  while (n < 100_000_000) {
    const r = m.run(500_000);
    if (r.reason !== 'limit') throw new Error(`U-Boot stopped: ${r.reason} ${r.message ?? ''}\n${m.output}`);
    n += r.instructions;
    if (m.output.endsWith('=> ')) {
      const c = todo.shift();
      if (c === undefined) break;
      m.uart.feed(c + '\r');
    }
  }
  if (todo.length > 0) throw new Error(`U-Boot did not reach the prompt for ${todo.join(', ')}:\n${m.output}`);
  return m;
}

/**
 * Lines that must match QEMU's transcript (test/fixtures/uboot/qemu-virt-version.txt, recorded with
 * qemu-system-aarch64 7.2 -M virt -cpu cortex-a57 -nic none -bios u-boot.bin and the same input).
 * Lines that differ because our board has fewer devices: "Core:" (device count: QEMU adds virtio,
 * PCIe, fw_cfg, flash...), "Flash:" (QEMU's CFI flash is 64 MiB; ours is plain ROM, not in the DT).
 */
const STABLE = [
  /^U-Boot 20/,
  /^DRAM: /,
  /^Loading Environment from Flash/,
  /^(In|Out|Err): /,
  /^Net: /,
  /^=> /,
  /^aarch64-linux-gnu-gcc|^GNU ld/,
  /^40000000: /,
  /^hello /,
];
const stable = (s: string): string[] => s.split('\n').filter((l) => STABLE.some((re) => re.test(l)));

describe.skipIf(!haveUboot)('U-Boot (qemu_arm64) on the bare board', () => {
  const commands = ['version', 'md.l 0x40000000 1', 'echo hello $bootdelay'];

  it('boots u-boot.bin to the prompt and runs commands from the UART like under QEMU', () => {
    const out = bootUboot('u-boot.bin', commands);
    const qemu = readFileSync(join(__dirname, '../fixtures/uboot/qemu-virt-version.txt'), 'utf8');
    // The fixture is this U-Boot build's transcript; another Debian build changes the version lines.
    const banner = out.split('\n').find((l) => l.startsWith('U-Boot 20'));
    const sameBuild = qemu.includes(banner!);
    if (!sameBuild) console.log(`bios.test: installed U-Boot is "${banner}", not the recorded build; comparing structure only`);
    const ours = stable(out);
    expect(ours).toEqual(sameBuild ? stable(qemu) : ours);
    // The version command prints the banner again; the DTB magic (0xd00dfeed, big-endian) is at RAM base.
    expect(out.split('\n').filter((l) => l === banner)).toHaveLength(2);
    expect(out).toContain('=> md.l 0x40000000 1\n40000000: edfe0dd0');
    expect(out).toContain('=> echo hello $bootdelay\nhello 2\n');
    expect(out).toContain('DRAM:  128 MiB\n');
  });

  it('the translating engine runs it with identical output, instructions, cycles and TLB statistics', () => {
    const figures = (engine: 'interp' | 'jit'): unknown => {
      const m = bootUbootOn('u-boot.bin', commands, engine, 50); // a low threshold: most of it compiled
      if (engine === 'jit') expect(m.cpu.jit.regionsCompiled).toBeGreaterThan(10);
      return { output: m.output, instret: m.cpu.instret, cycles: m.cpu.cycles, pc: m.cpu.pc, tlb: mmuOf(m.cpu).tlb.snapshot() };
    };
    expect(figures('jit')).toEqual(figures('interp'));
  });

  it('uboot.elf boots the same way', () => {
    expect(existsSync(join(UBOOT_DIR, 'uboot.elf'))).toBe(true);
    const out = bootUboot('uboot.elf', ['version']);
    expect(out).toMatch(/=> version\nU-Boot 20[^\n]*\n\naarch64-linux-gnu-gcc/);
  });

  it('uboot.elf laid out by its segments is u-boot.bin (which fills gaps and the dropped .hash with 0xff), plus zeroed bss', () => {
    const bin = new Uint8Array(readFileSync(join(UBOOT_DIR, 'u-boot.bin')));
    const img = biosImage(new Uint8Array(readFileSync(join(UBOOT_DIR, 'uboot.elf'))), 'uboot.elf');
    let same = 0;
    for (let i = 0; i < bin.length; i++) {
      if (img[i] === bin[i]) same++;
      else expect([i, bin[i]]).toEqual([i, 0xff]);
    }
    expect(bin.length - same).toBeLessThan(1024);
    expect(img.subarray(bin.length).every((x) => x === 0)).toBe(true);
  });
});
