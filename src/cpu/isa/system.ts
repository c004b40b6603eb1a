// System instructions (ARM ARM C4.1.87 / C5): exception generation, hints, barriers, PSTATE
// access (MSR immediate), MRS/MSR (register), SYS (cache, TLB and address-translation
// maintenance), ERET. Every one of them ends its block, so that a change of translation
// registers, DAIF, SPSel or EL takes effect at the next block.
import type { Encoding, ExecFn, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR } from './common.js';
import { defineEmit } from '../emit.js';
import { SYS, sysByKey, sysDefs, sysKey, isRazIdSpace, el2Enabled } from '../sysregs.js';
import {
  eret,
  EC_UNKNOWN,
  EC_WFX,
  EC_SVC64,
  EC_HVC64,
  EC_SYSREG,
  EC_BRK64,
} from '../exceptions.js';
import { tlbi, at } from '../../mmu/maintenance.js';
import { checkWatchpointBlock } from '../debug/unit.js';
import { debugTarget } from '../debug/match.js';
import { translate, ACC_WRITE, MT_DEVICE, FSC_ALIGNMENT, type Translation } from '../../mmu/translate.js';

// SCTLR_EL1 fields that control EL0 (ARM ARM D19.2 SCTLR_EL1).
const SCTLR_UMA = 1 << 9;
const SCTLR_DZE = 1 << 14;
const SCTLR_NTWI = 1 << 16;
const SCTLR_NTWE = 1 << 18;
const SCTLR_UCI = 1 << 26;
// HCR_EL2 fields (ARM ARM D19.2 HCR_EL2).
const HCR_TWI = 1 << 13;
const HCR_TWE = 1 << 14;
const HCR_TID1 = 1 << 16;
const HCR_TID2 = 1 << 17;
const HCR_TID3 = 1 << 18;
const HCR_TACR = 1 << 21;
const HCR_TSW = 1 << 22;
const HCR_TPCP = 1 << 23;
const HCR_TPU = 1 << 24;
const HCR_TTLB = 1 << 25;
const HCR_TVM = 1 << 26;
const HCR_TDZ = 1 << 28;
const HCR_HCD = 1 << 29;
const HCR_TRVM = 1 << 30;

function undef(cpu: Cpu): void {
  cpu.raise(EC_UNKNOWN, 0, 0);
}

/**
 * Trap of an MSR, MRS or System instruction to EL1, EC 0x18. ISS (ARM ARM D17.2.37, "ISS encoding
 * for an exception from MSR, MRS, or System instruction execution in AArch64 state"):
 * Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0] (1 = read/MRS).
 * All of these come straight from the instruction word (L is bit 21 = Direction).
 */
export function sysTrapIss(raw: number): number {
  return (
    (bits(raw, 20, 19) << 20) |
    (bits(raw, 7, 5) << 17) |
    (bits(raw, 18, 16) << 14) |
    (bits(raw, 15, 12) << 10) |
    (bits(raw, 4, 0) << 5) |
    (bits(raw, 11, 8) << 1) |
    bits(raw, 21, 21)
  );
}
function trapSys(cpu: Cpu, i: Insn): void {
  cpu.raise(EC_SYSREG, sysTrapIss(i.raw), 0);
}
/**
 * The HCR_EL2 trap controls for this access (decoded into i.imm2): if any is set, trap to EL2
 * with EC 0x18. Checked after UNDEFINED and the EL1 traps of EL0 accesses, which take priority.
 */
function trappedToEl2(cpu: Cpu, i: Insn): boolean {
  if (i.imm2 === 0 || (cpu.sysLo(SYS.HCR_EL2) & i.imm2) === 0) return false;
  cpu.raise(EC_SYSREG, sysTrapIss(i.raw), 0, 2);
  return true;
}

// ---------------------------------------------------------------- exception generation

// SVC #imm16: EC 0x15, ISS = imm16, preferred return = the next instruction.
function execSvc(cpu: Cpu, i: Insn): void {
  cpu.raise(EC_SVC64, i.imm, 1);
}
// HVC #imm16: UNDEFINED at EL0 or when HCR_EL2.HCD=1 (no EL3: hvc_enable = !HCD);
// otherwise EC 0x16 to EL2 with the next instruction as preferred return.
function execHvc(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0 || (cpu.sysLo(SYS.HCR_EL2) & HCR_HCD) !== 0) return undef(cpu);
  cpu.raise(EC_HVC64, i.imm, 1, 2);
}
// SMC #imm16 (AArch64.CheckForSMCUndefOrTrap): UNDEFINED at EL0. EL3 is not
// implemented (ID_AA64PFR0_EL1.EL3 = 0) and neither is FEAT_NV, so architecturally SMC is
// UNDEFINED at EL1 too, whatever HCR_EL2.TSC says; the firmware's smc hook may still answer it
// (a PSCI-over-SMC convenience), and it continues at the next instruction.
function execSmc(cpu: Cpu, i: Insn): void {
  const fw = cpu.firmware;
  if (cpu.el === 0 || fw === null || fw.smc === undefined || !fw.smc(cpu, i.imm)) undef(cpu);
}
// BRK #imm16: EC 0x3C, ISS = imm16, preferred return = the BRK itself. AArch64.SoftwareBreakpoint
// routes it to EL2 from EL0/EL1 when EL2 is enabled and HCR_EL2.TGE or MDCR_EL2.TDE is 1.
function execBrk(cpu: Cpu, i: Insn): void {
  cpu.raise(EC_BRK64, i.imm, 0, cpu.el < 2 && el2Enabled(cpu) && debugTarget(cpu) === 2 ? 2 : 1);
}
// HLT #imm16: a halting debug event; #0xF000 is the A64 semihosting call. With no
// external debugger, halting is not allowed and HLT is UNDEFINED unless the firmware takes it.
function execHlt(cpu: Cpu, i: Insn): void {
  if (cpu.firmware === null || !cpu.firmware.hlt(cpu, i.imm)) undef(cpu);
}

// ---------------------------------------------------------------- hints

function execNop(_cpu: Cpu, _i: Insn): void {}
defineEmit(execNop, () => ''); // nothing to do, and no handler call in compiled code

/** ISS for EC 0x01 from AArch64: CV=1, COND=0b1110, TI = 0 (WFI) or 1 (WFE). */
const wfxIss = (ti: number): number => (1 << 24) | (0xe << 20) | ti;

// WFI (AArch64.CheckForWFxTrap): EL0 traps to EL1 when SCTLR_EL1.nTWI=0, then EL0/EL1
// trap to EL2 when HCR_EL2.TWI=1 (EC 0x01). Otherwise the PE waits for a WFI wake-up event
// (D1.6.2: an interrupt pending even if masked by PSTATE) in Cpu.waitForInterrupt, which skips
// modelled time to the next timer event; the instruction ends its block so that the run loop
// samples the interrupt lines right after it.
// The traps apply only "if the instruction would otherwise have caused the PE to enter a low-power
// state" (SCTLR_EL1.nTWI/nTWE, HCR_EL2.TWI/TWE): a WFI with a wake-up event already pending and a
// WFE with the Event Register set complete without trapping.
function execWfi(cpu: Cpu, _i: Insn): void {
  if (cpu.wfiWakeup()) return;
  if (cpu.el === 0 && (cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_NTWI) === 0) return cpu.raise(EC_WFX, wfxIss(0), 0);
  if ((cpu.sysLo(SYS.HCR_EL2) & HCR_TWI) !== 0) return cpu.raise(EC_WFX, wfxIss(0), 0, 2);
  cpu.waitForInterrupt();
}
// WFE: the same traps (nTWE, TWE), then the Event Register (Cpu.waitForEvent). With one PE
// WFE completes at once, which the architecture permits (a wake-up may happen for any reason).
function execWfe(cpu: Cpu, _i: Insn): void {
  if (cpu.eventRegister !== 0) {
    cpu.eventRegister = 0;
    return;
  }
  if (cpu.el === 0 && (cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_NTWE) === 0) return cpu.raise(EC_WFX, wfxIss(1), 0);
  if ((cpu.sysLo(SYS.HCR_EL2) & HCR_TWE) !== 0) return cpu.raise(EC_WFX, wfxIss(1), 0, 2);
  cpu.waitForEvent();
}
// SEV: an event for every PE; SEVL: for this PE only (D1.6.1).
function execSev(cpu: Cpu, _i: Insn): void {
  if (cpu.smp !== null) cpu.smp.sendEvent();
  else cpu.eventRegister = 1;
}
function execSevl(cpu: Cpu, _i: Insn): void {
  cpu.eventRegister = 1;
}

// ---------------------------------------------------------------- barriers

// CLREX: ClearExclusiveLocal.
function execClrex(cpu: Cpu, _i: Insn): void {
  cpu.exclValid = 0;
}

// ---------------------------------------------------------------- PSTATE (MSR immediate)

// MSR SPSel, #imm: PSTATE.SP = CRm<0>. UNDEFINED at EL0 (decode of op1=000).
function execMsrSpsel(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0) return undef(cpu);
  cpu.setElSpsel(cpu.el, i.imm & 1);
}
// MSR DAIFSet/DAIFClr, #imm: CRm is D:A:I:F, the layout of cpu.daif. At EL0 allowed only with
// SCTLR_EL1.UMA=1, otherwise trapped to EL1 with EC 0x18 (ARM ARM D19.2 SCTLR_EL1.UMA).
function execMsrDaifSet(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0 && (cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_UMA) === 0) return trapSys(cpu, i);
  cpu.daif |= i.imm;
  cpu.interruptMaskChanged();
}
function execMsrDaifClr(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0 && (cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_UMA) === 0) return trapSys(cpu, i);
  cpu.daif &= ~i.imm & 0xf;
  cpu.interruptMaskChanged();
}

// ---------------------------------------------------------------- MRS / MSR (register)

// Access checks in order (AArch64.CheckSystemAccess): an encoding that does not exist for this
// direction was rejected at decode; then the minimum EL (UNDEFINED); then the EL0 enable bits
// (trap to EL1, EC 0x18); then the HCR_EL2 traps (to EL2, EC 0x18). i.imm = the register's slot
// in sysDefs, i.imm2 = the HCR_EL2 bits that trap this access.
const SLOT_SP_EL0 = SYS.SP_EL0;

/** HCR_EL2 trap bits per register slot, for reads (MRS) and writes (MSR). */
const readTraps = new Int32Array(sysDefs.length);
const writeTraps = new Int32Array(sysDefs.length);
function hcrTraps(bitR: number, bitW: number, names: string[]): void {
  for (const n of names) {
    readTraps[SYS[n]] |= bitR;
    writeTraps[SYS[n]] |= bitW;
  }
}
// TVM/TRVM: the EL1 virtual memory controls.
const VM_REGS = ['SCTLR_EL1', 'TTBR0_EL1', 'TTBR1_EL1', 'TCR_EL1', 'ESR_EL1', 'FAR_EL1', 'AFSR0_EL1', 'AFSR1_EL1', 'MAIR_EL1', 'AMAIR_EL1', 'CONTEXTIDR_EL1'];
hcrTraps(HCR_TRVM, HCR_TVM, VM_REGS);
// TID3: ID group 3 (the AArch64 feature ID registers and the rest of the op1=0 CRn=0 CRm=1..7 space).
hcrTraps(HCR_TID3, 0, sysDefs.filter((d) => isRazIdSpace(d.enc[0], d.enc[1], d.enc[2], d.enc[3])).map((d) => d.name));
// TID2: cache identification; TID1: REVIDR/AIDR; TACR: ACTLR_EL1.
hcrTraps(HCR_TID2, HCR_TID2, ['CTR_EL0', 'CCSIDR_EL1', 'CLIDR_EL1', 'CSSELR_EL1']);
hcrTraps(HCR_TID1, 0, ['REVIDR_EL1', 'AIDR_EL1']);
hcrTraps(HCR_TACR, HCR_TACR, ['ACTLR_EL1']);

function sysAccessOk(cpu: Cpu, i: Insn): boolean {
  const d = sysDefs[i.imm];
  if (cpu.el < d.minEl) {
    undef(cpu);
    return false;
  }
  if (cpu.el === 0 && d.el0Check !== undefined && !d.el0Check(cpu)) {
    trapSys(cpu, i);
    return false;
  }
  // MRS/MSR SP_EL0 while PSTATE.SP selects SP_EL0 is UNDEFINED (ARM ARM, the SP_EL0 accessibility pseudocode).
  if (i.imm === SLOT_SP_EL0 && cpu.spsel === 0) {
    undef(cpu);
    return false;
  }
  // Traps to EL2 by other controls (CNTHCTL_EL2.EL1PCTEN/EL1PCEN), from EL0 and EL1.
  if (d.el2Trap !== undefined && cpu.el < 2 && d.el2Trap(cpu)) {
    cpu.raise(EC_SYSREG, sysTrapIss(i.raw), 0, 2);
    return false;
  }
  return !trappedToEl2(cpu, i);
}

export function execMrs(cpu: Cpu, i: Insn): void {
  if (!sysAccessOk(cpu, i)) return;
  const d = sysDefs[i.imm];
  const r = cpu.r;
  if (d.read !== undefined) {
    const lo = d.read(cpu);
    if (cpu.status !== 0) return; // the hook trapped (e.g. FPCR with CPACR_EL1.FPEN): Xt unchanged
    r[i.rd] = lo;
    r[i.rd + 1] = cpu.tmpHi;
  } else {
    r[i.rd] = cpu.sys[2 * d.slot];
    r[i.rd + 1] = cpu.sys[2 * d.slot + 1];
  }
}
// An unlisted encoding in the reserved ID space reads as zero (EL1 and above only: op1=000).
function execMrsRaz(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0) return undef(cpu);
  if (trappedToEl2(cpu, i)) return; // HCR_EL2.TID3
  cpu.r[i.rd] = 0;
  cpu.r[i.rd + 1] = 0;
}

export function execMsr(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0 && sysDefs[i.imm].el0ReadOnly === true) return undef(cpu);
  // pmu: EL0 writes may need more than reads (PMUSERENR_EL0.EN vs ER/CR): trap to EL1, EC 0x18.
  if (cpu.el === 0 && sysDefs[i.imm].el0WriteCheck?.(cpu) === false) return trapSys(cpu, i);
  if (!sysAccessOk(cpu, i)) return;
  const d = sysDefs[i.imm];
  const lo = cpu.r[i.rn];
  const hi = cpu.r[i.rn + 1];
  if (d.write !== undefined) {
    d.write(cpu, lo, hi);
    if (cpu.status !== 0) return; // the hook trapped
  } else {
    const s = cpu.sys;
    const k = 2 * d.slot;
    if (d.wmask !== undefined) {
      // Bits outside the writable mask (RES0/RES1/read-only fields) keep their value.
      const [mlo, mhi] = d.wmask;
      s[k] = (s[k] & ~mlo) | (lo & mlo);
      s[k + 1] = (s[k + 1] & ~mhi) | (hi & mhi);
    } else {
      s[k] = lo;
      s[k + 1] = hi;
    }
  }
  if (d.after !== undefined) d.after(cpu);
}

// ---------------------------------------------------------------- SYS: cache, TLB, AT

// EL0 rules for SYS operations (ARM ARM D19.2 SCTLR_EL1.UCI/DZE; everything else is EL1-only).
const EL0_NEVER = 0;
const EL0_UCI = 1; // DC CVAU/CVAC/CIVAC/CVAP, IC IVAU: trap to EL1 (EC 0x18) unless SCTLR_EL1.UCI
const EL0_DZE = 2; // DC ZVA: trap to EL1 (EC 0x18) unless SCTLR_EL1.DZE

/**
 * May this SYS operation run at the current EL? Raises the exception if not. i.op = EL0 rule,
 * i.imm2 = the HCR_EL2 trap bits (TSW, TPCP, TPU, TTLB, TDZ), checked after the EL0 rules.
 */
function sysOpAllowed(cpu: Cpu, i: Insn): boolean {
  if (cpu.el === 0) {
    const sctlr = cpu.sysLo(SYS.SCTLR_EL1);
    if (i.op === EL0_NEVER) {
      undef(cpu);
      return false;
    }
    if ((i.op === EL0_UCI && (sctlr & SCTLR_UCI) === 0) || (i.op === EL0_DZE && (sctlr & SCTLR_DZE) === 0)) {
      trapSys(cpu, i);
      return false;
    }
  }
  return !trappedToEl2(cpu, i);
}

// DC by VA to the PoC/PoU/PoP, DC by set/way: no-ops, since RAM, the decoded-code cache and every
// device see one coherent memory.
function execDcNop(cpu: Cpu, i: Insn): void {
  sysOpAllowed(cpu, i);
}
// DC IVAC: no cache to invalidate, but while a guest watchpoint is enabled it can match the
// cache line as a store (debug/unit.ts checkWatchpointBlock; ESR.CM = 1). The line size is
// CTR_EL0.DminLine (log2 words). The other DC ops by VA never match a watchpoint (D2.9.6).
function execDcIvac(cpu: Cpu, i: Insn): void {
  if (!sysOpAllowed(cpu, i) || cpu.guestWatch === null) return;
  const line = 4 << ((cpu.sysLo(SYS.CTR_EL0) >>> 16) & 0xf);
  checkWatchpointBlock(cpu, cpu.r[i.rn] & -line, cpu.r[i.rn + 1], line, true);
}
// IC IALLU/IALLUIS: stores already keep decoded code coherent; drop it all anyway, which also
// covers RAM written behind the CPU's back (a DMA engine), and removing more is always safe.
function execIcIallu(cpu: Cpu, i: Insn): void {
  if (sysOpAllowed(cpu, i)) cpu.invalidateAllCode();
}

const zvaTr: Translation = { pa: 0, memType: 0, cacheable: true };
// DC ZVA: zero the naturally aligned block of 2^DCZID_EL0.BS words (BS=4: 64 bytes)
// containing Xt. Device memory (including every data access with the stage-1 MMU off) takes
// an Alignment fault; FAR reports Xt itself. The zeroing goes through st64 for faults, code
// invalidation and devices.
function execDcZva(cpu: Cpu, i: Insn): void {
  if (!sysOpAllowed(cpu, i)) return;
  const xlo = cpu.r[i.rn];
  const xhi = cpu.r[i.rn + 1];
  if (cpu.zero64Fast(xlo & ~63, xhi)) return;
  translate(cpu, xlo, xhi, ACC_WRITE, zvaTr);
  if (zvaTr.pa < 0) return;
  if (zvaTr.memType === MT_DEVICE) {
    cpu.abort(ACC_WRITE, FSC_ALIGNMENT, xlo, xhi, false);
    return;
  }
  const base = xlo & ~63;
  // a64hv debug: a guest watchpoint on any byte of the block fires before anything is written.
  if (cpu.guestWatch !== null && checkWatchpointBlock(cpu, base, xhi, 64, false)) return;
  for (let k = 0; k < 64; k += 8) {
    cpu.st64(base + k, xhi, 0, 0);
    if (cpu.status !== 0) return;
  }
}

/** TLBI operations at EL1 by (CRm << 3 | op2) with op1=000, CRn=1000 (ARM ARM C5.5). */
export const TLBI_EL1_OPS: ReadonlyMap<number, string> = new Map([
  [(3 << 3) | 0, 'VMALLE1IS'],
  [(3 << 3) | 1, 'VAE1IS'],
  [(3 << 3) | 2, 'ASIDE1IS'],
  [(3 << 3) | 3, 'VAAE1IS'],
  [(3 << 3) | 5, 'VALE1IS'],
  [(3 << 3) | 7, 'VAALE1IS'],
  [(7 << 3) | 0, 'VMALLE1'],
  [(7 << 3) | 1, 'VAE1'],
  [(7 << 3) | 2, 'ASIDE1'],
  [(7 << 3) | 3, 'VAAE1'],
  [(7 << 3) | 5, 'VALE1'],
  [(7 << 3) | 7, 'VAALE1'],
]);
const tlbiNames: string[] = [];
const AT_OPS = ['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W'];

// TLBI <op>{, Xt}: i.imm indexes tlbiNames. EL1 only.
function execTlbi(cpu: Cpu, i: Insn): void {
  if (!sysOpAllowed(cpu, i)) return;
  tlbi(cpu, tlbiNames[i.imm], cpu.r[i.rn], cpu.r[i.rn + 1]);
}
// AT S1E1R/S1E1W/S1E0R/S1E0W, Xt: i.imm indexes AT_OPS. EL1 only.
function execAt(cpu: Cpu, i: Insn): void {
  if (!sysOpAllowed(cpu, i)) return;
  at(cpu, AT_OPS[i.imm], cpu.r[i.rn], cpu.r[i.rn + 1]);
}

/** Decode SYS (L=0, op0=01) by (op1, CRn, CRm, op2). Unallocated encodings are UNDEFINED. */
function decodeSys(raw: number, i: Insn): boolean {
  const op1 = bits(raw, 18, 16);
  const crn = bits(raw, 15, 12);
  const crm = bits(raw, 11, 8);
  const op2 = bits(raw, 7, 5);
  i.rn = srcZR(bits(raw, 4, 0));
  i.op = EL0_NEVER;
  if (crn === 7) {
    if (op1 === 0) {
      // DC IVAC, ISW, CSW, CISW; IC IALLUIS, IALLU; AT S1E1R..S1E0W.
      if (crm === 6 && op2 === 1) {
        i.imm2 = HCR_TPCP; // DC IVAC
        i.exec = execDcIvac;
        return true;
      }
      if ((crm === 6 || crm === 10 || crm === 14) && op2 === 2) {
        i.imm2 = HCR_TSW; // DC ISW, CSW, CISW
        i.exec = execDcNop;
        return true;
      }
      if ((crm === 1 || crm === 5) && op2 === 0) {
        i.imm2 = HCR_TPU;
        i.exec = execIcIallu;
        return true;
      }
      if (crm === 8 && op2 <= 3) {
        i.imm = op2;
        i.exec = execAt;
        return true;
      }
      return false;
    }
    if (op1 === 3 && op2 === 1) {
      if (crm === 4) {
        i.op = EL0_DZE;
        i.imm2 = HCR_TDZ;
        i.exec = execDcZva;
        return true;
      }
      // DC CVAC (10), CVAU (11), CVAP (12), CIVAC (14); IC IVAU (5, kept coherent by stores).
      if (crm === 10 || crm === 11 || crm === 12 || crm === 14 || crm === 5) {
        i.op = EL0_UCI;
        i.imm2 = crm === 11 || crm === 5 ? HCR_TPU : HCR_TPCP; // to the PoU : to the PoC/PoP
        i.exec = execDcNop;
        return true;
      }
    }
    return false;
  }
  if (crn === 8 && op1 === 0) {
    const name = TLBI_EL1_OPS.get((crm << 3) | op2);
    if (name === undefined) return false; // OS, range and EL2/EL3 forms are not implemented
    let k = tlbiNames.indexOf(name);
    if (k < 0) k = tlbiNames.push(name) - 1;
    i.imm = k;
    i.imm2 = HCR_TTLB;
    i.exec = execTlbi;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- ERET

// ERET: UNDEFINED at EL0; AArch64.ExceptionReturn(ELR_EL1, SPSR_EL1) sets npc.
function execEret(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0) return undef(cpu);
  if (cpu.pmuElHook !== null) cpu.pmu.retireAhead(i.cost); // pmu: the ERET counts at its own EL
  eret(cpu);
}

// ---------------------------------------------------------------- the table

/** An exception-generating instruction: imm16 in bits 20:5, always the end of its block. */
function imm16(name: string, pattern: string, exec: ExecFn): Encoding {
  return {
    name,
    pattern,
    endsBlock: true,
    decode(raw, i) {
      i.imm = bits(raw, 20, 5);
      i.exec = exec;
    },
  };
}

export const system: Encoding[] = [
  // Exception generation (C4.1.87: 11010100 opc imm16 op2 LL). DCPS1/2/3 (opc=101) are
  // UNDEFINED outside Debug state and TCANCEL needs FEAT_TME: both left unmatched.
  imm16('SVC', '11010100 000 iiiiiiiiiiiiiiii 000 01', execSvc),
  imm16('HVC', '11010100 000 iiiiiiiiiiiiiiii 000 10', execHvc),
  imm16('SMC', '11010100 000 iiiiiiiiiiiiiiii 000 11', execSmc),
  imm16('BRK', '11010100 001 iiiiiiiiiiiiiiii 000 00', execBrk),
  imm16('HLT', '11010100 010 iiiiiiiiiiiiiiii 000 00', execHlt),
  {
    // HINT #CRm:op2. Unimplemented hints (BTI, PACIASP/AUTIASP, ESB, CSDB, XPACLRI...) execute
    // as NOP, as the architecture requires of the hint space.
    name: 'HINT',
    pattern: '11010101000000110010 mmmm ooo 11111',
    endsBlock: true,
    decode(raw, i) {
      const n = bits(raw, 11, 5);
      i.imm = n;
      i.exec = n === 2 ? execWfe : n === 3 ? execWfi : n === 4 ? execSev : n === 5 ? execSevl : execNop; // NOP, YIELD: no-ops
    },
  },
  {
    // CLREX (op2=010), DSB (100), DMB (101), ISB (110). SB (111, FEAT_SB), DSB nXS (001,
    // FEAT_XS) and TCOMMIT (011, FEAT_TME) are not advertised: UNDEFINED.
    name: 'Barriers',
    pattern: '11010101000000110011 mmmm ooo 11111',
    endsBlock: true,
    decode(raw, i) {
      const op2 = bits(raw, 7, 5);
      if (op2 === 2) i.exec = execClrex;
      else if (op2 === 4 || op2 === 5 || op2 === 6) i.exec = execNop; // one PE, in-order memory
      else return false;
    },
  },
  {
    // MSR <pstatefield>, #imm: SPSel, DAIFSet, DAIFClr. CFINV, XAFLAG/AXFLAG: isa/flagm.ts (--cpu
    // max only). UAO, PAN, SSBS, DIT, TCO, SVCR and ALLINT are not implemented: UNDEFINED.
    name: 'MSR (immediate)',
    pattern: '1101010100 0 00 ppp 0100 mmmm ooo 11111',
    endsBlock: true,
    decode(raw, i) {
      const op1 = bits(raw, 18, 16);
      const op2 = bits(raw, 7, 5);
      i.imm = bits(raw, 11, 8);
      if (op1 === 0 && op2 === 5) i.exec = execMsrSpsel;
      else if (op1 === 3 && op2 === 6) i.exec = execMsrDaifSet;
      else if (op1 === 3 && op2 === 7) i.exec = execMsrDaifClr;
      else return false;
    },
  },
  {
    // SYS #op1, Cn, Cm, #op2{, Xt}: DC, IC, TLBI, AT. SYSL (L=1) has no implemented encodings.
    name: 'SYS',
    pattern: '1101010100 0 01 ppp nnnn mmmm ooo ttttt',
    endsBlock: true,
    decode: decodeSys,
  },
  {
    name: 'MSR (register)',
    pattern: '1101010100 0 1 o ppp nnnn mmmm ooo ttttt',
    endsBlock: true,
    decode(raw, i) {
      const d = sysByKey.get(
        sysKey(bits(raw, 20, 19), bits(raw, 18, 16), bits(raw, 15, 12), bits(raw, 11, 8), bits(raw, 7, 5)),
      );
      // Unknown encodings, and writes to read-only registers (all of the ID space): UNDEFINED.
      // [pauth] registers of a feature are decoded by that feature's group (isa/pauth.ts).
      if (d === undefined || d.ro || d.feature !== undefined) return false;
      i.imm = d.slot;
      i.imm2 = writeTraps[d.slot];
      i.rn = srcZR(bits(raw, 4, 0));
      i.exec = execMsr;
    },
  },
  {
    name: 'MRS',
    pattern: '1101010100 1 1 o ppp nnnn mmmm ooo ttttt',
    endsBlock: true,
    decode(raw, i) {
      const op0 = bits(raw, 20, 19);
      const op1 = bits(raw, 18, 16);
      const crn = bits(raw, 15, 12);
      const crm = bits(raw, 11, 8);
      const d = sysByKey.get(sysKey(op0, op1, crn, crm, bits(raw, 7, 5)));
      i.rd = dstZR(bits(raw, 4, 0));
      if (d === undefined) {
        if (!isRazIdSpace(op0, op1, crn, crm)) return false;
        i.imm2 = HCR_TID3;
        i.exec = execMrsRaz;
        return true;
      }
      if (d.wo || d.feature !== undefined) return false; // a read of a write-only register: UNDEFINED ([pauth] feature: isa/pauth.ts)
      i.imm = d.slot;
      i.imm2 = readTraps[d.slot];
      i.exec = execMrs;
    },
  },
  {
    // ERETAA/ERETAB (op3=00001x) need FEAT_PAuth: UNDEFINED.
    name: 'ERET',
    pattern: '1101011 0100 11111 000000 11111 00000',
    endsBlock: true,
    decode(_raw, i) {
      i.exec = execEret;
    },
  },
];
