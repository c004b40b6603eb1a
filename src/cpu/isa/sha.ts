// Cryptographic extension, SHA parts (ARM ARM C4.1.90 "Cryptographic three-register SHA",
// "Cryptographic two-register SHA", "Cryptographic three-register SHA512", "Cryptographic
// two-register SHA512"), following the pseudocode of SHA1C/SHA1P/SHA1M/SHA1H/SHA1SU0/SHA1SU1,
// SHA256H/SHA256H2/SHA256SU0/SHA256SU1 (SHA256hash) and SHA512H/SHA512H2/SHA512SU0/SHA512SU1.
// 64-bit lanes are pairs of int32 words (no BigInt).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk } from './fp-common.js';
import { A, B, C, D, putD } from './simd-lanes.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);
const rol = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const ror = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

function load3(cpu: Cpu, i: Insn): void {
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) {
    A[k] = v[i.rd + k];
    B[k] = v[i.rn + k];
    C[k] = v[i.rm + k];
  }
}

// ---- SHA1 ----
const SHA1_CHOOSE = 0, SHA1_PARITY = 1, SHA1_MAJORITY = 2;
/** SHA1C/SHA1P/SHA1M Qd, Sn, Vm.4S: four rounds; X = Qd, Y = Sn, W = Vm. */
function sha1Hash(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i);
  let y = B[0];
  for (let e = 0; e < 4; e++) {
    const x1 = A[1], x2 = A[2], x3 = A[3];
    const t = i.op === SHA1_CHOOSE ? ((x2 ^ x3) & x1) ^ x3 : i.op === SHA1_PARITY ? x1 ^ x2 ^ x3 : (x1 & x2) | ((x1 | x2) & x3);
    y = (y + rol(A[0], 5) + t + C[e]) | 0;
    A[1] = rol(x1, 30);
    // <Y, X> = ROL(Y:X, 32) over 160 bits
    const top = A[3];
    A[3] = A[2]; A[2] = A[1]; A[1] = A[0]; A[0] = y;
    y = top;
  }
  for (let k = 0; k < 4; k++) D[k] = A[k];
  putD(cpu, i.rd, 1);
}
/** SHA1SU0 Vd, Vn, Vm: (Vn<63:0> : Vd<127:64>) EOR Vd EOR Vm. */
function sha1su0(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i);
  D[0] = A[2] ^ A[0] ^ C[0];
  D[1] = A[3] ^ A[1] ^ C[1];
  D[2] = B[0] ^ A[2] ^ C[2];
  D[3] = B[1] ^ A[3] ^ C[3];
  putD(cpu, i.rd, 1);
}
/** SHA1H Sd, Sn: ROL(Sn, 30); the rest of Vd becomes zero. */
function sha1h(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  D[0] = rol(cpu.vr[i.rn], 30);
  D[1] = D[2] = D[3] = 0;
  putD(cpu, i.rd, 1);
}
/** SHA1SU1 Vd, Vn: T = Vd EOR LSR(Vn, 32); each word ROL 1, the top one EOR ROL(T<31:0>, 2). */
function sha1su1(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const t0 = v[i.rd] ^ v[i.rn + 1], t1 = v[i.rd + 1] ^ v[i.rn + 2], t2 = v[i.rd + 2] ^ v[i.rn + 3], t3 = v[i.rd + 3];
  D[0] = rol(t0, 1);
  D[1] = rol(t1, 1);
  D[2] = rol(t2, 1);
  D[3] = rol(t3, 1) ^ rol(t0, 2);
  putD(cpu, i.rd, 1);
}

// ---- SHA256 ----
/** SHA256hash(X, Y, W, part1): four rounds; returns X (part1) or Y in D. */
function sha256hash(x: Int32Array, y: Int32Array, w: Int32Array, part1: boolean): void {
  for (let e = 0; e < 4; e++) {
    const chs = ((y[1] ^ y[2]) & y[0]) ^ y[2];
    const maj = (x[0] & x[1]) | ((x[0] | x[1]) & x[2]);
    const sig1 = ror(y[0], 6) ^ ror(y[0], 11) ^ ror(y[0], 25);
    const sig0 = ror(x[0], 2) ^ ror(x[0], 13) ^ ror(x[0], 22);
    const t = (y[3] + sig1 + chs + w[e]) | 0;
    x[3] = (t + x[3]) | 0;
    y[3] = (t + sig0 + maj) | 0;
    // <Y, X> = ROL(Y:X, 32) over 256 bits
    const yTop = y[3], xTop = x[3];
    y[3] = y[2]; y[2] = y[1]; y[1] = y[0]; y[0] = xTop;
    x[3] = x[2]; x[2] = x[1]; x[1] = x[0]; x[0] = yTop;
  }
  const r = part1 ? x : y;
  for (let k = 0; k < 4; k++) D[k] = r[k];
}
/** SHA256H Qd, Qn, Vm.4S: SHA256hash(Qd, Qn, Vm, TRUE). SHA256H2: SHA256hash(Qn, Qd, Vm, FALSE). */
function sha256h(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i);
  if (i.op === 0) sha256hash(A, B, C, true);
  else sha256hash(B, A, C, false);
  putD(cpu, i.rd, 1);
}
/** SHA256SU0 Vd, Vn: T = Vn<31:0> : Vd<127:32>; Vd[e] += ROR(T[e],7) ^ ROR(T[e],18) ^ LSR(T[e],3). */
function sha256su0(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let e = 0; e < 4; e++) {
    const t = e < 3 ? v[i.rd + e + 1] : v[i.rn];
    D[e] = (v[i.rd + e] + (ror(t, 7) ^ ror(t, 18) ^ (t >>> 3))) | 0;
  }
  putD(cpu, i.rd, 1);
}
/** SHA256SU1 Vd, Vn, Vm: the message-schedule update of the ARM ARM pseudocode. */
const sig1 = (x: number): number => ror(x, 17) ^ ror(x, 19) ^ (x >>> 10);
function sha256su1(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i);
  // T0 = Vm<31:0> : Vn<127:32>, i.e. [Vn[1], Vn[2], Vn[3], Vm[0]]
  D[0] = (sig1(C[2]) + A[0] + B[1]) | 0;
  D[1] = (sig1(C[3]) + A[1] + B[2]) | 0;
  D[2] = (sig1(D[0]) + A[2] + B[3]) | 0;
  D[3] = (sig1(D[1]) + A[3] + C[0]) | 0;
  putD(cpu, i.rd, 1);
}

// ---- SHA512: 64-bit lanes as (lo, hi) pairs; results in rl/rh ----
let rl = 0, rh = 0;
/** ROR64 of (lo, hi) by n (0 < n < 64), into rl/rh. */
function ror64(lo: number, hi: number, n: number): void {
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
  }
  const s = n & 31;
  rl = s ? (lo >>> s) | (hi << (32 - s)) : lo;
  rh = s ? (hi >>> s) | (lo << (32 - s)) : hi;
}
/** f(x) = ROR(x,a) ^ ROR(x,b) ^ (c > 0 ? LSR(x,c) : ROR(x,-c)), into rl/rh. */
function sigma64(lo: number, hi: number, a: number, b: number, c: number): void {
  ror64(lo, hi, a);
  let l = rl, h = rh;
  ror64(lo, hi, b);
  l ^= rl; h ^= rh;
  if (c > 0) {
    // LSR by 0 < c < 32
    l ^= (lo >>> c) | (hi << (32 - c));
    h ^= hi >>> c;
  } else {
    ror64(lo, hi, -c);
    l ^= rl; h ^= rh;
  }
  rl = l; rh = h;
}
/** Sum of (lo, hi) pairs modulo 2^64, into rl/rh. */
function add64(alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo >>> 0) + (blo >>> 0);
  rl = lo | 0;
  rh = (ahi + bhi + (lo > 0xffffffff ? 1 : 0)) | 0;
}
/** SHA512H Qd, Qn, Vm.2D (X = Vn, Y = Vm, W = Vd). */
function sha512h(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i); // A = W (Vd), B = X (Vn), C = Y (Vm)
  // Vtmp<127:64> = (Y<127:64> AND X<63:0>) EOR (NOT Y<127:64> AND X<127:64>) + MSigma1(Y<127:64>) + W<127:64>
  sigma64(C[2], C[3], 14, 18, -41);
  let hl = (C[2] & B[0]) ^ (~C[2] & B[2]), hh = (C[3] & B[1]) ^ (~C[3] & B[3]);
  add64(hl, hh, rl, rh);
  add64(rl, rh, A[2], A[3]);
  hl = rl; hh = rh;
  // tmp = Vtmp<127:64> + Y<63:0>
  add64(hl, hh, C[0], C[1]);
  const tl = rl, th = rh;
  sigma64(tl, th, 14, 18, -41);
  const ll = (tl & C[2]) ^ (~tl & B[0]), lh = (th & C[3]) ^ (~th & B[1]);
  add64(ll, lh, rl, rh);
  add64(rl, rh, A[0], A[1]);
  D[0] = rl; D[1] = rh; D[2] = hl; D[3] = hh;
  putD(cpu, i.rd, 1);
}
/** SHA512H2 Qd, Qn, Vm.2D (X = Vn, Y = Vm, W = Vd). */
function sha512h2(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i);
  sigma64(C[0], C[1], 28, 34, -39);
  let hl = (B[0] & C[2]) ^ (B[0] & C[0]) ^ (C[2] & C[0]);
  let hh = (B[1] & C[3]) ^ (B[1] & C[1]) ^ (C[3] & C[1]);
  add64(hl, hh, rl, rh);
  add64(rl, rh, A[2], A[3]);
  hl = rl; hh = rh;
  sigma64(hl, hh, 28, 34, -39);
  const ll = (hl & C[0]) ^ (hl & C[2]) ^ (C[2] & C[0]);
  const lh = (hh & C[1]) ^ (hh & C[3]) ^ (C[3] & C[1]);
  add64(ll, lh, rl, rh);
  add64(rl, rh, A[0], A[1]);
  D[0] = rl; D[1] = rh; D[2] = hl; D[3] = hh;
  putD(cpu, i.rd, 1);
}
/** SHA512SU0 Vd.2D, Vn.2D: W = Vd, X = Vn. */
function sha512su0(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  const w0 = v[i.rd], w1 = v[i.rd + 1], w2 = v[i.rd + 2], w3 = v[i.rd + 3];
  sigma64(w2, w3, 1, 8, 7);
  add64(w0, w1, rl, rh);
  D[0] = rl; D[1] = rh;
  sigma64(v[i.rn], v[i.rn + 1], 1, 8, 7);
  add64(w2, w3, rl, rh);
  D[2] = rl; D[3] = rh;
  putD(cpu, i.rd, 1);
}
/** SHA512SU1 Vd.2D, Vn.2D, Vm.2D: W = Vd, X = Vn, Y = Vm. */
function sha512su1(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load3(cpu, i);
  sigma64(B[2], B[3], 19, 61, 6);
  add64(A[2], A[3], rl, rh);
  add64(rl, rh, C[2], C[3]);
  D[2] = rl; D[3] = rh;
  sigma64(B[0], B[1], 19, 61, 6);
  add64(A[0], A[1], rl, rh);
  add64(rl, rh, C[0], C[1]);
  D[0] = rl; D[1] = rh;
  putD(cpu, i.rd, 1);
}

export const sha: Encoding[] = [
  {
    // Cryptographic three-register SHA: 01011110 size 0 Rm 0 opcode 00 Rn Rd (size != 00 and opcode 111 reserved).
    name: 'SHA1C/SHA1P/SHA1M/SHA1SU0/SHA256H/SHA256H2/SHA256SU1',
    pattern: '01011110 00 0 mmmmm 0 ooo 00 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 14, 12);
      if (opc === 7) return false;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      if (opc <= 2) {
        i.op = opc;
        i.exec = sha1Hash;
      } else if (opc === 3) i.exec = sha1su0;
      else if (opc <= 5) {
        i.op = opc - 4;
        i.exec = sha256h;
      } else i.exec = sha256su1;
    },
  },
  {
    // Cryptographic two-register SHA: 01011110 size 10100 opcode 10 Rn Rd: SHA1H, SHA1SU1, SHA256SU0.
    name: 'SHA1H/SHA1SU1/SHA256SU0',
    pattern: '01011110 00 10100 ooooo 10 nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 16, 12);
      if (opc > 2) return false;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.exec = opc === 0 ? sha1h : opc === 1 ? sha1su1 : sha256su0;
    },
  },
  {
    // Cryptographic three-register SHA512 (O = 0): SHA512H 00, SHA512H2 01, SHA512SU1 10 (RAX1: crypto.ts).
    name: 'SHA512H/SHA512H2/SHA512SU1',
    pattern: '11001110 011 mmmmm 1 0 00 oo nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 11, 10);
      if (opc === 3) return false;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = opc === 0 ? sha512h : opc === 1 ? sha512h2 : sha512su1;
    },
  },
  {
    // Cryptographic two-register SHA512: 11001110 11000000 10000 opcode Rn Rd; opcode 00 SHA512SU0 (01 SM4E: not implemented).
    name: 'SHA512SU0',
    pattern: '11001110 11000000 1000 00 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.exec = sha512su0;
    },
  },
];
