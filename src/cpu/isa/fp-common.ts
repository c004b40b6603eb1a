// Shared by the FP and Advanced SIMD groups: the CPACR_EL1.FPEN access check and register views.
// Insn.rd/rn/rm/ra of SIMD&FP registers hold WORD indices into cpu.vr (4 * n); general-purpose
// operands keep the usual convention (2 * slot into cpu.r).
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';
import { EC_FP_ACCESS } from '../exceptions.js';

const CPACR_LO = 2 * SYS.CPACR_EL1;
const CPTR2_LO = 2 * SYS.CPTR_EL2;
/**
 * ISS of a trapped FP/SIMD access taken from AArch64: CV=1, COND=0b1110 (ARM ARM D17.2.37, the
 * conditional-instruction ISS fields read "for exceptions taken from AArch64, set to 0b1110").
 */
export const FP_TRAP_ISS = (1 << 24) | (0xe << 20);

/**
 * The FP/SIMD access checks of AArch64.CheckFPAdvSIMDEnabled, made before an instruction touches
 * the V registers, FPCR or FPSR:
 *  - CPACR_EL1.FPEN (bits 21:20): 0b11 traps nothing, 0b01 traps EL0 only, 0b00/0b10 trap EL0
 *    and EL1, to EL1 with EC 0x07 (ARM ARM D19.2.30);
 *  - then CPTR_EL2.TFP (bit 10, E2H = 0 layout): traps EL0/EL1 to EL2 with EC 0x07, so the
 *    TypeScript hypervisor can switch FP state lazily. The EL1 trap has priority.
 * Checked in every FP/SIMD handler: two loads and a compare when enabled, no decode-time state
 * (the decoded-block cache is shared by EL0 and EL1 and outlives CPACR writes).
 * Returns true when the instruction may proceed; otherwise the trap is pending.
 */
export function fpOk(cpu: Cpu): boolean {
  const s = cpu.sys;
  if ((s[CPACR_LO] & 0x300000) === 0x300000 && (s[CPTR2_LO] & 0x400) === 0) return true;
  return fpCheckSlow(cpu);
}
function fpCheckSlow(cpu: Cpu): boolean {
  if (cpu.el >= 2) return true;
  const fpen = (cpu.sys[CPACR_LO] >>> 20) & 3;
  if (!(fpen === 3 || (fpen === 1 && cpu.el === 1))) {
    cpu.raise(EC_FP_ACCESS, FP_TRAP_ISS, 0);
    return false;
  }
  if (cpu.sys[CPTR2_LO] & 0x400) {
    cpu.raise(EC_FP_ACCESS, FP_TRAP_ISS, 0, 2);
    return false;
  }
  return true;
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
