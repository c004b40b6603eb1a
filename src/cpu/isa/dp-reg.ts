// Data processing -- register (ARM ARM C4.1.88): add/subtract (shifted and extended register, with
// carry), logical (shifted register), conditional compare and select, 1-source (RBIT, REV, CLZ,
// CLS), 2-source (UDIV/SDIV, variable shifts, CRC32), 3-source (multiply-add, SMULH/UMULH).
// Handlers are specialised by width (W forms write lo and zero hi) and, for the common MOV/ADD/
// SUB/CMP register forms, by shift = 0. Every handler reads all its operands before writing Rd,
// which may be the same register as Rn or Rm.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { conditionHolds, dstZR, regSP, srcZR } from './common.js';
import { defineEmit, defineHelper, condExpr, awc32Src, awc64Src } from '../emit.js';
import {
  addWithCarry32,
  addWithCarry64,
  asr64,
  bswap32,
  cls32,
  cls64,
  clz64,
  CRC32_TABLE,
  CRC32C_TABLE,
  crcUpdate,
  lsl64,
  lsr64,
  mul64,
  rbit32,
  rev16w,
  ror32,
  ror64,
  sdiv32,
  sdiv64,
  smul32,
  smulh64,
  udiv32,
  udiv64,
  umul32,
  umulh64,
} from '../alu.js';

// ---- operand helpers (ShiftReg and ExtendReg, C6.1.3 / J1) ----

/** ShiftReg(m, type, amount) for 64 bits: returns lo, hi in cpu.tmpHi. type: LSL, LSR, ASR, ROR. */
function shiftReg64(cpu: Cpu, m: number, type: number, amt: number): number {
  const r = cpu.r;
  switch (type) {
    case 0:
      return lsl64(cpu, r[m], r[m + 1], amt);
    case 1:
      return lsr64(cpu, r[m], r[m + 1], amt);
    case 2:
      return asr64(cpu, r[m], r[m + 1], amt);
    default:
      return ror64(cpu, r[m], r[m + 1], amt);
  }
}
function shiftReg32(x: number, type: number, amt: number): number {
  switch (type) {
    case 0:
      return x << amt;
    case 1:
      return (x >>> amt) | 0;
    case 2:
      return x >> amt;
    default:
      return ror32(x, amt);
  }
}
/** ExtendReg(m, option, shift) for 64 bits: UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX. */
function extendReg64(cpu: Cpu, m: number, option: number, shift: number): number {
  const r = cpu.r;
  let lo = r[m];
  let hi: number;
  switch (option) {
    case 0:
      lo &= 0xff;
      hi = 0;
      break;
    case 1:
      lo &= 0xffff;
      hi = 0;
      break;
    case 2:
      hi = 0;
      break;
    case 4:
      lo = (lo << 24) >> 24;
      hi = lo >> 31;
      break;
    case 5:
      lo = (lo << 16) >> 16;
      hi = lo >> 31;
      break;
    case 6:
      hi = lo >> 31;
      break;
    default: // UXTX, SXTX
      hi = r[m + 1];
  }
  return lsl64(cpu, lo, hi, shift);
}
function extendReg32(x: number, option: number, shift: number): number {
  switch (option & 3) {
    case 0:
      x = option & 4 ? (x << 24) >> 24 : x & 0xff;
      break;
    case 1:
      x = option & 4 ? (x << 16) >> 16 : x & 0xffff;
      break;
  }
  return x << shift;
}

// ---- ADD/SUB (shifted register). op = shift type, imm = amount ----

// ADD Xd, Xn, Xm (no shift): the common case gets its own handler.
function addReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const l = (r[i.rn] >>> 0) + (r[i.rm] >>> 0);
  const hi = (r[i.rn + 1] + r[i.rm + 1] + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function subReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const a = r[i.rn] >>> 0;
  const b = r[i.rm] >>> 0;
  const hi = (r[i.rn + 1] - r[i.rm + 1] - (a < b ? 1 : 0)) | 0;
  r[i.rd] = (a - b) | 0;
  r[i.rd + 1] = hi;
}
// SUBS/CMP Xn, Xm (no shift).
function subsReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], ~r[i.rm], ~r[i.rm + 1], 1);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function addShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const blo = shiftReg64(cpu, i.rm, i.op, i.imm);
  const l = (r[i.rn] >>> 0) + (blo >>> 0);
  const hi = (r[i.rn + 1] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function subShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const b = shiftReg64(cpu, i.rm, i.op, i.imm) >>> 0;
  const a = r[i.rn] >>> 0;
  const hi = (r[i.rn + 1] - cpu.tmpHi - (a < b ? 1 : 0)) | 0;
  r[i.rd] = (a - b) | 0;
  r[i.rd + 1] = hi;
}
function addsShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const blo = shiftReg64(cpu, i.rm, i.op, i.imm);
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], blo, cpu.tmpHi, 0);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function subsShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const blo = shiftReg64(cpu, i.rm, i.op, i.imm);
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], ~blo, ~cpu.tmpHi, 1);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function addReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] + r[i.rm]) | 0;
  r[i.rd + 1] = 0;
}
function subReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] - r[i.rm]) | 0;
  r[i.rd + 1] = 0;
}
function subsReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], ~r[i.rm], 1);
  r[i.rd + 1] = 0;
}
function addShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] + shiftReg32(r[i.rm], i.op, i.imm)) | 0;
  r[i.rd + 1] = 0;
}
function subShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] - shiftReg32(r[i.rm], i.op, i.imm)) | 0;
  r[i.rd + 1] = 0;
}
function addsShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], shiftReg32(r[i.rm], i.op, i.imm), 0);
  r[i.rd + 1] = 0;
}
function subsShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], ~shiftReg32(r[i.rm], i.op, i.imm), 1);
  r[i.rd + 1] = 0;
}

// ---- ADD/SUB (extended register). op = option, imm = shift (0..4) ----

function addExt64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const blo = extendReg64(cpu, i.rm, i.op, i.imm);
  const l = (r[i.rn] >>> 0) + (blo >>> 0);
  const hi = (r[i.rn + 1] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function subExt64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const b = extendReg64(cpu, i.rm, i.op, i.imm) >>> 0;
  const a = r[i.rn] >>> 0;
  const hi = (r[i.rn + 1] - cpu.tmpHi - (a < b ? 1 : 0)) | 0;
  r[i.rd] = (a - b) | 0;
  r[i.rd + 1] = hi;
}
function addsExt64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const blo = extendReg64(cpu, i.rm, i.op, i.imm);
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], blo, cpu.tmpHi, 0);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function subsExt64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const blo = extendReg64(cpu, i.rm, i.op, i.imm);
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], ~blo, ~cpu.tmpHi, 1);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function addExt32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] + extendReg32(r[i.rm], i.op, i.imm)) | 0;
  r[i.rd + 1] = 0;
}
function subExt32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] - extendReg32(r[i.rm], i.op, i.imm)) | 0;
  r[i.rd + 1] = 0;
}
function addsExt32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], extendReg32(r[i.rm], i.op, i.imm), 0);
  r[i.rd + 1] = 0;
}
function subsExt32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], ~extendReg32(r[i.rm], i.op, i.imm), 1);
  r[i.rd + 1] = 0;
}

// Translation templates (src/cpu/emit.ts) of the unshifted forms: the handlers above, fields as constants.
defineEmit(addReg64, (i) => `const l = (r[${i.rn}] >>> 0) + (r[${i.rm}] >>> 0); const hi = (r[${i.rn + 1}] + r[${i.rm + 1}] + (l > 0xffffffff ? 1 : 0)) | 0; r[${i.rd}] = l | 0; r[${i.rd + 1}] = hi;`);
defineEmit(subReg64, (i) => `const a = r[${i.rn}] >>> 0; const b = r[${i.rm}] >>> 0; const hi = (r[${i.rn + 1}] - r[${i.rm + 1}] - (a < b ? 1 : 0)) | 0; r[${i.rd}] = (a - b) | 0; r[${i.rd + 1}] = hi;`);
// SUBS/CMP Xn, Xm: AddWithCarry(Xn, NOT(Xm), 1) (ARM ARM J1), alu.ts addWithCarry64 inline.
defineEmit(
  subsReg64,
  (i) =>
    `const ahi = r[${i.rn + 1}]; const bhi = ~r[${i.rm + 1}]; const l = (r[${i.rn}] >>> 0) + (~r[${i.rm}] >>> 0) + 1; const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0); ` +
    `const lo = l | 0; const hi = h | 0; cpu.n = hi >>> 31; cpu.z = (lo | hi) === 0 ? 1 : 0; cpu.c = h > 0xffffffff ? 1 : 0; cpu.v = ((ahi ^ hi) & (bhi ^ hi)) >>> 31; ` +
    `r[${i.rd}] = lo; r[${i.rd + 1}] = hi;`,
);
defineEmit(addReg32, (i) => `r[${i.rd}] = (r[${i.rn}] + r[${i.rm}]) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(subReg32, (i) => `r[${i.rd}] = (r[${i.rn}] - r[${i.rm}]) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(
  subsReg32,
  (i) =>
    `const a = r[${i.rn}]; const b = ~r[${i.rm}]; const u = (a >>> 0) + (b >>> 0) + 1; const v = u | 0; r[${i.rd}] = v; r[${i.rd + 1}] = 0; ` +
    `cpu.n = v >>> 31; cpu.z = v === 0 ? 1 : 0; cpu.c = u > 0xffffffff ? 1 : 0; cpu.v = ((a ^ v) & (b ^ v)) >>> 31;`,
);

// ---- Logical (shifted register). op = shift type, imm = amount, imm2 = -1 when N=1 (BIC, ORN,
// EON, BICS invert the shifted operand), else 0 ----

// MOV Xd, Xm (ORR Xd, XZR, Xm).
function movReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rm];
  r[i.rd + 1] = r[i.rm + 1];
}
function movReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rm];
  r[i.rd + 1] = 0;
}
function andShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = shiftReg64(cpu, i.rm, i.op, i.imm) ^ i.imm2;
  const hi = (cpu.tmpHi ^ i.imm2) & r[i.rn + 1];
  r[i.rd] = lo & r[i.rn];
  r[i.rd + 1] = hi;
}
function orrShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = shiftReg64(cpu, i.rm, i.op, i.imm) ^ i.imm2;
  const hi = (cpu.tmpHi ^ i.imm2) | r[i.rn + 1];
  r[i.rd] = lo | r[i.rn];
  r[i.rd + 1] = hi;
}
function eorShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = shiftReg64(cpu, i.rm, i.op, i.imm) ^ i.imm2;
  const hi = cpu.tmpHi ^ i.imm2 ^ r[i.rn + 1];
  r[i.rd] = lo ^ r[i.rn];
  r[i.rd + 1] = hi;
}
// ANDS/BICS: N and Z from the result, C and V cleared.
function andsShReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = (shiftReg64(cpu, i.rm, i.op, i.imm) ^ i.imm2) & r[i.rn];
  const hi = (cpu.tmpHi ^ i.imm2) & r[i.rn + 1];
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
  cpu.n = hi >>> 31;
  cpu.z = (lo | hi) === 0 ? 1 : 0;
  cpu.c = 0;
  cpu.v = 0;
}
function andShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] & (shiftReg32(r[i.rm], i.op, i.imm) ^ i.imm2);
  r[i.rd + 1] = 0;
}
function orrShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] | (shiftReg32(r[i.rm], i.op, i.imm) ^ i.imm2);
  r[i.rd + 1] = 0;
}
function eorShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = r[i.rn] ^ shiftReg32(r[i.rm], i.op, i.imm) ^ i.imm2;
  r[i.rd + 1] = 0;
}
function andsShReg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const v = r[i.rn] & (shiftReg32(r[i.rm], i.op, i.imm) ^ i.imm2);
  r[i.rd] = v;
  r[i.rd + 1] = 0;
  cpu.n = v >>> 31;
  cpu.z = v === 0 ? 1 : 0;
  cpu.c = 0;
  cpu.v = 0;
}

defineEmit(movReg64, (i) => `r[${i.rd}] = r[${i.rm}]; r[${i.rd + 1}] = r[${i.rm + 1}];`);
defineEmit(movReg32, (i) => `r[${i.rd}] = r[${i.rm}]; r[${i.rd + 1}] = 0;`);

// Shifted-register forms: ShiftReg with the shift type known, through the same alu.ts helpers.
defineHelper('lsl64', lsl64);
defineHelper('lsr64', lsr64);
defineHelper('asr64', asr64);
defineHelper('ror64', ror64);
defineHelper('ror32', ror32);
const SHIFT64 = ['lsl64', 'lsr64', 'asr64', 'ror64'];
/** shiftReg64(cpu, m, type, amt) as an expression (lo; hi left in cpu.tmpHi). */
const sh64 = (m: number, type: number, amt: number): string => `${SHIFT64[type & 3]}(cpu, r[${m}], r[${m + 1}], ${amt})`;
/** shiftReg32(x, type, amt) as an expression. */
const sh32 = (x: string, type: number, amt: number): string =>
  type === 0 ? `(${x} << ${amt})` : type === 1 ? `((${x} >>> ${amt}) | 0)` : type === 2 ? `(${x} >> ${amt})` : `ror32(${x}, ${amt})`;
defineEmit(andShReg64, (i) => `const lo = ${sh64(i.rm, i.op, i.imm)} ^ ${i.imm2}; const hi = (cpu.tmpHi ^ ${i.imm2}) & r[${i.rn + 1}]; r[${i.rd}] = lo & r[${i.rn}]; r[${i.rd + 1}] = hi;`);
defineEmit(orrShReg64, (i) => `const lo = ${sh64(i.rm, i.op, i.imm)} ^ ${i.imm2}; const hi = (cpu.tmpHi ^ ${i.imm2}) | r[${i.rn + 1}]; r[${i.rd}] = lo | r[${i.rn}]; r[${i.rd + 1}] = hi;`);
defineEmit(eorShReg64, (i) => `const lo = ${sh64(i.rm, i.op, i.imm)} ^ ${i.imm2}; const hi = cpu.tmpHi ^ ${i.imm2} ^ r[${i.rn + 1}]; r[${i.rd}] = lo ^ r[${i.rn}]; r[${i.rd + 1}] = hi;`);
defineEmit(
  andsShReg64,
  (i) =>
    `const lo = (${sh64(i.rm, i.op, i.imm)} ^ ${i.imm2}) & r[${i.rn}]; const hi = (cpu.tmpHi ^ ${i.imm2}) & r[${i.rn + 1}]; r[${i.rd}] = lo; r[${i.rd + 1}] = hi; ` +
    `cpu.n = hi >>> 31; cpu.z = (lo | hi) === 0 ? 1 : 0; cpu.c = 0; cpu.v = 0;`,
);
defineEmit(andShReg32, (i) => `r[${i.rd}] = r[${i.rn}] & (${sh32(`r[${i.rm}]`, i.op, i.imm)} ^ ${i.imm2}); r[${i.rd + 1}] = 0;`);
defineEmit(orrShReg32, (i) => `r[${i.rd}] = r[${i.rn}] | (${sh32(`r[${i.rm}]`, i.op, i.imm)} ^ ${i.imm2}); r[${i.rd + 1}] = 0;`);
defineEmit(eorShReg32, (i) => `r[${i.rd}] = r[${i.rn}] ^ ${sh32(`r[${i.rm}]`, i.op, i.imm)} ^ ${i.imm2}; r[${i.rd + 1}] = 0;`);
defineEmit(
  addShReg64,
  (i) =>
    `const blo = ${sh64(i.rm, i.op, i.imm)}; const l = (r[${i.rn}] >>> 0) + (blo >>> 0); const hi = (r[${i.rn + 1}] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0; r[${i.rd}] = l | 0; r[${i.rd + 1}] = hi;`,
);
defineEmit(
  subShReg64,
  (i) =>
    `const b = ${sh64(i.rm, i.op, i.imm)} >>> 0; const a = r[${i.rn}] >>> 0; const hi = (r[${i.rn + 1}] - cpu.tmpHi - (a < b ? 1 : 0)) | 0; r[${i.rd}] = (a - b) | 0; r[${i.rd + 1}] = hi;`,
);
defineEmit(addShReg32, (i) => `r[${i.rd}] = (r[${i.rn}] + ${sh32(`r[${i.rm}]`, i.op, i.imm)}) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(subShReg32, (i) => `r[${i.rd}] = (r[${i.rn}] - ${sh32(`r[${i.rm}]`, i.op, i.imm)}) | 0; r[${i.rd + 1}] = 0;`);

// ---- ADC/ADCS/SBC/SBCS: AddWithCarry(Xn, Xm or NOT(Xm), PSTATE.C) ----

function adc64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const l = (r[i.rn] >>> 0) + (r[i.rm] >>> 0) + cpu.c;
  const hi = (r[i.rn + 1] + r[i.rm + 1] + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function sbc64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const l = (r[i.rn] >>> 0) + (~r[i.rm] >>> 0) + cpu.c;
  const hi = (r[i.rn + 1] + ~r[i.rm + 1] + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function adcs64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1], cpu.c);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function sbcs64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = addWithCarry64(cpu, r[i.rn], r[i.rn + 1], ~r[i.rm], ~r[i.rm + 1], cpu.c);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function adc32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] + r[i.rm] + cpu.c) | 0;
  r[i.rd + 1] = 0;
}
function sbc32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.rn] + ~r[i.rm] + cpu.c) | 0;
  r[i.rd + 1] = 0;
}
function adcs32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], r[i.rm], cpu.c);
  r[i.rd + 1] = 0;
}
function sbcs32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = addWithCarry32(cpu, r[i.rn], ~r[i.rm], cpu.c);
  r[i.rd + 1] = 0;
}

// ---- CCMP/CCMN (C6.2.48-51): if cond then flags of Xn - op2 (CCMP) or Xn + op2 (CCMN) else
// NZCV = #nzcv. op = cond, imm = imm5 (immediate forms), imm3 = nzcv ----

function ccmpReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    addWithCarry64(cpu, r[i.rn], r[i.rn + 1], ~r[i.rm], ~r[i.rm + 1], 1);
  } else cpu.nzcv = i.imm3;
}
function ccmnReg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    addWithCarry64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1], 0);
  } else cpu.nzcv = i.imm3;
}
function ccmpImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    addWithCarry64(cpu, r[i.rn], r[i.rn + 1], ~i.imm, -1, 1);
  } else cpu.nzcv = i.imm3;
}
function ccmnImm64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    addWithCarry64(cpu, r[i.rn], r[i.rn + 1], i.imm, 0, 0);
  } else cpu.nzcv = i.imm3;
}
function ccmpReg32(cpu: Cpu, i: Insn): void {
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) addWithCarry32(cpu, cpu.r[i.rn], ~cpu.r[i.rm], 1);
  else cpu.nzcv = i.imm3;
}
function ccmnReg32(cpu: Cpu, i: Insn): void {
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) addWithCarry32(cpu, cpu.r[i.rn], cpu.r[i.rm], 0);
  else cpu.nzcv = i.imm3;
}
function ccmpImm32(cpu: Cpu, i: Insn): void {
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) addWithCarry32(cpu, cpu.r[i.rn], ~i.imm, 1);
  else cpu.nzcv = i.imm3;
}
function ccmnImm32(cpu: Cpu, i: Insn): void {
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) addWithCarry32(cpu, cpu.r[i.rn], i.imm, 0);
  else cpu.nzcv = i.imm3;
}

// Templates: ConditionHolds inline; the compare is the handlers' AddWithCarry (a helper); the
// else arm sets NZCV from the #nzcv field (bits N, Z, C, V = 3..0, as cpu.nzcv's setter).
function nzcvSrc(f: number): string {
  return `cpu.n = ${(f >>> 3) & 1}; cpu.z = ${(f >>> 2) & 1}; cpu.c = ${(f >>> 1) & 1}; cpu.v = ${f & 1};`;
}
defineHelper('addWithCarry64', addWithCarry64);
defineHelper('addWithCarry32', addWithCarry32);
// CCMP/CCMN: if ConditionHolds(cond) the flags of Rn - op / Rn + op, else #nzcv (AddWithCarry inline).
defineEmit(ccmpReg64, (i) => `if (${condExpr(i.op)}) { ${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `~r[${i.rm}]`, `~r[${i.rm + 1}]`, '1')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmnReg64, (i) => `if (${condExpr(i.op)}) { ${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `r[${i.rm}]`, `r[${i.rm + 1}]`, '0')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmpImm64, (i) => `if (${condExpr(i.op)}) { ${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `${~i.imm}`, '-1', '1')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmnImm64, (i) => `if (${condExpr(i.op)}) { ${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `${i.imm}`, '0', '0')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmpReg32, (i) => `if (${condExpr(i.op)}) { ${awc32Src(`r[${i.rn}]`, `~r[${i.rm}]`, '1')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmnReg32, (i) => `if (${condExpr(i.op)}) { ${awc32Src(`r[${i.rn}]`, `r[${i.rm}]`, '0')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmpImm32, (i) => `if (${condExpr(i.op)}) { ${awc32Src(`r[${i.rn}]`, `${~i.imm}`, '1')} } else { ${nzcvSrc(i.imm3)} }`);
defineEmit(ccmnImm32, (i) => `if (${condExpr(i.op)}) { ${awc32Src(`r[${i.rn}]`, `${i.imm}`, '0')} } else { ${nzcvSrc(i.imm3)} }`);

// ---- CSEL/CSINC/CSINV/CSNEG (C6.2.69...): Rd = cond ? Rn : f(Rm). op = cond ----

function csel64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const s = conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v) ? i.rn : i.rm;
  const hi = r[s + 1];
  r[i.rd] = r[s];
  r[i.rd + 1] = hi;
}
function csinc64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  let lo: number, hi: number;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    lo = r[i.rn];
    hi = r[i.rn + 1];
  } else {
    lo = (r[i.rm] + 1) | 0;
    hi = (r[i.rm + 1] + (lo === 0 ? 1 : 0)) | 0;
  }
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
}
function csinv64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  let lo: number, hi: number;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    lo = r[i.rn];
    hi = r[i.rn + 1];
  } else {
    lo = ~r[i.rm];
    hi = ~r[i.rm + 1];
  }
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
}
function csneg64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  let lo: number, hi: number;
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) {
    lo = r[i.rn];
    hi = r[i.rn + 1];
  } else {
    lo = -r[i.rm] | 0;
    hi = (~r[i.rm + 1] + (lo === 0 ? 1 : 0)) | 0;
  }
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
}
function csel32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v) ? r[i.rn] : r[i.rm];
  r[i.rd + 1] = 0;
}
function csinc32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v) ? r[i.rn] : (r[i.rm] + 1) | 0;
  r[i.rd + 1] = 0;
}
function csinv32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v) ? r[i.rn] : ~r[i.rm];
  r[i.rd + 1] = 0;
}
function csneg32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v) ? r[i.rn] : -r[i.rm] | 0;
  r[i.rd + 1] = 0;
}

defineEmit(csel64, (i) => `let lo, hi; if (${condExpr(i.op)}) { lo = r[${i.rn}]; hi = r[${i.rn + 1}]; } else { lo = r[${i.rm}]; hi = r[${i.rm + 1}]; } r[${i.rd}] = lo; r[${i.rd + 1}] = hi;`);
defineEmit(
  csinc64,
  (i) =>
    `let lo, hi; if (${condExpr(i.op)}) { lo = r[${i.rn}]; hi = r[${i.rn + 1}]; } else { lo = (r[${i.rm}] + 1) | 0; hi = (r[${i.rm + 1}] + (lo === 0 ? 1 : 0)) | 0; } r[${i.rd}] = lo; r[${i.rd + 1}] = hi;`,
);
defineEmit(csel32, (i) => `r[${i.rd}] = ${condExpr(i.op)} ? r[${i.rn}] : r[${i.rm}]; r[${i.rd + 1}] = 0;`);
defineEmit(csinc32, (i) => `r[${i.rd}] = ${condExpr(i.op)} ? r[${i.rn}] : (r[${i.rm}] + 1) | 0; r[${i.rd + 1}] = 0;`);

// ---- Data-processing (1 source) ----

function rbit64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = rbit32(r[i.rn + 1]);
  const hi = rbit32(r[i.rn]);
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
}
function rbitW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = rbit32(cpu.r[i.rn]);
  cpu.r[i.rd + 1] = 0;
}
function rev16x(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const hi = rev16w(r[i.rn + 1]);
  r[i.rd] = rev16w(r[i.rn]);
  r[i.rd + 1] = hi;
}
function rev16W(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = rev16w(cpu.r[i.rn]);
  cpu.r[i.rd + 1] = 0;
}
// REV32 Xd: byte-reverse each word in place.
function rev32x(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const hi = bswap32(r[i.rn + 1]);
  r[i.rd] = bswap32(r[i.rn]);
  r[i.rd + 1] = hi;
}
function revW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = bswap32(cpu.r[i.rn]);
  cpu.r[i.rd + 1] = 0;
}
function revX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = bswap32(r[i.rn + 1]);
  const hi = bswap32(r[i.rn]);
  r[i.rd] = lo;
  r[i.rd + 1] = hi;
}
function clzX(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = clz64(cpu.r[i.rn], cpu.r[i.rn + 1]);
  cpu.r[i.rd + 1] = 0;
}
function clzW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = Math.clz32(cpu.r[i.rn]);
  cpu.r[i.rd + 1] = 0;
}
function clsX(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = cls64(cpu.r[i.rn], cpu.r[i.rn + 1]);
  cpu.r[i.rd + 1] = 0;
}
function clsW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = cls32(cpu.r[i.rn]);
  cpu.r[i.rd + 1] = 0;
}

// ---- Data-processing (2 source) ----

function udivX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = udiv64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1]);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function sdivX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = sdiv64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1]);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function udivW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = udiv32(cpu.r[i.rn], cpu.r[i.rm]);
  cpu.r[i.rd + 1] = 0;
}
function sdivW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = sdiv32(cpu.r[i.rn], cpu.r[i.rm]);
  cpu.r[i.rd + 1] = 0;
}
// LSLV/LSRV/ASRV/RORV: the amount is Rm MOD datasize.
function lslvX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = lsl64(cpu, r[i.rn], r[i.rn + 1], r[i.rm] & 63);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function lsrvX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = lsr64(cpu, r[i.rn], r[i.rn + 1], r[i.rm] & 63);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function asrvX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = asr64(cpu, r[i.rn], r[i.rn + 1], r[i.rm] & 63);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function rorvX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = ror64(cpu, r[i.rn], r[i.rn + 1], r[i.rm] & 63);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
// JS shifts already take the count mod 32.
function lslvW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = cpu.r[i.rn] << cpu.r[i.rm];
  cpu.r[i.rd + 1] = 0;
}
function lsrvW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = cpu.r[i.rn] >>> cpu.r[i.rm];
  cpu.r[i.rd + 1] = 0;
}
function asrvW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = cpu.r[i.rn] >> cpu.r[i.rm];
  cpu.r[i.rd + 1] = 0;
}
function rorvW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = ror32(cpu.r[i.rn], cpu.r[i.rm] & 31);
  cpu.r[i.rd + 1] = 0;
}
// CRC32{B,H,W}/CRC32C{B,H,W} Wd, Wn, Wm: imm = bytes of Wm; CRC32X/CRC32CX take Xm.
function crc32W(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = crcUpdate(CRC32_TABLE, cpu.r[i.rn], cpu.r[i.rm], i.imm);
  cpu.r[i.rd + 1] = 0;
}
function crc32cW(cpu: Cpu, i: Insn): void {
  cpu.r[i.rd] = crcUpdate(CRC32C_TABLE, cpu.r[i.rn], cpu.r[i.rm], i.imm);
  cpu.r[i.rd + 1] = 0;
}
function crc32X(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = crcUpdate(CRC32_TABLE, crcUpdate(CRC32_TABLE, r[i.rn], r[i.rm], 4), r[i.rm + 1], 4);
  r[i.rd + 1] = 0;
}
function crc32cX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = crcUpdate(CRC32C_TABLE, crcUpdate(CRC32C_TABLE, r[i.rn], r[i.rm], 4), r[i.rm + 1], 4);
  r[i.rd + 1] = 0;
}

// ---- Data-processing (3 source) ----

function maddX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const p = mul64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1]) >>> 0;
  const l = (r[i.ra] >>> 0) + p;
  const hi = (r[i.ra + 1] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function msubX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const p = mul64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1]) >>> 0;
  const a = r[i.ra] >>> 0;
  const hi = (r[i.ra + 1] - cpu.tmpHi - (a < p ? 1 : 0)) | 0;
  r[i.rd] = (a - p) | 0;
  r[i.rd + 1] = hi;
}
function maddW(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.ra] + Math.imul(r[i.rn], r[i.rm])) | 0;
  r[i.rd + 1] = 0;
}
function msubW(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  r[i.rd] = (r[i.ra] - Math.imul(r[i.rn], r[i.rm])) | 0;
  r[i.rd + 1] = 0;
}
// SMADDL/SMSUBL/UMADDL/UMSUBL: Xa +- (32x32 -> 64 product of Wn, Wm).
function smaddl(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const p = smul32(cpu, r[i.rn], r[i.rm]) >>> 0;
  const l = (r[i.ra] >>> 0) + p;
  const hi = (r[i.ra + 1] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function smsubl(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const p = smul32(cpu, r[i.rn], r[i.rm]) >>> 0;
  const a = r[i.ra] >>> 0;
  const hi = (r[i.ra + 1] - cpu.tmpHi - (a < p ? 1 : 0)) | 0;
  r[i.rd] = (a - p) | 0;
  r[i.rd + 1] = hi;
}
function umaddl(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const p = umul32(cpu, r[i.rn], r[i.rm]) >>> 0;
  const l = (r[i.ra] >>> 0) + p;
  const hi = (r[i.ra + 1] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0;
  r[i.rd] = l | 0;
  r[i.rd + 1] = hi;
}
function umsubl(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const p = umul32(cpu, r[i.rn], r[i.rm]) >>> 0;
  const a = r[i.ra] >>> 0;
  const hi = (r[i.ra + 1] - cpu.tmpHi - (a < p ? 1 : 0)) | 0;
  r[i.rd] = (a - p) | 0;
  r[i.rd + 1] = hi;
}
function smulh(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = smulh64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1]);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}
function umulh(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = umulh64(cpu, r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1]);
  r[i.rd] = lo;
  r[i.rd + 1] = cpu.tmpHi;
}

// ---- Translation templates (src/cpu/emit.ts) of the handlers above, fields as constants ----
// Each mirrors its handler statement for statement (so a fault-free instruction has exactly its
// handler's effect); the arithmetic helpers are the same alu.ts functions the handlers call.
defineHelper('mul64', mul64);
defineHelper('smul32', smul32);
defineHelper('umul32', umul32);
defineHelper('udiv32', udiv32);
defineHelper('sdiv32', sdiv32);
defineHelper('udiv64', udiv64);
defineHelper('sdiv64', sdiv64);
// MADD/MSUB (C6.2.218/C6.2.240): Rd = Ra +- Rn * Rm, the product modulo 2^datasize.
defineEmit(maddW, (i) => `r[${i.rd}] = (r[${i.ra}] + Math.imul(r[${i.rn}], r[${i.rm}])) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(msubW, (i) => `r[${i.rd}] = (r[${i.ra}] - Math.imul(r[${i.rn}], r[${i.rm}])) | 0; r[${i.rd + 1}] = 0;`);
const mulAdd = (p: string, i: Insn): string =>
  `const p = ${p} >>> 0; const l = (r[${i.ra}] >>> 0) + p; const hi = (r[${i.ra + 1}] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0; r[${i.rd}] = l | 0; r[${i.rd + 1}] = hi;`;
const mulSub = (p: string, i: Insn): string =>
  `const p = ${p} >>> 0; const a = r[${i.ra}] >>> 0; const hi = (r[${i.ra + 1}] - cpu.tmpHi - (a < p ? 1 : 0)) | 0; r[${i.rd}] = (a - p) | 0; r[${i.rd + 1}] = hi;`;
defineEmit(maddX, (i) => mulAdd(`mul64(cpu, r[${i.rn}], r[${i.rn + 1}], r[${i.rm}], r[${i.rm + 1}])`, i));
defineEmit(msubX, (i) => mulSub(`mul64(cpu, r[${i.rn}], r[${i.rn + 1}], r[${i.rm}], r[${i.rm + 1}])`, i));
// SMADDL/UMADDL/SMSUBL/UMSUBL (C6.2.264...): Xa +- the 64-bit product of Wn and Wm.
defineEmit(smaddl, (i) => mulAdd(`smul32(cpu, r[${i.rn}], r[${i.rm}])`, i));
defineEmit(umaddl, (i) => mulAdd(`umul32(cpu, r[${i.rn}], r[${i.rm}])`, i));
defineEmit(smsubl, (i) => mulSub(`smul32(cpu, r[${i.rn}], r[${i.rm}])`, i));
defineEmit(umsubl, (i) => mulSub(`umul32(cpu, r[${i.rn}], r[${i.rm}])`, i));
// UDIV/SDIV (C6.2.388/C6.2.257): division by zero gives 0, INT_MIN / -1 gives INT_MIN (alu.ts).
defineEmit(udivW, (i) => `r[${i.rd}] = udiv32(r[${i.rn}], r[${i.rm}]); r[${i.rd + 1}] = 0;`);
defineEmit(sdivW, (i) => `r[${i.rd}] = sdiv32(r[${i.rn}], r[${i.rm}]); r[${i.rd + 1}] = 0;`);
defineEmit(udivX, (i) => `const lo = udiv64(cpu, r[${i.rn}], r[${i.rn + 1}], r[${i.rm}], r[${i.rm + 1}]); r[${i.rd}] = lo; r[${i.rd + 1}] = cpu.tmpHi;`);
defineEmit(sdivX, (i) => `const lo = sdiv64(cpu, r[${i.rn}], r[${i.rn + 1}], r[${i.rm}], r[${i.rm + 1}]); r[${i.rd}] = lo; r[${i.rd + 1}] = cpu.tmpHi;`);
// LSLV/LSRV/ASRV/RORV (C6.2.211...): the amount is Rm MOD datasize (JS shifts take it mod 32).
defineEmit(lslvW, (i) => `r[${i.rd}] = r[${i.rn}] << r[${i.rm}]; r[${i.rd + 1}] = 0;`);
defineEmit(lsrvW, (i) => `r[${i.rd}] = r[${i.rn}] >>> r[${i.rm}]; r[${i.rd + 1}] = 0;`);
defineEmit(asrvW, (i) => `r[${i.rd}] = r[${i.rn}] >> r[${i.rm}]; r[${i.rd + 1}] = 0;`);
defineEmit(rorvW, (i) => `r[${i.rd}] = ror32(r[${i.rn}], r[${i.rm}] & 31); r[${i.rd + 1}] = 0;`);
for (const [h, f] of [[lslvX, 'lsl64'], [lsrvX, 'lsr64'], [asrvX, 'asr64'], [rorvX, 'ror64']] as [H, string][]) {
  defineEmit(h, (i) => `const lo = ${f}(cpu, r[${i.rn}], r[${i.rn + 1}], r[${i.rm}] & 63); r[${i.rd}] = lo; r[${i.rd + 1}] = cpu.tmpHi;`);
}
// ADC/SBC (C6.2.1/C6.2.250): Rn + (Rm or NOT Rm) + PSTATE.C, flags unchanged.
defineEmit(adc32, (i) => `r[${i.rd}] = (r[${i.rn}] + r[${i.rm}] + cpu.c) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(sbc32, (i) => `r[${i.rd}] = (r[${i.rn}] + ~r[${i.rm}] + cpu.c) | 0; r[${i.rd + 1}] = 0;`);
defineEmit(
  adc64,
  (i) => `const l = (r[${i.rn}] >>> 0) + (r[${i.rm}] >>> 0) + cpu.c; const hi = (r[${i.rn + 1}] + r[${i.rm + 1}] + (l > 0xffffffff ? 1 : 0)) | 0; r[${i.rd}] = l | 0; r[${i.rd + 1}] = hi;`,
);
defineEmit(
  sbc64,
  (i) => `const l = (r[${i.rn}] >>> 0) + (~r[${i.rm}] >>> 0) + cpu.c; const hi = (r[${i.rn + 1}] + ~r[${i.rm + 1}] + (l > 0xffffffff ? 1 : 0)) | 0; r[${i.rd}] = l | 0; r[${i.rd + 1}] = hi;`,
);
// ADCS/SBCS: AddWithCarry(Rn, Rm or NOT(Rm), PSTATE.C) with its flags.
defineEmit(adcs32, (i) => `${awc32Src(`r[${i.rn}]`, `r[${i.rm}]`, 'cpu.c')} r[${i.rd}] = res; r[${i.rd + 1}] = 0;`);
defineEmit(sbcs32, (i) => `${awc32Src(`r[${i.rn}]`, `~r[${i.rm}]`, 'cpu.c')} r[${i.rd}] = res; r[${i.rd + 1}] = 0;`);
defineEmit(adcs64, (i) => `${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `r[${i.rm}]`, `r[${i.rm + 1}]`, 'cpu.c')} r[${i.rd}] = res; r[${i.rd + 1}] = resHi;`);
defineEmit(sbcs64, (i) => `${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, `~r[${i.rm}]`, `~r[${i.rm + 1}]`, 'cpu.c')} r[${i.rd}] = res; r[${i.rd + 1}] = resHi;`);
/** extendReg64(cpu, m, option, shift) as statements leaving `elo` and cpu.tmpHi (ExtendReg, ARM ARM J1). */
function extSrc(m: number, option: number, shift: number): string {
  const lohi = [
    [`r[${m}] & 0xff`, '0'],
    [`r[${m}] & 0xffff`, '0'],
    [`r[${m}]`, '0'],
    [`r[${m}]`, `r[${m + 1}]`],
    [`(r[${m}] << 24) >> 24`, 'e0 >> 31'],
    [`(r[${m}] << 16) >> 16`, 'e0 >> 31'],
    [`r[${m}]`, 'e0 >> 31'],
    [`r[${m}]`, `r[${m + 1}]`],
  ][option & 7];
  return `const e0 = ${lohi[0]}; const elo = lsl64(cpu, e0, ${lohi[1]}, ${shift});`;
}
// ADD/SUB/ADDS/SUBS (extended register), 64-bit.
defineEmit(addExt64, (i) => `${extSrc(i.rm, i.op, i.imm)} const l = (r[${i.rn}] >>> 0) + (elo >>> 0); const hi = (r[${i.rn + 1}] + cpu.tmpHi + (l > 0xffffffff ? 1 : 0)) | 0; r[${i.rd}] = l | 0; r[${i.rd + 1}] = hi;`);
defineEmit(subExt64, (i) => `${extSrc(i.rm, i.op, i.imm)} const b = elo >>> 0; const a = r[${i.rn}] >>> 0; const hi = (r[${i.rn + 1}] - cpu.tmpHi - (a < b ? 1 : 0)) | 0; r[${i.rd}] = (a - b) | 0; r[${i.rd + 1}] = hi;`);
defineEmit(addsExt64, (i) => `${extSrc(i.rm, i.op, i.imm)} const ehi = cpu.tmpHi; ${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, 'elo', 'ehi', '0')} r[${i.rd}] = res; r[${i.rd + 1}] = resHi;`);
defineEmit(subsExt64, (i) => `${extSrc(i.rm, i.op, i.imm)} const ehi = cpu.tmpHi; ${awc64Src(`r[${i.rn}]`, `r[${i.rn + 1}]`, '~elo', '~ehi', '1')} r[${i.rd}] = res; r[${i.rd + 1}] = resHi;`);
// ANDS/TST (shifted register), 32-bit: N and Z from the result, C = V = 0.
defineEmit(
  andsShReg32,
  (i) => `const v = r[${i.rn}] & (${sh32(`r[${i.rm}]`, i.op, i.imm)} ^ ${i.imm2}); r[${i.rd}] = v; r[${i.rd + 1}] = 0; cpu.n = v >>> 31; cpu.z = v === 0 ? 1 : 0; cpu.c = 0; cpu.v = 0;`,
);

// ---- decode ----

type H = (cpu: Cpu, i: Insn) => void;

/** Rd, Rn, Rm with 31 = ZR. */
function zrOperands(raw: number, i: Insn): void {
  i.rd = dstZR(bits(raw, 4, 0));
  i.rn = srcZR(bits(raw, 9, 5));
  i.rm = srcZR(bits(raw, 20, 16));
}

/** ADD/SUB (shifted register): shift 11 is reserved; a W form shifts by at most 31. */
function addSubShifted(name: string, opS: string, h64: H, h32: H, fast64: H | null, fast32: H | null): Encoding {
  return {
    name,
    pattern: `f ${opS} 01011 tt 0 mmmmm iiiiii nnnnn ddddd`,
    decode(raw, i) {
      const sf = raw >>> 31;
      const type = bits(raw, 23, 22);
      const amt = bits(raw, 15, 10);
      if (type === 3 || (sf === 0 && amt >= 32)) return false;
      zrOperands(raw, i);
      i.sf = sf;
      i.op = type;
      i.imm = amt;
      const fast = sf ? fast64 : fast32;
      i.exec = amt === 0 && fast !== null ? fast : sf ? h64 : h32;
    },
  };
}
/** ADD/SUB (extended register): Rn is SP-capable, Rd too unless flags are set; shift <= 4. */
function addSubExtended(name: string, opS: string, setFlags: boolean, h64: H, h32: H): Encoding {
  return {
    name,
    pattern: `f ${opS} 01011 00 1 mmmmm ooo iii nnnnn ddddd`,
    decode(raw, i) {
      const sh = bits(raw, 12, 10);
      if (sh > 4) return false;
      i.rd = setFlags ? dstZR(bits(raw, 4, 0)) : regSP(bits(raw, 4, 0));
      i.rn = regSP(bits(raw, 9, 5));
      i.rm = srcZR(bits(raw, 20, 16));
      i.op = bits(raw, 15, 13);
      i.imm = sh;
      i.exec = raw >>> 31 ? h64 : h32;
    },
  };
}
/** Logical (shifted register); N (bit 21) inverts the shifted operand. */
function logicalShifted(name: string, opc: string, n: string, h64: H, h32: H, isOrr: boolean): Encoding {
  return {
    name,
    pattern: `f ${opc} 01010 tt ${n} mmmmm iiiiii nnnnn ddddd`,
    decode(raw, i) {
      const sf = raw >>> 31;
      const amt = bits(raw, 15, 10);
      if (sf === 0 && amt >= 32) return false;
      zrOperands(raw, i);
      i.sf = sf;
      i.op = bits(raw, 23, 22);
      i.imm = amt;
      i.imm2 = n === '1' ? -1 : 0;
      // MOV (register): ORR from ZR with no shift.
      if (isOrr && n === '0' && amt === 0 && bits(raw, 9, 5) === 31) i.exec = sf ? movReg64 : movReg32;
      else i.exec = sf ? h64 : h32;
    },
  };
}
function withCarry(name: string, opS: string, h64: H, h32: H): Encoding {
  return {
    name,
    pattern: `f ${opS} 11010000 mmmmm 000000 nnnnn ddddd`,
    decode(raw, i) {
      zrOperands(raw, i);
      i.exec = raw >>> 31 ? h64 : h32;
    },
  };
}
function condCompare(name: string, op: string, form: string, h64: H, h32: H): Encoding {
  return {
    name,
    pattern: `f ${op} 1 11010010 mmmmm cccc ${form} 0 nnnnn 0 vvvv`,
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.rm = srcZR(bits(raw, 20, 16));
      i.imm = bits(raw, 20, 16);
      i.op = bits(raw, 15, 12);
      i.imm3 = bits(raw, 3, 0);
      i.exec = raw >>> 31 ? h64 : h32;
    },
  };
}
function condSelect(name: string, op: string, op2: string, h64: H, h32: H): Encoding {
  return {
    name,
    pattern: `f ${op} 0 11010100 mmmmm cccc 0 ${op2} nnnnn ddddd`,
    decode(raw, i) {
      zrOperands(raw, i);
      i.op = bits(raw, 15, 12);
      i.exec = raw >>> 31 ? h64 : h32;
    },
  };
}
/** 1-source: sf is fixed by the pattern when only one width exists. */
function oneSource(name: string, sf: string, opcode: string, h: H): Encoding {
  return {
    name,
    pattern: `${sf} 1 0 11010110 00000 ${opcode} nnnnn ddddd`,
    decode(raw, i) {
      i.rd = dstZR(bits(raw, 4, 0));
      i.rn = srcZR(bits(raw, 9, 5));
      i.exec = h;
    },
  };
}
function twoSource(name: string, sf: string, opcode: string, h: H, imm = 0): Encoding {
  return {
    name,
    pattern: `${sf} 0 0 11010110 mmmmm ${opcode} nnnnn ddddd`,
    decode(raw, i) {
      zrOperands(raw, i);
      i.imm = imm;
      i.exec = h;
    },
  };
}
function threeSource(name: string, sf: string, op31: string, o0: string, h: H): Encoding {
  return {
    name,
    pattern: `${sf} 00 11011 ${op31} mmmmm ${o0} aaaaa nnnnn ddddd`,
    decode(raw, i) {
      zrOperands(raw, i);
      i.ra = srcZR(bits(raw, 14, 10));
      i.exec = h;
    },
  };
}

export const dpReg: Encoding[] = [
  addSubShifted('ADD (shifted register)', '0 0', addShReg64, addShReg32, addReg64, addReg32),
  addSubShifted('ADDS (shifted register)', '0 1', addsShReg64, addsShReg32, null, null),
  addSubShifted('SUB (shifted register)', '1 0', subShReg64, subShReg32, subReg64, subReg32),
  addSubShifted('SUBS (shifted register)', '1 1', subsShReg64, subsShReg32, subsReg64, subsReg32),
  addSubExtended('ADD (extended register)', '0 0', false, addExt64, addExt32),
  addSubExtended('ADDS (extended register)', '0 1', true, addsExt64, addsExt32),
  addSubExtended('SUB (extended register)', '1 0', false, subExt64, subExt32),
  addSubExtended('SUBS (extended register)', '1 1', true, subsExt64, subsExt32),

  logicalShifted('AND (shifted register)', '00', '0', andShReg64, andShReg32, false),
  logicalShifted('BIC (shifted register)', '00', '1', andShReg64, andShReg32, false),
  logicalShifted('ORR (shifted register)', '01', '0', orrShReg64, orrShReg32, true),
  logicalShifted('ORN (shifted register)', '01', '1', orrShReg64, orrShReg32, true),
  logicalShifted('EOR (shifted register)', '10', '0', eorShReg64, eorShReg32, false),
  logicalShifted('EON (shifted register)', '10', '1', eorShReg64, eorShReg32, false),
  logicalShifted('ANDS (shifted register)', '11', '0', andsShReg64, andsShReg32, false),
  logicalShifted('BICS (shifted register)', '11', '1', andsShReg64, andsShReg32, false),

  withCarry('ADC', '0 0', adc64, adc32),
  withCarry('ADCS', '0 1', adcs64, adcs32),
  withCarry('SBC', '1 0', sbc64, sbc32),
  withCarry('SBCS', '1 1', sbcs64, sbcs32),

  condCompare('CCMN (register)', '0', '0', ccmnReg64, ccmnReg32),
  condCompare('CCMN (immediate)', '0', '1', ccmnImm64, ccmnImm32),
  condCompare('CCMP (register)', '1', '0', ccmpReg64, ccmpReg32),
  condCompare('CCMP (immediate)', '1', '1', ccmpImm64, ccmpImm32),

  condSelect('CSEL', '0', '0', csel64, csel32),
  condSelect('CSINC', '0', '1', csinc64, csinc32),
  condSelect('CSINV', '1', '0', csinv64, csinv32),
  condSelect('CSNEG', '1', '1', csneg64, csneg32),

  oneSource('RBIT', '0', '000000', rbitW),
  oneSource('RBIT', '1', '000000', rbit64),
  oneSource('REV16', '0', '000001', rev16W),
  oneSource('REV16', '1', '000001', rev16x),
  oneSource('REV', '0', '000010', revW), // REV Wd: opc = 10 with sf = 0
  oneSource('REV32', '1', '000010', rev32x),
  oneSource('REV', '1', '000011', revX), // opc = 11 with sf = 0 is unallocated
  oneSource('CLZ', '0', '000100', clzW),
  oneSource('CLZ', '1', '000100', clzX),
  oneSource('CLS', '0', '000101', clsW),
  oneSource('CLS', '1', '000101', clsX),

  twoSource('UDIV', '0', '000010', udivW),
  twoSource('UDIV', '1', '000010', udivX),
  twoSource('SDIV', '0', '000011', sdivW),
  twoSource('SDIV', '1', '000011', sdivX),
  twoSource('LSLV', '0', '001000', lslvW),
  twoSource('LSLV', '1', '001000', lslvX),
  twoSource('LSRV', '0', '001001', lsrvW),
  twoSource('LSRV', '1', '001001', lsrvX),
  twoSource('ASRV', '0', '001010', asrvW),
  twoSource('ASRV', '1', '001010', asrvX),
  twoSource('RORV', '0', '001011', rorvW),
  twoSource('RORV', '1', '001011', rorvX),
  // CRC32 (FEAT_CRC32, advertised by ID_AA64ISAR0_EL1.CRC32): sz = 11 needs sf = 1, others sf = 0.
  twoSource('CRC32B', '0', '010000', crc32W, 1),
  twoSource('CRC32H', '0', '010001', crc32W, 2),
  twoSource('CRC32W', '0', '010010', crc32W, 4),
  twoSource('CRC32X', '1', '010011', crc32X),
  twoSource('CRC32CB', '0', '010100', crc32cW, 1),
  twoSource('CRC32CH', '0', '010101', crc32cW, 2),
  twoSource('CRC32CW', '0', '010110', crc32cW, 4),
  twoSource('CRC32CX', '1', '010111', crc32cX),

  threeSource('MADD', '0', '000', '0', maddW),
  threeSource('MADD', '1', '000', '0', maddX),
  threeSource('MSUB', '0', '000', '1', msubW),
  threeSource('MSUB', '1', '000', '1', msubX),
  threeSource('SMADDL', '1', '001', '0', smaddl),
  threeSource('SMSUBL', '1', '001', '1', smsubl),
  threeSource('SMULH', '1', '010', '0', smulh),
  threeSource('UMADDL', '1', '101', '0', umaddl),
  threeSource('UMSUBL', '1', '101', '1', umsubl),
  threeSource('UMULH', '1', '110', '0', umulh),
];
