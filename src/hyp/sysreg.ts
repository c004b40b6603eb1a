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
import { walkOnlyMmu, MODE_WALK, MODE_S1ONLY, ACC_WRITE, FSC_ALIGNMENT } from '../mmu/translate.js';
import { isDevice } from '../mmu/attrs.js';
import { SYS } from '../cpu/sysregs.js';
import { injectDataAbort, injectExternalAbort, isTranslationFault, type Word64 } from './abort.js';

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
  tdz: 1 << 28, // DC ZVA (DCZID_EL0.DZP reads 1): zeroed on the guest's behalf
  trvm: 1 << 30, // reads of the EL1 virtual memory controls
} as const;
export type SysregTrap = keyof typeof SYSREG_TRAPS;

/** "tid3,tvm" -> the trap names; throws on an unknown one. */
export function parseSysregTraps(list: string): SysregTrap[] {
  const out: SysregTrap[] = [];
  for (const t of list.split(',').map((s) => s.trim().toLowerCase())) {
    if (t === '') continue;
    if (!Object.hasOwn(SYSREG_TRAPS, t)) throw new Error(`unknown trap '${t}' (expected ${Object.keys(SYSREG_TRAPS).join(', ')})`);
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
const DC_ZVA = sysOpKey(3, 7, 4, 1);
const OTHER_SYS = new Map<number, string>([
  [DC_ZVA, 'DC ZVA'],
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
  /**
   * 'next' (or absent): the instruction completed, the caller sets ELR_EL2 += 4. 'fault': it took
   * an exception that was injected into the guest (ELR_EL2/SPSR_EL2 already aim at the guest's
   * vector): the caller must leave them alone. Only returned to a caller that passed a SysEnv.
   */
  resume?: 'next' | 'fault';
}

/**
 * What the emulation of a guest memory access (DC ZVA) needs from the hypervisor. Passing one
 * also says the caller honours SysregResult.resume.
 */
export interface SysEnv {
  /**
   * A stage-2 translation fault at `ipa`: map it if it is the VM's lazily mapped RAM (first
   * touch, as a data abort would) and return true; false if it is anything else.
   */
  pageIn(ipa: number): boolean;
}

/**
 * Perform the trapped access on the guest's behalf, as the instruction would have without the trap
 * (the vCPU is live on the CPU: its EL1 registers are the CPU's). Returns null for an access this
 * hypervisor does not emulate (the caller injects UNDEFINED); otherwise the caller moves ELR_EL2
 * past the instruction.
 */
export function emulateSysreg(cpu: Cpu, i: SysregIss, idRegs: ReadonlyMap<number, Word64>, env?: SysEnv): SysregResult | null {
  const name = sysregName(i);
  if (i.op0 === 1) return i.read ? null : emulateSysOp(cpu, i, name, env);
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

/**
 * SYS (DC, IC, TLBI, DC ZVA) on the guest's behalf. AT is not emulated: no HCR_EL2 control traps
 * it in this CPU model (HCR_EL2.AT needs FEAT_NV).
 */
function emulateSysOp(cpu: Cpu, i: SysregIss, name: string, env: SysEnv | undefined): SysregResult | null {
  const k = sysKey(1, i.op1, i.crn, i.crm, i.op2);
  const v = xt(cpu, i.rt);
  if (k === DC_ZVA) return dcZva(cpu, v, env);
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

/** DCZID_EL0.BS = 4: DC ZVA zeroes 4 << 4 = 64 bytes. */
const ZVA_BYTES = 64;
/** Stage-2 page-ins one DC ZVA may need: its stage-1 tables (levels 0-3) and the block itself. */
const MAX_PAGE_INS = 5;

/**
 * DC ZVA, Xt under HCR_EL2.TDZ (ARM ARM C5.3 DC ZVA, D7.4.10 "Data cache zero"): the guest's
 * Xt goes through its stage 1 and stage 2 as a write at the guest's EL, then the naturally
 * aligned 64-byte block containing it is zeroed. The instruction's faults are the guest's, in the
 * pseudocode's order (AArch64.S1Translate, alignment included, before AArch64.S2Translate):
 *  - a stage-1 fault, or an Alignment fault when stage 1 says Device (DC ZVA on any Device
 *    memory, also with the stage-1 MMU off), goes to its EL1 as a data abort with WnR=1 and CM=0
 *    (DC ZVA is a store for faults and permissions, not cache maintenance), FAR_EL1 = Xt, as
 *    execDcZva reports them on the bare-metal board;
 *  - a stage-2 translation fault on lazily mapped RAM (also on a stage-1 table walk) pages in, as
 *    the data abort would; anything else at stage 2 (a device, a hole, another VM's memory, a
 *    stage-2 Device mapping) gets the external abort the hypervisor gives such a data abort.
 * Without `env` the caller cannot take 'fault': a fault then falls back to UNDEFINED (null).
 */
function dcZva(cpu: Cpu, x: Word64, env: SysEnv | undefined): SysregResult | null {
  const m = walkOnlyMmu(cpu);
  const el = ((cpu.sysLo(SYS.SPSR_EL2) >>> 2) & 3) === 0 ? 0 : 1;
  const at = `Xt = ${hex64(x)}`;
  let pagesIn = 0;
  const resolve = (mode: number): boolean => {
    for (;;) {
      if (m.resolve(x.lo, x.hi, ACC_WRITE, el, mode)) return true;
      const f = m.fault;
      if (env === undefined || f.stage !== 2 || !isTranslationFault(f.fsc) || pagesIn >= MAX_PAGE_INS || !env.pageIn(f.ipa)) return false;
      pagesIn++;
    }
  };
  const paged = (): string => (pagesIn > 0 ? `, ${pagesIn} page${pagesIn > 1 ? 's' : ''} mapped` : '');
  // Stage 1 alone first: its faults and its memory type decide before stage 2 is looked at.
  let ok = resolve(MODE_S1ONLY);
  const s1Device = ok && isDevice(m.s1Attrs & 0xff);
  if ((!ok && m.fault.stage === 1) || s1Device) {
    if (env === undefined) return null;
    const fsc = s1Device ? FSC_ALIGNMENT : m.fault.fsc;
    injectDataAbort(cpu, fsc, true, x.lo, x.hi);
    const why = s1Device ? 'Device memory: alignment fault' : `stage-1 fault (FSC 0x${fsc.toString(16)})`;
    return { cause: 'sys DC ZVA', detail: `DC ZVA, ${at}: ${why}${paged()}, data abort (WnR=1) injected at EL1`, resume: 'fault' };
  }
  if (ok) ok = resolve(MODE_WALK);
  if (!ok || isDevice(m.attrs & 0xff)) {
    if (env === undefined) return null;
    const where = ok ? `Device at stage 2 (IPA 0x${m.ipa.toString(16)})` : `stage-2 fault at IPA 0x${m.fault.ipa.toString(16)}`;
    injectExternalAbort(cpu, false, true);
    cpu.setSys(SYS.FAR_EL1, x.lo, x.hi); // FAR_EL2 is not set by an EC 0x18 trap: the VA is Xt
    return { cause: 'sys DC ZVA', detail: `DC ZVA, ${at}: ${where}${paged()}: synchronous external abort injected at EL1`, resume: 'fault' };
  }
  const pa = m.pa - (m.pa % ZVA_BYTES);
  for (let k = 0; k < ZVA_BYTES; k += 4) cpu.bus.write(pa + k, 4, 0);
  // Decoded code on that page is stale now (a store would drop it too).
  const off = cpu.bus.ramOffset(pa);
  if (off >= 0) cpu.invalidateCodePage(off >>> 12);
  return {
    cause: 'sys DC ZVA',
    detail: `DC ZVA, ${at}: zeroed PA 0x${pa.toString(16)}..0x${(pa + ZVA_BYTES - 1).toString(16)}${paged()}`,
    resume: 'next',
  };
}
