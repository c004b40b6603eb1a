// Advanced SIMD "by element" (ARM ARM C4.1.90, vector x indexed element): MUL/MLA/MLS,
// SMULL/UMULL/SMLAL/UMLAL/SMLSL/UMLSL(2), FMUL/FMLA/FMLS/FMULX, and the scalar FP forms.
// The element Vm[index] is broadcast into the B scratch, then the three-same / three-different
// lane code runs unchanged. Insn.imm = element size (1..3) | index << 2 (ra stays 0: the
// shared lane code reads it as the scalar flag).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk } from './fp-common.js';
import { B, getA, getC } from './simd-lanes.js';
import {
  threeSameCore, threeDiffCore, OP_MLA, OP_MLS, OP_MUL, OP_QDMULH, T_MLAL, T_MLSL, T_MULL, T_QDMLAL, T_QDMLSL, T_QDMULL,
} from './simd-int.js';
import { fpSameCore, F_MUL, F_MLA, F_MLS, F_MULX } from './simd-fp.js';

/** Broadcast element `idx` of size `size` (1..3) of V[m] into all of B. */
function broadcast(cpu: Cpu, m: number, size: number, idx: number): void {
  const v = cpu.vr;
  if (size === 3) {
    B[0] = B[2] = v[m + 2 * idx];
    B[1] = B[3] = v[m + 2 * idx + 1];
  } else if (size === 2) {
    B[0] = B[1] = B[2] = B[3] = v[m + idx];
  } else {
    const h = (v[m + (idx >> 1)] >>> (16 * (idx & 1))) & 0xffff;
    B[0] = B[1] = B[2] = B[3] = h | (h << 16);
  }
}
function sameElem(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  broadcast(cpu, i.rm, i.imm & 3, i.imm >> 2);
  threeSameCore(cpu, i);
}
function diffElem(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  broadcast(cpu, i.rm, i.imm & 3, i.imm >> 2);
  threeDiffCore(cpu, i);
}
function fpElem(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  broadcast(cpu, i.rm, i.imm & 3, i.imm >> 2);
  fpSameCore(cpu, i);
}

/** Index and Rm for integer (size 1: H:L:M with Rm<4>, size 2: H:L) elements. */
function intIndex(raw: number, i: Insn, size: number): boolean {
  const h = bits(raw, 11, 11);
  const l = bits(raw, 21, 21);
  const m = bits(raw, 20, 20);
  if (size === 1) {
    i.imm = 1 | (((h << 2) | (l << 1) | m) << 2);
    i.rm = 4 * bits(raw, 19, 16);
  } else if (size === 2) {
    i.imm = 2 | (((h << 1) | l) << 2);
    i.rm = 4 * bits(raw, 20, 16);
  } else return false;
  return true;
}
function fpIndex(raw: number, i: Insn): boolean {
  const sz = bits(raw, 22, 22);
  const h = bits(raw, 11, 11);
  const l = bits(raw, 21, 21);
  if (bits(raw, 23, 23) === 0) return false; // size 00: FP16 (fp16.ts)
  if (sz) {
    if (l) return false;
    i.imm = 3 | (h << 2);
  } else {
    i.imm = 2 | (((h << 1) | l) << 2);
  }
  i.imm2 = sz;
  i.rm = 4 * bits(raw, 20, 16);
  return true;
}

export const simdElem: Encoding[] = [
  {
    name: 'AdvSIMD vector x indexed element',
    pattern: '0 q u 01111 zz L M mmmm oooo H 0 nnnnn ddddd',
    decode(raw, i) {
      const q = bits(raw, 30, 30);
      const u = bits(raw, 29, 29);
      const size = bits(raw, 23, 22);
      const opc = bits(raw, 15, 12);
      i.sf = q;
      i.rn = 4 * bits(raw, 9, 5);
      i.rd = 4 * bits(raw, 4, 0);
      const k = (u << 4) | opc;
      switch (k) {
        case 0x08: // MUL
        case 0x10: // MLA
        case 0x14: // MLS
          if (!intIndex(raw, i, size)) return false;
          i.imm2 = size;
          i.op = k === 0x08 ? OP_MUL : k === 0x10 ? OP_MLA : OP_MLS;
          i.exec = sameElem;
          return;
        case 0x02: // SMLAL
        case 0x06: // SMLSL
        case 0x0a: // SMULL
        case 0x12: // UMLAL
        case 0x16: // UMLSL
        case 0x1a: // UMULL
          if (!intIndex(raw, i, size)) return false;
          i.imm2 = size - 0; // narrow element size
          i.op = (u << 4) | (opc === 2 ? T_MLAL : opc === 6 ? T_MLSL : T_MULL);
          i.exec = diffElem;
          return;
        case 0x0c: // SQDMULH
        case 0x0d: // SQRDMULH
          if (!intIndex(raw, i, size)) return false;
          i.imm2 = size;
          i.op = opc === 0x0c ? OP_QDMULH : OP_QDMULH + 32;
          i.exec = sameElem;
          return;
        case 0x03: // SQDMLAL
        case 0x07: // SQDMLSL
        case 0x0b: // SQDMULL
          if (!intIndex(raw, i, size)) return false;
          i.imm2 = size;
          i.op = opc === 0x03 ? T_QDMLAL : opc === 0x07 ? T_QDMLSL : T_QDMULL;
          i.exec = diffElem;
          return;
        case 0x01: // FMLA
        case 0x05: // FMLS
        case 0x09: // FMUL
        case 0x19: // FMULX
          if (!fpIndex(raw, i)) return false;
          if (i.imm2 && !q) return false;
          i.op = k === 0x01 ? F_MLA : k === 0x05 ? F_MLS : k === 0x09 ? F_MUL : F_MULX;
          i.exec = fpElem;
          return;
      }
      return false;
    },
  },
  {
    name: 'AdvSIMD scalar x indexed element (saturating integer)',
    pattern: '01 0 11111 zz L M mmmm oooo H 0 nnnnn ddddd',
    decode(raw, i) {
      const size = bits(raw, 23, 22);
      const opc = bits(raw, 15, 12);
      if (!intIndex(raw, i, size)) return false;
      i.sf = 0;
      i.imm2 = size;
      i.rn = 4 * bits(raw, 9, 5);
      i.rd = 4 * bits(raw, 4, 0);
      if (opc === 0x0c || opc === 0x0d) {
        i.op = opc === 0x0c ? OP_QDMULH : OP_QDMULH + 32;
        i.imm3 = 1; // one lane (threeSameCore's scalar flag)
        i.exec = sameElem;
        return;
      }
      if (opc === 0x03 || opc === 0x07 || opc === 0x0b) {
        i.op = opc === 0x03 ? T_QDMLAL : opc === 0x07 ? T_QDMLSL : T_QDMULL;
        i.ra = 1; // one lane (qdmull's scalar flag)
        i.exec = diffElem;
        return;
      }
      return false;
    },
  },
  {
    name: 'AdvSIMD scalar x indexed element (FP)',
    pattern: '01 u 11111 zz L M mmmm oooo H 0 nnnnn ddddd',
    decode(raw, i) {
      const u = bits(raw, 29, 29);
      const opc = bits(raw, 15, 12);
      const k = (u << 4) | opc;
      if (k !== 0x01 && k !== 0x05 && k !== 0x09 && k !== 0x19) return false;
      if (!fpIndex(raw, i)) return false;
      i.sf = 0;
      i.rn = 4 * bits(raw, 9, 5);
      i.rd = 4 * bits(raw, 4, 0);
      i.op = k === 0x01 ? F_MLA : k === 0x05 ? F_MLS : k === 0x09 ? F_MUL : F_MULX;
      // fpSameCore: single scalar when imm3 marks it; a double scalar is one lane with sf = 0
      if (i.imm2 === 0) i.imm3 = 1;
      i.exec = fpElemScalar;
    },
  },
];

// Scalar FP by element: fpSameCore sees imm3 = 1 (one single lane) or sf = 0 with double lanes.
function fpElemScalar(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getC(cpu, i.rd);
  broadcast(cpu, i.rm, i.imm & 3, i.imm >> 2);
  fpSameCore(cpu, i);
}
