// Data processing -- immediate (ARM ARM C4.1.86): ADD/SUB, logical, move wide, bitfield, EXTR, ADR.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { dstZR, regSP } from './common.js';

// ADD (immediate), 64-bit: Xd|SP = Xn|SP + imm.
function addImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const a = r[i.rn] >>> 0;
  const s = a + i.imm;
  r[i.rd] = s | 0;
  r[i.rd + 1] = (r[i.rn + 1] + (s > 0xffffffff ? 1 : 0)) | 0;
}
// SUB (immediate), 64-bit.
function subImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const a = r[i.rn] >>> 0;
  r[i.rd] = (a - i.imm) | 0;
  r[i.rd + 1] = (r[i.rn + 1] - (a < i.imm ? 1 : 0)) | 0;
}
// SUBS (immediate), 64-bit: flags from AddWithCarry(x, NOT(imm), 1).
function subsImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const alo = r[i.rn] >>> 0;
  const ahi = r[i.rn + 1];
  const b = i.imm;
  const lo = (alo - b) | 0;
  const borrow = alo < b ? 1 : 0;
  const hi = (ahi - borrow) | 0;
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
  cpu.n = hi >>> 31;
  cpu.z = (lo | hi) === 0 ? 1 : 0;
  cpu.c = ahi >>> 0 !== 0 || borrow === 0 ? 1 : 0; // no borrow out of bit 63
  cpu.v = (ahi & ~hi) >>> 31; // positive - positive cannot overflow; neg result from pos operand
}

export const dpImm: Encoding[] = [
  {
    name: 'ADD (immediate)',
    pattern: '1 0 0 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      if (bits(raw, 22, 22)) i.imm = bits(raw, 21, 10) << 12;
      else i.imm = bits(raw, 21, 10);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = regSP(bits(raw, 4, 0));
      i.exec = addImm64;
    },
  },
  {
    name: 'SUB (immediate)',
    pattern: '1 1 0 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      i.imm = bits(raw, 21, 10) << (bits(raw, 22, 22) ? 12 : 0);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = regSP(bits(raw, 4, 0));
      i.exec = subImm64;
    },
  },
  {
    name: 'SUBS (immediate)',
    pattern: '1 1 1 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      i.imm = bits(raw, 21, 10) << (bits(raw, 22, 22) ? 12 : 0);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = subsImm64;
    },
  },
];
