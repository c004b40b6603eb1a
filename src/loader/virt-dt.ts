// The device tree of a virt-layout machine, built from a description of what it really has: the
// bare board (virtBoardDtb, from what src/machine.ts maps) and a VM (src/hyp/vm-dt.ts, from the
// VM's device list). Node names and properties follow QEMU's virt device tree (facts, so software
// written for QEMU finds the same paths), but only devices that exist are described. Bindings:
// Linux's Documentation/devicetree/bindings (arm/psci, timer/arm,arch_timer,
// interrupt-controller/arm,gic, serial/pl011, rtc/arm,pl031, virtio/mmio, iommu/arm,smmu-v3 with
// iommu/iommu (iommus = <&smmu StreamID>), clock/fixed-clock), and
// the Devicetree Specification v0.4 for memory, cpus, chosen.
import { PMU_PPI } from '../cpu/pmu/pmu.js'; // pmu
import { FdtBuilder } from './fdt.js';
import { VIRT, INTID } from '../machine.js';

export interface VirtDtBoard {
  ramBase: number;
  ramSize: number;
  /** The GIC's GICH/GICV frames are mapped (Machine's gicVirtualization): reg gets them, plus the maintenance PPI. */
  gicVirtualization?: boolean;
  /** a64hv's DMA engine (src/devices/README-dma.md). */
  dmaEngine?: VirtDtMaster;
  /** Populated virtio-mmio transports. */
  virtio?: VirtDtMaster[];
  /** An SMMUv3 in front of the bus masters: each master's node gets iommus = <&smmu streamId>. */
  smmu?: { base: number; size: number; intids: { eventq: number; priq: number; cmdqSync: number; gerror: number } };
  /** PEs (default 1): the cpus node and the timer PPIs' CPU mask. */
  cpus?: number;
}

/** A bus master's node: its frame, SPI and (behind an SMMU) StreamID. */
export interface VirtDtMaster {
  base: number;
  size: number;
  intid?: number;
  streamId?: number;
}

export interface VirtDtChosen {
  /** /chosen bootargs (omitted when empty). */
  bootargs?: string;
  /** /chosen linux,initrd-start and linux,initrd-end. */
  initrd?: { start: number; end: number } | null;
}

/** A machine as its device tree describes it (addresses are physical, or IPAs for a VM). */
export interface VirtDtDesc {
  ramBase: number;
  ramSize: number;
  /** GICv2 frames: distributor, CPU interface, and (with the Virtualization Extensions) GICH, GICV. */
  gic: { dist: number; cpu: number; hyp?: number; vcpu?: number };
  /** PL011 at this address with this SPI INTID (the stdout-path). */
  uart?: { base: number; intid: number };
  /** PL031 RTC; intid omitted when its interrupt line is not connected. */
  rtc?: { base: number; intid?: number };
  /** virtio-mmio transports; intid omitted when nothing can raise their interrupt. */
  virtio?: VirtDtMaster[];
  dmaEngine?: VirtDtMaster;
  smmu?: VirtDtBoard['smmu'];
  /** CPUs (default 1), reg = MPIDR Aff0 = 0..cpus-1, enable-method psci. */
  cpus?: number;
  /** pmu: the PMUv3 node (the bare board; VMs under src/hyp are not offered the PMU yet). */
  pmu?: boolean;
}

/** GIC interrupt specifier cells (arm,gic binding): type 0 = SPI, 1 = PPI. */
const GIC_SPI = 0;
const GIC_PPI = 1;
/** Flags: 4 = level-sensitive, active high; 1 = rising edge; PPIs also carry the CPU mask in bits [15:8] (one CPU: 0x01). */
const IRQ_LEVEL_HIGH = 4;
const IRQ_EDGE_RISING = 1;
const PPI_CPU0 = 0x100;
/** The PL011's reference clock as QEMU's DT gives it (24 MHz fixed clock "apb-pclk"). */
export const APB_PCLK_HZ = 24_000_000;

const spi = (intid: number, flags = IRQ_LEVEL_HIGH): number[] => [GIC_SPI, intid - 32, flags];
/** A PPI of every CPU: the arm,gic binding's third cell has the CPU mask in bits [15:8]. */
const ppi = (intid: number, cpus = 1): number[] => [GIC_PPI, intid - 16, (((1 << cpus) - 1) * PPI_CPU0) | IRQ_LEVEL_HIGH];
const reg64 = (...pairs: number[]): { u64: number[] } => ({ u64: pairs });

/** The bare board (src/machine.ts): what it maps, at QEMU virt's addresses. */
export function virtBoardDesc(board: VirtDtBoard): VirtDtDesc {
  return {
    ramBase: board.ramBase,
    ramSize: board.ramSize,
    gic: board.gicVirtualization
      ? { dist: VIRT.GIC_DIST, cpu: VIRT.GIC_CPU, hyp: VIRT.GIC_HYP, vcpu: VIRT.GIC_VCPU }
      : { dist: VIRT.GIC_DIST, cpu: VIRT.GIC_CPU },
    uart: { base: VIRT.UART0, intid: INTID.UART0 },
    rtc: { base: VIRT.RTC, intid: INTID.RTC }, // RTCINTR: SPI 2, level-high
    virtio: board.virtio,
    dmaEngine: board.dmaEngine,
    smmu: board.smmu,
    cpus: board.cpus,
    pmu: true, // pmu
  };
}

/** Build the board's DTB. */
export function virtBoardDtb(board: VirtDtBoard, chosen: VirtDtChosen = {}): Uint8Array {
  return virtDtb(virtBoardDesc(board), chosen);
}

/** Build the DTB of a machine described by `d`. */
export function virtDtb(d: VirtDtDesc, chosen: VirtDtChosen = {}): Uint8Array {
  const t = new FdtBuilder();
  const root = t.root;
  const ncpu = d.cpus ?? 1;
  // Nodes referenced by phandle first, so their handles exist when others point at them.
  const gicName = `intc@${d.gic.dist.toString(16)}`;
  root.prop('#address-cells', [2]).prop('#size-cells', [2]);
  root.prop('compatible', 'linux,dummy-virt').prop('model', 'linux,dummy-virt');

  // PSCI over HVC, answered by src/hyp/psci.ts (which reports PSCI 1.1).
  root
    .node('psci')
    .prop('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci'])
    .prop('method', 'hvc')
    // The PSCI 0.1 function IDs, for old kernels (QEMU gives the same SMC64/SMC32 IDs).
    .prop('cpu_suspend', [0xc400_0001])
    .prop('cpu_off', [0x8400_0002])
    .prop('cpu_on', [0xc400_0003])
    .prop('migrate', [0xc400_0005]);

  root.node(`memory@${d.ramBase.toString(16)}`).prop('device_type', 'memory').prop('reg', reg64(d.ramBase, d.ramSize));

  // GICv2: distributor and CPU interface (and with virtualization the GICH/GICV frames).
  const gic = root.node(gicName);
  const virt = d.gic.hyp !== undefined && d.gic.vcpu !== undefined;
  const gicReg = [d.gic.dist, 0x10000, d.gic.cpu, 0x10000];
  if (virt) gicReg.push(d.gic.hyp!, 0x10000, d.gic.vcpu!, 0x10000);
  gic
    .prop('compatible', 'arm,cortex-a15-gic')
    .prop('#interrupt-cells', [3])
    .prop('interrupt-controller')
    // No children and no interrupt-map: 0 address cells (dtc's interrupt_provider check wants the property).
    .prop('#address-cells', [0])
    .prop('reg', reg64(...gicReg));
  if (virt) gic.prop('interrupts', ppi(INTID.MAINTENANCE, ncpu));
  const gicH = gic.phandle();
  root.prop('interrupt-parent', [gicH]);

  let clkH = 0;
  if (d.uart !== undefined || d.rtc !== undefined) {
    const clk = root.node('apb-pclk');
    clk.prop('compatible', 'fixed-clock').prop('#clock-cells', [0]).prop('clock-frequency', [APB_PCLK_HZ]).prop('clock-output-names', 'clk24mhz');
    clkH = clk.phandle();
  }

  let uartName: string | undefined;
  if (d.uart !== undefined) {
    uartName = `pl011@${d.uart.base.toString(16)}`;
    root
      .node(uartName)
      .prop('compatible', ['arm,pl011', 'arm,primecell'])
      .prop('reg', reg64(d.uart.base, 0x1000))
      .prop('interrupts', spi(d.uart.intid))
      .prop('clocks', [clkH, clkH])
      .prop('clock-names', ['uartclk', 'apb_pclk']);
  }

  if (d.rtc !== undefined) {
    const rtc = root.node(`pl031@${d.rtc.base.toString(16)}`);
    rtc.prop('compatible', ['arm,pl031', 'arm,primecell']).prop('reg', reg64(d.rtc.base, 0x1000));
    if (d.rtc.intid !== undefined) rtc.prop('interrupts', spi(d.rtc.intid));
    rtc.prop('clocks', [clkH]).prop('clock-names', 'apb_pclk');
  }

  // SMMUv3 (Linux's iommu/arm,smmu-v3 binding; QEMU virt's node: edge-rising SPIs named eventq,
  // priq, cmdq-sync, gerror; one cell per master: its StreamID).
  let smmuH = 0;
  if (d.smmu !== undefined) {
    const s = d.smmu;
    const n = root.node(`smmuv3@${s.base.toString(16)}`);
    n.prop('compatible', 'arm,smmu-v3')
      .prop('reg', reg64(s.base, s.size))
      .prop('interrupts', [s.intids.eventq, s.intids.priq, s.intids.cmdqSync, s.intids.gerror].flatMap((i) => spi(i, IRQ_EDGE_RISING)))
      .prop('interrupt-names', ['eventq', 'priq', 'cmdq-sync', 'gerror'])
      .prop('dma-coherent')
      .prop('#iommu-cells', [1]);
    smmuH = n.phandle();
  }
  const iommus = (n: ReturnType<typeof root.node>, m: VirtDtMaster): void => {
    if (smmuH !== 0 && m.streamId !== undefined) n.prop('iommus', [smmuH, m.streamId]);
  };

  for (const v of d.virtio ?? []) {
    const n = root.node(`virtio_mmio@${v.base.toString(16)}`);
    n.prop('dma-coherent');
    if (v.intid !== undefined) n.prop('interrupts', spi(v.intid, IRQ_EDGE_RISING));
    n.prop('reg', reg64(v.base, v.size)).prop('compatible', 'virtio,mmio');
    iommus(n, v);
  }

  if (d.dmaEngine !== undefined) {
    // a64hv's own device (src/devices/README-dma.md): no Linux driver binds it.
    const e = d.dmaEngine;
    const n = root.node(`dma@${e.base.toString(16)}`);
    n.prop('compatible', 'a64hv,dma-engine').prop('reg', reg64(e.base, e.size)).prop('dma-coherent');
    if (e.intid !== undefined) n.prop('interrupts', spi(e.intid));
    iommus(n, e);
  }

  const cpus = root.node('cpus');
  cpus.prop('#address-cells', [1]).prop('#size-cells', [0]);
  for (let i = 0; i < ncpu; i++) {
    cpus.node(`cpu@${i}`).prop('device_type', 'cpu').prop('compatible', 'arm,cortex-a57').prop('reg', [i]).prop('enable-method', 'psci');
  }

  // Generic timer PPIs in the binding's order: secure physical, non-secure physical, virtual, hypervisor.
  root
    .node('timer')
    .prop('compatible', ['arm,armv8-timer', 'arm,armv7-timer'])
    .prop('interrupts', [...ppi(INTID.CNTPS, ncpu), ...ppi(INTID.CNTP, ncpu), ...ppi(INTID.CNTV, ncpu), ...ppi(INTID.CNTHP, ncpu)])
    .prop('always-on');

  // pmu: the PMUv3 (src/cpu/pmu) and its overflow interrupt, PPI 23 of every CPU, as QEMU's virt.
  if (d.pmu) root.node('pmu').prop('compatible', 'arm,armv8-pmuv3').prop('interrupts', ppi(PMU_PPI, ncpu));

  const ch = root.node('chosen');
  if (uartName !== undefined) ch.prop('stdout-path', `/${uartName}`);
  if (chosen.bootargs) ch.prop('bootargs', chosen.bootargs);
  if (chosen.initrd) {
    ch.prop('linux,initrd-start', reg64(chosen.initrd.start)).prop('linux,initrd-end', reg64(chosen.initrd.end));
  }
  return t.toBytes();
}
