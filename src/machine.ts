// A machine: the QEMU-virt-compatible board (RAM, devices) with one CPU and its firmware.
import { Bus } from './devices/bus.js';
import { Cpu } from './cpu/cpu.js';
import { a64 } from './cpu/isa/index.js';

/** The QEMU `virt` memory map (hw/arm/virt.c's base memmap; addresses are facts, not code). */
export const VIRT = {
  FLASH: 0x0000_0000,
  GIC_DIST: 0x0800_0000,
  GIC_CPU: 0x0801_0000,
  UART0: 0x0900_0000,
  RTC: 0x0901_0000,
  FW_CFG: 0x0902_0000,
  GPIO: 0x0903_0000,
  VIRTIO_MMIO: 0x0a00_0000,
  RAM: 0x4000_0000,
} as const;

export interface MachineOptions {
  ramSize?: number;
}

export class Machine {
  readonly bus: Bus;
  readonly cpu: Cpu;
  constructor(opts: MachineOptions = {}) {
    this.bus = new Bus(VIRT.RAM, opts.ramSize ?? 128 * 1024 * 1024);
    this.cpu = new Cpu(this.bus, a64);
  }
}
