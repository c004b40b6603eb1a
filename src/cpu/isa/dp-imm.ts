// Data processing -- immediate (ARM ARM C4.1.86): ADD/SUB, logical, move wide, bitfield, EXTR, ADR.
// Handlers are specialised by register width (W forms write lo and zero hi) and, where cheap,
// by operand shape, so no handler branches on something the decoder already knew.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits, sext } from '../decode.js';
import { dstZR, regSP, srcZR } from './common.js';
import { defineEmit, awc32Src, awc64Src } from '../emit.js';
import { addWithCarry32, addWithCarry64, asr64, bitMasks, decodeBitMasks, lsl64, lsr64, ror64, ror32 } from '../alu.js';

// ---- Add/subtract (immediate), C6.2.4/C6.2.8/C6.2.357/C6.2.363. imm: the (shifted) 24-bit value ----

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
  cpu.v = (ahi & ~hi) >>> 31; // subtracting a non-negative value overflows only from negative to positive
}
// ADDS (immediate), 64-bit.
function addsImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], i.imm, 0, 0);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function addImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] + i.imm) | 0;
  r[i.rd + 1] = 0;
}
function subImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] - i.imm) | 0;
  r[i.rd + 1] = 0;
}
function addsImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], i.imm, 0);
  r[i.rd + 1] = 0;
}
function subsImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], ~i.imm, 1);
  r[i.rd + 1] = 0;
}

// Translation templates (src/cpu/emit.ts): the handlers above with the fields as constants.
defineEmit(addImm64, (i) => `const s = (r[${i.rn}] >>> 0) + ${i.imm}; r[${i.rd}] = s | 0; r[${i.rd + 1}] = (r[${i.rn + 1}] + (s > 0xffffffff ? 1 : 0)) | 0;`);
defineEmit(subImm64, (i) => `const a = r[${i.rn}] >>> 0; r[${i.rd}] = (a - ${i.imm}) | 0; r[${i.rd + 1}] = (r[${i.rn + 1}] - (a < ${i.imm} ? 1 : 0)) | 0;`);
defineEmit(
  subsImm64,
  (i) =>
    `const alo = r[${i.rn}] >>> 0; const ahi = r[${i.rn + 1}]; const lo = (alo - ${i.imm}) | 0; const borrow = alo < ${i.imm} ? 1 : 0; const hi = (ahi - borrow) | 0; ` +
    `r[${i.rd}] = lo; r[${i.rd + 1}] = hi; cpu.n = hi >>> 31; cpu.z = (lo | hi) === 0 ? 1 : 0; cpu.c = ahi >>> 0 !== 0 || borrow === 0 ? 1 : 0; cpu.v = (ahi & ~hi) >>> 31;`,
);
defineEmit(addImm32, (i) => `r[${i.rd}] = (r[${i.rn}] + ${i.imm}) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(subImm32, (i) => `r[${i.rd}] = (r[${i.rn}] - ${i.imm}) | 0; r[${i.rd + 1}] = 0;`);
// SUBS (immediate), 32-bit: AddWithCarry(Wn, NOT(imm), 1) (ARM ARM J1 AddWithCarry), inline.
defineEmit(
  subsImm32,
  (i) =>
    `const a = r[${i.rn}]; const u = (a >>> 0) + (${~i.imm} >>> 0) + 1; const v = u | 0; r[${i.rd}] = v; r[${i.rd + 1}] = 0; ` +
    `cpu.n = v >>> 31; cpu.z = v === 0 ? 1 : 0; cpu.c = u > 0xffffffff ? 1 : 0; cpu.v = ((a ^ v) & (${~i.imm} ^ v)) >>> 31;`,
);

// ---- Logical (immediate), C6.2.12/C6.2.14/C6.2.106/C6.2.222. imm/imm2: the mask (lo, hi) ----

/** Any constant into a register (MOVZ, MOVN, MOV (bitmask immediate)): imm/imm2 = lo/hi. */
function movConst(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = i.imm;
  cpu.r[i.rd + 1] = i.imm2;
}
function andImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] & i.imm;
  r[i.rd + 1] = r[i.rn + 1] & i.imm2;
}
function orrImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] | i.imm;
  r[i.rd + 1] = r[i.rn + 1] | i.imm2;
}
function eorImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] ^ i.imm;
  r[i.rd + 1] = r[i.rn + 1] ^ i.imm2;
}
// ANDS: N and Z from the result, C and V cleared (C6.2.14).
function andsImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn] & i.imm;
  const hi = r[i.rn + 1] & i.imm2;
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
  cpu.n = hi >>> 31;
  cpu.z = (lo | hi) === 0 ? 1 : 0;
  cpu.c = 0;
  cpu.v = 0;
}
function andImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] & i.imm;
  r[i.rd + 1] = 0;
}
function orrImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] | i.imm;
  r[i.rd + 1] = 0;
}
function eorImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] ^ i.imm;
  r[i.rd + 1] = 0;
}
function andsImm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const v = r[i.rn] & i.imm;
  r[i.rd] = v;
  r[i.rd + 1] = 0;
  cpu.n = v >>> 31;
  cpu.z = v === 0 ? 1 : 0;
  cpu.c = 0;
  cpu.v = 0;
}

defineEmit(movConst, (i) => `r[${i.rd}] = ${i.imm}; r[${i.rd + 1}] = ${i.imm2};`);
defineEmit(andImm64, (i) => `r[${i.rd}] = r[${i.rn}] & ${i.imm}; r[${i.rd + 1}] = r[${i.rn + 1}] & ${i.imm2};`);
defineEmit(orrImm64, (i) => `r[${i.rd}] = r[${i.rn}] | ${i.imm}; r[${i.rd + 1}] = r[${i.rn + 1}] | ${i.imm2};`);
defineEmit(eorImm64, (i) => `r[${i.rd}] = r[${i.rn}] ^ ${i.imm}; r[${i.rd + 1}] = r[${i.rn + 1}] ^ ${i.imm2};`);
defineEmit(andImm32, (i) => `r[${i.rd}] = r[${i.rn}] & ${i.imm}; r[${i.rd + 1}] = 0;`);
defineEmit(orrImm32, (i) => `r[${i.rd}] = r[${i.rn}] | ${i.imm}; r[${i.rd + 1}] = 0;`);
defineEmit(eorImm32, (i) => `r[${i.rd}] = r[${i.rn}] ^ ${i.imm}; r[${i.rd + 1}] = 0;`);
defineEmit(
  andsImm64,
  (i) =>
    `const lo = r[${i.rn}] & ${i.imm}; const hi = r[${i.rn + 1}] & ${i.imm2}; r[${i.rd}] = lo; r[${i.rd + 1}] = hi; ` +
    `cpu.n = hi >>> 31; cpu.z = (lo | hi) === 0 ? 1 : 0; cpu.c = 0; cpu.v = 0;`,
);

// ---- Move wide (immediate), C6.2.190-192. MOVZ/MOVN are constants (movConst). ----

// MOVK: imm = the 16-bit value placed within its word, imm2 = the bits of that word to keep.
function movkLo64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rd] & i.imm2) | i.imm;
}
function movkHi64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd + 1] = (r[i.rd + 1] & i.imm2) | i.imm;
}
function movk32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rd] & i.imm2) | i.imm;
  r[i.rd + 1] = 0;
}

defineEmit(movkLo64, (i) => `r[${i.rd}] = (r[${i.rd}] & ${i.imm2}) | ${i.imm};`);
defineEmit(movkHi64, (i) => `r[${i.rd + 1}] = (r[${i.rd + 1}] & ${i.imm2}) | ${i.imm};`);
defineEmit(movk32, (i) => `r[${i.rd}] = (r[${i.rd}] & ${i.imm2}) | ${i.imm}; r[${i.rd + 1}] = 0;`);

// ---- Bitfield, C6.2.30 BFM, C6.2.265 SBFM, C6.2.383 UBFM ----
// SBFM/UBFM with wmask/tmask from DecodeBitMasks reduce to two shifts: move bit S to the top
// (LSL by L = datasize-1-S), then shift right by A (arithmetic for SBFM): A = L + R when S >= R
// (the field <S:R> lands at bit 0), A = R-1-S when S < R (field <S:0> lands at datasize-R).
// imm = L, imm2 = A.
function ubfm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] << i.imm) >>> i.imm2;
  r[i.rd + 1] = 0;
}
function sbfm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] << i.imm) >> i.imm2;
  r[i.rd + 1] = 0;
}
function ubfm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = lsl64(cpu, r[i.rn], r[i.rn + 1], i.imm);
  r[i.rd] = lsr64(cpu, lo, cpu.tmpHi, i.imm2);
  r[i.rd + 1] = cpu.tmpHi;
}
function sbfm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = lsl64(cpu, r[i.rn], r[i.rn + 1], i.imm);
  r[i.rd] = asr64(cpu, lo, cpu.tmpHi, i.imm2);
  r[i.rd + 1] = cpu.tmpHi;
}
// LSR (immediate), 64-bit: UBFM with imms = 63 (L = 0).
function lsrImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = lsr64(cpu, r[i.rn], r[i.rn + 1], i.imm2);
  r[i.rd + 1] = cpu.tmpHi;
}
// ASR (immediate), 64-bit: SBFM with imms = 63.
function asrImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = asr64(cpu, r[i.rn], r[i.rn + 1], i.imm2);
  r[i.rd + 1] = cpu.tmpHi;
}
// LSL (immediate), 64-bit: UBFM with imms + 1 = immr (A = 0).
function lslImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = lsl64(cpu, r[i.rn], r[i.rn + 1], i.imm);
  r[i.rd + 1] = cpu.tmpHi;
}
// BFM: Xd = (Xd AND NOT m) OR (ROR(Xn, R) AND m) with m = wmask AND tmask (the combination of
// bot and top in the pseudocode when top = dst). imm = R, imm2/imm3 = m lo/hi.
function bfm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = ror64(cpu, r[i.rn], r[i.rn + 1], i.imm);
  const hi = cpu.tmpHi;
  r[i.rd] = (r[i.rd] & ~i.imm2) | (lo & i.imm2);
  r[i.rd + 1] = (r[i.rd + 1] & ~i.imm3) | (hi & i.imm3);
}
function bfm32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rd] & ~i.imm2) | (ror32(r[i.rn], i.imm) & i.imm2);
  r[i.rd + 1] = 0;
}

// ---- EXTR, C6.2.90: the low datasize bits of (Xn:Xm) >> lsb; imm = lsb ----
function extr64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  let w0: number, w1: number, w2: number;
  if (i.imm < 32) {
    w0 = r[i.rm];
    w1 = r[i.rm + 1];
    w2 = r[i.rn];
  } else {
    w0 = r[i.rm + 1];
    w1 = r[i.rn];
    w2 = r[i.rn + 1];
  }
  const k = i.imm & 31;
  if (k === 0) {
    r[i.rd] = w0;
    r[i.rd + 1] = w1;
  } else {
    r[i.rd] = (w0 >>> k) | (w1 << (32 - k));
    r[i.rd + 1] = (w1 >>> k) | (w2 << (32 - k));
  }
}
function extr32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const k = i.imm;
  r[i.rd] = k === 0 ? r[i.rm] : (r[i.rm] >>> k) | (r[i.rn] << (32 - k));
  r[i.rd + 1] = 0;
}

// ADDS/CMN (immediate): AddWithCarry(Rn, imm, 0) inline.
defineEmit(addsImm32, (i) => `${awc32Src(`r[${i.rn}]`, `${i.imm}`, '0')} r[${i.rd}] = res; r[${i.rd + 1}] = 0;`);
defineEmit(addsImm64, (i) => `${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `${i.imm}`, '0', '0')} r[${i.rd}] = res; r[${i.rd + 1}] = resHi;`);
// EXTR (C6.2.90): the words of Xn:Xm shifted right by lsb, as extr64/extr32 pick them.
defineEmit(extr32, (i) => (i.imm === 0 ? `r[${i.rd}] = r[${i.rm}]; r[${i.rd + 1}] = 0;` : `r[${i.rd}] = (r[${i.rm}] >>> ${i.imm}) | (r[${i.rn}] << ${32 - i.imm}); r[${i.rd + 1}] = 0;`));
defineEmit(extr64, (i) => {
  const [w0, w1, w2] = i.imm < 32 ? [`r[${i.rm}]`, `r[${i.rm + 1}]`, `r[${i.rn}]`] : [`r[${i.rm + 1}]`, `r[${i.rn}]`, `r[${i.rn + 1}]`];
  const k = i.imm & 31;
  if (k === 0) return `const a = ${w0}, b = ${w1}; r[${i.rd}] = a; r[${i.rd + 1}] = b;`;
  return `const a = ${w0}, b = ${w1}, c = ${w2}; r[${i.rd}] = (a >>> ${k}) | (b << ${32 - k}); r[${i.rd + 1}] = (b >>> ${k}) | (c << ${32 - k});`;
});
// BFM (32-bit): Rd keeps the bits outside the field, takes ROR(Wn, immr) inside it.
defineEmit(bfm32, (i) => `r[${i.rd}] = (r[${i.rd}] & ${~i.imm2}) | (ror32(r[${i.rn}], ${i.imm}) & ${i.imm2}); r[${i.rd + 1}] = 0;`);
defineEmit(ubfm32, (i) => `r[${i.rd}] = (r[${i.rn}] << ${i.imm}) >>> ${i.imm2}; r[${i.rd + 1}] = 0;`);
defineEmit(sbfm32, (i) => `r[${i.rd}] = (r[${i.rn}] << ${i.imm}) >> ${i.imm2}; r[${i.rd + 1}] = 0;`);

// The 64-bit forms through the same alu.ts helpers (registered by dp-reg.ts: lsl64, lsr64, asr64).
defineEmit(ubfm64, (i) => `const lo = lsl64(cpu, r[${i.rn}], r[${i.rn + 1}], ${i.imm}); r[${i.rd}] = lsr64(cpu, lo, cpu.tmpHi, ${i.imm2}); r[${i.rd + 1}] = cpu.tmpHi;`);
defineEmit(sbfm64, (i) => `const lo = lsl64(cpu, r[${i.rn}], r[${i.rn + 1}], ${i.imm}); r[${i.rd}] = asr64(cpu, lo, cpu.tmpHi, ${i.imm2}); r[${i.rd + 1}] = cpu.tmpHi;`);
defineEmit(lsrImm64, (i) => `r[${i.rd}] = lsr64(cpu, r[${i.rn}], r[${i.rn + 1}], ${i.imm2}); r[${i.rd + 1}] = cpu.tmpHi;`);
defineEmit(asrImm64, (i) => `r[${i.rd}] = asr64(cpu, r[${i.rn}], r[${i.rn + 1}], ${i.imm2}); r[${i.rd + 1}] = cpu.tmpHi;`);
defineEmit(lslImm64, (i) => `r[${i.rd}] = lsl64(cpu, r[${i.rn}], r[${i.rn + 1}], ${i.imm}); r[${i.rd + 1}] = cpu.tmpHi;`);

// ---- PC-relative addressing, C6.2.10 ADR / C6.2.11 ADRP ----
// The decoded Insn is cached by physical address and may be reached from several VAs, so the
// PC must come from run-time state. ADR/ADRP are therefore block-ending (like branchRel in
// branch.ts): the last instruction of their block, whose PC is npc - 4. imm = the signed
// 21-bit immediate, imm2 = its scale (1 for ADR, 4096 for ADRP): the product can reach +-2^32,
// so it is formed here rather than stored (Insn fields stay small integers for V8).
function pcRel(cpu: Cpu, i: Insn, pageMask: number): void {
  const pcLo = (cpu.npcLo - 4) | 0;
  const pcHi = (pcLo >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi;
  const t = ((pcLo & pageMask) >>> 0) + i.imm * i.imm2;
  const carry = Math.floor(t / 4294967296);
  cpu.r[i.rd] = t | 0;
  cpu.r[i.rd + 1] = (pcHi + carry) | 0;
}
function execAdr(cpu: Cpu, i: Insn): void {
  pcRel(cpu, i, -1);
}
function execAdrp(cpu: Cpu, i: Insn): void {
  pcRel(cpu, i, ~0xfff);
}

// Templates (src/cpu/emit.ts). When the instruction's page offset `at` is known (always, in a
// region), PC = page(PC) | at, since PC holds the running block's address while it runs;
// otherwise PC = npc - 4 as in pcRel (ADR/ADRP end their block). Then the same 64-bit add.
function pcRelSrc(i: Insn, at: number, pageMask: number): string {
  const pc =
    at >= 0
      ? `const pl = (cpu.pcLo & -4096) | ${at}; const ph = cpu.pcHi;`
      : 'const pl = (cpu.npcLo - 4) | 0; const ph = (pl >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi;';
  return `${pc} const t = ((pl & ${pageMask}) >>> 0) + ${i.imm * i.imm2}; r[${i.rd}] = t | 0; r[${i.rd + 1}] = (ph + Math.floor(t / 4294967296)) | 0;`;
}
defineEmit(execAdr, (i, at) => pcRelSrc(i, at, -1));
defineEmit(execAdrp, (i, at) => pcRelSrc(i, at, ~0xfff));

/** imm12, shifted by 12 when sh = 1. */
function addSubImm(raw: number): number {
  return bits(raw, 21, 10) << (bits(raw, 22, 22) ? 12 : 0);
}

/** Logical immediate decode: returns false for sf=0 with N=1 and DecodeBitMasks' reserved cases. */
function logicalImm(raw: number, i: Insn): boolean {
  const sf = raw >>> 31;
  const n = bits(raw, 22, 22);
  if (sf === 0 && n !== 0) return false;
  if (!decodeBitMasks(n, bits(raw, 15, 10), bits(raw, 21, 16), true, sf ? 64 : 32)) return false;
  i.sf = sf;
  i.imm = bitMasks.wLo;
  i.imm2 = sf ? bitMasks.wHi : 0;
  i.rn = srcZR(bits(raw, 9, 5));
  return true;
}

/** Bitfield decode common part: returns false unless N = sf and (for W) immr, imms < 32. */
function bitfield(raw: number, i: Insn): boolean {
  const sf = raw >>> 31;
  const n = bits(raw, 22, 22);
  const immr = bits(raw, 21, 16);
  const imms = bits(raw, 15, 10);
  if (n !== sf) return false;
  if (sf === 0 && (immr | imms) >= 32) return false;
  i.sf = sf;
  i.rn = srcZR(bits(raw, 9, 5));
  i.rd = dstZR(bits(raw, 4, 0));
  const ds = sf ? 64 : 32;
  i.imm = ds - 1 - imms; // L
  i.imm2 = imms >= immr ? i.imm + immr : immr - 1 - imms; // A
  i.imm3 = immr; // R
  return true;
}

export const dpImm: Encoding[] = [
  {
    name: 'ADD (immediate)',
    pattern: 'f 0 0 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      i.imm = addSubImm(raw);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = regSP(bits(raw, 4, 0));
      i.exec = raw >>> 31 ? addImm64 : addImm32;
    },
  },
  {
    name: 'ADDS (immediate)',
    pattern: 'f 0 1 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      i.imm = addSubImm(raw);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = raw >>> 31 ? addsImm64 : addsImm32;
    },
  },
  {
    name: 'SUB (immediate)',
    pattern: 'f 1 0 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      i.imm = addSubImm(raw);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = regSP(bits(raw, 4, 0));
      i.exec = raw >>> 31 ? subImm64 : subImm32;
    },
  },
  {
    name: 'SUBS (immediate)',
    pattern: 'f 1 1 100010 s iiiiiiiiiiii nnnnn ddddd',
    decode(raw, i) {
      i.imm = addSubImm(raw);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = raw >>> 31 ? subsImm64 : subsImm32;
    },
  },
  {
    name: 'AND (immediate)',
    pattern: 'f 00 100100 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!logicalImm(raw, i)) return false;
      i.rd = regSP(bits(raw, 4, 0));
      i.exec = i.sf ? andImm64 : andImm32;
    },
  },
  {
    name: 'ORR (immediate)',
    pattern: 'f 01 100100 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!logicalImm(raw, i)) return false;
      i.rd = regSP(bits(raw, 4, 0));
      // MOV (bitmask immediate): ORR from WZR/XZR is a constant.
      i.exec = bits(raw, 9, 5) === 31 ? movConst : i.sf ? orrImm64 : orrImm32;
    },
  },
  {
    name: 'EOR (immediate)',
    pattern: 'f 10 100100 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!logicalImm(raw, i)) return false;
      i.rd = regSP(bits(raw, 4, 0));
      i.exec = i.sf ? eorImm64 : eorImm32;
    },
  },
  {
    name: 'ANDS (immediate)',
    pattern: 'f 11 100100 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!logicalImm(raw, i)) return false;
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = i.sf ? andsImm64 : andsImm32;
    },
  },
  {
    name: 'MOVN',
    pattern: 'f 00 100101 hh iiiiiiiiiiiiiiii ddddd',
    decode(raw, i) {
      const sf = raw >>> 31;
      const hw = bits(raw, 22, 21);
      if (sf === 0 && hw > 1) return false;
      const v = bits(raw, 20, 5);
      const sh = 16 * (hw & 1);
      // NOT(imm16 << 16*hw); a W result is zero-extended.
      i.imm = ~(hw < 2 ? v << sh : 0);
      i.imm2 = sf ? ~(hw >= 2 ? v << sh : 0) : 0;
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = movConst;
    },
  },
  {
    name: 'MOVZ',
    pattern: 'f 10 100101 hh iiiiiiiiiiiiiiii ddddd',
    decode(raw, i) {
      const sf = raw >>> 31;
      const hw = bits(raw, 22, 21);
      if (sf === 0 && hw > 1) return false;
      const v = bits(raw, 20, 5) << (16 * (hw & 1));
      i.imm = hw < 2 ? v : 0;
      i.imm2 = hw >= 2 ? v : 0;
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = movConst;
    },
  },
  {
    name: 'MOVK',
    pattern: 'f 11 100101 hh iiiiiiiiiiiiiiii ddddd',
    decode(raw, i) {
      const sf = raw >>> 31;
      const hw = bits(raw, 22, 21);
      if (sf === 0 && hw > 1) return false;
      const sh = 16 * (hw & 1);
      i.imm = bits(raw, 20, 5) << sh;
      i.imm2 = ~(0xffff << sh);
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = sf === 0 ? movk32 : hw < 2 ? movkLo64 : movkHi64;
    },
  },
  {
    name: 'SBFM',
    pattern: 'f 00 100110 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!bitfield(raw, i)) return false;
      if (i.sf === 0) i.exec = sbfm32;
      else i.exec = i.imm === 0 ? asrImm64 : sbfm64;
    },
  },
  {
    name: 'BFM',
    pattern: 'f 01 100110 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!bitfield(raw, i)) return false;
      const sf = i.sf;
      // BFM reads and writes Rd; into XZR it has no architectural effect.
      if (bits(raw, 4, 0) === 31) {
        i.exec = nop;
        return;
      }
      // Cannot fail here: bitfield() already required N = sf and W fields < 32, so len >= 5.
      decodeBitMasks(sf, bits(raw, 15, 10), bits(raw, 21, 16), false, sf ? 64 : 32);
      i.imm = i.imm3; // R
      i.imm2 = bitMasks.wLo & bitMasks.tLo;
      i.imm3 = sf ? bitMasks.wHi & bitMasks.tHi : 0;
      i.exec = sf ? bfm64 : bfm32;
    },
  },
  {
    name: 'UBFM',
    pattern: 'f 10 100110 N rrrrrr ssssss nnnnn ddddd',
    decode(raw, i) {
      if (!bitfield(raw, i)) return false;
      if (i.sf === 0) i.exec = ubfm32;
      else i.exec = i.imm === 0 ? lsrImm64 : i.imm2 === 0 ? lslImm64 : ubfm64;
    },
  },
  {
    name: 'EXTR',
    pattern: 'f 00 100111 N 0 mmmmm ssssss nnnnn ddddd',
    decode(raw, i) {
      const sf = raw >>> 31;
      if (bits(raw, 22, 22) !== sf) return false;
      const lsb = bits(raw, 15, 10);
      if (sf === 0 && lsb >= 32) return false;
      i.imm = lsb;
      i.rm = srcZR(bits(raw, 20, 16));
      i.rn = srcZR(bits(raw, 9, 5));
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = sf ? extr64 : extr32;
    },
  },
  {
    name: 'ADR',
    pattern: '0 ll 10000 hhhhhhhhhhhhhhhhhhh ddddd',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext((bits(raw, 23, 5) << 2) | bits(raw, 30, 29), 21);
      i.imm2 = 1;
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = execAdr;
    },
  },
  {
    name: 'ADRP',
    pattern: '1 ll 10000 hhhhhhhhhhhhhhhhhhh ddddd',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext((bits(raw, 23, 5) << 2) | bits(raw, 30, 29), 21);
      i.imm2 = 4096;
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = execAdrp;
    },
  },
];

/** BFM into XZR: no architectural effect. */
function nop(_cpu: Cpu, _i: Insn): void {}
