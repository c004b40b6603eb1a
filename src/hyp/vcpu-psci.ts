// PSCI's CPU power calls for a VM with several vCPUs (DEN0022 5.5 CPU_OFF, 5.6 CPU_ON, 5.7
// AFFINITY_INFO): psci.ts decodes the call as it does for the board's PEs; this gives it the VM's
// vCPUs as the CPUs to power (affinity Aff0 = vCPU index, as VMPIDR_EL2 says).
import type { Cpu } from '../cpu/cpu.js';
import type { PsciPower } from './psci.js';
import type { Vcpu } from './vcpu.js';

/** SPSR for EL1h with D, A, I, F masked: CPU_ON's entry state (DEN0022 6.4.3). */
const SPSR_EL1H_DAIF = 0x3c5;

/**
 * The power interface of `caller`'s VM. CPU_ON of vCPU i: its context gets the boot state (EL1h,
 * DAIF masked, EL1 system registers at reset so the MMU and caches are off, PC = entry_point,
 * X0 = context_id, 6.4.3) and it becomes runnable (AFFINITY_INFO says ON at once: the ON_PENDING
 * window is allowed to be empty). CPU_OFF: the caller is not runnable any more; false when it is
 * the VM's last vCPU on (psci.ts then ends the VM).
 */
export function vcpuPsci(caller: Vcpu): PsciPower {
  const vm = caller.vm;
  const on = new Uint8Array(vm.vcpus.map((v) => (v.on ? 1 : 0)));
  return {
    on,
    cpuOn(_cpu: Cpu, i: number, entryLo: number, entryHi: number, ctxLo: number, ctxHi: number): void {
      vm.bootVcpu(i, (entryHi >>> 0) * 2 ** 32 + (entryLo >>> 0), SPSR_EL1H_DAIF);
      const c = vm.vcpus[i];
      c.ctx.r[0] = ctxLo;
      c.ctx.r[1] = ctxHi;
      c.on = true;
      c.powerOns++;
      on[i] = 1;
    },
    cpuOff(): boolean {
      if (!vm.vcpus.some((v) => v !== caller && v.on)) return false;
      caller.on = false;
      on[caller.index] = 0;
      return true;
    },
  };
}
