// Half-precision (binary16) arithmetic for FEAT_FP16, after the ARM ARM's shared/functions/float
// pseudocode (FPUnpack, FPProcessNaNs/FPProcessNaNs3, FPRound, FPAdd/FPMul/FPDiv/FPSqrt/FPMulAdd,
// FPMax/FPMin/FPMaxNum/FPMinNum, FPCompare, FPRoundInt, FPToFixed, FixedToFP) with N = 16.
//
// Values cross as 16-bit patterns (the low bits of a number). No BigInt: every binary16 value,
// sum, product and fused sum of binary16 values is exact in binary64, or (fused multiply-add,
// 64-bit integers) exact as a binary64 plus the sign of an error term; quotients and square roots
// of binary16 values are never within half a binary64 ulp of a binary16 value or midpoint unless
// they equal it, so the binary64 result rounds exactly like the real one. `round16` is FPRound.
//
// Half-precision specifics:
//  - FPCR.FZ16 (bit 19), not FZ, flushes binary16 denormals: inputs read as zero WITHOUT IDC
//    (FPUnpackBase), tiny results become zero with UFC (FPRound);
//  - FPCR.AHP does not apply to FP16 data processing (it only selects the format of FCVT);
//  - FPCR.DN selects the default NaN 0x7e00.
import type { CpuState } from './state.js';
import {
  IOC,
  DZC,
  OFC,
  UFC,
  IXC,
  FPCR_DN,
  FPCR_RMODE_SHIFT,
  RN,
  RP,
  RM,
  RA,
  f16FromBits,
  roundIntegral,
  toFixed,
  recipEstimate,
  recipSqrtEstimate,
} from './fpu.js';

export const FPCR_FZ16 = 1 << 19;
export const DEFAULT_NAN16 = 0x7e00;

export const isNaN16 = (h: number): boolean => (h & 0x7fff) > 0x7c00;
export const isSNaN16 = (h: number): boolean => isNaN16(h) && (h & 0x200) === 0;
export const rmode16 = (cpu: CpuState): number => (cpu.fpcr >>> FPCR_RMODE_SHIFT) & 3;

const f64 = new Float64Array(1);
const w64 = new Int32Array(f64.buffer);
/** 2^n for -80 <= n <= 80, exact. */
const POW2: number[] = [];
for (let n = -80; n <= 80; n++) POW2.push(2 ** n);
const p2 = (n: number): number => POW2[n + 80];
const MIN_NORMAL = 2 ** -14;

/** FPUnpack of a non-NaN half: its value, a denormal read as a signed zero under FZ16 (no IDC). */
export function val16(cpu: CpuState, h: number): number {
  if (cpu.fpcr & FPCR_FZ16 && (h & 0x7c00) === 0) return h & 0x8000 ? -0 : 0;
  return f16FromBits(h);
}

/** FPProcessNaN: quiet a signalling NaN (IOC); FPCR.DN gives the default NaN. */
export function nan16(cpu: CpuState, h: number): number {
  if ((h & 0x200) === 0) cpu.fpsr |= IOC;
  if (cpu.fpcr & FPCR_DN) return DEFAULT_NAN16;
  return (h | 0x200) & 0xffff;
}
/** FPProcessNaNs with at least one NaN: the first sNaN, else the first qNaN. */
export function nans16(cpu: CpuState, a: number, b: number): number {
  if (isSNaN16(a)) return nan16(cpu, a);
  if (isSNaN16(b)) return nan16(cpu, b);
  return nan16(cpu, isNaN16(a) ? a : b);
}

const sgn = (x: number): number => (x < 0 || Object.is(x, -0) ? 1 : 0);
const zero16 = (s: number): number => (s ? 0x8000 : 0);

/**
 * FPRound to binary16 of the real value (-1)^sign * (ax + tiny error), ax > 0 a double and err
 * the sign of the error (0 when ax is the exact value). Tininess is detected before rounding;
 * UFC only for an inexact tiny result (or an FZ16 flush); overflow gives infinity or the largest
 * finite value by rounding mode, with OFC and IXC.
 */
export function round16(cpu: CpuState, sign: number, ax: number, err: number, mode: number): number {
  if (ax === 0) return zero16(sign);
  f64[0] = ax;
  let E = ((w64[1] >>> 20) & 0x7ff) - 1023; // ax is a normal double: 2^E <= ax < 2^(E+1)
  if (err < 0 && (w64[1] & 0xfffff) === 0 && w64[0] === 0) E--; // just below a power of two
  if (E < -14 && cpu.fpcr & FPCR_FZ16) {
    cpu.fpsr |= UFC;
    return zero16(sign);
  }
  const q = (E < -14 ? -14 : E) - 10; // the exponent of the last significand bit
  const m = ax * p2(-q);
  let mi = Math.floor(m);
  const frac = m - mi;
  let cls: number; // 0 exact, 1 below half an ulp, 2 half, 3 above half
  if (frac === 0) {
    if (err === 0) cls = 0;
    else if (err > 0) cls = 1;
    else {
      mi -= 1;
      cls = 3;
    }
  } else if (frac < 0.5) cls = 1;
  else if (frac === 0.5) cls = err === 0 ? 2 : err > 0 ? 3 : 1;
  else cls = 3;
  if (E < -14 && cls !== 0) cpu.fpsr |= UFC;
  let up = false;
  switch (mode) {
    case RN:
      up = cls === 3 || (cls === 2 && (mi & 1) === 1);
      break;
    case RA:
      up = cls >= 2;
      break;
    case RP:
      up = cls !== 0 && !sign;
      break;
    case RM:
      up = cls !== 0 && !!sign;
      break;
  }
  if (up) mi++;
  // Biased exponent and fraction; a carry out of the fraction bumps the exponent by itself.
  const bitsAbs = E < -14 ? mi : ((E + 15) << 10) + mi - 1024;
  if (bitsAbs >= 0x7c00) {
    cpu.fpsr |= OFC | IXC;
    const toInf = mode === RN || mode === RA || (mode === RP && !sign) || (mode === RM && !!sign);
    return (sign << 15) | (toInf ? 0x7c00 : 0x7bff);
  }
  if (cls !== 0) cpu.fpsr |= IXC;
  return (sign << 15) | bitsAbs;
}
/** FPRound of an exact double value (not NaN; infinity passes through). */
function roundVal(cpu: CpuState, x: number): number {
  if (Math.abs(x) === Infinity) return x < 0 ? 0xfc00 : 0x7c00;
  return round16(cpu, sgn(x), Math.abs(x), 0, rmode16(cpu));
}

export const H_ADD = 0;
export const H_SUB = 1;
export const H_MUL = 2;
export const H_DIV = 3;
export const H_SQRT = 4;

/** FPAdd/FPSub/FPMul/FPDiv/FPSqrt on half bits (b ignored for sqrt). */
export function fp16(cpu: CpuState, op: number, a: number, b: number): number {
  if (op === H_SQRT) {
    if (isNaN16(a)) return nan16(cpu, a);
  } else if (isNaN16(a) || isNaN16(b)) return nans16(cpu, a, b);
  const x = val16(cpu, a);
  let y = op === H_SQRT ? 0 : val16(cpu, b);
  const mode = rmode16(cpu);
  switch (op) {
    case H_SUB:
      y = -y;
    // falls through
    case H_ADD: {
      const ix = Math.abs(x) === Infinity;
      const iy = Math.abs(y) === Infinity;
      if (ix || iy) {
        if (ix && iy && sgn(x) !== sgn(y)) return invalid(cpu);
        return (ix ? x : y) < 0 ? 0xfc00 : 0x7c00;
      }
      if (x === 0 && y === 0 && sgn(x) === sgn(y)) return zero16(sgn(x));
      const r = x + y; // exact: both are multiples of 2^-24 below 2^16
      if (r === 0) return zero16(mode === RM ? 1 : 0);
      return round16(cpu, sgn(r), Math.abs(r), 0, mode);
    }
    case H_MUL: {
      const s = sgn(x) ^ sgn(y);
      const ix = Math.abs(x) === Infinity;
      const iy = Math.abs(y) === Infinity;
      if ((ix && y === 0) || (x === 0 && iy)) return invalid(cpu);
      if (ix || iy) return (s << 15) | 0x7c00;
      if (x === 0 || y === 0) return zero16(s);
      return round16(cpu, s, Math.abs(x * y), 0, mode); // 11 x 11 bits: exact
    }
    case H_DIV: {
      const s = sgn(x) ^ sgn(y);
      const ix = Math.abs(x) === Infinity;
      const iy = Math.abs(y) === Infinity;
      if ((ix && iy) || (x === 0 && y === 0)) return invalid(cpu);
      if (ix || y === 0) {
        if (!ix) cpu.fpsr |= DZC;
        return (s << 15) | 0x7c00;
      }
      if (x === 0 || iy) return zero16(s);
      return round16(cpu, s, Math.abs(x / y), 0, mode);
    }
    default: {
      if (x === 0) return zero16(sgn(x));
      if (x < 0) return invalid(cpu);
      if (x === Infinity) return 0x7c00;
      return round16(cpu, 0, Math.sqrt(x), 0, mode);
    }
  }
}
function invalid(cpu: CpuState): number {
  cpu.fpsr |= IOC;
  return DEFAULT_NAN16;
}

let eft = 0;
function twoSum(a: number, b: number): number {
  const s = a + b;
  const bv = s - a;
  const av = s - bv;
  eft = a - av + (b - bv);
  return s;
}

/** FPMulAdd(addend c, op1 a, op2 b) on half bits: c + a*b with one rounding. */
export function fma16(cpu: CpuState, c: number, a: number, b: number): number {
  const nc = isNaN16(c);
  const x = isNaN16(a) ? NaN : val16(cpu, a);
  const y = isNaN16(b) ? NaN : val16(cpu, b);
  const infZero = (Math.abs(x) === Infinity && y === 0) || (x === 0 && Math.abs(y) === Infinity);
  if (nc || x !== x || y !== y) {
    // FPProcessNaNs3(addend, op1, op2), then a quiet NaN addend with infinity * 0 is invalid.
    let r: number;
    if (isSNaN16(c)) r = nan16(cpu, c);
    else if (isSNaN16(a)) r = nan16(cpu, a);
    else if (isSNaN16(b)) r = nan16(cpu, b);
    else r = nan16(cpu, nc ? c : x !== x ? a : b);
    if (nc && !isSNaN16(c) && infZero) return invalid(cpu);
    return r;
  }
  const z = val16(cpu, c);
  const mode = rmode16(cpu);
  const sp = sgn(x) ^ sgn(y);
  const infP = Math.abs(x) === Infinity || Math.abs(y) === Infinity;
  if (infZero) return invalid(cpu);
  if (infP && Math.abs(z) === Infinity && sgn(z) !== sp) return invalid(cpu);
  if (infP) return (sp << 15) | 0x7c00;
  if (Math.abs(z) === Infinity) return z < 0 ? 0xfc00 : 0x7c00;
  const zeroP = x === 0 || y === 0;
  if (zeroP && z === 0) return zero16(sp === sgn(z) ? sp : mode === RM ? 1 : 0);
  if (zeroP) return round16(cpu, sgn(z), Math.abs(z), 0, mode);
  const p = x * y; // exact
  const s = twoSum(p, z); // s + eft is the exact sum
  if (s === 0) return zero16(mode === RM ? 1 : 0); // exact cancellation (eft is 0 then)
  const neg = s < 0;
  return round16(cpu, neg ? 1 : 0, Math.abs(s), neg ? -eft : eft, mode);
}

/** FPMax/FPMin/FPMaxNum/FPMinNum on half bits. op: bit0 = min, bit1 = NM (number wins). */
export function minmax16(cpu: CpuState, a: number, b: number, op: number): number {
  const isMax = (op & 1) === 0;
  if (isNaN16(a) || isNaN16(b)) {
    if (op & 2) {
      // FPMaxNum: a quiet NaN against a non-NaN becomes the infinity that loses.
      const qa = isNaN16(a) && !isSNaN16(a);
      const qb = isNaN16(b) && !isSNaN16(b);
      if (qa && !isNaN16(b)) a = isMax ? 0xfc00 : 0x7c00;
      else if (qb && !isNaN16(a)) b = isMax ? 0xfc00 : 0x7c00;
      if (isNaN16(a) || isNaN16(b)) return nans16(cpu, a, b);
    } else return nans16(cpu, a, b);
  }
  const x = val16(cpu, a);
  const y = val16(cpu, b);
  if (x === 0 && y === 0) {
    // max(+0, -0) = +0, min(+0, -0) = -0
    return zero16(isMax ? sgn(x) & sgn(y) : sgn(x) | sgn(y));
  }
  const r = isMax ? (x > y ? x : y) : x < y ? x : y;
  return roundVal(cpu, r); // exact: FPRound only re-encodes (a flushed input is already zero)
}

/** FPCompare as NZCV: unordered 0011, equal 0110, less 1000, greater 0010. */
export function fcmp16(cpu: CpuState, a: number, b: number, signalAll: boolean): number {
  const na = isNaN16(a);
  const nb = isNaN16(b);
  if (na || nb) {
    if (signalAll || isSNaN16(a) || isSNaN16(b)) cpu.fpsr |= IOC;
    return 0b0011;
  }
  const x = val16(cpu, a);
  const y = val16(cpu, b);
  if (x === y) return 0b0110;
  return x < y ? 0b1000 : 0b0010;
}

/** FPRoundInt on half bits; mode -1 means FPCR.RMode; exact (FRINTX) raises IXC when inexact. */
export function frint16(cpu: CpuState, h: number, mode: number, exact: boolean): number {
  if (isNaN16(h)) return nan16(cpu, h);
  const x = val16(cpu, h);
  if (x === 0) return zero16(sgn(x));
  if (Math.abs(x) === Infinity) return h & 0xffff;
  const r = roundIntegral(x, mode < 0 ? rmode16(cpu) : mode);
  if (exact && r !== x) cpu.fpsr |= IXC;
  if (r === 0) return zero16(sgn(x));
  return round16(cpu, sgn(r), Math.abs(r), 0, RN); // an integer below 2^16: exact
}

/**
 * FPToFixed on half bits: fbits fraction bits, signed or unsigned, 32 or 64 bits wide. A NaN gives
 * 0 with IOC. Returns lo; hi in cpu.tmpHi.
 */
export function toFixed16(cpu: CpuState, h: number, fbits: number, signed: boolean, width: number, mode: number): number {
  if (isNaN16(h)) {
    cpu.fpsr |= IOC;
    cpu.tmpHi = 0;
    return 0;
  }
  return toFixed(cpu, val16(cpu, h), fbits, signed, width, mode);
}

/**
 * FixedToFP to half: the integer hi:lo (signed or unsigned; a 32-bit source passes hi as its
 * extension) times 2^-fbits, rounded once by FPCR.
 */
export function fromFixed16(cpu: CpuState, lo: number, hi: number, signed: boolean, fbits: number): number {
  const neg = signed && hi < 0;
  let l = lo >>> 0;
  let h = hi >>> 0;
  if (neg) {
    l = (~l + 1) >>> 0;
    h = (~h + (l === 0 ? 1 : 0)) >>> 0;
  }
  const s = twoSum(h * 4294967296, l); // h * 2^32 is exact; s + eft is the magnitude
  if (s === 0) return 0; // an integer zero converts to +0
  const scale = 2 ** -fbits; // fbits <= 64: exact, and no underflow of s >= 1
  return round16(cpu, neg ? 1 : 0, s * scale, eft, rmode16(cpu));
}

/** VFPExpandImm for half: sign, NOT(b6) : b6 b6 : b5 b4 exponent, b3..b0 at the fraction top. */
export function expandImm16(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  return ((imm8 >>> 7) << 15) | ((b6 ^ 1) << 14) | ((b6 ? 3 : 0) << 12) | (((imm8 >>> 4) & 3) << 10) | ((imm8 & 0xf) << 6);
}


/**
 * FPToFixed into a 16-bit lane (the Advanced SIMD half-precision FCVT* forms): saturates to
 * int16/uint16 with IOC; IXC when inexact; a NaN gives 0 with IOC.
 */
export function toInt16(cpu: CpuState, h: number, fbits: number, signed: boolean, mode: number): number {
  if (isNaN16(h)) {
    cpu.fpsr |= IOC;
    return 0;
  }
  const v = val16(cpu, h) * 2 ** fbits; // exact: < 2^32, at least 2^-24 apart
  if (Math.abs(v) === Infinity) {
    cpu.fpsr |= IOC;
    return v < 0 ? (signed ? 0x8000 : 0) : signed ? 0x7fff : 0xffff;
  }
  const r = roundIntegral(v, mode);
  const max = signed ? 32767 : 65535;
  const min = signed ? -32768 : 0;
  if (r > max || r < min) {
    cpu.fpsr |= IOC;
    return (r > max ? max : min) & 0xffff;
  }
  if (r !== v) cpu.fpsr |= IXC;
  return r & 0xffff;
}
/** FixedToFP from a 16-bit lane (signed or unsigned) with fbits fraction bits, to half. */
export function fromInt16(cpu: CpuState, x: number, signed: boolean, fbits: number): number {
  const n = signed ? (x << 16) >> 16 : x & 0xffff;
  if (n === 0) return 0;
  return round16(cpu, n < 0 ? 1 : 0, Math.abs(n) * 2 ** -fbits, 0, rmode16(cpu));
}

/**
 * FPRecipStepFused (2 + (-a)*b) and FPRSqrtStepFused ((3 + (-a)*b) / 2) on half bits, one
 * rounding; infinity * 0 gives 2.0 / 1.5.
 */
export function step16(cpu: CpuState, a: number, b: number, sqrt: boolean): number {
  a = (a ^ 0x8000) & 0xffff; // FPNeg(op1) first: a NaN op1 propagates with its sign flipped
  if (isNaN16(a) || isNaN16(b)) return nans16(cpu, a, b);
  const x = val16(cpu, a);
  const y = val16(cpu, b);
  const ix = Math.abs(x) === Infinity;
  const iy = Math.abs(y) === Infinity;
  if ((ix && y === 0) || (x === 0 && iy)) return sqrt ? 0x3e00 : 0x4000;
  if (ix || iy) return ((a ^ b) & 0x8000) | 0x7c00;
  const s = twoSum(sqrt ? 3 : 2, x * y); // the product is exact; s + eft is the exact sum
  const mode = rmode16(cpu);
  if (s === 0) return zero16(mode === RM ? 1 : 0);
  const k = sqrt ? 0.5 : 1; // halving is exact (no binary64 underflow here)
  return round16(cpu, s < 0 ? 1 : 0, Math.abs(s) * k, s < 0 ? -eft : eft, mode);
}

/** FPRecipEstimate (sqrt = false) and FPRSqrtEstimate (sqrt = true) for N = 16. */
export function recipEst16(cpu: CpuState, h: number, sqrt: boolean): number {
  if (isNaN16(h)) return nan16(cpu, h);
  const sign = (h >>> 15) & 1;
  const x = val16(cpu, h);
  const ax = Math.abs(x);
  if (sqrt) {
    if (x === 0) {
      cpu.fpsr |= DZC;
      return (sign << 15) | 0x7c00;
    }
    if (sign) return invalid(cpu);
    if (ax === Infinity) return 0;
  } else {
    if (ax === Infinity) return zero16(sign);
    if (x === 0) {
      cpu.fpsr |= DZC;
      return (sign << 15) | 0x7c00;
    }
    if (ax < 2 ** -16) {
      const mode = rmode16(cpu);
      const toInf = mode === RN || (mode === RP && !sign) || (mode === RM && !!sign);
      cpu.fpsr |= OFC | IXC;
      return (sign << 15) | (toInf ? 0x7c00 : 0x7bff);
    }
    if (cpu.fpcr & FPCR_FZ16 && ax >= 2 ** 14) {
      cpu.fpsr |= UFC;
      return zero16(sign);
    }
  }
  // The fraction as the top 10 of 52 bits (fraction<51:42>), and the biased exponent.
  let frac = (h & 0x3ff) * 2 ** 42;
  let exp = (h >>> 10) & 0x1f;
  if (exp === 0) {
    if (sqrt) {
      while (frac < 2 ** 51) {
        frac *= 2;
        exp--;
      }
      frac = (frac * 2) % 2 ** 52;
    } else if (frac < 2 ** 51) {
      exp = -1;
      frac = (frac * 4) % 2 ** 52;
    } else frac = (frac * 2) % 2 ** 52;
  }
  if (sqrt) {
    const scaled = (exp & 1) === 0 ? 256 + Math.floor(frac / 2 ** 44) : 128 + Math.floor(frac / 2 ** 45);
    const resultExp = Math.floor((44 - exp) / 2);
    return (resultExp << 10) | ((recipSqrtEstimate(scaled) & 0xff) << 2);
  }
  let resultExp = 29 - exp;
  const est = recipEstimate(256 + Math.floor(frac / 2 ** 44)) & 0xff;
  let rf = est << 2; // fraction<51:42>
  if (resultExp === 0) rf = 0x200 | (est << 1);
  else if (resultExp === -1) {
    rf = 0x100 | est;
    resultExp = 0;
  }
  return (sign << 15) | (resultExp << 10) | rf;
}

/** FPRecpX for N = 16: the exponent inverted (a zero exponent gives the largest), fraction 0. */
export function recpX16(cpu: CpuState, h: number): number {
  if (isNaN16(h)) return nan16(cpu, h);
  const exp = (h >>> 10) & 0x1f;
  return (h & 0x8000) | ((exp === 0 ? 0x1e : ~exp & 0x1f) << 10);
}
