// The VM's emulated GICv2 distributor (src/hyp/vdev/vgic-dist.ts; IHI 0048B 4.3), register by
// register, as a guest reaches it through trapped accesses.
import { describe, it, expect } from 'vitest';
import { VgicDistributor } from '../../src/hyp/vdev/vgic-dist.js';

describe('virtual GIC distributor', () => {
  it('GICD_TYPER: ITLinesNumber 8 (288 INTIDs), CPUNumber 0 (one vCPU), no Security Extensions (4.3.2)', () => {
    const d = new VgicDistributor();
    expect(d.read(0x004, 4)).toBe(8);
    expect(d.read(0x008, 4)).toBe(0x0200143b);
  });
  it('GICD_CTLR keeps EnableGrp0/EnableGrp1 only', () => {
    const d = new VgicDistributor();
    d.write(0x000, 4, 0xffff_ffff);
    expect(d.read(0x000, 4)).toBe(3);
  });
  it('ISENABLER/ICENABLER set and clear; SGIs stay enabled (RAO/WI)', () => {
    const d = new VgicDistributor();
    expect(d.read(0x100, 4)).toBe(0xffff);
    d.write(0x100, 4, 1 << 27);
    d.write(0x104, 4, 1 << 1); // INTID 33
    expect(d.read(0x100, 4)).toBe((0xffff | (1 << 27)) >>> 0);
    expect(d.read(0x184, 4)).toBe(2);
    d.write(0x180, 4, 0xffff_ffff);
    expect(d.read(0x100, 4)).toBe(0xffff);
    expect(d.enabled[33]).toBe(1);
  });
  it('ISPENDR/ICPENDR: SPIs latch; SGI bits are not writable there (4.3.7)', () => {
    const d = new VgicDistributor();
    d.write(0x204, 4, 1 << 2); // INTID 34
    d.write(0x200, 4, 0xff); // SGIs 0-7: ignored
    expect(d.read(0x204, 4)).toBe(4);
    expect(d.read(0x200, 4)).toBe(0);
    d.write(0x284, 4, 1 << 2);
    expect(d.read(0x204, 4)).toBe(0);
  });
  it('a level-sensitive line is pending while high; an edge-triggered one latches on the rising edge', () => {
    const d = new VgicDistributor();
    d.setLevel(33, true);
    expect(d.isPending(33)).toBe(true);
    d.setLevel(33, false);
    expect(d.isPending(33)).toBe(false);
    d.write(0xc08, 4, 2 << 2); // ICFGR2: INTID 33 edge-triggered
    d.setLevel(33, true);
    d.setLevel(33, false);
    expect(d.isPending(33)).toBe(true);
  });
  it('IPRIORITYR is byte-accessible and keeps 5 priority bits (the list registers hold priority[7:3])', () => {
    const d = new VgicDistributor();
    d.write(0x41b, 1, 0xa7); // INTID 27
    expect(d.read(0x41b, 1)).toBe(0xa0);
    expect(d.read(0x418, 4)).toBe(0xa000_0000);
    d.write(0x420, 4, 0x1f2f3f4f);
    expect(d.priority.slice(32, 36)).toEqual(new Uint8Array([0x48, 0x38, 0x28, 0x18]));
  });
  it('ITARGETSR is RAZ/WI on a uniprocessor GIC (4.3.12)', () => {
    const d = new VgicDistributor();
    d.write(0x820, 4, 0x01010101);
    expect(d.read(0x820, 4)).toBe(0);
    expect(d.read(0x800, 4)).toBe(0);
  });
  it('ITARGETSR with one vCPU (GICD_TYPER.CPUNumber 0): the kvm-unit-tests pattern 0x0103020f and byte writes read back 0 (4.3.12)', () => {
    const d = new VgicDistributor();
    expect((d.read(0x004, 4) >>> 5) & 7).toBe(0);
    d.write(0x820, 4, 0x0103020f);
    expect(d.read(0x820, 4)).toBe(0);
    for (let k = 0; k < 4; k++) d.write(0x820 + k, 1, 0xff);
    for (let k = 0; k < 4; k++) expect(d.read(0x820 + k, 1)).toBe(0);
  });
  it('ICFGR0 (SGIs) reads edge-triggered and is read-only', () => {
    const d = new VgicDistributor();
    d.write(0xc00, 4, 0);
    expect(d.read(0xc00, 4)).toBe(0xaaaa_aaaa);
  });
  it('GICD_SGIR: to self (filter 2) or to CPU 0 in the list pends the SGI with source CPU 0; "all but self" reaches nobody', () => {
    const d = new VgicDistributor();
    d.write(0xf00, 4, (2 << 24) | 3);
    expect(d.isPending(3)).toBe(true);
    expect(d.read(0xf20, 4)).toBe(1 << 24); // SPENDSGIR0 byte 3: source CPU 0
    d.write(0xf00, 4, (1 << 24) | 5);
    expect(d.isPending(5)).toBe(false);
    d.write(0xf00, 4, (0 << 24) | (1 << 16) | 6);
    expect(d.isPending(6)).toBe(true);
    d.write(0xf10, 4, 1 << 24); // CPENDSGIR0: clear SGI 3 from CPU 0
    expect(d.isPending(3)).toBe(false);
  });
  it('word-only registers ignore byte accesses, with one log line per offset', () => {
    const d = new VgicDistributor();
    const log: string[] = [];
    d.onLog = (m) => log.push(m);
    d.write(0x100, 1, 0xff);
    d.write(0x100, 1, 0xff);
    expect(d.read(0x100, 4)).toBe(0xffff);
    expect(log).toEqual(['vgic: 1-byte write of GICD offset 0x100 ignored (RAZ/WI)']);
  });
  it('names registers for the exit statistics', () => {
    expect(VgicDistributor.regName(0x104)).toBe('GICD_ISENABLER1');
    expect(VgicDistributor.regName(0x41b)).toBe('GICD_IPRIORITYR6');
    expect(VgicDistributor.regName(0xf00)).toBe('GICD_SGIR');
  });
});
