// Where a `-kernel` boot puts the initrd and the device tree, as qemu-system-aarch64 -M virt does
// (observed with QEMU 7.2 and a raw probe kernel that prints x0..x3 and its own address; see
// test/loader/kernel-layout.test.ts for the figures):
//   - a raw kernel (neither ELF nor arm64 Image) is copied to RAM + 0x80000 and entered there with
//     x0 = the device tree's address and x1..x3 = 0 (QEMU boots it as a Linux kernel: this is what
//     kvm-unit-tests' position-independent .flat files expect);
//   - the initrd goes to RAM + min(RAM / 2, 128 MiB), or to the end of the kernel if that is
//     higher, on a 4 KiB boundary: well away from the image, so a guest that uses the memory
//     after its own end (its BSS, stack, heap, a moved device tree) does not overwrite it;
//   - the device tree follows the initrd on a 2 MiB boundary (without an initrd: at the initrd's place).
// An ELF kernel is entered at e_entry with x0 = 0 (QEMU does not boot it as Linux).
import { UserError, hex } from '../errors.js';

/** QEMU's load offset for a raw 64-bit kernel from the start of RAM. */
export const RAW_KERNEL_OFFSET = 0x8_0000;
/** The initrd's offset from the start of RAM is at most this (and at most half the RAM). */
export const INITRD_MAX_OFFSET = 128 * 1024 * 1024;
/** The device tree's alignment after the initrd (QEMU: 2 MiB for AArch64). */
export const DTB_ALIGN = 2 * 1024 * 1024;
const PAGE = 4096;

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

export interface KernelRam {
  ramBase: number;
  ramSize: number;
}

/** The initrd's address for a kernel image ending (exclusive, BSS included) at `kernelEnd`. */
export function initrdBase(ram: KernelRam, kernelEnd: number): number {
  const lowest = ram.ramBase + Math.min(Math.floor(ram.ramSize / 2), INITRD_MAX_OFFSET);
  return alignUp(Math.max(lowest, kernelEnd), PAGE);
}

/**
 * The device tree's address after an initrd ending at `initrdEnd`, checked to fit `dtbSize`
 * bytes. QEMU refuses a board with no room there; a64hv's RAM can be as small as 64 KiB, so
 * when the 2 MiB boundary is past the end of RAM the tree goes on the next 4 KiB boundary
 * (booting.rst needs only 8-byte alignment) before giving up.
 */
export function dtbBase(ram: KernelRam, initrdEnd: number, dtbSize: number, name: string): number {
  const ramEnd = ram.ramBase + ram.ramSize;
  for (const a of [DTB_ALIGN, PAGE]) {
    const at = alignUp(initrdEnd, a);
    if (at + dtbSize <= ramEnd) return at;
  }
  throw new UserError(
    `${name}: no room for the ${dtbSize}-byte device tree after ${hex(initrdEnd)}; RAM ends at ${hex(ramEnd)} (use a larger --ram)`,
  );
}
