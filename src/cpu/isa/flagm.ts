// PSTATE flag manipulation (FEAT_FlagM: CFINV, RMIF, SETF8, SETF16; FEAT_FlagM2: AXFLAG, XAFLAG)
// and FEAT_JSCVT (FJCVTZS), decoded by the CPU models that have them (src/cpu/profile.ts).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR } from './common.js';
import { fpOk } from './fp-common.js';
import { f64FromBits, denormIn64, FPCR_FZ, IOC, IXC } from '../fpu.js';

/** CFINV: C = NOT(C). */
function cfinv(cpu: Cpu): void {
  cpu.c ^= 1;
}
/** XAFLAG (C6.2 XAFLAG): external to Arm float comparison format; right-hand sides are old values. */
function xaflag(cpu: Cpu): void {
  const z = cpu.z, c = cpu.c;
  cpu.n = (c ^ 1) & (z ^ 1);
  cpu.z = z & c;
  cpu.c = c | z;
  cpu.v = (c ^ 1) & z;
}
/** AXFLAG: Arm to external format: Z = Z OR V, C = C AND NOT(V), N = V = 0. */
function axflag(cpu: Cpu): void {
  const v = cpu.v;
  cpu.z |= v;
  cpu.c &= v ^ 1;
  cpu.n = 0;
  cpu.v = 0;
}
const PSTATE_OPS = [cfinv, xaflag, axflag];

/** RMIF Xn, #shift, #mask: the mask's flags (N,Z,C,V = bits 3..0) from ROR(Xn, shift)<3:0>. */
function rmif(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  let lo = r[i.rn], hi = r[i.rn + 1];
  const sh = i.imm;
  if (sh >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
  }
  const s = sh & 31;
  const t = s ? (lo >>> s) | (hi << (32 - s)) : lo;
  const m = i.imm2;
  if (m & 8) cpu.n = (t >>> 3) & 1;
  if (m & 4) cpu.z = (t >>> 2) & 1;
  if (m & 2) cpu.c = (t >>> 1) & 1;
  if (m & 1) cpu.v = t & 1;
}
/** SETF8/SETF16 Wn: N = Wn<msb>, Z = (Wn<msb:0> == 0), V = Wn<msb+1> EOR Wn<msb>; C unchanged. */
function setf(cpu: Cpu, i: Insn): void {
  const w = cpu.r[i.rn];
  const msb = i.imm; // 7 or 15
  cpu.n = (w >>> msb) & 1;
  cpu.z = (w & ((2 << msb) - 1)) === 0 ? 1 : 0;
  cpu.v = ((w >>> (msb + 1)) ^ (w >>> msb)) & 1;
}

/**
 * FJCVTZS Wd, Dn (FPToFixedJS): round toward zero to a 32-bit integer taken modulo 2^32 (as
 * JavaScript's ToInt32); NZCV = 0Z00 with Z = 1 only for an exact, in-range, non-(-0) result.
 * NaN and infinity: result 0 and Invalid Operation; out of range: Invalid Operation; inexact: Inexact.
 */
function fjcvtzs(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const lo = cpu.vr[i.rn], hi = cpu.vr[i.rn + 1];
  let x = f64FromBits(lo, hi);
  if (cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < 2 ** -1022) {
    denormIn64(cpu, hi, lo); // FPUnpack: the denormal reads as zero, IDC
    x = hi < 0 ? -0 : 0;
  }
  let z = 1;
  let res = 0;
  if (!Number.isFinite(x)) {
    cpu.fpsr |= IOC;
    z = 0;
  } else {
    const t = Math.trunc(x);
    res = t | 0; // ToInt32: exact modulo 2^32 for any finite double
    if (t < -2147483648 || t > 2147483647) {
      cpu.fpsr |= IOC;
      z = 0;
    } else if (t !== x) {
      cpu.fpsr |= IXC;
      z = 0;
    }
    if (Object.is(x, -0)) z = 0;
  }
  const r = cpu.r;
  r[i.rd] = res;
  r[i.rd + 1] = 0;
  cpu.n = 0;
  cpu.z = z;
  cpu.c = 0;
  cpu.v = 0;
}

export const flagm: Encoding[] = [
  {
    // MSR (immediate) with op1 = 000, CRn = 0100, CRm = 0000: op2 000 CFINV, 001 XAFLAG, 010 AXFLAG.
    name: 'CFINV/XAFLAG/AXFLAG',
    pattern: '1101010100 0 00 000 0100 0000 0oo 11111',
    decode(raw, i) {
      const op2 = bits(raw, 6, 5);
      if (op2 === 3) return false;
      i.exec = PSTATE_OPS[op2];
    },
  },
  {
    name: 'RMIF',
    pattern: '1 0 1 11010000 iiiiii 00001 nnnnn 0 mmmm',
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.imm = bits(raw, 20, 15);
      i.imm2 = bits(raw, 3, 0);
      i.exec = rmif;
    },
  },
  {
    name: 'SETF8/SETF16',
    pattern: '0 0 1 11010000 000000 s 0010 nnnnn 0 1101',
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.imm = bits(raw, 14, 14) ? 15 : 7;
      i.exec = setf;
    },
  },
  {
    name: 'FJCVTZS',
    pattern: '0 0 0 11110 01 1 11 110 000000 nnnnn ddddd',
    decode(raw, i) {
      i.rn = 4 * bits(raw, 9, 5);
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = fjcvtzs;
    },
  },
];
