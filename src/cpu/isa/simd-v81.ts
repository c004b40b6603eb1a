// Advanced SIMD additions of Armv8.1-8.4 decoded by the CPU models that have them:
//  FEAT_RDM     SQRDMLAH/SQRDMLSH (vector, scalar, by element): "three same extra" and "x indexed element"
//  FEAT_DotProd SDOT/UDOT (vector, by element)
// Semantics follow the ARM ARM pseudocode of each instruction (shared/functions/vector).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk } from './fp-common.js';
import { QC } from '../fpu.js';
import { A, B, C, D, getA, getB, getC, elt, setElt, putD } from './simd-lanes.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);
const TWO32 = 4294967296;

/**
 * SQRDMLAH/SQRDMLSH lane: SignedSatQ((acc << esize) + sub?-2*e1*e2:2*e1*e2 + (1 << (esize-1)) >> esize).
 * For esize = 32 the 64-bit product is split into 16-bit halves so every partial sum is exact.
 */
function rdmLane(acc: number, e1: number, e2: number, esize: number, sub: boolean): number {
  if (esize === 16) {
    const p = 2 * e1 * e2;
    return acc + Math.floor(((sub ? -p : p) + 0x8000) / 0x10000);
  }
  const xh = e1 >> 16, xl = e1 & 0xffff, yh = e2 >> 16, yl = e2 & 0xffff;
  let hi = 2 * xh * yh; // in units of 2^32
  let mid = (xh * yl + xl * yh) * 0x20000 + 2 * xl * yl; // 2 * (cross terms and low product)
  if (sub) {
    hi = -hi;
    mid = -mid;
  }
  return acc + hi + Math.floor((mid + 0x80000000) / TWO32);
}

function rdm(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  const size = i.imm; // 1 (H) or 2 (S)
  const esize = 8 << size;
  const max = esize === 16 ? 0x7fff : 0x7fffffff;
  const idx = i.imm2; // -1: vector/scalar form, else the element of Vm
  const sub = i.op === 1;
  let sat = false;
  D[0] = D[1] = D[2] = D[3] = 0;
  for (let e = 0; e < i.sf; e++) {
    const r = rdmLane(elt(C, size, e, true), elt(A, size, e, true), elt(B, size, idx < 0 ? e : idx, true), esize, sub);
    let q = r;
    if (r > max) (q = max), (sat = true);
    else if (r < -max - 1) (q = -max - 1), (sat = true);
    setElt(D, size, e, q);
  }
  if (sat) cpu.fpsr |= QC;
  putD(cpu, i.rd, i.ra);
}

/** SDOT/UDOT: each 32-bit lane of Vd += the sum of four byte products (signed or unsigned). */
function dot(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  getB(cpu, i.rm);
  getC(cpu, i.rd);
  const signed = i.op === 0;
  const idx = i.imm2;
  const lanes = i.ra ? 4 : 2;
  D[2] = D[3] = 0;
  for (let e = 0; e < lanes; e++) {
    const m = idx < 0 ? e : idx;
    let sum = C[e];
    for (let k = 0; k < 4; k++) sum += elt(A, 0, 4 * e + k, signed) * elt(B, 0, 4 * m + k, signed);
    D[e] = sum | 0;
  }
  putD(cpu, i.rd, i.ra);
}

function rdmCommon(raw: number, i: Insn, scalar: boolean): boolean {
  const size = bits(raw, 23, 22);
  if (size !== 1 && size !== 2) return false;
  const q = scalar ? 0 : bits(raw, 30, 30);
  i.imm = size;
  i.sf = scalar ? 1 : (q ? 128 : 64) >> (3 + size);
  i.ra = q; // write all 128 bits (else the upper 64 become zero)
  i.rd = vreg(raw, 0);
  i.rn = vreg(raw, 5);
  i.exec = rdm;
  return true;
}
function rdmSame(raw: number, i: Insn, scalar: boolean): boolean {
  if (!rdmCommon(raw, i, scalar)) return false;
  i.rm = vreg(raw, 16);
  i.imm2 = -1;
  i.op = bits(raw, 11, 11);
  return true;
}
function rdmElem(raw: number, i: Insn, scalar: boolean): boolean {
  if (!rdmCommon(raw, i, scalar)) return false;
  const h = bits(raw, 11, 11), l = bits(raw, 21, 21), m = bits(raw, 20, 20);
  if (i.imm === 1) {
    i.imm2 = (h << 2) | (l << 1) | m;
    i.rm = 4 * bits(raw, 19, 16);
  } else {
    i.imm2 = (h << 1) | l;
    i.rm = vreg(raw, 16);
  }
  i.op = bits(raw, 13, 13);
  return true;
}

export const simdV81: Encoding[] = [
  {
    // Advanced SIMD three same (extra), U = 1, opcode 000S: SQRDMLAH (S=0) / SQRDMLSH (S=1).
    name: 'SQRDMLAH/SQRDMLSH (vector)',
    pattern: '0 q 1 01110 ss 0 mmmmm 1 000 o 1 nnnnn ddddd',
    decode: (raw, i) => rdmSame(raw, i, false),
  },
  {
    name: 'SQRDMLAH/SQRDMLSH (scalar)',
    pattern: '01 1 11110 ss 0 mmmmm 1 000 o 1 nnnnn ddddd',
    decode: (raw, i) => rdmSame(raw, i, true),
  },
  {
    // Advanced SIMD x indexed element, U = 1, opcode 11S1.
    name: 'SQRDMLAH/SQRDMLSH (by element)',
    pattern: '0 q 1 01111 ss l m rrrr 11 o 1 h 0 nnnnn ddddd',
    decode: (raw, i) => rdmElem(raw, i, false),
  },
  {
    name: 'SQRDMLAH/SQRDMLSH (by element, scalar)',
    pattern: '01 1 11111 ss l m rrrr 11 o 1 h 0 nnnnn ddddd',
    decode: (raw, i) => rdmElem(raw, i, true),
  },
  {
    // Three same (extra), opcode 0010, size = 10: SDOT (U=0) / UDOT (U=1).
    name: 'SDOT/UDOT (vector)',
    pattern: '0 q u 01110 10 0 mmmmm 1 0010 1 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.ra = bits(raw, 30, 30);
      i.op = bits(raw, 29, 29);
      i.imm2 = -1;
      i.exec = dot;
    },
  },
  {
    // x indexed element, opcode 1110, size = 10: index = H:L, Rm = M:Rm.
    name: 'SDOT/UDOT (by element)',
    pattern: '0 q u 01111 10 l m rrrr 1110 h 0 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.ra = bits(raw, 30, 30);
      i.op = bits(raw, 29, 29);
      i.imm2 = (bits(raw, 11, 11) << 1) | bits(raw, 21, 21);
      i.exec = dot;
    },
  },
];
