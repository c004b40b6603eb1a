// Translation templates (the JIT's "emit"): JavaScript source equivalent to an instruction's exec
// handler with its decoded fields as constants. Each ISA file registers the template of a handler
// next to the handler itself, so the two are read (and changed) together. A template must do
// exactly what the handler does, status included: `canStop` says it may leave cpu.status !== ST_OK
// (a memory access that can fault or stop the debugger); templates without it never stop.
//
// Names a template may use: `cpu`, `r` (cpu.r), and the helpers the compiler passes in
// (src/cpu/jit/compile.ts HELPERS: `cond(c, cpu)` = ConditionHolds, `brel(cpu, off)`).
import type { ExecFn, Insn } from './decode.js';
import { FC_MASK, PAGE_MASK } from './fastmem.js';

export interface Template {
  code: (i: Insn) => string;
  canStop: boolean;
}

export const templates = new Map<ExecFn, Template>();

export function defineEmit(exec: ExecFn, code: (i: Insn) => string, canStop = false): void {
  templates.set(exec, { code, canStop });
}

/** Functions templates may call by name (the same helpers the handlers call, e.g. alu.ts lsl64). */
export const helpers = new Map<string, unknown>();
export function defineHelper(name: string, fn: unknown): void {
  helpers.set(name, fn);
}

/** ConditionHolds(cond) (ARM ARM J1) on cpu.{n,z,c,v} as a JavaScript expression. */
export function condExpr(cond: number): string {
  let e: string;
  switch (cond >>> 1) {
    case 0: e = 'cpu.z === 1'; break;
    case 1: e = 'cpu.c === 1'; break;
    case 2: e = 'cpu.n === 1'; break;
    case 3: e = 'cpu.v === 1'; break;
    case 4: e = '(cpu.c === 1 && cpu.z === 0)'; break;
    case 5: e = 'cpu.n === cpu.v'; break;
    case 6: e = '(cpu.n === cpu.v && cpu.z === 0)'; break;
    default: return 'true'; // AL, and NV which behaves as AL in A64
  }
  return (cond & 1) !== 0 ? `!(${e})` : `(${e})`;
}

/** BranchTo(PC + off) for a branch that is last in its block (PC = npc - 4): branch.ts branchRel. */
export function branchRelSrc(off: number): string {
  return `{ const pl = (cpu.npcLo - 4) | 0; const ph = (pl >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi; const t = (pl >>> 0) + ${off}; cpu.npcLo = t | 0; cpu.npcHi = (ph + (t > 0xffffffff ? 1 : t < 0 ? -1 : 0)) | 0; }`;
}

// ---- the memory fast path, inlined (fastmem.ts ld*/st*): the tag compare against the current
// EL's bank of the fast cache, with the alignment folded in (the low address bits must be zero
// to match a page-aligned tag); anything else takes the same slow path the methods call. The
// region binds rTag/rHi/rOff/wTag/wHi/wOff/ram32/ramU8 from the CPU (compile.ts).

/** Statements leaving the loaded value of `size` (1, 4 or 8) bytes at (lo, hi) in `v` (and `vh`). */
export function loadSrc(size: 1 | 4 | 8, lo: string, hi: string): string {
  const tag = `(${lo} & ${PAGE_MASK | (size - 1)})`;
  const x = `const x = cpu.fcBase | ((${lo} >>> 12) & ${FC_MASK});`;
  if (size === 8) {
    return `let v, vh; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) { const k = (rOff[x] + (${lo} & 0xfff)) >> 2; v = ram32[k]; vh = ram32[k + 1]; } else { v = cpu.slowRead(${lo}, ${hi}, 8); vh = cpu.tmpHi; } }`;
  }
  if (size === 4) {
    return `let v; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) v = ram32[(rOff[x] + (${lo} & 0xfff)) >> 2]; else v = cpu.slowRead(${lo}, ${hi}, 4) | 0; }`;
  }
  return `let v; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) v = ramU8[rOff[x] + (${lo} & 0xfff)]; else v = cpu.slowRead(${lo}, ${hi}, 1); }`;
}

/** Statements storing `vlo` (and `vhi` for 8 bytes) of `size` bytes at (lo, hi). */
export function storeSrc(size: 1 | 4 | 8, lo: string, hi: string, vlo: string, vhi = '0'): string {
  const tag = `(${lo} & ${PAGE_MASK | (size - 1)})`;
  const x = `const x = cpu.fcBase | ((${lo} >>> 12) & ${FC_MASK});`;
  if (size === 8) {
    return `{ ${x} if (wTag[x] === ${tag} && wHi[x] === ${hi}) { const k = (wOff[x] + (${lo} & 0xfff)) >> 2; ram32[k] = ${vlo}; ram32[k + 1] = ${vhi}; } else cpu.slowWrite(${lo}, ${hi}, 8, ${vlo}, ${vhi}); }`;
  }
  if (size === 4) {
    return `{ ${x} if (wTag[x] === ${tag} && wHi[x] === ${hi}) ram32[(wOff[x] + (${lo} & 0xfff)) >> 2] = ${vlo}; else cpu.slowWrite(${lo}, ${hi}, 4, ${vlo}, 0); }`;
  }
  return `{ ${x} if (wTag[x] === ${tag} && wHi[x] === ${hi}) ramU8[wOff[x] + (${lo} & 0xfff)] = ${vlo}; else cpu.slowWrite(${lo}, ${hi}, 1, ${vlo}, 0); }`;
}

/** `lo`/`hi` = Rn|SP + imm (ldst.ts eaImm). */
export function eaImmSrc(rn: number, imm: number): string {
  return `const s = (r[${rn}] >>> 0) + ${imm}; const hi = (r[${rn + 1}] + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0; const lo = s | 0;`;
}
/** Rn|SP += imm after the access (ldst.ts postBase), reading Rn again as the handler does. */
export function postBaseSrc(rn: number, imm: number): string {
  return `{ const s = (r[${rn}] >>> 0) + ${imm}; r[${rn + 1}] = (r[${rn + 1}] + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0; r[${rn}] = s | 0; }`;
}
