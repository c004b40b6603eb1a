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
  /** `at`: the instruction's offset in its page (PC[11:0] = PA[11:0]), or -1 if unknown. */
  code: (i: Insn, at: number) => string;
  canStop: boolean;
}

export const templates = new Map<ExecFn, Template>();

export function defineEmit(exec: ExecFn, code: (i: Insn, at: number) => string, canStop = false): void {
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

/**
 * AddWithCarry(a, b, carry_in) (ARM ARM J1 shared pseudocode) for N=32, inline (alu.ts
 * addWithCarry32): leaves the result in `res` and sets cpu.n/z/c/v, which a region keeps in
 * locals (src/cpu/jit/compile.ts), so flags nothing reads cost nothing.
 */
export function awc32Src(a: string, b: string, cin: string): string {
  return `const aa = ${a}, bb = ${b}; const u = (aa >>> 0) + (bb >>> 0) + ${cin}; const res = u | 0; cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0; cpu.c = u > 0xffffffff ? 1 : 0; cpu.v = ((aa ^ res) & (bb ^ res)) >>> 31;`;
}
/** AddWithCarry for N=64 (alu.ts addWithCarry64) inline: the result in `res` (low) and `resHi`. */
export function awc64Src(alo: string, ahi: string, blo: string, bhi: string, cin: string): string {
  return (
    `const aHi = ${ahi}, bHi = ${bhi}; const l = (${alo} >>> 0) + (${blo} >>> 0) + ${cin}; const h = (aHi >>> 0) + (bHi >>> 0) + (l > 0xffffffff ? 1 : 0); ` +
    `const res = l | 0; const resHi = h | 0; cpu.n = resHi >>> 31; cpu.z = (res | resHi) === 0 ? 1 : 0; cpu.c = h > 0xffffffff ? 1 : 0; cpu.v = ((aHi ^ resHi) & (bHi ^ resHi)) >>> 31;`
  );
}

/** BranchTo(PC + off) for a branch that is last in its block (PC = npc - 4): branch.ts branchRel. */
export function branchRelSrc(off: number, at = -1): string {
  // A target in the branch's own page (the common case: loops, if/else): PC[63:12] is the page of
  // the running block, which cpu.pc holds while it runs (blocks never cross a page, and the run
  // loop moves PC at block ends only), so the target is that page with the known offset.
  const t = at + off;
  if (at >= 0 && t >= 0 && t < 4096) return `{ cpu.npcLo = (cpu.pcLo & -4096) | ${t}; cpu.npcHi = cpu.pcHi; }`;
  return `{ const pl = (cpu.npcLo - 4) | 0; const ph = (pl >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi; const t = (pl >>> 0) + ${off}; cpu.npcLo = t | 0; cpu.npcHi = (ph + (t > 0xffffffff ? 1 : t < 0 ? -1 : 0)) | 0; }`;
}

// ---- the memory fast path, inlined (fastmem.ts ld*/st*): the tag compare against the current
// EL's bank of the fast cache, with the alignment folded in (the low address bits must be zero
// to match a page-aligned tag); anything else takes the same slow path the methods call. The
// region binds rTag/rHi/rOff/wTag/wHi/wOff/ram32/ramU8 from the CPU (compile.ts).

/**
 * Source-level inlining of the fast path (default), or (A64HV_JIT_INLINE_MEM=0) calls of the
 * CPU's ld/st methods, which V8 inlines itself with the methods' shared, warm type feedback: a
 * slow-path call written into a region has no feedback until it is first taken, and taking it
 * then deoptimises the whole region. On the Linux boot the two measured within noise.
 */
export const INLINE_FAST_PATH = typeof process === 'undefined' || process.env.A64HV_JIT_INLINE_MEM !== '0';

/** Statements leaving the loaded value of `size` (1, 4 or 8) bytes at (lo, hi) in `v` (and `vh`). */
export function loadSrc(size: 1 | 2 | 4 | 8, lo: string, hi: string): string {
  if (!INLINE_FAST_PATH) {
    if (size === 8) return `const v = cpu.ld64(${lo}, ${hi}); const vh = cpu.tmpHi;`;
    return `const v = cpu.ld${size * 8}(${lo}, ${hi});`;
  }
  const tag = `(${lo} & ${PAGE_MASK | (size - 1)})`;
  const x = `const x = cpu.fcBase | ((${lo} >>> 12) & ${FC_MASK});`;
  if (size === 8) {
    return `let v, vh; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) { const k = (rOff[x] + (${lo} & 0xfff)) >> 2; v = ram32[k]; vh = ram32[k + 1]; } else { v = cpu.slowRead(${lo}, ${hi}, 8); vh = cpu.tmpHi; } }`;
  }
  if (size === 4) {
    return `let v; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) v = ram32[(rOff[x] + (${lo} & 0xfff)) >> 2]; else v = cpu.slowRead(${lo}, ${hi}, 4) | 0; }`;
  }
  if (size === 2) {
    return `let v; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) v = ramI16[(rOff[x] + (${lo} & 0xfff)) >> 1] & 0xffff; else v = cpu.slowRead(${lo}, ${hi}, 2); }`;
  }
  return `let v; { ${x} if (rTag[x] === ${tag} && rHi[x] === ${hi}) v = ramU8[rOff[x] + (${lo} & 0xfff)]; else v = cpu.slowRead(${lo}, ${hi}, 1); }`;
}

/** Statements storing `vlo` (and `vhi` for 8 bytes) of `size` bytes at (lo, hi). */
export function storeSrc(size: 1 | 2 | 4 | 8, lo: string, hi: string, vlo: string, vhi = '0'): string {
  if (!INLINE_FAST_PATH) {
    if (size === 8) return `cpu.st64(${lo}, ${hi}, ${vlo}, ${vhi});`;
    return `cpu.st${size * 8}(${lo}, ${hi}, ${vlo});`;
  }
  const tag = `(${lo} & ${PAGE_MASK | (size - 1)})`;
  const x = `const x = cpu.fcBase | ((${lo} >>> 12) & ${FC_MASK});`;
  if (size === 8) {
    return `{ ${x} if (wTag[x] === ${tag} && wHi[x] === ${hi}) { const k = (wOff[x] + (${lo} & 0xfff)) >> 2; ram32[k] = ${vlo}; ram32[k + 1] = ${vhi}; } else cpu.slowWrite(${lo}, ${hi}, 8, ${vlo}, ${vhi}); }`;
  }
  if (size === 4) {
    return `{ ${x} if (wTag[x] === ${tag} && wHi[x] === ${hi}) ram32[(wOff[x] + (${lo} & 0xfff)) >> 2] = ${vlo}; else cpu.slowWrite(${lo}, ${hi}, 4, ${vlo}, 0); }`;
  }
  if (size === 2) {
    return `{ ${x} if (wTag[x] === ${tag} && wHi[x] === ${hi}) ramI16[(wOff[x] + (${lo} & 0xfff)) >> 1] = ${vlo}; else cpu.slowWrite(${lo}, ${hi}, 2, ${vlo}, 0); }`;
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
/**
 * `lo`/`hi` = Rn|SP + ExtendReg(Rm, option, shift) (ldst.ts eaReg): option 010 UXTW takes Rm's
 * low word zero-extended, 110 SXTW sign-extended, the others all 64 bits; then << shift.
 */
export function eaRegSrc(rn: number, rm: number, option: number, sh: number): string {
  const ohi0 = option === 2 ? '0' : option === 6 ? `(r[${rm}] >> 31)` : `r[${rm + 1}]`;
  const o = sh === 0 ? `const olo = r[${rm}]; const ohi = ${ohi0};` : `const olo0 = r[${rm}]; const ohi = (${ohi0} << ${sh}) | (olo0 >>> ${32 - sh}); const olo = olo0 << ${sh};`;
  return `${o} const s = (r[${rn}] >>> 0) + (olo >>> 0); const hi = (r[${rn + 1}] + ohi + (s > 0xffffffff ? 1 : 0)) | 0; const lo = s | 0;`;
}
