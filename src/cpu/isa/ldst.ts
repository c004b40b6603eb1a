// Loads and stores (ARM ARM C4.1.89), general-purpose registers only (V=0): LDR/STR of every size
// and addressing mode, the sign-extending loads, LDTR/STTR, literal loads, PRFM, and LDP/STP/LDPSW/
// LDNP/STNP. SIMD&FP forms (V=1) are deliberately not matched here: they fall to the FP/SIMD group.
//
// Handlers are specialised per access kind and addressing mode (no switch on the hot path); the
// effective address is computed as (lo, hi) int32 words with carry, hi passed through cpu.tmpHi.
// Insn fields: rd = Rt (word index), ra = Rt2 for pairs, rn = Rn|SP, rm = Rm, imm = scaled signed
// offset in bytes, op = extend option (register offset), imm2 = shift amount (register offset).
//
// CONSTRAINED UNPREDICTABLE choices (ARM ARM appendix K1), decided at decode time so handlers stay simple:
// - Load with writeback and Rt==Rn (Rn!=31), LDR and LDP alike: Constraint_WBSUPPRESS, the
//   writeback is suppressed and Rt gets the loaded value (pre-index becomes offset, post-index an
//   offset of 0).
// - Store with writeback and Rt==Rn (Rn!=31): Constraint_NONE, the value stored is Rt as it was
//   before the writeback.
// - LDP/LDPSW/LDNP with Rt==Rt2: UNDEFINED.
import type { Encoding, ExecFn, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits, sext } from '../decode.js';
import { dstZR, srcZR, regSP, SP } from './common.js';
import { SYS } from '../sysregs.js';
import { unprivilegedBegin, unprivilegedEnd } from '../../mmu/translate.js';
import { EC_SP_ALIGN } from '../exceptions.js';
import { defineEmit, loadSrc, storeSrc, eaImmSrc, eaRegSrc, postBaseSrc, templates } from '../emit.js';

/**
 * ESR_ELx.ISS[24:14] for a data abort on a single general-purpose register load/store without
 * writeback (ARM ARM D17.2.37): ISV=1, SAS = log2(access size), SSE = sign-extending load,
 * SRT = Rt (31 for XZR), SF = Rt is a 64-bit register, AR = acquire/release semantics.
 */
export function issFor(size: number, signExt: boolean | number, rt: number, sf: boolean | number, ar: boolean | number): number {
  return (1 << 24) | ((size & 3) << 22) | ((signExt ? 1 : 0) << 21) | ((rt & 31) << 16) | ((sf ? 1 : 0) << 15) | ((ar ? 1 : 0) << 14);
}

// ---- SP alignment (CheckSPAlignment) ----

const spChecked = new Map<ExecFn, ExecFn>();
/**
 * CheckSPAlignment (ARM ARM D1, SP alignment checking): a load/store whose base is SP takes an SP alignment fault
 * (EC 0x26) when SP is not 16-byte aligned and SCTLR_EL1.SA (SA0 at EL0) is set. The check is
 * on the base, before any offset. Decoders wrap only Rn==31 forms, so other accesses pay nothing.
 * One wrapper per handler, made once: decoding allocates nothing.
 */
export function withSpCheck(h: ExecFn): ExecFn {
  let w = spChecked.get(h);
  if (w === undefined) {
    w = (cpu: Cpu, i: Insn): void => {
      if ((cpu.r[2 * SP] & 15) !== 0 && (cpu.sysLo(SYS.SCTLR_EL1) & (cpu.el === 0 ? 1 << 4 : 1 << 3)) !== 0) {
        cpu.raise(EC_SP_ALIGN, 0, 0);
        return;
      }
      h(cpu, i);
    };
    spChecked.set(h, w);
    // The wrapper's template: the same check, then the wrapped handler's template (stack
    // accesses are most of a program's loads and stores).
    const t = templates.get(h);
    if (t !== undefined) {
      const mask = `(cpu.el === 0 ? ${1 << 4} : ${1 << 3})`;
      defineEmit(w, (i, at) => `if ((r[${2 * SP}] & 15) !== 0 && (cpu.sysLo(${SYS.SCTLR_EL1}) & ${mask}) !== 0) cpu.raise(${EC_SP_ALIGN}, 0, 0); else { ${t.code(i, at)} }`, true);
    }
  }
  return w;
}
/**
 * Give every encoding of a load/store group the SP alignment check when Rn (bits 9:5) is 31.
 * Prefetches are exempt (the pseudocode checks only if memop != MemOp_PREFETCH).
 */
export function addSpAlignmentCheck(group: Encoding[], exempt: ExecFn | null = null): void {
  for (const enc of group) {
    const decode = enc.decode;
    enc.decode = (raw, i) => {
      const ok = decode(raw, i);
      if (ok !== false && bits(raw, 9, 5) === 31 && i.exec !== exempt) i.exec = withSpCheck(i.exec);
      return ok;
    };
  }
}

// ---- effective addresses ----

/** Rn|SP + i.imm (a signed int32): returns the low word, the high word in cpu.tmpHi. */
function eaImm(cpu: Cpu, i: Insn): number {
  const r = cpu.r;
  const s = (r[i.rn] >>> 0) + i.imm;
  cpu.tmpHi = (r[i.rn + 1] + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0;
  return s | 0;
}

/**
 * Rn|SP + ExtendReg(Rm, option, shift) (ARM ARM J1 ExtendReg): option 010 UXTW, 110 SXTW,
 * 011 LSL (UXTX) and 111 SXTX both take all 64 bits. Shift is 0 or log2(size).
 */
function eaReg(cpu: Cpu, i: Insn): number {
  const r = cpu.r;
  let olo = r[i.rm];
  let ohi: number;
  if (i.op === 2) ohi = 0;
  else if (i.op === 6) ohi = olo >> 31;
  else ohi = r[i.rm + 1];
  const sh = i.imm2;
  if (sh !== 0) {
    ohi = (ohi << sh) | (olo >>> (32 - sh));
    olo <<= sh;
  }
  const s = (r[i.rn] >>> 0) + (olo >>> 0);
  cpu.tmpHi = (r[i.rn + 1] + ohi + (s > 0xffffffff ? 1 : 0)) | 0;
  return s | 0;
}

/**
 * PC + i.imm for literal loads. Literal loads end their block, so the loop's next PC is this
 * instruction's PC + 4 (Insn carries no address: blocks are cached by PA and may be mapped at
 * several VAs).
 */
function eaLit(cpu: Cpu, i: Insn): number {
  const pcLo = (cpu.npcLo - 4) | 0;
  const pcHi = (pcLo >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi;
  const s = (pcLo >>> 0) + i.imm;
  cpu.tmpHi = (pcHi + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0;
  return s | 0;
}

function setBase(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  cpu.r[i.rn] = lo;
  cpu.r[i.rn + 1] = hi;
}
/** Post-index writeback: Rn|SP += imm. */
function postBase(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  cpu.r[i.rn] = lo;
  cpu.r[i.rn + 1] = cpu.tmpHi;
}

// ---- accesses: perform the access at (lo, hi) and write Rt only if it did not fault ----

function aStrB(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  cpu.st8(lo, hi, cpu.r[i.rd] & 0xff);
}
function aStrH(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  cpu.st16(lo, hi, cpu.r[i.rd] & 0xffff);
}
function aStrW(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  cpu.st32(lo, hi, cpu.r[i.rd]);
}
function aStrX(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  cpu.st64(lo, hi, cpu.r[i.rd], cpu.r[i.rd + 1]);
}
function aLdrB(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = cpu.ld8(lo, hi);
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = 0;
}
function aLdrH(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = cpu.ld16(lo, hi);
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = 0;
}
function aLdrW(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = 0;
}
function aLdrX(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = cpu.tmpHi;
}
// Sign-extending loads: the X forms extend to 64 bits, the W forms to 32 and zero the top word.
function aLdrsbX(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = (cpu.ld8(lo, hi) << 24) >> 24;
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = v >> 31;
}
function aLdrsbW(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = (cpu.ld8(lo, hi) << 24) >> 24;
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = 0;
}
function aLdrshX(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = (cpu.ld16(lo, hi) << 16) >> 16;
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = v >> 31;
}
function aLdrshW(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = (cpu.ld16(lo, hi) << 16) >> 16;
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = 0;
}
function aLdrsw(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const v = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  cpu.r[i.rd] = v;
  cpu.r[i.rd + 1] = v >> 31;
}

// ---- single register: one handler per kind and addressing mode ----

function strB_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aStrB(cpu, i, lo, cpu.tmpHi);
}
function strB_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aStrB(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function strB_post(cpu: Cpu, i: Insn): void {
  aStrB(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function strB_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aStrB(cpu, i, lo, cpu.tmpHi);
}
function ldrB_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrB(cpu, i, lo, cpu.tmpHi);
}
function ldrB_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrB(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrB_post(cpu: Cpu, i: Insn): void {
  aLdrB(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrB_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrB(cpu, i, lo, cpu.tmpHi);
}
function ldrsbX_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrsbX(cpu, i, lo, cpu.tmpHi);
}
function ldrsbX_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrsbX(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrsbX_post(cpu: Cpu, i: Insn): void {
  aLdrsbX(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrsbX_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrsbX(cpu, i, lo, cpu.tmpHi);
}
function ldrsbW_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrsbW(cpu, i, lo, cpu.tmpHi);
}
function ldrsbW_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrsbW(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrsbW_post(cpu: Cpu, i: Insn): void {
  aLdrsbW(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrsbW_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrsbW(cpu, i, lo, cpu.tmpHi);
}
function strH_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aStrH(cpu, i, lo, cpu.tmpHi);
}
function strH_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aStrH(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function strH_post(cpu: Cpu, i: Insn): void {
  aStrH(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function strH_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aStrH(cpu, i, lo, cpu.tmpHi);
}
function ldrH_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrH(cpu, i, lo, cpu.tmpHi);
}
function ldrH_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrH(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrH_post(cpu: Cpu, i: Insn): void {
  aLdrH(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrH_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrH(cpu, i, lo, cpu.tmpHi);
}
function ldrshX_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrshX(cpu, i, lo, cpu.tmpHi);
}
function ldrshX_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrshX(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrshX_post(cpu: Cpu, i: Insn): void {
  aLdrshX(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrshX_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrshX(cpu, i, lo, cpu.tmpHi);
}
function ldrshW_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrshW(cpu, i, lo, cpu.tmpHi);
}
function ldrshW_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrshW(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrshW_post(cpu: Cpu, i: Insn): void {
  aLdrshW(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrshW_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrshW(cpu, i, lo, cpu.tmpHi);
}
function strW_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aStrW(cpu, i, lo, cpu.tmpHi);
}
function strW_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aStrW(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function strW_post(cpu: Cpu, i: Insn): void {
  aStrW(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function strW_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aStrW(cpu, i, lo, cpu.tmpHi);
}
function ldrW_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrW(cpu, i, lo, cpu.tmpHi);
}
function ldrW_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrW(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrW_post(cpu: Cpu, i: Insn): void {
  aLdrW(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrW_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrW(cpu, i, lo, cpu.tmpHi);
}
function ldrsw_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrsw(cpu, i, lo, cpu.tmpHi);
}
function ldrsw_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrsw(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrsw_post(cpu: Cpu, i: Insn): void {
  aLdrsw(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrsw_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrsw(cpu, i, lo, cpu.tmpHi);
}
function strX_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aStrX(cpu, i, lo, cpu.tmpHi);
}
function strX_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aStrX(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function strX_post(cpu: Cpu, i: Insn): void {
  aStrX(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function strX_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aStrX(cpu, i, lo, cpu.tmpHi);
}
function ldrX_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdrX(cpu, i, lo, cpu.tmpHi);
}
function ldrX_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdrX(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldrX_post(cpu: Cpu, i: Insn): void {
  aLdrX(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldrX_reg(cpu: Cpu, i: Insn): void {
  const lo = eaReg(cpu, i);
  aLdrX(cpu, i, lo, cpu.tmpHi);
}

// ---- translation templates (src/cpu/emit.ts): the handlers above with the fast path inlined ----
// Each does what its handler does in the same order: the access, then Rt only if it did not
// fault, then the base writeback (pre: the address; post: Rn + imm read again).
type Mode = 'off' | 'pre' | 'post' | 'reg';
/** How a load widens its value (the aLdr* helpers): zero-extend, or sign-extend into W or X. */
type Ext = 'u' | 'sw' | 'sx';
function eaSrc(i: Insn, mode: Mode): string {
  if (mode === 'post') return `const lo = r[${i.rn}]; const hi = r[${i.rn + 1}];`;
  if (mode === 'reg') return eaRegSrc(i.rn, i.rm, i.op, i.imm2);
  return eaImmSrc(i.rn, i.imm);
}
function ldTemplate(size: 1 | 2 | 4 | 8, mode: Mode, ext: Ext = 'u'): (i: Insn) => string {
  return (i) => {
    const sh = 32 - 8 * size;
    const val = ext === 'u' || size === 4 ? 'v' : `((v << ${sh}) >> ${sh})`;
    const set =
      size === 8 ? `r[${i.rd}] = v; r[${i.rd + 1}] = vh;` : ext === 'sx' ? `const w = ${val}; r[${i.rd}] = w; r[${i.rd + 1}] = w >> 31;` : `r[${i.rd}] = ${val}; r[${i.rd + 1}] = 0;`;
    const wb = mode === 'pre' ? ` r[${i.rn}] = lo; r[${i.rn + 1}] = hi;` : mode === 'post' ? ' ' + postBaseSrc(i.rn, i.imm) : '';
    return `${eaSrc(i, mode)} ${loadSrc(size, 'lo', 'hi')} if (cpu.status === 0) { ${set}${wb} }`;
  };
}
function stTemplate(size: 1 | 2 | 4 | 8, mode: Mode): (i: Insn) => string {
  return (i) => {
    const v =
      size === 8 ? storeSrc(8, 'lo', 'hi', `r[${i.rd}]`, `r[${i.rd + 1}]`) : storeSrc(size, 'lo', 'hi', size === 4 ? `r[${i.rd}]` : `r[${i.rd}] & ${size === 1 ? '0xff' : '0xffff'}`);
    const wb = mode === 'pre' ? ` if (cpu.status === 0) { r[${i.rn}] = lo; r[${i.rn + 1}] = hi; }` : mode === 'post' ? ` if (cpu.status === 0) ${postBaseSrc(i.rn, i.imm)}` : '';
    return `${eaSrc(i, mode)} ${v}${wb}`;
  };
}

/** Handlers by kind = size:opc (index 14, PRFM, and the unallocated 11 and 15 are null). */
const H_OFF: (ExecFn | null)[] = [
  strB_off, ldrB_off, ldrsbX_off, ldrsbW_off, strH_off, ldrH_off, ldrshX_off, ldrshW_off, strW_off, ldrW_off, ldrsw_off, null, strX_off, ldrX_off, null, null,
];
const H_PRE: (ExecFn | null)[] = [
  strB_pre, ldrB_pre, ldrsbX_pre, ldrsbW_pre, strH_pre, ldrH_pre, ldrshX_pre, ldrshW_pre, strW_pre, ldrW_pre, ldrsw_pre, null, strX_pre, ldrX_pre, null, null,
];
const H_POST: (ExecFn | null)[] = [
  strB_post, ldrB_post, ldrsbX_post, ldrsbW_post, strH_post, ldrH_post, ldrshX_post, ldrshW_post, strW_post, ldrW_post, ldrsw_post, null, strX_post, ldrX_post, null, null,
];
const H_REG: (ExecFn | null)[] = [
  strB_reg, ldrB_reg, ldrsbX_reg, ldrsbW_reg, strH_reg, ldrH_reg, ldrshX_reg, ldrshW_reg, strW_reg, ldrW_reg, ldrsw_reg, null, strX_reg, ldrX_reg, null, null,
];

// Templates for every single-register kind and addressing mode (kind = size:opc as in the tables).
const KIND_SIZE: (1 | 2 | 4 | 8)[] = [1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8];
const KIND_EXT: (Ext | 'st')[] = ['st', 'u', 'sx', 'sw', 'st', 'u', 'sx', 'sw', 'st', 'u', 'sx', 'u', 'st', 'u', 'u', 'u'];
for (const [table, mode] of [[H_OFF, 'off'], [H_PRE, 'pre'], [H_POST, 'post'], [H_REG, 'reg']] as [(ExecFn | null)[], Mode][]) {
  for (let k = 0; k < 16; k++) {
    const h = table[k];
    if (h === null) continue;
    const ext = KIND_EXT[k];
    defineEmit(h, ext === 'st' ? stTemplate(KIND_SIZE[k], mode) : ldTemplate(KIND_SIZE[k], mode, ext), true);
  }
}


// Literal loads (LDR Wt/Xt, LDRSW): PC-relative, no writeback.
function ldrW_lit(cpu: Cpu, i: Insn): void {
  const lo = eaLit(cpu, i);
  aLdrW(cpu, i, lo, cpu.tmpHi);
}
function ldrX_lit(cpu: Cpu, i: Insn): void {
  const lo = eaLit(cpu, i);
  aLdrX(cpu, i, lo, cpu.tmpHi);
}
function ldrsw_lit(cpu: Cpu, i: Insn): void {
  const lo = eaLit(cpu, i);
  aLdrsw(cpu, i, lo, cpu.tmpHi);
}

// PRFM/PRFUM: a hint. No memory access, so no fault and no effect (ARM ARM, PRFM: prefetch
// memory operations never generate a synchronous Data Abort).
function execPrfm(_cpu: Cpu, _i: Insn): void {}

/** Access helpers by kind = size:opc, for the rarely used forms that dispatch at run time. */
type Access = (cpu: Cpu, i: Insn, lo: number, hi: number) => void;
const A_KIND: (Access | null)[] = [
  aStrB, aLdrB, aLdrsbX, aLdrsbW, aStrH, aLdrH, aLdrshX, aLdrshW, aStrW, aLdrW, aLdrsw, null, aStrX, aLdrX, null, null,
];

// unpriv: LDTR/STTR/LDTRB/LDTRH/LDTRSB/LDTRSH/LDTRSW/STTRB/STTRH (i.op = kind).
// At EL1 (PSTATE.UAO is not implemented) these are checked against the EL0 permissions of the
// stage-1 translation (ARM ARM D8, AccessDescriptor.unpriv); a fault is still taken from EL1.
// At EL0 they are ordinary accesses (unprivilegedBegin/End do nothing there).
function execUnpriv(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  unprivilegedBegin(cpu);
  A_KIND[i.op]!(cpu, i, lo, hi);
  unprivilegedEnd(cpu);
}

// ---- pairs (LDP/STP/LDPSW/LDNP/STNP): Rt in rd, Rt2 in ra ----

/** The address lo + d (d in 4..8) with carry into hi, returned in cpu.tmpHi. */
function plus(cpu: Cpu, lo: number, hi: number, d: number): number {
  const n = (lo + d) | 0;
  cpu.tmpHi = (n >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
  return n;
}
function aStpW(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  cpu.st32(lo, hi, cpu.r[i.rd]);
  if (cpu.status !== 0) return;
  const lo2 = plus(cpu, lo, hi, 4);
  cpu.st32(lo2, cpu.tmpHi, cpu.r[i.ra]);
}
function aStpX(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const r = cpu.r;
  cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
  if (cpu.status !== 0) return;
  const lo2 = plus(cpu, lo, hi, 8);
  cpu.st64(lo2, cpu.tmpHi, r[i.ra], r[i.ra + 1]);
}
// Pair loads read both words before writing either register, so a fault on the second access
// leaves both registers unchanged.
function aLdpW(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const a = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  const lo2 = plus(cpu, lo, hi, 4);
  const b = cpu.ld32(lo2, cpu.tmpHi);
  if (cpu.status !== 0) return;
  const r = cpu.r;
  r[i.rd] = a;
  r[i.rd + 1] = 0;
  r[i.ra] = b;
  r[i.ra + 1] = 0;
}
function aLdpsw(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const a = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  const lo2 = plus(cpu, lo, hi, 4);
  const b = cpu.ld32(lo2, cpu.tmpHi);
  if (cpu.status !== 0) return;
  const r = cpu.r;
  r[i.rd] = a;
  r[i.rd + 1] = a >> 31;
  r[i.ra] = b;
  r[i.ra + 1] = b >> 31;
}
function aLdpX(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const a = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const ah = cpu.tmpHi;
  const lo2 = plus(cpu, lo, hi, 8);
  const b = cpu.ld64(lo2, cpu.tmpHi);
  if (cpu.status !== 0) return;
  const r = cpu.r;
  r[i.rd] = a;
  r[i.rd + 1] = ah;
  r[i.ra] = b;
  r[i.ra + 1] = cpu.tmpHi;
}

function stpW_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aStpW(cpu, i, lo, cpu.tmpHi);
}
function stpW_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aStpW(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function stpW_post(cpu: Cpu, i: Insn): void {
  aStpW(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function stpX_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aStpX(cpu, i, lo, cpu.tmpHi);
}
function stpX_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aStpX(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function stpX_post(cpu: Cpu, i: Insn): void {
  aStpX(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldpW_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdpW(cpu, i, lo, cpu.tmpHi);
}
function ldpW_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdpW(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldpW_post(cpu: Cpu, i: Insn): void {
  aLdpW(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
function ldpX_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdpX(cpu, i, lo, cpu.tmpHi);
}
function ldpX_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdpX(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldpX_post(cpu: Cpu, i: Insn): void {
  aLdpX(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}
// Pair templates (aLdpX/aStpX): both loads before either register is written; the second
// address is lo + 8 with the carry into hi (plus).
function ldpXTemplate(mode: Mode): (i: Insn) => string {
  return (i) => {
    const ea = mode === 'post' ? `const lo = r[${i.rn}]; const hi = r[${i.rn + 1}];` : eaImmSrc(i.rn, i.imm);
    const wb = mode === 'pre' ? ` r[${i.rn}] = lo; r[${i.rn + 1}] = hi;` : mode === 'post' ? ' ' + postBaseSrc(i.rn, i.imm) : '';
    return (
      `${ea} let a, ah; { ${loadSrc(8, 'lo', 'hi')} a = v; ah = vh; } if (cpu.status === 0) { ` +
      `const lo2 = (lo + 8) | 0; const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi; ${loadSrc(8, 'lo2', 'hi2')} ` +
      `if (cpu.status === 0) { r[${i.rd}] = a; r[${i.rd + 1}] = ah; r[${i.ra}] = v; r[${i.ra + 1}] = vh;${wb} } }`
    );
  };
}
function stpXTemplate(mode: Mode): (i: Insn) => string {
  return (i) => {
    const ea = mode === 'post' ? `const lo = r[${i.rn}]; const hi = r[${i.rn + 1}];` : eaImmSrc(i.rn, i.imm);
    const wb = mode === 'pre' ? ` r[${i.rn}] = lo; r[${i.rn + 1}] = hi;` : mode === 'post' ? ' ' + postBaseSrc(i.rn, i.imm) : '';
    return (
      `${ea} ${storeSrc(8, 'lo', 'hi', `r[${i.rd}]`, `r[${i.rd + 1}]`)} if (cpu.status === 0) { ` +
      `const lo2 = (lo + 8) | 0; const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi; ${storeSrc(8, 'lo2', 'hi2', `r[${i.ra}]`, `r[${i.ra + 1}]`)} ` +
      `if (cpu.status === 0) {${wb} } }`
    );
  };
}
defineEmit(ldpX_off, ldpXTemplate('off'), true);
defineEmit(ldpX_pre, ldpXTemplate('pre'), true);
defineEmit(ldpX_post, ldpXTemplate('post'), true);
defineEmit(stpX_off, stpXTemplate('off'), true);
defineEmit(stpX_pre, stpXTemplate('pre'), true);
defineEmit(stpX_post, stpXTemplate('post'), true);

// 32-bit pair templates (aLdpW/aLdpsw/aStpW): second address lo + 4; loads read both words
// before writing either register, stores write the first before trying the second.
function ldpWTemplate(mode: Mode, signed: boolean): (i: Insn) => string {
  return (i) => {
    const ea = mode === 'post' ? `const lo = r[${i.rn}]; const hi = r[${i.rn + 1}];` : eaImmSrc(i.rn, i.imm);
    const wb = mode === 'pre' ? ` r[${i.rn}] = lo; r[${i.rn + 1}] = hi;` : mode === 'post' ? ' ' + postBaseSrc(i.rn, i.imm) : '';
    const hiOf = (x: string): string => (signed ? `${x} >> 31` : '0');
    return (
      `${ea} let a; { ${loadSrc(4, 'lo', 'hi')} a = v; } if (cpu.status === 0) { ` +
      `const lo2 = (lo + 4) | 0; const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi; ${loadSrc(4, 'lo2', 'hi2')} ` +
      `if (cpu.status === 0) { r[${i.rd}] = a; r[${i.rd + 1}] = ${hiOf('a')}; r[${i.ra}] = v; r[${i.ra + 1}] = ${hiOf('v')};${wb} } }`
    );
  };
}
function stpWTemplate(mode: Mode): (i: Insn) => string {
  return (i) => {
    const ea = mode === 'post' ? `const lo = r[${i.rn}]; const hi = r[${i.rn + 1}];` : eaImmSrc(i.rn, i.imm);
    const wb = mode === 'pre' ? ` r[${i.rn}] = lo; r[${i.rn + 1}] = hi;` : mode === 'post' ? ' ' + postBaseSrc(i.rn, i.imm) : '';
    return (
      `${ea} ${storeSrc(4, 'lo', 'hi', `r[${i.rd}]`)} if (cpu.status === 0) { ` +
      `const lo2 = (lo + 4) | 0; const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi; ${storeSrc(4, 'lo2', 'hi2', `r[${i.ra}]`)} ` +
      `if (cpu.status === 0) {${wb} } }`
    );
  };
}
defineEmit(ldpW_off, ldpWTemplate('off', false), true);
defineEmit(ldpW_pre, ldpWTemplate('pre', false), true);
defineEmit(ldpW_post, ldpWTemplate('post', false), true);
defineEmit(stpW_off, stpWTemplate('off'), true);
defineEmit(stpW_pre, stpWTemplate('pre'), true);
defineEmit(stpW_post, stpWTemplate('post'), true);

function ldpsw_off(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  aLdpsw(cpu, i, lo, cpu.tmpHi);
}
function ldpsw_pre(cpu: Cpu, i: Insn): void {
  const lo = eaImm(cpu, i);
  const hi = cpu.tmpHi;
  aLdpsw(cpu, i, lo, hi);
  if (cpu.status === 0) setBase(cpu, i, lo, hi);
}
function ldpsw_post(cpu: Cpu, i: Insn): void {
  aLdpsw(cpu, i, cpu.r[i.rn], cpu.r[i.rn + 1]);
  if (cpu.status === 0) postBase(cpu, i);
}

defineEmit(ldpsw_off, ldpWTemplate('off', true), true);
defineEmit(ldpsw_pre, ldpWTemplate('pre', true), true);
defineEmit(ldpsw_post, ldpWTemplate('post', true), true);

// ---- decoding ----

/** Rt operand for kind = size:opc: stores read it (31 = XZR), loads write it (31 discards). */
function rtOperand(k: number, rt: number): number {
  return (k & 3) === 0 ? srcZR(rt) : dstZR(rt);
}
/** The ISV=1 syndrome for a single-register kind without writeback. */
function issKind(k: number, rt: number): number {
  const size = k >>> 2;
  const opc = k & 3;
  // SF: stores and plain loads use Xt only for size 64; LDRS* opc=10 target X, opc=11 target W.
  const sf = opc === 2 || (opc <= 1 && size === 3);
  return issFor(size, opc >= 2, rt, sf, 0);
}

const PRFM_KIND = 14; // size=11, opc=10

/** Shared decode for the 9-bit immediate forms; `table` selects the addressing mode. */
function decodeImm9(raw: number, i: Insn, table: (ExecFn | null)[], wback: boolean, pre: boolean): boolean {
  const k = bits(raw, 31, 30) * 4 + bits(raw, 23, 22);
  const h = table[k];
  if (h === null) return false;
  const rt = bits(raw, 4, 0);
  const rn = bits(raw, 9, 5);
  i.imm = sext(bits(raw, 20, 12), 9);
  i.rn = regSP(rn);
  i.rd = rtOperand(k, rt);
  i.exec = h;
  if (!wback) {
    i.iss = issKind(k, rt);
  } else if ((k & 3) !== 0 && rt === rn && rn !== 31) {
    // Load with writeback into its own base: Constraint_WBSUPPRESS (see the file header).
    i.exec = H_OFF[k]!;
    if (!pre) i.imm = 0;
  }
  return true;
}

/** Pair kinds by opc:L (index 2*opc + L); null = unallocated (STGP is MTE, opc=11 reserved). */
const P_OFF: (ExecFn | null)[] = [stpW_off, ldpW_off, null, ldpsw_off, stpX_off, ldpX_off, null, null];
const P_PRE: (ExecFn | null)[] = [stpW_pre, ldpW_pre, null, ldpsw_pre, stpX_pre, ldpX_pre, null, null];
const P_POST: (ExecFn | null)[] = [stpW_post, ldpW_post, null, ldpsw_post, stpX_post, ldpX_post, null, null];

function decodePair(raw: number, i: Insn, table: (ExecFn | null)[], wback: boolean, pre: boolean): boolean {
  const opc = bits(raw, 31, 30);
  const l = bits(raw, 22, 22);
  const h = table[2 * opc + l];
  if (h === null) return false;
  const rt = bits(raw, 4, 0);
  const rt2 = bits(raw, 14, 10);
  const rn = bits(raw, 9, 5);
  // LDP with Rt==Rt2 is CONSTRAINED UNPREDICTABLE: we choose UNDEFINED.
  if (l === 1 && rt === rt2) return false;
  i.imm = sext(bits(raw, 21, 15), 7) * (opc === 2 ? 8 : 4);
  i.rn = regSP(rn);
  i.rd = l ? dstZR(rt) : srcZR(rt);
  i.ra = l ? dstZR(rt2) : srcZR(rt2);
  i.exec = h;
  // Load pair writing back into its own base: Constraint_WBSUPPRESS (see the file header).
  if (wback && l === 1 && (rt === rn || rt2 === rn) && rn !== 31) {
    i.exec = P_OFF[2 * opc + l]!;
    if (!pre) i.imm = 0;
  }
  // Pairs have ISV=0 (iss stays 0).
  return true;
}

export const ldst: Encoding[] = [
  {
    name: 'LDR/STR (immediate, unsigned offset)',
    pattern: 'zz 111 0 01 oo iiiiiiiiiiii nnnnn ttttt',
    decode(raw, i) {
      const size = bits(raw, 31, 30);
      const k = size * 4 + bits(raw, 23, 22);
      if (k === PRFM_KIND) {
        i.exec = execPrfm;
        return true;
      }
      const h = H_OFF[k];
      if (h === null) return false;
      const rt = bits(raw, 4, 0);
      i.imm = bits(raw, 21, 10) << size;
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = rtOperand(k, rt);
      i.iss = issKind(k, rt);
      i.exec = h;
      return true;
    },
  },
  {
    name: 'LDUR/STUR (unscaled immediate)',
    pattern: 'zz 111 0 00 oo 0 iiiiiiiii 00 nnnnn ttttt',
    decode(raw, i) {
      if (bits(raw, 31, 30) * 4 + bits(raw, 23, 22) === PRFM_KIND) {
        i.exec = execPrfm; // PRFUM
        return true;
      }
      return decodeImm9(raw, i, H_OFF, false, false);
    },
  },
  {
    name: 'LDR/STR (immediate, post-index)',
    pattern: 'zz 111 0 00 oo 0 iiiiiiiii 01 nnnnn ttttt',
    decode: (raw, i) => decodeImm9(raw, i, H_POST, true, false),
  },
  {
    name: 'LDR/STR (immediate, pre-index)',
    pattern: 'zz 111 0 00 oo 0 iiiiiiiii 11 nnnnn ttttt',
    decode: (raw, i) => decodeImm9(raw, i, H_PRE, true, true),
  },
  {
    name: 'LDTR/STTR (unprivileged)',
    pattern: 'zz 111 0 00 oo 0 iiiiiiiii 10 nnnnn ttttt',
    decode(raw, i) {
      const k = bits(raw, 31, 30) * 4 + bits(raw, 23, 22);
      if (A_KIND[k] === null) return false; // includes size=11 opc=10: no unprivileged PRFM
      decodeImm9(raw, i, H_OFF, false, false);
      i.op = k;
      i.exec = execUnpriv;
      return true;
    },
  },
  {
    name: 'LDR/STR (register offset)',
    pattern: 'zz 111 0 00 oo 1 mmmmm xxx S 10 nnnnn ttttt',
    decode(raw, i) {
      const size = bits(raw, 31, 30);
      const k = size * 4 + bits(raw, 23, 22);
      const option = bits(raw, 15, 13);
      if ((option & 2) === 0) return false; // option<1> == 0: sub-word index, UNDEFINED
      if (k === PRFM_KIND) {
        i.exec = execPrfm;
        return true;
      }
      const h = H_REG[k];
      if (h === null) return false;
      const rt = bits(raw, 4, 0);
      i.rm = srcZR(bits(raw, 20, 16));
      i.op = option;
      i.imm2 = bits(raw, 12, 12) ? size : 0;
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = rtOperand(k, rt);
      i.iss = issKind(k, rt);
      i.exec = h;
      return true;
    },
  },
  {
    name: 'PRFM (literal)',
    pattern: '11 011 0 00 iiiiiiiiiiiiiiiiiii ttttt',
    decode: (_raw, i) => void (i.exec = execPrfm),
  },
  {
    // Ends its block so the handler can recover its own PC from the loop's next PC.
    name: 'LDR (literal)',
    pattern: 'oo 011 0 00 iiiiiiiiiiiiiiiiiii ttttt',
    endsBlock: true,
    decode(raw, i) {
      const opc = bits(raw, 31, 30);
      const rt = bits(raw, 4, 0);
      i.imm = sext(bits(raw, 23, 5), 19) * 4;
      i.rd = dstZR(rt);
      if (opc === 0) {
        i.exec = ldrW_lit;
        i.iss = issFor(2, 0, rt, 0, 0);
      } else if (opc === 1) {
        i.exec = ldrX_lit;
        i.iss = issFor(3, 0, rt, 1, 0);
      } else if (opc === 2) {
        i.exec = ldrsw_lit;
        i.iss = issFor(2, 1, rt, 1, 0);
      } else return false;
      return true;
    },
  },
  {
    name: 'LDNP/STNP',
    pattern: 'oo 101 0 000 L iiiiiii uuuuu nnnnn ttttt',
    decode(raw, i) {
      if (bits(raw, 31, 30) === 1) return false; // no LDNPSW
      return decodePair(raw, i, P_OFF, false, false);
    },
  },
  {
    name: 'LDP/STP (post-index)',
    pattern: 'oo 101 0 001 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePair(raw, i, P_POST, true, false),
  },
  {
    name: 'LDP/STP (signed offset)',
    pattern: 'oo 101 0 010 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePair(raw, i, P_OFF, false, false),
  },
  {
    name: 'LDP/STP (pre-index)',
    pattern: 'oo 101 0 011 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePair(raw, i, P_PRE, true, true),
  },
];
addSpAlignmentCheck(
  ldst.filter((e) => !e.name.includes('(literal)')),
  execPrfm,
);
