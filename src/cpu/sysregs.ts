// System registers reached by MRS/MSR (ARM ARM D19/D23 register descriptions). Storage is a pair
// of int32 words per register in Cpu.sys; registers backed by PSTATE or the timer have accessors.
// The ID registers advertise exactly what is implemented: change them with the feature.
import type { Cpu } from './cpu.js';
import { defineDebugRegs, DFR0 } from './debug/regs.js';
import { definePmuRegs } from './pmu/regs.js'; // pmu
import { PSTATE_PAN, PSTATE_UAO, setPstateBits } from './pstate-v8x.js'; // [pauth]

export interface SysRegDef {
  name: string;
  /** op0, op1, CRn, CRm, op2 as in the ARM ARM's encoding tables. */
  enc: [number, number, number, number, number];
  /** Lowest EL that may access it (0: EL0 too, subject to `el0Check`). */
  minEl: number;
  ro?: boolean;
  wo?: boolean;
  reset?: [number, number];
  /** Writable-bit mask [lo, hi] (others RES0/RES1 kept from reset). Default all. */
  wmask?: [number, number];
  /** EL0 access condition (e.g. SCTLR_EL1.UCT for CTR_EL0); false traps to EL1 with EC 0x18. */
  el0Check?: (cpu: Cpu) => boolean;
  /** pmu: an EL0 write condition stricter than el0Check (PMUSERENR_EL0: counters readable with ER, writable only with EN). */
  el0WriteCheck?: (cpu: Cpu) => boolean;
  /** Readable at EL0 (subject to el0Check) but not writable there: MSR at EL0 is UNDEFINED. */
  el0ReadOnly?: boolean;
  /** Custom read: returns lo, sets cpu.tmpHi. */
  read?: (cpu: Cpu) => number;
  /** Custom write, or a side effect after the stored value changed (`after`). */
  write?: (cpu: Cpu, lo: number, hi: number) => void;
  after?: (cpu: Cpu) => void;
  /** A trap of EL0/EL1 accesses to EL2 (EC 0x18) other than the HCR_EL2 ones, e.g. CNTHCTL_EL2. */
  el2Trap?: (cpu: Cpu) => boolean;
  /** [pauth] The feature the register belongs to: only the CPU models with it decode it (isa/pauth.ts). */
  feature?: 'pauth' | 'pan' | 'uao';
  slot: number;
}

export function sysKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

const defs: SysRegDef[] = [];
export const SYS: Record<string, number> = {};
export const sysByKey = new Map<number, SysRegDef>();
export const sysByName = new Map<string, SysRegDef>();

function def(name: string, enc: SysRegDef['enc'], minEl: number, opts: Partial<SysRegDef> = {}): void {
  const d: SysRegDef = { name, enc, minEl, slot: defs.length, ...opts };
  defs.push(d);
  SYS[name] = d.slot;
  sysByKey.set(sysKey(...enc), d);
  sysByName.set(name, d);
}

const lo32 = (v: number): [number, number] => [v | 0, 0];

// --- Identification (D23.2). Values describe this emulator, not a particular core. ---
// MIDR: Cortex-A57 r1p0, the CPU the README's side-by-side QEMU runs use.
// With EL2 implemented and enabled, EL1/EL0 reads of MIDR_EL1/MPIDR_EL1 return VPIDR_EL2/VMPIDR_EL2
// (ARM ARM D23.2 MIDR_EL1, MPIDR_EL1); those reset to the real values, for the hypervisor to change.
def('MIDR_EL1', [3, 0, 0, 0, 0], 1, {
  ro: true,
  reset: lo32(0x411fd070),
  read: (c) => ((c.tmpHi = c.sysHi(SYS.VPIDR_EL2)), c.sysLo(SYS.VPIDR_EL2)),
});
def('MPIDR_EL1', [3, 0, 0, 0, 5], 1, {
  ro: true,
  reset: lo32(0x80000000),
  read: (c) => ((c.tmpHi = c.sysHi(SYS.VMPIDR_EL2)), c.sysLo(SYS.VMPIDR_EL2)),
});
def('REVIDR_EL1', [3, 0, 0, 0, 6], 1, { ro: true });
// PFR0: EL0 and EL1 AArch64 only; EL2/EL3 not visible to the guest; FP[19:16] = 1 and
// AdvSIMD[23:20] = 1: implemented with half-precision arithmetic (FEAT_FP16, scalar and vector,
// isa/fp16.ts; the two fields must agree).
def('ID_AA64PFR0_EL1', [3, 0, 0, 4, 0], 1, { ro: true, reset: lo32(0x00110011) });
def('ID_AA64PFR1_EL1', [3, 0, 0, 4, 1], 1, { ro: true });
def('ID_AA64ZFR0_EL1', [3, 0, 0, 4, 4], 1, { ro: true });
// DFR0: DebugVer=6 (Armv8.0 debug) and exactly the breakpoints/watchpoints src/cpu/debug implements
// (6 BRPs, 4 WRPs, 2 context-aware: debug/regs.ts DFR0); PMUVer[11:8]=1 (PMUv3, src/cpu/pmu).
def('ID_AA64DFR0_EL1', [3, 0, 0, 5, 0], 1, { ro: true, reset: lo32(DFR0 | (1 << 8)) });
def('ID_AA64DFR1_EL1', [3, 0, 0, 5, 1], 1, { ro: true });
def('ID_AA64AFR0_EL1', [3, 0, 0, 5, 4], 1, { ro: true });
def('ID_AA64AFR1_EL1', [3, 0, 0, 5, 5], 1, { ro: true });
// ISAR0: Atomic[23:20]=2 (LSE), CRC32[19:16]=1.
def('ID_AA64ISAR0_EL1', [3, 0, 0, 6, 0], 1, { ro: true, reset: lo32(0x00210000) });
// ISAR1: DPB[3:0]=1 (DC CVAP, a no-op on our coherent memory), LRCPC[23:20]=1 (LDAPR).
def('ID_AA64ISAR1_EL1', [3, 0, 0, 6, 1], 1, { ro: true, reset: lo32(0x00100001) });
def('ID_AA64ISAR2_EL1', [3, 0, 0, 6, 2], 1, { ro: true });
// MMFR0: PARange=4 (44 bits: enough for a 4-level 4K stage 2, which AArch64.S2InvalidSL allows
// only with PAMax >= 44), ASIDBits=2 (16), TGran16=1, TGran64=0 and TGran4=0 (supported).
def('ID_AA64MMFR0_EL1', [3, 0, 0, 7, 0], 1, { ro: true, reset: lo32(0x00100024) });
// MMFR1: VMIDBits=2 (16).
def('ID_AA64MMFR1_EL1', [3, 0, 0, 7, 1], 1, { ro: true, reset: lo32(0x20) });
def('ID_AA64MMFR2_EL1', [3, 0, 0, 7, 2], 1, { ro: true });
def('CTR_EL0', [3, 3, 0, 0, 1], 0, {
  ro: true,
  reset: lo32(0x8444c004),
  el0Check: (c) => (c.sysLo(SYS.SCTLR_EL1) & (1 << 15)) !== 0, // SCTLR_EL1.UCT
});
// DCZID_EL0: BS=4 (64-byte blocks); DZP (bit 4) reads 1 while DC ZVA is trapped: at EL0 by
// SCTLR_EL1.DZE=0, at EL0 and EL1 by HCR_EL2.TDZ=1.
def('DCZID_EL0', [3, 3, 0, 0, 7], 0, {
  ro: true,
  reset: lo32(4),
  read: (c) => {
    c.tmpHi = 0;
    const el0Trap = c.el === 0 && (c.sysLo(SYS.SCTLR_EL1) & (1 << 14)) === 0;
    return el0Trap || (c.sysLo(SYS.HCR_EL2) & (1 << 28)) !== 0 ? 0x14 : 4;
  },
});
def('CLIDR_EL1', [3, 1, 0, 0, 1], 1, { ro: true, reset: lo32(0x0a200023) });
def('CSSELR_EL1', [3, 2, 0, 0, 0], 1, { wmask: [0xf, 0] });
def('CCSIDR_EL1', [3, 1, 0, 0, 0], 1, { ro: true, reset: lo32(0x701fe01a) });
def('AIDR_EL1', [3, 1, 0, 0, 7], 1, { ro: true });

// --- EL1 translation and control (D23.2) ---
// SCTLR_EL1 reset: the RES1 bits of Armv8.0 (29,28,23,22,20,11) with M/C/I clear.
def('SCTLR_EL1', [3, 0, 1, 0, 0], 1, { reset: lo32(0x30d00800), after: (c) => c.contextChanged() });
def('ACTLR_EL1', [3, 0, 1, 0, 1], 1);
def('CPACR_EL1', [3, 0, 1, 0, 2], 1, { wmask: [0x3 << 20, 0] });
def('TTBR0_EL1', [3, 0, 2, 0, 0], 1, { after: (c) => c.contextChanged() });
def('TTBR1_EL1', [3, 0, 2, 0, 1], 1, { after: (c) => c.contextChanged() });
def('TCR_EL1', [3, 0, 2, 0, 2], 1, { after: (c) => c.contextChanged() });
def('AFSR0_EL1', [3, 0, 5, 1, 0], 1);
def('AFSR1_EL1', [3, 0, 5, 1, 1], 1);
def('ESR_EL1', [3, 0, 5, 2, 0], 1);
def('FAR_EL1', [3, 0, 6, 0, 0], 1);
def('PAR_EL1', [3, 0, 7, 4, 0], 1);
def('MAIR_EL1', [3, 0, 10, 2, 0], 1, { after: (c) => c.contextChanged() });
def('AMAIR_EL1', [3, 0, 10, 3, 0], 1);
def('VBAR_EL1', [3, 0, 12, 0, 0], 1, { wmask: [~0x7ff, -1] });
def('ISR_EL1', [3, 0, 12, 1, 0], 1, { ro: true, read: (c) => c.readIsr() });
def('CONTEXTIDR_EL1', [3, 0, 13, 0, 1], 1, { wmask: [-1, 0] });
def('TPIDR_EL1', [3, 0, 13, 0, 4], 1);
def('TPIDR_EL0', [3, 3, 13, 0, 2], 0);
// TPIDRRO_EL0: read-only at EL0 (the MSR pseudocode: UNDEFINED there), RW at EL1.
def('TPIDRRO_EL0', [3, 3, 13, 0, 3], 0, { el0ReadOnly: true });
def('ELR_EL1', [3, 0, 4, 0, 1], 1);
def('SPSR_EL1', [3, 0, 4, 0, 0], 1, { wmask: [-1, 0] });
// a64hv debug: the self-hosted debug registers live in src/cpu/debug/regs.ts.
defineDebugRegs(def, SYS);

// [pauth] FEAT_PAuth key registers (ARM ARM D19.2 APIAKeyLo_EL1...: op0=3 op1=0 CRn=2, CRm=1 IA/IB,
// CRm=2 DA/DB, CRm=3 GA; op2 = 2*key + Hi). EL1 accesses trap to EL2 with EC 0x18 when EL2 is
// enabled and HCR_EL2.APK (bit 40) is 0. Decoded only by models with FEAT_PAuth (isa/pauth.ts);
// switched with the vCPU like every EL1 register.
/** EL2 is enabled: the hypervisor runs EL1 in AArch64, so HCR_EL2.RW is set; 0 means no EL2 (bare metal). */
export const el2Enabled = (c: Cpu): boolean => (c.sysLo(SYS.HCR_EL2) & (1 << 31)) !== 0;
const apkTrap = (c: Cpu): boolean => el2Enabled(c) && (c.sysHi(SYS.HCR_EL2) & (1 << 8)) === 0;
for (const [crm, keys] of [[1, ['APIA', 'APIB']], [2, ['APDA', 'APDB']], [3, ['APGA']]] as [number, string[]][]) {
  keys.forEach((k, n) => {
    def(`${k}KeyLo_EL1`, [3, 0, 2, crm, 2 * n], 1, { feature: 'pauth', el2Trap: apkTrap });
    def(`${k}KeyHi_EL1`, [3, 0, 2, crm, 2 * n + 1], 1, { feature: 'pauth', el2Trap: apkTrap });
  });
}

// [pauth] PSTATE.PAN (C5.2.11, FEAT_PAN) and PSTATE.UAO (C5.2.20, FEAT_UAO) as registers, bit 22 /
// bit 23 as in the SPSR; decoded only by models with the feature (isa/pan.ts).
def('PAN', [3, 0, 4, 2, 3], 1, {
  feature: 'pan',
  read: (c) => ((c.tmpHi = 0), c.pstateOther & PSTATE_PAN),
  write: (c, lo) => setPstateBits(c, PSTATE_PAN, lo),
});
def('UAO', [3, 0, 4, 2, 4], 1, {
  feature: 'uao',
  read: (c) => ((c.tmpHi = 0), c.pstateOther & PSTATE_UAO),
  write: (c, lo) => setPstateBits(c, PSTATE_UAO, lo),
});

// --- PSTATE views (C5.2) ---
def('NZCV', [3, 3, 4, 2, 0], 0, {
  el0Check: () => true,
  read: (c) => ((c.tmpHi = 0), (c.nzcv << 28) | 0),
  write: (c, lo) => (c.nzcv = (lo >>> 28) & 0xf),
});
def('DAIF', [3, 3, 4, 2, 1], 0, {
  el0Check: (c) => (c.sysLo(SYS.SCTLR_EL1) & (1 << 9)) !== 0, // SCTLR_EL1.UMA
  read: (c) => ((c.tmpHi = 0), c.daif << 6),
  write: (c, lo) => {
    c.daif = (lo >>> 6) & 0xf;
    c.interruptMaskChanged();
  },
});
def('CurrentEL', [3, 0, 4, 2, 2], 1, { ro: true, read: (c) => ((c.tmpHi = 0), c.el << 2) });
def('SPSel', [3, 0, 4, 2, 0], 1, {
  read: (c) => ((c.tmpHi = 0), c.spsel),
  write: (c, lo) => c.setElSpsel(c.el, lo & 1),
});
// SP_EL0 is accessible from EL1 only while SPSel=1 (otherwise UNDEFINED; ARM ARM C5.2.14).
def('SP_EL0', [3, 0, 4, 1, 0], 1, {
  read: (c) => c.readSpBank(0),
  write: (c, lo, hi) => c.writeSpBank(0, lo, hi),
});

// --- FP control and status (C5.2.7, C5.2.8): backed by cpu.fpcr/fpsr. Accessible at EL0 but
// subject to CPACR_EL1.FPEN like any FP instruction: the hook leaves an EC 0x07 trap pending
// (cpu.status != 0) and the MRS/MSR handler must then not write Xt. ---
function fpAccessOk(c: Cpu): boolean {
  if (c.el >= 2) return true;
  const fpen = (c.sysLo(SYS.CPACR_EL1) >>> 20) & 3;
  const iss = (1 << 24) | (0xe << 20); // CV=1 COND=0b1110 (from AArch64)
  if (!(fpen === 3 || (fpen === 1 && c.el === 1))) {
    c.raise(0x07, iss, 0); // EC_FP_ACCESS to EL1
    return false;
  }
  if (c.sysLo(SYS.CPTR_EL2) & 0x400) {
    c.raise(0x07, iss, 0, 2); // CPTR_EL2.TFP: to the hypervisor
    return false;
  }
  return true;
}
def('FPCR', [3, 3, 4, 4, 0], 0, {
  el0Check: () => true,
  read: (c) => ((c.tmpHi = 0), fpAccessOk(c) ? c.fpcr : 0),
  // Writable: AHP[26], DN[25], FZ[24], RMode[23:22], FZ16[19] (FEAT_FP16); trap enables are
  // RAZ/WI (no trapping).
  write: (c, lo) => void (fpAccessOk(c) && (c.fpcr = lo & 0x07c80000)),
});
def('FPSR', [3, 3, 4, 4, 1], 0, {
  el0Check: () => true,
  read: (c) => ((c.tmpHi = 0), fpAccessOk(c) ? c.fpsr : 0),
  // QC[27], IDC[7], IXC..IOC[4:0]
  write: (c, lo) => void (fpAccessOk(c) && (c.fpsr = lo & 0x0800009f)),
});

// --- Generic timer (D11; the model is src/cpu/timer.ts). The counter derives from modelled
// cycles, so it is deterministic. EL0 access is gated by CNTKCTL_EL1 (trap to EL1), EL0/EL1 access
// to the physical counter and timer by CNTHCTL_EL2.EL1PCTEN/EL1PCEN (trap to EL2, EC 0x18; D13.8
// CNTHCTL_EL2 with HCR_EL2.E2H=0). The board's reset value of CNTHCTL_EL2 allows both, as a
// firmware at EL2 would leave it (QEMU's virt has no EL2 and never traps them). ---
const el0Pt = (c: Cpu): boolean => (c.sysLo(SYS.CNTKCTL_EL1) & (1 << 9)) !== 0; // EL0PTEN
const el0Vt = (c: Cpu): boolean => (c.sysLo(SYS.CNTKCTL_EL1) & (1 << 8)) !== 0; // EL0VTEN
const el2Pct = (c: Cpu): boolean => (c.sysLo(SYS.CNTHCTL_EL2) & 1) === 0; // !EL1PCTEN
const el2Pt = (c: Cpu): boolean => (c.sysLo(SYS.CNTHCTL_EL2) & 2) === 0; // !EL1PCEN
// Written by firmware; EL0 may only read it (the MSR CNTFRQ_EL0 pseudocode: UNDEFINED at EL0).
def('CNTFRQ_EL0', [3, 3, 14, 0, 0], 0, { reset: lo32(62_500_000), el0Check: (c) => (c.sysLo(SYS.CNTKCTL_EL1) & 3) !== 0, el0ReadOnly: true });
def('CNTPCT_EL0', [3, 3, 14, 0, 1], 0, { ro: true, read: (c) => c.timer.countOf(0), el0Check: (c) => c.el0CounterOk(0), el2Trap: el2Pct });
def('CNTVCT_EL0', [3, 3, 14, 0, 2], 0, { ro: true, read: (c) => c.timer.countOf(1), el0Check: (c) => c.el0CounterOk(1) });
def('CNTKCTL_EL1', [3, 0, 14, 1, 0], 1, { wmask: [0x3ff, 0] });
def('CNTP_CTL_EL0', [3, 3, 14, 2, 1], 0, { read: (c) => c.timer.readCtl(0), write: (c, lo) => c.timer.writeCtl(0, lo), el0Check: el0Pt, el2Trap: el2Pt });
def('CNTP_CVAL_EL0', [3, 3, 14, 2, 2], 0, { write: (c, lo, hi) => c.timer.writeCval(0, lo, hi), el0Check: el0Pt, el2Trap: el2Pt });
def('CNTP_TVAL_EL0', [3, 3, 14, 2, 0], 0, { read: (c) => c.timer.readTval(0), write: (c, lo) => c.timer.writeTval(0, lo), el0Check: el0Pt, el2Trap: el2Pt });
def('CNTV_CTL_EL0', [3, 3, 14, 3, 1], 0, { read: (c) => c.timer.readCtl(1), write: (c, lo) => c.timer.writeCtl(1, lo), el0Check: el0Vt });
def('CNTV_CVAL_EL0', [3, 3, 14, 3, 2], 0, { write: (c, lo, hi) => c.timer.writeCval(1, lo, hi), el0Check: el0Vt });
def('CNTV_TVAL_EL0', [3, 3, 14, 3, 0], 0, { read: (c) => c.timer.readTval(1), write: (c, lo) => c.timer.writeTval(1, lo), el0Check: el0Vt });
def('CNTHCTL_EL2', [3, 4, 14, 1, 0], 2, { reset: lo32(3), wmask: [0xff, 0] });
def('CNTHP_CTL_EL2', [3, 4, 14, 2, 1], 2, { read: (c) => c.timer.readCtl(2), write: (c, lo) => c.timer.writeCtl(2, lo) });
def('CNTHP_CVAL_EL2', [3, 4, 14, 2, 2], 2, { write: (c, lo, hi) => c.timer.writeCval(2, lo, hi) });
def('CNTHP_TVAL_EL2', [3, 4, 14, 2, 0], 2, { read: (c) => c.timer.readTval(2), write: (c, lo) => c.timer.writeTval(2, lo) });

// --- EL2 state: not reachable by guest MSR/MRS (EL2 is the TypeScript hypervisor). ---
def('HCR_EL2', [3, 4, 1, 1, 0], 2, { after: (c) => c.contextChanged() });
def('VTTBR_EL2', [3, 4, 2, 1, 0], 2, { after: (c) => c.contextChanged() });
def('VTCR_EL2', [3, 4, 2, 1, 2], 2, { after: (c) => c.contextChanged() });
def('ESR_EL2', [3, 4, 5, 2, 0], 2);
def('FAR_EL2', [3, 4, 6, 0, 0], 2);
def('HPFAR_EL2', [3, 4, 6, 0, 4], 2);
def('ELR_EL2', [3, 4, 4, 0, 1], 2);
def('SPSR_EL2', [3, 4, 4, 0, 0], 2);
def('VBAR_EL2', [3, 4, 12, 0, 0], 2);
def('CPTR_EL2', [3, 4, 1, 1, 2], 2);
def('CNTVOFF_EL2', [3, 4, 14, 0, 3], 2, { after: (c) => c.timer.changed() });
def('VMPIDR_EL2', [3, 4, 0, 0, 5], 2, { reset: lo32(0x80000000) });
def('VPIDR_EL2', [3, 4, 0, 0, 0], 2, { reset: lo32(0x411fd070) });

// --- pmu: the PMUv3 registers (src/cpu/pmu/regs.ts) and MDCR_EL2's PMU fields, if no one else defined MDCR_EL2. ---
definePmuRegs(def);

export const sysDefs: readonly SysRegDef[] = defs;
export const NSYS = defs.length;

/**
 * Unlisted encodings in the ID space (op0=3, op1=0, CRn=0, CRm=1..7) are reserved and RAZ
 * (ARM ARM D23.3.1, "reserved ID registers"): AArch32 ID registers read 0 here (no AArch32).
 */
export function isRazIdSpace(op0: number, op1: number, crn: number, crm: number): boolean {
  return op0 === 3 && op1 === 0 && crn === 0 && crm >= 1 && crm <= 7;
}
