// The AArch64 PMU system registers (ARM ARM D13.4 / D23.9 encodings: op0=3, op1=3 (EL0) or 0 (EL1),
// CRn=9 or 14), defined into the sysreg table from sysregs.ts. Their state lives in cpu.pmu
// (pmu.ts); every access goes through it.
//
// Access control, in the order AArch64.CheckSystemAccess applies it (isa/system.ts sysAccessOk):
// * EL0: PMUSERENR_EL0 (D13.4.17) EN[0] allows everything; SW[1] PMSWINC writes; CR[2] PMCCNTR
//   reads; ER[3] event counter reads and PMSELR. Otherwise a trap to EL1, EC 0x18.
// * MDCR_EL2.TPM (all PMU registers) and TPMCR (PMCR_EL0), from EL0/EL1: a trap to EL2, EC 0x18.
// * An event counter n >= PMCR_EL0.N (or >= MDCR_EL2.HPMN from EL0/EL1), directly or through
//   PMSELR_EL0.SEL: UNDEFINED (one of the CONSTRAINED UNPREDICTABLE choices for PMSELR).
import type { Cpu } from '../cpu.js';
import { SYS, type SysRegDef } from '../sysregs.js';
import { PMU_COUNTERS, CCNT_BIT, MDCR_TPM, MDCR_TPMCR } from './consts.js';

type Def = (name: string, enc: SysRegDef['enc'], minEl: number, opts?: Partial<SysRegDef>) => void;

const EC_UNKNOWN = 0x00;
const EN = 1;
const SW = 2;
const CR = 4;
const ER = 8;

const el0 = (bits: number) => (c: Cpu): boolean => (c.pmu.userenr & (EN | bits)) !== 0;
const el0Write = (c: Cpu): boolean => (c.pmu.userenr & EN) !== 0;
const tpm = (c: Cpu): boolean => (c.sysLo(SYS.MDCR_EL2) & MDCR_TPM) !== 0;
const tpmcr = (c: Cpu): boolean => (c.sysLo(SYS.MDCR_EL2) & (MDCR_TPM | MDCR_TPMCR)) !== 0;

function undef(c: Cpu): number {
  c.raise(EC_UNKNOWN, 0, 0);
  c.tmpHi = 0;
  return 0;
}
const ret32 = (c: Cpu, v: number): number => ((c.tmpHi = 0), v | 0);

/** Event counter n's value through a read hook, UNDEFINED if not accessible. */
function readEvCnt(c: Cpu, n: number): number {
  if (!c.pmu.accessible(n)) return undef(c);
  const [lo, hi] = c.pmu.readCounter(n);
  c.tmpHi = hi;
  return lo;
}

export function definePmuRegs(def: Def): void {
  const common = { el2Trap: tpm };
  def('PMCR_EL0', [3, 3, 9, 12, 0], 0, {
    el0Check: el0(0),
    el2Trap: tpmcr,
    read: (c) => ret32(c, c.pmu.readPmcr()),
    write: (c, lo) => c.pmu.writePmcr(lo),
  });
  def('PMCNTENSET_EL0', [3, 3, 9, 12, 1], 0, { ...common, el0Check: el0(0), read: (c) => ret32(c, c.pmu.readSet('cnten')), write: (c, lo) => c.pmu.writeSet('cnten', lo, true) });
  def('PMCNTENCLR_EL0', [3, 3, 9, 12, 2], 0, { ...common, el0Check: el0(0), read: (c) => ret32(c, c.pmu.readSet('cnten')), write: (c, lo) => c.pmu.writeSet('cnten', lo, false) });
  def('PMOVSCLR_EL0', [3, 3, 9, 12, 3], 0, { ...common, el0Check: el0(0), read: (c) => ret32(c, c.pmu.readSet('ovs')), write: (c, lo) => c.pmu.writeSet('ovs', lo, false) });
  def('PMOVSSET_EL0', [3, 3, 9, 14, 3], 0, { ...common, el0Check: el0(0), read: (c) => ret32(c, c.pmu.readSet('ovs')), write: (c, lo) => c.pmu.writeSet('ovs', lo, true) });
  def('PMSWINC_EL0', [3, 3, 9, 12, 4], 0, { ...common, wo: true, el0Check: el0(SW), write: (c, lo) => c.pmu.swinc(lo) });
  def('PMSELR_EL0', [3, 3, 9, 12, 5], 0, {
    ...common,
    el0Check: el0(ER),
    read: (c) => ret32(c, c.pmu.selr),
    write: (c, lo) => void (c.pmu.selr = lo & 0x1f),
  });
  def('PMCEID0_EL0', [3, 3, 9, 12, 6], 0, { ...common, ro: true, el0Check: el0(0), read: (c) => ret32(c, c.pmu.ceid(0)) });
  def('PMCEID1_EL0', [3, 3, 9, 12, 7], 0, { ...common, ro: true, el0Check: el0(0), read: (c) => ret32(c, c.pmu.ceid(1)) });
  def('PMCCNTR_EL0', [3, 3, 9, 13, 0], 0, {
    ...common,
    el0Check: el0(CR),
    el0WriteCheck: el0Write,
    read: (c) => {
      const [lo, hi] = c.pmu.readCounter(PMU_COUNTERS);
      c.tmpHi = hi;
      return lo;
    },
    write: (c, lo, hi) => c.pmu.writeCounter(PMU_COUNTERS, lo, hi),
  });
  // PMXEVTYPER/PMXEVCNTR: the counter PMSELR_EL0.SEL selects (SEL = 31: PMCCFILTR for the type).
  def('PMXEVTYPER_EL0', [3, 3, 9, 13, 1], 0, {
    ...common,
    el0Check: el0(0),
    read: (c) => {
      const n = c.pmu.selr;
      if (n === CCNT_BIT) return ret32(c, c.pmu.readType(PMU_COUNTERS));
      return c.pmu.accessible(n) ? ret32(c, c.pmu.readType(n)) : undef(c);
    },
    write: (c, lo) => {
      const n = c.pmu.selr;
      if (n === CCNT_BIT) c.pmu.writeType(PMU_COUNTERS, lo);
      else if (c.pmu.accessible(n)) c.pmu.writeType(n, lo);
      else undef(c);
    },
  });
  def('PMXEVCNTR_EL0', [3, 3, 9, 13, 2], 0, {
    ...common,
    el0Check: el0(ER),
    el0WriteCheck: el0Write,
    read: (c) => readEvCnt(c, c.pmu.selr),
    write: (c, lo) => {
      const n = c.pmu.selr;
      if (c.pmu.accessible(n)) c.pmu.writeCounter(n, lo, 0);
      else undef(c);
    },
  });
  // PMUSERENR_EL0: EL0 reads it (the MSR at EL0 is UNDEFINED), EL1 writes EN, SW, CR, ER.
  def('PMUSERENR_EL0', [3, 3, 9, 14, 0], 0, {
    ...common,
    el0ReadOnly: true,
    el0Check: () => true,
    read: (c) => ret32(c, c.pmu.userenr),
    write: (c, lo) => void (c.pmu.userenr = lo & 0xf),
  });
  def('PMINTENSET_EL1', [3, 0, 9, 14, 1], 1, { ...common, read: (c) => ret32(c, c.pmu.readSet('inten')), write: (c, lo) => c.pmu.writeSet('inten', lo, true) });
  def('PMINTENCLR_EL1', [3, 0, 9, 14, 2], 1, { ...common, read: (c) => ret32(c, c.pmu.readSet('inten')), write: (c, lo) => c.pmu.writeSet('inten', lo, false) });
  for (let n = 0; n < 31; n++) {
    // PMEVCNTR<n>_EL0: CRm = 0b10:n[4:3], op2 = n[2:0]; PMEVTYPER<n>_EL0: CRm = 0b11:n[4:3].
    // All 31 encodings exist; n >= N is UNDEFINED (the hooks).
    def(`PMEVCNTR${n}_EL0`, [3, 3, 14, 8 + (n >> 3), n & 7], 0, {
      ...common,
      el0Check: el0(ER),
      el0WriteCheck: el0Write,
      read: (c) => readEvCnt(c, n),
      write: (c, lo) => (c.pmu.accessible(n) ? c.pmu.writeCounter(n, lo, 0) : void undef(c)),
    });
    def(`PMEVTYPER${n}_EL0`, [3, 3, 14, 12 + (n >> 3), n & 7], 0, {
      ...common,
      el0Check: el0(0),
      read: (c) => (c.pmu.accessible(n) ? ret32(c, c.pmu.readType(n)) : undef(c)),
      write: (c, lo) => (c.pmu.accessible(n) ? c.pmu.writeType(n, lo) : void undef(c)),
    });
  }
  def('PMCCFILTR_EL0', [3, 3, 14, 15, 7], 0, {
    ...common,
    el0Check: el0(0),
    read: (c) => ret32(c, c.pmu.readType(PMU_COUNTERS)),
    write: (c, lo) => c.pmu.writeType(PMU_COUNTERS, lo),
  });
}
