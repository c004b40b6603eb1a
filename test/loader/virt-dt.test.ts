// The board's device tree describes exactly what src/machine.ts builds (addresses, INTIDs).
// Bindings: arm,gic (3 cells: type, number, flags; SPI number = INTID - 32, PPI = INTID - 16),
// arm,arch_timer (PPIs in order secure phys, non-secure phys, virtual, hyp), arm/psci, pl011.
import { describe, it, expect } from 'vitest';
import { readFdt, fdtFind, propCells, propStrings, type FdtNode } from '../../src/loader/fdt.js';
import { virtBoardDtb, APB_PCLK_HZ } from '../../src/loader/virt-dt.js';
import { Machine, VIRT, INTID } from '../../src/machine.js';

const MiB = 1024 * 1024;
const tree = (virt = false): FdtNode =>
  readFdt(virtBoardDtb({ ramBase: VIRT.RAM, ramSize: 64 * MiB, gicVirtualization: virt }, { bootargs: 'console=ttyAMA0', initrd: { start: 0x4800_0000, end: 0x4800_1234 } })).root;
const node = (root: FdtNode, path: string): FdtNode => {
  const n = fdtFind(root, path);
  if (n === undefined) throw new Error(`no ${path}`);
  return n;
};

describe('virt board device tree', () => {
  it('root: 2 address and size cells, linux,dummy-virt, interrupt-parent is the GIC', () => {
    const r = tree();
    expect(propCells(r, '#address-cells')).toEqual([2]);
    expect(propCells(r, '#size-cells')).toEqual([2]);
    expect(propStrings(r, 'compatible')).toEqual(['linux,dummy-virt']);
    expect(propCells(r, 'interrupt-parent')).toEqual(propCells(node(r, '/intc@8000000'), 'phandle'));
  });

  it('memory node covers the RAM as built', () => {
    const mem = node(tree(), '/memory@40000000');
    expect(propStrings(mem, 'device_type')).toEqual(['memory']);
    expect(propCells(mem, 'reg')).toEqual([0, VIRT.RAM, 0, 64 * MiB]);
  });

  it('one cortex-a57 with PSCI over HVC (the conduit src/hyp/firmware.ts answers)', () => {
    const r = tree();
    const cpu = node(r, '/cpus/cpu@0');
    expect(propCells(node(r, '/cpus'), '#address-cells')).toEqual([1]);
    expect(propCells(node(r, '/cpus'), '#size-cells')).toEqual([0]);
    expect(propStrings(cpu, 'compatible')).toEqual(['arm,cortex-a57']);
    expect(propStrings(cpu, 'enable-method')).toEqual(['psci']);
    expect(propCells(cpu, 'reg')).toEqual([0]);
    expect(node(r, '/cpus').children).toHaveLength(1);
    const psci = node(r, '/psci');
    expect(propStrings(psci, 'compatible')).toEqual(['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
    expect(propStrings(psci, 'method')).toEqual(['hvc']);
  });

  it('the PMU: arm,armv8-pmuv3 with PPI 23 (PPI 7), level high, as QEMU\'s virt', () => {
    const p = node(tree(), '/pmu');
    expect(propStrings(p, 'compatible')).toEqual(['arm,armv8-pmuv3']);
    expect(propCells(p, 'interrupts')).toEqual([1, 7, 0x104]);
  });
  it('timer PPIs are the INTIDs the machine wires: 29, 30, 27, 26 as PPI 13, 14, 11, 10', () => {
    const t = node(tree(), '/timer');
    expect(propStrings(t, 'compatible')![0]).toBe('arm,armv8-timer');
    const cells = propCells(t, 'interrupts')!;
    const intids = [0, 1, 2, 3].map((i) => {
      expect(cells[i * 3]).toBe(1); // PPI
      expect(cells[i * 3 + 2] & 0xf).toBe(4); // level high
      return cells[i * 3 + 1] + 16;
    });
    expect(intids).toEqual([INTID.CNTPS, INTID.CNTP, INTID.CNTV, INTID.CNTHP]);
  });

  it('GICv2 at the machine’s GICD/GICC addresses; GICH/GICV and the maintenance PPI only with virtualization', () => {
    const gic = node(tree(), '/intc@8000000');
    expect(propStrings(gic, 'compatible')).toEqual(['arm,cortex-a15-gic']);
    expect(propCells(gic, '#interrupt-cells')).toEqual([3]);
    expect(gic.props.has('interrupt-controller')).toBe(true);
    expect(propCells(gic, 'reg')).toEqual([0, VIRT.GIC_DIST, 0, 0x10000, 0, VIRT.GIC_CPU, 0, 0x10000]);
    expect(gic.props.has('interrupts')).toBe(false);
    const gv = node(tree(true), '/intc@8000000');
    expect(propCells(gv, 'reg')!.slice(8)).toEqual([0, VIRT.GIC_HYP, 0, 0x10000, 0, VIRT.GIC_VCPU, 0, 0x10000]);
    expect(propCells(gv, 'interrupts')).toEqual([1, INTID.MAINTENANCE - 16, 0x104]);
  });

  it('PL011 at UART0 with SPI 1 (INTID 33) and the 24 MHz apb-pclk for both clocks', () => {
    const r = tree();
    const u = node(r, '/pl011@9000000');
    expect(propStrings(u, 'compatible')).toEqual(['arm,pl011', 'arm,primecell']);
    expect(propCells(u, 'reg')).toEqual([0, VIRT.UART0, 0, 0x1000]);
    expect(propCells(u, 'interrupts')).toEqual([0, INTID.UART0 - 32, 4]);
    const clk = node(r, '/apb-pclk');
    expect(propCells(clk, 'clock-frequency')).toEqual([APB_PCLK_HZ]);
    expect(propStrings(clk, 'compatible')).toEqual(['fixed-clock']);
    const h = propCells(clk, 'phandle')![0];
    expect(propCells(u, 'clocks')).toEqual([h, h]);
    expect(propStrings(u, 'clock-names')).toEqual(['uartclk', 'apb_pclk']);
  });

  it('chosen: stdout-path names the UART node, bootargs and initrd range as given', () => {
    const c = node(tree(), '/chosen');
    expect(propStrings(c, 'stdout-path')).toEqual(['/pl011@9000000']);
    expect(propStrings(c, 'bootargs')).toEqual(['console=ttyAMA0']);
    expect(propCells(c, 'linux,initrd-start')).toEqual([0, 0x4800_0000]);
    expect(propCells(c, 'linux,initrd-end')).toEqual([0, 0x4800_1234]);
    const bare = readFdt(virtBoardDtb({ ramBase: VIRT.RAM, ramSize: 64 * MiB })).root;
    expect(fdtFind(bare, '/chosen')!.props.has('bootargs')).toBe(false);
  });

  it('describes only devices the bare machine maps (its PL031; no flash, virtio, PCIe, fw_cfg)', () => {
    const r = tree();
    const m = new Machine();
    // Every node with a reg at a device address must be backed by a device on the bus.
    for (const n of r.children) {
      const reg = propCells(n, 'reg');
      if (reg === undefined || n.name.startsWith('memory')) continue;
      for (let i = 0; i < reg.length; i += 4) expect(m.bus.region(reg[i + 1]), `${n.name} reg ${reg[i + 1].toString(16)}`).toBeDefined();
    }
    expect(r.children.map((c) => c.name).sort()).toEqual(
      ['apb-pclk', 'chosen', 'cpus', 'intc@8000000', 'memory@40000000', 'pl011@9000000', 'pl031@9010000', 'pmu', 'psci', 'timer'].sort(),
    );
    // RTCINTR is SPI 2 (INTID 34), level-high, as on QEMU's virt (kvm-unit-tests pl031 reads it here).
    const rtc = node(r, '/pl031@9010000');
    expect(propStrings(rtc, 'compatible')).toEqual(['arm,pl031', 'arm,primecell']);
    expect(propCells(rtc, 'interrupts')).toEqual([0, 2, 4]);
  });
});
