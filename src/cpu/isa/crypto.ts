// Cryptographic extension, AES and SHA3 parts (ARM ARM C4.1.90 "Cryptographic AES", "Cryptographic
// four-register", "Cryptographic three-register, imm2/SHA512", "XAR") and PMULL/PMULL2 of 64-bit
// elements (FEAT_PMULL, in "Advanced SIMD three different", size = 11). Decoded only by CPU models
// with FEAT_AES / FEAT_PMULL / FEAT_SHA3 (src/cpu/profile.ts).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk } from './fp-common.js';
import { A, AU8, D, DU8, getA, putD } from './simd-lanes.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);

// ---- AES (FIPS-197 as the ARM ARM's AESSubBytes/AESShiftRows/AESMixColumns use it) ----
// The S-box is built from its definition: multiplicative inverse in GF(2^8) mod x^8+x^4+x^3+x+1,
// then the affine map b ^ rotl(b,1..4) ^ 0x63 (FIPS-197 5.1.1).
function gmul(a: number, b: number): number {
  let p = 0;
  for (let k = 0; k < 8; k++) {
    if (b & 1) p ^= a;
    a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
    b >>= 1;
  }
  return p;
}
const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
for (let x = 0; x < 256; x++) {
  let inv = 0;
  for (let y = 1; y < 256 && x !== 0; y++) if (gmul(x, y) === 1) inv = y;
  const rotl = (v: number, n: number): number => ((v << n) | (v >> (8 - n))) & 0xff;
  const s = inv ^ rotl(inv, 1) ^ rotl(inv, 2) ^ rotl(inv, 3) ^ rotl(inv, 4) ^ 0x63;
  SBOX[x] = s;
  INV_SBOX[s] = x;
}
const MUL2 = new Uint8Array(256).map((_, x) => gmul(x, 2));
const MUL3 = new Uint8Array(256).map((_, x) => gmul(x, 3));
const MUL9 = new Uint8Array(256).map((_, x) => gmul(x, 9));
const MUL11 = new Uint8Array(256).map((_, x) => gmul(x, 11));
const MUL13 = new Uint8Array(256).map((_, x) => gmul(x, 13));
const MUL14 = new Uint8Array(256).map((_, x) => gmul(x, 14));

// The state: byte r + 4c of the register is row r, column c.
/** AESE: ShiftRows (row r rotates left by r columns), then SubBytes, of Vd EOR Vn. */
function aese(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  xorDN(cpu, i);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) DU8[r + 4 * c] = SBOX[AU8[r + 4 * ((c + r) & 3)]];
  putD(cpu, i.rd, 1);
}
/** AESD: InvShiftRows (right by r), then InvSubBytes, of Vd EOR Vn. */
function aesd(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  xorDN(cpu, i);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) DU8[r + 4 * c] = INV_SBOX[AU8[r + 4 * ((c - r) & 3)]];
  putD(cpu, i.rd, 1);
}
function xorDN(cpu: Cpu, i: Insn): void {
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) A[k] = v[i.rd + k] ^ v[i.rn + k];
}
/** AESMC: MixColumns of Vn (FIPS-197 5.1.3). */
function aesmc(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  for (let c = 0; c < 16; c += 4) {
    const a0 = AU8[c], a1 = AU8[c + 1], a2 = AU8[c + 2], a3 = AU8[c + 3];
    DU8[c] = MUL2[a0] ^ MUL3[a1] ^ a2 ^ a3;
    DU8[c + 1] = a0 ^ MUL2[a1] ^ MUL3[a2] ^ a3;
    DU8[c + 2] = a0 ^ a1 ^ MUL2[a2] ^ MUL3[a3];
    DU8[c + 3] = MUL3[a0] ^ a1 ^ a2 ^ MUL2[a3];
  }
  putD(cpu, i.rd, 1);
}
/** AESIMC: InvMixColumns of Vn (FIPS-197 5.3.3). */
function aesimc(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  getA(cpu, i.rn);
  for (let c = 0; c < 16; c += 4) {
    const a0 = AU8[c], a1 = AU8[c + 1], a2 = AU8[c + 2], a3 = AU8[c + 3];
    DU8[c] = MUL14[a0] ^ MUL11[a1] ^ MUL13[a2] ^ MUL9[a3];
    DU8[c + 1] = MUL9[a0] ^ MUL14[a1] ^ MUL11[a2] ^ MUL13[a3];
    DU8[c + 2] = MUL13[a0] ^ MUL9[a1] ^ MUL14[a2] ^ MUL11[a3];
    DU8[c + 3] = MUL11[a0] ^ MUL13[a1] ^ MUL9[a2] ^ MUL14[a3];
  }
  putD(cpu, i.rd, 1);
}
const AES_OPS = [aese, aesd, aesmc, aesimc];

// ---- PMULL/PMULL2 1Q: PolynomialMult of two 64-bit elements into 128 bits ----
function pmull64(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const half = i.imm; // 0: PMULL (low doublewords), 2: PMULL2 (high)
  const alo = v[i.rn + half], ahi = v[i.rn + half + 1];
  const blo = v[i.rm + half] >>> 0, bhi = v[i.rm + half + 1] >>> 0;
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0; // the 128-bit product, low word first
  for (let k = 0; k < 64; k++) {
    const bit = k < 32 ? (blo >>> k) & 1 : (bhi >>> (k - 32)) & 1;
    if (!bit) continue;
    // EOR (A << k) into the product: A occupies words w..w+2 after the shift.
    const s = k & 31, w = k >>> 5;
    const x0 = alo << s;
    const x1 = s ? (ahi << s) | (alo >>> (32 - s)) : ahi;
    const x2 = s ? ahi >>> (32 - s) : 0;
    if (w === 0) { r0 ^= x0; r1 ^= x1; r2 ^= x2; } else { r1 ^= x0; r2 ^= x1; r3 ^= x2; }
  }
  v[i.rd] = r0; v[i.rd + 1] = r1; v[i.rd + 2] = r2; v[i.rd + 3] = r3;
}

// ---- SHA3 (FEAT_SHA3): EOR3, BCAX, RAX1, XAR ----
function eor3(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) D[k] = v[i.rn + k] ^ v[i.rm + k] ^ v[i.ra + k];
  putD(cpu, i.rd, 1);
}
/** BCAX: Vn EOR (Vm AND NOT Va). */
function bcax(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) D[k] = v[i.rn + k] ^ (v[i.rm + k] & ~v[i.ra + k]);
  putD(cpu, i.rd, 1);
}
/** RAX1: Vn EOR ROL(Vm, 1), per 64-bit element. */
function rax1(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let k = 0; k < 4; k += 2) {
    const lo = v[i.rm + k], hi = v[i.rm + k + 1];
    D[k] = v[i.rn + k] ^ ((lo << 1) | (hi >>> 31));
    D[k + 1] = v[i.rn + k + 1] ^ ((hi << 1) | (lo >>> 31));
  }
  putD(cpu, i.rd, 1);
}
/** XAR: ROR(Vn EOR Vm, imm6), per 64-bit element. */
function xar(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const sh = i.imm;
  for (let k = 0; k < 4; k += 2) {
    let lo = v[i.rn + k] ^ v[i.rm + k];
    let hi = v[i.rn + k + 1] ^ v[i.rm + k + 1];
    if (sh >= 32) {
      const t = lo;
      lo = hi;
      hi = t;
    }
    const s = sh & 31;
    D[k] = s ? (lo >>> s) | (hi << (32 - s)) : lo;
    D[k + 1] = s ? (hi >>> s) | (lo << (32 - s)) : hi;
  }
  putD(cpu, i.rd, 1);
}

export const crypto: Encoding[] = [
  {
    // Cryptographic AES: 01001110 size 10100 opcode 10 Rn Rd; size != 00 and other opcodes reserved.
    name: 'AESE/AESD/AESMC/AESIMC',
    pattern: '01001110 00 10100 001 oo 10 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.exec = AES_OPS[bits(raw, 13, 12)];
    },
  },
  {
    // PMULL{2} <Vd>.1Q, <Vn>.<T>, <Vm>.<T> with size = 11 (the 8-bit form is in simd-int.ts).
    name: 'PMULL (1Q)',
    pattern: '0 q 0 01110 11 1 mmmmm 111000 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = 2 * bits(raw, 30, 30);
      i.exec = pmull64;
    },
  },
  {
    // Cryptographic four-register: 11001110 0 Op0 Rm 0 Ra Rn Rd; Op0 = 00 EOR3, 01 BCAX (SM3SS1 = 10 not implemented).
    name: 'EOR3/BCAX',
    pattern: '11001110 0 0o mmmmm 0 aaaaa nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.ra = vreg(raw, 10);
      i.rm = vreg(raw, 16);
      i.exec = bits(raw, 21, 21) ? bcax : eor3;
    },
  },
  {
    // Cryptographic three-register SHA512 with O = 0, opcode = 11: RAX1 (the others are in sha.ts).
    name: 'RAX1',
    pattern: '11001110 011 mmmmm 1 0 0011 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = rax1;
    },
  },
  {
    name: 'XAR',
    pattern: '11001110 100 mmmmm iiiiii nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = bits(raw, 15, 10);
      i.exec = xar;
    },
  },
];
