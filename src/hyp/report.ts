// The hypervisor's statistics as JSON (--stats-json's "hyp" object, tests, the benchmark).
import type { Hypervisor } from './hypervisor.js';

export function hypStatsJson(hv: Hypervisor): object {
  return {
    vmidTagging: hv.vmidTagging,
    slice: hv.slice,
    worldSwitches: hv.switches,
    tlbFlushes: hv.tlbFlushes,
    timing: hv.cpu.timing.profile.name,
    exitCostCycles: hv.cpu.timing.hypExit,
    switchCostCycles: hv.cpu.timing.worldSwitch,
    // The hypervisor's SMMU driver: stream table, streams, commands issued and events read.
    smmu: hv.iommu === null ? null : { mode: hv.smmuMode, ...hv.iommu.toJSON() },
    vms: hv.vms.map((v) => ({
      name: v.name,
      vmid: v.vmid,
      ramPa: '0x' + v.ramPa.toString(16),
      ramPolicy: v.config.ram,
      isv0Policy: v.config.isv0,
      // HCR_EL2 trap bits the VM runs with, and its virtual ID register overrides (sysreg.ts).
      hcrTraps: '0x' + (v.hcrTraps >>> 0).toString(16),
      idRegs: Object.fromEntries(Object.entries(v.config.idRegs ?? {}).map(([k, x]) => [k, '0x' + BigInt(x).toString(16)])),
      pagesMapped: v.pagesMapped,
      // Virtual interrupts delivered through the GIC list registers, and PSCI resets.
      interruptsInjected: v.vgic?.injected ?? 0,
      resets: v.resets,
      // SMMU event records of the DMA streams assigned to this VM (each an aborted transaction).
      dmaEvents: v.dmaEventCount,
      stop: v.stop,
      exits: v.stats.toJSON(),
      // Several vCPUs: each one's instructions, world switches in, PSCI CPU_ON count, power state.
      ...(v.vcpus.length > 1
        ? { vcpus: v.vcpus.map((c) => ({ index: c.index, mpidr: '0x' + c.vmpidr.toString(16), instructions: c.instructions, exits: c.exits, switchesIn: c.switchesIn, powerOns: c.powerOns, on: c.on })) }
        : {}),
      assigned: v.assigned.map((a) => ({
        name: a.name,
        ipa: '0x' + a.ipa.toString(16),
        pa: '0x' + a.pa.toString(16),
        accesses: a.accesses?.() ?? 0,
        // Assigned devices are mapped by stage 2: no access to them ever exits.
        exits: v.stats.sum(`mmio-read ${a.name}`) + v.stats.sum(`mmio-write ${a.name}`),
      })),
    })),
  };
}
