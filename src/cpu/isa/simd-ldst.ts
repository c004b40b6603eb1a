// Loads and stores of SIMD&FP registers (ARM ARM C4.1.89 with V = 1, bit 26): LDR/STR of B/H/S/D/Q
// with unsigned offset, unscaled (LDUR/STUR), pre/post-index, register offset, LDR (literal),
// LDP/STP/LDNP/STNP. SIMD&FP accesses have no syndrome (ISV = 0), so Insn.iss stays 0.
// A Q register is two 64-bit accesses; its alignment is checked as one 16-byte access.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits, sext } from '../decode.js';
import { regSP, srcZR } from './common.js';
import { fpOk } from './fp-common.js';

// Addressing modes (Insn.op)
const M_OFF = 0;
const M_PRE = 1;
const M_POST = 2;
const M_REG = 3;
const M_LIT = 4;

// The computed access address and the writeback value (module scratch: no allocation).
let aLo = 0;
let aHi = 0;
let wLo = 0;
let wHi = 0;

/** Effective address for i.op; i.imm = byte offset, or for M_REG i.imm2 = option, i.imm3 = shift. */
function ea(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  let blo: number;
  let bhi: number;
  if (i.op === M_LIT) {
    // The literal forms end their block, so the loop's next PC is this instruction + 4.
    blo = (cpu.npcLo - 4) | 0;
    bhi = (blo >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi;
  } else {
    blo = r[i.rn];
    bhi = r[i.rn + 1];
  }
  let olo: number;
  let ohi: number;
  if (i.op === M_REG) {
    olo = r[i.rm];
    ohi = r[i.rm + 1];
    const opt = i.imm2;
    if (opt === 2) ohi = 0; // UXTW
    else if (opt === 6) ohi = olo >> 31; // SXTW
    const s = i.imm3;
    if (s !== 0) {
      ohi = (ohi << s) | (olo >>> (32 - s));
      olo <<= s;
    }
  } else {
    olo = i.imm;
    ohi = i.imm >> 31;
  }
  const sum = (blo >>> 0) + (olo >>> 0);
  wLo = sum | 0;
  wHi = (bhi + ohi + (sum > 0xffffffff ? 1 : 0)) | 0;
  if (i.op === M_POST) {
    aLo = blo;
    aHi = bhi;
  } else {
    aLo = wLo;
    aHi = wHi;
  }
}
function writeback(cpu: Cpu, i: Insn): void {
  if (i.op === M_PRE || i.op === M_POST) {
    cpu.r[i.rn] = wLo;
    cpu.r[i.rn + 1] = wHi;
  }
}

/**
 * 16-byte accesses go through the CPU's Q primitives: alignment is judged on the whole 16 bytes
 * (ARM ARM B2.5.2: an 8- but not 16-aligned Q access faults on Device memory or with
 * SCTLR_EL1.A=1) with a single translation, and registers change only if all 16 bytes load.
 */
export function loadQ(cpu: Cpu, lo: number, hi: number, v: Int32Array, t: number): void {
  cpu.ldQ(lo, hi, v, t);
}
export function storeQ(cpu: Cpu, lo: number, hi: number, t: number): void {
  cpu.stQ(lo, hi, cpu.vr, t);
}

function ldrB(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const x = cpu.ld8(aLo, aHi);
  if (cpu.status !== 0) return;
  const v = cpu.vr;
  v[i.rd] = x & 0xff;
  v[i.rd + 1] = v[i.rd + 2] = v[i.rd + 3] = 0;
  writeback(cpu, i);
}
function ldrH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const x = cpu.ld16(aLo, aHi);
  if (cpu.status !== 0) return;
  const v = cpu.vr;
  v[i.rd] = x & 0xffff;
  v[i.rd + 1] = v[i.rd + 2] = v[i.rd + 3] = 0;
  writeback(cpu, i);
}
function ldrS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const x = cpu.ld32(aLo, aHi);
  if (cpu.status !== 0) return;
  const v = cpu.vr;
  v[i.rd] = x;
  v[i.rd + 1] = v[i.rd + 2] = v[i.rd + 3] = 0;
  writeback(cpu, i);
}
function ldrD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const x = cpu.ld64(aLo, aHi);
  if (cpu.status !== 0) return;
  const v = cpu.vr;
  v[i.rd] = x;
  v[i.rd + 1] = cpu.tmpHi;
  v[i.rd + 2] = v[i.rd + 3] = 0;
  writeback(cpu, i);
}
function ldrQ(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  loadQ(cpu, aLo, aHi, cpu.vr, i.rd);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function strB(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  cpu.st8(aLo, aHi, cpu.vr[i.rd] & 0xff);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function strH(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  cpu.st16(aLo, aHi, cpu.vr[i.rd] & 0xffff);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function strS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  cpu.st32(aLo, aHi, cpu.vr[i.rd]);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function strD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  cpu.st64(aLo, aHi, cpu.vr[i.rd], cpu.vr[i.rd + 1]);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function strQ(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  storeQ(cpu, aLo, aHi, i.rd);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}

// Pairs: i.rd = Vt, i.ra = Vt2 (word indices), i.imm = scaled offset, i.op = mode.
function addr2(lo: number, hi: number, k: number): number {
  const s = (lo >>> 0) + k;
  wHi2 = s > 0xffffffff ? (hi + 1) | 0 : hi;
  return s | 0;
}
let wHi2 = 0;
const qTmp = new Int32Array(4);
function ldpS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const x = cpu.ld32(aLo, aHi);
  if (cpu.status !== 0) return;
  const lo2 = addr2(aLo, aHi, 4);
  const y = cpu.ld32(lo2, wHi2);
  if (cpu.status !== 0) return;
  const v = cpu.vr;
  v[i.rd] = x;
  v[i.rd + 1] = v[i.rd + 2] = v[i.rd + 3] = 0;
  v[i.ra] = y;
  v[i.ra + 1] = v[i.ra + 2] = v[i.ra + 3] = 0;
  writeback(cpu, i);
}
function ldpD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const x = cpu.ld64(aLo, aHi);
  const xh = cpu.tmpHi;
  if (cpu.status !== 0) return;
  const lo2 = addr2(aLo, aHi, 8);
  const y = cpu.ld64(lo2, wHi2);
  if (cpu.status !== 0) return;
  const v = cpu.vr;
  v[i.rd] = x;
  v[i.rd + 1] = xh;
  v[i.rd + 2] = v[i.rd + 3] = 0;
  v[i.ra] = y;
  v[i.ra + 1] = cpu.tmpHi;
  v[i.ra + 2] = v[i.ra + 3] = 0;
  writeback(cpu, i);
}
function ldpQ(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  // The first register goes to scratch so a fault on the second leaves both unchanged.
  loadQ(cpu, aLo, aHi, qTmp, 0);
  if (cpu.status !== 0) return;
  const lo2 = addr2(aLo, aHi, 16);
  const v = cpu.vr;
  loadQ(cpu, lo2, wHi2, v, i.ra);
  if (cpu.status !== 0) return;
  v.set(qTmp, i.rd);
  writeback(cpu, i);
}
function stpS(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  cpu.st32(aLo, aHi, cpu.vr[i.rd]);
  if (cpu.status !== 0) return;
  const lo2 = addr2(aLo, aHi, 4);
  cpu.st32(lo2, wHi2, cpu.vr[i.ra]);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function stpD(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  const v = cpu.vr;
  cpu.st64(aLo, aHi, v[i.rd], v[i.rd + 1]);
  if (cpu.status !== 0) return;
  const lo2 = addr2(aLo, aHi, 8);
  cpu.st64(lo2, wHi2, v[i.ra], v[i.ra + 1]);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}
function stpQ(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  ea(cpu, i);
  storeQ(cpu, aLo, aHi, i.rd);
  if (cpu.status !== 0) return;
  const lo2 = addr2(aLo, aHi, 16);
  storeQ(cpu, lo2, wHi2, i.ra);
  if (cpu.status !== 0) return;
  writeback(cpu, i);
}

const LD = [ldrB, ldrH, ldrS, ldrD, ldrQ];
const ST = [strB, strH, strS, strD, strQ];

/** size:opc -> (log2 access size, is load), or false for the unallocated combinations. */
function sizeOf(raw: number, i: Insn): boolean {
  const size = bits(raw, 31, 30);
  const opc = bits(raw, 23, 22);
  let scale: number;
  if (opc < 2) scale = size;
  else if (size === 0) scale = 4;
  else return false;
  i.rd = 4 * bits(raw, 4, 0);
  i.rn = regSP(bits(raw, 9, 5));
  i.imm3 = scale; // log2 size, overwritten by the register form with its shift
  i.exec = (opc & 1 ? LD : ST)[scale];
  return true;
}

function decodePairV(raw: number, i: Insn, mode: number): boolean {
  const opc = bits(raw, 31, 30);
  if (opc === 3) return false;
  const scale = 2 + opc;
  const load = bits(raw, 22, 22) === 1;
  i.op = mode;
  i.rd = 4 * bits(raw, 4, 0);
  i.ra = 4 * bits(raw, 14, 10);
  i.rn = regSP(bits(raw, 9, 5));
  i.imm = sext(bits(raw, 21, 15), 7) << scale;
  i.exec = load ? [ldpS, ldpD, ldpQ][opc] : [stpS, stpD, stpQ][opc];
  return true;
}

export const simdLdst: Encoding[] = [
  {
    name: 'LDR/STR (SIMD&FP, unsigned offset)',
    pattern: 'ss 111 1 01 oo iiiiiiiiiiii nnnnn ttttt',
    decode(raw, i) {
      if (!sizeOf(raw, i)) return false;
      i.op = M_OFF;
      i.imm = bits(raw, 21, 10) << i.imm3;
    },
  },
  {
    name: 'LDUR/STUR (SIMD&FP)',
    pattern: 'ss 111 1 00 oo 0 iiiiiiiii 00 nnnnn ttttt',
    decode(raw, i) {
      if (!sizeOf(raw, i)) return false;
      i.op = M_OFF;
      i.imm = sext(bits(raw, 20, 12), 9);
    },
  },
  {
    name: 'LDR/STR (SIMD&FP, post-index)',
    pattern: 'ss 111 1 00 oo 0 iiiiiiiii 01 nnnnn ttttt',
    decode(raw, i) {
      if (!sizeOf(raw, i)) return false;
      i.op = M_POST;
      i.imm = sext(bits(raw, 20, 12), 9);
    },
  },
  {
    name: 'LDR/STR (SIMD&FP, pre-index)',
    pattern: 'ss 111 1 00 oo 0 iiiiiiiii 11 nnnnn ttttt',
    decode(raw, i) {
      if (!sizeOf(raw, i)) return false;
      i.op = M_PRE;
      i.imm = sext(bits(raw, 20, 12), 9);
    },
  },
  {
    name: 'LDR/STR (SIMD&FP, register offset)',
    pattern: 'ss 111 1 00 oo 1 mmmmm xxx S 10 nnnnn ttttt',
    decode(raw, i) {
      if (!sizeOf(raw, i)) return false;
      const opt = bits(raw, 15, 13);
      if ((opt & 2) === 0) return false; // UXTB/UXTH/SXTB/SXTH: reserved
      i.op = M_REG;
      i.imm2 = opt;
      i.imm3 = bits(raw, 12, 12) ? i.imm3 : 0;
      i.rm = srcZR(bits(raw, 20, 16));
    },
  },
  {
    name: 'LDR (literal, SIMD&FP)',
    pattern: 'oo 011 1 00 iiiiiiiiiiiiiiiiiii ttttt',
    endsBlock: true,
    decode(raw, i) {
      const opc = bits(raw, 31, 30);
      if (opc === 3) return false;
      i.op = M_LIT;
      i.imm = sext(bits(raw, 23, 5), 19) * 4;
      i.rd = 4 * bits(raw, 4, 0);
      i.exec = [ldrS, ldrD, ldrQ][opc];
    },
  },
  {
    name: 'LDNP/STNP (SIMD&FP)',
    pattern: 'oo 101 1 000 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePairV(raw, i, M_OFF),
  },
  {
    name: 'LDP/STP (SIMD&FP, post-index)',
    pattern: 'oo 101 1 001 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePairV(raw, i, M_POST),
  },
  {
    name: 'LDP/STP (SIMD&FP, signed offset)',
    pattern: 'oo 101 1 010 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePairV(raw, i, M_OFF),
  },
  {
    name: 'LDP/STP (SIMD&FP, pre-index)',
    pattern: 'oo 101 1 011 L iiiiiii uuuuu nnnnn ttttt',
    decode: (raw, i) => decodePairV(raw, i, M_PRE),
  },
];

// ================= structures: LD1-LD4/ST1-ST4 (multiple and single), LD1R-LD4R =================
// Insn: rd = Vt (word index), rn = Xn|SP, rm = Xm (post-index register) or -1 for the immediate
// form, op = 1 post-index, imm = selem, imm2 = element size (0..3), imm3 = rpt (multiple) or
// lane index (single), sf = Q. Registers wrap from V31 to V0.

/** Scratch for the loaded registers, committed only when every access succeeded. */
const sTmp = new Int32Array(16);
const sU8 = new Uint8Array(sTmp.buffer);
const sU16 = new Uint16Array(sTmp.buffer);

/** Load one element of 2^size bytes; value lo (and tmpHi for size 3). */
function ldElem(cpu: Cpu, lo: number, hi: number, size: number): number {
  switch (size) {
    case 0:
      return cpu.ld8(lo, hi);
    case 1:
      return cpu.ld16(lo, hi);
    case 2:
      return cpu.ld32(lo, hi);
    default:
      return cpu.ld64(lo, hi);
  }
}
function stElem(cpu: Cpu, lo: number, hi: number, size: number, v: Int32Array, w: number, idx: number): void {
  switch (size) {
    case 0:
      cpu.st8(lo, hi, (v[w + (idx >> 2)] >>> (8 * (idx & 3))) & 0xff);
      return;
    case 1:
      cpu.st16(lo, hi, (v[w + (idx >> 1)] >>> (16 * (idx & 1))) & 0xffff);
      return;
    case 2:
      cpu.st32(lo, hi, v[w + idx]);
      return;
    default:
      cpu.st64(lo, hi, v[w + 2 * idx], v[w + 2 * idx + 1]);
  }
}
/** Put element idx of `size` into scratch register slot r (4 words each). */
function putTmp(r: number, size: number, idx: number, lo: number, hi: number): void {
  switch (size) {
    case 0:
      sU8[16 * r + idx] = lo;
      return;
    case 1:
      sU16[8 * r + idx] = lo;
      return;
    case 2:
      sTmp[4 * r + idx] = lo;
      return;
    default:
      sTmp[4 * r + 2 * idx] = lo;
      sTmp[4 * r + 2 * idx + 1] = hi;
  }
}
function postIndex(cpu: Cpu, i: Insn, bytes: number): void {
  if (i.op !== 1) return;
  const r = cpu.r;
  let olo: number;
  let ohi: number;
  if (i.rm < 0) {
    olo = bytes;
    ohi = 0;
  } else {
    olo = r[i.rm];
    ohi = r[i.rm + 1];
  }
  const s = (r[i.rn] >>> 0) + (olo >>> 0);
  r[i.rn + 1] = (r[i.rn + 1] + ohi + (s > 0xffffffff ? 1 : 0)) | 0;
  r[i.rn] = s | 0;
}

// LD1/LD2/LD3/LD4 (multiple structures)
function ldMulti(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const size = i.imm2;
  const selem = i.imm;
  const rpt = i.imm3;
  const ebytes = 1 << size;
  const elements = (i.sf ? 16 : 8) >> size;
  let lo = cpu.r[i.rn];
  let hi = cpu.r[i.rn + 1];
  const nregs = rpt * selem;
  sTmp.fill(0);
  if (selem === 1 && (lo & 7) === 0) {
    // LD1: memory order is register order, so aligned 64-bit chunks do the same accesses' work
    const chunks = nregs * (i.sf ? 2 : 1);
    for (let k = 0; k < chunks; k++) {
      const x = cpu.ld64(lo, hi);
      if (cpu.status !== 0) return;
      const w = i.sf ? 2 * k : 4 * k;
      sTmp[w] = x;
      sTmp[w + 1] = cpu.tmpHi;
      lo = (lo + 8) | 0;
      if (lo === 0) hi = (hi + 1) | 0;
    }
  } else {
    for (let r = 0; r < rpt; r++) {
      for (let e = 0; e < elements; e++) {
        for (let s = 0; s < selem; s++) {
          const x = ldElem(cpu, lo, hi, size);
          if (cpu.status !== 0) return;
          putTmp(r + s, size, e, x, cpu.tmpHi);
          const n = (lo + ebytes) | 0;
          if ((n >>> 0) < (lo >>> 0)) hi = (hi + 1) | 0;
          lo = n;
        }
      }
    }
  }
  const v = cpu.vr;
  const t = i.rd >> 2;
  for (let k = 0; k < nregs; k++) {
    const w = 4 * ((t + k) & 31);
    v[w] = sTmp[4 * k];
    v[w + 1] = sTmp[4 * k + 1];
    v[w + 2] = i.sf ? sTmp[4 * k + 2] : 0;
    v[w + 3] = i.sf ? sTmp[4 * k + 3] : 0;
  }
  postIndex(cpu, i, nregs * elements * ebytes);
}
// ST1/ST2/ST3/ST4 (multiple structures)
function stMulti(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const size = i.imm2;
  const selem = i.imm;
  const rpt = i.imm3;
  const ebytes = 1 << size;
  const elements = (i.sf ? 16 : 8) >> size;
  let lo = cpu.r[i.rn];
  let hi = cpu.r[i.rn + 1];
  const t = i.rd >> 2;
  const v = cpu.vr;
  if (selem === 1 && (lo & 7) === 0) {
    for (let r = 0; r < rpt; r++) {
      const w = 4 * ((t + r) & 31);
      for (let h = 0; h < (i.sf ? 2 : 1); h++) {
        cpu.st64(lo, hi, v[w + 2 * h], v[w + 2 * h + 1]);
        if (cpu.status !== 0) return;
        lo = (lo + 8) | 0;
        if (lo === 0) hi = (hi + 1) | 0;
      }
    }
    postIndex(cpu, i, rpt * elements * ebytes);
    return;
  }
  for (let r = 0; r < rpt; r++) {
    for (let e = 0; e < elements; e++) {
      for (let s = 0; s < selem; s++) {
        stElem(cpu, lo, hi, size, v, 4 * ((t + r + s) & 31), e);
        if (cpu.status !== 0) return;
        const n = (lo + ebytes) | 0;
        if ((n >>> 0) < (lo >>> 0)) hi = (hi + 1) | 0;
        lo = n;
      }
    }
  }
  postIndex(cpu, i, rpt * selem * elements * ebytes);
}
// LD1-LD4 (single structure) to lane imm3; the other lanes and bits are kept.
function ldSingle(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const size = i.imm2;
  const selem = i.imm;
  const ebytes = 1 << size;
  let lo = cpu.r[i.rn];
  let hi = cpu.r[i.rn + 1];
  const v = cpu.vr;
  const t = i.rd >> 2;
  for (let s = 0; s < selem; s++) {
    const w = 4 * ((t + s) & 31);
    sTmp[4 * s] = v[w];
    sTmp[4 * s + 1] = v[w + 1];
    sTmp[4 * s + 2] = v[w + 2];
    sTmp[4 * s + 3] = v[w + 3];
  }
  for (let s = 0; s < selem; s++) {
    const x = ldElem(cpu, lo, hi, size);
    if (cpu.status !== 0) return;
    putTmp(s, size, i.imm3, x, cpu.tmpHi);
    const n = (lo + ebytes) | 0;
    if ((n >>> 0) < (lo >>> 0)) hi = (hi + 1) | 0;
    lo = n;
  }
  for (let s = 0; s < selem; s++) {
    const w = 4 * ((t + s) & 31);
    v[w] = sTmp[4 * s];
    v[w + 1] = sTmp[4 * s + 1];
    v[w + 2] = sTmp[4 * s + 2];
    v[w + 3] = sTmp[4 * s + 3];
  }
  postIndex(cpu, i, selem * ebytes);
}
function stSingle(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const size = i.imm2;
  const selem = i.imm;
  const ebytes = 1 << size;
  let lo = cpu.r[i.rn];
  let hi = cpu.r[i.rn + 1];
  const t = i.rd >> 2;
  for (let s = 0; s < selem; s++) {
    stElem(cpu, lo, hi, size, cpu.vr, 4 * ((t + s) & 31), i.imm3);
    if (cpu.status !== 0) return;
    const n = (lo + ebytes) | 0;
    if ((n >>> 0) < (lo >>> 0)) hi = (hi + 1) | 0;
    lo = n;
  }
  postIndex(cpu, i, selem * ebytes);
}
// LD1R-LD4R: load one structure and replicate each element to all lanes (Q=0: low 64 bits).
function ldRepl(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const size = i.imm2;
  const selem = i.imm;
  const ebytes = 1 << size;
  const elements = (i.sf ? 16 : 8) >> size;
  let lo = cpu.r[i.rn];
  let hi = cpu.r[i.rn + 1];
  sTmp.fill(0);
  for (let s = 0; s < selem; s++) {
    const x = ldElem(cpu, lo, hi, size);
    if (cpu.status !== 0) return;
    const xh = cpu.tmpHi;
    for (let e = 0; e < elements; e++) putTmp(s, size, e, x, xh);
    const n = (lo + ebytes) | 0;
    if ((n >>> 0) < (lo >>> 0)) hi = (hi + 1) | 0;
    lo = n;
  }
  const v = cpu.vr;
  const t = i.rd >> 2;
  for (let s = 0; s < selem; s++) {
    const w = 4 * ((t + s) & 31);
    v[w] = sTmp[4 * s];
    v[w + 1] = sTmp[4 * s + 1];
    v[w + 2] = sTmp[4 * s + 2];
    v[w + 3] = sTmp[4 * s + 3];
  }
  postIndex(cpu, i, selem * ebytes);
}

const MULTI: Record<number, [number, number]> = {
  0b0000: [1, 4],
  0b0010: [4, 1],
  0b0100: [1, 3],
  0b0110: [3, 1],
  0b0111: [1, 1],
  0b1000: [1, 2],
  0b1010: [2, 1],
};
function decodeMulti(raw: number, i: Insn, post: boolean): boolean {
  const m = MULTI[bits(raw, 15, 12)];
  if (m === undefined) return false;
  const size = bits(raw, 11, 10);
  const q = bits(raw, 30, 30);
  if (size === 3 && !q && m[1] > 1) return false;
  i.imm3 = m[0];
  i.imm = m[1];
  i.imm2 = size;
  i.sf = q;
  i.rd = 4 * bits(raw, 4, 0);
  i.rn = regSP(bits(raw, 9, 5));
  i.op = post ? 1 : 0;
  const rm = bits(raw, 20, 16);
  i.rm = rm === 31 ? -1 : srcZR(rm);
  i.exec = bits(raw, 22, 22) ? ldMulti : stMulti;
  return true;
}
function decodeSingle(raw: number, i: Insn, post: boolean): boolean {
  const q = bits(raw, 30, 30);
  const load = bits(raw, 22, 22);
  const r = bits(raw, 21, 21);
  const opc = bits(raw, 15, 13);
  const s = bits(raw, 12, 12);
  const size = bits(raw, 11, 10);
  let scale = opc >> 1;
  const selem = (((opc & 1) << 1) | r) + 1;
  let index = 0;
  let repl = false;
  switch (scale) {
    case 3:
      if (!load || s) return false;
      scale = size;
      repl = true;
      break;
    case 0:
      index = (q << 3) | (s << 2) | size;
      break;
    case 1:
      if (size & 1) return false;
      index = (q << 2) | (s << 1) | (size >> 1);
      break;
    default:
      if (size & 2) return false;
      if (size & 1) {
        if (s) return false;
        index = q;
        scale = 3;
      } else index = (q << 1) | s;
  }
  i.imm = selem;
  i.imm2 = scale;
  i.imm3 = index;
  i.sf = q;
  i.rd = 4 * bits(raw, 4, 0);
  i.rn = regSP(bits(raw, 9, 5));
  i.op = post ? 1 : 0;
  const rm = bits(raw, 20, 16);
  i.rm = rm === 31 ? -1 : srcZR(rm);
  i.exec = repl ? ldRepl : load ? ldSingle : stSingle;
  return true;
}

simdLdst.push(
  {
    name: 'LD1-LD4/ST1-ST4 (multiple structures)',
    pattern: '0 q 0011000 L 000000 oooo zz nnnnn ttttt',
    decode: (raw, i) => decodeMulti(raw, i, false),
  },
  {
    name: 'LD1-LD4/ST1-ST4 (multiple structures, post-index)',
    pattern: '0 q 0011001 L 0 mmmmm oooo zz nnnnn ttttt',
    decode: (raw, i) => decodeMulti(raw, i, true),
  },
  {
    name: 'LD1-LD4/ST1-ST4 (single structure), LD1R-LD4R',
    pattern: '0 q 0011010 L R 00000 ooo S zz nnnnn ttttt',
    decode: (raw, i) => decodeSingle(raw, i, false),
  },
  {
    name: 'LD1-LD4/ST1-ST4 (single structure, post-index), LD1R-LD4R',
    pattern: '0 q 0011011 L R mmmmm ooo S zz nnnnn ttttt',
    decode: (raw, i) => decodeSingle(raw, i, true),
  },
);
