// Exact L1 TLB lookups (src/mmu/tlb-exact.ts): one L1 DTLB lookup per executed data-accessing
// instruction, one L1 ITLB lookup per block fetch, hits = lookups - misses; the same counts from
// the interpreter and the JIT, per (VMID, ASID) context, and across an instruction that faults in
// the middle of its block.
import { describe, it, expect } from 'vitest';
import { runTouch, tlbOf, ASID } from '../stats/lab-helpers.js';
import { assemble } from '../helpers.js';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { mmuOf } from '../../src/mmu/translate.js';
import { setS1, RAM } from '../mmu/mmu-helpers.js';
import { dataAccesses, DATA_ENCODING_NAMES } from '../../src/cpu/pmu/mem-class.js';
import { Insn } from '../../src/cpu/decode.js';
import type { EngineName } from '../../src/cpu/jit/engine.js';

type Lvl = { lookups: number; hits: number; misses: number };

describe('exact L1 lookups on tlb-touch (region of interest: PASSES x FOOTPRINT / STRIDE loads, nothing else)', () => {
  it('4K pages over 256K: 128 lookups, all miss the 32-entry round-robin L1 DTLB', async () => {
    const t = tlbOf((await runTouch('256K 4K 2 0', { mmu: 's1:4k:pages' })).roi);
    expect([t.l1d.lookups, t.l1d.hits, t.l1d.misses]).toEqual([128, 0, 128]);
  });
  it('64K pages over 256K: 128 lookups, all hits (4 pages, warm)', async () => {
    const r = await runTouch('256K 4K 2 0', { mmu: 's1:64k:pages' });
    const t = tlbOf(r.roi);
    expect([t.l1d.lookups, t.l1d.hits, t.l1d.misses]).toEqual([128, 128, 0]);
    // Instruction side: one lookup per instruction fetched; none took an exception, so it is the
    // region's instruction count (529, test/loader/mmu-setup.test.ts); all hits (warm).
    expect(r.roi.instructions).toBe(529);
    expect([t.l1i.lookups, t.l1i.hits, t.l1i.misses]).toEqual([529, 529, 0]);
  });
  it('with the MMU off nothing is a TLB lookup', async () => {
    const t = tlbOf((await runTouch('256K 4K 2 0', {})).roi);
    expect([t.l1d.lookups, t.l1i.lookups]).toEqual([0, 0]);
  });
});

describe('exact L1 lookups per ASID (tlb-asid.S: two processes, ASID 1 and 2)', () => {
  it('splits the lookups between the contexts that made them', async () => {
    const r = await runTouch('64K 8 0', { mmu: 's1:4k:pages:ng' }, 64 * 1024 * 1024, ASID, 2);
    const t = r.roi.tlb as unknown as { l1d: Lvl; l1i: Lvl; contexts: { asid: number; l1dLookups: number; l1iLookups: number; l1Misses: number }[] };
    const ctx = t.contexts;
    const sumD = ctx.reduce((a, c) => a + c.l1dLookups, 0);
    const sumI = ctx.reduce((a, c) => a + c.l1iLookups, 0);
    expect(sumD).toBe(t.l1d.lookups);
    expect(sumI).toBe(t.l1i.lookups);
    const a1 = ctx.find((c) => c.asid === 1)!;
    const a2 = ctx.find((c) => c.asid === 2)!;
    // 8 passes alternate ASID 2, 1, 2, ...: 4 passes of 16 loads (one per 4K page of 64K) each.
    expect([a1.l1dLookups, a2.l1dLookups]).toEqual([64, 64]);
    expect(t.l1d.lookups).toBe(128);
  });
});

// A loop whose middle load faults (unmapped VA): the EL1 handler skips it. Per iteration the
// instructions that access data are: ldr x1 (hit after the first), the faulting ldr x2 (a miss:
// faulting walks are not cached), ldr x4 (same page as x1: hit).
const FAULT_LOOP = `
    mov x9, #N
loop:
    ldr x1, [x0]
    ldr x2, [x3]
    ldr x4, [x0, #8]
    subs x9, x9, #1
    b.ne loop
    hlt #1
    .balign 2048
vectors:
    .skip 0x200
    mrs x10, elr_el1
    add x10, x10, #4
    msr elr_el1, x10
    eret
`;
const CODE = RAM + 0x1000;
const DATA = RAM + 0x20_0000;
const UNMAPPED = 0x8000_0000;

async function faultLoop(engine: EngineName, n: number): Promise<{ d: Lvl; i: Lvl; insns: number }> {
  const code = await assemble(FAULT_LOOP.replace('#N', `#${n}`), CODE);
  const m = new Machine({ ramSize: 16 * 1024 * 1024, engine });
  m.bus.load(CODE, code);
  const cpu = m.cpu;
  cpu.firmware = {
    el2Exception: (c) => c.halt('unexpected EL2 exception'),
    hlt: (c, imm) => {
      if (imm !== 1) return false;
      c.halt('done', 0);
      return true;
    },
  };
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x80_0000 });
  b.map(RAM, RAM, 0x40_0000, s1Leaf(), 3);
  setS1(cpu, { ttbr0: b.root });
  cpu.contextChanged();
  cpu.setSys(SYS.VBAR_EL1, CODE + 2048, 0);
  cpu.writeX(0, BigInt(DATA));
  cpu.writeX(3, BigInt(UNMAPPED));
  cpu.pc = BigInt(CODE);
  cpu.run(1_000_000);
  expect(cpu.haltReason).toBe('done');
  const s = mmuOf(cpu).tlb.snapshot() as unknown as { l1d: Lvl; l1i: Lvl };
  return { d: s.l1d, i: s.l1i, insns: cpu.instret };
}

describe('a block that faults in its middle', () => {
  it('counts the excepting load, and the interpreter and the JIT agree', async () => {
    const n = 300; // enough for the JIT to compile the loop (its threshold)
    const a = await faultLoop('interp', n);
    const j = await faultLoop('jit', n);
    // 3 loads per iteration; misses: x0's page once, the faulting load every time.
    expect(a.d.lookups).toBe(3 * n);
    expect(a.d.misses).toBe(1 + n);
    expect(a.d.hits).toBe(3 * n - 1 - n);
    expect(j).toEqual(a);
  });
});

describe('mem-class', () => {
  it('knows only encodings the decoder has, and classifies by handler', async () => {
    const m = new Machine({ ramSize: 1024 * 1024 });
    const names = new Set(m.cpu.decoder.all.map((e) => e.name));
    for (const n of DATA_ENCODING_NAMES) expect(names.has(n), n).toBe(true);
    const dec = (word: number): number => {
      const i = new Insn(() => {});
      m.cpu.decoder.decode(word, i);
      return dataAccesses(i);
    };
    expect(dec(0xf9400001)).toBe(1); // ldr x1, [x0]
    expect(dec(0xa9400801)).toBe(1); // ldp x1, x2, [x0]
    expect(dec(0xf9800000)).toBe(0); // prfm pldl1keep, [x0]
    expect(dec(0xd50b7420)).toBe(1); // dc zva, x0
    expect(dec(0xd50b7a20)).toBe(0); // dc cvac, x0: no access
    expect(dec(0x8b020020)).toBe(0); // add x0, x1, x2
  });
});
