// Advanced SIMD integer instructions (ARM ARM C4.1.90): copy (DUP/INS/UMOV/SMOV), modified
// immediate (MOVI/MVNI/ORR/BIC/FMOV), three same, two-register miscellaneous, across lanes,
// three different (widening), shift by immediate, permute, EXT, TBL/TBX, and the scalar forms
// compilers emit (ADD/SUB/CMxx/shifts on D, ADDP, DUP element). Lanes are computed on scratch
// copies (simd-lanes.ts). Element size `size`: 0 B, 1 H, 2 S, 3 D. Insn.sf holds Q.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR } from './common.js';
import { fpOk, expandImm32, expandImm64Hi } from './fp-common.js';
import { QC } from '../fpu.js';
import { A, B, C, D, getA, getB, getC, putD, elt, setElt, VA, VB, VC, VD } from './simd-lanes.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);

// ---- 64-bit lane helpers on word pairs (results in r64lo/r64hi) ----
let r64lo = 0;
let r64hi = 0;
function add64(alo: number, ahi: number, blo: number, bhi: number): void {
  const s = (alo >>> 0) + (blo >>> 0);
  r64lo = s | 0;
  r64hi = (ahi + bhi + (s > 0xffffffff ? 1 : 0)) | 0;
}
function sub64(alo: number, ahi: number, blo: number, bhi: number): void {
  r64lo = (alo - blo) | 0;
  r64hi = (ahi - bhi - ((alo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
}
function shl64(lo: number, hi: number, s: number): void {
  if (s >= 64) r64lo = r64hi = 0;
  else if (s >= 32) {
    r64hi = lo << (s - 32);
    r64lo = 0;
  } else if (s === 0) {
    r64lo = lo;
    r64hi = hi;
  } else {
    r64hi = (hi << s) | (lo >>> (32 - s));
    r64lo = lo << s;
  }
}
function shr64(lo: number, hi: number, s: number, signed: boolean): void {
  if (s >= 64) {
    r64hi = signed ? hi >> 31 : 0;
    r64lo = r64hi;
  } else if (s >= 32) {
    r64lo = signed ? hi >> (s - 32) : hi >>> (s - 32);
    r64hi = signed ? hi >> 31 : 0;
  } else if (s === 0) {
    r64lo = lo;
    r64hi = hi;
  } else {
    r64lo = (lo >>> s) | (hi << (32 - s));
    r64hi = signed ? hi >> s : hi >>> s;
  }
}
/** Signed (s) or unsigned compare of 64-bit pairs: -1, 0, 1. */
function cmp64(alo: number, ahi: number, blo: number, bhi: number, s: boolean): number {
  if (ahi !== bhi) return s ? (ahi < bhi ? -1 : 1) : ahi >>> 0 < bhi >>> 0 ? -1 : 1;
  if (alo === blo) return 0;
  return alo >>> 0 < blo >>> 0 ? -1 : 1;
}
/** Store an exact integer |x| < 2^53 as a 64-bit lane k of buf. */
function setD(buf: Int32Array, k: number, x: number): void {
  const hi = Math.floor(x / 4294967296);
  buf[2 * k] = (x - hi * 4294967296) | 0;
  buf[2 * k + 1] = hi | 0;
}
/** Exact 32x32 -> 64-bit product (signed or unsigned) into r64lo/r64hi. */
function mul64(a: number, b: number, signed: boolean): void {
  const neg = signed && (a < 0) !== (b < 0) && a !== 0 && b !== 0;
  const x = Math.abs(a);
  const y = Math.abs(b);
  const xl = x % 65536;
  const xh = (x - xl) / 65536;
  const yl = y % 65536;
  const yh = (y - yl) / 65536;
  const ll = xl * yl;
  const mid = xh * yl + xl * yh; // < 2^49
  const hh = xh * yh;
  // x*y = hh*2^32 + mid*2^16 + ll
  const midLo = mid % 65536;
  const midHi = (mid - midLo) / 65536;
  let lo = ll + midLo * 65536;
  let hi = hh + midHi;
  if (lo >= 4294967296) {
    lo -= 4294967296;
    hi += 1;
  }
  let rl = lo | 0;
  let rh = hi | 0;
  if (neg) {
    rl = (~rl + 1) | 0;
    rh = (~rh + (rl === 0 ? 1 : 0)) | 0;
  }
  r64lo = rl;
  r64hi = rh;
}

// ================= copy =================
// DUP (element): i.imm = element index in its size, i.imm2 = size, i.sf = Q
function dupElt(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  const size = i.imm2;
  if (size === 3) {
    const lo = A[2 * i.imm];
    const hi = A[2 * i.imm + 1];
    D[0] = D[2] = lo;
    D[1] = D[3] = hi;
  } else {
    const x = elt(A, size, i.imm, false);
    const n = 16 >> size;
    for (let k = 0; k < n; k++) setElt(D, size, k, x);
  }
  putD(cpu, i.rd, i.sf);
}
// DUP (general): from Wn/Xn
function dupGen(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const size = i.imm2;
  const lo = cpu.r[i.rn];
  if (size === 3) {
    D[0] = D[2] = lo;
    D[1] = D[3] = cpu.r[i.rn + 1];
  } else {
    const n = 16 >> size;
    for (let k = 0; k < n; k++) setElt(D, size, k, lo);
  }
  putD(cpu, i.rd, i.sf);
}
// DUP (scalar element) / MOV Vd, Vn.T[i]: Vd = element, rest zero
function dupScalar(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  D[0] = D[1] = D[2] = D[3] = 0;
  if (i.imm2 === 3) {
    D[0] = A[2 * i.imm];
    D[1] = A[2 * i.imm + 1];
  } else setElt(D, i.imm2, 0, elt(A, i.imm2, i.imm, false));
  putD(cpu, i.rd, 0);
}
// INS (general): Vd.T[i.imm] = Rn (other lanes kept)
function insGen(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  if (i.imm2 === 3) {
    v[i.rd + 2 * i.imm] = cpu.r[i.rn];
    v[i.rd + 2 * i.imm + 1] = cpu.r[i.rn + 1];
    return;
  }
  getC(cpu, i.rd);
  setElt(C, i.imm2, i.imm, cpu.r[i.rn]);
  v[i.rd] = C[0];
  v[i.rd + 1] = C[1];
  v[i.rd + 2] = C[2];
  v[i.rd + 3] = C[3];
}
// INS (element): Vd.T[i.imm] = Vn.T[i.imm3]
function insElt(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  if (i.imm2 === 3) {
    const lo = v[i.rn + 2 * i.imm3];
    const hi = v[i.rn + 2 * i.imm3 + 1];
    v[i.rd + 2 * i.imm] = lo;
    v[i.rd + 2 * i.imm + 1] = hi;
    return;
  }
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  setElt(C, i.imm2, i.imm, elt(A, i.imm2, i.imm3, false));
  v[i.rd] = C[0];
  v[i.rd + 1] = C[1];
  v[i.rd + 2] = C[2];
  v[i.rd + 3] = C[3];
}
// UMOV/SMOV: i.op = 1 signed, i.sf = 64-bit destination
function movToGen(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const r = cpu.r;
  if (i.imm2 === 3) {
    r[i.rd] = v[i.rn + 2 * i.imm];
    r[i.rd + 1] = v[i.rn + 2 * i.imm + 1];
    return;
  }
  getA(cpu, i.rn);
  const x = elt(A, i.imm2, i.imm, i.op === 1);
  r[i.rd] = x;
  r[i.rd + 1] = i.sf ? (i.op === 1 ? x >> 31 : 0) : 0;
}

// ================= modified immediate =================
// i.imm/i.imm2 = the 64-bit pattern (lo, hi), repeated in both halves for Q = 1.
function moviV(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  D[0] = D[2] = i.imm;
  D[1] = D[3] = i.imm2;
  putD(cpu, i.rd, i.sf);
}
function orrImm(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getC(cpu, i.rd);
  D[0] = C[0] | i.imm;
  D[1] = C[1] | i.imm2;
  D[2] = C[2] | i.imm;
  D[3] = C[3] | i.imm2;
  putD(cpu, i.rd, i.sf);
}
function bicImm(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getC(cpu, i.rd);
  D[0] = C[0] & ~i.imm;
  D[1] = C[1] & ~i.imm2;
  D[2] = C[2] & ~i.imm;
  D[3] = C[3] & ~i.imm2;
  putD(cpu, i.rd, i.sf);
}
/** AdvSIMDExpandImm: sets i.imm (lo) and i.imm2 (hi). Returns false when unallocated. */
function expandImm(op: number, cmode: number, imm8: number, q: number, i: Insn): boolean {
  let w: number;
  switch (cmode >>> 1) {
    case 0:
    case 1:
    case 2:
    case 3:
      w = imm8 << (8 * (cmode >>> 1));
      break;
    case 4:
    case 5: {
      const h = imm8 << (8 * ((cmode >>> 1) & 1));
      w = h | (h << 16);
      break;
    }
    case 6:
      w = cmode & 1 ? (imm8 << 16) | 0xffff : (imm8 << 8) | 0xff;
      break;
    default:
      if ((cmode & 1) === 0) {
        if (op === 0) w = imm8 * 0x01010101;
        else {
          let lo = 0;
          let hi = 0;
          for (let k = 0; k < 4; k++) {
            if ((imm8 >>> k) & 1) lo |= 0xff << (8 * k);
            if ((imm8 >>> (k + 4)) & 1) hi |= 0xff << (8 * k);
          }
          i.imm = lo;
          i.imm2 = hi;
          return true;
        }
      } else if (op === 0) w = expandImm32(imm8);
      else {
        if (q === 0) return false;
        i.imm = 0;
        i.imm2 = expandImm64Hi(imm8);
        return true;
      }
  }
  i.imm = w | 0;
  i.imm2 = w | 0;
  return true;
}

// ================= three same =================
// Per-element semantics for B/H/S lanes. a and b are read signed when the op is signed.
const OP_HADD = 0;
export const OP_QADD = 1;
const OP_RHADD = 2;
const OP_HSUB = 4;
export const OP_QSUB = 5;
const OP_CMGT = 6;
const OP_CMGE = 7;
const OP_SHL = 8;
const OP_QSHL = 9;
const OP_RSHL = 10;
const OP_QRSHL = 11;
export const OP_QDMULH = 22; // SQDMULH (U=0) / SQRDMULH (U=1)
const OP_MAX = 12;
const OP_MIN = 13;
const OP_ABD = 14;
const OP_ABA = 15;
const OP_ADD = 16;
const OP_TST = 17;
export const OP_MLA = 18;
export const OP_MUL = 19;
const OP_MAXP = 20;
const OP_MINP = 21;
const OP_ADDP = 23;
// U=1 twins are op + 32
const OP_SUB = 32 + 16;
const OP_CMEQ = 32 + 17;
export const OP_MLS = 32 + 18;
const OP_PMUL = 32 + 19;

let qcSat = false;
function sat(x: number, size: number, signed: boolean): number {
  const e = 8 << size;
  const max = signed ? 2 ** (e - 1) - 1 : 2 ** e - 1;
  const min = signed ? -(2 ** (e - 1)) : 0;
  if (x > max) {
    qcSat = true;
    return max;
  }
  if (x < min) {
    qcSat = true;
    return min;
  }
  return x;
}
function lane3(op: number, a: number, b: number, c: number, size: number, signed: boolean): number {
  switch (op & 31) {
    case OP_HADD:
      return Math.floor((a + b) / 2);
    case OP_QADD:
      return sat(a + b, size, signed);
    case OP_RHADD:
      return Math.floor((a + b + 1) / 2);
    case OP_HSUB:
      return Math.floor((a - b) / 2);
    case OP_QSUB:
      return sat(a - b, size, signed);
    case OP_CMGT:
      return a > b ? -1 : 0;
    case OP_CMGE:
      return a >= b ? -1 : 0;
    case OP_SHL: {
      // SSHL/USHL: shift by the signed low byte of b; negative shifts right
      const e = 8 << size;
      const s = (b << 24) >> 24;
      if (s >= 0) return s >= e ? 0 : s >= 32 ? 0 : a << s;
      const r = -s;
      if (signed) return r >= e ? (a < 0 ? -1 : 0) : a >> r;
      return r >= e ? 0 : a >>> r;
    }
    case OP_QSHL:
    case OP_RSHL:
    case OP_QRSHL: {
      // SQSHL/UQSHL, SRSHL/URSHL, SQRSHL/UQRSHL (register): shift by the signed low byte of b;
      // left shifts of the saturating forms saturate (QC), right shifts of the R forms round.
      const e = 8 << size;
      const sh = (b << 24) >> 24;
      const o = op & 31;
      if (sh >= 0) {
        if (o === OP_RSHL) return sh >= e ? 0 : (a * 2 ** sh) % 2 ** e;
        return sat(a * 2 ** sh, size, signed);
      }
      const rc = o === OP_QSHL ? 0 : 2 ** (-sh - 1);
      return Math.floor((a + rc) / 2 ** -sh);
    }
    case OP_QDMULH: {
      // SQDMULH/SQRDMULH: high half of 2*a*b (+ rounding), saturating (only -1 * -1 overflows)
      const e = 8 << size;
      if (size === 1) return sat(Math.floor((2 * a * b + (op >= 32 ? 2 ** (e - 1) : 0)) / 2 ** e), size, true);
      mul64(a, b, true);
      if (op >= 32) add64(r64lo, r64hi, 1 << 30, 0);
      // (2*p + round) >> 32 = p' >> 31; it overflows only for (-2^31)^2 = 2^62
      if (r64hi === 0x40000000 && r64lo >>> 0 < 0x80000000) return sat(2 ** 31, size, true);
      return (r64lo >>> 31) | (r64hi << 1);
    }
    case OP_MAX:
    case OP_MAXP:
      return a > b ? a : b;
    case OP_MIN:
    case OP_MINP:
      return a < b ? a : b;
    case OP_ABD:
      return Math.abs(a - b);
    case OP_ABA:
      return c + Math.abs(a - b);
    case OP_ADD:
    case OP_ADDP:
      return op === OP_SUB ? a - b : a + b;
    case OP_TST:
      return op === OP_CMEQ ? (a === b ? -1 : 0) : (a & b) !== 0 ? -1 : 0;
    case OP_MLA:
      return op === OP_MLS ? c - Math.imul(a, b) : c + Math.imul(a, b);
    case OP_MUL: {
      if (op !== OP_PMUL) return Math.imul(a, b);
      let r = 0; // polynomial (carry-less) multiply of bytes, low 8 bits
      for (let k = 0; k < 8; k++) if ((b >>> k) & 1) r ^= a << k;
      return r;
    }
  }
  return 0;
}
function threeSame(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  threeSameCore(cpu, i);
}
/** The lanes of three same with A, B, C loaded (shared with the by-element forms). */
export function threeSameCore(cpu: Cpu, i: Insn): void {
  const size = i.imm2;
  const op = i.op;
  const signed = (op < 32 && op !== OP_TST && op !== OP_MUL && op !== OP_ADD && op !== OP_ADDP && op !== OP_MLA) || op === OP_QDMULH + 32;
  const n = i.imm3 ? 1 : (i.sf ? 16 : 8) >> size; // imm3: scalar form (one lane, rest zero)
  if (i.imm3) D[0] = D[1] = D[2] = D[3] = 0;
  qcSat = false;
  if (op === OP_MAXP || op === OP_MINP || op === OP_ADDP || op === OP_MAXP + 32 || op === OP_MINP + 32) {
    const h = n >> 1;
    for (let k = 0; k < n; k++) {
      const src = k < h ? A : B;
      const j = 2 * (k < h ? k : k - h);
      setElt(D, size, k, lane3(op, elt(src, size, j, signed), elt(src, size, j + 1, signed), 0, size, signed));
    }
  } else {
    const sg = signed ? 1 : 0;
    const a = VA[size][sg];
    const b = VB[size][sg];
    const c = VC[size][sg];
    const d = VD[size];
    switch (op) {
      // the commonest ops get their own loops (no per-element dispatch)
      case OP_ADD:
        for (let k = 0; k < n; k++) d[k] = a[k] + b[k];
        break;
      case OP_SUB:
        for (let k = 0; k < n; k++) d[k] = a[k] - b[k];
        break;
      case OP_CMEQ:
        for (let k = 0; k < n; k++) d[k] = a[k] === b[k] ? -1 : 0;
        break;
      default:
        for (let k = 0; k < n; k++) d[k] = lane3(op, a[k], b[k], c[k], size, signed);
    }
  }
  if (qcSat) cpu.fpsr |= QC;
  putD(cpu, i.rd, i.sf);
}
// 64-bit lanes of three same (and the scalar D forms: i.sf = 0 gives one lane): ADD, SUB,
// CMGT/CMHI/CMGE/CMHS/CMEQ/CMTST, SSHL/USHL, ADDP.
function threeSame64(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  const n = i.sf ? 2 : 1;
  const op = i.op;
  qcSat = false;
  if (op === OP_ADDP) {
    add64(A[0], A[1], A[2], A[3]);
    const l = r64lo;
    const h = r64hi;
    add64(B[0], B[1], B[2], B[3]);
    D[0] = l;
    D[1] = h;
    D[2] = r64lo;
    D[3] = r64hi;
    putD(cpu, i.rd, 1);
    return;
  }
  for (let k = 0; k < n; k++) {
    const alo = A[2 * k];
    const ahi = A[2 * k + 1];
    const blo = B[2 * k];
    const bhi = B[2 * k + 1];
    switch (op) {
      case OP_ADD:
        add64(alo, ahi, blo, bhi);
        break;
      case OP_SUB:
        sub64(alo, ahi, blo, bhi);
        break;
      case OP_CMGT:
      case OP_CMGT + 32:
        r64lo = r64hi = cmp64(alo, ahi, blo, bhi, op < 32) > 0 ? -1 : 0;
        break;
      case OP_CMGE:
      case OP_CMGE + 32:
        r64lo = r64hi = cmp64(alo, ahi, blo, bhi, op < 32) >= 0 ? -1 : 0;
        break;
      case OP_CMEQ:
        r64lo = r64hi = alo === blo && ahi === bhi ? -1 : 0;
        break;
      case OP_TST:
        r64lo = r64hi = ((alo & blo) | (ahi & bhi)) !== 0 ? -1 : 0;
        break;
      case OP_QADD:
      case OP_QADD + 32:
      case OP_QSUB:
      case OP_QSUB + 32:
        qaddsub64(alo, ahi, blo, bhi, op);
        break;
      case OP_QSHL:
      case OP_QSHL + 32:
      case OP_RSHL:
      case OP_RSHL + 32:
      case OP_QRSHL:
      case OP_QRSHL + 32: {
        const sh = (blo << 24) >> 24;
        const sg = op < 32;
        const o = op & 31;
        if (sh >= 0) {
          if (o === OP_RSHL) shl64(alo, ahi, sh);
          else qshl64(alo, ahi, sh, sg);
        } else if (o === OP_QSHL) shr64(alo, ahi, -sh, sg);
        else rshr64(alo, ahi, -sh, sg);
        break;
      }
      default: {
        // SSHL/USHL
        const s = (blo << 24) >> 24;
        if (s >= 0) shl64(alo, ahi, s);
        else shr64(alo, ahi, -s, op === OP_SHL);
      }
    }
    D[2 * k] = r64lo;
    D[2 * k + 1] = r64hi;
  }
  if (qcSat) cpu.fpsr |= QC;
  putD(cpu, i.rd, i.sf);
}
/** Saturating 64-bit add/sub (SQADD/UQADD/SQSUB/UQSUB) into r64lo/r64hi, setting qcSat. */
function qaddsub64(alo: number, ahi: number, blo: number, bhi: number, op: number): void {
  const sub = (op & 31) === OP_QSUB;
  const signed = op < 32;
  if (sub) sub64(alo, ahi, blo, bhi);
  else add64(alo, ahi, blo, bhi);
  if (signed) {
    // overflow: the operands' signs (b negated for sub) agree and the result's differs
    const ov = sub ? ((ahi ^ bhi) & (ahi ^ r64hi)) < 0 : (~(ahi ^ bhi) & (ahi ^ r64hi)) < 0;
    if (ov) {
      qcSat = true;
      r64hi = ahi < 0 ? 0x80000000 | 0 : 0x7fffffff;
      r64lo = ahi < 0 ? 0 : -1;
    }
  } else if (sub ? cmp64(alo, ahi, blo, bhi, false) < 0 : cmp64(r64lo, r64hi, alo, ahi, false) < 0) {
    qcSat = true;
    r64lo = r64hi = sub ? 0 : -1;
  }
}
/** Saturating 64-bit left shift (SQSHL/UQSHL) into r64lo/r64hi. */
function qshl64(lo: number, hi: number, sh: number, signed: boolean): void {
  if ((lo | hi) === 0) {
    r64lo = r64hi = 0;
    return;
  }
  let ok = sh < 64;
  if (ok) {
    shl64(lo, hi, sh);
    const l = r64lo;
    const h = r64hi;
    shr64(l, h, sh, signed);
    ok = r64lo === lo && r64hi === hi && (!signed || (h ^ hi) >= 0);
    r64lo = l;
    r64hi = h;
  }
  if (!ok) {
    qcSat = true;
    if (signed) {
      r64hi = hi < 0 ? 0x80000000 | 0 : 0x7fffffff;
      r64lo = hi < 0 ? 0 : -1;
    } else r64lo = r64hi = -1;
  }
}
/** Rounding 64-bit right shift by 1..128 into r64lo/r64hi. */
function rshr64(lo: number, hi: number, sh: number, signed: boolean): void {
  shr64(lo, hi, sh - 1, signed);
  const bit = r64lo & 1;
  shr64(lo, hi, sh, signed);
  add64(r64lo, r64hi, bit, 0);
}

// Logical three same: i.op = U:size (AND BIC ORR ORN EOR BSL BIT BIF)
function logic3(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  for (let k = 0; k < 4; k++) {
    const a = A[k];
    const b = B[k];
    const c = C[k];
    let r: number;
    switch (i.op) {
      case 0:
        r = a & b;
        break;
      case 1:
        r = a & ~b;
        break;
      case 2:
        r = a | b;
        break;
      case 3:
        r = a | ~b;
        break;
      case 4:
        r = a ^ b;
        break;
      case 5:
        r = (a & c) | (b & ~c); // BSL: Vd selects
        break;
      case 6:
        r = (c & ~b) | (a & b); // BIT: insert where Vm is 1
        break;
      default:
        r = (c & b) | (a & ~b); // BIF: insert where Vm is 0
    }
    D[k] = r;
  }
  putD(cpu, i.rd, i.sf);
}

// ================= two-register miscellaneous (integer) =================
const M_REV64 = 0;
const M_REV16 = 1;
const M_SADDLP = 2;
const M_CLS = 4;
const M_CNT = 5;
const M_SADALP = 6;
const M_SQABS = 7;
const M_CMGT0 = 8;
const M_CMEQ0 = 9;
const M_CMLT0 = 10;
const M_ABS = 11;
const M_XTN = 18;
const M_SQXTN = 20;
const M_SUQADD = 3;
const M_USQADD = 32 + 3;
const M_SHLL = 32 + 19;
const M_REV32 = 32;
const M_UADDLP = 32 + 2;
const M_CLZ = 32 + 4;
const M_NOT = 32 + 5; // NOT (size 0) / RBIT (size 1)
const M_UADALP = 32 + 6;
const M_SQNEG = 32 + 7;
const M_CMGE0 = 32 + 8;
const M_CMLE0 = 32 + 9;
const M_NEG = 32 + 11;
const M_SQXTUN = 32 + 18;
const M_UQXTN = 32 + 20;

function clz(x: number, e: number): number {
  return Math.clz32(x) - (32 - e);
}
function popcount8(x: number): number {
  x = x - ((x >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}
function rbit8(x: number): number {
  let r = 0;
  for (let k = 0; k < 8; k++) r |= ((x >>> k) & 1) << (7 - k);
  return r;
}
function misc2(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  const op = i.op;
  const size = op === M_NOT ? 0 : i.imm2; // NOT and RBIT work on bytes (size selects which)
  const q = i.sf;
  const n = (q ? 16 : 8) >> size;
  const e = 8 << size;
  qcSat = false;
  switch (op) {
    case M_REV64:
    case M_REV32:
    case M_REV16: {
      // reverse elements within containers of 64/32/16 bits
      const cont = op === M_REV64 ? 64 : op === M_REV32 ? 32 : 16;
      const per = cont / e;
      for (let k = 0; k < n; k++) {
        const base = k - (k % per);
        setElt(D, size, k, elt(A, size, base + per - 1 - (k % per), false));
      }
      break;
    }
    case M_XTN:
    case M_SQXTN:
    case M_UQXTN:
    case M_SQXTUN: {
      // narrow 2*e -> e; "2" (Q=1) writes the upper half and keeps the lower; scalar: one element
      const scalar = i.ra === 1;
      const m = scalar ? 1 : 8 >> size;
      D[0] = scalar ? 0 : C[0];
      D[1] = scalar ? 0 : C[1];
      const base = q ? m : 0;
      for (let k = 0; k < m; k++) {
        let x: number;
        if (size === 2) {
          const lo = A[2 * k];
          const hi = A[2 * k + 1];
          if (op === M_XTN) x = lo;
          else {
            const sgn = op === M_SQXTN;
            const srcSigned = op !== M_UQXTN;
            // saturate a 64-bit source to 32 bits
            const v = srcSigned ? hi * 4294967296 + (lo >>> 0) : (hi >>> 0) * 4294967296 + (lo >>> 0);
            x = sat(v, 2, sgn);
            if (srcSigned && !sgn && v < 0) x = 0;
          }
        } else {
          const srcSigned = op === M_SQXTN || op === M_SQXTUN;
          const v = elt(A, size + 1, k, srcSigned);
          x = op === M_XTN ? v : sat(v, size, op === M_SQXTN);
        }
        setElt(D, size, base + k, x);
      }
      if (!q) D[2] = D[3] = 0;
      if (qcSat) cpu.fpsr |= QC;
      putD(cpu, i.rd, 1);
      return;
    }
    case M_SADDLP:
    case M_UADDLP:
    case M_SADALP:
    case M_UADALP: {
      const signed = op === M_SADDLP || op === M_SADALP;
      const acc = op === M_SADALP || op === M_UADALP;
      const m = n >> 1;
      for (let k = 0; k < m; k++) {
        let x = elt(A, size, 2 * k, signed) + elt(A, size, 2 * k + 1, signed);
        if (size === 2) {
          setD(D, k, x); // |x| < 2^33: exact; the accumulation is a 64-bit add
          if (acc) {
            add64(C[2 * k], C[2 * k + 1], D[2 * k], D[2 * k + 1]);
            D[2 * k] = r64lo;
            D[2 * k + 1] = r64hi;
          }
        } else {
          if (acc) x += elt(C, size + 1, k, false);
          setElt(D, size + 1, k, x);
        }
      }
      break;
    }
    case M_SUQADD:
    case M_USQADD: {
      // SUQADD: signed Vd + unsigned Vn, saturated signed; USQADD: unsigned Vd + signed Vn
      const sq = op === M_SUQADD;
      const cnt = i.ra === 1 ? 1 : n;
      if (i.ra === 1) D[0] = D[1] = D[2] = D[3] = 0;
      for (let k = 0; k < cnt; k++) {
        setElt(D, size, k, sat(elt(C, size, k, sq) + elt(A, size, k, !sq), size, sq));
      }
      break;
    }
    default: {
      const cnt = i.ra === 1 ? 1 : n;
      if (i.ra === 1) D[0] = D[1] = D[2] = D[3] = 0;
      for (let k = 0; k < cnt; k++) {
        const a = elt(A, size, k, true);
        let r: number;
        switch (op) {
          case M_CLS:
            r = clz(a < 0 ? ~a : a, e) - 1;
            break;
          case M_CLZ:
            r = clz(elt(A, size, k, false), e);
            break;
          case M_CNT:
            r = popcount8(a & 0xff);
            break;
          case M_NOT:
            r = i.imm2 === 0 ? ~a : rbit8(a & 0xff);
            break;
          case M_CMGT0:
            r = a > 0 ? -1 : 0;
            break;
          case M_CMEQ0:
            r = a === 0 ? -1 : 0;
            break;
          case M_CMLT0:
            r = a < 0 ? -1 : 0;
            break;
          case M_CMGE0:
            r = a >= 0 ? -1 : 0;
            break;
          case M_CMLE0:
            r = a <= 0 ? -1 : 0;
            break;
          case M_ABS:
            r = a < 0 ? -a : a;
            break;
          case M_NEG:
            r = -a;
            break;
          case M_SQABS:
            r = sat(a < 0 ? -a : a, size, true);
            break;
          default: // M_SQNEG
            r = sat(-a, size, true);
        }
        setElt(D, size, k, r);
      }
    }
  }
  if (qcSat) cpu.fpsr |= QC;
  putD(cpu, i.rd, q);
}
// 64-bit lanes (and scalar D): CMGT/CMEQ/CMLT/CMGE/CMLE zero, ABS, NEG
function misc2D(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  const n = i.sf ? 2 : 1;
  for (let k = 0; k < n; k++) {
    const lo = A[2 * k];
    const hi = A[2 * k + 1];
    const c = hi < 0 ? -1 : lo === 0 && hi === 0 ? 0 : 1;
    let t = false;
    switch (i.op) {
      case M_SUQADD:
      case M_USQADD: {
        // SUQADD: signed Vd + unsigned Vn; USQADD: unsigned Vd + signed Vn (64-bit, saturating)
        const dl = C[2 * k];
        const dh = C[2 * k + 1];
        add64(dl, dh, lo, hi);
        const carry = cmp64(r64lo, r64hi, dl, dh, false) < 0;
        if (i.op === M_SUQADD) {
          const ov = dh >= 0 ? carry || r64hi < 0 : hi < 0 && r64hi < 0;
          if (ov) {
            cpu.fpsr |= QC;
            r64lo = -1;
            r64hi = 0x7fffffff;
          }
        } else if (hi >= 0 ? carry : !carry) {
          cpu.fpsr |= QC;
          r64lo = r64hi = hi >= 0 ? -1 : 0;
        }
        D[2 * k] = r64lo;
        D[2 * k + 1] = r64hi;
        continue;
      }
      case M_SQABS:
      case M_SQNEG:
        if (hi === (0x80000000 | 0) && lo === 0) {
          cpu.fpsr |= QC; // |INT64_MIN| saturates
          D[2 * k] = -1;
          D[2 * k + 1] = 0x7fffffff;
          continue;
        }
        if (i.op === M_SQNEG || hi < 0) sub64(0, 0, lo, hi);
        else {
          r64lo = lo;
          r64hi = hi;
        }
        D[2 * k] = r64lo;
        D[2 * k + 1] = r64hi;
        continue;
      case M_ABS:
      case M_NEG:
        if (i.op === M_NEG || hi < 0) sub64(0, 0, lo, hi);
        else {
          r64lo = lo;
          r64hi = hi;
        }
        D[2 * k] = r64lo;
        D[2 * k + 1] = r64hi;
        continue;
      case M_CMGT0:
        t = c > 0;
        break;
      case M_CMEQ0:
        t = c === 0;
        break;
      case M_CMLT0:
        t = c < 0;
        break;
      case M_CMGE0:
        t = c >= 0;
        break;
      default:
        t = c <= 0;
    }
    D[2 * k] = D[2 * k + 1] = t ? -1 : 0;
  }
  putD(cpu, i.rd, i.sf);
}

// ================= across lanes =================
// i.op: 0 ADDV, 1 SMAXV, 2 UMAXV, 3 SMINV, 4 UMINV, 5 SADDLV, 6 UADDLV
function across(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  const size = i.imm2;
  const n = (i.sf ? 16 : 8) >> size;
  const op = i.op;
  const signed = op === 1 || op === 3 || op === 5;
  const a = VA[size][signed ? 1 : 0];
  let acc = a[0];
  for (let k = 1; k < n; k++) {
    const x = a[k];
    if (op === 0 || op >= 5) acc += x;
    else if (op <= 2) acc = x > acc ? x : acc;
    else acc = x < acc ? x : acc;
  }
  D[0] = D[1] = D[2] = D[3] = 0;
  if (op >= 5) {
    if (size === 2) setD(D, 0, acc);
    else setElt(D, size + 1, 0, acc);
  } else setElt(D, size, 0, acc);
  putD(cpu, i.rd, 0);
}

// ================= three different (widening / narrowing) =================
// i.op = U:opcode; i.imm2 = size of the narrow elements; Q=1 ("2") uses the upper halves.
const T_ADDL = 0;
const T_ADDW = 1;
const T_SUBL = 2;
const T_SUBW = 3;
const T_ADDHN = 4;
const T_ABAL = 5;
const T_SUBHN = 6;
const T_ABDL = 7;
export const T_MLAL = 8;
export const T_MLSL = 10;
export const T_MULL = 12;
export const T_QDMLAL = 9;
export const T_QDMLSL = 11;
export const T_QDMULL = 13;
const T_PMULL = 14;
function threeDiff(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  threeDiffCore(cpu, i);
}
/** The lanes of three different with A, B, C loaded (shared with the by-element forms). */
export function threeDiffCore(cpu: Cpu, i: Insn): void {
  const size = i.imm2;
  const signed = i.op < 16;
  const op = i.op & 15;
  const m = 8 >> size; // number of wide results
  const off = i.sf ? m : 0;
  if (op === T_QDMULL || op === T_QDMLAL || op === T_QDMLSL) {
    qdmull(cpu, i, size, m, off, op);
    return;
  }
  if (op === T_PMULL) {
    for (let k = 0; k < m; k++) {
      const a = elt(A, 0, off + k, false);
      const b = elt(B, 0, off + k, false);
      let r = 0;
      for (let j = 0; j < 8; j++) if ((b >>> j) & 1) r ^= a << j;
      setElt(D, 1, k, r);
    }
    putD(cpu, i.rd, 1);
    return;
  }
  if (op === T_ADDHN || op === T_SUBHN) {
    const rnd = i.op >= 16; // RADDHN/RSUBHN
    // wide + wide -> high half narrowed
    D[0] = C[0];
    D[1] = C[1];
    for (let k = 0; k < m; k++) {
      let x: number;
      if (size === 2) {
        if (op === T_ADDHN) add64(A[2 * k], A[2 * k + 1], B[2 * k], B[2 * k + 1]);
        else sub64(A[2 * k], A[2 * k + 1], B[2 * k], B[2 * k + 1]);
        if (rnd) add64(r64lo, r64hi, 0x80000000 | 0, 0);
        x = r64hi;
      } else {
        const a = elt(A, size + 1, k, false);
        const b = elt(B, size + 1, k, false);
        x = ((op === T_ADDHN ? a + b : a - b) + (rnd ? 1 << ((8 << size) - 1) : 0)) >> (8 << size);
      }
      setElt(D, size, off + k, x);
    }
    if (!i.sf) D[2] = D[3] = 0;
    putD(cpu, i.rd, 1);
    return;
  }
  for (let k = 0; k < m; k++) {
    const a = op === T_ADDW || op === T_SUBW ? 0 : elt(A, size, off + k, signed);
    const b = elt(B, size, off + k, signed);
    if (size === 2) {
      let lo: number;
      let hi: number;
      if (op === T_ADDW || op === T_SUBW) {
        lo = A[2 * k];
        hi = A[2 * k + 1];
        const bhi = signed && b < 0 ? -1 : 0;
        if (op === T_ADDW) add64(lo, hi, b | 0, bhi);
        else sub64(lo, hi, b | 0, bhi);
      } else if (op === T_MULL || op === T_MLAL || op === T_MLSL) {
        mul64(a, b, signed);
        if (op !== T_MULL) {
          const pl = r64lo;
          const ph = r64hi;
          if (op === T_MLAL) add64(C[2 * k], C[2 * k + 1], pl, ph);
          else sub64(C[2 * k], C[2 * k + 1], pl, ph);
        }
      } else {
        let x: number;
        if (op === T_ADDL) x = a + b;
        else if (op === T_SUBL) x = a - b;
        else x = Math.abs(a - b);
        const xh = Math.floor(x / 4294967296);
        lo = (x - xh * 4294967296) | 0;
        hi = xh | 0;
        if (op === T_ABAL) add64(C[2 * k], C[2 * k + 1], lo, hi);
        else {
          r64lo = lo;
          r64hi = hi;
        }
      }
      D[2 * k] = r64lo;
      D[2 * k + 1] = r64hi;
      continue;
    }
    let x: number;
    switch (op) {
      case T_ADDL:
        x = a + b;
        break;
      case T_ADDW:
        x = elt(A, size + 1, k, signed) + b;
        break;
      case T_SUBL:
        x = a - b;
        break;
      case T_SUBW:
        x = elt(A, size + 1, k, signed) - b;
        break;
      case T_ABDL:
        x = Math.abs(a - b);
        break;
      case T_ABAL:
        x = elt(C, size + 1, k, false) + Math.abs(a - b);
        break;
      case T_MLAL:
        x = elt(C, size + 1, k, false) + a * b;
        break;
      case T_MLSL:
        x = elt(C, size + 1, k, false) - a * b;
        break;
      default:
        x = a * b; // MULL: 16x16 fits exactly
    }
    setElt(D, size + 1, k, x);
  }
  putD(cpu, i.rd, 1);
}

/** SQDMULL/SQDMLAL/SQDMLSL(2): 2*a*b saturated to the wide size, then a saturating accumulate. */
function qdmull(cpu: Cpu, i: Insn, size: number, m: number, off: number, op: number): void {
  qcSat = false;
  const scalar = i.ra === 1;
  const cnt = scalar ? 1 : m;
  if (scalar) D[0] = D[1] = D[2] = D[3] = 0;
  for (let k = 0; k < cnt; k++) {
    const a = elt(A, size, off + k, true);
    const b = elt(B, size, off + k, true);
    if (size === 1) {
      let p = sat(2 * a * b, 2, true);
      if (op === T_QDMLAL) p = sat(elt(C, 2, k, true) + p, 2, true);
      else if (op === T_QDMLSL) p = sat(elt(C, 2, k, true) - p, 2, true);
      setElt(D, 2, k, p);
      continue;
    }
    let pl: number;
    let ph: number;
    if (a === -2147483648 && b === -2147483648) {
      qcSat = true;
      pl = -1;
      ph = 0x7fffffff;
    } else {
      mul64(a, b, true);
      shl64(r64lo, r64hi, 1);
      pl = r64lo;
      ph = r64hi;
    }
    if (op === T_QDMULL) {
      r64lo = pl;
      r64hi = ph;
    } else qaddsub64(C[2 * k], C[2 * k + 1], pl, ph, op === T_QDMLAL ? OP_QADD : OP_QSUB);
    D[2 * k] = r64lo;
    D[2 * k + 1] = r64hi;
  }
  if (qcSat) cpu.fpsr |= QC;
  putD(cpu, i.rd, scalar ? 0 : 1);
}

// ================= shift by immediate =================
// i.imm2 = size, i.imm = shift, i.op = U:opcode, i.sf = Q (scalar forms: size 3 and Q = 0)
const S_SHR = 0;
const S_SRA = 2;
const S_RSHR = 4;
const S_RSRA = 6;
const S_SRI = 32 + 8;
const S_SHL = 10;
const S_SLI = 32 + 10;
const S_SHRN = 16;
const S_RSHRN = 17;
const S_SHLL = 20;
function shiftImm(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  const size = i.imm2;
  const sh = i.imm;
  const op = i.op & 31;
  const u = i.op >= 32;
  const full = i.op;
  if (op === S_SHLL) {
    const m = 8 >> size;
    const off = i.sf ? m : 0;
    for (let k = 0; k < m; k++) {
      const x = elt(A, size, off + k, !u) * 2 ** sh;
      if (size === 2) setD(D, k, x);
      else setElt(D, size + 1, k, x);
    }
    putD(cpu, i.rd, 1);
    return;
  }
  if (op === S_SHRN || op === S_RSHRN) {
    const m = 8 >> size;
    const off = i.sf ? m : 0;
    D[0] = C[0];
    D[1] = C[1];
    for (let k = 0; k < m; k++) {
      let x: number;
      if (size === 2) {
        let lo = A[2 * k];
        let hi = A[2 * k + 1];
        if (op === S_RSHRN) {
          shl64(1, 0, sh - 1);
          add64(lo, hi, r64lo, r64hi);
          lo = r64lo;
          hi = r64hi;
        }
        shr64(lo, hi, sh, false);
        x = r64lo;
      } else {
        const v = elt(A, size + 1, k, false) + (op === S_RSHRN ? 2 ** (sh - 1) : 0);
        x = Math.floor(v / 2 ** sh);
      }
      setElt(D, size, off + k, x);
    }
    if (!i.sf) D[2] = D[3] = 0;
    putD(cpu, i.rd, 1);
    return;
  }
  const n = size === 3 ? (i.sf ? 2 : 1) : (i.sf ? 16 : 8) >> size;
  const e = 8 << size;
  for (let k = 0; k < n; k++) {
    if (size === 3) {
      const lo = A[2 * k];
      const hi = A[2 * k + 1];
      let rlo: number;
      let rhi: number;
      if (full === S_SHL) {
        shl64(lo, hi, sh);
        rlo = r64lo;
        rhi = r64hi;
      } else if (full === S_SLI) {
        shl64(lo, hi, sh);
        const vl = r64lo;
        const vh = r64hi;
        shl64(-1, -1, sh);
        rlo = (C[2 * k] & ~r64lo) | vl;
        rhi = (C[2 * k + 1] & ~r64hi) | vh;
      } else if (full === S_SRI) {
        shr64(lo, hi, sh, false);
        const vl = r64lo;
        const vh = r64hi;
        shr64(-1, -1, sh, false);
        rlo = (C[2 * k] & ~r64lo) | vl;
        rhi = (C[2 * k + 1] & ~r64hi) | vh;
      } else {
        let xl = lo;
        let xh = hi;
        if (op === S_RSHR || op === S_RSRA) {
          // add the rounding constant in 65 bits: shift first, then add the dropped bit
          shr64(lo, hi, sh - 1, !u);
          const bit = r64lo & 1;
          shr64(lo, hi, sh, !u);
          add64(r64lo, r64hi, bit, 0);
        } else shr64(xl, xh, sh, !u);
        xl = r64lo;
        xh = r64hi;
        if (op === S_SRA || op === S_RSRA) add64(C[2 * k], C[2 * k + 1], xl, xh);
        rlo = r64lo;
        rhi = r64hi;
      }
      D[2 * k] = rlo;
      D[2 * k + 1] = rhi;
      continue;
    }
    const a = elt(A, size, k, !u);
    let r: number;
    if (full === S_SHL) r = sh >= 32 ? 0 : a << sh;
    else if (full === S_SLI) {
      const mask = (2 ** e - 1) * 2 ** sh;
      r = (elt(C, size, k, false) & ~(mask % 2 ** e)) | (a << sh);
    } else if (full === S_SRI) {
      const mask = sh >= e ? 0 : Math.floor((2 ** e - 1) / 2 ** sh);
      r = (elt(C, size, k, false) & ~mask) | (sh >= e ? 0 : Math.floor(elt(A, size, k, false) / 2 ** sh));
    } else {
      const rnd = op === S_RSHR || op === S_RSRA ? 2 ** (sh - 1) : 0;
      r = Math.floor((a + rnd) / 2 ** sh);
      if (op === S_SRA || op === S_RSRA) r += elt(C, size, k, false);
    }
    setElt(D, size, k, r);
  }
  putD(cpu, i.rd, i.sf);
}

// Saturating shifts by immediate: SQSHL/UQSHL/SQSHLU (left) and SQSHRN/UQSHRN/SQRSHRN/UQRSHRN/
// SQSHRUN/SQRSHRUN (narrowing right). i.ra = 1 for the scalar forms (one element, rest zero).
const Q_SQSHLU = 32 + 12;
const Q_SHL = 14; // SQSHL; UQSHL is + 32
const Q_SHRUN = 32 + 16; // SQSHRUN; SQRSHRUN is + 1
const Q_SHRN = 18; // SQSHRN / UQSHRN (+32); SQRSHRN / UQRSHRN: 19 / 51
function qshiftImm(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  const size = i.imm2;
  const sh = i.imm;
  const op = i.op;
  const o = op & 31;
  const u = op >= 32;
  const scalar = i.ra === 1;
  qcSat = false;
  if (scalar) D[0] = D[1] = D[2] = D[3] = 0;
  if (o === 12 || o === 14) {
    const srcSigned = !(o === 14 && u);
    const dstSigned = o === 14 && !u;
    const n = scalar ? 1 : size === 3 ? (i.sf ? 2 : 1) : (i.sf ? 16 : 8) >> size;
    for (let k = 0; k < n; k++) {
      if (size === 3) {
        const lo = A[2 * k];
        const hi = A[2 * k + 1];
        if (op === Q_SQSHLU && hi < 0) {
          qcSat = true;
          r64lo = r64hi = 0;
        } else qshl64(lo, hi, sh, dstSigned);
        D[2 * k] = r64lo;
        D[2 * k + 1] = r64hi;
      } else setElt(D, size, k, sat(elt(A, size, k, srcSigned) * 2 ** sh, size, dstSigned));
    }
    if (qcSat) cpu.fpsr |= QC;
    putD(cpu, i.rd, scalar ? 0 : i.sf);
    return;
  }
  const round = (o & 1) === 1;
  const srcSigned = !(u && o >= 18);
  const dstSigned = !u;
  const m = scalar ? 1 : 8 >> size;
  const off = !scalar && i.sf ? m : 0;
  if (!scalar) {
    D[0] = C[0];
    D[1] = C[1];
  }
  for (let k = 0; k < m; k++) {
    let v: number;
    if (size === 2) {
      if (round) rshr64(A[2 * k], A[2 * k + 1], sh, srcSigned);
      else shr64(A[2 * k], A[2 * k + 1], sh, srcSigned);
      // inexact beyond 2^53, but then far outside the 32-bit range: saturation still decides
      v = (srcSigned ? r64hi : r64hi >>> 0) * 4294967296 + (r64lo >>> 0);
    } else {
      const x = elt(A, size + 1, k, srcSigned);
      v = Math.floor((x + (round ? 2 ** (sh - 1) : 0)) / 2 ** sh);
    }
    setElt(D, size, off + k, sat(v, size, dstSigned));
  }
  if (!scalar && !i.sf) D[2] = D[3] = 0;
  if (qcSat) cpu.fpsr |= QC;
  putD(cpu, i.rd, 1);
}

// ================= permute, EXT, TBL =================
// i.op: 1 UZP1, 2 TRN1, 3 ZIP1, 5 UZP2, 6 TRN2, 7 ZIP2
function permute(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  const size = i.imm2;
  const n = (i.sf ? 16 : 8) >> size;
  const part = i.op >> 2;
  const h = n >> 1;
  for (let k = 0; k < n; k++) {
    let src: Int32Array;
    let j: number;
    switch (i.op & 3) {
      case 1: // UZP: even (part 0) or odd elements of A:B
        j = 2 * k + part;
        src = j < n ? A : B;
        if (j >= n) j -= n;
        break;
      case 2: // TRN
        src = k & 1 ? B : A;
        j = (k & ~1) + part;
        break;
      default: // ZIP: interleave the lower (part 0) or upper halves
        src = k & 1 ? B : A;
        j = (k >> 1) + part * h;
    }
    if (size === 3) {
      D[2 * k] = src[2 * j];
      D[2 * k + 1] = src[2 * j + 1];
    } else setElt(D, size, k, elt(src, size, j, false));
  }
  putD(cpu, i.rd, i.sf);
}
function ext(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  const n = i.sf ? 16 : 8;
  for (let k = 0; k < n; k++) {
    const j = k + i.imm;
    setElt(D, 0, k, j < n ? elt(A, 0, j, false) : elt(B, 0, j - n, false));
  }
  putD(cpu, i.rd, i.sf);
}
const tbl = new Uint8Array(64);
// TBL/TBX: i.imm = number of table registers, i.op = 1 for TBX (out-of-range keeps Vd)
function tblx(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let r = 0; r < i.imm; r++) {
    const base = 4 * ((i.rn / 4 + r) % 32);
    for (let w = 0; w < 4; w++) {
      const x = v[base + w];
      tbl[16 * r + 4 * w] = x;
      tbl[16 * r + 4 * w + 1] = x >> 8;
      tbl[16 * r + 4 * w + 2] = x >> 16;
      tbl[16 * r + 4 * w + 3] = x >> 24;
    }
  }
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  const n = i.sf ? 16 : 8;
  const lim = 16 * i.imm;
  for (let k = 0; k < n; k++) {
    const idx = elt(B, 0, k, false);
    setElt(D, 0, k, idx < lim ? tbl[idx] : i.op ? elt(C, 0, k, false) : 0);
  }
  putD(cpu, i.rd, i.sf);
}

// ================= decode tables =================
/** imm5 -> size (lowest set bit) and index; false if imm5 = x0000. */
function imm5(raw: number, i: Insn): boolean {
  const v = bits(raw, 20, 16);
  if ((v & 0xf) === 0) return false;
  let size = 0;
  while (((v >>> size) & 1) === 0) size++;
  i.imm2 = size;
  i.imm = v >>> (size + 1);
  return true;
}

const THREE_SAME_OK = new Set([
  OP_HADD, OP_QADD, OP_RHADD, OP_HSUB, OP_QSUB, OP_CMGT, OP_CMGE, OP_SHL, OP_QSHL, OP_RSHL, OP_QRSHL, OP_QDMULH,
  OP_MAX, OP_MIN, OP_ABD, OP_ABA,
  OP_ADD, OP_TST, OP_MLA, OP_MUL, OP_MAXP, OP_MINP, OP_ADDP,
]);

export const simdInt: Encoding[] = [
  {
    name: 'DUP (element)',
    pattern: '0 q 0 01110000 iiiii 0 0000 1 nnnnn ddddd',
    decode(raw, i) {
      if (!imm5(raw, i)) return false;
      i.sf = bits(raw, 30, 30);
      if (i.imm2 === 3 && !i.sf) return false;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = dupElt;
    },
  },
  {
    name: 'DUP (general)',
    pattern: '0 q 0 01110000 iiiii 0 0001 1 nnnnn ddddd',
    decode(raw, i) {
      if (!imm5(raw, i)) return false;
      i.sf = bits(raw, 30, 30);
      if (i.imm2 === 3 && !i.sf) return false;
      i.rn = srcZR(bits(raw, 9, 5));
      i.rd = vreg(raw, 0);
      i.exec = dupGen;
    },
  },
  {
    name: 'SMOV/UMOV',
    pattern: '0 q 0 01110000 iiiii 0 01 u 1 1 nnnnn ddddd',
    decode(raw, i) {
      if (!imm5(raw, i)) return false;
      const q = bits(raw, 30, 30);
      const u = bits(raw, 12, 12);
      const size = i.imm2;
      // UMOV: W for B/H/S (Q=0), X for D (Q=1). SMOV: W for B/H (Q=0), X for B/H/S (Q=1).
      if (u ? (q ? size !== 3 : size === 3) : q ? size === 3 : size >= 2) return false;
      i.sf = q;
      i.op = u ? 0 : 1;
      i.rn = vreg(raw, 5);
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = movToGen;
    },
  },
  {
    name: 'INS (general)',
    pattern: '0 1 0 01110000 iiiii 0 0011 1 nnnnn ddddd',
    decode(raw, i) {
      if (!imm5(raw, i)) return false;
      i.rn = srcZR(bits(raw, 9, 5));
      i.rd = vreg(raw, 0);
      i.exec = insGen;
    },
  },
  {
    name: 'INS (element)',
    pattern: '0 1 1 01110000 iiiii 0 jjjj 1 nnnnn ddddd',
    decode(raw, i) {
      if (!imm5(raw, i)) return false;
      i.imm3 = bits(raw, 14, 11) >>> i.imm2;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = insElt;
    },
  },
  {
    name: 'DUP (scalar element)',
    pattern: '01 0 11110000 iiiii 0 0000 1 nnnnn ddddd',
    decode(raw, i) {
      if (!imm5(raw, i)) return false;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = dupScalar;
    },
  },
  {
    name: 'AdvSIMD modified immediate',
    pattern: '0 q o 0111100000 aaa cccc 0 1 bbbbb ddddd',
    decode(raw, i) {
      const q = bits(raw, 30, 30);
      const op = bits(raw, 29, 29);
      const cmode = bits(raw, 15, 12);
      const imm8 = (bits(raw, 18, 16) << 5) | bits(raw, 9, 5);
      if (!expandImm(op, cmode, imm8, q, i)) return false;
      i.sf = q;
      i.rd = vreg(raw, 0);
      // ORR/BIC: 32-bit shifted (0xx1) and 16-bit shifted (10x1); the rest are moves
      const logical = cmode < 12 && (cmode & 1) === 1;
      if (logical) i.exec = op ? bicImm : orrImm;
      else {
        if (op && cmode < 14) {
          i.imm = ~i.imm; // MVNI
          i.imm2 = ~i.imm2;
        }
        i.exec = moviV;
      }
    },
  },
  {
    name: 'AdvSIMD three same (integer)',
    pattern: '0 q u 01110 zz 1 mmmmm ooooo 1 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 11);
      if (opc >= 24) return false; // FP three same: simd-fp.ts
      const u = bits(raw, 29, 29);
      const size = bits(raw, 23, 22);
      const q = bits(raw, 30, 30);
      i.sf = q;
      i.imm2 = size;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      if (opc === 3) {
        i.op = (u << 2) | size;
        i.exec = logic3;
        return;
      }
      i.op = (u << 5) | opc;
      if (!THREE_SAME_OK.has(opc)) return false;
      if (opc === OP_ADDP && u) return false;
      if (opc === OP_MUL && u && size !== 0) return false; // PMUL: bytes only
      if ((opc === OP_MUL || opc === OP_MLA) && size === 3) return false;
      if (size === 3) {
        if (!q) return false;
        const ok64 = [OP_ADD, OP_TST, OP_CMGT, OP_CMGE, OP_SHL, OP_ADDP, OP_QADD, OP_QSUB, OP_QSHL, OP_RSHL, OP_QRSHL].includes(opc);
        if (!ok64) return false;
        i.exec = threeSame64;
        return;
      }
      if (opc === OP_QDMULH && (size === 0 || size === 3)) return false;
      i.exec = threeSame;
    },
  },
  {
    name: 'AdvSIMD scalar three same (integer, B/H/S saturating)',
    pattern: '01 u 11110 zz 1 mmmmm ooooo 1 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 11);
      const u = bits(raw, 29, 29);
      const size = bits(raw, 23, 22);
      if (size === 3) return false; // the D forms: next entry
      const ok =
        opc === OP_QADD || opc === OP_QSUB || opc === OP_QSHL || opc === OP_QRSHL || (opc === OP_QDMULH && (size === 1 || size === 2));
      if (!ok) return false;
      i.op = (u << 5) | opc;
      i.imm2 = size;
      i.imm3 = 1;
      i.sf = 0;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = threeSame;
    },
  },
  {
    name: 'AdvSIMD scalar three same (integer, D)',
    pattern: '01 u 11110 11 1 mmmmm ooooo 1 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 11);
      const u = bits(raw, 29, 29);
      const ok = [OP_ADD, OP_TST, OP_CMGT, OP_CMGE, OP_SHL, OP_QADD, OP_QSUB, OP_QSHL, OP_RSHL, OP_QRSHL].includes(opc);
      if (!ok) return false;
      i.op = (u << 5) | opc;
      i.sf = 0;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = threeSame64;
    },
  },
  {
    name: 'ADDP (scalar)',
    pattern: '01 0 11110 11 11000 11011 10 nnnnn ddddd',
    decode(raw, i) {
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = addpScalar;
    },
  },
  {
    name: 'AdvSIMD two-register miscellaneous (integer)',
    pattern: '0 q u 01110 zz 10000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 16, 12);
      const u = bits(raw, 29, 29);
      const size = bits(raw, 23, 22);
      const q = bits(raw, 30, 30);
      const op = (u << 5) | opc;
      i.sf = q;
      i.imm2 = size;
      i.op = op;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      switch (op) {
        case M_REV64:
          if (size === 3) return false;
          break;
        case M_REV32:
          if (size >= 2) return false;
          break;
        case M_REV16:
        case M_CNT:
          if (size !== 0) return false;
          break;
        case M_NOT:
          if (size >= 2) return false;
          break;
        case M_CLS:
        case M_CLZ:
        case M_SADDLP:
        case M_UADDLP:
        case M_SADALP:
        case M_UADALP:
          if (size === 3) return false;
          break;
        case M_XTN:
        case M_SQXTN:
        case M_UQXTN:
        case M_SQXTUN:
          if (size === 3) return false;
          break;
        case M_CMGT0:
        case M_CMEQ0:
        case M_CMLT0:
        case M_CMGE0:
        case M_CMLE0:
        case M_ABS:
        case M_NEG:
          if (size === 3) {
            if (!q) return false;
            i.exec = misc2D;
            return;
          }
          break;
        case M_SQABS:
        case M_SQNEG:
          if (size === 3) {
            if (!q) return false;
            i.exec = misc2D;
            return;
          }
          break;
        case M_SUQADD:
        case M_USQADD:
          if (size === 3) {
            if (!q) return false;
            i.exec = misc2D;
            return;
          }
          break;
        case M_SHLL:
          if (size === 3) return false;
          i.op = S_SHLL + 32;
          i.imm = 8 << size;
          i.exec = shiftImm;
          return;
        default:
          return false;
      }
      i.ra = 0;
      i.exec = misc2;
    },
  },
  {
    name: 'AdvSIMD scalar two-register miscellaneous (saturating)',
    pattern: '01 u 11110 zz 10000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const op = (bits(raw, 29, 29) << 5) | bits(raw, 16, 12);
      const size = bits(raw, 23, 22);
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.sf = 0;
      i.ra = 1;
      i.imm2 = size;
      i.op = op;
      if (op === M_SQABS || op === M_SQNEG || op === M_SUQADD || op === M_USQADD) {
        i.exec = size === 3 ? misc2D : misc2;
        return;
      }
      if (size === 3) return false;
      if (op === M_SQXTN || op === M_UQXTN || op === M_SQXTUN || op === M_SUQADD || op === M_USQADD) {
        i.exec = misc2;
        return;
      }
      return false;
    },
  },
  {
    name: 'AdvSIMD scalar two-register miscellaneous (integer, D)',
    pattern: '01 u 11110 11 10000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const op = (bits(raw, 29, 29) << 5) | bits(raw, 16, 12);
      if (![M_CMGT0, M_CMEQ0, M_CMLT0, M_CMGE0, M_CMLE0, M_ABS, M_NEG].includes(op)) return false;
      i.op = op;
      i.sf = 0;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = misc2D;
    },
  },
  {
    name: 'AdvSIMD across lanes (integer)',
    pattern: '0 q u 01110 zz 11000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 16, 12);
      const u = bits(raw, 29, 29);
      const size = bits(raw, 23, 22);
      const q = bits(raw, 30, 30);
      if (size === 3 || (size === 2 && !q)) return false;
      switch (opc) {
        case 0b11011:
          if (u) return false;
          i.op = 0;
          break;
        case 0b01010:
          i.op = u ? 2 : 1;
          break;
        case 0b11010:
          i.op = u ? 4 : 3;
          break;
        case 0b00011:
          i.op = u ? 6 : 5;
          break;
        default:
          return false;
      }
      i.sf = q;
      i.imm2 = size;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = across;
    },
  },
  {
    name: 'AdvSIMD three different',
    pattern: '0 q u 01110 zz 1 mmmmm oooo 00 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 12);
      const u = bits(raw, 29, 29);
      const size = bits(raw, 23, 22);
      if (size === 3) return false;
      const ok = [T_ADDL, T_ADDW, T_SUBL, T_SUBW, T_ADDHN, T_ABAL, T_SUBHN, T_ABDL, T_MLAL, T_MLSL, T_MULL];
      const okQ = !u && (opc === T_QDMULL || opc === T_QDMLAL || opc === T_QDMLSL) && (size === 1 || size === 2);
      const okP = !u && opc === T_PMULL && size === 0;
      if (!ok.includes(opc) && !okQ && !okP) return false;
      i.ra = 0;
      i.op = (u << 4) | opc;
      i.sf = bits(raw, 30, 30);
      i.imm2 = size;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = threeDiff;
    },
  },
  {
    name: 'AdvSIMD scalar three different (SQDMULL/SQDMLAL/SQDMLSL)',
    pattern: '01 0 11110 zz 1 mmmmm oooo 00 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 12);
      const size = bits(raw, 23, 22);
      if ((opc !== T_QDMULL && opc !== T_QDMLAL && opc !== T_QDMLSL) || (size !== 1 && size !== 2)) return false;
      i.op = opc;
      i.imm2 = size;
      i.ra = 1;
      i.sf = 0;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = threeDiff;
    },
  },
  {
    name: 'AdvSIMD shift by immediate',
    pattern: '0 q u 011110 hhhh bbb ooooo 1 nnnnn ddddd',
    decode(raw, i) {
      const immh = bits(raw, 22, 19);
      if (immh === 0) return false; // modified immediate
      return decodeShift(raw, i, bits(raw, 30, 30), false);
    },
  },
  {
    name: 'AdvSIMD scalar shift by immediate (D)',
    pattern: '01 u 111110 hhhh bbb ooooo 1 nnnnn ddddd',
    decode(raw, i) {
      if (bits(raw, 22, 19) === 0) return false;
      return decodeShift(raw, i, 0, true); // B/H/S only for the saturating forms
    },
  },
  {
    name: 'AdvSIMD permute',
    pattern: '0 q 0 01110 zz 0 mmmmm 0 ooo 10 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 14, 12);
      const size = bits(raw, 23, 22);
      const q = bits(raw, 30, 30);
      if ((opc & 3) === 0 || (size === 3 && !q)) return false;
      i.op = opc;
      i.sf = q;
      i.imm2 = size;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = permute;
    },
  },
  {
    name: 'EXT',
    pattern: '0 q 101110 00 0 mmmmm 0 iiii 0 nnnnn ddddd',
    decode(raw, i) {
      const q = bits(raw, 30, 30);
      const imm4 = bits(raw, 14, 11);
      if (!q && imm4 >= 8) return false;
      i.sf = q;
      i.imm = imm4;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = ext;
    },
  },
  {
    name: 'TBL/TBX',
    pattern: '0 q 001110 00 0 mmmmm 0 ll o 00 nnnnn ddddd',
    decode(raw, i) {
      i.sf = bits(raw, 30, 30);
      i.imm = bits(raw, 14, 13) + 1;
      i.op = bits(raw, 12, 12);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.exec = tblx;
    },
  },
];

function addpScalar(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  add64(v[i.rn], v[i.rn + 1], v[i.rn + 2], v[i.rn + 3]);
  D[0] = r64lo;
  D[1] = r64hi;
  putD(cpu, i.rd, 0);
}

function decodeShift(raw: number, i: Insn, q: number, scalar: boolean): boolean {
  const immh = bits(raw, 22, 19);
  const immhb = bits(raw, 22, 16);
  const u = bits(raw, 29, 29);
  const opc = bits(raw, 15, 11);
  let size = 3;
  while (((immh >>> size) & 1) === 0) size--;
  const e = 8 << size;
  const op = (u << 5) | opc;
  i.sf = q;
  i.rn = vreg(raw, 5);
  i.rd = vreg(raw, 0);
  switch (op) {
    case S_SHR:
    case S_SHR + 32:
    case S_SRA:
    case S_SRA + 32:
    case S_RSHR:
    case S_RSHR + 32:
    case S_RSRA:
    case S_RSRA + 32:
    case S_SRI:
      i.imm = 2 * e - immhb;
      break;
    case S_SHL:
    case S_SLI:
      i.imm = immhb - e;
      break;
    case S_SHRN:
    case S_RSHRN:
      if (scalar || size === 3) return false;
      i.imm = 2 * e - immhb; // e is the narrow (destination) element size
      break;
    case S_SHLL:
    case S_SHLL + 32:
      if (scalar || size === 3) return false;
      i.imm = immhb - e;
      break;
    case Q_SQSHLU:
    case Q_SHL:
    case Q_SHL + 32:
      if (size === 3 && !q && !scalar) return false;
      i.imm = immhb - e;
      i.imm2 = size;
      i.op = op;
      i.ra = scalar ? 1 : 0;
      i.exec = qshiftImm;
      return true;
    case Q_SHRUN:
    case Q_SHRUN + 1:
    case Q_SHRN:
    case Q_SHRN + 1:
    case Q_SHRN + 32:
    case Q_SHRN + 33:
      if (size === 3) return false;
      i.imm = 2 * e - immhb;
      i.imm2 = size;
      i.op = op;
      i.ra = scalar ? 1 : 0;
      i.exec = qshiftImm;
      return true;
    default:
      return false;
  }
  if (size === 3 && !q && !scalar) return false;
  if (scalar && size !== 3) return false;
  i.imm2 = size;
  i.op = op;
  i.exec = shiftImm;
  return true;
}
