// Scalar half-precision floating point (FEAT_FP16, ftype = 0b11 of the ARM ARM C4.1.90 scalar FP
// groups): 1/2/3-source data processing, compares, conditional compare/select, FMOV (immediate
// and general), and the conversions between half and integer or fixed point. FCVT between half
// and single/double lives in fp.ts. The arithmetic is fpu16.ts (FPCR.FZ16, not FZ).
// Registered after fp.ts's encodings, whose decoders decline ftype 0b11.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR, conditionHolds } from './common.js';
import { fpOk, wrS } from './fp-common.js';
import { RA } from '../fpu.js';
import {
  fp16,
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
