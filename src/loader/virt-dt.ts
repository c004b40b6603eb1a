// The device tree of OUR virt board, exactly as src/machine.ts builds it: node names and
// properties follow QEMU's virt device tree (facts, so software written for QEMU finds the same
// paths), but only devices a64hv has are described. Bindings: Linux's
// Documentation/devicetree/bindings (arm/psci, timer/arm,arch_timer, interrupt-controller/arm,gic,
// serial/pl011, clock/fixed-clock), and the Devicetree Specification v0.4 for memory, cpus, chosen.
import { FdtBuilder } from './fdt.js';
import { VIRT, INTID } from '../machine.js';

export interface VirtDtBoard {
  ramBase: number;
  ramSize: number;
  /** The GIC's GICH/GICV frames are mapped (Machine's gicVirtualization): reg gets them, plus the maintenance PPI. */
  gicVirtualization?: boolean;
}

export interface VirtDtChosen {
  /** /chosen bootargs (omitted when empty). */
  bootargs?: string;
  /** /chosen linux,initrd-start and linux,initrd-end. */
  initrd?: { start: number; end: number } | null;
}

/** GIC interrupt specifier cells (arm,gic binding): type 0 = SPI, 1 = PPI. */
const GIC_SPI = 0;
const GIC_PPI = 1;
/** Flags: 4 = level-sensitive, active high; PPIs also carry the CPU mask in bits [15:8] (one CPU: 0x01). */
const IRQ_LEVEL_HIGH = 4;
const PPI_CPU0 = 0x100;
/** The PL011's reference clock as QEMU's DT gives it (24 MHz fixed clock "apb-pclk"). */
export const APB_PCLK_HZ = 24_000_000;

const spi = (intid: number): number[] => [GIC_SPI, intid - 32, IRQ_LEVEL_HIGH];
const ppi = (intid: number): number[] => [GIC_PPI, intid - 16, PPI_CPU0 | IRQ_LEVEL_HIGH];
const reg64 = (...pairs: number[]): { u64: number[] } => ({ u64: pairs });

/** Build the board's DTB. */
export function virtBoardDtb(board: VirtDtBoard, chosen: VirtDtChosen = {}): Uint8Array {
  const t = new FdtBuilder();
  const root = t.root;
  // Nodes referenced by phandle first, so their handles exist when others point at them.
  const gicName = `intc@${VIRT.GIC_DIST.toString(16)}`;
  const uartName = `pl011@${VIRT.UART0.toString(16)}`;
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

  root.node(`memory@${board.ramBase.toString(16)}`).prop('device_type', 'memory').prop('reg', reg64(board.ramBase, board.ramSize));

  // GICv2: distributor and CPU interface (and with virtualization the GICH/GICV frames).
  const gic = root.node(gicName);
  const gicReg = [VIRT.GIC_DIST, 0x10000, VIRT.GIC_CPU, 0x10000];
  if (board.gicVirtualization) gicReg.push(VIRT.GIC_HYP, 0x10000, VIRT.GIC_VCPU, 0x10000);
  gic
    .prop('compatible', 'arm,cortex-a15-gic')
    .prop('#interrupt-cells', [3])
    .prop('interrupt-controller')
    // No children and no interrupt-map: 0 address cells (dtc's interrupt_provider check wants the property).
    .prop('#address-cells', [0])
    .prop('reg', reg64(...gicReg));
  if (board.gicVirtualization) gic.prop('interrupts', ppi(INTID.MAINTENANCE));
  const gicH = gic.phandle();
  root.prop('interrupt-parent', [gicH]);

  const clk = root.node('apb-pclk');
  clk.prop('compatible', 'fixed-clock').prop('#clock-cells', [0]).prop('clock-frequency', [APB_PCLK_HZ]).prop('clock-output-names', 'clk24mhz');
  const clkH = clk.phandle();

  root
    .node(uartName)
    .prop('compatible', ['arm,pl011', 'arm,primecell'])
    .prop('reg', reg64(VIRT.UART0, 0x1000))
    .prop('interrupts', spi(INTID.UART0))
    .prop('clocks', [clkH, clkH])
    .prop('clock-names', ['uartclk', 'apb_pclk']);

  const cpus = root.node('cpus');
  cpus.prop('#address-cells', [1]).prop('#size-cells', [0]);
  cpus.node('cpu@0').prop('device_type', 'cpu').prop('compatible', 'arm,cortex-a57').prop('reg', [0]).prop('enable-method', 'psci');

  // Generic timer PPIs in the binding's order: secure physical, non-secure physical, virtual, hypervisor.
  root
    .node('timer')
    .prop('compatible', ['arm,armv8-timer', 'arm,armv7-timer'])
    .prop('interrupts', [...ppi(INTID.CNTPS), ...ppi(INTID.CNTP), ...ppi(INTID.CNTV), ...ppi(INTID.CNTHP)])
    .prop('always-on');

  const ch = root.node('chosen');
  ch.prop('stdout-path', `/${uartName}`);
  if (chosen.bootargs) ch.prop('bootargs', chosen.bootargs);
  if (chosen.initrd) {
    ch.prop('linux,initrd-start', reg64(chosen.initrd.start)).prop('linux,initrd-end', reg64(chosen.initrd.end));
  }
  return t.toBytes();
}
