// Scalar floating point (ARM ARM C4.1.90, "Data Processing -- Scalar Floating-Point and Advanced
// SIMD": FP data-processing 1/2/3 source, compare, conditional compare/select, immediate, and the
// conversions between FP and integer or fixed point). Single (ftype 00) and double (01), and FCVT
// to or from half precision; every other half-precision form (ftype 11, FEAT_FP16) declines here
// and is decoded by fp16.ts, whose encodings close the table.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR, conditionHolds } from './common.js';
import { fpOk, wrS, wrD, expandImm32, expandImm64Hi, f64View, f32View } from './fp-common.js';
import { fp16Scalar } from './fp16.js';
import {
  fp32,
  fp64,
  fma32,
  fma64,
  fast64,
  fast32,
  fastFma64,
  isFast,
  finite64,
  finite32,
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_SQRT,
  isNaN32,
  isNaN64,
  isNaN16,
  nans32,
  nans64,
  nan32,
  nan64,
  f32FromBits,
  f64FromBits,
  f32Bits,
  f64Bits,
  flushIn,
  minmax,
  cmpFlags,
  roundIntegral,
  roundTo,
  roundInt64,
  toFixed,
  F16,
  F32,
  F64,
  IOC,
  IXC,
  FPCR_DN,
  FPCR_AHP,
  halfValue,
  toHalfBits,
  FPCR_FZ,
  denormIn32,
  denormIn64,
  FPCR_RMODE_SHIFT,
  RA,
  DEFAULT_NAN32,
  DEFAULT_NAN64_HI,
} from '../fpu.js';

const rmode = (cpu: Cpu): number => (cpu.fpcr >>> FPCR_RMODE_SHIFT) & 3;

// ---- 2-source: FADD FSUB FMUL FDIV FNMUL (i.op = OP_*) ----
function arith2S(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  if (isFast(cpu) && finite32(v[i.rn]) && finite32(v[i.rm])) {
    const f = f32View(v);
    const r = fast32(cpu, i.op, f[i.rn], f[i.rm]);
    if (r === r) {
      f[i.rd] = r;
      v[i.rd + 1] = v[i.rd + 2] = v[i.rd + 3] = 0;
      return;
    }
  }
  wrS(cpu, i.rd, fp32(cpu, i.op, v[i.rn], v[i.rm]));
}
function arith2D(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  if (isFast(cpu) && finite64(v[i.rn + 1]) && finite64(v[i.rm + 1])) {
    const f = f64View(v);
    const r = fast64(cpu, i.op, f[i.rn >> 1], f[i.rm >> 1]);
    if (r === r) {
      f[i.rd >> 1] = r;
      v[i.rd + 2] = v[i.rd + 3] = 0;
      return;
    }
  }
  const lo = fp64(cpu, i.op, v[i.rn], v[i.rn + 1], v[i.rm], v[i.rm + 1]);
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}
// FNMUL: FPNeg(FPMul(...)): the sign of the result flips even when it is a NaN.
function fnmulS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  wrS(cpu, i.rd, fp32(cpu, OP_MUL, v[i.rn], v[i.rm]) ^ 0x80000000);
}
function fnmulD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const lo = fp64(cpu, OP_MUL, v[i.rn], v[i.rn + 1], v[i.rm], v[i.rm + 1]);
  wrD(cpu, i.rd, lo, cpu.tmpHi ^ 0x80000000);
}

// ---- FMAX FMIN FMAXNM FMINNM (i.op: bit0 = min, bit1 = NM) ----
/** FPMax/FPMin/FPMaxNum/FPMinNum on single bits. */
export function minmax32(cpu: Cpu, a: number, b: number, op: number): number {
  const isMax = (op & 1) === 0;
  if (isNaN32(a) || isNaN32(b)) {
    if (op & 2) {
      // FPMaxNum: a quiet NaN against a number loses (the number is returned).
      const qa = isNaN32(a) && (a & 0x400000) !== 0;
      const qb = isNaN32(b) && (b & 0x400000) !== 0;
      if (qa && !isNaN32(b)) a = isMax ? 0xff800000 | 0 : 0x7f800000;
      else if (qb && !isNaN32(a)) b = isMax ? 0xff800000 | 0 : 0x7f800000;
      if (isNaN32(a) || isNaN32(b)) return nans32(cpu, a, b);
    } else return nans32(cpu, a, b);
  }
  const x = flushIn(cpu, f32FromBits(a), F32);
  const y = flushIn(cpu, f32FromBits(b), F32);
  return f32Bits(minmax(x, y, isMax));
}
export function minmax64(cpu: Cpu, alo: number, ahi: number, blo: number, bhi: number, op: number): number {
  const isMax = (op & 1) === 0;
  if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) {
    if (op & 2) {
      const qa = isNaN64(alo, ahi) && (ahi & 0x80000) !== 0;
      const qb = isNaN64(blo, bhi) && (bhi & 0x80000) !== 0;
      if (qa && !isNaN64(blo, bhi)) {
        alo = 0;
        ahi = isMax ? 0xfff00000 | 0 : 0x7ff00000;
      } else if (qb && !isNaN64(alo, ahi)) {
        blo = 0;
        bhi = isMax ? 0xfff00000 | 0 : 0x7ff00000;
      }
      if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) return nans64(cpu, alo, ahi, blo, bhi);
    } else return nans64(cpu, alo, ahi, blo, bhi);
  }
  const x = flushIn(cpu, f64FromBits(alo, ahi), F64);
  const y = flushIn(cpu, f64FromBits(blo, bhi), F64);
  return f64Bits(cpu, minmax(x, y, isMax));
}
function minmaxS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  wrS(cpu, i.rd, minmax32(cpu, v[i.rn], v[i.rm], i.op));
}
function minmaxD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const lo = minmax64(cpu, v[i.rn], v[i.rn + 1], v[i.rm], v[i.rm + 1], i.op);
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}

// ---- 3-source: FMADD FMSUB FNMADD FNMSUB. i.op bit0 negates op1 (Rn), bit1 negates Ra. ----
// The negations are FPNeg on the operands before FPMulAdd (so a NaN operand's sign flips too).
function fmaS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const a = v[i.rn] ^ (i.op & 1 ? 0x80000000 : 0);
  const c = v[i.ra] ^ (i.op & 2 ? 0x80000000 : 0);
  wrS(cpu, i.rd, fma32(cpu, c, a, v[i.rm]));
}
function fmaD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  if (isFast(cpu) && finite64(v[i.rn + 1]) && finite64(v[i.rm + 1]) && finite64(v[i.ra + 1])) {
    const f = f64View(v);
    const a = f[i.rn >> 1];
    const c = f[i.ra >> 1];
    const r = fastFma64(cpu, i.op & 2 ? -c : c, i.op & 1 ? -a : a, f[i.rm >> 1]);
    if (r === r) {
      f[i.rd >> 1] = r;
      v[i.rd + 2] = v[i.rd + 3] = 0;
      return;
    }
  }
  const ahi = v[i.rn + 1] ^ (i.op & 1 ? 0x80000000 : 0);
  const chi = v[i.ra + 1] ^ (i.op & 2 ? 0x80000000 : 0);
  const lo = fma64(cpu, v[i.ra], chi, v[i.rn], ahi, v[i.rm], v[i.rm + 1]);
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}

// ---- 1-source ----
function fmovS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, cpu.vr[i.rn]);
}
function fmovD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrD(cpu, i.rd, cpu.vr[i.rn], cpu.vr[i.rn + 1]);
}
// FABS/FNEG: sign-bit operations, no NaN processing and no flags (ARM ARM FPAbs/FPNeg).
function fabsS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, cpu.vr[i.rn] & 0x7fffffff);
}
function fabsD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrD(cpu, i.rd, cpu.vr[i.rn], cpu.vr[i.rn + 1] & 0x7fffffff);
}
function fnegS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, cpu.vr[i.rn] ^ 0x80000000);
}
function fnegD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrD(cpu, i.rd, cpu.vr[i.rn], cpu.vr[i.rn + 1] ^ 0x80000000);
}
function fsqrtS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, fp32(cpu, OP_SQRT, cpu.vr[i.rn], 0));
}
function fsqrtD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = fp64(cpu, OP_SQRT, cpu.vr[i.rn], cpu.vr[i.rn + 1], 0, 0);
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}

/** FPRoundInt on single bits; mode -1 means FPCR.RMode; exact: FRINTX raises IXC when inexact. */
export function frint32(cpu: Cpu, w: number, mode: number, exact: boolean): number {
  if (isNaN32(w)) return nan32(cpu, w);
  const x = flushIn(cpu, f32FromBits(w), F32);
  if (x === 0 || Math.abs(x) === Infinity) return f32Bits(x);
  const r = roundIntegral(x, mode < 0 ? rmode(cpu) : mode);
  if (exact && r !== x) cpu.fpsr |= IXC;
  return f32Bits(r);
}
export function frint64(cpu: Cpu, lo: number, hi: number, mode: number, exact: boolean): number {
  if (isNaN64(lo, hi)) return nan64(cpu, lo, hi);
  const x = flushIn(cpu, f64FromBits(lo, hi), F64);
  if (x === 0 || Math.abs(x) === Infinity) return f64Bits(cpu, x);
  const r = roundIntegral(x, mode < 0 ? rmode(cpu) : mode);
  if (exact && r !== x) cpu.fpsr |= IXC;
  return f64Bits(cpu, r);
}
// FRINT<N,P,M,Z,A,X,I>: i.op = mode (-1: FPCR), i.imm = 1 for FRINTX.
function frintS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, frint32(cpu, cpu.vr[i.rn], i.op, i.imm === 1));
}
function frintD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = frint64(cpu, cpu.vr[i.rn], cpu.vr[i.rn + 1], i.op, i.imm === 1);
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}

// ---- FCVT between precisions (FPConvert; NaNs by FPConvertNaN: payload kept from the top) ----
/** Read a value of format `from` from V[n] as a JS number, or handle a NaN: returns null. */
export function cvt32to64(cpu: Cpu, w: number): number {
  if (isNaN32(w)) {
    if ((w & 0x400000) === 0) cpu.fpsr |= IOC;
    if (cpu.fpcr & FPCR_DN) {
      cpu.tmpHi = DEFAULT_NAN64_HI;
      return 0;
    }
    cpu.tmpHi = (w & 0x80000000) | 0x7ff80000 | ((w & 0x3fffff) >>> 3);
    return (w & 7) << 29;
  }
  return f64Bits(cpu, flushIn(cpu, f32FromBits(w), F32));
}
export function cvt64to32(cpu: Cpu, lo: number, hi: number): number {
  if (isNaN64(lo, hi)) {
    if ((hi & 0x80000) === 0) cpu.fpsr |= IOC;
    if (cpu.fpcr & FPCR_DN) return DEFAULT_NAN32;
    return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  }
  const x = flushIn(cpu, f64FromBits(lo, hi), F64);
  return f32Bits(roundTo(cpu, F32, x, rmode(cpu)));
}
function cvt16(cpu: Cpu, h: number, toFmt: number): number {
  // half -> single/double: exact (FZ16 does not apply to conversions); NaN keeps its payload top.
  // With FPCR.AHP the half has no NaNs or infinities.
  if ((cpu.fpcr & FPCR_AHP) === 0 && isNaN16(h)) {
    if ((h & 0x200) === 0) cpu.fpsr |= IOC;
    const dn = (cpu.fpcr & FPCR_DN) !== 0;
    if (toFmt === F32) return dn ? DEFAULT_NAN32 : ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
    cpu.tmpHi = dn ? DEFAULT_NAN64_HI : ((h & 0x8000) << 16) | 0x7ff80000 | ((h & 0x1ff) << 10);
    return 0;
  }
  const x = halfValue(cpu, h);
  return toFmt === F32 ? f32Bits(x) : f64Bits(cpu, x);
}
function toHalf(cpu: Cpu, x: number, nanSign: number, nanFrac: number, quiet: boolean, isNan: boolean): number {
  return toHalfBits(cpu, x, nanSign, nanFrac, quiet, isNan, rmode(cpu));
}
// i.op: source format * 3 + destination format (F16/F32/F64).
function fcvt(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const n = i.rn;
  switch (i.op) {
    case F32 * 3 + F64: {
      const lo = cvt32to64(cpu, v[n]);
      wrD(cpu, i.rd, lo, cpu.tmpHi);
      return;
    }
    case F64 * 3 + F32:
      wrS(cpu, i.rd, cvt64to32(cpu, v[n], v[n + 1]));
      return;
    case F16 * 3 + F32:
      wrS(cpu, i.rd, cvt16(cpu, v[n] & 0xffff, F32));
      return;
    case F16 * 3 + F64: {
      const lo = cvt16(cpu, v[n] & 0xffff, F64);
      wrD(cpu, i.rd, lo, cpu.tmpHi);
      return;
    }
    case F32 * 3 + F16: {
      const w = v[n];
      const nan = isNaN32(w);
      const x = nan ? 0 : flushIn(cpu, f32FromBits(w), F32);
      wrS(cpu, i.rd, toHalf(cpu, x, (w >>> 16) & 0x8000, (w >>> 13) & 0x1ff, (w & 0x400000) !== 0, nan));
      return;
    }
    default: {
      // F64 -> F16
      const lo = v[n];
      const hi = v[n + 1];
      const nan = isNaN64(lo, hi);
      const x = nan ? 0 : flushIn(cpu, f64FromBits(lo, hi), F64);
      wrS(cpu, i.rd, toHalf(cpu, x, (hi >>> 16) & 0x8000, (hi >>> 10) & 0x1ff, (hi & 0x80000) !== 0, nan));
    }
  }
}

// ---- compares ----
/** FPCompare(op1, op2, signal) on single bits: returns NZCV. i.op bit0 = FCMPE. */
export function fcmp32(cpu: Cpu, a: number, b: number, signalAll: boolean): number {
  if (isNaN32(a) || isNaN32(b)) {
    if (cpu.fpcr & FPCR_FZ) denormIn32(cpu, a), denormIn32(cpu, b);
    if (signalAll || (isNaN32(a) && !(a & 0x400000)) || (isNaN32(b) && !(b & 0x400000))) cpu.fpsr |= IOC;
    return 0b0011;
  }
  return cmpFlags(flushIn(cpu, f32FromBits(a), F32), flushIn(cpu, f32FromBits(b), F32));
}
export function fcmp64(cpu: Cpu, alo: number, ahi: number, blo: number, bhi: number, signalAll: boolean): number {
  const na = isNaN64(alo, ahi);
  const nb = isNaN64(blo, bhi);
  if (na || nb) {
    if (cpu.fpcr & FPCR_FZ) denormIn64(cpu, ahi, alo), denormIn64(cpu, bhi, blo);
    if (signalAll || (na && !(ahi & 0x80000)) || (nb && !(bhi & 0x80000))) cpu.fpsr |= IOC;
    return 0b0011;
  }
  return cmpFlags(flushIn(cpu, f64FromBits(alo, ahi), F64), flushIn(cpu, f64FromBits(blo, bhi), F64));
}
// FCMP/FCMPE: i.rm = -1 for the compare-with-zero forms; i.op = 1 for FCMPE.
function fcmpS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  cpu.nzcv = fcmp32(cpu, v[i.rn], i.rm < 0 ? 0 : v[i.rm], i.op === 1);
}
function fcmpD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const z = i.rm < 0;
  cpu.nzcv = fcmp64(cpu, v[i.rn], v[i.rn + 1], z ? 0 : v[i.rm], z ? 0 : v[i.rm + 1], i.op === 1);
}
// FCCMP/FCCMPE: i.imm = cond, i.imm2 = nzcv when the condition fails.
function fccmpS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  if (!conditionHolds(i.imm, cpu.n, cpu.z, cpu.c, cpu.v)) {
    cpu.nzcv = i.imm2;
    return;
  }
  cpu.nzcv = fcmp32(cpu, cpu.vr[i.rn], cpu.vr[i.rm], i.op === 1);
}
function fccmpD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  if (!conditionHolds(i.imm, cpu.n, cpu.z, cpu.c, cpu.v)) {
    cpu.nzcv = i.imm2;
    return;
  }
  const v = cpu.vr;
  cpu.nzcv = fcmp64(cpu, v[i.rn], v[i.rn + 1], v[i.rm], v[i.rm + 1], i.op === 1);
}
function fcselS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, cpu.vr[conditionHolds(i.imm, cpu.n, cpu.z, cpu.c, cpu.v) ? i.rn : i.rm]);
}
function fcselD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const s = conditionHolds(i.imm, cpu.n, cpu.z, cpu.c, cpu.v) ? i.rn : i.rm;
  wrD(cpu, i.rd, cpu.vr[s], cpu.vr[s + 1]);
}
// FMOV (scalar, immediate): i.imm = the expanded bits (single) or high word (double).
function fmovImmS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, i.imm);
}
function fmovImmD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrD(cpu, i.rd, 0, i.imm);
}

// ---- FMOV (general) ----
function fmovWS(cpu: Cpu, i: Insn): void {
  // FMOV Wd, Sn
  if (!fpOk(cpu)) return;
  cpu.r[i.rd] = cpu.vr[i.rn];
  cpu.r[i.rd + 1] = 0;
}
function fmovSW(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, cpu.r[i.rn]);
}
function fmovXD(cpu: Cpu, i: Insn): void {
  // FMOV Xd, Dn and FMOV Xd, Vn.D[1] (i.rn points at the element)
  if (!fpOk(cpu)) return;
  cpu.r[i.rd] = cpu.vr[i.rn];
  cpu.r[i.rd + 1] = cpu.vr[i.rn + 1];
}
function fmovDX(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrD(cpu, i.rd, cpu.r[i.rn], cpu.r[i.rn + 1]);
}
// FMOV Vd.D[1], Xn: writes the top half only; the bottom half is kept.
function fmovD1X(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  cpu.vr[i.rd + 2] = cpu.r[i.rn];
  cpu.vr[i.rd + 3] = cpu.r[i.rn + 1];
}

// ---- FP -> integer (FCVT[NPMZA][SU], and FCVTZ[SU] fixed point) ----
// i.op = rounding mode (-1: FPCR), i.imm = fbits, i.imm2 = 1 unsigned, i.sf = 64-bit destination.
function fcvtIntS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const w = cpu.vr[i.rn];
  let lo: number;
  if (isNaN32(w)) {
    cpu.fpsr |= IOC;
    lo = 0;
    cpu.tmpHi = 0;
  } else {
    const x = flushIn(cpu, f32FromBits(w), F32);
    lo = toFixed(cpu, x, i.imm, i.imm2 === 0, i.sf ? 64 : 32, i.op < 0 ? rmode(cpu) : i.op);
  }
  cpu.r[i.rd] = lo;
  cpu.r[i.rd + 1] = i.sf ? cpu.tmpHi : 0;
}
function fcvtIntD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const l = cpu.vr[i.rn];
  const h = cpu.vr[i.rn + 1];
  let lo: number;
  if (isNaN64(l, h)) {
    cpu.fpsr |= IOC;
    lo = 0;
    cpu.tmpHi = 0;
  } else {
    const x = flushIn(cpu, f64FromBits(l, h), F64);
    lo = toFixed(cpu, x, i.imm, i.imm2 === 0, i.sf ? 64 : 32, i.op < 0 ? rmode(cpu) : i.op);
  }
  cpu.r[i.rd] = lo;
  cpu.r[i.rd + 1] = i.sf ? cpu.tmpHi : 0;
}

// ---- integer -> FP (SCVTF/UCVTF, integer and fixed point): i.imm2 = 1 unsigned, i.imm = fbits ----
function cvtfValue(cpu: Cpu, i: Insn, fmt: number): number {
  const lo = cpu.r[i.rn];
  const mode = rmode(cpu);
  if (i.sf) return roundInt64(cpu, fmt, lo, cpu.r[i.rn + 1], i.imm2 === 0, i.imm, mode);
  const x = (i.imm2 ? lo >>> 0 : lo) * 2 ** -i.imm;
  return roundTo(cpu, fmt, x, mode);
}
function cvtfS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, f32Bits(cvtfValue(cpu, i, F32)));
}
function cvtfD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = f64Bits(cpu, cvtfValue(cpu, i, F64));
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);
/** ftype 00 = single, 01 = double; 11 (half) is fp16.ts's (except FCVT), 10 is unallocated. */
const ftype = (raw: number): number => bits(raw, 23, 22);

export const fp: Encoding[] = [
  {
    name: 'FP data-processing (2 source)',
    pattern: '0 0 0 11110 tt 1 mmmmm oooo 10 nnnnn ddddd',
    decode(raw, i) {
      const t = ftype(raw);
      if (t > 1) return false;
      const opc = bits(raw, 15, 12);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      if (opc <= 3) {
        i.op = [OP_MUL, OP_DIV, OP_ADD, OP_SUB][opc];
        i.exec = t ? arith2D : arith2S;
      } else if (opc <= 7) {
        i.op = opc - 4; // bit0 = min, bit1 = NM
        i.exec = t ? minmaxD : minmaxS;
      } else if (opc === 8) i.exec = t ? fnmulD : fnmulS;
      else return false;
    },
  },
  {
    name: 'FP data-processing (3 source)',
    pattern: '0 0 0 11111 tt o mmmmm p aaaaa nnnnn ddddd',
    decode(raw, i) {
      const t = ftype(raw);
      if (t > 1) return false;
      const o1 = bits(raw, 21, 21);
      const o0 = bits(raw, 15, 15);
      // FMADD (0,0), FMSUB (0,1) negates op1, FNMADD (1,0) negates both, FNMSUB (1,1) negates Ra.
      i.op = o1 === 0 ? o0 : o0 ? 2 : 3;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.ra = vreg(raw, 10);
      i.rm = vreg(raw, 16);
      i.exec = t ? fmaD : fmaS;
    },
  },
  {
    name: 'FP data-processing (1 source)',
    pattern: '0 0 0 11110 tt 1 oooooo 10000 nnnnn ddddd',
    decode(raw, i) {
      const t = ftype(raw);
      const opc = bits(raw, 20, 15);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      if ((opc & 0x3c) === 4) {
        // FCVT: opc<1:0> is the destination type (00 single, 01 double, 11 half)
        const dst = [F32, F64, -1, F16][opc & 3];
        const src = [F32, F64, -1, F16][t];
        if (dst < 0 || src < 0 || dst === src) return false;
        i.op = src * 3 + dst;
        i.exec = fcvt;
        return;
      }
      if (t > 1) return false;
      const d = t === 1;
      switch (opc) {
        case 0:
          i.exec = d ? fmovD : fmovS;
          return;
        case 1:
          i.exec = d ? fabsD : fabsS;
          return;
        case 2:
          i.exec = d ? fnegD : fnegS;
          return;
        case 3:
          i.exec = d ? fsqrtD : fsqrtS;
          return;
      }
      if (opc >= 8 && opc <= 15 && opc !== 13) {
        // FRINTN, P, M, Z, A, -, X, I
        i.op = [0, 1, 2, 3, RA, -1, -1, -1][opc - 8];
        i.imm = opc === 14 ? 1 : 0;
        i.exec = d ? frintD : frintS;
        return;
      }
      return false;
    },
  },
  {
    name: 'FP compare',
    pattern: '0 0 0 11110 tt 1 mmmmm 00 1000 nnnnn oo 000',
    decode(raw, i) {
      const t = ftype(raw);
      if (t > 1) return false;
      const opc = bits(raw, 4, 3);
      i.rn = vreg(raw, 5);
      i.rm = opc & 1 ? -1 : vreg(raw, 16);
      if (opc & 1 && bits(raw, 20, 16) !== 0) return false;
      i.op = opc >>> 1;
      i.exec = t ? fcmpD : fcmpS;
    },
  },
  {
    name: 'FP conditional compare',
    pattern: '0 0 0 11110 tt 1 mmmmm cccc 01 nnnnn o vvvv',
    decode(raw, i) {
      const t = ftype(raw);
      if (t > 1) return false;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = bits(raw, 15, 12);
      i.imm2 = bits(raw, 3, 0);
      i.op = bits(raw, 4, 4);
      i.exec = t ? fccmpD : fccmpS;
    },
  },
  {
    name: 'FCSEL',
    pattern: '0 0 0 11110 tt 1 mmmmm cccc 11 nnnnn ddddd',
    decode(raw, i) {
      const t = ftype(raw);
      if (t > 1) return false;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = bits(raw, 15, 12);
      i.exec = t ? fcselD : fcselS;
    },
  },
  {
    name: 'FMOV (scalar, immediate)',
    pattern: '0 0 0 11110 tt 1 iiiiiiii 100 00000 ddddd',
    decode(raw, i) {
      const t = ftype(raw);
      if (t > 1) return false;
      const imm8 = bits(raw, 20, 13);
      i.rd = vreg(raw, 0);
      i.imm = t ? expandImm64Hi(imm8) : expandImm32(imm8);
      i.exec = t ? fmovImmD : fmovImmS;
    },
  },
  {
    name: 'Conversion between FP and integer',
    pattern: 's 0 0 11110 tt 1 rr ooo 000000 nnnnn ddddd',
    decode(raw, i) {
      const sf = bits(raw, 31, 31);
      const t = ftype(raw);
      const rm = bits(raw, 20, 19);
      const opc = bits(raw, 18, 16);
      i.sf = sf;
      if (opc === 6 || opc === 7) {
        // FMOV (general)
        const toFp = opc === 7;
        if (rm === 0 && sf === 0 && t === 0) {
          i.rd = toFp ? vreg(raw, 0) : dstZR(bits(raw, 4, 0));
          i.rn = toFp ? srcZR(bits(raw, 9, 5)) : vreg(raw, 5);
          i.exec = toFp ? fmovSW : fmovWS;
          return;
        }
        if (rm === 0 && sf === 1 && t === 1) {
          i.rd = toFp ? vreg(raw, 0) : dstZR(bits(raw, 4, 0));
          i.rn = toFp ? srcZR(bits(raw, 9, 5)) : vreg(raw, 5);
          i.exec = toFp ? fmovDX : fmovXD;
          return;
        }
        if (rm === 1 && sf === 1 && t === 2) {
          i.rd = toFp ? vreg(raw, 0) : dstZR(bits(raw, 4, 0));
          i.rn = toFp ? srcZR(bits(raw, 9, 5)) : vreg(raw, 5) + 2;
          i.exec = toFp ? fmovD1X : fmovXD;
          return;
        }
        return false; // half-precision forms: fp16.ts; FJCVTZS: flagm.ts (--cpu max)
      }
      if (t > 1) return false;
      if (opc === 2 || opc === 3) {
        if (rm !== 0) return false;
        i.rd = vreg(raw, 0);
        i.rn = srcZR(bits(raw, 9, 5));
        i.imm2 = opc & 1;
        i.exec = t ? cvtfD : cvtfS;
        return;
      }
      // FCVT{N,P,M,Z}{S,U}: rmode 00..11 with opcode 000/001; FCVTA{S,U}: rmode 00, opcode 100/101
      if (opc <= 1) i.op = rm;
      else if (opc === 4 || opc === 5) {
        if (rm !== 0) return false;
        i.op = RA;
      } else return false;
      i.imm2 = opc & 1;
      i.rd = dstZR(bits(raw, 4, 0));
      i.rn = vreg(raw, 5);
      i.exec = t ? fcvtIntD : fcvtIntS;
    },
  },
  {
    name: 'Conversion between FP and fixed-point',
    pattern: 's 0 0 11110 tt 0 rr ooo ssssss nnnnn ddddd',
    decode(raw, i) {
      const sf = bits(raw, 31, 31);
      const t = ftype(raw);
      const rm = bits(raw, 20, 19);
      const opc = bits(raw, 18, 16);
      const scale = bits(raw, 15, 10);
      if (t > 1 || (sf === 0 && scale < 32)) return false;
      i.sf = sf;
      i.imm = 64 - scale;
      if (rm === 0 && (opc === 2 || opc === 3)) {
        i.rd = vreg(raw, 0);
        i.rn = srcZR(bits(raw, 9, 5));
        i.imm2 = opc & 1;
        i.exec = t ? cvtfD : cvtfS;
        return;
      }
      if (rm === 3 && opc <= 1) {
        i.op = 3; // towards zero
        i.imm2 = opc;
        i.rd = dstZR(bits(raw, 4, 0));
        i.rn = vreg(raw, 5);
        i.exec = t ? fcvtIntD : fcvtIntS;
        return;
      }
      return false;
    },
  },
  // FEAT_FP16 (ftype = 0b11): declined by the decoders above, decoded in fp16.ts.
  ...fp16Scalar,
];
