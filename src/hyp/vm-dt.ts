// A VM's device tree: the virt layout as the VM sees it in its IPA space, built from the VM's own
// device list (its trapped virtual devices and the real devices stage 2 assigns to it), so the
// tree describes exactly what the guest can reach. The GIC is the VM's: its distributor (trapped,
// vdev/vgic-dist.ts) and its CPU interface (the physical GICV frame, assigned) — no GICH/GICV
// frames and no maintenance interrupt, since the VM has no virtualization extensions of its own.
import { virtDtb, type VirtDtChosen, type VirtDtDesc } from '../loader/virt-dt.js';
import { IPA_RAM, INTID_UART, type Vm } from './vm.js';
import { INTID } from '../machine.js';

/** virtio-mmio slots are 0x200 bytes, 8 to a 4 KiB page (QEMU virt). */
const VIRTIO_SLOT_SIZE = 0x200;

/** What the VM's device list says, as a device tree description. */
export function vmDtDesc(vm: Vm): VirtDtDesc {
  let dist: number | undefined;
  let cpu: number | undefined;
  // vpmu: the PMUv3 node, PPI 23 (the VM's PMU, src/hyp/vpmu.ts).
  const d: Omit<VirtDtDesc, 'gic'> = { ramBase: IPA_RAM, ramSize: vm.config.ramSize, pmu: true };
  for (const v of vm.vdevs) {
    if (v.name === 'pl011') d.uart = { base: v.ipa, intid: INTID_UART };
    else if (v.name === 'gicd') dist = v.ipa;
    // The identification block raises no interrupt (DeviceID 0: no device behind it).
    else if (v.name === 'virtio-mmio') (d.virtio ??= []).push({ base: v.ipa, size: v.size });
    else throw new Error(`vm-dt: no device tree node for virtual device '${v.name}'`);
  }
  for (const a of vm.assigned) {
    if (a.name === 'gicv') cpu = a.ipa;
    // The physical RTC's interrupt (SPI 2) is forwarded to its VM at the same INTID.
    else if (a.name === 'pl031') d.rtc = { base: a.ipa, intid: INTID.RTC };
    // Assigned bus masters: their interrupts are forwarded at the same INTID; no `iommus`, since
    // the VM has no SMMU of its own (its stage 2 is invisible to it).
    else if (a.name === 'dma-engine') d.dmaEngine = { base: a.ipa, size: a.size, intid: INTID.DMA_ENGINE };
    else if (/^virtio-\d+$/.test(a.name)) {
      const slot = Number(a.name.slice(7));
      (d.virtio ??= []).push({ base: a.ipa + ((slot * VIRTIO_SLOT_SIZE) % 4096), size: VIRTIO_SLOT_SIZE, intid: INTID.VIRTIO_MMIO_BASE + slot });
    }
    else throw new Error(`vm-dt: no device tree node for assigned device '${a.name}'`);
  }
  if (dist === undefined || cpu === undefined) throw new Error(`vm-dt: ${vm.name} has no virtual GIC (a device tree needs an interrupt controller)`);
  // One cpu@i node per vCPU (reg = its MPIDR Aff0, enable-method psci: the hypervisor answers CPU_ON).
  if (vm.vcpus.length > 1) d.cpus = vm.vcpus.length;
  return { ...d, gic: { dist, cpu } };
}

/** The VM's DTB with /chosen as given. */
export function vmDtb(vm: Vm, chosen: VirtDtChosen = {}): Uint8Array {
  return virtDtb(vmDtDesc(vm), chosen);
}
