// The architectural state of one PE (ARM ARM D1: PSTATE, general-purpose registers, SP banking).
// 64-bit registers are pairs of int32 words in one Int32Array: lo at 2*slot, hi at 2*slot+1.
// BigInt measured at about half the speed and allocates; see DESIGN.md.
import { NSYS } from './sysregs.js';

/** Register slots. Decoders resolve register number 31 to ZR or SP at decode time. */
export const ZR = 31; // reads as zero; nothing ever writes this slot
export const SP = 32; // the stack pointer selected by PSTATE.{EL,SPSel}
export const DISCARD = 33; // writes to XZR land here and are never read
export const NSLOTS = 34;

/** Run-loop status codes left by an instruction (faults are values, not JS exceptions). */
export const ST_OK = 0;
export const ST_EXC = 1; // a synchronous exception is pending (exc* fields)
export const ST_HALT = 2; // the machine stopped (exit, power off, fatal error)
export const ST_SYNC = 3; // context changed (sysreg write, ERET, ISB...): leave the block, refetch
export const ST_DEBUG = 4; // the debugger stops before this instruction (breakpoint, watchpoint): not executed

export class CpuState {
  /** System registers as int32 pairs, indexed by slot (src/cpu/sysregs.ts). */
  readonly sys = new Int32Array(NSYS * 2);
  /** X0..X30, ZR, SP, DISCARD as int32 pairs. */
  readonly r = new Int32Array(NSLOTS * 2);
  /** PC of the current block (lo/hi). Inside a block the loop knows the index. */
  pcLo = 0;
  pcHi = 0;
  /** Next PC, set by the loop to the fall-through and overwritten by taken branches. */
  npcLo = 0;
  npcHi = 0;

  // PSTATE (ARM ARM D1.4)
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  el = 1;
  spsel = 1;
  /** PSTATE.{D,A,I,F} as a 4-bit field, D at bit 3 (the layout of DAIF[9:6] >> 6). */
  daif = 0xf;
  /** PSTATE.SS, IL, PAN, UAO... kept as raw SPSR bits we do not otherwise model. */
  pstateOther = 0;

  /** Banked stack pointers SP_EL0..SP_EL2 as pairs; the live one is in slot SP. */
  readonly spBank = new Int32Array(6);

  // Pending synchronous exception (ST_EXC)
  status = ST_OK;
  excEC = 0;
  excISS = 0;
  excIL = 1;
  excTargetEl = 1;
  /** 1: ELR gets the next instruction's address (SVC/HVC/SMC), 0: this instruction's. */
  excRetNext = 0;
  excFarValid = 0;
  excFarLo = 0;
  excFarHi = 0;
  /** For a stage-2 fault: the faulting IPA (HPFAR_EL2 source), set by the MMU. */
  excIpaLo = 0;
  excIpaHi = 0;
  /** For a stage-2 fault on a stage-1 walk: the stage-1 level being read (FaultRecord.s1Level). */
  excS1Level = 0;
  haltReason = '';
  exitCode = 0;

  /** 1 when the pending abort is a stage-2 fault (the run loop then merges the instruction's ISS). */
  excS2 = 0;

  /** FP/SIMD registers V0..V31, 4 int32 words each, little-endian (Q[n] = vr[4n..4n+3]). */
  readonly vr = new Int32Array(32 * 4);
  fpcr = 0;
  fpsr = 0;

  /** Scratch for 64-bit results returned by helpers (the hi word). */
  tmpHi = 0;

  /** Exclusive monitor (ARM ARM B2.9): one address range, local monitor only. */
  exclValid = 0;
  exclLo = 0;
  exclHi = 0;
  exclSize = 0;
  /** Physical address of the reserved location (set with the monitor): DMA writes clear by PA. */
  exclPa = -1;

  /** Retired instruction count (double: exact to 2^53) and modelled cycles. */
  instret = 0;
  cycles = 0;

  readX(slot: number): bigint {
    // Off the hot path only (CLI, tests, debugger).
    return (BigInt(this.r[2 * slot + 1] >>> 0) << 32n) | BigInt(this.r[2 * slot] >>> 0);
  }
  writeX(slot: number, v: bigint): void {
    this.r[2 * slot] = Number(v & 0xffffffffn) | 0;
    this.r[2 * slot + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  get pc(): bigint {
    return (BigInt(this.pcHi >>> 0) << 32n) | BigInt(this.pcLo >>> 0);
  }
  set pc(v: bigint) {
    this.pcLo = Number(v & 0xffffffffn) | 0;
    this.pcHi = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  /** NZCV as the 4-bit field of SPSR/NZCV[31:28]. */
  get nzcv(): number {
    return (this.n << 3) | (this.z << 2) | (this.c << 1) | this.v;
  }
  set nzcv(f: number) {
    this.n = (f >>> 3) & 1;
    this.z = (f >>> 2) & 1;
    this.c = (f >>> 1) & 1;
    this.v = f & 1;
  }

  /** Which SP_ELx is live for (el, spsel): SPSel=0 selects SP_EL0 at any EL. */
  static spIndex(el: number, spsel: number): number {
    return spsel ? el : 0;
  }
  /** Change EL and/or SPSel, moving the live SP in and out of its bank. */
  setElSpsel(el: number, spsel: number): void {
    const from = CpuState.spIndex(this.el, this.spsel);
    const to = CpuState.spIndex(el, spsel);
    if (from !== to) {
      this.spBank[2 * from] = this.r[2 * SP];
      this.spBank[2 * from + 1] = this.r[2 * SP + 1];
      this.r[2 * SP] = this.spBank[2 * to];
      this.r[2 * SP + 1] = this.spBank[2 * to + 1];
    }
    this.el = el;
    this.spsel = spsel;
  }
  /** Read SP_ELn wherever it currently lives. */
  getSpEl(n: number): bigint {
    if (CpuState.spIndex(this.el, this.spsel) === n) return this.readX(SP);
    return (BigInt(this.spBank[2 * n + 1] >>> 0) << 32n) | BigInt(this.spBank[2 * n] >>> 0);
  }
  setSpEl(n: number, v: bigint): void {
    if (CpuState.spIndex(this.el, this.spsel) === n) return this.writeX(SP, v);
    this.spBank[2 * n] = Number(v & 0xffffffffn) | 0;
    this.spBank[2 * n + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  // ---- system registers ----
  sysLo(slot: number): number {
    return this.sys[2 * slot];
  }
  sysHi(slot: number): number {
    return this.sys[2 * slot + 1];
  }
  setSys(slot: number, lo: number, hi: number): void {
    this.sys[2 * slot] = lo;
    this.sys[2 * slot + 1] = hi;
  }
  sys64(slot: number): bigint {
    return (BigInt(this.sys[2 * slot + 1] >>> 0) << 32n) | BigInt(this.sys[2 * slot] >>> 0);
  }
  setSys64(slot: number, v: bigint): void {
    this.setSys(slot, Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
  }

  /** Stop the machine (the first reason wins). */
  halt(reason: string, code = 1): void {
    if (this.status === ST_HALT) return;
    this.status = ST_HALT;
    this.haltReason = reason;
    this.exitCode = code;
  }

  /** Leave a pending synchronous exception (a value, delivered by the run loop at the block). */
  raise(ec: number, iss: number, retNext: number, targetEl = 1): void {
    this.status = ST_EXC;
    this.excS2 = 0;
    this.excEC = ec;
    this.excISS = iss;
    this.excIL = 1;
    this.excRetNext = retNext;
    this.excTargetEl = targetEl;
    this.excFarValid = 0;
  }

  /** PSTATE as an SPSR value (ARM ARM C5.2.18, SPSR_EL1 for AArch64). */
  getSpsr(): number {
    const m = this.el === 0 ? 0 : (this.el << 2) | this.spsel;
    return ((this.nzcv << 28) | this.pstateOther | (this.daif << 6) | m) >>> 0;
  }
}
