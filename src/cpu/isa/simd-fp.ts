// Advanced SIMD floating point (ARM ARM C4.1.90): three same (FADD/FSUB/FMUL/FDIV/FMLA/FMLS/
// FMAX/FMIN(NM)/FABD/compares/pairwise), two-register miscellaneous (FABS/FNEG/FSQRT/FRINT*/
// FCVT*/SCVTF/UCVTF/compares with zero/FCVTL/FCVTN/FCVTXN), across lanes, shift-by-immediate
// fixed-point conversions, and the scalar forms. Each lane reuses the scalar semantics in fpu.ts
// and fp.ts, so flags, NaNs and rounding match the scalar instructions bit for bit.
// Insn: sf = Q, imm2 = 1 for double lanes, op = operation, imm = fbits / mode.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk } from './fp-common.js';
import { A, B, C, D, getA, getB, getC, putD, AF32, BF32, DF32, AF64, BF64, DF64 } from './simd-lanes.js';
import {
  fp32, fp64, fma32, fma64, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, isNaN32, isNaN64, f32FromBits, f64FromBits,
  f32Bits, f64Bits, halfValue, toHalfBits, FPCR_AHP, flushIn, toFixed, roundTo, roundInt64, F32, F64, IOC, FPCR_DN, FPCR_FZ, FPCR_RMODE_SHIFT,
  RA, RO, denormIn32, denormIn64, isNaN16, isFast, finite32, finite64, fast32, fast64, nans32, nans64, recipEst, recpX, recipEstimate, recipSqrtEstimate,
} from '../fpu.js';
import { minmax32, minmax64, frint32, frint64, cvt32to64, cvt64to32, fcmp32, fcmp64 } from './fp.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);
const rmode = (cpu: Cpu): number => (cpu.fpcr >>> FPCR_RMODE_SHIFT) & 3;

// ---- three same ----
const F_ADD = 0; // F_ADD..F_DIV equal fpu.ts OP_ADD..OP_DIV (passed to fast32/fast64 as is)
const F_SUB = 1;
export const F_MUL = 2;
const F_DIV = 3;
const F_MAX = 4; // 4..7: FMAX FMIN FMAXNM FMINNM (minmax op = F - 4)
export const F_MLA = 8;
export const F_MLS = 9;
const F_CMEQ = 10;
const F_CMGE = 11;
const F_CMGT = 12;
const F_ACGE = 13;
const F_ACGT = 14;
const F_ABD = 15;
export const F_MULX = 16;
const F_RECPS = 17;
const F_RSQRTS = 18;

/**
 * FPRecipStepFused (2 - a*b) and FPRSqrtStepFused ((3 - a*b) / 2), one rounding; infinity * 0
 * gives 2.0 / 1.5. op1 is negated first (FPNeg), so a NaN op1 propagates with its sign flipped.
 */
function step32(cpu: Cpu, a: number, b: number, sqrt: boolean): number {
  a ^= 0x80000000;
  if (isNaN32(a) || isNaN32(b)) return nans32(cpu, a, b);
  const x = flushIn(cpu, f32FromBits(a), F32);
  const y = flushIn(cpu, f32FromBits(b), F32);
  const ix = Math.abs(x) === Infinity;
  const iy = Math.abs(y) === Infinity;
  if ((ix && y === 0) || (x === 0 && iy)) return sqrt ? 0x3fc00000 : 0x40000000;
  if (ix || iy) return ((f32Bits(x) ^ f32Bits(y)) & 0x80000000) | 0x7f800000;
  if (!sqrt) return fma32(cpu, 0x40000000, f32Bits(x), f32Bits(y));
  // (3 + x*y)/2 = 1.5 + (x/2)*y: exact rewrite while x/2 (or y/2) stays normal
  if (Math.abs(x) >= 2 ** -125) return fma32(cpu, 0x3fc00000, f32Bits(x / 2), f32Bits(y));
  if (Math.abs(y) >= 2 ** -125) return fma32(cpu, 0x3fc00000, f32Bits(x), f32Bits(y / 2));
  return f32Bits(f32FromBits(fma32(cpu, 0x40400000, f32Bits(x), f32Bits(y))) / 2); // ~3/2: exact halving
}
function step64(cpu: Cpu, alo: number, ahi: number, blo: number, bhi: number, sqrt: boolean): number {
  ahi ^= 0x80000000;
  if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) return nans64(cpu, alo, ahi, blo, bhi);
  const x = flushIn(cpu, f64FromBits(alo, ahi), F64);
  const y = flushIn(cpu, f64FromBits(blo, bhi), F64);
  const ix = Math.abs(x) === Infinity;
  const iy = Math.abs(y) === Infinity;
  if ((ix && y === 0) || (x === 0 && iy)) {
    cpu.tmpHi = sqrt ? 0x3ff80000 : 0x40000000;
    return 0;
  }
  if (ix || iy) {
    cpu.tmpHi = ((ahi ^ bhi) & 0x80000000) | 0x7ff00000;
    return 0;
  }
  let xl = f64Bits(cpu, x);
  let xh = cpu.tmpHi;
  let yl = f64Bits(cpu, y);
  let yh = cpu.tmpHi;
  if (!sqrt) return fma64(cpu, 0, 0x40000000, xl, xh, yl, yh);
  if (Math.abs(x) >= 2 ** -1021) {
    xl = f64Bits(cpu, x / 2);
    xh = cpu.tmpHi;
  } else if (Math.abs(y) >= 2 ** -1021) {
    yl = f64Bits(cpu, y / 2);
    yh = cpu.tmpHi;
  } else {
    const lo = fma64(cpu, 0, 0x40080000, xl, xh, yl, yh);
    return f64Bits(cpu, f64FromBits(lo, cpu.tmpHi) / 2);
  }
  return fma64(cpu, 0, 0x3ff80000, xl, xh, yl, yh);
}

/** Compare result for FCMEQ/FCMGE/FCMGT/FACGE/FACGT: NZCV from FPCompare. */
function cmpTrue(op: number, nzcv: number): boolean {
  if (nzcv === 0b0011) return false; // unordered
  switch (op) {
    case F_CMEQ:
      return nzcv === 0b0110;
    case F_CMGE:
    case F_ACGE:
      return nzcv !== 0b1000;
    default:
      return nzcv === 0b0010;
  }
}
function lane32(cpu: Cpu, op: number, a: number, b: number, c: number): number {
  switch (op) {
    case F_ADD:
    case F_SUB:
    case F_MUL:
    case F_DIV:
      return fp32(cpu, op === F_ADD ? OP_ADD : op === F_SUB ? OP_SUB : op === F_MUL ? OP_MUL : OP_DIV, a, b);
    case F_MLA:
      return fma32(cpu, c, a, b);
    case F_MLS:
      return fma32(cpu, c, a ^ 0x80000000, b);
    case F_ABD:
      return fp32(cpu, OP_SUB, a, b) & 0x7fffffff;
    case F_MULX: {
      // FMULX: infinity * zero gives 2.0 with the product's sign instead of the default NaN
      const x = a & 0x7fffffff;
      const y = b & 0x7fffffff;
      if (!isNaN32(a) && !isNaN32(b) && ((x === 0x7f800000 && fzZero32(cpu, y)) || (y === 0x7f800000 && fzZero32(cpu, x)))) {
        if (cpu.fpcr & FPCR_FZ) denormIn32(cpu, a), denormIn32(cpu, b);
        return ((a ^ b) & 0x80000000) | 0x40000000;
      }
      return fp32(cpu, OP_MUL, a, b);
    }
    case F_RECPS:
    case F_RSQRTS:
      return step32(cpu, a, b, op === F_RSQRTS);
    case F_CMEQ:
      return cmpTrue(op, fcmp32(cpu, a, b, false)) ? -1 : 0;
    case F_CMGE:
    case F_CMGT:
      return cmpTrue(op, fcmp32(cpu, a, b, true)) ? -1 : 0;
    case F_ACGE:
    case F_ACGT:
      return cmpTrue(op, fcmp32(cpu, a & 0x7fffffff, b & 0x7fffffff, true)) ? -1 : 0;
    default:
      return minmax32(cpu, a, b, op - F_MAX);
  }
}
function fzZero32(cpu: Cpu, x: number): boolean {
  return x === 0 || ((cpu.fpcr & FPCR_FZ) !== 0 && x < 0x800000);
}
/** One double lane: result lo, hi in cpu.tmpHi. */
function lane64(cpu: Cpu, op: number, alo: number, ahi: number, blo: number, bhi: number, clo: number, chi: number): number {
  switch (op) {
    case F_ADD:
    case F_SUB:
    case F_MUL:
    case F_DIV:
      return fp64(cpu, op === F_ADD ? OP_ADD : op === F_SUB ? OP_SUB : op === F_MUL ? OP_MUL : OP_DIV, alo, ahi, blo, bhi);
    case F_MLA:
      return fma64(cpu, clo, chi, alo, ahi, blo, bhi);
    case F_MLS:
      return fma64(cpu, clo, chi, alo, ahi ^ 0x80000000, blo, bhi);
    case F_ABD: {
      const lo = fp64(cpu, OP_SUB, alo, ahi, blo, bhi);
      cpu.tmpHi &= 0x7fffffff;
      return lo;
    }
    case F_MULX: {
      const x = ahi & 0x7fffffff;
      const y = bhi & 0x7fffffff;
      const ia = x === 0x7ff00000 && alo === 0;
      const ib = y === 0x7ff00000 && blo === 0;
      if ((ia && fzZero64(cpu, y, blo)) || (ib && fzZero64(cpu, x, alo))) {
        if (cpu.fpcr & FPCR_FZ) denormIn64(cpu, ahi, alo), denormIn64(cpu, bhi, blo);
        cpu.tmpHi = ((ahi ^ bhi) & 0x80000000) | 0x40000000;
        return 0;
      }
      return fp64(cpu, OP_MUL, alo, ahi, blo, bhi);
    }
    case F_RECPS:
    case F_RSQRTS:
      return step64(cpu, alo, ahi, blo, bhi, op === F_RSQRTS);
    case F_CMEQ:
    case F_CMGE:
    case F_CMGT:
    case F_ACGE:
    case F_ACGT: {
      const abs = op === F_ACGE || op === F_ACGT ? 0x7fffffff : -1;
      const t = cmpTrue(op, fcmp64(cpu, alo, ahi & abs, blo, bhi & abs, op !== F_CMEQ)) ? -1 : 0;
      cpu.tmpHi = t;
      return t;
    }
    default:
      return minmax64(cpu, alo, ahi, blo, bhi, op - F_MAX);
  }
}
function fzZero64(cpu: Cpu, hi: number, lo: number): boolean {
  return (hi | lo) === 0 || ((cpu.fpcr & FPCR_FZ) !== 0 && hi < 0x100000);
}
function fpSame(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  fpSameCore(cpu, i);
}
/** The lanes of FP three same with A, B, C loaded (shared with the by-element forms). */
export function fpSameCore(cpu: Cpu, i: Insn): void {
  const op = i.op;
  // FADD/FSUB/FMUL/FDIV lanes with finite operands under RN, FZ = 0: the number fast path,
  // which declines (leaving no flags) to the per-lane bit-level semantics.
  const fast = op <= F_DIV && isFast(cpu);
  if (i.imm2) {
    const n = i.sf ? 2 : 1;
    for (let k = 0; k < n; k++) {
      if (fast && finite64(A[2 * k + 1]) && finite64(B[2 * k + 1])) {
        const r = fast64(cpu, op, AF64[k], BF64[k]);
        if (r === r) {
          DF64[k] = r;
          continue;
        }
      }
      D[2 * k] = lane64(cpu, op, A[2 * k], A[2 * k + 1], B[2 * k], B[2 * k + 1], C[2 * k], C[2 * k + 1]);
      D[2 * k + 1] = cpu.tmpHi;
    }
  } else {
    const n = i.sf ? 4 : i.imm3 ? 1 : 2; // imm3 = 1: scalar S form
    for (let k = 0; k < n; k++) {
      if (fast && finite32(A[k]) && finite32(B[k])) {
        const r = fast32(cpu, op, AF32[k], BF32[k]);
        if (r === r) {
          DF32[k] = r;
          continue;
        }
      }
      D[k] = lane32(cpu, op, A[k], B[k], C[k]);
    }
    if (i.imm3) D[1] = 0;
  }
  putD(cpu, i.rd, i.sf);
}
// Pairwise: FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP on the concatenation Vn:Vm (Vn low).
function fpPairwise(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  const op = i.op;
  if (i.imm2) {
    D[0] = lane64(cpu, op, A[0], A[1], A[2], A[3], 0, 0);
    D[1] = cpu.tmpHi;
    D[2] = lane64(cpu, op, B[0], B[1], B[2], B[3], 0, 0);
    D[3] = cpu.tmpHi;
  } else if (i.sf) {
    const r0 = lane32(cpu, op, A[0], A[1], 0);
    const r1 = lane32(cpu, op, A[2], A[3], 0);
    const r2 = lane32(cpu, op, B[0], B[1], 0);
    D[3] = lane32(cpu, op, B[2], B[3], 0);
    D[0] = r0;
    D[1] = r1;
    D[2] = r2;
  } else {
    D[0] = lane32(cpu, op, A[0], A[1], 0);
    D[1] = lane32(cpu, op, B[0], B[1], 0);
  }
  putD(cpu, i.rd, i.sf);
}
// Scalar pairwise (FADDP/FMAXP/... Sd|Dd, Vn.2S|2D): one pair from Vn.
function fpPairScalar(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  D[0] = D[1] = D[2] = D[3] = 0;
  if (i.imm2) {
    D[0] = lane64(cpu, i.op, A[0], A[1], A[2], A[3], 0, 0);
    D[1] = cpu.tmpHi;
  } else D[0] = lane32(cpu, i.op, A[0], A[1], 0);
  putD(cpu, i.rd, 0);
}
// Across lanes (4S): FMAXNMV, FMINNMV, FMAXV, FMINV reduce pairwise as the ARM ARM's Reduce().
function fpAcross(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  const op = i.op;
  const lo = lane32(cpu, op, A[0], A[1], 0);
  const hi = lane32(cpu, op, A[2], A[3], 0);
  D[0] = lane32(cpu, op, lo, hi, 0);
  D[1] = D[2] = D[3] = 0;
  putD(cpu, i.rd, 0);
}

// ---- two-register miscellaneous ----
const M_ABS = 0;
const M_NEG = 1;
const M_SQRT = 2;
const M_RINT = 3; // i.imm = mode (-1 FPCR), i.imm3 = 1 for FRINTX
const M_CVTI = 4; // to integer: i.imm = mode, i.imm3 = 1 unsigned; fbits in i.ra
const M_CVTF = 5; // from integer: i.imm3 = 1 unsigned; fbits in i.ra
const M_CMP0 = 6; // i.imm = F_CMEQ / F_CMGE / F_CMGT / 20 (LE) / 21 (LT)
const M_CVTN = 8;
const M_CVTXN = 9;
const M_RECPE = 10; // FRECPE / FRSQRTE (i.imm = 1)
const M_URECPE = 11; // URECPE / URSQRTE (i.imm = 1)
const M_RECPX = 12;
const CMLE = 20;
const CMLT = 21;

function misc32(cpu: Cpu, i: Insn, a: number): number {
  switch (i.op) {
    case M_RECPE:
      return recipEst(cpu, a, 0, F32, i.imm === 1);
    case M_RECPX:
      return recpX(cpu, a, 0, F32);
    case M_URECPE:
      if (i.imm === 1) return (a >>> 30) === 0 ? -1 : recipSqrtEstimate((a >>> 23) & 0x1ff) << 23;
      return a >= 0 ? -1 : recipEstimate((a >>> 23) & 0x1ff) << 23;
    case M_ABS:
      return a & 0x7fffffff;
    case M_NEG:
      return a ^ 0x80000000;
    case M_SQRT:
      return fp32(cpu, OP_SQRT, a, 0);
    case M_RINT:
      return frint32(cpu, a, i.imm, i.imm3 === 1);
    case M_CVTI: {
      if (isNaN32(a)) {
        cpu.fpsr |= IOC;
        return 0;
      }
      const x = flushIn(cpu, f32FromBits(a), F32);
      return toFixed(cpu, x, i.ra, i.imm3 === 0, 32, i.imm < 0 ? rmode(cpu) : i.imm);
    }
    case M_CVTF: {
      const x = (i.imm3 ? a >>> 0 : a) * 2 ** -i.ra;
      return f32Bits(roundTo(cpu, F32, x, rmode(cpu)));
    }
    default: {
      // compare with zero: FCMEQ/FCMGE/FCMGT (a op 0), FCMLE/FCMLT (0 op' a)
      const c = i.imm;
      if (c === CMLE || c === CMLT) return cmpTrue(c === CMLE ? F_CMGE : F_CMGT, fcmp32(cpu, 0, a, true)) ? -1 : 0;
      return cmpTrue(c, fcmp32(cpu, a, 0, c !== F_CMEQ)) ? -1 : 0;
    }
  }
}
function misc64(cpu: Cpu, i: Insn, lo: number, hi: number): number {
  switch (i.op) {
    case M_RECPE:
      return recipEst(cpu, lo, hi, F64, i.imm === 1);
    case M_RECPX:
      return recpX(cpu, lo, hi, F64);
    case M_ABS:
      cpu.tmpHi = hi & 0x7fffffff;
      return lo;
    case M_NEG:
      cpu.tmpHi = hi ^ 0x80000000;
      return lo;
    case M_SQRT:
      return fp64(cpu, OP_SQRT, lo, hi, 0, 0);
    case M_RINT:
      return frint64(cpu, lo, hi, i.imm, i.imm3 === 1);
    case M_CVTI: {
      if (isNaN64(lo, hi)) {
        cpu.fpsr |= IOC;
        cpu.tmpHi = 0;
        return 0;
      }
      const x = flushIn(cpu, f64FromBits(lo, hi), F64);
      return toFixed(cpu, x, i.ra, i.imm3 === 0, 64, i.imm < 0 ? rmode(cpu) : i.imm);
    }
    case M_CVTF:
      return f64Bits(cpu, roundInt64(cpu, F64, lo, hi, i.imm3 === 0, i.ra, rmode(cpu)));
    default: {
      const c = i.imm;
      let t: boolean;
      if (c === CMLE || c === CMLT) t = cmpTrue(c === CMLE ? F_CMGE : F_CMGT, fcmp64(cpu, 0, 0, lo, hi, true));
      else t = cmpTrue(c, fcmp64(cpu, lo, hi, 0, 0, c !== F_CMEQ));
      cpu.tmpHi = t ? -1 : 0;
      return t ? -1 : 0;
    }
  }
}
function fpMisc(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  if (i.imm2) {
    const n = i.sf ? 2 : 1;
    for (let k = 0; k < n; k++) {
      D[2 * k] = misc64(cpu, i, A[2 * k], A[2 * k + 1]);
      D[2 * k + 1] = cpu.tmpHi;
    }
    if (n === 1) D[2] = D[3] = 0;
  } else {
    const n = i.sf ? 4 : i.rm ? 1 : 2; // rm = 1: scalar S form
    for (let k = 0; k < n; k++) D[k] = misc32(cpu, i, A[k]);
    if (i.rm) D[1] = 0;
  }
  putD(cpu, i.rd, i.sf);
}
/** binary32 -> binary16 (FPConvert, honouring FPCR.AHP and DN). */
function to16(cpu: Cpu, w: number): number {
  const nan = isNaN32(w);
  const x = nan ? 0 : flushIn(cpu, f32FromBits(w), F32);
  return toHalfBits(cpu, x, (w >>> 16) & 0x8000, (w >>> 13) & 0x1ff, (w & 0x400000) !== 0, nan, rmode(cpu));
}
function from16(cpu: Cpu, h: number): number {
  if ((cpu.fpcr & FPCR_AHP) === 0 && isNaN16(h)) {
    if ((h & 0x200) === 0) cpu.fpsr |= IOC;
    if (cpu.fpcr & FPCR_DN) return 0x7fc00000;
    return ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
  }
  return f32Bits(halfValue(cpu, h));
}
// FCVTL(2): widen the lower (Q=0) or upper (Q=1) half. imm2 = 1: single -> double.
function fcvtl(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  const off = i.sf ? 2 : 0;
  if (i.imm2) {
    const x0 = A[off];
    const x1 = A[off + 1];
    D[0] = cvt32to64(cpu, x0);
    D[1] = cpu.tmpHi;
    D[2] = cvt32to64(cpu, x1);
    D[3] = cpu.tmpHi;
  } else {
    const w0 = A[off];
    const w1 = A[off + 1];
    D[0] = from16(cpu, w0 & 0xffff);
    D[1] = from16(cpu, w0 >>> 16);
    D[2] = from16(cpu, w1 & 0xffff);
    D[3] = from16(cpu, w1 >>> 16);
  }
  putD(cpu, i.rd, 1);
}
// FCVTN(2)/FCVTXN(2): narrow into the lower half (Q=0, upper zeroed) or the upper half (Q=1).
function fcvtn(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  let r0: number;
  let r1: number;
  if (i.imm2) {
    if (i.op === M_CVTXN) {
      r0 = cvtOdd(cpu, A[0], A[1]);
      r1 = cvtOdd(cpu, A[2], A[3]);
    } else {
      r0 = cvt64to32(cpu, A[0], A[1]);
      r1 = cvt64to32(cpu, A[2], A[3]);
    }
  } else {
    r0 = (to16(cpu, A[0]) & 0xffff) | (to16(cpu, A[1]) << 16);
    r1 = (to16(cpu, A[2]) & 0xffff) | (to16(cpu, A[3]) << 16);
  }
  if (i.sf) {
    D[0] = C[0];
    D[1] = C[1];
    D[2] = r0;
    D[3] = r1;
  } else {
    D[0] = r0;
    D[1] = r1;
  }
  putD(cpu, i.rd, i.sf);
}
/** FCVTXN: double -> single rounding to odd (FPCR.RMode ignored). */
function cvtOdd(cpu: Cpu, lo: number, hi: number): number {
  if (isNaN64(lo, hi)) return cvt64to32(cpu, lo, hi);
  const x = flushIn(cpu, f64FromBits(lo, hi), F64);
  return f32Bits(roundTo(cpu, F32, x, RO));
}

// ---- decode ----
/** Three same FP: (U, a, opcode) -> op, or -1. Pairwise ops are returned as op + 100. */
function sameOp(u: number, a: number, opc: number): number {
  const k = (u << 4) | (a << 3) | (opc - 24);
  switch (k) {
    case 0x00: return F_MAX + 2; // FMAXNM
    case 0x01: return F_MLA;
    case 0x02: return F_ADD;
    case 0x03: return F_MULX;
    case 0x04: return F_CMEQ;
    case 0x06: return F_MAX;
    case 0x07: return F_RECPS;
    case 0x0f: return F_RSQRTS;
    case 0x08: return F_MAX + 3; // FMINNM
    case 0x09: return F_MLS;
    case 0x0a: return F_SUB;
    case 0x0e: return F_MAX + 1; // FMIN
    case 0x10: return 100 + F_MAX + 2; // FMAXNMP
    case 0x12: return 100 + F_ADD; // FADDP
    case 0x13: return F_MUL;
    case 0x14: return F_CMGE;
    case 0x15: return F_ACGE;
    case 0x16: return 100 + F_MAX; // FMAXP
    case 0x17: return F_DIV;
    case 0x18: return 100 + F_MAX + 3; // FMINNMP
    case 0x1a: return F_ABD;
    case 0x1c: return F_CMGT;
    case 0x1d: return F_ACGT;
    case 0x1e: return 100 + F_MAX + 1; // FMINP
  }
  return -1;
}
/** Two-register misc FP: fills i.op/i.imm/i.imm3; false if not an FP misc op here. */
function miscOp(u: number, a: number, opc: number, i: Insn): boolean {
  i.ra = 0;
  const k = (u << 6) | (a << 5) | opc;
  switch (k) {
    case 0x2f: i.op = M_ABS; return true; // FABS
    case 0x6f: i.op = M_NEG; return true; // FNEG
    case 0x7f: i.op = M_SQRT; return true; // FSQRT
    case 0x18: i.op = M_RINT; i.imm = 0; return true; // FRINTN
    case 0x38: i.op = M_RINT; i.imm = 1; return true; // FRINTP
    case 0x19: i.op = M_RINT; i.imm = 2; return true; // FRINTM
    case 0x39: i.op = M_RINT; i.imm = 3; return true; // FRINTZ
    case 0x58: i.op = M_RINT; i.imm = RA; return true; // FRINTA
    case 0x59: i.op = M_RINT; i.imm = -1; i.imm3 = 1; return true; // FRINTX
    case 0x79: i.op = M_RINT; i.imm = -1; return true; // FRINTI
    case 0x1a: case 0x5a: i.op = M_CVTI; i.imm = 0; i.imm3 = u; return true; // FCVTNS/NU
    case 0x3a: case 0x7a: i.op = M_CVTI; i.imm = 1; i.imm3 = u; return true; // FCVTPS/PU
    case 0x1b: case 0x5b: i.op = M_CVTI; i.imm = 2; i.imm3 = u; return true; // FCVTMS/MU
    case 0x3b: case 0x7b: i.op = M_CVTI; i.imm = 3; i.imm3 = u; return true; // FCVTZS/ZU
    case 0x1c: case 0x5c: i.op = M_CVTI; i.imm = RA; i.imm3 = u; return true; // FCVTAS/AU
    case 0x1d: case 0x5d: i.op = M_CVTF; i.imm3 = u; return true; // SCVTF/UCVTF
    case 0x3d: i.op = M_RECPE; i.imm = 0; return true; // FRECPE
    case 0x7d: i.op = M_RECPE; i.imm = 1; return true; // FRSQRTE
    case 0x3c: i.op = M_URECPE; i.imm = 0; return true; // URECPE
    case 0x7c: i.op = M_URECPE; i.imm = 1; return true; // URSQRTE
    case 0x3f: i.op = M_RECPX; return true; // FRECPX (scalar only)
    case 0x2c: i.op = M_CMP0; i.imm = F_CMGT; return true;
    case 0x2d: i.op = M_CMP0; i.imm = F_CMEQ; return true;
    case 0x2e: i.op = M_CMP0; i.imm = CMLT; return true;
    case 0x6c: i.op = M_CMP0; i.imm = F_CMGE; return true;
    case 0x6d: i.op = M_CMP0; i.imm = CMLE; return true;
  }
  return false;
}

export const simdFp: Encoding[] = [
  {
    name: 'AdvSIMD three same (FP)',
    pattern: '0 q u 01110 a z 1 mmmmm 11 ooo 1 nnnnn ddddd',
    decode(raw, i) {
      const op = sameOp(bits(raw, 29, 29), bits(raw, 23, 23), bits(raw, 15, 11));
      const q = bits(raw, 30, 30);
      const sz = bits(raw, 22, 22);
      if (op < 0 || (sz && !q)) return false;
      i.sf = q;
      i.imm2 = sz;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.op = op >= 100 ? op - 100 : op;
      i.exec = op >= 100 ? fpPairwise : fpSame;
    },
  },
  {
    name: 'AdvSIMD scalar three same (FP)',
    pattern: '01 u 11110 a z 1 mmmmm 11 ooo 1 nnnnn ddddd',
    decode(raw, i) {
      const op = sameOp(bits(raw, 29, 29), bits(raw, 23, 23), bits(raw, 15, 11));
      // scalar forms: FMULX, FCMEQ, FCMGE, FCMGT, FACGE, FACGT, FABD
      if (![F_MULX, F_CMEQ, F_CMGE, F_CMGT, F_ACGE, F_ACGT, F_ABD, F_RECPS, F_RSQRTS].includes(op)) return false;
      i.sf = 0;
      i.imm2 = bits(raw, 22, 22);
      i.imm3 = 1;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.op = op;
      i.exec = fpSame;
    },
  },
  {
    name: 'AdvSIMD scalar pairwise (FP)',
    pattern: '01 1 11110 a z 11000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const a = bits(raw, 23, 23);
      const opc = bits(raw, 16, 12);
      let op: number;
      if (opc === 0b01100) op = a ? F_MAX + 3 : F_MAX + 2;
      else if (opc === 0b01101 && !a) op = F_ADD;
      else if (opc === 0b01111) op = a ? F_MAX + 1 : F_MAX;
      else return false;
      i.op = op;
      i.imm2 = bits(raw, 22, 22);
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = fpPairScalar;
    },
  },
  {
    name: 'AdvSIMD across lanes (FP)',
    pattern: '0 1 1 01110 a 0 11000 011 oo 10 nnnnn ddddd',
    decode(raw, i) {
      const a = bits(raw, 23, 23);
      const opc = bits(raw, 13, 12);
      if (opc === 0) i.op = a ? F_MAX + 3 : F_MAX + 2; // FMINNMV / FMAXNMV
      else if (opc === 3) i.op = a ? F_MAX + 1 : F_MAX; // FMINV / FMAXV
      else return false;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = fpAcross;
    },
  },
  {
    name: 'AdvSIMD two-register miscellaneous (FP)',
    pattern: '0 q u 01110 a z 10000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const u = bits(raw, 29, 29);
      const a = bits(raw, 23, 23);
      const sz = bits(raw, 22, 22);
      const opc = bits(raw, 16, 12);
      const q = bits(raw, 30, 30);
      i.sf = q;
      i.imm2 = sz;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      if (a === 0 && (opc === 0b10110 || opc === 0b10111)) {
        if (opc === 0b10111) {
          if (u) return false;
          i.exec = fcvtl;
          return;
        }
        if (u && !sz) return false; // FCVTXN needs double sources
        i.op = u ? M_CVTXN : M_CVTN;
        i.exec = fcvtn;
        return;
      }
      if (!miscOp(u, a, opc, i)) return false;
      if (sz && !q) return false;
      if (i.op === M_RECPX || (i.op === M_URECPE && sz)) return false;
      i.rm = 0;
      i.exec = fpMisc;
    },
  },
  {
    name: 'AdvSIMD scalar two-register miscellaneous (FP)',
    pattern: '01 u 11110 a z 10000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const u = bits(raw, 29, 29);
      const a = bits(raw, 23, 23);
      const sz = bits(raw, 22, 22);
      const opc = bits(raw, 16, 12);
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.sf = 0;
      i.imm2 = sz;
      if (u && a === 0 && opc === 0b10110) {
        if (!sz) return false;
        i.op = M_CVTXN;
        i.exec = fcvtnScalar;
        return;
      }
      if (!miscOp(u, a, opc, i)) return false;
      // scalar forms exist for the conversions and compares with zero only
      if (i.op !== M_CVTI && i.op !== M_CVTF && i.op !== M_CMP0 && i.op !== M_RECPE && i.op !== M_RECPX) return false;
      i.rm = 1;
      i.exec = fpMisc;
    },
  },
  {
    name: 'AdvSIMD shift by immediate (FP fixed-point conversions)',
    pattern: '0 q u 011110 hhhh bbb 111 oo 1 nnnnn ddddd',
    decode(raw, i) {
      return decodeFixed(raw, i, bits(raw, 30, 30), false);
    },
  },
  {
    name: 'AdvSIMD scalar shift by immediate (FP fixed-point conversions)',
    pattern: '01 u 111110 hhhh bbb 111 oo 1 nnnnn ddddd',
    decode(raw, i) {
      return decodeFixed(raw, i, 0, true);
    },
  },
];

function fcvtnScalar(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  D[0] = cvtOdd(cpu, A[0], A[1]);
  D[1] = D[2] = D[3] = 0;
  putD(cpu, i.rd, 0);
}

function decodeFixed(raw: number, i: Insn, q: number, scalar: boolean): boolean {
  const immh = bits(raw, 22, 19);
  const immhb = bits(raw, 22, 16);
  const u = bits(raw, 29, 29);
  const opc = bits(raw, 15, 11); // 11111 FCVTZS/FCVTZU, 11100 SCVTF/UCVTF
  if (opc !== 0b11111 && opc !== 0b11100) return false;
  const toInt = opc === 0b11111;
  let esize: number;
  if (immh & 8) esize = 64;
  else if (immh & 4) esize = 32;
  else return false; // half precision (FP16: fp16.ts) and reserved
  if (esize === 64 && !q && !scalar) return false;
  i.sf = q;
  i.imm2 = esize === 64 ? 1 : 0;
  i.ra = 2 * esize - immhb; // fbits
  i.rn = vreg(raw, 5);
  i.rd = vreg(raw, 0);
  i.rm = scalar ? 1 : 0;
  if (toInt) {
    i.op = M_CVTI;
    i.imm = 3;
  } else i.op = M_CVTF;
  i.imm3 = u;
  i.exec = fpMisc;
  return true;
}
