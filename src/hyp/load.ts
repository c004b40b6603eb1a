// Loading a guest image into a VM's IPA space (the same kinds as the bare-metal loader: ELF by
// content, an arm64 Linux Image by content, .S/.s assembled with keystone, anything else a raw
// kernel booted as QEMU's virt boots one: src/loader/kernel-layout.ts), and firmware as `--bios`
// starts it. The bytes land in the VM's RAM wherever stage 2
// puts it; the loaded pages count as touched.
import { basename, dirname } from 'node:path';
import { readGuestFile, UserError } from '../loader/index.js';
import { isElf, parseElf, loadElfSegments } from '../loader/elf.js';
import { assembleSource } from '../loader/asm.js';
import { isArm64Image, loadLinux } from '../loader/linux.js';
import { placeBios } from '../loader/bios.js';
import { RAW_KERNEL_OFFSET, initrdBase, dtbBase } from '../loader/kernel-layout.js';
import type { Vm } from './vm.js';
import { IPA_RAM } from './vm.js';
import { vmDtb } from './vm-dt.js';
import { userDtbWithChosen, type UserDtb } from '../loader/dtb-file.js'; // [api17 dtb]
import type { LinuxChosen } from '../loader/linux.js'; // [api17 dtb]
import type { Hypervisor } from './hypervisor.js';

export interface VmLoadOptions {
  /** For a Linux Image or a raw kernel: the initramfs placed beside it (its range in /chosen). */
  initrd?: Uint8Array;
  /** For a Linux Image (or firmware): /chosen bootargs. */
  append?: string;
  /** [api17 dtb] --dtb FILE: the user's tree instead of the VM's generated one (/chosen filled in, as on the board). */
  dtb?: UserDtb;
}

/** [api17 dtb] The VM's device tree for a boot: the user's (--dtb) with /chosen written in, or the VM's own. */
function vmTree(vm: Vm, opts: VmLoadOptions, chosen: Partial<LinuxChosen> & { bootargs: string }): Uint8Array {
  return opts.dtb !== undefined ? userDtbWithChosen(opts.dtb, chosen) : vmDtb(vm, chosen);
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
  if (b.kind === 'linux') throw new UserError(`${basename(path)}: a Linux Image boots with x0 = its device tree; load it with run --hyp`);
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
    if (opts.dtb !== undefined) throw new UserError(`${name}: --dtb applies to a Linux Image or a raw kernel (an ELF is entered with x0 = 0, as QEMU does)`); // [api17 dtb]
    const elf = parseElf(data, name);
    loadElfSegments(elf, data, { base: IPA_RAM, size: vm.config.ramSize, load: (ipa, d) => vm.load(ipa, d) }, name);
    return { entry: Number(elf.entry), kind: 'elf' };
  }
  if (isArm64Image(data)) {
    // booting.rst, in the VM's IPA space: the same placement as on the board, and a device tree
    // of the VM's own devices.
    const ram = vmRam(vm);
    const b = loadLinux(ram, data, name, opts, (chosen) => vmTree(vm, opts, chosen)); // [api17 dtb]
    return { entry: b.entry, x0: b.dtb, kind: 'linux' };
  }
  if (/\.s$/i.test(path)) {
    if (opts.dtb !== undefined) throw new UserError(`${name}: --dtb applies to a Linux Image or a raw kernel (not to assembly)`); // [api17 dtb]
    if (opts.initrd !== undefined || opts.append !== undefined) {
      throw new UserError(`${name}: --initrd and --append apply to a Linux Image or a raw kernel (not to assembly)`);
    }
    const img = await assembleSource(new TextDecoder().decode(data), name, undefined, { includeDir: dirname(path), path });
    vm.load(Number(img.base), img.code);
    return { entry: Number(img.entry), kind: 'asm' };
  }
  if (data.length === 0) throw new UserError(`${name}: empty file`);
  return loadRawKernel(vm, data, name, opts);
}

/**
 * A raw kernel in a VM, as on the board (src/loader/index.ts loadRawKernel, QEMU's virt
 * `-kernel`): at RAM + 0x80000, entered with x0 = the VM's device tree (x1..x3 = 0), an initrd at
 * RAM + min(RAM/2, 128 MiB) and the tree after it, so kvm-unit-tests-style .flat files run as VMs.
 */
function loadRawKernel(vm: Vm, data: Uint8Array, name: string, opts: VmLoadOptions): VmBoot {
  const ram = { ramBase: IPA_RAM, ramSize: vm.config.ramSize };
  const ramEnd = IPA_RAM + vm.config.ramSize;
  const at = IPA_RAM + RAW_KERNEL_OFFSET;
  if (at + data.length > ramEnd) {
    throw new UserError(`${name}: ${data.length} bytes at 0x${at.toString(16)} do not fit the VM's RAM (ends at 0x${ramEnd.toString(16)}; use a larger --ram)`);
  }
  vm.load(at, data);
  const initrdStart = initrdBase(ram, at + data.length);
  let initrdEnd = initrdStart;
  if (opts.initrd !== undefined && opts.initrd.length > 0) {
    if (initrdStart + opts.initrd.length > ramEnd) throw new UserError(`${name}: the initrd (${opts.initrd.length} bytes) does not fit the VM's RAM after the kernel (use a larger --ram)`);
    vm.load(initrdStart, opts.initrd);
    initrdEnd = initrdStart + opts.initrd.length;
  }
  const blob = vmTree(vm, opts, { bootargs: opts.append ?? '', initrd: initrdEnd > initrdStart ? { start: initrdStart, end: initrdEnd } : null }); // [api17 dtb]
  const dtb = dtbBase(ram, initrdEnd, blob.length, name);
  vm.load(dtb, blob);
  return { entry: at, x0: dtb, kind: 'raw' };
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
