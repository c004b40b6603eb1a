// The debugger's `tr` (translateDebug) on a stage-1 permission fault with stage 2 on, as under
// --hyp: the fault is stage 1's (AArch64.S1Translate checks stage-1 permissions before stage 2
// translates the output address), but the report shows where stage 2 maps that IPA, not PA = IPA.
import { describe, it, expect } from 'vitest';
import { machine, setS1, setS2, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import { translateDebug, formatTranslation } from '../../src/mmu/debug.js';
import { mmuOf, ACC_WRITE } from '../../src/mmu/translate.js';

function setup(mapS2Page: boolean) {
  const { m, cpu } = machine();
  const b2 = new TableBuilder(m.bus, { inputSize: 40, startLevel: 1, poolBase: RAM + 0x200_0000 });
  b2.map(RAM, RAM, 0x100_0000, s2Leaf());
  // The page VA 0x1000 maps to: IPA RAM + 16M, at PA RAM + 24M, stage-2 read-only (S2AP 0b01).
  if (mapS2Page) b2.map(RAM + 0x100_0000, RAM + 0x180_0000, 0x1000, s2Leaf({ s2ap: 1 }), 3);
  const b1 = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x10_0000 });
  b1.map(0x1000, RAM + 0x100_0000, 0x1000, s1Leaf({ ap: 2 }), 3); // AP 0b10: read-only at EL1
  setS1(cpu, { ttbr0: b1.root });
  setS2(cpu, b2, { vmid: 7 });
  return cpu;
}

describe('tr on a stage-1 permission fault under stage 2', () => {
  it('shows the true stage-2 mapping of the output IPA (PA and stage-2 permissions), the fault still stage 1', () => {
    const cpu = setup(true);
    const before = JSON.stringify(mmuOf(cpu).tlb.snapshot());
    const r = translateDebug(cpu, 0x1234n, ACC_WRITE);
    expect(r.fault).toMatchObject({ stage: 1, fsc: 0x0f, level: 3 });
    expect(r.ipa).toBe(BigInt(RAM + 0x100_0234));
    expect(r.pa).toBe(BigInt(RAM + 0x180_0234));
    expect(r.perms).toEqual({ el1: 'r-x', el0: '--x', s2: 'r-x' });
    const text = formatTranslation(r);
    expect(text).toContain(`=> IPA 0x41000234 -> PA 0x41800234`);
    expect(text).toContain('permissions: EL1 r-x, EL0 --x, stage 2 r-x');
    expect(text).toMatch(/S2 L3 table 0x[0-9a-f]+ desc @ 0x[0-9a-f]+ = +0x[0-9a-f]+ +page -> PA 0x41800234\n/);
    expect(text).toContain('FAULT: stage 1 permission fault, level 3');
    // A debugger walk: the TLB model and its statistics untouched.
    expect(JSON.stringify(mmuOf(cpu).tlb.snapshot())).toBe(before);
  });
  it('an IPA stage 2 does not map (no level-2 entry): no PA, the stage-2 fault it would take named', () => {
    const r = translateDebug(setup(false), 0x1234n, ACC_WRITE);
    expect(r.fault).toMatchObject({ stage: 1, fsc: 0x0f });
    expect(r.pa).toBeUndefined();
    expect(r.s2AfterFault).toEqual({ kind: 'translation fault, level 2', level: 2, ipa: BigInt(RAM + 0x100_0234) });
    expect(formatTranslation(r)).toMatch(/=> IPA 0x41000234 -> no PA: stage 2 translation fault, level 2 \(after the stage-1 fault below\)/);
  });
});
