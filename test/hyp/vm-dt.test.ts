// A VM's device tree (src/hyp/vm-dt.ts) describes the VM's IPA view, built from its device list:
// its RAM, its GIC (distributor trapped at 0x0800_0000, CPU interface = the GICV frame at
// 0x0801_0000, no GICH/GICV of its own), the timer PPIs, the trapped PL011 with SPI 1, the
// virtio-mmio identification block, and the PL031 only in the VM it is assigned to.
import { describe, it, expect } from 'vitest';
import { readFdt, fdtFind, propCells, propStrings, type FdtNode } from '../../src/loader/fdt.js';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { vmDtb } from '../../src/hyp/vm-dt.js';

const MiB = 1024 * 1024;
const node = (root: FdtNode, path: string): FdtNode => {
  const n = fdtFind(root, path);
  if (n === undefined) throw new Error(`no ${path}`);
  return n;
};
const names = (root: FdtNode): string[] => root.children.map((c) => c.name).sort();

describe('VM device tree', () => {
  const hv = new Hypervisor({ vms: [{ ramSize: 48 * MiB }, { ramSize: 16 * MiB }] });
  const t0 = readFdt(vmDtb(hv.vms[0], { bootargs: 'console=ttyAMA0', initrd: { start: 0x4400_0000, end: 0x4400_1000 } })).root;
  const t1 = readFdt(vmDtb(hv.vms[1])).root;

  it('only the devices each VM has: the RTC is VM 0\'s (assigned), VM 1 has none', () => {
    expect(names(t0)).toEqual(['apb-pclk', 'chosen', 'cpus', 'intc@8000000', 'memory@40000000', 'pl011@9000000', 'pl031@9010000', 'pmu', 'psci', 'timer', 'virtio_mmio@a000000']);
    expect(names(t1)).toEqual(['apb-pclk', 'chosen', 'cpus', 'intc@8000000', 'memory@40000000', 'pl011@9000000', 'pmu', 'psci', 'timer', 'virtio_mmio@a000000']);
  });

  it('memory is the VM\'s RAM at IPA 0x4000_0000, not the machine\'s', () => {
    expect(propCells(node(t0, '/memory@40000000'), 'reg')).toEqual([0, 0x4000_0000, 0, 48 * MiB]);
    expect(propCells(node(t1, '/memory@40000000'), 'reg')).toEqual([0, 0x4000_0000, 0, 16 * MiB]);
  });

  it('GICv2: distributor and CPU interface (the GICV frame) only; no maintenance interrupt', () => {
    const gic = node(t0, '/intc@8000000');
    expect(propStrings(gic, 'compatible')).toEqual(['arm,cortex-a15-gic']);
    expect(propCells(gic, 'reg')).toEqual([0, 0x0800_0000, 0, 0x10000, 0, 0x0801_0000, 0, 0x10000]);
    expect(gic.props.has('interrupts')).toBe(false);
    expect(gic.props.has('interrupt-controller')).toBe(true);
    expect(propCells(t0, 'interrupt-parent')).toEqual(propCells(gic, 'phandle'));
  });

  it('timer PPIs 29, 30, 27, 26 (secure phys, phys, virt, hyp), level high, CPU 0', () => {
    expect(propCells(node(t0, '/timer'), 'interrupts')).toEqual([1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104]);
  });

  it('PL011 at 0x0900_0000 with SPI 1 (INTID 33, the virtual UART\'s line) is stdout', () => {
    const u = node(t0, '/pl011@9000000');
    expect(propCells(u, 'reg')).toEqual([0, 0x0900_0000, 0, 0x1000]);
    expect(propCells(u, 'interrupts')).toEqual([0, 1, 4]);
    expect(propStrings(node(t0, '/chosen'), 'stdout-path')).toEqual(['/pl011@9000000']);
  });

  it('the assigned PL031 has its forwarded SPI 2 (INTID 34, level-high); the virtio-mmio block has no interrupts', () => {
    const rtc = node(t0, '/pl031@9010000');
    expect(propStrings(rtc, 'compatible')).toEqual(['arm,pl031', 'arm,primecell']);
    expect(propCells(rtc, 'reg')).toEqual([0, 0x0901_0000, 0, 0x1000]);
    expect(propCells(rtc, 'interrupts')).toEqual([0, 2, 4]);
    const v = node(t0, '/virtio_mmio@a000000');
    expect(propStrings(v, 'compatible')).toEqual(['virtio,mmio']);
    expect(propCells(v, 'reg')).toEqual([0, 0x0a00_0000, 0, 0x200]);
    expect(v.props.has('interrupts')).toBe(false);
  });

  it('PSCI over HVC, /chosen bootargs and initrd range', () => {
    expect(propStrings(node(t0, '/psci'), 'method')).toEqual(['hvc']);
    const ch = node(t0, '/chosen');
    expect(propStrings(ch, 'bootargs')).toEqual(['console=ttyAMA0']);
    expect(propCells(ch, 'linux,initrd-start')).toEqual([0, 0x4400_0000]);
    expect(propCells(ch, 'linux,initrd-end')).toEqual([0, 0x4400_1000]);
    expect(node(t1, '/chosen').props.has('bootargs')).toBe(false);
  });

  it('a device the tree cannot describe is an error, not a silent omission', () => {
    const h = new Hypervisor({ vms: [{ ramSize: 16 * MiB }] });
    h.vms[0].vdevs.push({ name: 'scratch', ipa: 0x0a10_0000, size: 0x1000, dev: h.vms[0].virtio, regName: () => '' });
    expect(() => vmDtb(h.vms[0])).toThrow(/no device tree node for virtual device 'scratch'/);
  });
});

describe('VM device tree with assigned bus masters', () => {
  it('the DMA engine and a virtio-blk transport appear at their IPAs with their forwarded SPIs and no iommus', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/vmdt-`);
    writeFileSync(`${dir}/d.img`, new Uint8Array(4096));
    const hv = new Hypervisor({
      vms: [{ ramSize: 16 * MiB }, { ramSize: 16 * MiB }],
      assignDma: { vm: 0, ipa: 0x0a10_0000 },
      drives: [{ path: `${dir}/d.img` }],
      assignVirtio: { vm: 1, slot: 0 },
    });
    const t0 = readFdt(vmDtb(hv.vms[0])).root;
    const t1 = readFdt(vmDtb(hv.vms[1])).root;
    const dma = node(t0, '/dma@a100000');
    expect(propStrings(dma, 'compatible')).toEqual(['a64hv,dma-engine']);
    expect(propCells(dma, 'reg')).toEqual([0, 0x0a10_0000, 0, 0x1000]);
    expect(propCells(dma, 'interrupts')).toEqual([0, 12, 4]); // SPI 12 (INTID 44), level
    expect(dma.props.has('iommus')).toBe(false);
    // VM 1: the real transport replaced the identification block at the same address.
    const v = node(t1, '/virtio_mmio@a000000');
    expect(propCells(v, 'reg')).toEqual([0, 0x0a00_0000, 0, 0x200]);
    expect(propCells(v, 'interrupts')).toEqual([0, 16, 1]); // SPI 16 (INTID 48), rising edge
    expect(names(t1).filter((n) => n.startsWith('virtio'))).toEqual(['virtio_mmio@a000000']);
    expect(names(t0).some((n) => n.startsWith('smmu') || n.startsWith('iommu'))).toBe(false);
  });
});
