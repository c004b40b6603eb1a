// translateDebug: the whole walk per stage and level, without touching the TLB model, its
// statistics or guest state.
import { describe, it, expect } from 'vitest';
import { machine, setS1, setS2, probe, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import { translateDebug, formatTranslation } from '../../src/mmu/debug.js';
import { mmuOf, ACC_WRITE } from '../../src/mmu/translate.js';

describe('translateDebug', () => {
  it('lists each stage-1 level with stage-2 descriptor fetches, the result and permissions', () => {
    const { m, cpu } = machine();
    const b2 = new TableBuilder(m.bus, { inputSize: 40, startLevel: 1, poolBase: RAM + 0x200_0000 });
    b2.map(RAM, RAM, 0x400_0000, s2Leaf());
    const b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
    b1.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf({ ap: 2 }), 3);
    setS1(cpu, { ttbr0: b1.root });
    setS2(cpu, b2, { vmid: 7 });
    const before = JSON.stringify(mmuOf(cpu).tlb.snapshot());
    const r = translateDebug(cpu, 0x1234n);
    expect(r.ok).toBe(true);
    expect(r.pa).toBe(BigInt(RAM + 0x5234));
    expect(r.steps.filter((s) => s.stage === 1).map((s) => s.level)).toEqual([0, 1, 2, 3]);
    expect(r.steps.filter((s) => s.stage === 2).length).toBe(5 * 2); // 5 IPAs, 2-level stage 2
    expect(r.perms).toEqual({ el1: 'r-x', el0: '--x', s2: 'rwx' });
    expect(r.vmid).toBe(7);
    const w = translateDebug(cpu, 0x1234n, ACC_WRITE);
    expect(w.fault).toMatchObject({ stage: 1, fsc: 0x0f, level: 3 });
    expect(formatTranslation(w)).toContain('permission fault, level 3');
    expect(JSON.stringify(mmuOf(cpu).tlb.snapshot())).toBe(before);
    expect(cpu.status).toBe(0);
    // After a real access the report shows the TLB entry the CPU would use.
    probe(cpu, 0x1234n);
    expect(translateDebug(cpu, 0x1234n).tlb?.pa).toBe(BigInt(RAM + 0x5234));
  });
  it('reports a stage-2 fault on the walk with its IPA', () => {
    const { m, cpu } = machine();
    const b2 = new TableBuilder(m.bus, { inputSize: 40, startLevel: 1, poolBase: RAM + 0x200_0000 });
    const b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
    setS1(cpu, { ttbr0: b1.root });
    setS2(cpu, b2);
    const r = translateDebug(cpu, 0x1234n);
    expect(r.fault).toMatchObject({ stage: 2, s1ptw: true, ipa: BigInt(b1.root) });
    expect(formatTranslation(r)).toContain('S1PTW');
  });
});

describe('tlbEntries', () => {
  it('lists the TLB model\'s entries with their tags', async () => {
    const { tlbEntries, formatTlb } = await import('../../src/mmu/debug.js');
    const { m, cpu } = machine();
    const b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
    b1.map(0x1000, RAM + 0x5000, 0x1000, s1Leaf({ ng: true, ap: 1 }), 3);
    setS1(cpu, { ttbr0: b1.root, asid: 3 });
    probe(cpu, 0x1000n);
    const l1 = tlbEntries(cpu).filter((v) => v.structure === 'L1 DTLB');
    expect(l1).toEqual([
      expect.objectContaining({ input: 0x1000n, size: 4096, output: BigInt(RAM + 0x5000), asid: 3, vmid: 0, stage1: true }),
    ]);
    expect(l1[0].perms).toEqual({ el1: 'rw-', el0: 'rwx', s2: 'rwx' });
    expect(formatTlb(cpu)).toContain('ASID 3');
    expect(tlbEntries(cpu).filter((v) => v.structure === 'walk cache').length).toBe(3);
  });
});
