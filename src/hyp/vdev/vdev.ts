// A device region in a VM's IPA space. Virtual devices are reached by trap (the region is left
// unmapped in stage 2, so every access is a stage-2 data abort the hypervisor emulates); assigned
// devices are real devices on the bus mapped by stage 2 (no trap at all).
import type { Device } from '../../devices/bus.js';

export interface VirtualDevice {
  /** Name in statistics and logs, e.g. "pl011". */
  readonly name: string;
  /** IPA of the register block and its size (whole 4 KiB pages). */
  readonly ipa: number;
  readonly size: number;
  /** The register model (offsets relative to the block, sizes 1, 2, 4). */
  readonly dev: Device;
  /** Register name for an offset (statistics: exits per register). */
  regName(offset: number): string;
}

export interface AssignedDevice {
  readonly name: string;
  /** Where the VM sees it, and where it really is. */
  readonly ipa: number;
  readonly pa: number;
  readonly size: number;
  /** Accesses that reached the device (none of them an exit). */
  accesses?: () => number;
}

/** Name a register from a table of offsets, or "+0xNN" when it has no name. */
export function nameFrom(table: Record<number, string>, offset: number): string {
  return table[offset] ?? `+0x${offset.toString(16)}`;
}
