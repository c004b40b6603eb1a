// Region compilation: the decoded blocks of one guest page (RAM page, so regions are keyed by PA)
// in one JavaScript function built with `new Function`: a loop around a `switch` on the block's
// index, so loops and if/else inside the page stay inside one function that V8 optimises whole.
//
// Inside a block each instruction is its template (src/cpu/emit.ts: the decoded fields as
// constants) or a direct call of its exec handler, followed by the same status check the
// interpreter makes. Between blocks the region does exactly what the run loop
// (engine-interp.ts runBlocks) does for a completed block: instret, budget, the block's static
// cycles, PC, excStreak; then it stops at the points where the loop would do something it does
// not: interrupts/timers due (cycles >= checkAt), a budget that does not cover the next block,
// a fetch that misses the fast cache's fetch bank (the loop then translates and counts), PSTATE.IL,
// or a next block outside the region. Chains to the last successor are kept as the loop keeps
// them, since whether the loop translates a fetch depends on them.
import type { Block } from '../blocks.js';
import type { Cpu } from '../cpu.js';
import type { Insn } from '../decode.js';
import { templates, helpers } from '../emit.js';
import { branchRel } from '../isa/branch.js';
import { conditionHolds } from '../isa/common.js';
import { PSTATE_IL } from '../exceptions.js';
// [pauth] PSTATE.BTYPE (FEAT_BTI, set again by an ERET): the loop's lookup checks the target, so leave the region.
const PSTATE_BTYPE_JIT = 3 << 10;
import { FC_MASK, PAGE_MASK } from '../fastmem.js';
import type { BlockCompiler } from '../engine-interp.js';

export type RegionCode = (cpu: Cpu, b: Block) => number;

/** Helpers templates may call by name. */
const HELPER_NAMES = ['cond', 'brel'];
const HELPERS = [(c: number, cpu: Cpu): boolean => conditionHolds(c, cpu.n, cpu.z, cpu.c, cpu.v), branchRel];

/**
 * A block's instructions as statements; `stop(k)` is the statement that leaves the region when
 * instruction k stopped. Handlers and instructions without a template are named h<j>/i<j>.
 */
function blockStatements(insns: readonly Insn[], at: number, stop: (k: number) => string, bind: (ins: Insn) => number): string {
  let src = '';
  for (let k = 0; k < insns.length; k++) {
    const ins = insns[k];
    const t = templates.get(ins.exec);
    if (t !== undefined) {
      src += `{ ${t.code(ins, at + 4 * k)} }\n`;
      if (t.canStop) src += `if (cpu.status !== 0) ${stop(k)}\n`;
    } else {
      const j = bind(ins);
      src += `h${j}(cpu, i${j});\nif (cpu.status !== 0) ${stop(k)}\n`;
    }
  }
  return src;
}

/** The JavaScript source of a region over `blocks` (exported for tests and for reading). */
export function regionSource(blocks: readonly Block[], bind: (ins: Insn) => number): string {
  let src = `const r = cpu.r, rTag = cpu.rTag, rHi = cpu.rHi, rOff = cpu.rOff, wTag = cpu.wTag, wHi = cpu.wHi, wOff = cpu.wOff, ram32 = cpu.ram32, ramU8 = cpu.ramU8, ramI16 = cpu.ramI16;\nlet budget = jit.budget;\nlet idx = b.ridx;\nlet B = b;\nfor (;;) {\nswitch (idx) {\n`;
  for (let x = 0; x < blocks.length; x++) {
    const blk = blocks[x];
    const n = blk.insns.length;
    src += `case ${x}: {\n`;
    src += blockStatements(blk.insns, blk.pa & 0xfff, (k) => `{ jit.cur = B; jit.budget = budget; return ${k}; }`, bind);
    src += `cpu.instret += ${n}; budget -= ${n}; cpu.cycles += ${blk.costs[n]}; cpu.exactData += ${blk.accs[n]}; cpu.exactFetch += ${n};\nbreak;\n}\n`; // pmu: exact L1 TLB lookups (src/mmu/tlb-exact.ts)
  }
  src += `}\n`;
  // The run loop's bookkeeping for the completed block B, then its next-block choice.
  src += `const pcLo = cpu.npcLo, pcHi = cpu.npcHi;
cpu.pcLo = pcLo; cpu.pcHi = pcHi; cpu.excStreak = 0;
if (budget <= 0 || cpu.cycles >= cpu.checkAt) break;
let nb;
if (B.nextGen === cpu.gen && B.nextLo === pcLo && B.nextHi === pcHi) nb = B.next;
else {
  const x = cpu.fcBase | ((pcLo >>> 12) & ${FC_MASK});
  if (cpu.xTag[x] !== (pcLo & ${PAGE_MASK | 3}) || cpu.xHi[x] !== pcHi || (cpu.pstateOther & ${PSTATE_IL | PSTATE_BTYPE_JIT}) !== 0) break;
  nb = cpu.getBlock(cpu.xPa[x] + (pcLo & 0xfff));
  B.next = nb; B.nextLo = pcLo; B.nextHi = pcHi; B.nextGen = cpu.gen;
}
if (nb.region !== REGION || nb.insns.length > budget) break;
B = nb;
idx = nb.ridx;
const fall = (pcLo + 4 * nb.insns.length) | 0;
cpu.npcLo = fall;
cpu.npcHi = (fall >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
}
jit.cur = B;
jit.budget = budget;
return -1;
`;
  return src;
}

/** Compile a region; every block in it gets the code, its index and the region's identity. */
export function compileRegion(blocks: readonly Block[], jit: BlockCompiler): RegionCode {
  const region = {};
  const names: string[] = [...HELPER_NAMES, ...helpers.keys(), 'jit', 'REGION'];
  const values: unknown[] = [...HELPERS, ...helpers.values(), jit, region];
  const fixed = values.length;
  const bind = (ins: Insn): number => {
    const j = (values.length - fixed) >> 1;
    names.push(`h${j}`, `i${j}`);
    values.push(ins.exec, ins);
    return j;
  };
  const body = regionSource(blocks, bind);
  const name = `region_${blocks[0].pa.toString(16)}`;
  const factory = new Function(...names, `return function ${name}(cpu, b) {\n${body}};`) as (...a: unknown[]) => RegionCode;
  const code = factory(...values);
  for (let x = 0; x < blocks.length; x++) {
    const blk = blocks[x];
    blk.code = code;
    blk.ridx = x;
    blk.region = region;
  }
  return code;
}
