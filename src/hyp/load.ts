// Loading a guest image into a VM's IPA space (the same kinds as the bare-metal loader: ELF by
// content, an arm64 Linux Image by content, .S/.s assembled with keystone, anything else raw at
// 0x4000_0000), and firmware as `--bios` starts it. The bytes land in the VM's RAM wherever stage 2
// puts it; the loaded pages count as touched.
import { basename } from 'node:path';
import { readGuestFile, UserError } from '../loader/index.js';
import { isElf, parseElf, loadElfSegments } from '../loader/elf.js';
import { assembleSource } from '../loader/asm.js';
import { isArm64Image, loadLinux } from '../loader/linux.js';
import { placeBios } from '../loader/bios.js';
import type { Vm } from './vm.js';
import { IPA_RAM } from './vm.js';
import { vmDtb } from './vm-dt.js';
import type { Hypervisor } from './hypervisor.js';

export interface VmLoadOptions {
  /** For a Linux Image: the initramfs placed beside it (its range in /chosen). */
  initrd?: Uint8Array;
  /** For a Linux Image (or firmware): /chosen bootargs. */
  append?: string;
}

/** What a guest needs to start: its entry IPA and, for a Linux Image, x0 = the DTB's IPA. */
export interface VmBoot {
  entry: number;
  x0?: number;
  kind: 'elf' | 'asm' | 'raw' | 'linux' | 'bios';
}

/**
 * Load `path` into `vm`; returns the entry point (an IPA/VA: the guest starts with its MMU off).
 * A Linux Image needs boot registers as well: use bootIntoVm.
 */
export async function loadIntoVm(vm: Vm, path: string): Promise<number> {
  const b = await loadGuest(vm, path, {});
  if (b.x0 !== undefined) throw new UserError(`${basename(path)}: a Linux Image boots with x0 = its device tree; load it with run --hyp`);
  return b.entry;
}

/** Load `path` into `vm` and set its vCPU's boot state (entry, and x0 for a Linux Image). */
export async function bootIntoVm(hv: Hypervisor, vm: Vm, path: string, opts: VmLoadOptions = {}): Promise<VmBoot> {
  const b = await loadGuest(vm, path, opts);
  hv.boot(vm, b.entry, b.x0);
  return b;
}

async function loadGuest(vm: Vm, path: string, opts: VmLoadOptions): Promise<VmBoot> {
  const data = await readGuestFile(path);
  const name = basename(path);
  if (isElf(data)) {
    if (opts.initrd !== undefined || opts.append !== undefined) throw new UserError(`${name}: --initrd and --append apply to a Linux Image only (this is an ELF)`);
    const elf = parseElf(data, name);
    loadElfSegments(elf, data, { base: IPA_RAM, size: vm.config.ramSize, load: (ipa, d) => vm.load(ipa, d) }, name);
    return { entry: Number(elf.entry), kind: 'elf' };
  }
  if (isArm64Image(data)) {
    // booting.rst, in the VM's IPA space: the same placement as on the board, and a device tree
    // of the VM's own devices.
    const ram = vmRam(vm);
    const b = loadLinux(ram, data, name, opts, (chosen) => vmDtb(vm, chosen));
    return { entry: b.entry, x0: b.dtb, kind: 'linux' };
  }
  if (opts.initrd !== undefined || opts.append !== undefined) {
    throw new UserError(`${name}: --initrd and --append apply to a Linux Image only (no "ARM\\x64" magic at 0x38)`);
  }
  if (/\.s$/i.test(path)) {
    const img = await assembleSource(new TextDecoder().decode(data), name);
    vm.load(Number(img.base), img.code);
    return { entry: Number(img.entry), kind: 'asm' };
  }
  if (data.length === 0) throw new UserError(`${name}: empty file`);
  if (data.length > vm.config.ramSize) throw new UserError(`${name}: larger than the VM's RAM`);
  vm.load(IPA_RAM, data);
  return { entry: IPA_RAM, kind: 'raw' };
}

/**
 * Firmware as `run --bios` starts it, in a VM: the flash image (biosImage) is already at IPA 0
 * (the hypervisor maps it, HypervisorOptions flash); a copy runs from RAM + 2 MiB with the VM's
 * device tree at the start of RAM, as src/loader/bios.ts does on the board.
 */
export function bootBiosInVm(hv: Hypervisor, vm: Vm, image: Uint8Array, name: string, bootargs = ''): VmBoot {
  const ram = vmRam(vm);
  const b = placeBios(ram, image, name, () => vmDtb(vm, { bootargs }));
  hv.boot(vm, b.entry);
  return { entry: b.entry, kind: 'bios' };
}

/** The VM's RAM as the board loaders place into it (IPA base, size, a load callback). */
function vmRam(vm: Vm): { ramBase: number; ramSize: number; load: (ipa: number, d: Uint8Array) => void } {
  return { ramBase: IPA_RAM, ramSize: vm.config.ramSize, load: (ipa, d) => vm.load(ipa, d) };
}
