// vpmu: a VM's PMU (issue 13). The VM gets the board's PMUv3 as its own:
//  - Its state (counters, PMCR_EL0, PMCNTENSET, PMINTENSET, PMOVSSET, PMEVTYPER...) is switched
//    with the vCPU (vm.ts VcpuContext.pmu: Pmu.save/restore), so a VM counts only its own execution
//    and reads and writes every PMU register directly.
//  - That is why the hypervisor never traps PMU accesses: MDCR_EL2 keeps its reset value
//    (HPMN = PMCR_EL0.N = 6, TPM = TPMCR = HPME = 0; ARM ARM D13.2 MDCR_EL2), which gives EL0/EL1
//    all six event counters and the cycle counter with no exit; there is no counter the
//    hypervisor keeps for itself and no register value it needs to hide, so trapping (and emulating
//    in TypeScript what the PMU model already does) would only add exits. A guest access trapped
//    by a hypervisor that sets TPM/TPMCR is still delivered as EC 0x18 (src/cpu/pmu/regs.ts).
//  - The overflow interrupt: the PMU's request drives the physical PPI 23 of the PE (machine.ts),
//    which the hypervisor enables and maps to the VM's virtual PPI 23 as a hardware interrupt
//    (GICH_LR.HW = 1, IHI 0048B 5.3.11), exactly as the VM's timers' PPIs (vgic.ts): acknowledged
//    at EL2, injected through a list register, deactivated physically when the guest deactivates
//    the virtual one. The line is the running VM's (its PMU state is restored on the PE), so a
//    VM's overflow is never delivered to another VM.
//  - The VM's device tree has the `pmu` node (compatible "arm,armv8-pmuv3", PPI 23), as the board's.
import type { Gic } from '../devices/gic/gic.js';
import { PMU_PPI } from '../cpu/pmu/pmu.js';
import type { Vm } from './vm.js';

const GICD_ISENABLER0 = 0x100;

/** Map the VM's virtual PPI 23 to the physical PPI 23 and enable that PPI on every PE's bank. */
export function attachVpmu(vm: Vm, gic: Gic): void {
  vm.vgic?.hw.set(PMU_PPI, PMU_PPI);
  const cur = gic.currentCpu;
  // PPIs are banked per CPU (GICD_ISENABLER0 is the accessing CPU's copy, IHI 0048B 4.3.5).
  for (let c = 0; c < gic.cpus; c++) {
    gic.currentCpu = c;
    gic.distributor.write(GICD_ISENABLER0, 4, (1 << PMU_PPI) >>> 0);
  }
  gic.currentCpu = cur;
}
