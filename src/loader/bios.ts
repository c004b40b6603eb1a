// `run --bios FILE`: firmware the way `qemu-system-aarch64 -M virt -bios FILE` starts it, for
// position-independent firmware such as U-Boot's qemu_arm64 build.
//
// QEMU puts the image in the first flash bank at PA 0, writes its device tree at the start of RAM
// and starts the CPU at PA 0 (EL1 with the virt defaults). a64hv's CPU executes from RAM only, so
// the image goes to the flash (read-only data, where firmware may look for itself or its
// environment) AND to RAM at BIOS_RAM_BASE, where the CPU starts. U-Boot copes: its start code
// applies its own R_AARCH64_RELATIVE relocations for wherever it runs (it needs a 4 KiB aligned
// address), finds the DTB at the start of RAM, keeps its early stack below RAM + 2 MiB, and then
// relocates itself to the top of RAM. The difference from QEMU a guest can see: PC starts at
// BIOS_RAM_BASE rather than 0 (U-Boot's bdinfo says "flashoffset" differently, nothing else).
import type { Machine } from '../machine.js';
import { VIRT } from '../machine.js';
import { FlashRom, FLASH_BANK_SIZE } from '../devices/flash.js';
import { isElf, parseElf, loadElfSegments } from './elf.js';
import { readGuestFile } from './index.js';
import { virtBoardDtb } from './virt-dt.js';
import { UserError, hex } from '../errors.js';

/** Where the image runs in RAM: above the DTB and U-Boot's early stack (which grows down from RAM + 2 MiB). */
export const BIOS_RAM_OFFSET = 0x20_0000;
/** The device tree's place: the start of RAM, as QEMU's -bios leaves it (U-Boot's qemu board looks there). */
export const BIOS_DTB_OFFSET = 0;

export interface BiosBoot {
  entry: number;
  dtb: number;
  /** The device tree written at `dtb` (for --dump-dtb). */
  dtbBlob: Uint8Array;
  /** The image as laid out from its link address 0 (the flash bank 0 content). */
  image: Uint8Array;
}

/**
 * Lay out a firmware image as flash bank 0 holds it: a raw binary as is; an ELF by its segments'
 * physical addresses (which must lie inside the bank, as uboot.elf's do: linked at 0).
 */
export function biosImage(data: Uint8Array, name: string): Uint8Array {
  if (!isElf(data)) {
    if (data.length === 0) throw new UserError(`--bios ${name}: empty file`);
    if (data.length > FLASH_BANK_SIZE) throw new UserError(`--bios ${name}: ${data.length} bytes do not fit the 64 MiB flash bank`);
    return data;
  }
  const elf = parseElf(data, `--bios ${name}`);
  let top = 0;
  for (const s of elf.segments) top = Math.max(top, Number(s.paddr) + s.memsz);
  if (top > FLASH_BANK_SIZE) throw new UserError(`--bios ${name}: segments end at ${hex(top)}, beyond the 64 MiB flash bank at 0`);
  const img = new Uint8Array(top);
  const end = loadElfSegments(elf, data, { base: 0, size: FLASH_BANK_SIZE, load: (pa, b) => img.set(b, pa) }, `--bios ${name}`);
  if (Number(elf.entry) !== 0) throw new UserError(`--bios ${name}: entry ${hex(elf.entry)} is not 0 (QEMU's -bios starts at the first byte)`);
  return img.subarray(0, end);
}

/** RAM to place firmware in: the board's bus, or a VM's RAM in its IPA space. */
export interface BiosRam {
  ramBase: number;
  ramSize: number;
  load(addr: number, data: Uint8Array): void;
}

/**
 * Copy the flash image to RAM + BIOS_RAM_OFFSET (where it runs) and the device tree `makeDtb`
 * builds to the start of RAM. The flash itself is the caller's (a bus device, or stage 2).
 */
export function placeBios(ram: BiosRam, image: Uint8Array, name: string, makeDtb: () => Uint8Array): { entry: number; dtb: number; dtbBlob: Uint8Array } {
  const entry = ram.ramBase + BIOS_RAM_OFFSET;
  if (entry + image.length > ram.ramBase + ram.ramSize) {
    throw new UserError(`--bios ${name}: ${image.length} bytes at ${hex(entry)} do not fit in RAM (try a larger --ram)`);
  }
  ram.load(entry, image);
  const dtb = makeDtb();
  if (dtb.length > BIOS_RAM_OFFSET - BIOS_DTB_OFFSET) throw new Error(`device tree of ${dtb.length} bytes overlaps the firmware`);
  const at = ram.ramBase + BIOS_DTB_OFFSET;
  ram.load(at, dtb);
  return { entry, dtb: at, dtbBlob: dtb };
}

/**
 * Map the flash, copy the image to RAM, write the board's device tree at the start of RAM.
 * The caller boots at `entry` (Machine.boot: EL1h, DAIF masked, like QEMU without EL2/EL3).
 */
export function loadBios(m: Machine, data: Uint8Array, name: string, bootargs = ''): BiosBoot {
  const image = biosImage(data, name);
  const bus = m.bus;
  const flash = new FlashRom(image);
  flash.onUnknown = null;
  // The whole board as Linux sees it (virtio drives, RTC, SMMU...), as QEMU hands U-Boot its own tree.
  const b = placeBios(bus, image, name, () => virtBoardDtb(m.dtBoard(), { bootargs }));
  bus.map(VIRT.FLASH, flash.size, flash);
  m.noteLoaded(b.entry + image.length);
  return { ...b, image };
}

/** `--bios FILE` from the command line. */
export async function loadBiosFile(m: Machine, path: string, bootargs = ''): Promise<BiosBoot> {
  return loadBios(m, await readGuestFile(path), path, bootargs);
}
