// PSTATE fields of the Armv8.1-8.5 extensions, kept in CpuState.pstateOther at their SPSR
// positions (ARM ARM C5.2.18 SPSR_EL1): PAN[22] (FEAT_PAN), UAO[23] (FEAT_UAO), BTYPE[11:10] (FEAT_BTI). They exist only
// on CPU models whose ID registers advertise the feature (profile.ts): ID_AA64MMFR1_EL1.PAN[23:20]
// and ID_AA64MMFR2_EL1.UAO[7:4]; elsewhere the SPSR bits are RES0 and never reach PSTATE.
import type { Cpu } from './cpu.js';
import { SYS } from './sysregs.js';

export const PSTATE_PAN = 1 << 22;
export const PSTATE_UAO = 1 << 23;
/** SCTLR_EL1.SPAN[23]: 0 sets PSTATE.PAN on exception entry to EL1. */
const SCTLR_SPAN = 1 << 23;

export const havePan = (cpu: Cpu): boolean => (cpu.sysLo(SYS.ID_AA64MMFR1_EL1) & (0xf << 20)) !== 0;
export const haveUao = (cpu: Cpu): boolean => (cpu.sysLo(SYS.ID_AA64MMFR2_EL1) & (0xf << 4)) !== 0;

/** The SPSR bits ERET may restore into PSTATE beyond SS and IL: PAN/UAO where implemented. */
export function restorablePstate(cpu: Cpu): number {
  return (havePan(cpu) ? PSTATE_PAN : 0) | (haveUao(cpu) ? PSTATE_UAO : 0) | (haveBtiPstate(cpu) ? PSTATE_BTYPE_BITS : 0);
}
/** PSTATE.BTYPE (SPSR[11:10], FEAT_BTI: ID_AA64PFR1_EL1.BT[3:0]); isa/bti.ts uses it. */
export const PSTATE_BTYPE_BITS = 3 << 10;
/** Every PSTATE bit restorablePstate may allow. */
export const PSTATE_V8X = PSTATE_PAN | PSTATE_UAO | PSTATE_BTYPE_BITS;
const haveBtiPstate = (cpu: Cpu): boolean => (cpu.sysLo(SYS.ID_AA64PFR1_EL1) & 0xf) !== 0;

/**
 * Set PSTATE.{PAN, UAO, BTYPE} bits to `bits` (within `mask`). Setting PAN drops the data entries
 * of the host fast cache's EL1 bank: they may hold EL0-accessible pages, which PAN makes
 * inaccessible to EL1 data accesses (the TLB model keeps them: PAN is checked after the lookup;
 * fetches and the EL0 bank that LDTR/STTR use are not subject to PAN). Clearing PAN only allows
 * more, and entries made under PAN = 1 stay valid, so it drops nothing; UAO changes which bank
 * LDTR/STTR use per access and needs nothing either.
 */
export function setPstateBits(cpu: Cpu, mask: number, bits: number): void {
  const old = cpu.pstateOther;
  const now = (old & ~mask) | (bits & mask);
  cpu.pstateOther = now;
  if ((now & ~old & PSTATE_PAN) !== 0) {
    cpu.dropDataBank(1);
  }
}

/** PSTATE.PAN on exception entry to EL1 (AArch64.TakeException): set when SCTLR_EL1.SPAN = 0, else kept. */
export function panOnEntry(cpu: Cpu, oldPstate: number): number {
  if (!havePan(cpu)) return 0;
  return (cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_SPAN) === 0 ? PSTATE_PAN : oldPstate & PSTATE_PAN;
}
