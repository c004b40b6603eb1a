// Scalar half-precision floating point (FEAT_FP16, ftype = 0b11 of the ARM ARM C4.1.90 scalar FP
// groups): 1/2/3-source data processing, compares, conditional compare/select, FMOV (immediate
// and general), and the conversions between half and integer or fixed point. FCVT between half
// and single/double lives in fp.ts. The arithmetic is fpu16.ts (FPCR.FZ16, not FZ).
// Registered after fp.ts's encodings, whose decoders decline ftype 0b11.
//
// Advanced SIMD half precision (fp16Simd, registered at the end of simd.ts): three same (FP16),
// two-register miscellaneous (FP16), their scalar forms, scalar pairwise, across lanes
// (FMAXV/FMINV/FMAXNMV/FMINNMV on H), vector/scalar x indexed element (FMLA/FMLS/FMUL/FMULX with
// size 00) and the fixed-point conversions of shift by immediate with immh = 001x. Lanes are the
// 16-bit views of the simd-lanes.ts scratch buffers; each lane is the scalar semantics above.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR, conditionHolds } from './common.js';
import { fpOk, wrS } from './fp-common.js';
import { RA } from '../fpu.js';
import { B, D, AU16, BU16, CU16, DU16, getA, getB, getC, putD } from './simd-lanes.js';
import {
  fp16,
  step16,
  recipEst16,
  recpX16,
  toInt16,
  fromInt16,
  isNaN16,
  val16,
  fma16,
  minmax16,
  fcmp16,
  frint16,
  toFixed16,
  fromFixed16,
  expandImm16,
  rmode16,
  H_ADD,
  H_SUB,
  H_MUL,
  H_DIV,
  H_SQRT,
} from '../fpu16.js';

/** Write H[d]: the rest of the 128-bit register becomes zero. */
const wrH = (cpu: Cpu, d: number, h: number): void => wrS(cpu, d, h & 0xffff);
const H = (cpu: Cpu, n: number): number => cpu.vr[n] & 0xffff;

// FADD FSUB FMUL FDIV (i.op = H_*)
function arith2H(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, fp16(cpu, i.op, H(cpu, i.rn), H(cpu, i.rm)));
}
// FNMUL: FPNeg(FPMul): a NaN result has its sign flipped too.
function fnmulH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, fp16(cpu, H_MUL, H(cpu, i.rn), H(cpu, i.rm)) ^ 0x8000);
}
function minmaxH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, minmax16(cpu, H(cpu, i.rn), H(cpu, i.rm), i.op));
}
// FMADD FMSUB FNMADD FNMSUB: i.op bit0 negates op1 (Rn), bit1 negates Ra (FPNeg before FPMulAdd).
function fmaH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const a = H(cpu, i.rn) ^ (i.op & 1 ? 0x8000 : 0);
  const c = H(cpu, i.ra) ^ (i.op & 2 ? 0x8000 : 0);
  wrH(cpu, i.rd, fma16(cpu, c, a, H(cpu, i.rm)));
}
function fmovH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, H(cpu, i.rn));
}
// FABS/FNEG: sign-bit operations, no NaN processing, no flags.
function fabsH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, H(cpu, i.rn) & 0x7fff);
}
function fnegH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, H(cpu, i.rn) ^ 0x8000);
}
function fsqrtH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, fp16(cpu, H_SQRT, H(cpu, i.rn), 0));
}
// FRINT<N,P,M,Z,A,X,I>: i.op = mode (-1: FPCR), i.imm = 1 for FRINTX.
function frintH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, frint16(cpu, H(cpu, i.rn), i.op, i.imm === 1));
}
// FCMP/FCMPE: i.rm = -1 compares with +0.0; i.op = 1 for FCMPE.
function fcmpH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  cpu.nzcv = fcmp16(cpu, H(cpu, i.rn), i.rm < 0 ? 0 : H(cpu, i.rm), i.op === 1);
}
// FCCMP/FCCMPE: i.imm = cond, i.imm2 = nzcv when the condition fails.
function fccmpH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  if (!conditionHolds(i.imm, cpu.n, cpu.z, cpu.c, cpu.v)) {
    cpu.nzcv = i.imm2;
    return;
  }
  cpu.nzcv = fcmp16(cpu, H(cpu, i.rn), H(cpu, i.rm), i.op === 1);
}
function fcselH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, H(cpu, conditionHolds(i.imm, cpu.n, cpu.z, cpu.c, cpu.v) ? i.rn : i.rm));
}
function fmovImmH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, i.imm);
}
// FMOV Wd/Xd, Hn: the half zero-extended.
function fmovRH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  cpu.r[i.rd] = H(cpu, i.rn);
  cpu.r[i.rd + 1] = 0;
}
// FMOV Hd, Wn/Xn: the low 16 bits, the rest of Vd zero.
function fmovHR(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  wrH(cpu, i.rd, cpu.r[i.rn]);
}
// FCVT[NPMZA][SU] and FCVTZ[SU] (fixed point): i.op = mode (-1 FPCR), i.imm = fbits,
// i.imm2 = 1 unsigned, i.sf = 64-bit destination.
function fcvtIntH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = toFixed16(cpu, H(cpu, i.rn), i.imm, i.imm2 === 0, i.sf ? 64 : 32, i.op < 0 ? rmode16(cpu) : i.op);
  cpu.r[i.rd] = lo;
  cpu.r[i.rd + 1] = i.sf ? cpu.tmpHi : 0;
}
// SCVTF/UCVTF to half: i.imm2 = 1 unsigned, i.imm = fbits.
function cvtfH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = cpu.r[i.rn];
  const signed = i.imm2 === 0;
  const hi = i.sf ? cpu.r[i.rn + 1] : signed ? lo >> 31 : 0;
  wrH(cpu, i.rd, fromFixed16(cpu, lo, hi, signed, i.imm));
}

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);

export const fp16Scalar: Encoding[] = [
  {
    name: 'FP16 data-processing (2 source)',
    pattern: '0 0 0 11110 11 1 mmmmm oooo 10 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 12);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      if (opc <= 3) {
        i.op = [H_MUL, H_DIV, H_ADD, H_SUB][opc];
        i.exec = arith2H;
      } else if (opc <= 7) {
        i.op = opc - 4; // bit0 = min, bit1 = NM
        i.exec = minmaxH;
      } else if (opc === 8) i.exec = fnmulH;
      else return false;
    },
  },
  {
    name: 'FP16 data-processing (3 source)',
    pattern: '0 0 0 11111 11 o mmmmm p aaaaa nnnnn ddddd',
    decode(raw, i) {
      const o1 = bits(raw, 21, 21);
      const o0 = bits(raw, 15, 15);
      i.op = o1 === 0 ? o0 : o0 ? 2 : 3;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.ra = vreg(raw, 10);
      i.rm = vreg(raw, 16);
      i.exec = fmaH;
    },
  },
  {
    name: 'FP16 data-processing (1 source)',
    pattern: '0 0 0 11110 11 1 oooooo 10000 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 20, 15);
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      switch (opc) {
        case 0:
          i.exec = fmovH;
          return;
        case 1:
          i.exec = fabsH;
          return;
        case 2:
          i.exec = fnegH;
          return;
        case 3:
          i.exec = fsqrtH;
          return;
      }
      if (opc >= 8 && opc <= 15 && opc !== 13) {
        i.op = [0, 1, 2, 3, RA, -1, -1, -1][opc - 8];
        i.imm = opc === 14 ? 1 : 0;
        i.exec = frintH;
        return;
      }
      return false; // FCVT (opc 0001xx) is fp.ts's; the rest is unallocated
    },
  },
  {
    name: 'FP16 compare',
    pattern: '0 0 0 11110 11 1 mmmmm 00 1000 nnnnn oo 000',
    decode(raw, i) {
      const opc = bits(raw, 4, 3);
      i.rn = vreg(raw, 5);
      i.rm = opc & 1 ? -1 : vreg(raw, 16);
      if (opc & 1 && bits(raw, 20, 16) !== 0) return false;
      i.op = opc >>> 1;
      i.exec = fcmpH;
    },
  },
  {
    name: 'FP16 conditional compare',
    pattern: '0 0 0 11110 11 1 mmmmm cccc 01 nnnnn o vvvv',
    decode(raw, i) {
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = bits(raw, 15, 12);
      i.imm2 = bits(raw, 3, 0);
      i.op = bits(raw, 4, 4);
      i.exec = fccmpH;
    },
  },
  {
    name: 'FP16 FCSEL',
    pattern: '0 0 0 11110 11 1 mmmmm cccc 11 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = bits(raw, 15, 12);
      i.exec = fcselH;
    },
  },
  {
    name: 'FP16 FMOV (scalar, immediate)',
    pattern: '0 0 0 11110 11 1 iiiiiiii 100 00000 ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.imm = expandImm16(bits(raw, 20, 13));
      i.exec = fmovImmH;
    },
  },
  {
    name: 'FP16 conversion between FP and integer',
    pattern: 's 0 0 11110 11 1 rr ooo 000000 nnnnn ddddd',
    decode(raw, i) {
      const sf = bits(raw, 31, 31);
      const rm = bits(raw, 20, 19);
      const opc = bits(raw, 18, 16);
      i.sf = sf;
      i.imm = 0;
      if (opc === 6 || opc === 7) {
        if (rm !== 0) return false;
        const toFp = opc === 7;
        i.rd = toFp ? vreg(raw, 0) : dstZR(bits(raw, 4, 0));
        i.rn = toFp ? srcZR(bits(raw, 9, 5)) : vreg(raw, 5);
        i.exec = toFp ? fmovHR : fmovRH;
        return;
      }
      if (opc === 2 || opc === 3) {
        if (rm !== 0) return false;
        i.rd = vreg(raw, 0);
        i.rn = srcZR(bits(raw, 9, 5));
        i.imm2 = opc & 1;
        i.exec = cvtfH;
        return;
      }
      if (opc <= 1) i.op = rm;
      else if (opc === 4 || opc === 5) {
        if (rm !== 0) return false;
        i.op = RA;
      } else return false;
      i.imm2 = opc & 1;
      i.rd = dstZR(bits(raw, 4, 0));
      i.rn = vreg(raw, 5);
      i.exec = fcvtIntH;
    },
  },
  {
    name: 'FP16 conversion between FP and fixed-point',
    pattern: 's 0 0 11110 11 0 rr ooo ssssss nnnnn ddddd',
    decode(raw, i) {
      const sf = bits(raw, 31, 31);
      const rm = bits(raw, 20, 19);
      const opc = bits(raw, 18, 16);
      const scale = bits(raw, 15, 10);
      if (sf === 0 && scale < 32) return false;
      i.sf = sf;
      i.imm = 64 - scale;
      if (rm === 0 && (opc === 2 || opc === 3)) {
        i.rd = vreg(raw, 0);
        i.rn = srcZR(bits(raw, 9, 5));
        i.imm2 = opc & 1;
        i.exec = cvtfH;
        return;
      }
      if (rm === 3 && opc <= 1) {
        i.op = 3; // towards zero
        i.imm2 = opc;
        i.rd = dstZR(bits(raw, 4, 0));
        i.rn = vreg(raw, 5);
        i.exec = fcvtIntH;
        return;
      }
      return false;
    },
  },
];

// ---- Advanced SIMD ----
const S_ADD = 0;
const S_SUB = 1;
const S_MUL = 2;
const S_DIV = 3;
const S_MAX = 4; // 4..7: FMAX FMIN FMAXNM FMINNM (minmax16 op = S - 4)
const S_MLA = 8;
const S_MLS = 9;
const S_CMEQ = 10;
const S_CMGE = 11;
const S_CMGT = 12;
const S_ACGE = 13;
const S_ACGT = 14;
const S_ABD = 15;
const S_MULX = 16;
const S_RECPS = 17;
const S_RSQRTS = 18;

/** Is the NZCV of FPCompare true for FCMEQ/FCMGE/FCMGT (and the absolute forms)? */
function cmpTrue(op: number, nzcv: number): boolean {
  if (nzcv === 0b0011) return false;
  if (op === S_CMEQ) return nzcv === 0b0110;
  if (op === S_CMGE || op === S_ACGE) return nzcv !== 0b1000;
  return nzcv === 0b0010;
}
/** A zero after FPUnpack (a denormal under FZ16 is one). */
function isZero16(cpu: Cpu, h: number): boolean {
  return !isNaN16(h) && val16(cpu, h) === 0;
}
function lane16(cpu: Cpu, op: number, a: number, b: number, c: number): number {
  switch (op) {
    case S_ADD:
      return fp16(cpu, H_ADD, a, b);
    case S_SUB:
      return fp16(cpu, H_SUB, a, b);
    case S_MUL:
      return fp16(cpu, H_MUL, a, b);
    case S_DIV:
      return fp16(cpu, H_DIV, a, b);
    case S_MLA:
      return fma16(cpu, c, a, b);
    case S_MLS:
      return fma16(cpu, c, a ^ 0x8000, b);
    case S_ABD:
      return fp16(cpu, H_SUB, a, b) & 0x7fff; // FPAbs of the difference, NaN included
    case S_MULX: {
      // FPMulX: infinity * zero is 2.0 with the sign of the product (no Invalid Operation)
      const ia = (a & 0x7fff) === 0x7c00;
      const ib = (b & 0x7fff) === 0x7c00;
      if ((ia && isZero16(cpu, b)) || (ib && isZero16(cpu, a))) return ((a ^ b) & 0x8000) | 0x4000;
      return fp16(cpu, H_MUL, a, b);
    }
    case S_RECPS:
      return step16(cpu, a, b, false);
    case S_RSQRTS:
      return step16(cpu, a, b, true);
    case S_CMEQ:
      return cmpTrue(op, fcmp16(cpu, a, b, false)) ? 0xffff : 0;
    case S_CMGE:
    case S_CMGT:
      return cmpTrue(op, fcmp16(cpu, a, b, true)) ? 0xffff : 0;
    case S_ACGE:
    case S_ACGT:
      return cmpTrue(op, fcmp16(cpu, a & 0x7fff, b & 0x7fff, true)) ? 0xffff : 0;
    default:
      return minmax16(cpu, a, b, op - S_MAX);
  }
}
/** Lanes of a form: 8 (Q = 1), 4 (Q = 0), or 1 (scalar: i.imm3 = 1). */
const lanes = (i: Insn): number => (i.imm3 ? 1 : i.sf ? 8 : 4);
/** Write D to Vd: a scalar result keeps lane 0 only. */
function put16(cpu: Cpu, i: Insn): void {
  if (i.imm3) {
    D[0] &= 0xffff;
    D[1] = 0;
  }
  putD(cpu, i.rd, i.sf);
}
function sameCore(cpu: Cpu, i: Insn): void {
  const n = lanes(i);
  for (let k = 0; k < n; k++) DU16[k] = lane16(cpu, i.op, AU16[k], BU16[k], CU16[k]);
  put16(cpu, i);
}
function same16(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  sameCore(cpu, i);
}
// By element: Vm.H[index] (i.rm, i.imm) against every lane.
function elem16(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  const h = (cpu.vr[i.rm + (i.imm >> 1)] >>> (16 * (i.imm & 1))) & 0xffff;
  B[0] = B[1] = B[2] = B[3] = h | (h << 16);
  sameCore(cpu, i);
}
// Pairwise (FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP): pairs of the concatenation Vm:Vn, Vn low.
function pair16(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  const half = i.sf ? 4 : 2;
  for (let k = 0; k < half; k++) DU16[k] = lane16(cpu, i.op, AU16[2 * k], AU16[2 * k + 1], 0);
  for (let k = 0; k < half; k++) DU16[half + k] = lane16(cpu, i.op, BU16[2 * k], BU16[2 * k + 1], 0);
  putD(cpu, i.rd, i.sf);
}
// Scalar pairwise: Hd = op(Vn.H[0], Vn.H[1]).
function pairScalar16(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const w = cpu.vr[i.rn];
  wrH(cpu, i.rd, lane16(cpu, i.op, w & 0xffff, w >>> 16, 0));
}
// Across lanes: the ARM ARM's Reduce(), a balanced tree with the lower half as the first operand.
function across16(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  const op = i.op;
  const r0 = lane16(cpu, op, lane16(cpu, op, AU16[0], AU16[1], 0), lane16(cpu, op, AU16[2], AU16[3], 0), 0);
  let r = r0;
  if (i.sf) {
    const r1 = lane16(cpu, op, lane16(cpu, op, AU16[4], AU16[5], 0), lane16(cpu, op, AU16[6], AU16[7], 0), 0);
    r = lane16(cpu, op, r0, r1, 0);
  }
  wrH(cpu, i.rd, r);
}

// Two-register miscellaneous: i.op, i.imm = mode / compare, i.imm3 = scalar, i.ra = fbits,
// i.imm2 = 1 unsigned / FRINTX.
const M_ABS = 0;
const M_NEG = 1;
const M_SQRT = 2;
const M_RINT = 3;
const M_CVTI = 4;
const M_CVTF = 5;
const M_CMP0 = 6;
const M_RECPE = 7;
const M_RSQRTE = 8;
const M_RECPX = 9;
const CMLE = 20;
const CMLT = 21;

function misc16lane(cpu: Cpu, i: Insn, a: number): number {
  switch (i.op) {
    case M_ABS:
      return a & 0x7fff;
    case M_NEG:
      return (a ^ 0x8000) & 0xffff;
    case M_SQRT:
      return fp16(cpu, H_SQRT, a, 0);
    case M_RINT:
      return frint16(cpu, a, i.imm, i.imm2 === 1);
    case M_CVTI:
      return toInt16(cpu, a, i.ra, i.imm2 === 0, i.imm < 0 ? rmode16(cpu) : i.imm);
    case M_CVTF:
      return fromInt16(cpu, a, i.imm2 === 0, i.ra);
    case M_RECPE:
      return recipEst16(cpu, a, false);
    case M_RSQRTE:
      return recipEst16(cpu, a, true);
    case M_RECPX:
      return recpX16(cpu, a);
    default: {
      // compare with zero: FCMEQ/FCMGE/FCMGT (a op 0), FCMLE/FCMLT (0 op' a)
      const c = i.imm;
      if (c === CMLE || c === CMLT) return cmpTrue(c === CMLE ? S_CMGE : S_CMGT, fcmp16(cpu, 0, a, true)) ? 0xffff : 0;
      return cmpTrue(c, fcmp16(cpu, a, 0, c !== S_CMEQ)) ? 0xffff : 0;
    }
  }
}
function misc16(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  const n = lanes(i);
  for (let k = 0; k < n; k++) DU16[k] = misc16lane(cpu, i, AU16[k]);
  put16(cpu, i);
}

/** Three same FP16: (U, a, opcode) -> op, or -1; pairwise ops as op + 100. */
function sameOp16(u: number, a: number, opc: number): number {
  switch ((u << 4) | (a << 3) | opc) {
    case 0x00: return S_MAX + 2; // FMAXNM
    case 0x01: return S_MLA;
    case 0x02: return S_ADD;
    case 0x03: return S_MULX;
    case 0x04: return S_CMEQ;
    case 0x06: return S_MAX;
    case 0x07: return S_RECPS;
    case 0x08: return S_MAX + 3; // FMINNM
    case 0x09: return S_MLS;
    case 0x0a: return S_SUB;
    case 0x0e: return S_MAX + 1; // FMIN
    case 0x0f: return S_RSQRTS;
    case 0x10: return 100 + S_MAX + 2; // FMAXNMP
    case 0x12: return 100 + S_ADD; // FADDP
    case 0x13: return S_MUL;
    case 0x14: return S_CMGE;
    case 0x15: return S_ACGE;
    case 0x16: return 100 + S_MAX; // FMAXP
    case 0x17: return S_DIV;
    case 0x18: return 100 + S_MAX + 3; // FMINNMP
    case 0x1a: return S_ABD;
    case 0x1c: return S_CMGT;
    case 0x1d: return S_ACGT;
    case 0x1e: return 100 + S_MAX + 1; // FMINP
  }
  return -1;
}
/** Two-register misc FP16: fills i.op/i.imm/i.imm2; false if unallocated. */
function miscOp16(u: number, a: number, opc: number, i: Insn): boolean {
  i.ra = 0;
  i.imm2 = 0;
  switch ((u << 6) | (a << 5) | opc) {
    case 0x2f: i.op = M_ABS; return true; // FABS
    case 0x6f: i.op = M_NEG; return true; // FNEG
    case 0x7f: i.op = M_SQRT; return true; // FSQRT
    case 0x18: i.op = M_RINT; i.imm = 0; return true; // FRINTN
    case 0x38: i.op = M_RINT; i.imm = 1; return true; // FRINTP
    case 0x19: i.op = M_RINT; i.imm = 2; return true; // FRINTM
    case 0x39: i.op = M_RINT; i.imm = 3; return true; // FRINTZ
    case 0x58: i.op = M_RINT; i.imm = RA; return true; // FRINTA
    case 0x59: i.op = M_RINT; i.imm = -1; i.imm2 = 1; return true; // FRINTX
    case 0x79: i.op = M_RINT; i.imm = -1; return true; // FRINTI
    case 0x1a: case 0x5a: i.op = M_CVTI; i.imm = 0; i.imm2 = u; return true; // FCVTNS/NU
    case 0x3a: case 0x7a: i.op = M_CVTI; i.imm = 1; i.imm2 = u; return true; // FCVTPS/PU
    case 0x1b: case 0x5b: i.op = M_CVTI; i.imm = 2; i.imm2 = u; return true; // FCVTMS/MU
    case 0x3b: case 0x7b: i.op = M_CVTI; i.imm = 3; i.imm2 = u; return true; // FCVTZS/ZU
    case 0x1c: case 0x5c: i.op = M_CVTI; i.imm = RA; i.imm2 = u; return true; // FCVTAS/AU
    case 0x1d: case 0x5d: i.op = M_CVTF; i.imm2 = u; return true; // SCVTF/UCVTF
    case 0x3d: i.op = M_RECPE; return true; // FRECPE
    case 0x7d: i.op = M_RSQRTE; return true; // FRSQRTE
    case 0x3f: i.op = M_RECPX; return true; // FRECPX (scalar only)
    case 0x2c: i.op = M_CMP0; i.imm = S_CMGT; return true;
    case 0x2d: i.op = M_CMP0; i.imm = S_CMEQ; return true;
    case 0x2e: i.op = M_CMP0; i.imm = CMLT; return true;
    case 0x6c: i.op = M_CMP0; i.imm = S_CMGE; return true;
    case 0x6d: i.op = M_CMP0; i.imm = CMLE; return true;
  }
  return false;
}
/** x indexed element, size 00 (half): index H:L:M, Rm in V0-V15. */
function elemOp16(raw: number, i: Insn): boolean {
  const k = (bits(raw, 29, 29) << 4) | bits(raw, 15, 12);
  if (k !== 0x01 && k !== 0x05 && k !== 0x09 && k !== 0x19) return false;
  i.op = k === 0x01 ? S_MLA : k === 0x05 ? S_MLS : k === 0x09 ? S_MUL : S_MULX;
  i.imm = (bits(raw, 11, 11) << 2) | (bits(raw, 21, 21) << 1) | bits(raw, 20, 20);
  i.rm = vreg(raw, 16) & ~0x40; // Rm<4> is M, part of the index
  i.rn = vreg(raw, 5);
  i.rd = vreg(raw, 0);
  i.exec = elem16;
  return true;
}
/** Shift by immediate, immh = 001x: SCVTF/UCVTF/FCVTZS/FCVTZU with fbits = 32 - immh:immb. */
function fixedOp16(raw: number, i: Insn): boolean {
  if (bits(raw, 22, 20) !== 1) return false; // immh = 001x: 16-bit lanes (others are fp/simd-fp's)
  const opc = bits(raw, 15, 11);
  if (opc !== 0b11111 && opc !== 0b11100) return false;
  i.ra = 32 - bits(raw, 22, 16);
  i.imm2 = bits(raw, 29, 29);
  if (opc === 0b11111) {
    i.op = M_CVTI;
    i.imm = 3;
  } else i.op = M_CVTF;
  i.rn = vreg(raw, 5);
  i.rd = vreg(raw, 0);
  i.exec = misc16;
  return true;
}

// FMOV (vector, immediate) half precision: the expanded half in every lane (i.imm).
function fmovVecImmH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const w = i.imm | (i.imm << 16);
  D[0] = D[1] = D[2] = D[3] = w;
  putD(cpu, i.rd, i.sf);
}

export const fp16Simd: Encoding[] = [
  {
    name: 'AdvSIMD modified immediate (FP16 FMOV)',
    pattern: '0 q 0 0111100000 aaa 1111 1 1 bbbbb ddddd',
    decode(raw, i) {
      i.sf = bits(raw, 30, 30);
      i.imm = expandImm16((bits(raw, 18, 16) << 5) | bits(raw, 9, 5));
      i.rd = vreg(raw, 0);
      i.exec = fmovVecImmH;
    },
  },
  {
    name: 'AdvSIMD three same (FP16)',
    pattern: '0 q u 01110 a 10 mmmmm 00 ooo 1 nnnnn ddddd',
    decode(raw, i) {
      const op = sameOp16(bits(raw, 29, 29), bits(raw, 23, 23), bits(raw, 13, 11));
      if (op < 0) return false;
      i.sf = bits(raw, 30, 30);
      i.imm3 = 0;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.op = op >= 100 ? op - 100 : op;
      i.exec = op >= 100 ? pair16 : same16;
    },
  },
  {
    name: 'AdvSIMD scalar three same (FP16)',
    pattern: '01 u 11110 a 10 mmmmm 00 ooo 1 nnnnn ddddd',
    decode(raw, i) {
      const op = sameOp16(bits(raw, 29, 29), bits(raw, 23, 23), bits(raw, 13, 11));
      // scalar forms: FMULX, FCMEQ, FCMGE, FCMGT, FACGE, FACGT, FABD, FRECPS, FRSQRTS
      if (![S_MULX, S_CMEQ, S_CMGE, S_CMGT, S_ACGE, S_ACGT, S_ABD, S_RECPS, S_RSQRTS].includes(op)) return false;
      i.sf = 0;
      i.imm3 = 1;
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.rd = vreg(raw, 0);
      i.op = op;
      i.exec = same16;
    },
  },
  {
    name: 'AdvSIMD two-register miscellaneous (FP16)',
    pattern: '0 q u 01110 a 1111 00 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      if (!miscOp16(bits(raw, 29, 29), bits(raw, 23, 23), bits(raw, 16, 12), i)) return false;
      if (i.op === M_RECPX) return false; // scalar only
      i.sf = bits(raw, 30, 30);
      i.imm3 = 0;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = misc16;
    },
  },
  {
    name: 'AdvSIMD scalar two-register miscellaneous (FP16)',
    pattern: '01 u 11110 a 1111 00 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      if (!miscOp16(bits(raw, 29, 29), bits(raw, 23, 23), bits(raw, 16, 12), i)) return false;
      // scalar forms: conversions, compares with zero, estimates and FRECPX
      if (i.op === M_ABS || i.op === M_NEG || i.op === M_SQRT || i.op === M_RINT) return false;
      i.sf = 0;
      i.imm3 = 1;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = misc16;
    },
  },
  {
    name: 'AdvSIMD scalar pairwise (FP16)',
    pattern: '01 0 11110 a 0 11000 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const a = bits(raw, 23, 23);
      const opc = bits(raw, 16, 12);
      if (opc === 0b01100) i.op = a ? S_MAX + 3 : S_MAX + 2; // FMINNMP / FMAXNMP
      else if (opc === 0b01101 && !a) i.op = S_ADD; // FADDP
      else if (opc === 0b01111) i.op = a ? S_MAX + 1 : S_MAX; // FMINP / FMAXP
      else return false;
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = pairScalar16;
    },
  },
  {
    name: 'AdvSIMD across lanes (FP16)',
    pattern: '0 q 0 01110 a 0 11000 011 oo 10 nnnnn ddddd',
    decode(raw, i) {
      const a = bits(raw, 23, 23);
      const opc = bits(raw, 13, 12);
      if (opc === 0) i.op = a ? S_MAX + 3 : S_MAX + 2; // FMINNMV / FMAXNMV
      else if (opc === 3) i.op = a ? S_MAX + 1 : S_MAX; // FMINV / FMAXV
      else return false;
      i.sf = bits(raw, 30, 30);
      i.rn = vreg(raw, 5);
      i.rd = vreg(raw, 0);
      i.exec = across16;
    },
  },
  {
    name: 'AdvSIMD vector x indexed element (FP16)',
    pattern: '0 q u 01111 00 L M mmmm oooo H 0 nnnnn ddddd',
    decode(raw, i) {
      if (!elemOp16(raw, i)) return false;
      i.sf = bits(raw, 30, 30);
      i.imm3 = 0;
    },
  },
  {
    name: 'AdvSIMD scalar x indexed element (FP16)',
    pattern: '01 u 11111 00 L M mmmm oooo H 0 nnnnn ddddd',
    decode(raw, i) {
      if (!elemOp16(raw, i)) return false;
      i.sf = 0;
      i.imm3 = 1;
    },
  },
  {
    name: 'AdvSIMD shift by immediate (FP16 fixed-point conversions)',
    pattern: '0 q u 011110 hhhh bbb 111 oo 1 nnnnn ddddd',
    decode(raw, i) {
      if (!fixedOp16(raw, i)) return false;
      i.sf = bits(raw, 30, 30);
      i.imm3 = 0;
    },
  },
  {
    name: 'AdvSIMD scalar shift by immediate (FP16 fixed-point conversions)',
    pattern: '01 u 111110 hhhh bbb 111 oo 1 nnnnn ddddd',
    decode(raw, i) {
      if (!fixedOp16(raw, i)) return false;
      i.sf = 0;
      i.imm3 = 1;
    },
  },
];
