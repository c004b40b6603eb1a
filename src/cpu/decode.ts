// Decoding along the ARM ARM's A64 encoding index (C4.1): each instruction is a bit pattern
// written as in the manual, compiled at start-up into mask/match buckets keyed by op0 (bits 28:25).
import type { Cpu } from './cpu.js';

export type ExecFn = (cpu: Cpu, i: Insn) => void;

/** Block-ending kinds: branches and anything that may change the translation context. */
export const F_ENDS_BLOCK = 1;

/**
 * One decoded instruction. Every instruction shares this one shape so the dispatch site
 * sees a single hidden class; field meaning is per handler (named in each decode function).
 * Rule: numeric fields hold int32 values only. One double (e.g. a 4 GiB offset) would change the
 * field's representation for every Insn and slow all handlers down; store scaled values instead.
 */
export class Insn {
  exec: ExecFn;
  raw = 0;
  rd = 0;
  rn = 0;
  rm = 0;
  ra = 0;
  imm = 0;
  imm2 = 0;
  imm3 = 0;
  sf = 0;
  op = 0;
  /** Static cycle cost, summed per block by the timing model. */
  cost = 1;
  flags = 0;
  /**
   * Data-abort syndrome for a stage-2 fault on this instruction (ESR_EL2.ISS[24:14] and AR):
   * ISV=1 with SAS/SSE/SRT/SF/AR for a single general-purpose load/store without writeback,
   * 0 for everything else (ARM ARM D17.2.37). Filled by load/store decoders.
   */
  iss = 0;
  /** The encoding's name, e.g. "ADD (immediate)", for coverage, traces and statistics. */
  name = '';
  constructor(exec: ExecFn) {
    this.exec = exec;
  }
}

/**
 * An encoding: `pattern` is 32 characters, MSB first, '0'/'1' fixed and any other character a
 * field (spaces ignored), as dynarmic and the ARM ARM diagrams write it. `decode` fills the
 * Insn (exec, operands) and may return false for an unallocated or reserved combination.
 */
export interface Encoding {
  name: string;
  pattern: string;
  decode: (raw: number, i: Insn) => boolean | void;
  endsBlock?: boolean;
}

interface Compiled {
  mask: number;
  match: number;
  enc: Encoding;
}

export function compilePattern(pattern: string): { mask: number; match: number } {
  const p = pattern.replace(/\s+/g, '');
  if (p.length !== 32) throw new Error(`bad encoding pattern (length ${p.length}): ${pattern}`);
  let mask = 0;
  let match = 0;
  for (let k = 0; k < 32; k++) {
    const ch = p[k];
    const bit = 31 - k;
    if (ch === '0' || ch === '1') {
      mask |= 1 << bit;
      if (ch === '1') match |= 1 << bit;
    }
  }
  return { mask: mask >>> 0, match: match >>> 0 };
}

/** Extract raw[hi:lo] (inclusive), as the ARM ARM writes fields. */
export function bits(raw: number, hi: number, lo: number): number {
  return (raw >>> lo) & ((1 << (hi - lo + 1)) - 1 || -1);
}
/** Sign-extend the low `n` bits of v to an int32 (n <= 32). */
export function sext(v: number, n: number): number {
  const s = 32 - n;
  return (v << s) >> s;
}

export class Decoder {
  private readonly buckets: Compiled[][] = Array.from({ length: 16 }, () => []);
  readonly all: Encoding[] = [];

  constructor(
    groups: Encoding[][],
    private readonly undefExec: ExecFn,
  ) {
    for (const g of groups) for (const e of g) this.add(e);
  }

  add(enc: Encoding): void {
    const { mask, match } = compilePattern(enc.pattern);
    this.all.push(enc);
    // op0 = bits 28:25 selects the bucket; a pattern with don't-cares there joins several.
    const opMask = (mask >>> 25) & 0xf;
    const opMatch = (match >>> 25) & 0xf;
    for (let op0 = 0; op0 < 16; op0++) {
      if ((op0 & opMask) === opMatch) this.buckets[op0].push({ mask, match, enc });
    }
  }

  /** Decode one instruction word into `into` (reset first). Returns the encoding or null (UNDEF). */
  decode(raw: number, into: Insn): Encoding | null {
    const list = this.buckets[(raw >>> 25) & 0xf];
    const u = raw >>> 0;
    for (let k = 0; k < list.length; k++) {
      const c = list[k];
      if ((u & c.mask) >>> 0 !== c.match) continue;
      resetInsn(into, raw, this.undefExec);
      if (c.enc.decode(u, into) === false) continue;
      into.name = c.enc.name;
      if (c.enc.endsBlock) into.flags |= F_ENDS_BLOCK;
      return c.enc;
    }
    resetInsn(into, raw, this.undefExec);
    into.name = 'UNALLOCATED';
    into.flags |= F_ENDS_BLOCK;
    return null;
  }
}

function resetInsn(i: Insn, raw: number, undef: ExecFn): void {
  i.exec = undef;
  i.raw = raw | 0;
  i.rd = i.rn = i.rm = i.ra = 0;
  i.imm = i.imm2 = i.imm3 = 0;
  i.sf = i.op = 0;
  i.cost = 1;
  i.flags = 0;
  i.iss = 0;
  i.name = '';
}
