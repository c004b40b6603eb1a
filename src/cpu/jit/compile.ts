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
 * A template's source with the guest's registers and flags as JavaScript locals (issue 12):
 * `r[N]` becomes `RN` and `cpu.n/z/c/v` become `Fn/Fz/Fc/Fv`, so V8 keeps them in machine
 * registers across the region and drops flag computations that nothing reads. A template that
 * indexes `r` otherwise, or calls a helper that reads or sets the flags on the CPU, is left as it
 * is and treated like a handler call (the locals are written back before and read again after).
 */
export interface Localized {
  src: string;
  /** Register slots it reads or writes, and those it writes. */
  uses: Set<number>;
  writes: Set<number>;
  /** Whether it reads / writes a flag local. */
  flagUse: boolean;
  /** Left as it is: needs the architectural registers and flags in `cpu`. */
  opaque: boolean;
}

const R_INDEX = /(?<![\w.$])r\[(\d+)\]/g;
const R_BARE = /(?<![\w.$])r(?![\w$])/;
const R_WRITE = /\bR(\d+)\s*(?:[-+*/%&|^]|<<|>>>?)?=(?!=)/g;
const R_ASSIGN = /\bR(\d+) = ([^;]*);/g;
const FLAG = /\bcpu\.([nzcv])(?![\w$])/g;
const FLAG_HELPER = /\b(?:cond|addWithCarry64|addWithCarry32)\(/;

export function localize(code: string): Localized {
  const uses = new Set<number>();
  const writes = new Set<number>();
  let src = code.replace(R_INDEX, (_m, n: string) => (uses.add(Number(n)), `R${n}`));
  if (R_BARE.test(src) || FLAG_HELPER.test(src)) return { src: code, uses: new Set(), writes: new Set(), flagUse: false, opaque: true };
  for (const m of src.matchAll(R_WRITE)) writes.add(Number(m[1]));
  // An Int32Array element is always an int32; a local must be too (the same value, and V8 keeps
  // its int32 speculation: a template may compute an unsigned word, e.g. x >>> 0).
  src = src.replace(R_ASSIGN, (_m, n: string, e: string) => `R${n} = (${e}) | 0;`);
  let flagUse = false;
  src = src.replace(FLAG, (_m, f: string) => ((flagUse = true), `F${f}`));
  return { src, uses, writes, flagUse, opaque: false };
}

/** One instruction of a region: its localized template, or a handler call (j = binding). */
type Item = { kind: 'tpl'; t: Localized; canStop: boolean } | { kind: 'call'; j: number; opaqueSrc?: string; canStop: boolean };

/** The JavaScript source of a region over `blocks` (exported for tests and for reading). */
export function regionSource(blocks: readonly Block[], bind: (ins: Insn) => number, guests: readonly number[] = []): string {
  // Guests (blocks another region owns, compileRegion) are recognised by identity: a Block object
  // is live only until its page's code is dropped, and a live block is never reached through a
  // dropped one (dropping bumps gen), so identity means "these very instructions".
  let guestDispatch = '';
  for (const x of guests) guestDispatch += `else if (nb === G${x}) idx = ${x};\n`;
  // Pass 1: every instruction's form, and the registers the region keeps in locals.
  const items: Item[][] = [];
  const U = new Set<number>();
  const W = new Set<number>();
  let flags = false;
  for (const blk of blocks) {
    const at = blk.pa & 0xfff;
    items.push(
      blk.insns.map((ins, k): Item => {
        const t = templates.get(ins.exec);
        if (t === undefined) return { kind: 'call', j: bind(ins), canStop: true };
        const l = localize(t.code(ins, at + 4 * k));
        if (l.opaque) return { kind: 'call', j: -1, opaqueSrc: l.src, canStop: t.canStop };
        for (const x of l.uses) U.add(x);
        for (const x of l.writes) W.add(x);
        flags ||= l.flagUse;
        return { kind: 'tpl', t: l, canStop: t.canStop };
      }),
    );
  }
  const slots = [...U].sort((a, b) => a - b);
  const written = [...W].sort((a, b) => a - b);
  const loadAll = slots.map((x) => `R${x} = r[${x}];`).join(' ') + (flags ? ' Fn = cpu.n; Fz = cpu.z; Fc = cpu.c; Fv = cpu.v;' : '');
  const storeFlags = flags ? ' cpu.n = Fn; cpu.z = Fz; cpu.c = Fc; cpu.v = Fv;' : '';
  const store = (set: Iterable<number>): string => [...set].sort((a, b) => a - b).map((x) => `r[${x}] = R${x};`).join(' ');
  const stop = (k: number): string => `{ ret = ${k}; break out; }`;

  let src = `const r = cpu.r, rTag = cpu.rTag, rHi = cpu.rHi, rOff = cpu.rOff, wTag = cpu.wTag, wHi = cpu.wHi, wOff = cpu.wOff, ram32 = cpu.ram32, ramU8 = cpu.ramU8, ramI16 = cpu.ramI16;\nlet budget = jit.budget;\nlet idx = b.ridx;\nlet B = b;\nlet ret = -1;\n`;
  // Loaded once at region entry (V8 keeps them in machine registers across the region's loop).
  if (slots.length > 0) src += `let ${slots.map((x) => `R${x} = r[${x}]`).join(', ')};\n`;
  if (flags) src += `let Fn = cpu.n, Fz = cpu.z, Fc = cpu.c, Fv = cpu.v;\n`;
  src += `out: for (;;) {\nswitch (idx) {\n`;
  for (let x = 0; x < blocks.length; x++) {
    const blk = blocks[x];
    const n = blk.insns.length;
    src += `case ${x}: {\n`;
    // Registers written since the last write-back: at a block's start any of the region's.
    let dirty = new Set<number>(W);
    for (let k = 0; k < n; k++) {
      const it = items[x][k];
      if (it.kind === 'tpl') {
        src += `{ ${it.t.src} }\n`;
        for (const w of it.t.writes) dirty.add(w);
        if (it.canStop) src += `if (cpu.status !== 0) ${stop(k)}\n`;
      } else {
        // A handler (or opaque template) sees and may change the architectural registers and
        // flags: write the dirty ones back, read them all again after it.
        src += `${store(dirty)}${storeFlags}\n`;
        src += it.opaqueSrc !== undefined ? `{ ${it.opaqueSrc} }\n` : `h${it.j}(cpu, i${it.j});\n`;
        src += `${loadAll}\n`;
        dirty = new Set();
        if (it.canStop) src += `if (cpu.status !== 0) ${stop(k)}\n`;
      }
    }
    src += `cpu.instret += ${n}; budget -= ${n}; cpu.cycles += ${blk.costs[n]};${blk.accs[n] !== 0 ? ` cpu.exactData += ${blk.accs[n]};` : ''} cpu.exactFetch += ${n};\nbreak;\n}\n`; // pmu: exact L1 TLB lookups (src/mmu/tlb-exact.ts)
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
if (nb.region === REGION) idx = nb.ridx;
${guestDispatch}else break;
if (nb.insns.length > budget) break;
B = nb;
const fall = (pcLo + 4 * nb.insns.length) | 0;
cpu.npcLo = fall;
cpu.npcHi = (fall >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
}
// Every way out: the architectural registers and NZCV from the locals (a fault's exception
// entry, the debugger, the next engine all read them there).
${store(written)}${storeFlags}
jit.cur = B;
jit.budget = budget;
return ret;
`;
  return src;
}

/** Compile a region; every block in it gets the code, its index and the region's identity. */
export function compileRegion(blocks: readonly Block[], jit: BlockCompiler): RegionCode {
  const region = {};
  const names: string[] = [...HELPER_NAMES, ...helpers.keys(), 'jit', 'REGION'];
  const values: unknown[] = [...HELPERS, ...helpers.values(), jit, region];
  // A block not yet compiled is owned by this region (entered here from the run loop); one that is
  // already compiled stays with its owner and is a guest here, bound by identity as G<x>.
  const guests: number[] = [];
  for (let x = 0; x < blocks.length; x++) {
    if (blocks[x].code === null) continue;
    guests.push(x);
    names.push(`G${x}`);
    values.push(blocks[x]);
  }
  const fixedAll = values.length;
  const bind = (ins: Insn): number => {
    const j = (values.length - fixedAll) >> 1;
    names.push(`h${j}`, `i${j}`);
    values.push(ins.exec, ins);
    return j;
  };
  const body = regionSource(blocks, bind, guests);
  const name = `region_${blocks[0].pa.toString(16)}`;
  const factory = new Function(...names, `return function ${name}(cpu, b) {\n${body}};`) as (...a: unknown[]) => RegionCode;
  const code = factory(...values);
  for (let x = 0; x < blocks.length; x++) {
    const blk = blocks[x];
    if (blk.code !== null) continue; // a guest
    blk.code = code;
    blk.ridx = x;
    blk.region = region;
  }
  return code;
}
