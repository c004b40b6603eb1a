// Floating-point additions of Armv8.2-8.5 decoded by the CPU models that have them:
//  FEAT_FRINTTS FRINT32Z/FRINT32X/FRINT64Z/FRINT64X (scalar and vector): FPRoundIntN
//  FEAT_FCMA    FCADD, FCMLA (vector and by element): complex add with rotate, complex multiply-add
//  FEAT_FHM     FMLAL/FMLSL/FMLAL2/FMLSL2 (vector and by element): FPMulAddH, half products into single lanes
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk, wrS, wrD } from './fp-common.js';
import {
  f32FromBits, f32Bits, f64FromBits, f64Bits, isNaN32, isNaN64, flushIn, roundIntegral,
  fp32, fp64, fma32, fma64, OP_ADD, F32, F64, FPCR_RMODE_SHIFT, IOC, IXC, RZ,
} from '../fpu.js';
import { fp16, fma16, FPCR_FZ16 } from '../fpu16.js';
import { A, B, C, D, getA, getB, getC, putD } from './simd-lanes.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);
const rmode = (cpu: Cpu): number => (cpu.fpcr >>> FPCR_RMODE_SHIFT) & 3;

// ---- FRINTTS: FPRoundIntN(op, fpcr, rounding, intsize) ----
/**
 * Round to an integral value that fits an intsize-bit signed integer. NaN, infinity and
 * out-of-range values give the most negative integer -2^(intsize-1) with Invalid Operation;
 * otherwise Inexact when the value changed. A zero keeps its sign.
 */
function roundIntN(cpu: Cpu, x: number, mode: number, intsize: number): number {
  if (x !== x || Math.abs(x) === Infinity) {
    cpu.fpsr |= IOC;
    return -(2 ** (intsize - 1));
  }
  if (x === 0) return x;
  const r = roundIntegral(x, mode);
  if (r < -(2 ** (intsize - 1)) || r >= 2 ** (intsize - 1)) {
    cpu.fpsr |= IOC;
    return -(2 ** (intsize - 1));
  }
  if (r !== x) cpu.fpsr |= IXC;
  return r;
}
/** i.imm = intsize (32/64), i.op = 1 for the X forms (FPCR rounding), 0 for Z (toward zero). */
function frintN32(cpu: Cpu, i: Insn, w: number): number {
  const x = isNaN32(w) ? NaN : flushIn(cpu, f32FromBits(w), F32);
  return f32Bits(roundIntN(cpu, x, i.op ? rmode(cpu) : RZ, i.imm));
}
function frintN64(cpu: Cpu, i: Insn, lo: number, hi: number): number {
  const x = isNaN64(lo, hi) ? NaN : flushIn(cpu, f64FromBits(lo, hi), F64);
  return f64Bits(cpu, roundIntN(cpu, x, i.op ? rmode(cpu) : RZ, i.imm));
}
function frintNS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrS(cpu, i.rd, frintN32(cpu, i, cpu.vr[i.rn]));
}
function frintND(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = frintN64(cpu, i, cpu.vr[i.rn], cpu.vr[i.rn + 1]);
  wrD(cpu, i.rd, lo, cpu.tmpHi);
}
/** Vector form: i.sf = 1 for doubles, i.ra = Q. */
function frintNV(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  D[0] = D[1] = D[2] = D[3] = 0;
  if (i.sf) {
    for (let k = 0; k < 4; k += 2) {
      D[k] = frintN64(cpu, i, A[k], A[k + 1]);
      D[k + 1] = cpu.tmpHi;
    }
  } else {
    for (let k = 0; k < (i.ra ? 4 : 2); k++) D[k] = frintN32(cpu, i, A[k]);
  }
  putD(cpu, i.rd, i.ra);
}

// ---- FCMA ----
// Lanes by element size: i.imm = 1 (H), 2 (S), 3 (D). Negation is FPNeg (the sign bit, NaNs too).
function lane(buf: Int32Array, size: number, k: number): number {
  if (size === 1) return (buf[k >> 1] >>> (16 * (k & 1))) & 0xffff;
  return buf[k];
}
function setLane(buf: Int32Array, size: number, k: number, x: number): void {
  if (size === 1) {
    const s = 16 * (k & 1);
    buf[k >> 1] = (buf[k >> 1] & ~(0xffff << s)) | ((x & 0xffff) << s);
  } else buf[k] = x;
}
const SIGN = [0, 0x8000, 0x80000000, 0x80000000];
/** FPAdd on lanes k (of A) and j (of B, negated when neg): into D lane k. */
function addLane(cpu: Cpu, size: number, k: number, j: number, neg: boolean): void {
  if (size === 3) {
    const lo = fp64(cpu, OP_ADD, A[2 * k], A[2 * k + 1], B[2 * j], B[2 * j + 1] ^ (neg ? SIGN[3] : 0));
    D[2 * k] = lo;
    D[2 * k + 1] = cpu.tmpHi;
    return;
  }
  const b = lane(B, size, j) ^ (neg ? SIGN[size] : 0);
  setLane(D, size, k, size === 1 ? fp16(cpu, OP_ADD, lane(A, 1, k), b) : fp32(cpu, OP_ADD, A[k], b));
}
/** D lane k = FPMulAdd(C lane k, A lane an, B lane bm negated when neg). */
function fmaLane(cpu: Cpu, size: number, k: number, an: number, bm: number, neg: boolean): void {
  if (size === 3) {
    const lo = fma64(cpu, C[2 * k], C[2 * k + 1], A[2 * an], A[2 * an + 1], B[2 * bm], B[2 * bm + 1] ^ (neg ? SIGN[3] : 0));
    D[2 * k] = lo;
    D[2 * k + 1] = cpu.tmpHi;
    return;
  }
  const b = lane(B, size, bm) ^ (neg ? SIGN[size] : 0);
  setLane(D, size, k, size === 1 ? fma16(cpu, lane(C, 1, k), lane(A, 1, an), b) : fma32(cpu, C[k], A[an], b));
}
const pairs = (i: Insn): number => (i.ra ? 64 : 32) >> (3 + i.imm); // (datasize / esize) / 2

/** FCADD: rot 90 (i.op = 0): d_even = n_even - m_odd, d_odd = n_odd + m_even; rot 270 the opposite signs. */
function fcadd(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  D[0] = D[1] = D[2] = D[3] = 0;
  const rot270 = i.op === 1;
  for (let e = 0; e < pairs(i); e++) {
    addLane(cpu, i.imm, 2 * e, 2 * e + 1, !rot270);
    addLane(cpu, i.imm, 2 * e + 1, 2 * e, rot270);
  }
  putD(cpu, i.rd, i.ra);
}
/**
 * FCMLA, rot = i.op (0, 90, 180, 270 degrees): d_even += n_x * m_even', d_odd += n_x * m_odd' with
 * x = even for rot 0/180, odd for 90/270, and the m operands swapped and negated as the pseudocode's
 * element1/element3 table says. i.imm2 = -1 for the vector form, else the pair index of Vm.
 */
function fcmla(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  D[0] = D[1] = D[2] = D[3] = 0;
  const rot = i.op;
  const size = i.imm;
  for (let e = 0; e < pairs(i); e++) {
    const ev = 2 * e;
    const me = i.imm2 < 0 ? ev : 2 * i.imm2; // the Vm pair
    const nx = rot & 1 ? ev + 1 : ev;
    // element1 (for d_even) and element3 (for d_odd):
    //   rot 0: m_e, m_o   90: -m_o, m_e   180: -m_e, -m_o   270: m_o, -m_e
    const e1 = rot & 1 ? me + 1 : me;
    const e3 = rot & 1 ? me : me + 1;
    const neg1 = rot === 1 || rot === 2;
    const neg3 = rot === 2 || rot === 3;
    fmaLane(cpu, size, ev, nx, e1, neg1);
    fmaLane(cpu, size, ev + 1, nx, e3, neg3);
  }
  putD(cpu, i.rd, i.ra);
}

// ---- FHM: FPMulAddH(addend single, op1 half, op2 half) ----
/** A half as single bits: exact (NaN payloads moved up, sNaN kept signalling; FZ16 flushes denormals). */
function h2s(cpu: Cpu, h: number): number {
  const s = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0x1f) return s | 0x7f800000 | (f << 13);
  if (e === 0) {
    if (f === 0 || cpu.fpcr & FPCR_FZ16) return s;
    return s | (f32Bits(f * 2 ** -24) & 0x7fffffff);
  }
  return s | ((e - 15 + 127) << 23) | (f << 13);
}
/**
 * FMLAL/FMLSL{2}: i.op = 1 subtracts (FPNeg of the Vn half), i.imm = 0/1 the half of the sources
 * (the 2 forms take the upper), i.ra = Q, i.imm2 = -1 vector or the half-element index of Vm.
 */
function fmlal(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  const n = i.ra ? 4 : 2;
  const base = i.imm * n; // first half-element of the selected part
  D[0] = D[1] = D[2] = D[3] = 0;
  for (let e = 0; e < n; e++) {
    let h1 = lane(A, 1, base + e);
    const h2 = lane(B, 1, i.imm2 < 0 ? base + e : i.imm2);
    if (i.op) h1 ^= 0x8000;
    D[e] = fma32(cpu, C[e], h2s(cpu, h1), h2s(cpu, h2));
  }
  putD(cpu, i.rd, i.ra);
}

export const fpV8x: Encoding[] = [
  {
    // FP data-processing (1 source), opcode 0100xx: FRINT32Z/32X/64Z/64X (ftype 00 single, 01 double).
    name: 'FRINT32Z/FRINT32X/FRINT64Z/FRINT64X (scalar)',
    pattern: '000 11110 0t 1 0100 oo 10000 nnnnn ddddd',
    decode(raw, i) {
      const op = bits(raw, 16, 15);
      i.imm = op & 2 ? 64 : 32;
      i.op = op & 1;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.exec = bits(raw, 22, 22) ? frintND : frintNS;
    },
  },
  {
    // Advanced SIMD two-register misc, size 0x, opcode 1111x: FRINT32{Z,X} (1110) / FRINT64{Z,X} (1111), U = X.
    name: 'FRINT32Z/FRINT32X/FRINT64Z/FRINT64X (vector)',
    pattern: '0 q u 01110 0 s 10000 1111 o 10 nnnnn ddddd',
    decode(raw, i) {
      const q = bits(raw, 30, 30), sz = bits(raw, 22, 22);
      if (sz && !q) return false;
      i.imm = bits(raw, 12, 12) ? 64 : 32;
      i.op = bits(raw, 29, 29);
      i.sf = sz;
      i.ra = q;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.exec = frintNV;
    },
  },
  {
    // Three same (extra), U = 1, opcode 111r: FCADD #90/#270; size 01 H, 10 S, 11 D (Q = 1 only).
    name: 'FCADD',
    pattern: '0 q 1 01110 ss 0 mmmmm 1 11 r 0 1 nnnnn ddddd',
    decode(raw, i) {
      const size = bits(raw, 23, 22), q = bits(raw, 30, 30);
      if (size === 0 || (size === 3 && !q)) return false;
      i.imm = size;
      i.ra = q;
      i.op = bits(raw, 12, 12);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = fcadd;
    },
  },
  {
    // Three same (extra), U = 1, opcode 10rr: FCMLA (vector).
    name: 'FCMLA (vector)',
    pattern: '0 q 1 01110 ss 0 mmmmm 1 10 rr 1 nnnnn ddddd',
    decode(raw, i) {
      const size = bits(raw, 23, 22), q = bits(raw, 30, 30);
      if (size === 0 || (size === 3 && !q)) return false;
      i.imm = size;
      i.ra = q;
      i.op = bits(raw, 12, 11);
      i.imm2 = -1;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = fcmla;
    },
  },
  {
    // x indexed element, U = 1, opcode 0rr1: FCMLA (by element); size 01: index H:L, 10: index H (L = 0, Q = 1).
    name: 'FCMLA (by element)',
    pattern: '0 q 1 01111 ss l m rrrr 0 oo 1 h 0 nnnnn ddddd',
    decode(raw, i) {
      const size = bits(raw, 23, 22), q = bits(raw, 30, 30);
      const h = bits(raw, 11, 11), l = bits(raw, 21, 21);
      if (size === 1) i.imm2 = (h << 1) | l;
      else if (size === 2 && l === 0 && q === 1) i.imm2 = h;
      else return false;
      if (size === 1 && !q && h) return false; // index beyond the 64-bit vector
      i.imm = size;
      i.ra = q;
      i.op = bits(raw, 14, 13);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = fcmla;
    },
  },
  {
    // Three same: FMLAL (U=0, S=0, opcode 11101), FMLSL (U=0, S=1), FMLAL2 (U=1, S=0, opcode 11001), FMLSL2 (U=1, S=1).
    name: 'FMLAL/FMLSL/FMLAL2/FMLSL2 (vector)',
    pattern: '0 q u 01110 s 0 1 mmmmm 11 x 01 1 nnnnn ddddd',
    decode(raw, i) {
      const u = bits(raw, 29, 29);
      if (bits(raw, 13, 13) !== (u ? 0 : 1)) return false;
      i.imm = u;
      i.op = bits(raw, 23, 23);
      i.ra = bits(raw, 30, 30);
      i.imm2 = -1;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = fmlal;
    },
  },
  {
    // x indexed element, size 10: FMLAL (U=0, opcode 0000), FMLSL (0100), FMLAL2 (U=1, 1000), FMLSL2 (1100); index H:L:M, Rm 4 bits.
    name: 'FMLAL/FMLSL/FMLAL2/FMLSL2 (by element)',
    pattern: '0 q u 01111 10 l m rrrr x s 00 h 0 nnnnn ddddd',
    decode(raw, i) {
      const u = bits(raw, 29, 29);
      if (bits(raw, 15, 15) !== u) return false;
      i.imm = u;
      i.op = bits(raw, 14, 14);
      i.ra = bits(raw, 30, 30);
      i.imm2 = (bits(raw, 11, 11) << 2) | (bits(raw, 21, 21) << 1) | bits(raw, 20, 20);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = 4 * bits(raw, 19, 16);
      i.exec = fmlal;
    },
  },
];
