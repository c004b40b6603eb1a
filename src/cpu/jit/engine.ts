// The translating engine (--engine jit): when a block is hot, the blocks of its page are compiled
// to one JavaScript function (compile.ts), entered from the shared run loop (engine-interp.ts
// runBlocks) whose bookkeeping it reproduces, so every count is identical to the interpreter's. Compiled code hangs off the Block objects, so it goes away with them when a
// code page is written (CPU store, DMA), on invalidateAllCode, and with a timing change; the total
// compiled size is bounded by dropping all compiled code when it exceeds MAX_COMPILED_INSNS.
import type { Block } from '../blocks.js';
import { compileRegion, type RegionCode } from './compile.js';
import type { CpuBlocks } from '../blocks.js';
import type { BlockCompiler } from '../engine-interp.js';

/**
 * Executions of a block before its page is compiled. Compiling, and V8 optimising the result,
 * costs tens of milliseconds for a full page: only code that has shown it runs often pays, and
 * by then most of the page's blocks have been decoded, so the region is complete first time.
 */
export const JIT_THRESHOLD = 1000;
/** Compilations of one page's region before further hot blocks there are compiled alone. */
export const MAX_PAGE_COMPILES = 4;
/** Bound on compiled code: instructions in compiled blocks before everything is dropped. */
export const MAX_COMPILED_INSNS = 400_000;
/** Largest region (instructions); a bigger page compiles the hot block alone. */
export const MAX_REGION_INSNS = 4096;

export class Jit implements BlockCompiler {
  /** Exchanged with compiled code (BlockCompiler). */
  budget = 0;
  cur: Block | null = null;
  /** Blocks holding compiled code (to drop it all at the bound). */
  private compiled: Block[] = [];
  private compiledInsns = 0;
  /** Region compilations per RAM page (cleared with the compiled code). */
  private readonly pageCompiles = new Map<number, number>();
  /** Statistics: regions compiled, and flushes at the bound. */
  regionsCompiled = 0;
  flushes = 0;

  constructor(
    private readonly cpu: CpuBlocks,
    /** Executions before compiling (tests lower it to compile everything at once). */
    public threshold = JIT_THRESHOLD,
    /** The bound on compiled code (MAX_COMPILED_INSNS; tests lower it). */
    public maxInsns = MAX_COMPILED_INSNS,
  ) {
    cpu.onCodeDropped = (page) => this.codeDropped(page);
  }

  /**
   * The CPU dropped the decoded blocks of a page (or all, page -1): their compiled code goes with
   * them, and the page may be compiled afresh.
   */
  codeDropped(page: number): void {
    if (page < 0) {
      this.compiled = [];
      this.compiledInsns = 0;
      this.pageCompiles.clear();
    } else this.pageCompiles.delete(page);
  }

  /**
   * `b` is hot: compile the region of its RAM page, with every block decoded on that page so far
   * (a page whose blocks grow hot one by one is recompiled, each time whole).
   */
  compile(b: Block): RegionCode {
    const page = (b.pa - this.cpu.ramBase) >>> 12;
    let blocks = this.cpu.pageBlocks.get(page) ?? [b];
    let size = 0;
    for (const x of blocks) size += x.insns.length;
    const times = (this.pageCompiles.get(page) ?? 0) + 1;
    this.pageCompiles.set(page, times);
    if (size > MAX_REGION_INSNS || times > MAX_PAGE_COMPILES) {
      blocks = [b];
      size = b.insns.length;
    }
    if (this.compiledInsns + size > this.maxInsns) this.flush();
    const code = compileRegion(blocks, this);
    for (const x of blocks) this.compiled.push(x);
    this.compiledInsns += size;
    this.regionsCompiled++;
    return code;
  }

  /** Drop every compiled function (blocks go back to counting). */
  flush(): void {
    for (const b of this.compiled) {
      b.code = null;
      b.region = null;
      b.hits = 0;
    }
    this.compiled = [];
    this.compiledInsns = 0;
    this.pageCompiles.clear();
    this.flushes++;
  }
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
