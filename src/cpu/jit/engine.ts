// The translating engine (--engine jit): hot blocks are compiled to JavaScript (compile.ts) and
// run by the shared run loop (engine-interp.ts runBlocks), which keeps every count identical to
// the interpreter's. Compiled code hangs off the Block objects, so it goes away with them when a
// code page is written (CPU store, DMA), on invalidateAllCode, and with a timing change; the total
// compiled size is bounded by dropping all compiled code when it exceeds MAX_COMPILED_INSNS.
import type { Block } from '../blocks.js';
import { compileBlock, type BlockCode } from './compile.js';
import type { BlockCompiler } from '../engine-interp.js';

/** Executions of a block before it is compiled (compiling costs ~100x one interpreted run). */
export const JIT_THRESHOLD = 32;
/** Bound on compiled code: instructions in compiled blocks before everything is dropped. */
export const MAX_COMPILED_INSNS = 400_000;

export class Jit implements BlockCompiler {
  readonly threshold: number;
  /** Blocks holding compiled code (to drop it all at the bound). */
  private compiled: Block[] = [];
  private compiledInsns = 0;
  /** Statistics: blocks compiled, and flushes at the bound. */
  blocksCompiled = 0;
  flushes = 0;

  constructor(threshold = JIT_THRESHOLD, private readonly maxInsns = MAX_COMPILED_INSNS) {
    this.threshold = threshold;
  }

  compile(b: Block): BlockCode {
    if (this.compiledInsns + b.insns.length > this.maxInsns) this.flush();
    const code = compileBlock(b);
    b.code = code;
    this.compiled.push(b);
    this.compiledInsns += b.insns.length;
    this.blocksCompiled++;
    return code;
  }

  /** Drop every compiled function (blocks go back to counting). */
  flush(): void {
    for (const b of this.compiled) {
      b.code = null;
      b.hits = 0;
    }
    this.compiled = [];
    this.compiledInsns = 0;
    this.flushes++;
  }

  /** Blocks were dropped by the CPU (code page written): forget them when all code is gone. */
  codeDropped(page: number): void {
    if (page < 0) {
      this.compiled = [];
      this.compiledInsns = 0;
    }
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
