// One virtual CPU of a VM: its saved context (vm.ts VcpuContext), its index in the VM (its
// VMPIDR_EL2.Aff0 and its GIC CPU interface number), its PSCI power state, and what it ran.
// The hypervisor schedules vCPUs, not VMs: a VM with one vCPU is scheduled exactly as before.
import type { Vm, VcpuContext } from './vm.js';

/** MPIDR_EL1 bit 31 is RES1 (ARM ARM D23.2 MPIDR_EL1); U (bit 30) = 0: part of a multiprocessor system. */
const MPIDR_RES1 = 0x8000_0000;

export class Vcpu {
  /** PSCI power state: CPU_ON sets it, CPU_OFF clears it (DEN0022 5.5, 5.6). vCPU 0 starts on. */
  on: boolean;
  /** Instructions this vCPU retired (the hypervisor's run loop adds each slice's count). */
  instructions = 0;
  /** Exits this vCPU took (the VM's ExitStats has them by cause). */
  exits = 0;
  /** Times this vCPU was loaded onto the PE (world switches in). */
  switchesIn = 0;
  /** PSCI CPU_ON calls that started this vCPU. */
  powerOns = 0;

  constructor(
    readonly vm: Vm,
    readonly index: number,
    readonly ctx: VcpuContext,
  ) {
    this.on = index === 0;
  }

  /**
   * VMPIDR_EL2 for this vCPU, what its MPIDR_EL1 reads: Aff0 = the vCPU index, Aff1-3 = 0, as QEMU's
   * virt gives its CPUs (up to 8, the GICv2 limit) and as the VM's device tree's cpu@i reg says.
   */
  get vmpidr(): number {
    return (MPIDR_RES1 | this.index) >>> 0;
  }

  get name(): string {
    return this.vm.vcpus.length === 1 ? this.vm.name : `${this.vm.name}/${this.index}`;
  }
}
