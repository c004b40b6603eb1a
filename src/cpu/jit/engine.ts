// The translating engine (--engine jit): when a block is hot, the blocks of its page are compiled
// to one JavaScript function (compile.ts), entered from the shared run loop (engine-interp.ts
// runBlocks) whose bookkeeping it reproduces, so every count is identical to the interpreter's. Compiled code hangs off the Block objects, so it goes away with them when a
// code page is written (CPU store, DMA), on invalidateAllCode, and with a timing change; the total
// compiled size is bounded by dropping all compiled code when it exceeds MAX_COMPILED_INSNS.
//
// WHEN COMPILED CODE MAY RUN: the run loop enters compiled code only while `cpu.jitAllowed()`
// (src/cpu/cpu.ts) is true, checked at every block boundary. A feature that must see every
// instruction (the tracer and single-step, guest debug breakpoints/watchpoints, per-instruction
// API hooks, PMU events counted per instruction, a detailed cycle model) extends that one
// predicate with its own "active" condition; while it is false the CPU interprets, with the same
// counts, so nothing else needs to know about the JIT. Compiled regions also return to the run
// loop at each block boundary where cycles >= cpu.checkAt, so setting checkAt = 0 makes them
// leave at the next boundary (e.g. after a hook is installed mid-run).
import type { Block } from '../blocks.js';
import { compileRegion, type RegionCode } from './compile.js';
import { NO_REGION, type CpuBlocks } from '../blocks.js';
import { FC_MASK, PAGE_MASK } from '../fastmem.js';
import type { BlockCompiler } from '../engine-interp.js';

/**
 * Instructions a block runs (counted in whole runs) before it is compiled with its region: a
 * ski-rental rule. V8 optimising a region costs 50-150 ms of CPU on its compiler threads, and
 * again after each deoptimisation; a region that deoptimises on a path first taken after its
 * compile may then run in V8's unoptimised tiers, slower than the interpreter, until V8 finds it
 * hot again. Compiling once a block has itself done a lot of work bounds the loss on code that
 * then goes cold (most of a Linux boot), while loops that keep running pay it back many times.
 * Measured on the Linux boot to /init (docs/profile.md; the boot's hottest block runs about
 * 1-3 million times): 50 000 runs gave 47 regions, 2 million instructions 9, 4 million 3; with
 * 47 and with 3 the JIT lost to the interpreter (with 3 by 1.5-2 s of CPU in 3 runs of 3, two of
 * them deoptimised for good); 8 million compiles none, and the JIT costs what the interpreter costs. A tight loop still compiles within
 * its first 1 % (900M instructions).
 */
export const JIT_THRESHOLD = 8_000_000;
/**
 * Compile work per instructions retired: the first REGION_BURST regions at once (a guest's hot
 * loops), then at most one more per REGION_EVERY thresholds of instructions retired (so that
 * compiling stays a bounded share of the run whatever the threshold); a hot block over the
 * budget is asked again after half a threshold more work. Counted in instructions, so the same
 * guest compiles the same regions at the same points on every run (and counts never depend on it).
 */
export const REGION_BURST = 16;
export const REGION_EVERY = 2;
/** Regions compiled from one page's hot blocks before further hot blocks there are compiled alone. */
export const MAX_PAGE_COMPILES = 32;
/** Bound on compiled code: instructions in compiled blocks before everything is dropped. */
export const MAX_COMPILED_INSNS = 400_000;
/**
 * Largest region (instructions): V8's compile time grows faster than the function's size.
 * [jit3] 96 -> 48: with compiled blocks joining regions as guests, regions fill up to the bound;
 * on sort-large V8's optimising compiles of the regions took about 6.5 s (background thread,
 * machine shared) at 96, 4.0 s at 48, 3.1 s at 32, and the CPU time fell accordingly.
 */
export const MAX_REGION_INSNS = 48;

export class Jit implements BlockCompiler {
  /** Exchanged with compiled code (BlockCompiler). */
  budget = 0;
  cur: Block | null = null;
  /** Blocks holding compiled code (to drop it all at the bound). */
  private compiled: Block[] = [];
  private compiledInsns = 0;
  /** Instructions in compiled code held now (live or kept for re-attachment): <= maxInsns + one region. */
  get compiledSize(): number {
    return this.compiledInsns;
  }
  /** Region compilations per RAM page (cleared with the compiled code). */
  private readonly pageCompiles = new Map<number, number>();
  /** Statistics: regions compiled, and flushes at the bound. */
  regionsCompiled = 0;
  flushes = 0;
  /** Compiles put off by the budget (REGION_BURST, REGION_EVERY). */
  declined = 0;

  constructor(
    private readonly cpu: CpuBlocks,
    /** Executions before compiling (tests lower it to compile everything at once). */
    public threshold = JIT_THRESHOLD,
    /** The bound on compiled code (MAX_COMPILED_INSNS; tests lower it). */
    public maxInsns = MAX_COMPILED_INSNS,
    /** Largest region in instructions (MAX_REGION_INSNS; tests change it). */
    public maxRegion = MAX_REGION_INSNS,
    /** Regions compiled before the budget applies (REGION_BURST; tests lift it to compile everything). */
    public burst = REGION_BURST,
  ) {
    cpu.onCodeDropped = (page) => this.codeDropped(page);
    cpu.onBlockDecoded = (b) => this.reattach(b);
  }

  /**
   * Compiled blocks by PA with the instruction words they were compiled from. Code is dropped
   * wholesale (IC IALLU: Linux issues it often) far more often than it changes: a block decoded
   * again from the same words, under the same timing profile, gets its compiled code back at once.
   */
  private readonly saved = new Map<number, { code: RegionCode; region: object; ridx: number; raw: Int32Array; timing: object }>();

  private readonly savedByPage = new Map<number, number[]>();

  private reattach(b: Block): void {
    const s = this.saved.get(b.pa);
    if (s === undefined || s.timing !== this.cpu.timing || s.raw.length !== b.insns.length) return;
    for (let k = 0; k < s.raw.length; k++) if (s.raw[k] !== b.insns[k].raw) return;
    b.code = s.code;
    b.region = s.region;
    b.ridx = s.ridx;
    this.compiled.push(b);
  }

  /**
   * The CPU dropped the decoded blocks of a page (or all, page -1): their compiled code goes with
   * them, and the page may be compiled afresh.
   */
  codeDropped(page: number): void {
    if (page < 0) {
      // Everything dropped (IC IALLU, reset, timing change): keep `saved` for re-decoded blocks.
      this.compiled = [];
    } else {
      this.pageCompiles.delete(page);
      const pas = this.savedByPage.get(page);
      if (pas !== undefined) for (const pa of pas) this.saved.delete(pa);
      this.savedByPage.delete(page);
    }
  }

  /**
   * `b` is hot: compile the region of its RAM page, with every block decoded on that page so far
   * (a page whose blocks grow hot one by one is recompiled, each time whole).
   */
  compile(b: Block): RegionCode | null {
    if (this.regionsCompiled >= this.burst + Math.floor(this.cpu.instret / (REGION_EVERY * this.threshold))) {
      b.hits = Math.floor(this.threshold / 2);
      this.declined++;
      return null;
    }
    const page = (b.pa - this.cpu.ramBase) >>> 12;
    const times = (this.pageCompiles.get(page) ?? 0) + 1;
    this.pageCompiles.set(page, times);
    const all = times > MAX_PAGE_COMPILES ? undefined : this.cpu.pageBlocks.get(page);
    const blocks = all === undefined ? [b] : regionBlocks(b, this.cpu.pcLo, this.cpu.pcHi, (pa) => this.decoded(pa), (lo, hi) => this.fetchBankBlock(lo, hi), Math.floor(this.threshold / 8), this.maxRegion, this.cpu.gen);
    let size = 0;
    for (const x of blocks) size += x.insns.length;
    if (this.compiledInsns + size > this.maxInsns) this.flush();
    const code = compileRegion(blocks, this);
    for (const x of blocks) {
      if (x.code !== code) continue; // [jit3] a guest: compiled in another region, which owns it (compile.ts)
      this.compiled.push(x);
      // Keyed by each block's own page: a region may span two (regionBlocks).
      const xp = (x.pa - this.cpu.ramBase) >>> 12;
      let pas = this.savedByPage.get(xp);
      if (pas === undefined) this.savedByPage.set(xp, (pas = []));
      pas.push(x.pa);
      this.saved.set(x.pa, { code, region: x.region, ridx: x.ridx, raw: Int32Array.from(x.insns, (i) => i.raw), timing: this.cpu.timing });
    }
    this.compiledInsns += size;
    this.regionsCompiled++;
    return code;
  }

  /** The decoded block at `pa` if there is one (no decoding, no statistics). */
  private decoded(pa: number): Block | undefined {
    const list = this.cpu.pageBlocks.get((pa - this.cpu.ramBase) >>> 12);
    return list?.find((x) => x.pa === pa);
  }

  /** The decoded block at virtual (lo, hi) if the fetch bank translates it now (a read only). */
  private fetchBankBlock(lo: number, hi: number): Block | undefined {
    const c = this.cpu;
    const i = c.fcBase | ((lo >>> 12) & FC_MASK);
    if (c.xTag[i] !== (lo & (PAGE_MASK | 3)) || c.xHi[i] !== hi) return undefined;
    return this.decoded(c.xPa[i] + (lo & 0xfff));
  }

  /** Drop every compiled function (blocks go back to counting). */
  flush(): void {
    for (const b of this.compiled) {
      b.code = null;
      b.region = NO_REGION;
      b.hits = 0;
    }
    this.compiled = [];
    this.compiledInsns = 0;
    this.pageCompiles.clear();
    this.saved.clear();
    this.savedByPage.clear();
    this.flushes++;
  }
}

/**
 * The blocks of a region grown from the hot block `b`, which runs at virtual PC (lo, hi): `b`,
 * then, breadth first, the blocks that a block already in the region can go to directly (its
 * fall-through and the target of its final PC-relative branch: a loop and its if/else arms),
 * warm (at least `minHits` executions), not yet compiled, up to `max` instructions. A successor
 * in the same page is found by its PA; one in another page through `blockAt` (the fetch bank of
 * the fast cache, read without side effects), so a function that straddles a page boundary is one
 * region. Membership is only a guess about where control goes: the region dispatches on the
 * block the run loop's own chain/fetch rule finds at run time, never on this static picture.
 * Small regions shaped like the code's loops cost V8 little to optimise (its compile time grows
 * faster than linearly with function size) and to re-optimise after a deopt; a successor left
 * out is reached through the run loop, which enters its own region once it is hot in turn.
 */
export function regionBlocks(
  b: Block,
  lo: number,
  hi: number,
  samePage: (pa: number) => Block | undefined,
  blockAt: (lo: number, hi: number) => Block | undefined,
  minHits: number,
  max: number,
  /** [jit3] cpu.gen: each block's chained last successor (a return, an indirect branch) is followed while its chain is valid. */
  gen = -1,
): Block[] {
  const out: Block[] = [b];
  const vas: number[] = [lo >>> 0];
  const seen = new Set<Block>(out);
  let size = b.insns.length;
  for (let q = 0; q < out.length; q++) {
    const x = out[q];
    const va = vas[q];
    const n = x.insns.length;
    // The fall-through and, for a B/BL/B.cond/CBZ/TBZ, its target (imm is the byte offset from
    // the branch; for other encodings imm means something else and at worst names a block that
    // is not a successor, which costs a case in the switch, never correctness).
    const ts = [va + 4 * n, va + 4 * (n - 1) + x.insns[n - 1].imm];
    // [jit3] Which successors may be guests: a call's target and a chained successor (a return).
    const call = x.insns[n - 1].name === 'BL';
    if (x.nextGen === gen && x.next !== null && x.nextHi === hi) ts.push(x.nextLo >>> 0);
    for (let e = 0; e < ts.length; e++) {
      const t = ts[e];
      if (t < 0 || t > 0xffffffff) continue; // PC[63:32] would change: leave it to the run loop
      const y = Math.floor(t / 4096) === Math.floor(va / 4096) ? samePage(x.pa + (t - va)) : blockAt(t | 0, hi);
      // [jit3] A block already compiled joins as a guest (compile.ts): a function called from
      // several loops, or a loop's body compiled before its outer loop, runs inside each caller's region.
      if (y === undefined || seen.has(y) || y.hits < minHits) continue;
      if (y.code !== null && !(e === 2 || (e === 1 && call))) continue; // (any compiled block as guest cost corelike more V8 compile time than it saved)
      if (size + y.insns.length > max) continue;
      seen.add(y);
      out.push(y);
      vas.push(t);
      size += y.insns.length;
    }
  }
  return out;
}

export type EngineName = 'interp' | 'jit';
export const ENGINES: readonly EngineName[] = ['interp', 'jit'];

/** Check an engine name from the user (CLI flag or A64HV_ENGINE). */
export function parseEngine(s: string, what: string): EngineName {
  if ((ENGINES as readonly string[]).includes(s)) return s as EngineName;
  throw new Error(`${what} ${s}: unknown engine (known: ${ENGINES.join(', ')})`);
}

/** The engine a new CPU starts with: A64HV_ENGINE if set (so the suite can run under either), else the default. */
export function defaultEngine(): EngineName {
  const env = typeof process !== 'undefined' ? process.env.A64HV_ENGINE : undefined;
  return env === undefined || env === '' ? 'interp' : parseEngine(env, 'A64HV_ENGINE');
}
