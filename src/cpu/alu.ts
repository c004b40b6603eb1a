// Shared integer arithmetic on 64-bit values held as int32 pairs (lo, hi), named after the
// ARM ARM shared pseudocode (J1): AddWithCarry, DecodeBitMasks, CountLeadingZeroBits,
// CountLeadingSignBits, BitReverse, plus 64x64 multiply and 64-bit division.
// Conventions: a function returning a 64-bit value returns the lo word and leaves the hi word
// in s.tmpHi. Nothing here allocates or uses BigInt: these run on the per-instruction path.
import type { CpuState } from './state.js';

const TWO32 = 4294967296;

// ---- AddWithCarry (ARM ARM J1.1.3) ----

/** AddWithCarry(a, b, cin) for N=32: returns the result and sets PSTATE.NZCV. */
export function addWithCarry32(s: CpuState, a: number, b: number, cin: number): number {
  const u = (a >>> 0) + (b >>> 0) + cin;
  const r = u | 0;
  s.n = r >>> 31;
  s.z = r === 0 ? 1 : 0;
  s.c = u > 0xffffffff ? 1 : 0; // unsigned sum differs from the N-bit result
  s.v = ((a ^ r) & (b ^ r)) >>> 31; // both operands' sign differs from the result's
  return r;
}

/** AddWithCarry(a, b, cin) for N=64: returns lo (hi in s.tmpHi) and sets PSTATE.NZCV. */
export function addWithCarry64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number, cin: number): number {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0);
  const lo = l | 0;
  const hi = h | 0;
  s.n = hi >>> 31;
  s.z = (lo | hi) === 0 ? 1 : 0;
  s.c = h > 0xffffffff ? 1 : 0;
  s.v = ((ahi ^ hi) & (bhi ^ hi)) >>> 31;
  s.tmpHi = hi;
  return lo;
}

// ---- shifts and rotates of a 64-bit value by 0..63 (callers reduce the amount) ----

export function lsl64(s: CpuState, lo: number, hi: number, n: number): number {
  if (n === 0) {
    s.tmpHi = hi;
    return lo;
  }
  if (n < 32) {
    s.tmpHi = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  s.tmpHi = lo << (n - 32);
  return 0;
}
export function lsr64(s: CpuState, lo: number, hi: number, n: number): number {
  if (n === 0) {
    s.tmpHi = hi;
    return lo;
  }
  if (n < 32) {
    s.tmpHi = (hi >>> n) | 0;
    return (lo >>> n) | (hi << (32 - n));
  }
  s.tmpHi = 0;
  return (hi >>> (n - 32)) | 0;
}
export function asr64(s: CpuState, lo: number, hi: number, n: number): number {
  if (n === 0) {
    s.tmpHi = hi;
    return lo;
  }
  if (n < 32) {
    s.tmpHi = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  s.tmpHi = hi >> 31;
  return hi >> (n - 32);
}
export function ror64(s: CpuState, lo: number, hi: number, n: number): number {
  if (n >= 32) {
    // ROR by 32 swaps the words; the rest rotates by n - 32.
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  if (n === 0) {
    s.tmpHi = hi;
    return lo;
  }
  s.tmpHi = (hi >>> n) | (lo << (32 - n));
  return (lo >>> n) | (hi << (32 - n));
}
export function ror32(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n)); // n = 0: x << 32 is x << 0 in JS, and x | x = x
}

// ---- multiply ----

/** Unsigned 32x32 -> 64 product: returns lo, hi in s.tmpHi. */
export function umul32(s: CpuState, a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  s.tmpHi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return (mid << 16) | (p00 & 0xffff);
}
/** Signed 32x32 -> 64 product (SMADDL): the unsigned product corrected for negative operands. */
export function smul32(s: CpuState, a: number, b: number): number {
  const lo = umul32(s, a, b);
  // a_signed = a_unsigned - 2^32 [a < 0]: subtract the cross terms from the high word.
  s.tmpHi = (s.tmpHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  return lo;
}
/** Low 64 bits of a 64x64 product (same for signed and unsigned). */
export function mul64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = umul32(s, alo, blo);
  s.tmpHi = (s.tmpHi + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  return lo;
}
/** High 64 bits of the unsigned 128-bit product (UMULH). */
export function umulh64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  umul32(s, alo, blo);
  const w1 = s.tmpHi >>> 0;
  const lhLo = umul32(s, alo, bhi) >>> 0;
  const lhHi = s.tmpHi >>> 0;
  const hlLo = umul32(s, ahi, blo) >>> 0;
  const hlHi = s.tmpHi >>> 0;
  const hhLo = umul32(s, ahi, bhi) >>> 0;
  const hhHi = s.tmpHi >>> 0;
  // Column sums stay below 2^35, exact as doubles.
  const c1 = Math.floor((w1 + lhLo + hlLo) / TWO32);
  const w2 = lhHi + hlHi + hhLo + c1;
  s.tmpHi = (hhHi + Math.floor(w2 / TWO32)) | 0;
  return w2 | 0;
}
/** High 64 bits of the signed 128-bit product (SMULH). */
export function smulh64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  let lo = umulh64(s, alo, ahi, blo, bhi);
  let hi = s.tmpHi;
  // a_signed = a_unsigned - 2^64 [a < 0], so the high half loses b (and symmetrically a).
  if (ahi < 0) {
    const t = lo;
    lo = (lo - blo) | 0;
    hi = (hi - bhi - ((t >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
  }
  if (bhi < 0) {
    const t = lo;
    lo = (lo - alo) | 0;
    hi = (hi - ahi - ((t >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  }
  s.tmpHi = hi;
  return lo;
}

// ---- division (UDIV/SDIV: divide by zero gives 0, rounding toward zero) ----

/** Unsigned 64-bit division; b = 0 gives 0. */
export function udiv64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  const ah = ahi >>> 0;
  const bh = bhi >>> 0;
  if (bh === 0 && blo === 0) {
    s.tmpHi = 0;
    return 0;
  }
  if (ah < 0x200000) {
    // Dividend below 2^53: the rounded double quotient is within 1/b of a/b, so its floor is
    // the exact integer quotient.
    if (bh >= 0x200000) {
      s.tmpHi = 0;
      return 0; // divisor >= 2^53 > dividend
    }
    const q = Math.floor((ah * TWO32 + (alo >>> 0)) / (bh * TWO32 + (blo >>> 0)));
    s.tmpHi = Math.floor(q / TWO32) | 0;
    return q | 0;
  }
  return udiv64Slow(s, alo, ahi, blo, bhi);
}

/** Restoring long division over int32 pairs, one quotient bit per step (dividends >= 2^53). */
function udiv64Slow(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  let qlo = 0;
  let qhi = 0;
  let rlo = 0;
  let rhi = 0;
  const bl = blo >>> 0;
  const bh = bhi >>> 0;
  for (let k = 63; k >= 0; k--) {
    const out = rhi >>> 31; // r < b < 2^64, but 2r + 1 may need a 65th bit
    rhi = (rhi << 1) | (rlo >>> 31);
    rlo = (rlo << 1) | ((k >= 32 ? ahi >>> (k - 32) : alo >>> k) & 1);
    if (out !== 0 || (rhi >>> 0) > bh || ((rhi >>> 0) === bh && (rlo >>> 0) >= bl)) {
      const t = rlo >>> 0;
      rlo = (rlo - blo) | 0;
      rhi = (rhi - bhi - (t < bl ? 1 : 0)) | 0;
      if (k >= 32) qhi |= 1 << (k - 32);
      else qlo |= 1 << k;
    }
  }
  s.tmpHi = qhi;
  return qlo;
}

/** Signed 64-bit division, rounding toward zero; b = 0 gives 0; INT64_MIN / -1 gives INT64_MIN. */
export function sdiv64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): number {
  const neg = (ahi ^ bhi) < 0;
  if (ahi < 0) {
    alo = -alo | 0;
    ahi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
  }
  if (bhi < 0) {
    blo = -blo | 0;
    bhi = (~bhi + (blo === 0 ? 1 : 0)) | 0;
  }
  // |INT64_MIN| = 2^63 as an unsigned value; 2^63 / 1 negated wraps back to INT64_MIN.
  let lo = udiv64(s, alo, ahi, blo, bhi);
  if (neg) {
    lo = -lo | 0;
    s.tmpHi = (~s.tmpHi + (lo === 0 ? 1 : 0)) | 0;
  }
  return lo;
}
export function udiv32(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0)) | 0;
}
export function sdiv32(a: number, b: number): number {
  // (a / b) | 0 truncates toward zero and wraps 2^31 (INT32_MIN / -1) back to INT32_MIN.
  return b === 0 ? 0 : (a / b) | 0;
}

// ---- bit counting and reversal ----

/** CountLeadingZeroBits for N=64. */
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}
/** CountLeadingSignBits(x) = CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>), N=32. */
export function cls32(x: number): number {
  return Math.clz32(x ^ (x >> 31)) - 1;
}
export function cls64(lo: number, hi: number): number {
  const sign = hi >> 31;
  return clz64(lo ^ sign, hi ^ sign) - 1;
}
/** BitReverse for N=32 (RBIT); the 64-bit form is rbit32 of each word, swapped. */
export function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}
/** Byte reverse of a word (REV, and each half of REV32/REV for X). */
export function bswap32(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
}
/** Byte swap within each halfword (REV16). */
export function rev16w(x: number): number {
  return ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
}

// ---- DecodeBitMasks (ARM ARM J1.1.3, used by logical immediates and bitfield moves) ----

/** Result of decodeBitMasks: wmask and tmask as int32 pairs. Decode time only. */
export const bitMasks = { wLo: 0, wHi: 0, tLo: 0, tHi: 0 };

/** Replicate the low `esize` bits of x (esize <= 32) across a word. */
function replicate32(x: number, esize: number): number {
  for (let e = esize; e < 32; e *= 2) x |= x << e;
  return x;
}
/** ones(n) in the low bits of a word, n in 0..32. */
function ones32(n: number): number {
  return n >= 32 ? -1 : (1 << n) - 1;
}

/**
 * DecodeBitMasks(immN, imms, immr, immediate, M). Fills bitMasks; returns false where the
 * pseudocode is UNDEFINED (len < 1, an all-ones element for a logical immediate) or the element
 * would be wider than the register (N=1 with a 32-bit register).
 */
export function decodeBitMasks(immN: number, imms: number, immr: number, immediate: boolean, m: number): boolean {
  const v = (immN << 6) | (~imms & 0x3f);
  if (v === 0) return false;
  const len = 31 - Math.clz32(v);
  if (len < 1) return false;
  const esize = 1 << len;
  if (esize > m) return false;
  const levels = esize - 1;
  if (immediate && (imms & levels) === levels) return false;
  const S = imms & levels;
  const R = immr & levels;
  const d = (S - R) & levels;
  if (esize === 64) {
    // welem = ROR(Ones(S+1), R): bit j is set when bit (j + R) mod 64 of Ones(S+1) is.
    let wl = 0;
    let wh = 0;
    for (let j = 0; j < 64; j++) {
      if (((j + R) & 63) <= S) {
        if (j < 32) wl |= 1 << j;
        else wh |= 1 << (j - 32);
      }
    }
    bitMasks.wLo = wl;
    bitMasks.wHi = wh;
    bitMasks.tLo = d + 1 >= 32 ? -1 : ones32(d + 1);
    bitMasks.tHi = d + 1 > 32 ? ones32(d + 1 - 32) : 0;
    return true;
  }
  const emask = ones32(esize);
  const we = ones32(S + 1);
  const w = R === 0 ? we : ((we >>> R) | (we << (esize - R))) & emask;
  bitMasks.wLo = bitMasks.wHi = replicate32(w, esize);
  bitMasks.tLo = bitMasks.tHi = replicate32(ones32(d + 1), esize);
  return true;
}

// ---- CRC32 / CRC32C (ARM ARM C6.2: bit-reflected, no pre/post inversion) ----

function crcTable(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c;
  }
  return t;
}
/** CRC-32 (0x04C11DB7) and CRC-32C (0x1EDC6F41), both bit-reversed since A64 CRC is reflected. */
export const CRC32_TABLE = crcTable(0xedb88320);
export const CRC32C_TABLE = crcTable(0x82f63b78);

/** Fold the low `bytes` bytes of v (little-endian order) into acc. */
export function crcUpdate(t: Int32Array, acc: number, v: number, bytes: number): number {
  for (let k = 0; k < bytes; k++) {
    acc = t[(acc ^ v) & 0xff] ^ (acc >>> 8);
    v >>>= 8;
  }
  return acc;
}
