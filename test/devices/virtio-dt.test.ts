// The board's device tree for its bus masters (Machine.dtBoard() -> src/loader/virt-dt.ts):
// virtio-mmio nodes (virtio/mmio binding: reg, edge-rising SPI, dma-coherent), the DMA engine,
// and with the SMMU the arm,smmu-v3 node (4 named edge SPIs, #iommu-cells = 1) and
// `iommus = <&smmu StreamID>` on every master; dtc accepts the blob without warnings.
import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFdt, fdtFind, propCells, propStrings, type FdtNode } from '../../src/loader/fdt.js';
import { virtBoardDtb } from '../../src/loader/virt-dt.js';
import { Machine, VIRT, INTID, STREAM_ID } from '../../src/machine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function machine(iommu: boolean): Machine {
  const dir = mkdtempSync(join(tmpdir(), 'a64hv-dt-'));
  dirs.push(dir);
  const disk = join(dir, 'd.img');
  writeFileSync(disk, new Uint8Array(4096));
  return new Machine({ ramSize: 1 << 20, drives: [{ path: disk }], virtioRng: true, ...(iommu ? { iommu: 'smmuv3' as const } : {}) });
}
const node = (root: FdtNode, path: string): FdtNode => {
  const n = fdtFind(root, path);
  if (n === undefined) throw new Error(`no ${path}`);
  return n;
};

describe('device tree of the bus masters', () => {
  it('without the SMMU: virtio-mmio slots 0 and 1 and the DMA engine, no iommus', () => {
    const m = machine(false);
    const r = readFdt(virtBoardDtb(m.dtBoard())).root;
    const v0 = node(r, '/virtio_mmio@a000000');
    expect(propStrings(v0, 'compatible')).toEqual(['virtio,mmio']);
    expect(propCells(v0, 'reg')).toEqual([0, VIRT.VIRTIO_MMIO, 0, 0x200]);
    expect(propCells(v0, 'interrupts')).toEqual([0, INTID.VIRTIO_MMIO_BASE - 32, 1]); // SPI 16, edge rising
    expect(v0.props.has('dma-coherent')).toBe(true);
    expect(propCells(node(r, '/virtio_mmio@a000200'), 'interrupts')).toEqual([0, 17, 1]);
    expect(fdtFind(r, '/virtio_mmio@a000400')).toBeUndefined(); // only populated slots
    const dma = node(r, '/dma@90f0000');
    expect(propStrings(dma, 'compatible')).toEqual(['a64hv,dma-engine']);
    expect(propCells(dma, 'interrupts')).toEqual([0, INTID.DMA_ENGINE - 32, 4]);
    expect(fdtFind(r, '/smmuv3@9050000')).toBeUndefined();
    for (const n of r.children) expect(n.props.has('iommus'), n.name).toBe(false);
    // Every node with a reg is backed by a device on the bus.
    for (const n of r.children) {
      const reg = propCells(n, 'reg');
      if (reg === undefined || n.name.startsWith('memory')) continue;
      expect(m.bus.region(reg[1]), n.name).toBeDefined();
    }
    m.close();
  });

  it('with the SMMU: arm,smmu-v3 at 0x0905_0000 with SPIs 74..77 named, and iommus = <&smmu StreamID> on each master', () => {
    const m = machine(true);
    const r = readFdt(virtBoardDtb(m.dtBoard())).root;
    const s = node(r, '/smmuv3@9050000');
    expect(propStrings(s, 'compatible')).toEqual(['arm,smmu-v3']);
    expect(propCells(s, 'reg')).toEqual([0, VIRT.SMMU, 0, 0x20000]);
    expect(propCells(s, 'interrupts')).toEqual([0, 74, 1, 0, 75, 1, 0, 76, 1, 0, 77, 1]);
    expect(propStrings(s, 'interrupt-names')).toEqual(['eventq', 'priq', 'cmdq-sync', 'gerror']);
    expect(propCells(s, '#iommu-cells')).toEqual([1]);
    expect(s.props.has('dma-coherent')).toBe(true);
    const h = propCells(s, 'phandle')![0];
    expect(propCells(node(r, '/virtio_mmio@a000000'), 'iommus')).toEqual([h, STREAM_ID.VIRTIO_BASE]);
    expect(propCells(node(r, '/virtio_mmio@a000200'), 'iommus')).toEqual([h, STREAM_ID.VIRTIO_BASE + 1]);
    expect(propCells(node(r, '/dma@90f0000'), 'iommus')).toEqual([h, STREAM_ID.DMA_ENGINE]);
    expect(m.bus.region(VIRT.SMMU)?.dev.name).toBe('smmuv3');
    m.close();
  });

  it.skipIf(!['/usr/bin/dtc', '/usr/local/bin/dtc'].some((p) => existsSync(p)))('dtc decompiles it without warnings', () => {
    const m = machine(true);
    const dir = dirs[dirs.length - 1];
    writeFileSync(join(dir, 'b.dtb'), virtBoardDtb(m.dtBoard()));
    // dtc prints its warnings (interrupts, iommus, unit addresses...) on stderr: merged and expected empty.
    const warnings = execFileSync('sh', ['-c', `dtc -I dtb -O dts -o /dev/null ${join(dir, 'b.dtb')} 2>&1`], { encoding: 'utf8' });
    expect(warnings).toBe('');
    m.close();
  });
});
