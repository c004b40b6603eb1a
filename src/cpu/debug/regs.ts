// The self-hosted debug registers (ARM ARM D2 "AArch64 Self-hosted Debug", register descriptions in
// D19.3 / D23.3 "Debug registers"): MDSCR_EL1, the breakpoint and watchpoint pairs, the OS lock and
// OS double lock, DBGPRCR_EL1, the Debug Communications Channel (MDCCSR_EL0, DBGDTR*_EL0,
// MDCCINT_EL1), MDRAR_EL1, the claim tags, DBGAUTHSTATUS_EL1 and MDCR_EL2's debug traps. sysregs.ts
// calls defineDebugRegs with its `def`; storage stays in Cpu.sys (so the hypervisor's vCPU context
// switches it with every other EL1 register). Writes that change what can fire call
// cpu.contextChanged(), which re-derives the run loop's guest-debug state (unit.ts).
import { PMU_COUNTERS } from '../pmu/consts.js';
import type { Cpu } from '../cpu.js';
import type { SysRegDef } from '../sysregs.js';

/**
 * sysregs.ts's slot table, handed over by defineDebugRegs (no import of sysregs.ts here, so that
 * this module has no import cycle and can be loaded first).
 */
let SYS: Record<string, number> = {};

/** Implemented counts, advertised by ID_AA64DFR0_EL1 (as QEMU's cortex-a57: 6 BRPs, 4 WRPs, 2 context-aware). */
export const NUM_BRPS = 6;
export const NUM_WRPS = 4;
export const NUM_CTX_CMPS = 2;
/**
 * ID_AA64DFR0_EL1 (D19.2.54): DebugVer[3:0]=6 (Armv8.0 debug), BRPs[15:12]=NUM_BRPS-1,
 * WRPs[23:20]=NUM_WRPS-1, CTX_CMPs[31:28]=NUM_CTX_CMPS-1 (each field is "number minus one").
 */
export const DFR0 = 6 | ((NUM_BRPS - 1) << 12) | ((NUM_WRPS - 1) << 20) | ((NUM_CTX_CMPS - 1) << 28);

// MDSCR_EL1 fields (D19.3.x MDSCR_EL1).
export const MDSCR_SS = 1 << 0;
export const MDSCR_TDCC = 1 << 12;
export const MDSCR_KDE = 1 << 13;
export const MDSCR_MDE = 1 << 15;
export const MDSCR_TXFULL = 1 << 29;
export const MDSCR_RXFULL = 1 << 30;
// MDCR_EL2 debug fields (D19.2 MDCR_EL2); HPMN/TPM/TPMCR belong to the PMU.
export const MDCR_TDE = 1 << 8;
export const MDCR_TDA = 1 << 9;
export const MDCR_TDOSA = 1 << 10;
export const MDCR_TDRA = 1 << 11;
const HCR_TGE = 1 << 27;
// OSLSR_EL1: OSLM = 0b10 (OSLM[1] is bit 3, OSLM[0] bit 0: the OS lock is implemented), OSLK bit 1.
const OSLSR_OSLM = 0x8;
export const OSLSR_OSLK = 1 << 1;

type Def = (name: string, enc: SysRegDef['enc'], minEl: number, opts?: Partial<SysRegDef>) => void;

/** MDCR_EL2 as the EL1/EL0 trap rules see it: TDE (or HCR_EL2.TGE) makes TDA, TDOSA and TDRA behave as 1. */
export function effectiveMdcr(c: Cpu): number {
  let m = c.sysLo(SYS.MDCR_EL2);
  if ((c.sysLo(SYS.HCR_EL2) & HCR_TGE) !== 0) m |= MDCR_TDE;
  if ((m & MDCR_TDE) !== 0) m |= MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;
  return m;
}
const tda = (c: Cpu): boolean => (effectiveMdcr(c) & MDCR_TDA) !== 0;
const tdosa = (c: Cpu): boolean => (effectiveMdcr(c) & MDCR_TDOSA) !== 0;
const tdra = (c: Cpu): boolean => (effectiveMdcr(c) & MDCR_TDRA) !== 0;
/** MDSCR_EL1.TDCC: EL0 accesses to the DCC registers trap to EL1 (EC 0x18). */
const dccEl0 = (c: Cpu): boolean => (c.sysLo(SYS.MDSCR_EL1) & MDSCR_TDCC) === 0;
const changed = (c: Cpu): void => c.contextChanged();

// DCC state: MDCCSR_EL0 holds RXfull/TXfull; DBGDTRRX_EL0's slot holds DTRRX (lo) and DTRTX (hi).
// With no external debugger nothing fills DTRRX or drains DTRTX: a write sets TXfull and the
// data waits there, a read returns DTRRX and clears RXfull (D2 "The Debug Communications Channel").
function dccFlags(c: Cpu): number {
  return c.sysLo(SYS.MDCCSR_EL0) & (MDSCR_TXFULL | MDSCR_RXFULL);
}
function setDccFlags(c: Cpu, set: number, clear: number): void {
  c.setSys(SYS.MDCCSR_EL0, (dccFlags(c) | set) & ~clear, 0);
}

export function defineDebugRegs(def: Def, slots: Record<string, number>): void {
  SYS = slots;
  // MDSCR_EL1: SS, TDCC, KDE, MDE writable; RXfull/TXfull read-only views of the DCC flags.
  def('MDSCR_EL1', [2, 0, 0, 2, 2], 1, {
    wmask: [MDSCR_SS | MDSCR_TDCC | MDSCR_KDE | MDSCR_MDE, 0],
    read: (c) => ((c.tmpHi = 0), (c.sysLo(SYS.MDSCR_EL1) & ~(MDSCR_TXFULL | MDSCR_RXFULL)) | dccFlags(c)),
    after: changed,
    el2Trap: tda,
  });
  // OS lock (D2 "The OS Lock"): OSLAR_EL1 writes OSLK = Xt[0]; OSLSR_EL1 shows it. OSLK is 1 after a
  // cold reset: debug exceptions stay disabled until the OS unlocks (Linux and kvm-unit-tests do).
  def('OSLAR_EL1', [2, 0, 1, 0, 4], 1, {
    wo: true,
    write: (c, lo) => {
      c.setSys(SYS.OSLSR_EL1, OSLSR_OSLM | ((lo & 1) << 1), 0);
      c.contextChanged();
    },
    el2Trap: tdosa,
  });
  def('OSLSR_EL1', [2, 0, 1, 1, 4], 1, { ro: true, reset: [OSLSR_OSLM | OSLSR_OSLK, 0], el2Trap: tdosa });
  // OS double lock: OSDLR_EL1.DLK (bit 0); effective only while DBGPRCR_EL1.CORENPDRQ = 0
  // (DoubleLockStatus()).
  def('OSDLR_EL1', [2, 0, 1, 3, 4], 1, { wmask: [1, 0], after: changed, el2Trap: tdosa });
  def('DBGPRCR_EL1', [2, 0, 1, 4, 4], 1, { wmask: [1, 0], after: changed, el2Trap: tdosa });
  // MDRAR_EL1: no memory-mapped debug ROM table (Valid = 0b00).
  def('MDRAR_EL1', [2, 0, 1, 0, 0], 1, { ro: true, el2Trap: tdra });
  // Debug Communications Channel.
  def('MDCCSR_EL0', [2, 3, 0, 1, 0], 0, { ro: true, el0Check: dccEl0, el2Trap: tda });
  def('MDCCINT_EL1', [2, 0, 0, 2, 0], 1, { wmask: [MDSCR_TXFULL | MDSCR_RXFULL, 0], el2Trap: tda });
  def('DBGDTRRX_EL0', [2, 3, 0, 5, 0], 0, {
    // MRS: DBGDTRRX_EL0 (clears RXfull); MSR: DBGDTRTX_EL0 (sets TXfull). Same encoding.
    read: (c) => {
      c.tmpHi = 0;
      const v = c.sysLo(SYS.DBGDTRRX_EL0);
      setDccFlags(c, 0, MDSCR_RXFULL);
      return v;
    },
    write: (c, lo) => {
      c.setSys(SYS.DBGDTRRX_EL0, c.sysLo(SYS.DBGDTRRX_EL0), lo);
      setDccFlags(c, MDSCR_TXFULL, 0);
    },
    el0Check: dccEl0,
    el2Trap: tda,
  });
  def('DBGDTR_EL0', [2, 3, 0, 4, 0], 0, {
    // Reads return DTRTX:DTRRX ([63:32]:[31:0]) and clear RXfull; writes set DTRRX = Xt[63:32],
    // DTRTX = Xt[31:0] and TXfull.
    read: (c) => {
      c.tmpHi = c.sysHi(SYS.DBGDTRRX_EL0);
      setDccFlags(c, 0, MDSCR_RXFULL);
      return c.sysLo(SYS.DBGDTRRX_EL0);
    },
    write: (c, lo, hi) => {
      c.setSys(SYS.DBGDTRRX_EL0, hi, lo);
      setDccFlags(c, MDSCR_TXFULL, 0);
    },
    el0Check: dccEl0,
    el2Trap: tda,
  });
  // Claim tags: eight implemented (CLAIM[7:0]); DBGCLAIMSET_EL1 reads which exist, writes of 1 set;
  // DBGCLAIMCLR_EL1 reads the current tags, writes of 1 clear.
  def('DBGCLAIMSET_EL1', [2, 0, 7, 8, 6], 1, {
    read: (c) => ((c.tmpHi = 0), 0xff),
    write: (c, lo) => c.setSys(SYS.DBGCLAIMCLR_EL1, c.sysLo(SYS.DBGCLAIMCLR_EL1) | (lo & 0xff), 0),
    el2Trap: tda,
  });
  def('DBGCLAIMCLR_EL1', [2, 0, 7, 9, 6], 1, {
    write: (c, lo) => c.setSys(SYS.DBGCLAIMCLR_EL1, c.sysLo(SYS.DBGCLAIMCLR_EL1) & ~lo & 0xff, 0),
    el2Trap: tda,
  });
  // DBGAUTHSTATUS_EL1: Non-secure invasive and non-invasive debug implemented and enabled
  // (NSID = NSNID = 0b11); no Secure state (SID = SNID = 0b00).
  def('DBGAUTHSTATUS_EL1', [2, 0, 7, 14, 6], 1, { ro: true, reset: [0xf, 0], el2Trap: tda });
  // Breakpoint and watchpoint pairs (op0=2 op1=0 CRn=0 CRm=n op2=4/5/6/7). DBGBVR keeps all bits:
  // an address breakpoint ignores [1:0], a context-ID one compares [31:0] and a VMID one [47:32].
  for (let n = 0; n < NUM_BRPS; n++) {
    def(`DBGBVR${n}_EL1`, [2, 0, 0, n, 4], 1, { after: changed, el2Trap: tda });
    // E[0], PMC[2:1], BAS[8:5], HMC[13], SSC[15:14], LBN[19:16], BT[23:20]. No AArch32: BAS is RES1.
    def(`DBGBCR${n}_EL1`, [2, 0, 0, n, 5], 1, { reset: [0x1e0, 0], wmask: [0x00ffe007, 0], after: changed, el2Trap: tda });
  }
  for (let n = 0; n < NUM_WRPS; n++) {
    // DBGWVR: VA[48:2]; bits [1:0] RES0.
    def(`DBGWVR${n}_EL1`, [2, 0, 0, n, 6], 1, { wmask: [~3, -1], after: changed, el2Trap: tda });
    // E[0], PAC[2:1], LSC[4:3], BAS[12:5], HMC[13], SSC[15:14], LBN[19:16], WT[20], MASK[28:24]
    def(`DBGWCR${n}_EL1`, [2, 0, 0, n, 7], 1, { wmask: [0x1f1fffff, 0], after: changed, el2Trap: tda });
  }
  // MDCR_EL2 (written by the hypervisor with setSys; its debug bits TDE/TDA/TDOSA/TDRA are used here,
  // its PMU fields by src/cpu/pmu: HPMN resets to the number of counters, so EL1 sees them all).
  def('MDCR_EL2', [3, 4, 1, 1, 1], 2, {
    reset: [PMU_COUNTERS, 0],
    after: (c) => {
      changed(c);
      c.pmu.mdcrChanged();
    },
  });
}
