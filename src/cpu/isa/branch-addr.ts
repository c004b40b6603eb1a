// AArch64.BranchAddr (ARM ARM J1, shared/functions): the PC an indirect branch (BR, BLR, RET, the
// PAuth forms) or an exception return (ERET, ERETAA) goes to. When top-byte-ignore applies to
// the target as an *instruction* address, bits 63:56 are replaced by copies of bit 55:
//   msbit = AddrTop(target, IsInstr = TRUE, PSTATE.EL)
//   AddrTop for the EL1&0 regime: tbi = target<55> ? TCR_EL1.TBI1 : TCR_EL1.TBI0, and with
//   FEAT_PAuth tbid = target<55> ? TCR_EL1.TBID1 : TCR_EL1.TBID0; msbit = 55 if tbi == 1 and
//   (no FEAT_PAuth or tbid == 0) (for instruction addresses), else 63.
//   msbit == 63: the target unchanged; else (EL0/EL1) SignExtend(target<55:0>).
// So a tagged target with TBI on (and TBID off) runs untagged, and the tag is gone from the PC
// (and from LR/ELR saved later); with TBI off, or TBID on, the tag stays and the fetch of the
// non-canonical PC takes an Instruction Abort (mmu/translate.ts never applies TBI to fetches,
// which is right: a fetch address can only be tagged when TBI does not apply to it).
// Guest code runs at EL0/EL1 only (EL2 is the TypeScript hypervisor), so TCR_EL2 is not consulted.
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';
import { defineHelper } from '../emit.js';

/** FEAT_PAuth (HavePACExt): ID_AA64ISAR1_EL1.APA[7:4] or API[11:8] non-zero. */
const havePac = (cpu: Cpu): boolean => (cpu.sysLo(SYS.ID_AA64ISAR1_EL1) & 0xff0) !== 0;

/**
 * The high word of BranchAddr(target) for a target whose high word `hi` has a top byte that is not
 * copies of bit 55 (callers test `((hi << 8) >> 8) !== hi` first: one compare on the hot path).
 */
export function branchAddrHi(cpu: Cpu, hi: number): number {
  if (cpu.el > 1) return hi;
  const tcrHi = cpu.sysHi(SYS.TCR_EL1);
  const upper = (hi >>> 23) & 1; // target<55>
  if (((tcrHi >>> (5 + upper)) & 1) === 0) return hi; // TCR_EL1.TBI0 [37] / TBI1 [38] = 0
  if (havePac(cpu) && ((tcrHi >>> (19 + upper)) & 1) !== 0) return hi; // TBID0 [51] / TBID1 [52] = 1
  return (hi << 8) >> 8;
}

/** BranchAddr applied to cpu.npc (set by the branch just executed). */
export function branchAddrNpc(cpu: Cpu): void {
  const hi = cpu.npcHi;
  if (((hi << 8) >> 8) !== hi) cpu.npcHi = branchAddrHi(cpu, hi);
}
defineHelper('branchAddrNpc', branchAddrNpc);
