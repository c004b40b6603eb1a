// Shared by the FP and Advanced SIMD groups: the CPACR_EL1.FPEN access check and register views.
// Insn.rd/rn/rm/ra of SIMD&FP registers hold WORD indices into cpu.vr (4 * n); general-purpose
// operands keep the usual convention (2 * slot into cpu.r).
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';
import { EC_FP_ACCESS } from '../exceptions.js';

const CPACR_LO = 2 * SYS.CPACR_EL1;
/**
 * ISS of a trapped FP/SIMD access taken from AArch64: CV=1, COND=0b1110 (ARM ARM D17.2.37, the
 * conditional-instruction ISS fields read "for exceptions taken from AArch64, set to 0b1110").
 */
export const FP_TRAP_ISS = (1 << 24) | (0xe << 20);

/**
 * CPACR_EL1.FPEN (bits 21:20): 0b11 traps nothing, 0b01 traps EL0 only, 0b00/0b10 trap EL0 and
 * EL1 (ARM ARM D19.2.30). Checked by every FP/SIMD handler before touching V registers, FPCR or
 * FPSR: one load and compare when enabled. EL2 is the TypeScript hypervisor (not trapped).
 * Returns true when the instruction may proceed; otherwise an EC 0x07 trap to EL1 is pending.
 */
export function fpOk(cpu: Cpu): boolean {
  if ((cpu.sys[CPACR_LO] & 0x300000) === 0x300000) return true;
  return fpCheckSlow(cpu);
}
function fpCheckSlow(cpu: Cpu): boolean {
  const fpen = (cpu.sys[CPACR_LO] >>> 20) & 3;
  if (cpu.el >= 2 || (fpen === 1 && cpu.el === 1)) return true;
  cpu.raise(EC_FP_ACCESS, FP_TRAP_ISS, 0);
  return false;
}

/** Write S/H/B (a 32-bit or narrower view): the rest of the 128-bit register becomes zero. */
export function wrS(cpu: Cpu, d: number, v: number): void {
  const r = cpu.vr;
  r[d] = v;
  r[d + 1] = 0;
  r[d + 2] = 0;
  r[d + 3] = 0;
}
/** Write D: the upper 64 bits become zero. */
export function wrD(cpu: Cpu, d: number, lo: number, hi: number): void {
  const r = cpu.vr;
  r[d] = lo;
  r[d + 1] = hi;
  r[d + 2] = 0;
  r[d + 3] = 0;
}

/** VFPExpandImm (ARM ARM shared/functions/vector): an 8-bit FP immediate as single bits. */
export function expandImm32(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  return (
    (((imm8 >>> 7) << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1f : 0) << 25) | (((imm8 >>> 4) & 3) << 23) | ((imm8 & 0xf) << 19)) | 0
  );
}
/** VFPExpandImm for double: the high word (the low word is zero). */
export function expandImm64Hi(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  return (
    (((imm8 >>> 7) << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0xff : 0) << 22) | (((imm8 >>> 4) & 3) << 20) | ((imm8 & 0xf) << 16)) | 0
  );
}

// Float views of the V registers (the same memory as cpu.vr), for handler fast paths: D[n] is
// VF64[2n] and S[n] is VF32[4n]. Only non-NaN values go through them (NaN bits are not kept by
// JavaScript numbers). Rebuilt when another CPU's register file shows up.
let viewOf: Int32Array | null = null;
let vf64: Float64Array<ArrayBufferLike> = new Float64Array(0);
let vf32: Float32Array<ArrayBufferLike> = new Float32Array(0);
export function f64View(vr: Int32Array): Float64Array<ArrayBufferLike> {
  if (vr !== viewOf) setViews(vr);
  return vf64;
}
export function f32View(vr: Int32Array): Float32Array<ArrayBufferLike> {
  if (vr !== viewOf) setViews(vr);
  return vf32;
}
function setViews(vr: Int32Array): void {
  viewOf = vr;
  vf64 = new Float64Array(vr.buffer, vr.byteOffset, vr.length >> 1);
  vf32 = new Float32Array(vr.buffer, vr.byteOffset, vr.length);
}
