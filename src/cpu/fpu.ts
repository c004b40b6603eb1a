// IEEE 754 arithmetic as the ARM ARM's FP pseudocode defines it (shared/functions/float: FPUnpack,
// FPProcessNaNs, FPRound, FPAdd/FPMul/FPDiv/FPSqrt/FPMulAdd, FPRoundInt, FPToFixed, FPCompare).
//
// Values cross this module as raw bits (single: one int32, double: lo/hi int32 with the hi word of
// a result in cpu.tmpHi) because NaN payloads do not survive JavaScript arithmetic. Non-NaN values
// are exact JavaScript numbers (every binary16/32/64 value is a double).
//
// Two speeds, one truth:
//  - fast path (FPCR.RMode = RN, FZ = 0, the result normal or an exact zero): the host's
//    round-to-nearest-even operation, plus an exact error term (TwoSum / Dekker's TwoProduct /
//    the residual of / and sqrt) to raise IXC. Binary32 + - * / sqrt computed in binary64 and
//    rounded once more is correctly rounded (53 >= 2*24+2, Figueroa's double-rounding result).
//  - slow path (directed rounding, flush-to-zero, results that overflow or are tiny, fused
//    multiply-add edge cases): the exact result as an integer significand and exponent in BigInt,
//    rounded by `roundExact`, a transcription of FPRound. BigInt is allowed here by the task brief
//    ("exact big-integer arithmetic on the slow path"); C code running in round-to-nearest with
//    normal results never gets here.
import type { CpuState } from './state.js';

// FPSR cumulative exception bits (ARM ARM C5.2.8).
export const IOC = 1 << 0;
export const DZC = 1 << 1;
export const OFC = 1 << 2;
export const UFC = 1 << 3;
export const IXC = 1 << 4;
export const IDC = 1 << 7;
export const QC = 1 << 27;
/** FPSR bits that exist in AArch64 (the rest are RES0). */
export const FPSR_MASK = QC | IDC | IXC | UFC | OFC | DZC | IOC;

// FPCR fields (ARM ARM C5.2.7). Exception trap enables are RAZ/WI: untrapped handling only.
export const FPCR_AHP = 1 << 26;
export const FPCR_DN = 1 << 25;
export const FPCR_FZ = 1 << 24;
export const FPCR_RMODE_SHIFT = 22;
/** FZ or a directed rounding mode: the fast paths only handle FZ=0, RMode=RN. */
const SLOW_FPCR = FPCR_FZ | (3 << FPCR_RMODE_SHIFT);

// Rounding modes: FPCR.RMode encodings, then the two the instructions name directly.
export const RN = 0; // to nearest, ties to even
export const RP = 1; // towards +infinity
export const RM = 2; // towards -infinity
export const RZ = 3; // towards zero
export const RA = 4; // to nearest, ties away (FCVTA*, FRINTA)
export const RO = 5; // to odd (FCVTXN)

/** Formats: fraction bits, exponent bias, all-ones biased exponent. */
export const F16 = 0;
export const F32 = 1;
export const F64 = 2;
/** Alternative half precision (FPCR.AHP = 1): no infinities or NaNs, exponent 31 is a normal binade. */
export const F16A = 3;
const FRAC = [10, 23, 52, 10];
const BIAS = [15, 127, 1023, 15];
const EMAXB = [31, 255, 2047, 32];
const MIN_NORMAL = [2 ** -14, 2 ** -126, 2 ** -1022, 2 ** -14];

// Scratch views for bit casts.
const f64 = new Float64Array(1);
const w64 = new Int32Array(f64.buffer);
const f32 = new Float32Array(1);
const w32 = new Int32Array(f32.buffer);

export function f64FromBits(lo: number, hi: number): number {
  w64[0] = lo;
  w64[1] = hi;
  return f64[0];
}
/** Bits of a non-NaN double: returns lo, hi in cpu.tmpHi. */
export function f64Bits(cpu: CpuState, x: number): number {
  f64[0] = x;
  cpu.tmpHi = w64[1];
  return w64[0];
}
export function f32FromBits(w: number): number {
  w32[0] = w;
  return f32[0];
}
/** Bits of a non-NaN value already exact in binary32. */
export function f32Bits(x: number): number {
  f32[0] = x;
  return w32[0];
}
export function f16FromBits(h: number): number {
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (0x400 | f) * 2 ** (e - 25);
}
/** Bits of a non-NaN value already exact in binary16. */
export function f16Bits(x: number): number {
  const s = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return s | 0x7c00;
  if (a === 0) return s;
  if (a < 2 ** -14) return s | (a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return s | ((e + 15) << 10) | ((a / 2 ** e - 1) * 1024);
}

/**
 * Half-precision bits to a value (IEEE, or AHP when FPCR.AHP = 1: exponent 31 is normal).
 * Callers handle IEEE NaNs first.
 */
export function halfValue(cpu: CpuState, h: number): number {
  if ((cpu.fpcr & FPCR_AHP) === 0) return f16FromBits(h);
  const e = (h >>> 10) & 0x1f;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * (h & 0x3ff) * 2 ** -24;
  return s * (0x400 | (h & 0x3ff)) * 2 ** (e - 25);
}
/**
 * A value (or a NaN described by the caller) to half-precision bits under FPCR.AHP/DN (FPConvert):
 * with AHP a NaN becomes a signed zero and an infinity the largest magnitude, both with IOC.
 */
export function toHalfBits(cpu: CpuState, x: number, nanSign: number, nanFrac: number, quiet: boolean, isNan: boolean, mode: number): number {
  if (cpu.fpcr & FPCR_AHP) {
    if (isNan) {
      cpu.fpsr |= IOC;
      return nanSign;
    }
    if (Math.abs(x) === Infinity) {
      cpu.fpsr |= IOC;
      return (x < 0 ? 0x8000 : 0) | 0x7fff;
    }
    return f16Bits(roundTo(cpu, F16A, x, mode));
  }
  if (isNan) {
    if (!quiet) cpu.fpsr |= IOC;
    if (cpu.fpcr & FPCR_DN) return DEFAULT_NAN16;
    return nanSign | 0x7e00 | nanFrac;
  }
  return f16Bits(roundTo(cpu, F16, x, mode));
}

export const isNaN32 = (w: number): boolean => (w & 0x7fffffff) > 0x7f800000;
export const isNaN64 = (lo: number, hi: number): boolean =>
  (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0;
export const isNaN16 = (h: number): boolean => (h & 0x7fff) > 0x7c00;
const isSNaN32 = (w: number): boolean => isNaN32(w) && (w & 0x00400000) === 0;
const isSNaN64 = (lo: number, hi: number): boolean => isNaN64(lo, hi) && (hi & 0x00080000) === 0;

export const DEFAULT_NAN32 = 0x7fc00000;
export const DEFAULT_NAN64_HI = 0x7ff80000;
export const DEFAULT_NAN16 = 0x7e00;

// ---- NaN handling (FPProcessNaN / FPProcessNaNs / FPProcessNaNs3) ----

/** FPProcessNaN for binary32: quiet an sNaN (IOC), or the default NaN when FPCR.DN. */
export function nan32(cpu: CpuState, w: number): number {
  if ((w & 0x00400000) === 0) cpu.fpsr |= IOC;
  if (cpu.fpcr & FPCR_DN) return DEFAULT_NAN32;
  return w | 0x00400000;
}
export function nan64(cpu: CpuState, lo: number, hi: number): number {
  if ((hi & 0x00080000) === 0) cpu.fpsr |= IOC;
  if (cpu.fpcr & FPCR_DN) {
    cpu.tmpHi = DEFAULT_NAN64_HI;
    return 0;
  }
  cpu.tmpHi = hi | 0x00080000;
  return lo;
}
/** Two operands, at least one NaN: the first sNaN wins, then the first qNaN. */
export function nans32(cpu: CpuState, a: number, b: number): number {
  if (cpu.fpcr & FPCR_FZ) denormIn32(cpu, a), denormIn32(cpu, b);
  if (isSNaN32(a)) return nan32(cpu, a);
  if (isSNaN32(b)) return nan32(cpu, b);
  return nan32(cpu, isNaN32(a) ? a : b);
}
export function nans64(cpu: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  if (cpu.fpcr & FPCR_FZ) denormIn64(cpu, ahi, alo), denormIn64(cpu, bhi, blo);
  if (isSNaN64(alo, ahi)) return nan64(cpu, alo, ahi);
  if (isSNaN64(blo, bhi)) return nan64(cpu, blo, bhi);
  return isNaN64(alo, ahi) ? nan64(cpu, alo, ahi) : nan64(cpu, blo, bhi);
}

/** FPUnpack with FZ: a denormal operand sets IDC even when another operand is a NaN. */
export function denormIn32(cpu: CpuState, w: number): void {
  if ((w & 0x7f800000) === 0 && (w & 0x7fffff) !== 0) cpu.fpsr |= IDC;
}
export function denormIn64(cpu: CpuState, hi: number, lo: number): void {
  if ((hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0) cpu.fpsr |= IDC;
}

// ---- exact arithmetic on the slow path ----

function bitLength(m: bigint): number {
  return m.toString(2).length;
}
/** 2^n as a double for -1074 <= n <= 1023, built from bits (exact). */
function pow2(n: number): number {
  if (n >= -1022) return f64FromBits(0, (n + 1023) << 20);
  const k = n + 1074; // fraction bit position of a subnormal
  return k >= 32 ? f64FromBits(0, 1 << (k - 32)) : f64FromBits(1 << k, 0);
}
/** x * 2^n for any n with an exact result (splits the scale to stay inside pow2's range). */
function ldexp(x: number, n: number): number {
  while (n > 1023) {
    x *= pow2(1023);
    n -= 1023;
  }
  while (n < -1022) {
    // Scale in two steps so no intermediate result is rounded: the final step may be subnormal.
    if (n >= -1022 - 52) return x * pow2(-1022) * pow2(n + 1022);
    x *= pow2(-1022);
    n += 1022;
  }
  return x * pow2(n);
}

let decM = 0n;
let decE = 0;
/** A finite nonzero double as |x| = decM * 2^decE. */
function decompose(x: number): void {
  f64[0] = x;
  const hi = w64[1];
  const lo = w64[0];
  const ex = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (ex === 0) decE = -1074;
  else {
    m |= 1n << 52n;
    decE = ex - 1075;
  }
  decM = m;
}

/**
 * FPRound (ARM ARM shared/functions/float/fpround): round sign * m * 2^e to `fmt` with mode,
 * accumulating UFC/OFC/IXC in FPSR; FPCR.FZ flushes tiny results to zero (UFC, no IXC) for
 * single and double. Returns the rounded value as a double (exact in `fmt`).
 * `m` may carry a sticky bit in its lowest position (the callers add one spare bit).
 */
export function roundExact(cpu: CpuState, fmt: number, sign: number, m: bigint, e: number, mode: number): number {
  if (m === 0n) return sign ? -0 : 0;
  const F = FRAC[fmt];
  const emin = 1 - BIAS[fmt];
  const E = e + bitLength(m) - 1; // the value is in [2^E, 2^(E+1))
  if (fmt < F16A && fmt !== F16 && cpu.fpcr & FPCR_FZ && E < emin) {
    cpu.fpsr |= UFC;
    return sign ? -0 : 0;
  }
  let bexp = E < emin ? 0 : E - emin + 1;
  let q = (E < emin ? emin : E) - F; // the exponent of the last significand bit
  const sh = q - e;
  let mant: bigint;
  let err = 0; // 0 exact, 1 below half, 2 half, 3 above half
  if (sh <= 0) mant = m << BigInt(-sh);
  else {
    const s = BigInt(sh);
    mant = m >> s;
    const rest = m & ((1n << s) - 1n);
    if (rest !== 0n) {
      const half = 1n << (s - 1n);
      err = rest < half ? 1 : rest === half ? 2 : 3;
    }
  }
  if (bexp === 0 && err !== 0) cpu.fpsr |= UFC; // tininess before rounding, when inexact
  let up = false;
  switch (mode) {
    case RN:
      up = err === 3 || (err === 2 && (mant & 1n) === 1n);
      break;
    case RA:
      up = err >= 2;
      break;
    case RP:
      up = err !== 0 && !sign;
      break;
    case RM:
      up = err !== 0 && !!sign;
      break;
    case RO:
      if (err !== 0) mant |= 1n;
      break;
  }
  if (up) {
    mant += 1n;
    if (mant === 1n << BigInt(F + 1)) {
      mant >>= 1n;
      q++;
      bexp++;
    } else if (bexp === 0 && mant === 1n << BigInt(F)) bexp = 1;
  }
  if (bexp >= EMAXB[fmt]) {
    if (fmt === F16A) {
      // FPRound with AHP: saturate to the largest magnitude, Invalid Operation, no Inexact
      cpu.fpsr |= IOC;
      return sign ? -131008 : 131008;
    }
    cpu.fpsr |= OFC | IXC;
    const toInf = mode === RN || mode === RA || (mode === RP && !sign) || (mode === RM && !!sign);
    const big = toInf ? Infinity : (2 - 2 ** -F) * 2 ** (EMAXB[fmt] - 1 - BIAS[fmt]);
    return sign ? -big : big;
  }
  if (err !== 0) cpu.fpsr |= IXC;
  const v = ldexp(Number(mant), q);
  return sign ? -v : v;
}

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_SQRT = 4;
export const OP_FMA = 5; // c + a * b (FPMulAdd(addend=c, op1=a, op2=b))

/** FPCR.FZ input flush (FPUnpack): a denormal single/double input reads as zero and sets IDC. */
export function flushIn(cpu: CpuState, x: number, fmt: number): number {
  if (fmt !== F16 && cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < MIN_NORMAL[fmt]) {
    cpu.fpsr |= IDC;
    return x < 0 ? -0 : 0;
  }
  return x;
}

const sgn = (x: number): number => (x < 0 || Object.is(x, -0) ? 1 : 0);

/**
 * The general (slow) path of every arithmetic operation on non-NaN inputs: FZ flushing, the
 * infinity/zero/invalid cases of the ARM pseudocode, then the exact result rounded once.
 * Returns NaN for an Invalid Operation (the caller returns the default NaN).
 */
export function arith(cpu: CpuState, op: number, a: number, b: number, c: number, fmt: number): number {
  const mode = (cpu.fpcr >>> FPCR_RMODE_SHIFT) & 3;
  a = flushIn(cpu, a, fmt);
  if (op !== OP_SQRT) b = flushIn(cpu, b, fmt);
  if (op === OP_FMA) c = flushIn(cpu, c, fmt);
  if (op === OP_SUB) {
    b = -b;
    op = OP_ADD;
  }
  switch (op) {
    case OP_ADD: {
      if (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) {
        const r = a + b;
        if (r !== r) cpu.fpsr |= IOC;
        return r;
      }
      if (a === 0 && b === 0) return sgn(a) === sgn(b) ? a : mode === RM ? -0 : 0;
      return addExact(cpu, fmt, a, b, mode);
    }
    case OP_MUL: {
      const s = sgn(a) ^ sgn(b);
      if ((Math.abs(a) === Infinity && b === 0) || (a === 0 && Math.abs(b) === Infinity)) {
        cpu.fpsr |= IOC;
        return NaN;
      }
      if (Math.abs(a) === Infinity || Math.abs(b) === Infinity) return s ? -Infinity : Infinity;
      if (a === 0 || b === 0) return s ? -0 : 0;
      decompose(a);
      const ma = decM;
      const ea = decE;
      decompose(b);
      return roundExact(cpu, fmt, s, ma * decM, ea + decE, mode);
    }
    case OP_DIV: {
      const s = sgn(a) ^ sgn(b);
      const ia = Math.abs(a) === Infinity;
      const ib = Math.abs(b) === Infinity;
      if ((ia && ib) || (a === 0 && b === 0)) {
        cpu.fpsr |= IOC;
        return NaN;
      }
      if (ia || b === 0) {
        if (!ia) cpu.fpsr |= DZC;
        return s ? -Infinity : Infinity;
      }
      if (ib || a === 0) return s ? -0 : 0;
      decompose(a);
      const ma = decM;
      const ea = decE;
      decompose(b);
      const mb = decM;
      let k = FRAC[fmt] + 4 + bitLength(mb) - bitLength(ma);
      if (k < 0) k = 0;
      const num = ma << BigInt(k);
      const qt = num / mb;
      const sticky = num - qt * mb !== 0n ? 1n : 0n;
      return roundExact(cpu, fmt, s, (qt << 1n) | sticky, ea - decE - k - 1, mode);
    }
    case OP_SQRT: {
      if (a === 0) return a;
      if (a < 0) {
        cpu.fpsr |= IOC;
        return NaN;
      }
      if (a === Infinity) return a;
      decompose(a);
      let m = decM;
      let e = decE;
      if (e & 1) {
        m <<= 1n;
        e -= 1;
      }
      let k = FRAC[fmt] + 4 - (bitLength(m) >> 1);
      if (k < 0) k = 0;
      const n = m << BigInt(2 * k);
      const r = isqrt(n);
      const sticky = n - r * r !== 0n ? 1n : 0n;
      return roundExact(cpu, fmt, 0, (r << 1n) | sticky, e / 2 - k - 1, mode);
    }
    default: {
      // FPMulAdd: c + a*b with one rounding.
      const sp = sgn(a) ^ sgn(b);
      const infP = Math.abs(a) === Infinity || Math.abs(b) === Infinity;
      const zeroP = a === 0 || b === 0;
      if ((Math.abs(a) === Infinity && b === 0) || (a === 0 && Math.abs(b) === Infinity)) {
        cpu.fpsr |= IOC;
        return NaN;
      }
      if (infP && Math.abs(c) === Infinity && sgn(c) !== sp) {
        cpu.fpsr |= IOC;
        return NaN;
      }
      if (infP) return sp ? -Infinity : Infinity;
      if (Math.abs(c) === Infinity) return c;
      if (zeroP && c === 0) return sp === sgn(c) ? c : mode === RM ? -0 : 0;
      if (zeroP) return roundIn(cpu, fmt, c, mode);
      decompose(a);
      const ma = decM;
      const ea = decE;
      decompose(b);
      const mp = ma * decM;
      const ep = ea + decE;
      if (c === 0) return roundExact(cpu, fmt, sp, mp, ep, mode);
      decompose(c);
      return sumExact(cpu, fmt, sp, mp, ep, sgn(c), decM, decE, mode);
    }
  }
}

/**
 * FPRound of a value already exact in `fmt`: itself. (An operand reaching here was flushed on
 * input under FZ, so no output flush applies either.)
 */
function roundIn(_cpu: CpuState, _fmt: number, x: number, _mode: number): number {
  return x;
}

function addExact(cpu: CpuState, fmt: number, a: number, b: number, mode: number): number {
  if (a === 0) return roundIn(cpu, fmt, b, mode);
  if (b === 0) return roundIn(cpu, fmt, a, mode);
  decompose(a);
  const ma = decM;
  const ea = decE;
  decompose(b);
  return sumExact(cpu, fmt, sgn(a), ma, ea, sgn(b), decM, decE, mode);
}

function sumExact(
  cpu: CpuState,
  fmt: number,
  s1: number,
  m1: bigint,
  e1: number,
  s2: number,
  m2: bigint,
  e2: number,
  mode: number,
): number {
  const e = Math.min(e1, e2);
  const v1 = m1 << BigInt(e1 - e);
  const v2 = m2 << BigInt(e2 - e);
  const t = (s1 ? -v1 : v1) + (s2 ? -v2 : v2);
  if (t === 0n) return mode === RM ? -0 : 0; // exact zero sum of opposite values (IEEE 6.3)
  return t < 0n ? roundExact(cpu, fmt, 1, -t, e, mode) : roundExact(cpu, fmt, 0, t, e, mode);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x && y - x <= 1n) break;
    if (y === x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** Round an exact double-valued x (not NaN) to fmt under FPCR (used by conversions). */
export function roundTo(cpu: CpuState, fmt: number, x: number, mode: number): number {
  if (x === 0 || Math.abs(x) === Infinity) return x;
  if (fmt === F64 && (cpu.fpcr & FPCR_FZ) === 0) return x;
  if (fmt === F32 && (mode === RN) && (cpu.fpcr & FPCR_FZ) === 0) {
    const f = Math.fround(x);
    const af = Math.abs(f);
    // A value that rounds up to the smallest normal was tiny before rounding (UFC): FPRound path.
    if ((af > 2 ** -126 && af !== Infinity) || (af === 2 ** -126 && f === x)) {
      if (f !== x) cpu.fpsr |= IXC;
      return f;
    }
  }
  if (fmt === F16 && mode === RN) {
    // binary16 normal range: round to the 11-bit grid with the 2^52 trick (RNE of a value below
    // 2^52 by one binary64 addition); tiny, overflowing and AHP results take FPRound.
    const ax = Math.abs(x);
    if (ax >= 2 ** -14 && ax < 65520) {
      let e = Math.floor(Math.log2(ax));
      if (2 ** e > ax) e--;
      else if (2 ** (e + 1) <= ax) e++;
      const ulp = 2 ** (e - 10);
      const q = ax / ulp; // exact: a power-of-two scale
      const r = (q + 2 ** 52 - 2 ** 52) * ulp;
      if (r !== ax) cpu.fpsr |= IXC;
      return x < 0 ? -r : r;
    }
  }
  decompose(x);
  return roundExact(cpu, fmt, sgn(x), decM, decE, mode);
}
/** Round the integer hi*2^32 + lo (signed or unsigned) times 2^-fbits to fmt. */
export function roundInt64(cpu: CpuState, fmt: number, lo: number, hi: number, signed: boolean, fbits: number, mode: number): number {
  const neg = signed && hi < 0;
  let l = lo >>> 0;
  let h = hi >>> 0;
  if (neg) {
    // two's complement negate
    l = (~l + 1) >>> 0;
    h = (~h + (l === 0 ? 1 : 0)) >>> 0;
  }
  if (h < 0x200000) {
    // < 2^53: exact as a double
    const v = (h * 4294967296 + l) * 2 ** -fbits;
    return roundTo(cpu, fmt, neg ? -v : v, mode);
  }
  if (mode === RN && fmt !== F16 && (cpu.fpcr & FPCR_FZ) === 0) {
    // h*2^32 and l are exact doubles: their sum rounds once (binary64 is then correct); for
    // binary32, round to odd at 53 bits first so the second rounding is correct.
    let v = twoSum(h * 4294967296, l);
    if (fmt === F32 && eft !== 0) {
      f64[0] = v;
      if ((w64[0] & 1) === 0) {
        // one step towards the error (v > 0): a 64-bit increment or decrement of the bits
        let lo = w64[0] >>> 0;
        let hi = w64[1];
        if (eft > 0) {
          lo = (lo + 1) >>> 0;
          if (lo === 0) hi++;
        } else {
          if (lo === 0) hi--;
          lo = (lo - 1) >>> 0;
        }
        v = f64FromBits(lo | 0, hi);
      }
    }
    const err = eft;
    const scaled = v * 2 ** -fbits; // exact (no underflow from >= 2^53)
    const r = fmt === F32 ? Math.fround(scaled) : scaled;
    if (err !== 0 || r !== scaled) cpu.fpsr |= IXC;
    return neg ? -r : r;
  }
  const m = (BigInt(h) << 32n) | BigInt(l);
  return roundExact(cpu, fmt, neg ? 1 : 0, m, -fbits, mode);
}

// ---- fast paths: error-free transformations ----

let eft = 0; // the error term of the last twoSum / twoProd
function twoSum(a: number, b: number): number {
  const s = a + b;
  const bv = s - a;
  const av = s - bv;
  eft = a - av + (b - bv);
  return s;
}
const SPLIT = 134217729; // 2^27 + 1 (Dekker)
function twoProd(a: number, b: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  eft = al * bl - (p - ah * bh - al * bh - ah * bl);
  return p;
}
/** Operands small enough for Dekker's split and results far enough from underflow. */
const SAFE_HI = 2 ** 990;
const SAFE_LO = 2 ** -960;

/** Binary64 arithmetic on bits (a, b, c as lo/hi pairs). Returns lo; hi in cpu.tmpHi. */
export function fp64(cpu: CpuState, op: number, alo: number, ahi: number, blo: number, bhi: number): number {
  if (isNaN64(alo, ahi) || (op !== OP_SQRT && isNaN64(blo, bhi))) {
    return op === OP_SQRT ? nan64(cpu, alo, ahi) : nans64(cpu, alo, ahi, blo, bhi);
  }
  const a = f64FromBits(alo, ahi);
  const b = f64FromBits(blo, bhi);
  let r = NaN;
  if ((cpu.fpcr & SLOW_FPCR) === 0) {
    switch (op) {
      case OP_ADD:
      case OP_SUB: {
        r = twoSum(a, op === OP_ADD ? b : -b);
        if (r !== r) {
          cpu.fpsr |= IOC;
          cpu.tmpHi = DEFAULT_NAN64_HI;
          return 0;
        }
        const ar = Math.abs(r);
        if (ar === Infinity) {
          if (Math.abs(a) !== Infinity && Math.abs(b) !== Infinity) cpu.fpsr |= OFC | IXC;
          return f64Bits(cpu, r);
        }
        // A sum that is tiny is exact (no rounding at the subnormal grid), so no UFC either.
        if (eft !== 0) cpu.fpsr |= IXC;
        return f64Bits(cpu, r);
      }
      case OP_MUL: {
        const aa = Math.abs(a);
        const ab = Math.abs(b);
        if (aa < SAFE_HI && ab < SAFE_HI) {
          r = twoProd(a, b);
          const ar = Math.abs(r);
          // An overflowed product goes to the bit-level path, which raises OFC (FPRoundBase).
          if ((ar > SAFE_LO && ar < SAFE_HI) || a === 0 || b === 0) {
            if (eft !== 0) cpu.fpsr |= IXC;
            return f64Bits(cpu, r);
          }
        }
        break;
      }
      case OP_DIV: {
        r = a / b;
        const ar = Math.abs(r);
        const aa = Math.abs(a);
        const ab = Math.abs(b);
        if (ar > SAFE_LO && ar < SAFE_HI && ab < SAFE_HI && aa > SAFE_LO && aa < SAFE_HI) {
          // residual a - r*b is exactly representable; zero iff the quotient is exact
          const p = twoProd(r, b);
          if (p !== a || eft !== 0) cpu.fpsr |= IXC;
          return f64Bits(cpu, r);
        }
        break;
      }
      case OP_SQRT: {
        if (a > SAFE_LO && a < SAFE_HI) {
          r = Math.sqrt(a);
          const p = twoProd(r, r);
          if (p !== a || eft !== 0) cpu.fpsr |= IXC;
          return f64Bits(cpu, r);
        }
        break;
      }
    }
  }
  r = arith(cpu, op, a, b, 0, F64);
  if (r !== r) {
    cpu.tmpHi = DEFAULT_NAN64_HI;
    return 0;
  }
  return f64Bits(cpu, r);
}

/** Binary32 arithmetic on bits. */
export function fp32(cpu: CpuState, op: number, aw: number, bw: number): number {
  if (isNaN32(aw) || (op !== OP_SQRT && isNaN32(bw))) {
    return op === OP_SQRT ? nan32(cpu, aw) : nans32(cpu, aw, bw);
  }
  const a = f32FromBits(aw);
  const b = f32FromBits(bw);
  // Division by zero or by/of infinity raises DZC or is exact: the general path decides.
  const special = op === OP_DIV && (b === 0 || Math.abs(b) === Infinity || Math.abs(a) === Infinity);
  if ((cpu.fpcr & SLOW_FPCR) === 0 && !special) {
    let d: number; // the binary64 result before the final rounding to binary32
    let r: number;
    let inexact: boolean;
    switch (op) {
      case OP_ADD:
      case OP_SUB:
        d = twoSum(a, op === OP_ADD ? b : -b);
        r = Math.fround(d);
        inexact = eft !== 0 || r !== d;
        break;
      case OP_MUL:
        d = a * b; // 24x24 bits: exact in binary64
        r = Math.fround(d);
        inexact = r !== d;
        break;
      case OP_DIV:
        d = a / b;
        r = Math.fround(d);
        inexact = r * b !== a; // the product is exact, so this decides exactness
        break;
      default:
        d = Math.sqrt(a);
        r = Math.fround(d);
        inexact = r * r !== a;
    }
    if (r !== r) {
      cpu.fpsr |= IOC;
      return DEFAULT_NAN32;
    }
    const ar = Math.abs(r);
    // A result that rounded up to the smallest normal may be tiny before rounding (UFC): slow path.
    if ((ar > 2 ** -126 && ar !== Infinity) || (ar === 2 ** -126 && !inexact) || (r === 0 && d === 0)) {
      if (inexact) cpu.fpsr |= IXC;
      return f32Bits(r);
    }
    if (ar === Infinity && (Math.abs(a) === Infinity || Math.abs(b) === Infinity)) return f32Bits(r);
  }
  const r = arith(cpu, op, a, b, 0, F32);
  return r !== r ? DEFAULT_NAN32 : f32Bits(r);
}

/** Returned by fmaNaN32 when no operand is a NaN (outside the int32 range, unlike any result). */
const NO_NAN = 0x100000000;
/** FPProcessNaNs3 for FPMulAdd(addend, op1, op2) and the inf*0 + qNaN rule. */
function fmaNaN32(cpu: CpuState, c: number, a: number, b: number): number {
  const nc = isNaN32(c);
  if (!nc && !isNaN32(a) && !isNaN32(b)) return NO_NAN;
  if (cpu.fpcr & FPCR_FZ) denormIn32(cpu, c), denormIn32(cpu, a), denormIn32(cpu, b);
  let r: number;
  if (isSNaN32(c)) r = nan32(cpu, c);
  else if (isSNaN32(a)) r = nan32(cpu, a);
  else if (isSNaN32(b)) r = nan32(cpu, b);
  else r = nan32(cpu, nc ? c : isNaN32(a) ? a : b);
  if (nc && !isSNaN32(c) && infTimesZero(f32FromBits(a), f32FromBits(b), (cpu.fpcr & FPCR_FZ) !== 0, 2 ** -126)) {
    cpu.fpsr |= IOC;
    return DEFAULT_NAN32;
  }
  return r;
}
/**
 * FPMulAdd's "(inf1 && zero2) || (zero1 && inf2)" on unpacked operands: under FPCR.FZ, FPUnpack
 * has already flushed a denormal to zero, so Inf x denormal counts as Inf x 0 there.
 */
function infTimesZero(a: number, b: number, fz = false, minNormal = 0): boolean {
  const za = a === 0 || (fz && Math.abs(a) < minNormal);
  const zb = b === 0 || (fz && Math.abs(b) < minNormal);
  return (Math.abs(a) === Infinity && zb) || (za && Math.abs(b) === Infinity);
}

/** Fused c + a*b in binary32 (bits in, bits out). */
export function fma32(cpu: CpuState, cw: number, aw: number, bw: number): number {
  const n = fmaNaN32(cpu, cw, aw, bw);
  if (n !== NO_NAN) return n;
  const a = f32FromBits(aw);
  const b = f32FromBits(bw);
  const c = f32FromBits(cw);
  if ((cpu.fpcr & SLOW_FPCR) === 0) {
    const p = a * b; // exact
    let s = twoSum(p, c);
    if (s === s && Math.abs(s) !== Infinity) {
      if (eft !== 0) {
        // round to odd at 53 bits, then the single rounding to 24 bits is correct
        f64[0] = s;
        if ((w64[0] & 1) === 0) {
          const away = eft > 0 === s > 0;
          let lo = w64[0] >>> 0;
          let hi = w64[1];
          if (away) {
            lo = (lo + 1) >>> 0;
            if (lo === 0) hi++;
          } else {
            if (lo === 0) hi--;
            lo = (lo - 1) >>> 0;
          }
          s = f64FromBits(lo | 0, hi);
        }
      }
      const r = Math.fround(s);
      const ar = Math.abs(r);
      if ((ar > 2 ** -126 && ar !== Infinity) || (r === 0 && s === 0 && eft === 0 && p !== 0 && c !== 0)) {
        if (eft !== 0 || r !== s) cpu.fpsr |= IXC;
        return f32Bits(r);
      }
    }
  }
  const r = arith(cpu, OP_FMA, a, b, c, F32);
  return r !== r ? DEFAULT_NAN32 : f32Bits(r);
}

/** Fused c + a*b in binary64. Returns lo, hi in tmpHi. */
export function fma64(cpu: CpuState, clo: number, chi: number, alo: number, ahi: number, blo: number, bhi: number): number {
  const nc = isNaN64(clo, chi);
  if (nc || isNaN64(alo, ahi) || isNaN64(blo, bhi)) {
    if (cpu.fpcr & FPCR_FZ) denormIn64(cpu, chi, clo), denormIn64(cpu, ahi, alo), denormIn64(cpu, bhi, blo);
    let r: number;
    if (isSNaN64(clo, chi)) r = nan64(cpu, clo, chi);
    else if (isSNaN64(alo, ahi)) r = nan64(cpu, alo, ahi);
    else if (isSNaN64(blo, bhi)) r = nan64(cpu, blo, bhi);
    else if (nc) r = nan64(cpu, clo, chi);
    else if (isNaN64(alo, ahi)) r = nan64(cpu, alo, ahi);
    else r = nan64(cpu, blo, bhi);
    const fz = (cpu.fpcr & FPCR_FZ) !== 0;
    if (nc && !isSNaN64(clo, chi) && infTimesZero(f64FromBits(alo, ahi), f64FromBits(blo, bhi), fz, 2 ** -1022)) {
      cpu.fpsr |= IOC;
      cpu.tmpHi = DEFAULT_NAN64_HI;
      return 0;
    }
    return r;
  }
  const a = f64FromBits(alo, ahi);
  const b = f64FromBits(blo, bhi);
  const c = f64FromBits(clo, chi);
  if ((cpu.fpcr & SLOW_FPCR) === 0 && finite64(ahi) && finite64(bhi) && finite64(chi)) {
    const r = fastFma64(cpu, c, a, b);
    if (r === r) return f64Bits(cpu, r);
  }
  const r = arith(cpu, OP_FMA, a, b, c, F64);
  if (r !== r) {
    cpu.tmpHi = DEFAULT_NAN64_HI;
    return 0;
  }
  return f64Bits(cpu, r);
}

// ---- min/max, compare ----

/** FPMax/FPMin/FPMaxNum/FPMinNum on exact values; NaNs handled by the callers. */
export function minmax(a: number, b: number, isMax: boolean): number {
  if (a === 0 && b === 0) {
    // max(+0,-0) = +0, min(+0,-0) = -0
    if (isMax) return sgn(a) && sgn(b) ? -0 : 0;
    return sgn(a) || sgn(b) ? -0 : 0;
  }
  return isMax ? (a > b ? a : b) : a < b ? a : b;
}

/** FPCompare as NZCV: unordered 0011, equal 0110, less 1000, greater 0010. */
export function cmpFlags(a: number, b: number): number {
  if (a !== a || b !== b) return 0b0011;
  if (a === b) return 0b0110;
  return a < b ? 0b1000 : 0b0010;
}

// ---- rounding to integral and to fixed point ----

/** Round x (finite) to an integral value with mode; the result keeps x's sign for zero. */
export function roundIntegral(x: number, mode: number): number {
  if (Math.abs(x) >= 2 ** 52 || x === 0) return x;
  let r = Math.floor(x);
  const frac = x - r; // exact: x has < 52 fraction bits here
  switch (mode) {
    case RN:
      if (frac > 0.5 || (frac === 0.5 && r % 2 !== 0)) r += 1;
      break;
    case RA:
      if (frac > 0.5 || (frac === 0.5 && x > 0)) r += 1;
      break;
    case RP:
      if (frac !== 0) r += 1;
      break;
    case RZ:
      if (x < 0 && frac !== 0) r += 1;
      break;
    // RM: floor
  }
  return r === 0 && x < 0 ? -0 : r;
}

/**
 * FPToFixed: x (not NaN, after FZ flushing) * 2^fbits rounded with mode, saturated to a signed
 * or unsigned `bits`-wide integer (32 or 64). Sets IOC on saturation (no IXC then), IXC when
 * inexact. Returns lo; hi in cpu.tmpHi (sign/zero extended for 32-bit).
 */
export function toFixed(cpu: CpuState, x: number, fbits: number, signed: boolean, bits: number, mode: number): number {
  const v = x * 2 ** fbits; // exact (power-of-two scale, no underflow: fbits >= 0)
  const r = roundIntegral(v, mode);
  const lim = signed ? 2 ** (bits - 1) : 2 ** bits; // first value out of range (exact)
  const min = signed ? -lim : 0;
  if (r >= lim || r < min) {
    cpu.fpsr |= IOC;
    if (r < min) {
      if (!signed) {
        cpu.tmpHi = 0;
        return 0;
      }
      if (bits === 32) {
        cpu.tmpHi = -1;
        return 0x80000000 | 0;
      }
      cpu.tmpHi = 0x80000000 | 0;
      return 0;
    }
    if (bits === 32) {
      cpu.tmpHi = 0;
      return signed ? 0x7fffffff : -1;
    }
    cpu.tmpHi = signed ? 0x7fffffff : -1;
    return -1;
  }
  if (r !== v) cpu.fpsr |= IXC;
  const out = r;
  if (bits === 32) {
    cpu.tmpHi = signed && out < 0 ? -1 : 0;
    return out | 0;
  }
  if (out < 0) {
    const m = -out;
    const h = Math.floor(m / 4294967296);
    const l = m - h * 4294967296;
    // negate the 64-bit magnitude
    const nl = (~l + 1) | 0;
    cpu.tmpHi = (~h + (nl === 0 ? 1 : 0)) | 0;
    return nl;
  }
  const h = Math.floor(out / 4294967296);
  cpu.tmpHi = h | 0;
  return (out - h * 4294967296) | 0;
}

// ---- reciprocal and reciprocal square root estimates (ARM ARM shared/functions/float) ----

/** RecipEstimate: a in [256, 511] (0.5 <= x < 1 in units of 1/512) -> [256, 511]. */
export function recipEstimate(a: number): number {
  a = a * 2 + 1; // the midpoint, in units of 1/1024
  const b = Math.floor((1 << 19) / a);
  return (b + 1) >> 1; // round to nearest
}
/** RecipSqrtEstimate: a in [128, 511] -> [256, 511]. */
export function recipSqrtEstimate(a: number): number {
  if (a < 256) a = a * 2 + 1; // 0.25 <= x < 0.5, in units of 1/512
  else {
    a = (a >> 1) << 1; // 0.5 <= x < 1, in units of 1/256
    a = (a + 1) * 2;
  }
  let b = 512;
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++; // the largest b < 2^14 / sqrt(a)
  return (b + 1) >> 1;
}

/**
 * FPRecipEstimate (sqrt = false) and FPRSqrtEstimate (sqrt = true) on a lane of format fmt
 * (F32: w = bits; F64: w = lo, hi = high word; result hi in cpu.tmpHi).
 */
export function recipEst(cpu: CpuState, w: number, hi: number, fmt: number, sqrt: boolean): number {
  const dbl = fmt === F64;
  if (dbl ? isNaN64(w, hi) : isNaN32(w)) return dbl ? nan64(cpu, w, hi) : nan32(cpu, w);
  const top = dbl ? hi : w;
  const sign = top >>> 31;
  let x = dbl ? f64FromBits(w, hi) : f32FromBits(w);
  x = flushIn(cpu, x, fmt);
  const ax = Math.abs(x);
  const out = (v: number): number => (dbl ? f64Bits(cpu, v) : f32Bits(v));
  if (sqrt) {
    if (x === 0) {
      cpu.fpsr |= DZC;
      return out(sign ? -Infinity : Infinity);
    }
    if (sign) {
      cpu.fpsr |= IOC;
      if (dbl) {
        cpu.tmpHi = DEFAULT_NAN64_HI;
        return 0;
      }
      return DEFAULT_NAN32;
    }
    if (ax === Infinity) return out(0);
  } else {
    if (ax === Infinity) return out(sign ? -0 : 0);
    if (x === 0) {
      cpu.fpsr |= DZC;
      return out(sign ? -Infinity : Infinity);
    }
    if (ax < (dbl ? 2 ** -1024 : 2 ** -128)) {
      const mode = (cpu.fpcr >>> FPCR_RMODE_SHIFT) & 3;
      const toInf = mode === RN || (mode === RP && !sign) || (mode === RM && !!sign);
      cpu.fpsr |= OFC | IXC;
      const big = toInf ? Infinity : dbl ? 1.7976931348623157e308 : 3.4028234663852886e38;
      return out(sign ? -big : big);
    }
    if (cpu.fpcr & FPCR_FZ && ax >= (dbl ? 2 ** 1022 : 2 ** 126)) {
      cpu.fpsr |= UFC;
      return out(sign ? -0 : 0);
    }
  }
  // The 52-bit fraction (single: shifted up by 29) as hi20:lo32, and the biased exponent.
  let fhi: number;
  let flo: number;
  let exp: number;
  if (dbl) {
    fhi = hi & 0xfffff;
    flo = w >>> 0;
    exp = (hi >>> 20) & 0x7ff;
  } else {
    fhi = (w & 0x7fffff) >>> 3;
    flo = ((w & 7) << 29) >>> 0;
    exp = (w >>> 23) & 0xff;
  }
  const f = fhi * 4294967296 + flo; // < 2^52, exact
  let frac = f;
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
  const top8 = Math.floor(frac / 2 ** 44); // fraction<51:44>
  let resultExp: number;
  let estimate: number;
  if (sqrt) {
    const scaled = (exp & 1) === 0 ? 256 + top8 : 128 + Math.floor(frac / 2 ** 45); // even exp: [0.5, 1)
    resultExp = Math.floor(((dbl ? 3068 : 380) - exp) / 2);
    estimate = recipSqrtEstimate(scaled);
    const e8 = estimate & 0xff;
    if (dbl) {
      cpu.tmpHi = (resultExp << 20) | (e8 << 12);
      return 0;
    }
    return (resultExp << 23) | (e8 << 15);
  }
  resultExp = (dbl ? 2045 : 253) - exp;
  estimate = recipEstimate(256 + top8);
  // fraction = estimate<7:0> : zeros, denormalised when the exponent is 0 or -1
  let rf = (estimate & 0xff) * 2 ** 44;
  if (resultExp === 0) rf = 2 ** 51 + Math.floor(rf / 2);
  else if (resultExp === -1) {
    rf = 2 ** 50 + Math.floor(rf / 4);
    resultExp = 0;
  }
  if (dbl) {
    const rh = Math.floor(rf / 4294967296);
    cpu.tmpHi = (sign << 31) | (resultExp << 20) | rh;
    return (rf - rh * 4294967296) | 0;
  }
  return (sign << 31) | (resultExp << 23) | Math.floor(rf / 2 ** 29);
}

/** FPRecpX on single bits (double: lo/hi). Exponent inverted, fraction cleared. */
export function recpX(cpu: CpuState, w: number, hi: number, fmt: number): number {
  const dbl = fmt === F64;
  if (dbl ? isNaN64(w, hi) : isNaN32(w)) return dbl ? nan64(cpu, w, hi) : nan32(cpu, w);
  if (dbl) {
    let exp = (hi >>> 20) & 0x7ff;
    if (exp === 0 && cpu.fpcr & FPCR_FZ && ((hi & 0xfffff) | w) !== 0) cpu.fpsr |= IDC;
    exp = exp === 0 ? 0x7fe : ~exp & 0x7ff;
    cpu.tmpHi = (hi & 0x80000000) | (exp << 20);
    return 0;
  }
  let exp = (w >>> 23) & 0xff;
  if (exp === 0 && cpu.fpcr & FPCR_FZ && (w & 0x7fffff) !== 0) cpu.fpsr |= IDC;
  exp = exp === 0 ? 0xfe : ~exp & 0xff;
  return (w & 0x80000000) | (exp << 23);
}

// ---- handler fast paths: finite operands as numbers, FPCR.RMode = RN and FZ = 0 ----
// Each returns the result, or NaN to decline (no flag changed): the caller then takes the
// bit-level path above, which handles every case. Callers check isFast(cpu) and finiteness.

/** FPCR has RMode = RN and FZ = 0. */
export const isFast = (cpu: CpuState): boolean => (cpu.fpcr & SLOW_FPCR) === 0;
/** The high word of a double (or a single's bits) is neither infinity nor NaN. */
export const finite64 = (hi: number): boolean => (hi & 0x7ff00000) !== 0x7ff00000;
export const finite32 = (w: number): boolean => (w & 0x7f800000) !== 0x7f800000;

/** a op b for finite doubles (op: OP_ADD/SUB/MUL/DIV). */
export function fast64(cpu: CpuState, op: number, a: number, b: number): number {
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      const r = twoSum(a, op === OP_ADD ? b : -b);
      if (Math.abs(r) === Infinity) return NaN; // overflow: OFC
      if (eft !== 0) cpu.fpsr |= IXC; // a tiny sum is exact: no UFC
      return r;
    }
    case OP_MUL: {
      if (Math.abs(a) >= SAFE_HI || Math.abs(b) >= SAFE_HI) return NaN;
      const r = twoProd(a, b);
      const ar = Math.abs(r);
      if (!((ar > SAFE_LO && ar < SAFE_HI) || a === 0 || b === 0)) return NaN; // overflow: OFC
      if (eft !== 0) cpu.fpsr |= IXC;
      return r;
    }
    default: {
      const r = a / b;
      const ar = Math.abs(r);
      const aa = Math.abs(a);
      if (!(ar > SAFE_LO && ar < SAFE_HI && Math.abs(b) < SAFE_HI && aa > SAFE_LO && aa < SAFE_HI)) return NaN;
      const p = twoProd(r, b); // the residual a - r*b is exact: zero iff the quotient is
      if (p !== a || eft !== 0) cpu.fpsr |= IXC;
      return r;
    }
  }
}
/** a op b for finite singles (exact binary32 values as numbers). */
export function fast32(cpu: CpuState, op: number, a: number, b: number): number {
  let d: number;
  let r: number;
  let inexact: boolean;
  switch (op) {
    case OP_ADD:
    case OP_SUB:
      d = twoSum(a, op === OP_ADD ? b : -b);
      r = Math.fround(d);
      inexact = eft !== 0 || r !== d;
      break;
    case OP_MUL:
      d = a * b;
      r = Math.fround(d);
      inexact = r !== d;
      break;
    default:
      if (b === 0) return NaN; // DZC or invalid
      d = a / b;
      r = Math.fround(d);
      inexact = r * b !== a;
  }
  const ar = Math.abs(r);
  if ((ar > 2 ** -126 && ar !== Infinity) || (ar === 2 ** -126 && !inexact) || (r === 0 && d === 0)) {
    if (inexact) cpu.fpsr |= IXC;
    return r;
  }
  return NaN;
}
/** c + a*b for finite doubles: zero operands directly, otherwise Boldo-Melquiond (used by fma64). */
export function fastFma64(cpu: CpuState, c: number, a: number, b: number): number {
  if (a === 0 || b === 0) return c === 0 ? NaN : c; // c + 0 is c exactly (zero sums: general path)
  if (c === 0) return fast64(cpu, OP_MUL, a, b); // a nonzero product: its rounding alone
  if (!(Math.abs(a) < SAFE_HI && Math.abs(b) < SAFE_HI && Math.abs(c) < SAFE_HI)) return NaN;
  const uh = twoProd(a, b);
  const ul = eft;
  if (!(Math.abs(uh) > SAFE_LO)) return NaN;
  const th = twoSum(c, uh);
  const v = twoSum(eft, ul);
  if (eft !== 0) return NaN;
  const r = twoSum(th, v);
  const ar = Math.abs(r);
  if (!(ar > SAFE_LO && ar < SAFE_HI)) return NaN;
  if (eft !== 0) cpu.fpsr |= IXC;
  return r;
}
