// Trapped MSR, MRS and System instructions (EC 0x18): the ISS decode (ARM ARM D17.2.37, "ISS
// encoding for an exception from MSR, MRS, or System instruction execution in AArch64 state"),
// the per-VM trap policy (which HCR_EL2 trap bits the VM runs with), the virtual ID register file
// answered under HCR_EL2.TID3, and the emulation of the access on the guest's behalf. Anything this
// file does not emulate is reported as such and the hypervisor injects UNDEFINED into the guest.
// Runs once per exit, never on the per-instruction path.
import type { Cpu } from '../cpu/cpu.js';
import { sysByKey, sysByName, sysKey, isRazIdSpace, type SysRegDef } from '../cpu/sysregs.js';
import { TLBI_EL1_OPS } from '../cpu/isa/system.js';
import { tlbi } from '../mmu/maintenance.js';
import type { Word64 } from './abort.js';

/** The fields of an EC 0x18 ISS. */
export interface SysregIss {
  /** Op0 [21:20]: 3 = MRS/MSR of a system register, 2 = debug registers, 1 = SYS (DC/IC/TLBI/AT). */
  op0: number;
  /** Op2 [19:17]. */
  op2: number;
  /** Op1 [16:14]. */
  op1: number;
  /** CRn [13:10]. */
  crn: number;
  /** Rt [9:5]: the transfer register (31 = XZR: reads discarded, writes of zero). */
  rt: number;
  /** CRm [4:1]. */
  crm: number;
  /** Direction [0]: 1 = read (MRS), 0 = write (MSR, SYS). */
  read: boolean;
}

export function decodeSysregIss(esr: number): SysregIss {
  return {
    op0: (esr >>> 20) & 3,
    op2: (esr >>> 17) & 7,
    op1: (esr >>> 14) & 7,
    crn: (esr >>> 10) & 15,
    rt: (esr >>> 5) & 31,
    crm: (esr >>> 1) & 15,
    read: (esr & 1) === 1,
  };
}

/** The HCR_EL2 trap controls a VM may run with (ARM ARM D19.2 HCR_EL2), by policy name. */
export const SYSREG_TRAPS = {
  tid1: 1 << 16, // REVIDR_EL1, AIDR_EL1 reads
  tid2: 1 << 17, // CTR_EL0, CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1
  tid3: 1 << 18, // the ID group 3 registers (ID_AA64*, the reserved ID space): the virtual ID file
  tacr: 1 << 21, // ACTLR_EL1
  tsw: 1 << 22, // DC ISW/CSW/CISW
  tpcp: 1 << 23, // DC to the PoC/PoP
  tpu: 1 << 24, // DC CVAU, IC IVAU/IALLU/IALLUIS
  ttlb: 1 << 25, // TLBI at EL1
  tvm: 1 << 26, // writes to the EL1 virtual memory controls (SCTLR, TTBR0/1, TCR, MAIR, CONTEXTIDR...)
  tdz: 1 << 28, // DC ZVA: prohibited (DCZID_EL0.DZP reads 1); not emulated, the guest gets UNDEFINED
  trvm: 1 << 30, // reads of the EL1 virtual memory controls
} as const;
export type SysregTrap = keyof typeof SYSREG_TRAPS;

/** "tid3,tvm" -> the trap names; throws on an unknown one. */
export function parseSysregTraps(list: string): SysregTrap[] {
  const out: SysregTrap[] = [];
  for (const t of list.split(',').map((s) => s.trim().toLowerCase())) {
    if (t === '') continue;
    if (!(t in SYSREG_TRAPS)) throw new Error(`unknown trap '${t}' (expected ${Object.keys(SYSREG_TRAPS).join(', ')})`);
    if (!out.includes(t as SysregTrap)) out.push(t as SysregTrap);
  }
  return out;
}

export function hcrTrapBits(traps: readonly SysregTrap[]): number {
  let b = 0;
  for (const t of traps) b |= SYSREG_TRAPS[t];
  return b | 0;
}

const GENERIC = /^S3_0_C0_C([0-9]|1[0-5])_([0-7])$/i;

/**
 * The encoding key (sysKey) of an ID group 3 register the virtual ID file may answer: a named one
 * (ID_AA64ISAR0_EL1...) or a reserved one spelled S3_0_C0_C<m>_<op2>. Throws for anything else.
 */
export function idRegKey(name: string): number {
  const d = sysByName.get(name.toUpperCase());
  let enc: readonly number[] | undefined = d?.enc;
  const g = GENERIC.exec(name);
  if (g) enc = [3, 0, 0, Number(g[1]), Number(g[2])];
  if (enc === undefined || !isRazIdSpace(enc[0], enc[1], enc[2], enc[3])) {
    throw new Error(`${name}: not an ID register trapped by TID3 (op0=3, op1=0, CRn=0, CRm=1..7)`);
  }
  return sysKey(enc[0], enc[1], enc[2], enc[3], enc[4]);
}

/** A per-VM ID register file: the values TID3-trapped reads return; others read as the hardware's. */
export function buildIdRegs(values: Record<string, bigint | number> | undefined): Map<number, Word64> {
  const m = new Map<number, Word64>();
  for (const [name, v] of Object.entries(values ?? {})) {
    const b = BigInt(v);
    if (b < 0n || b >= 1n << 64n) throw new Error(`${name}: value out of range`);
    m.set(idRegKey(name), { lo: Number(b & 0xffffffffn) | 0, hi: Number(b >> 32n) | 0 });
  }
  return m;
}

// SYS (op0=1) operations the hypervisor completes, by (op1, CRn, CRm, op2).
const sysOpKey = (op1: number, crn: number, crm: number, op2: number): number => sysKey(1, op1, crn, crm, op2);
const DC_IC_NOP = new Map<number, string>([
  [sysOpKey(0, 7, 6, 1), 'DC IVAC'],
  [sysOpKey(0, 7, 6, 2), 'DC ISW'],
  [sysOpKey(0, 7, 10, 2), 'DC CSW'],
  [sysOpKey(0, 7, 14, 2), 'DC CISW'],
  [sysOpKey(3, 7, 10, 1), 'DC CVAC'],
  [sysOpKey(3, 7, 11, 1), 'DC CVAU'],
  [sysOpKey(3, 7, 12, 1), 'DC CVAP'],
  [sysOpKey(3, 7, 14, 1), 'DC CIVAC'],
  [sysOpKey(3, 7, 5, 1), 'IC IVAU'],
]);
const IC_ALL = new Map<number, string>([
  [sysOpKey(0, 7, 1, 0), 'IC IALLUIS'],
  [sysOpKey(0, 7, 5, 0), 'IC IALLU'],
]);
const OTHER_SYS = new Map<number, string>([
  [sysOpKey(3, 7, 4, 1), 'DC ZVA'],
  [sysOpKey(0, 7, 8, 0), 'AT S1E1R'],
  [sysOpKey(0, 7, 8, 1), 'AT S1E1W'],
  [sysOpKey(0, 7, 8, 2), 'AT S1E0R'],
  [sysOpKey(0, 7, 8, 3), 'AT S1E0W'],
]);

/** The architectural name of the register or operation an ISS names (S<op0>_<op1>_C<n>_C<m>_<op2> if none). */
export function sysregName(i: SysregIss): string {
  const k = sysKey(i.op0, i.op1, i.crn, i.crm, i.op2);
  if (i.op0 === 1) {
    if (i.op1 === 0 && i.crn === 8) {
      const t = TLBI_EL1_OPS.get((i.crm << 3) | i.op2);
      if (t !== undefined) return `TLBI ${t}`;
    }
    const n = DC_IC_NOP.get(k) ?? IC_ALL.get(k) ?? OTHER_SYS.get(k);
    if (n !== undefined) return n;
  } else {
    const d = sysByKey.get(k);
    if (d !== undefined) return d.name;
  }
  return `S${i.op0}_${i.op1}_C${i.crn}_C${i.crm}_${i.op2}`;
}

/** One line for the exit log: every ISS field, then the register's name. */
export function formatSysregIss(i: SysregIss, withName = true): string {
  const rt = i.rt === 31 ? 'xzr' : `x${i.rt}`;
  return `Op0=${i.op0} Op1=${i.op1} CRn=${i.crn} CRm=${i.crm} Op2=${i.op2} Rt=${i.rt} (${rt}) Direction=${+i.read} (${i.read ? 'read' : 'write'})${withName ? ' ' + sysregName(i) : ''}`;
}

const hex64 = (v: Word64): string =>
  '0x' + (v.hi !== 0 ? (v.hi >>> 0).toString(16) + (v.lo >>> 0).toString(16).padStart(8, '0') : (v.lo >>> 0).toString(16));

/** Xt as the source of a write (XZR: zero). */
function xt(cpu: Cpu, rt: number): Word64 {
  return rt === 31 ? { lo: 0, hi: 0 } : { lo: cpu.r[2 * rt], hi: cpu.r[2 * rt + 1] };
}

/** What an emulated access did: the statistics key and a description. */
export interface SysregResult {
  cause: string;
  detail: string;
}

/**
 * Perform the trapped access on the guest's behalf, as the instruction would have without the trap
 * (the vCPU is live on the CPU: its EL1 registers are the CPU's). Returns null for an access this
 * hypervisor does not emulate (the caller injects UNDEFINED); otherwise the caller moves ELR_EL2
 * past the instruction.
 */
export function emulateSysreg(cpu: Cpu, i: SysregIss, idRegs: ReadonlyMap<number, Word64>): SysregResult | null {
  const name = sysregName(i);
  if (i.op0 === 1) return i.read ? null : emulateSysOp(cpu, i, name);
  if (i.op0 < 2) return null;
  const key = sysKey(i.op0, i.op1, i.crn, i.crm, i.op2);
  const d = sysByKey.get(key);
  // Registers with access hooks (PSTATE views, FP control, timers) and EL2 registers are never
  // trapped by HCR_EL2 to a guest: not emulated.
  if (d !== undefined && (d.read !== undefined || d.write !== undefined || d.minEl >= 2)) return null;
  if (i.read) {
    let v: Word64;
    let from = '';
    const vid = idRegs.get(key);
    if (vid !== undefined) {
      v = vid;
      from = ' (virtual ID register file)';
    } else if (d === undefined) {
      // The reserved ID space reads as zero (ARM ARM D23.3.1); nothing else unlisted exists.
      if (!isRazIdSpace(i.op0, i.op1, i.crn, i.crm)) return null;
      v = { lo: 0, hi: 0 };
    } else if (d.wo) return null;
    else v = { lo: cpu.sysLo(d.slot), hi: cpu.sysHi(d.slot) };
    if (i.rt !== 31) {
      cpu.r[2 * i.rt] = v.lo | 0;
      cpu.r[2 * i.rt + 1] = v.hi | 0;
    }
    const to = i.rt === 31 ? 'discarded (XZR)' : `x${i.rt}`;
    return { cause: `sysreg-read ${name}`, detail: `${name} = ${hex64(v)}${from} -> ${to}` };
  }
  if (d === undefined || d.ro) return null;
  return writeReg(cpu, d, xt(cpu, i.rt), name);
}

/** MSR on the guest's behalf: the register's writable mask, its side effect, then the translation regime. */
function writeReg(cpu: Cpu, d: SysRegDef, v: Word64, name: string): SysregResult {
  const old = { lo: cpu.sysLo(d.slot), hi: cpu.sysHi(d.slot) };
  let lo = v.lo;
  let hi = v.hi;
  if (d.wmask !== undefined) {
    // Bits outside the writable mask (RES0/RES1/read-only fields) keep their value, as execMsr does.
    lo = (old.lo & ~d.wmask[0]) | (lo & d.wmask[0]);
    hi = (old.hi & ~d.wmask[1]) | (hi & d.wmask[1]);
  }
  cpu.setSys(d.slot, lo | 0, hi | 0);
  d.after?.(cpu);
  // setSys skips the register hooks: drop the host fast cache so that a new TTBR/TCR/SCTLR/MAIR is
  // seen by the very next access (the TLB model itself is tagged by ASID and VMID).
  cpu.contextChanged();
  return { cause: `sysreg-write ${name}`, detail: `${name} = ${hex64({ lo, hi })} (was ${hex64(old)})` };
}

/** SYS (DC, IC, TLBI) on the guest's behalf. DC ZVA and AT are not emulated. */
function emulateSysOp(cpu: Cpu, i: SysregIss, name: string): SysregResult | null {
  const k = sysKey(1, i.op1, i.crn, i.crm, i.op2);
  const v = xt(cpu, i.rt);
  if (i.op1 === 0 && i.crn === 8) {
    const op = TLBI_EL1_OPS.get((i.crm << 3) | i.op2);
    if (op === undefined) return null;
    // The guest's TLBI, for its own VMID (VTTBR_EL2 is the VM's while it traps).
    tlbi(cpu, op, v.lo, v.hi);
    cpu.contextChanged();
    return { cause: `sys ${name}`, detail: `${name}${i.rt === 31 ? '' : `, x${i.rt} = ${hex64(v)}`}: performed` };
  }
  // Memory, the decoded-code cache and every device are coherent: cache maintenance by VA or
  // set/way has nothing to do (the same as the instructions themselves in isa/system.ts).
  if (DC_IC_NOP.has(k)) return { cause: `sys ${name}`, detail: `${name}: completed (coherent memory)` };
  if (IC_ALL.has(k)) {
    cpu.invalidateAllCode();
    return { cause: `sys ${name}`, detail: `${name}: decoded code dropped` };
  }
  return null;
}
