// Exception entry and return (ARM ARM D1.3, pseudocode AArch64.TakeException and
// AArch64.ExceptionReturn). EL1 is taken in the guest; EL2 is the TypeScript firmware/hypervisor.
import type { Cpu } from './cpu.js';
import { SYS } from './sysregs.js';
import { debugExceptionReturnSS } from './debug/unit.js';
import { PSTATE_PAN, PSTATE_V8X, panOnEntry, restorablePstate, setPstateBits } from './pstate-v8x.js';
import { branchAddrNpc } from './isa/branch-addr.js'; // [arch]

// Exception classes (ESR_ELx.EC, ARM ARM D17.2.37).
export const EC_UNKNOWN = 0x00;
export const EC_WFX = 0x01;
export const EC_FP_ACCESS = 0x07;
export const EC_ILLEGAL_STATE = 0x0e;
export const EC_SVC64 = 0x15;
export const EC_HVC64 = 0x16;
export const EC_SMC64 = 0x17;
export const EC_SYSREG = 0x18;
export const EC_IABT_LOWER = 0x20;
export const EC_IABT_SAME = 0x21;
export const EC_PC_ALIGN = 0x22;
export const EC_DABT_LOWER = 0x24;
export const EC_DABT_SAME = 0x25;
export const EC_SP_ALIGN = 0x26;
export const EC_SERROR = 0x2f;
export const EC_BRK64 = 0x3c;

/** Vector offsets from VBAR_ELx (ARM ARM D1.3.5, Table D1-7). */
export const VEC_SYNC = 0x0;
export const VEC_IRQ = 0x80;
export const VEC_FIQ = 0x100;
export const VEC_SERROR = 0x180;

/** Tell the exception-entry observers (Cpu.excObservers: --log, the library's hooks), before any state changes. */
function notifyException(cpu: Cpu, vec: number, target: number, retLo: number, retHi: number): void {
  for (const f of cpu.excObservers!) f(cpu, vec, target, retLo, retHi);
}

/**
 * Take the pending exception (vecKind VEC_SYNC, using the cpu.exc* fields) or an asynchronous
 * one (VEC_IRQ/FIQ/SERROR) with return address (retLo, retHi).
 */
export function takeException(cpu: Cpu, retLo: number, retHi: number, vecKind = VEC_SYNC): void {
  const target = vecKind === VEC_SYNC ? cpu.excTargetEl : 1;
  if (cpu.excObservers !== null) notifyException(cpu, vecKind, target, retLo, retHi);
  if (target === 2) {
    takeToEl2(cpu, retLo, retHi);
    return;
  }
  cpu.pmuExcTaken++; // pmu: EXC_TAKEN (exceptions to the guest's EL1; the TypeScript EL2 is not counted)
  const fromEl = cpu.el;
  const spsr = cpu.getSpsr();
  // Vector base offset: current EL with SP_EL0 (0x0), current EL with SP_ELx (0x200),
  // lower EL using AArch64 (0x400).
  let base: number;
  if (fromEl < 1) base = 0x400;
  else base = cpu.spsel ? 0x200 : 0x0;
  cpu.setSys(SYS.SPSR_EL1, spsr | 0, 0);
  cpu.setSys(SYS.ELR_EL1, retLo, retHi);
  if (vecKind === VEC_SYNC || vecKind === VEC_SERROR) {
    cpu.setSys(SYS.ESR_EL1, ((cpu.excEC << 26) | (cpu.excIL << 25) | (cpu.excISS & 0x1ffffff)) | 0, 0);
    if (cpu.excFarValid) cpu.setSys(SYS.FAR_EL1, cpu.excFarLo, cpu.excFarHi);
  }
  // PSTATE on entry: EL1h, all of DAIF masked, SS=0, IL=0. [pauth] UAO=0; PAN set when
  // SCTLR_EL1.SPAN=0, else kept (FEAT_PAN/FEAT_UAO models only: pstate-v8x.ts).
  cpu.daif = 0xf;
  const pan = panOnEntry(cpu, cpu.pstateOther);
  cpu.pstateOther &= PSTATE_PAN;
  setPstateBits(cpu, -1, pan);
  cpu.setElSpsel(1, 1);
  cpu.exclValid = 0; // ClearExclusiveLocal
  if (fromEl !== 1) cpu.elChanged();
  else cpu.gen++;
  const vbarLo = cpu.sysLo(SYS.VBAR_EL1);
  const vbarHi = cpu.sysHi(SYS.VBAR_EL1);
  const lo = (vbarLo + base + vecKind) | 0;
  cpu.pcLo = lo;
  cpu.pcHi = (lo >>> 0) < (vbarLo >>> 0) ? (vbarHi + 1) | 0 : vbarHi;
}

/** Exception to EL2: set the EL2 syndrome registers and hand over to the TypeScript firmware. */
function takeToEl2(cpu: Cpu, retLo: number, retHi: number): void {
  cpu.setSys(SYS.SPSR_EL2, cpu.getSpsr() | 0, 0);
  cpu.setSys(SYS.ELR_EL2, retLo, retHi);
  cpu.setSys(SYS.ESR_EL2, ((cpu.excEC << 26) | (cpu.excIL << 25) | (cpu.excISS & 0x1ffffff)) | 0, 0);
  if (cpu.excFarValid) cpu.setSys(SYS.FAR_EL2, cpu.excFarLo, cpu.excFarHi);
  // HPFAR_EL2.FIPA holds IPA[47:12] at bits [43:4] (ARM ARM D17.2.59).
  const ipaPage = Math.floor(((cpu.excIpaHi >>> 0) * 4294967296 + (cpu.excIpaLo >>> 0)) / 4096);
  cpu.setSys(SYS.HPFAR_EL2, (ipaPage * 16) % 4294967296 | 0, Math.floor((ipaPage * 16) / 4294967296) | 0);
  cpu.exclValid = 0;
  if (cpu.firmware === null) {
    cpu.halt(`exception to EL2 (EC 0x${cpu.excEC.toString(16)}) with no firmware or hypervisor`);
    return;
  }
  cpu.firmware.el2Exception(cpu);
  if (cpu.status === 2 /* ST_HALT */) return;
  eretFromEl2(cpu);
}

/**
 * A physical IRQ/FIQ routed to EL2 (HCR_EL2.IMO/FMO): SPSR_EL2 and ELR_EL2 as for any exception
 * entry (ESR_EL2 and FAR_EL2 are not written for interrupts), then the TypeScript firmware at
 * EL2 handles it and returns to the interrupted context.
 */
export function takeAsyncToEl2(cpu: Cpu, retLo: number, retHi: number, fiq: boolean): void {
  if (cpu.excObservers !== null) notifyException(cpu, fiq ? VEC_FIQ : VEC_IRQ, 2, retLo, retHi);
  cpu.setSys(SYS.SPSR_EL2, cpu.getSpsr() | 0, 0);
  cpu.setSys(SYS.ELR_EL2, retLo, retHi);
  cpu.exclValid = 0;
  const fw = cpu.firmware;
  if (fw === null || fw.el2Interrupt === undefined) {
    cpu.halt(`physical ${fiq ? 'FIQ' : 'IRQ'} routed to EL2 (HCR_EL2.${fiq ? 'FMO' : 'IMO'}) with no hypervisor to take it`);
    return;
  }
  fw.el2Interrupt(cpu, fiq);
  if (cpu.status === 2 /* ST_HALT */) return;
  eretFromEl2(cpu);
}

/** The firmware's return to the guest: PSTATE from SPSR_EL2, PC from ELR_EL2. */
export function eretFromEl2(cpu: Cpu): void {
  restorePstate(cpu, cpu.sysLo(SYS.SPSR_EL2), 2);
  cpu.eventRegister = 1; // AArch64.ExceptionReturn: SendEventLocal() (D1.6.1, an exception return is an event)
  cpu.pcLo = cpu.sysLo(SYS.ELR_EL2);
  cpu.pcHi = cpu.sysHi(SYS.ELR_EL2);
}

/** PSTATE.IL in the SPSR layout (bit 20): the next instruction takes an Illegal State exception. */
export const PSTATE_IL = 1 << 20;
const HCR_TGE = 1 << 27;

/**
 * IllegalExceptionReturn(spsr) for a return from EL1: SPSR.M selects AArch32 (no AArch32 here),
 * has M[1] set, is EL0 with M[0] set, or names an EL above the current one; or the target is EL1
 * while HCR_EL2.TGE=1.
 */
export function illegalReturn(cpu: Cpu, spsr: number): boolean {
  const m = spsr & 0x1f;
  const el = m >>> 2;
  if ((m & 0x10) !== 0 || (m & 2) !== 0 || (el === 0 && (m & 1) !== 0) || el > cpu.el) return true;
  return el === 1 && (cpu.sysLo(SYS.HCR_EL2) & HCR_TGE) !== 0;
}

/**
 * ERET at EL1 (AArch64.ExceptionReturn): PSTATE from SPSR_EL1, PC from ELR_EL1. On an illegal
 * exception return (IllegalExceptionReturn) SetPSTATEFromPSR still restores NZCV and DAIF, but
 * EL and SP are unchanged and PSTATE.IL is set; the PC still becomes ELR (ARM ARM D1.3.7).
 */
export function eret(cpu: Cpu): void {
  const spsr = cpu.sysLo(SYS.SPSR_EL1);
  const elrLo = cpu.sysLo(SYS.ELR_EL1);
  const elrHi = cpu.sysHi(SYS.ELR_EL1);
  cpu.exclValid = 0;
  // AArch64.ExceptionReturn: ClearExclusiveLocal, then SendEventLocal (D1.6.1: an exception
  // return sets the Event Register, so a WFE right after an ERET completes at once).
  cpu.eventRegister = 1;
  cpu.pmuExcReturn++; // pmu: EXC_RETURN
  if (illegalReturn(cpu, spsr)) {
    // a64hv debug: DebugExceptionReturnSS with dest = PSTATE.EL for an illegal return.
    const ss = debugExceptionReturnSS(cpu, spsr, cpu.el, cpu.el);
    cpu.nzcv = (spsr >>> 28) & 0xf;
    cpu.daif = (spsr >>> 6) & 0xf;
    cpu.pstateOther = PSTATE_IL | ss | (cpu.pstateOther & PSTATE_PAN);
    setPstateBits(cpu, PSTATE_V8X, spsr & restorablePstate(cpu)); // [pauth] PAN, UAO from the SPSR
    // The run loop checks PSTATE.IL only when it looks a block up (not on a chained jump).
    cpu.gen++;
  } else {
    restorePstate(cpu, spsr, cpu.el);
  }
  cpu.npcLo = elrLo;
  cpu.npcHi = elrHi;
  branchAddrNpc(cpu); // [arch] AArch64.BranchAddr(ELR) at the EL returned to: TBI clears the tag (isa/branch-addr.ts)
}

function restorePstate(cpu: Cpu, spsr: number, fromEl: number): void {
  const m = spsr & 0x1f;
  const el = m >>> 2;
  // a64hv debug: PSTATE.SS = DebugExceptionReturnSS(spsr), judged before PSTATE changes.
  const ss = debugExceptionReturnSS(cpu, spsr, fromEl, el);
  cpu.nzcv = (spsr >>> 28) & 0xf;
  cpu.daif = (spsr >>> 6) & 0xf;
  // SetPSTATEFromPSR: a legal return restores PSTATE.IL = SPSR.IL (it is not simply cleared), so
  // returning with SPSR.IL=1 makes the next instruction take an Illegal State exception.
  cpu.pstateOther = (spsr & PSTATE_IL) | ss | (cpu.pstateOther & PSTATE_PAN);
  setPstateBits(cpu, PSTATE_V8X, spsr & restorablePstate(cpu)); // [pauth] PAN, UAO where implemented
  const oldEl = cpu.el;
  cpu.setElSpsel(el, el === 0 ? 0 : m & 1);
  if (oldEl !== el) cpu.elChanged();
  else cpu.gen++;
}
