// One PE: the architectural state plus the run loop, the decoded-block cache and the host-side
// fast translation cache for loads, stores and fetches. The fast cache is not the TLB model: it
// only remembers VA page -> RAM offset for pages where that is safe, and is flushed whenever a
// translation input changes (contextChanged).
import { CpuState, ST_OK, ST_EXC, ST_HALT, ST_DEBUG, ST_SYNC, SP } from './state.js';
import { Decoder, Insn, F_ENDS_BLOCK, type Encoding } from './decode.js';
import { NSYS, SYS, sysDefs } from './sysregs.js';
import { takeException, EC_IABT_LOWER, EC_IABT_SAME, EC_DABT_LOWER, EC_DABT_SAME, EC_UNKNOWN } from './exceptions.js';
import { EC_ILLEGAL_STATE, PSTATE_IL } from './exceptions.js';
import type { Bus } from '../devices/bus.js';
import { Timing, timingProfile, DEFAULT_PROFILE } from './timing.js';
import { GenericTimer } from './timer.js';
import { takeAsyncToEl2, VEC_IRQ, VEC_FIQ, VEC_SERROR } from './exceptions.js';
import {
  translate,
  ACC_READ,
  ACC_WRITE,
  ACC_FETCH,
  FSC_ALIGNMENT,
  FSC_SYNC_EXTERNAL,
  MT_DEVICE,
  resetMmu,
  configureTlb,
  type Translation,
} from '../mmu/translate.js';

const FC_BITS = 10;
const FC_SIZE = 1 << FC_BITS;
const FC_MASK = FC_SIZE - 1;
/** A tag that can never equal a page-aligned address (low bits set). */
const FC_INVALID = 1;
const PAGE_MASK = ~0xfff;
/** Longest decoded block; blocks also stop at a page end and after a block-ending instruction. */
const MAX_BLOCK = 128;

export class Block {
  readonly insns: Insn[] = [];
  /** Prefix sums of static cycle cost: cost[k] is the cost of the first k instructions. */
  costs: number[] = [0];
  /** Chain to the last successor, valid while gen matches (DESIGN: block chaining). */
  nextLo = 0;
  nextHi = 0;
  next: Block | null = null;
  nextGen = -1;
  constructor(readonly pa: number) {}
}

/** The platform at EL2/EL3 as the guest sees it: PSCI, semihosting, the hypervisor. */
export interface Firmware {
  /** A synchronous exception routed to EL2 (HVC, stage-2 abort...). ESR_EL2 etc. are set. */
  el2Exception(cpu: Cpu): void;
  /** HLT #imm: semihosting (0xF000) or a halting debug event. Returns false if not handled. */
  hlt(cpu: Cpu, imm: number): boolean;
  /** SMC #imm with no EL3: returns false to make it UNDEFINED. */
  smc?(cpu: Cpu, imm: number): boolean;
  /**
   * WFI (not trapped) with no wake-up event pending and no timer deadline ahead: nothing in the
   * machine can wake the PE. The firmware may wait for host input (cpu.requestYield()) or stop
   * the machine; without this hook the machine stops ("WFI with no interrupt source").
   */
  wfi?(cpu: Cpu): void;
  /**
   * WFI with no wake-up event pending but a timer deadline ahead (cycle count `deadline`).
   * Returning true means the firmware paces the idle time itself (it requested a yield and will
   * advance modelled time with idle()); false lets the PE sleep to the deadline at once.
   */
  idle?(cpu: Cpu, deadline: number): boolean;
  /**
   * A physical IRQ or FIQ routed to EL2 (HCR_EL2.IMO/FMO, ARM ARM D1.3.6): SPSR_EL2 and ELR_EL2
   * are set; the firmware acknowledges its interrupt controller, then the CPU ERETs.
   */
  el2Interrupt?(cpu: Cpu, fiq: boolean): void;
}

// HCR_EL2 bits for interrupt routing and virtual interrupts (ARM ARM D13.2.46).
const HCR_FMO = 1 << 3;
const HCR_IMO = 1 << 4;
const HCR_AMO = 1 << 5;
const HCR_VF = 1 << 6;
const HCR_VI = 1 << 7;
const HCR_VSE = 1 << 8;
const HCR_TGE = 1 << 27;
/** Interrupt line bits for setInterruptLines (the GIC's outputs). */
export const LINE_IRQ = 1;
export const LINE_FIQ = 2;
export const LINE_VIRQ = 4;
export const LINE_VFIQ = 8;

/** Direct-mapped block cache size (a power of two). */
const BC_SIZE = 1 << 14;
const BC_MASK = BC_SIZE - 1;

export class Cpu extends CpuState {
  readonly sys = new Int32Array(NSYS * 2);
  readonly decoder: Decoder;
  readonly ram32: Int32Array;
  readonly ramU8: Uint8Array;
  readonly ramI16: Int16Array;
  readonly ramDv: DataView;
  readonly ramBase: number;
  readonly ramSize: number;

  // Fast translation cache: [el * FC_SIZE + index], tag = page-aligned VA lo, hi word, RAM offset.
  private readonly rTag = new Int32Array(3 * FC_SIZE);
  private readonly rHi = new Int32Array(3 * FC_SIZE);
  private readonly rOff = new Int32Array(3 * FC_SIZE);
  private readonly wTag = new Int32Array(3 * FC_SIZE);
  private readonly wHi = new Int32Array(3 * FC_SIZE);
  private readonly wOff = new Int32Array(3 * FC_SIZE);
  private readonly xTag = new Int32Array(3 * FC_SIZE);
  private readonly xHi = new Int32Array(3 * FC_SIZE);
  private readonly xPa = new Float64Array(3 * FC_SIZE);
  private fcBase = FC_SIZE;

  /** Decoded blocks by physical address, and the blocks on each RAM page (for invalidation). */
  private readonly blocks = new Map<number, Block>();
  /**
   * A direct-mapped cache in front of `blocks` (indexed by PA bits [15:2]): block lookups that
   * chaining misses (returns, indirect branches, after exceptions) cost a compare, not a Map probe.
   */
  private readonly bcPa = new Float64Array(BC_SIZE).fill(-1);
  private readonly bcBlock: (Block | null)[] = new Array<Block | null>(BC_SIZE).fill(null);
  private readonly pageBlocks = new Map<number, Block[]>();
  /** 1 for RAM pages holding decoded code: stores there take the slow path. */
  private readonly codePage: Uint8Array;
  /** Bumped whenever chains or fast-cache entries may be stale. */
  gen = 0;

  firmware: Firmware | null = null;
  /** The timing profile: static costs applied at decode, charges for events (src/cpu/timing.ts). */
  timing = new Timing(timingProfile(DEFAULT_PROFILE));
  /**
   * Interrupt inputs from the GIC (setInterruptLines): physical IRQ/FIQ and the virtual CPU
   * interface's vIRQ/vFIQ. Sampled at block boundaries (DESIGN.md), like the timer deadline.
   */
  irqLine = 0;
  fiqLine = 0;
  virqLine = 0;
  vfiqLine = 0;
  /** The Generic Timer (counter, EL1 physical, virtual and EL2 physical timers). */
  readonly timer: GenericTimer;
  /** Cycle count at which a timer output next changes (Infinity: none). */
  timerDeadline = Infinity;
  /**
   * The run loop looks at interrupts and timers when cycles >= checkAt: 0 while any interrupt
   * source is asserted (it may be masked: it is sampled again at every block), else the timer
   * deadline. One compare per block on the hot path.
   */
  private checkAt = Infinity;
  /** Cycles skipped by WFI waiting for a timer (part of `cycles`; reported so CPI can exclude it). */
  idleCycles = 0;
  /** Asynchronous exceptions taken (IRQ, FIQ, virtual SError; to EL1 or EL2). */
  interruptsTaken = 0;
  /** Set by requestYield(): leave run() after the current instruction (the firmware waits for the host). */
  private yieldRequested = false;
  /** Optional per-instruction trace hook (slow: --trace, debugger single-step). */
  tracer: ((cpu: Cpu, pcLo: number, pcHi: number, ins: Insn) => void) | null = null;
  /**
   * Debugger watchpoints (src/debug): called on every slow-path data access after a successful
   * translation, before the access; returning true stops before the instruction (ST_DEBUG, the
   * access not made). While set, data pages get no fast-cache entries, so every access is seen.
   */
  watch: ((lo: number, hi: number, size: number, write: boolean) => boolean) | null = null;
  /** Exception entries with no instruction retired in between: detects a guest lost in the void. */
  private excStreak = 0;
  /** The exception that began the current streak: PC lo, hi, EC, ISS. */
  private readonly streakFirst = new Int32Array(4);
  private readonly tr: Translation = { pa: 0, memType: 0, cacheable: true, s2Device: false, ipa: 0 };

  constructor(
    readonly bus: Bus,
    groups: Encoding[][],
    /** ID register values of the CPU model (src/cpu/profile.ts) as [slot, lo, hi], set at reset. */
    private readonly idRegs: readonly (readonly [number, number, number])[] = [],
  ) {
    super();
    this.decoder = new Decoder(groups, execUndefined);
    this.ram32 = bus.i32;
    this.ramU8 = bus.u8;
    this.ramI16 = new Int16Array(bus.ram);
    this.ramDv = bus.dv;
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ramSize;
    this.codePage = new Uint8Array(bus.ramSize >>> 12);
    this.timer = new GenericTimer(this);
    this.reset();
  }

  reset(): void {
    this.r.fill(0);
    this.spBank.fill(0);
    this.sys.fill(0);
    for (const d of sysDefs) {
      if (d.reset) {
        this.sys[2 * d.slot] = d.reset[0];
        this.sys[2 * d.slot + 1] = d.reset[1];
      }
    }
    for (const [slot, lo, hi] of this.idRegs) this.setSys(slot, lo, hi);
    this.el = 1;
    this.spsel = 1;
    this.daif = 0xf;
    this.nzcv = 0;
    this.pstateOther = 0;
    this.status = ST_OK;
    this.exclValid = 0;
    this.instret = 0;
    this.cycles = 0;
    this.haltReason = '';
    this.exitCode = 0;
    this.excStreak = 0;
    this.idleCycles = 0;
    this.interruptsTaken = 0;
    this.yieldRequested = false;
    this.pcLo = this.pcHi = 0;
    this.invalidateAllCode();
    resetMmu(this); // TLB contents do not survive a reset
    this.contextChanged();
    // The timers' registers were reset (all disabled): their outputs drop, no deadline.
    this.timer.changed();
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
  readSpBank(n: number): number {
    if (CpuState.spIndex(this.el, this.spsel) === n) {
      this.tmpHi = this.r[2 * SP + 1];
      return this.r[2 * SP];
    }
    this.tmpHi = this.spBank[2 * n + 1];
    return this.spBank[2 * n];
  }
  writeSpBank(n: number, lo: number, hi: number): void {
    if (CpuState.spIndex(this.el, this.spsel) === n) {
      this.r[2 * SP] = lo;
      this.r[2 * SP + 1] = hi;
    } else {
      this.spBank[2 * n] = lo;
      this.spBank[2 * n + 1] = hi;
    }
  }
  el0CounterOk(kind: number): boolean {
    // CNTKCTL_EL1.EL0PCTEN (bit 0) / EL0VCTEN (bit 1).
    return (this.sysLo(SYS.CNTKCTL_EL1) & (kind === 0 ? 1 : 2)) !== 0;
  }
  /**
   * ISR_EL1 (D13.2.73): A, I, F pending. At EL1/EL0 with HCR_EL2.AMO/IMO/FMO set the bit shows the
   * virtual interrupt (HCR_EL2.VSE/VI/VF or the GIC's virtual line), otherwise the physical one.
   */
  readIsr(): number {
    this.tmpHi = 0;
    const hcr = this.sysLo(SYS.HCR_EL2);
    const virt = this.el < 2 && (hcr & HCR_TGE) === 0;
    const i = virt && hcr & HCR_IMO ? (hcr & HCR_VI) !== 0 || this.virqLine !== 0 : this.irqLine !== 0;
    const f = virt && hcr & HCR_FMO ? (hcr & HCR_VF) !== 0 || this.vfiqLine !== 0 : this.fiqLine !== 0;
    const a = virt && hcr & HCR_AMO ? (hcr & HCR_VSE) !== 0 : false;
    return (a ? 1 << 8 : 0) | (i ? 1 << 7 : 0) | (f ? 1 << 6 : 0);
  }
  interruptMaskChanged(): void {
    /* interrupts are sampled at block boundaries; DAIF writes end their block */
  }

  /** The GIC's outputs changed (LINE_* bits). */
  setInterruptLines(lines: number): void {
    this.irqLine = lines & LINE_IRQ;
    this.fiqLine = lines & LINE_FIQ;
    this.virqLine = lines & LINE_VIRQ;
    this.vfiqLine = lines & LINE_VFIQ;
    this.interruptsChanged();
  }
  /** The timer's next event moved (GenericTimer.changed). Device events share the deadline. */
  setTimerDeadline(at: number): void {
    this.genericTimerAt = at;
    this.timerDeadline = Math.min(at, this.deviceEventAt);
    this.interruptsChanged();
  }

  // ---- device events: a board device's own deadline (the PL031's match), kept apart from the
  // Generic Timer; the run loop and WFI see it through timerDeadline, so it fires at the block
  // boundary where `cycles` reaches it, whether the guest polls the device or sleeps.
  private genericTimerAt = Infinity;
  private deviceEventAt = Infinity;
  private readonly deviceEvents = new Map<string, { at: number; fn: () => void }>();

  /** Run `fn` when cycles reach `at` (one event per `key`, replacing the previous; Infinity cancels). */
  scheduleDeviceEvent(key: string, at: number, fn: () => void): void {
    if (at === Infinity) this.deviceEvents.delete(key);
    else this.deviceEvents.set(key, { at, fn });
    this.deviceEventsChanged();
  }

  private deviceEventsChanged(): void {
    let next = Infinity;
    for (const e of this.deviceEvents.values()) if (e.at < next) next = e.at;
    this.deviceEventAt = next;
    this.setTimerDeadline(this.genericTimerAt);
  }

  private runDeviceEvents(): void {
    if (this.cycles < this.deviceEventAt) return;
    for (const [key, e] of [...this.deviceEvents]) {
      if (this.cycles < e.at) continue;
      this.deviceEvents.delete(key); // before fn, which may schedule the key again
      e.fn();
    }
    this.deviceEventsChanged();
  }
  /**
   * Re-evaluate when the run loop must look at interrupts: after a line, HCR_EL2 (VI/VF/VSE,
   * IMO/FMO/AMO) or timer change. The hypervisor calls it after writing HCR_EL2 with setSys.
   */
  interruptsChanged(): void {
    const any = this.irqLine | this.fiqLine | this.virqLine | this.vfiqLine | (this.sysLo(SYS.HCR_EL2) & (HCR_VI | HCR_VF | HCR_VSE));
    this.checkAt = any !== 0 ? 0 : this.timerDeadline;
  }

  /**
   * A WFI wake-up event is pending (D1.6.2 "Wait for Interrupt"): a physical interrupt even if
   * masked by PSTATE, or at EL1/EL0 a virtual one enabled by HCR_EL2.IMO/FMO/AMO.
   */
  wfiWakeup(): boolean {
    if ((this.irqLine | this.fiqLine) !== 0) return true;
    if (this.el >= 2) return false;
    const hcr = this.sysLo(SYS.HCR_EL2);
    if (hcr & HCR_TGE) return false;
    return (
      ((hcr & HCR_IMO) !== 0 && ((hcr & HCR_VI) !== 0 || this.virqLine !== 0)) ||
      ((hcr & HCR_FMO) !== 0 && ((hcr & HCR_VF) !== 0 || this.vfiqLine !== 0)) ||
      ((hcr & HCR_AMO) !== 0 && (hcr & HCR_VSE) !== 0)
    );
  }

  /**
   * WFI that was not trapped: with a wake-up event pending it completes at once; otherwise the PE
   * sleeps until the next timer event (modelled time skips there, counted in idleCycles); with no
   * timer armed nothing can wake it but the host (the firmware's wfi hook) or it sleeps forever.
   */
  waitForInterrupt(): void {
    if (this.wfiWakeup()) return;
    const fw = this.firmware;
    if (this.timerDeadline !== Infinity && fw !== null && fw.idle !== undefined && fw.idle(this, this.timerDeadline)) return;
    if (this.sleepUntilTimer()) return;
    if (fw !== null && fw.wfi !== undefined) fw.wfi(this);
    else this.halt('WFI with no interrupt source');
  }

  /**
   * Sleep until the next timer event, if one is armed: modelled time skips to it (counted in
   * idleCycles) and the run loop takes the interrupt at the next block. Returns false if none.
   */
  sleepUntilTimer(): boolean {
    if (this.timerDeadline === Infinity) return false;
    if (this.timerDeadline > this.cycles) {
      this.idleCycles += this.timerDeadline - this.cycles;
      this.cycles = this.timerDeadline;
    }
    return true;
  }

  /** Modelled time passes with the PE asleep (counted in idleCycles); the timer fires when due. */
  idleFor(cycles: number): void {
    if (cycles <= 0) return;
    this.idleCycles += cycles;
    this.cycles += cycles;
  }

  /** Leave run() after the current instruction completes (e.g. to wait for host input). */
  requestYield(): void {
    this.yieldRequested = true;
    if (this.status === ST_OK) this.status = ST_SYNC;
  }

  /** Any translation input changed (SCTLR/TCR/TTBR/MAIR/HCR/VTTBR, TLBI, EL change). */
  contextChanged(): void {
    this.rTag.fill(FC_INVALID);
    this.wTag.fill(FC_INVALID);
    this.xTag.fill(FC_INVALID);
    this.fcBase = this.el * FC_SIZE;
    this.gen++;
  }
  /**
   * The MMU's L1 TLB model evicted the translation of the VA range [lo,hi] + 2^shift: forget the
   * fast-cache pages in it (data: read and write entries; fetch: fetch entries and block chains),
   * so that the fast cache never holds a page the L1 model does not (src/mmu/README.md).
   */
  dropFastPages(lo: number, hi: number, shift: number, fetch: boolean): void {
    const pages = shift >= 12 + FC_BITS ? FC_SIZE : 1 << (shift - 12);
    const mask = ~((1 << shift) - 1) | 0;
    const first = (lo >>> 12) & FC_MASK;
    for (let k = 0; k < pages; k++) {
      const idx = (first + k) & FC_MASK;
      for (let i = idx; i < 3 * FC_SIZE; i += FC_SIZE) {
        if (fetch) {
          if ((this.xTag[i] & mask) === lo && this.xHi[i] === hi) this.xTag[i] = FC_INVALID;
        } else {
          if ((this.rTag[i] & mask) === lo && this.rHi[i] === hi) this.rTag[i] = FC_INVALID;
          if ((this.wTag[i] & mask) === lo && this.wHi[i] === hi) this.wTag[i] = FC_INVALID;
        }
      }
    }
    if (fetch) this.gen++;
  }
  /**
   * Use EL `el`'s fast-cache bank for the following data accesses without changing PSTATE.EL:
   * unprivileged loads/stores (LDTR/STTR at EL1) run on EL0's bank (see mmu/translate.ts
   * unprivilegedBegin/End). Restored with setFastBank(this.el).
   */
  setFastBank(el: number): void {
    this.fcBase = el * FC_SIZE;
  }
  /** EL changed: select that EL's fast-cache bank; chains may cross a permission change. */
  elChanged(): void {
    this.fcBase = this.el * FC_SIZE;
    this.gen++;
  }

  halt(reason: string, code = 1): void {
    if (this.status === ST_HALT) return;
    this.status = ST_HALT;
    this.haltReason = reason;
    this.exitCode = code;
  }

  // ---- pending synchronous exceptions (values, delivered by the run loop) ----
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
  /** A stage-1 style abort to EL1 (ARM ARM D17.2.37: EC 0x20/0x21/0x24/0x25, ISV=0 at EL1). */
  abort(acc: number, fsc: number, lo: number, hi: number, s1ptw: boolean): void {
    const lower = this.el === 0;
    let ec: number;
    let iss = fsc;
    if (acc === ACC_FETCH) ec = lower ? EC_IABT_LOWER : EC_IABT_SAME;
    else {
      ec = lower ? EC_DABT_LOWER : EC_DABT_SAME;
      if (acc === ACC_WRITE) iss |= 1 << 6; // WnR
    }
    if (s1ptw) iss |= 1 << 7;
    this.raise(ec, iss, 0);
    this.excFarValid = 1;
    this.excFarLo = lo;
    this.excFarHi = hi;
  }

  // ---- loads and stores (hot path). Fast cache hit: aligned, RAM, page seen before. ----
  ld8(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & PAGE_MASK) && this.rHi[i] === hi) return this.ramU8[this.rOff[i] + (lo & 0xfff)];
    return this.slowRead(lo, hi, 1);
  }
  ld16(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 1)) && this.rHi[i] === hi) {
      return this.ramI16[(this.rOff[i] + (lo & 0xfff)) >> 1] & 0xffff;
    }
    return this.slowRead(lo, hi, 2);
  }
  /** Returns the word as int32. */
  ld32(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 3)) && this.rHi[i] === hi) {
      return this.ram32[(this.rOff[i] + (lo & 0xfff)) >> 2];
    }
    return this.slowRead(lo, hi, 4) | 0;
  }
  /** Returns the low word; the high word is in tmpHi. */
  ld64(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 7)) && this.rHi[i] === hi) {
      const k = (this.rOff[i] + (lo & 0xfff)) >> 2;
      this.tmpHi = this.ram32[k + 1];
      return this.ram32[k];
    }
    return this.slowRead(lo, hi, 8);
  }
  st8(lo: number, hi: number, v: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & PAGE_MASK) && this.wHi[i] === hi) {
      this.ramU8[this.wOff[i] + (lo & 0xfff)] = v;
      return;
    }
    this.slowWrite(lo, hi, 1, v, 0);
  }
  st16(lo: number, hi: number, v: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 1)) && this.wHi[i] === hi) {
      this.ramI16[(this.wOff[i] + (lo & 0xfff)) >> 1] = v;
      return;
    }
    this.slowWrite(lo, hi, 2, v, 0);
  }
  st32(lo: number, hi: number, v: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 3)) && this.wHi[i] === hi) {
      this.ram32[(this.wOff[i] + (lo & 0xfff)) >> 2] = v;
      return;
    }
    this.slowWrite(lo, hi, 4, v, 0);
  }
  /**
   * DC ZVA's 64-byte block at (lo, hi) (64-aligned) through the fast cache: a write entry for
   * the page means Normal cacheable RAM, writable, not code and not watched, as the slow path
   * would find. Returns false (nothing written) when the page has no entry.
   */
  zero64Fast(lo: number, hi: number): boolean {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] !== (lo & PAGE_MASK) || this.wHi[i] !== hi) return false;
    const k = this.wOff[i] + (lo & 0xfc0);
    this.ramU8.fill(0, k, k + 64);
    return true;
  }

  st64(lo: number, hi: number, vlo: number, vhi: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 7)) && this.wHi[i] === hi) {
      const k = (this.wOff[i] + (lo & 0xfff)) >> 2;
      this.ram32[k] = vlo;
      this.ram32[k + 1] = vhi;
      return;
    }
    this.slowWrite(lo, hi, 8, vlo, vhi);
  }

  /**
   * 16-byte (Q register) load into v[t..t+3]. Alignment is judged on the whole 16-byte access
   * (ARM ARM B2.5.2), with one translation; registers change only if every byte was read.
   */
  ldQ(lo: number, hi: number, v: Int32Array, t: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 15)) && this.rHi[i] === hi) {
      const k = (this.rOff[i] + (lo & 0xfff)) >> 2;
      const r = this.ram32;
      v[t] = r[k];
      v[t + 1] = r[k + 1];
      v[t + 2] = r[k + 2];
      v[t + 3] = r[k + 3];
      return;
    }
    const w = this.qScratch;
    const crossing = (lo & 0xfff) > 0xff0;
    // A page-crossing Q access is unaligned: check it against the first page's memory type.
    if (crossing && this.xlate(lo, hi, ACC_READ, true) < 0) return;
    if (crossing || !this.qTranslate(lo, hi, ACC_READ)) {
      // Crossing a page (or not RAM): two 8-byte halves, each through the normal path.
      w[0] = this.ld64(lo, hi);
      w[1] = this.tmpHi;
      if (this.status !== ST_OK) return;
      const lo2 = (lo + 8) | 0;
      w[2] = this.ld64(lo2, (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi);
      w[3] = this.tmpHi;
      if (this.status !== ST_OK) return;
    } else {
      if (this.status !== ST_OK) return;
      const off = this.tr.pa - this.ramBase;
      const dv = this.ramDv;
      for (let k = 0; k < 4; k++) w[k] = dv.getInt32(off + 4 * k, true);
    }
    v[t] = w[0];
    v[t + 1] = w[1];
    v[t + 2] = w[2];
    v[t + 3] = w[3];
  }
  /** 16-byte (Q register) store of v[t..t+3]; alignment judged on the whole access. */
  stQ(lo: number, hi: number, v: Int32Array, t: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 15)) && this.wHi[i] === hi) {
      const k = (this.wOff[i] + (lo & 0xfff)) >> 2;
      const r = this.ram32;
      r[k] = v[t];
      r[k + 1] = v[t + 1];
      r[k + 2] = v[t + 2];
      r[k + 3] = v[t + 3];
      return;
    }
    const crossing = (lo & 0xfff) > 0xff0;
    if (crossing && this.xlate(lo, hi, ACC_WRITE, true) < 0) return;
    if (crossing || !this.qTranslate(lo, hi, ACC_WRITE)) {
      const lo2 = (lo + 8) | 0;
      const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
      // Check the second half translates before writing the first (no partial store on a fault).
      if (this.xlate(lo2, hi2, ACC_WRITE, (lo2 & 7) !== 0) < 0) return;
      this.st64(lo, hi, v[t], v[t + 1]);
      if (this.status !== ST_OK) return;
      this.st64(lo2, hi2, v[t + 2], v[t + 3]);
      return;
    }
    if (this.status !== ST_OK) return;
    const off = this.tr.pa - this.ramBase;
    const page = off >>> 12;
    if (this.codePage[page]) this.invalidateCodePage(page);
    const dv = this.ramDv;
    for (let k = 0; k < 4; k++) dv.setInt32(off + 4 * k, v[t + k], true);
  }
  private readonly qScratch = new Int32Array(4);
  /**
   * Translate a 16-byte access within one page. Returns true when it is RAM (this.tr.pa set) or
   * a fault is pending; false when it is a device (the caller splits it into 8-byte accesses).
   */
  private qTranslate(lo: number, hi: number, acc: number): boolean {
    const pa = this.xlate(lo, hi, acc, (lo & 15) !== 0);
    if (pa < 0) return true;
    if (this.watch !== null && this.watch(lo, hi, 16, acc === ACC_WRITE)) {
      this.status = ST_DEBUG;
      return true;
    }
    const off = pa - this.ramBase;
    if (off < 0 || off >= this.ramSize) return false;
    if ((lo & 15) === 0 && this.tr.cacheable && this.watch === null) {
      const i = this.fcBase | ((lo >>> 12) & FC_MASK);
      if (acc === ACC_READ) {
        this.rTag[i] = lo & PAGE_MASK;
        this.rHi[i] = hi;
        this.rOff[i] = off & PAGE_MASK;
      } else if (!this.codePage[off >>> 12]) {
        this.wTag[i] = lo & PAGE_MASK;
        this.wHi[i] = hi;
        this.wOff[i] = off & PAGE_MASK;
      }
    }
    return true;
  }

  /**
   * Slow path: translate, check alignment against the memory type (ARM ARM B2.5.2: unaligned
   * accesses to Device memory, or any with SCTLR_EL1.A=1, take an Alignment fault), then RAM or
   * a device. A page-crossing unaligned access is done byte by byte, each byte translated.
   * On a fault, sets the pending exception and returns 0.
   */
  slowRead(lo: number, hi: number, size: number): number {
    const unaligned = (lo & (size - 1)) !== 0;
    if (unaligned && (lo & 0xfff) + size > 0x1000) return this.crossPageRead(lo, hi, size);
    const pa = this.xlate(lo, hi, ACC_READ, unaligned);
    if (pa < 0) return 0;
    if (this.watch !== null && this.watch(lo, hi, size, false)) {
      this.status = ST_DEBUG;
      return 0;
    }
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      if (!unaligned && this.tr.cacheable && this.watch === null) {
        const i = this.fcBase | ((lo >>> 12) & FC_MASK);
        this.rTag[i] = lo & PAGE_MASK;
        this.rHi[i] = hi;
        this.rOff[i] = off & PAGE_MASK;
      }
      const dv = this.ramDv;
      switch (size) {
        case 1:
          return this.ramU8[off];
        case 2:
          return dv.getUint16(off, true);
        case 4:
          return dv.getInt32(off, true);
        default:
          this.tmpHi = dv.getInt32(off + 4, true);
          return dv.getInt32(off, true);
      }
    }
    return this.deviceRead(pa, size, lo, hi);
  }

  slowWrite(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const unaligned = (lo & (size - 1)) !== 0;
    if (unaligned && (lo & 0xfff) + size > 0x1000) return this.crossPageWrite(lo, hi, size, vlo, vhi);
    const pa = this.xlate(lo, hi, ACC_WRITE, unaligned);
    if (pa < 0) return;
    if (this.watch !== null && this.watch(lo, hi, size, true)) {
      this.status = ST_DEBUG;
      return;
    }
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      const page = off >>> 12;
      if (this.codePage[page]) this.invalidateCodePage(page);
      if (!unaligned && this.tr.cacheable && this.watch === null) {
        const i = this.fcBase | ((lo >>> 12) & FC_MASK);
        this.wTag[i] = lo & PAGE_MASK;
        this.wHi[i] = hi;
        this.wOff[i] = off & PAGE_MASK;
      }
      const dv = this.ramDv;
      switch (size) {
        case 1:
          this.ramU8[off] = vlo;
          return;
        case 2:
          dv.setInt16(off, vlo, true);
          return;
        case 4:
          dv.setInt32(off, vlo, true);
          return;
        default:
          dv.setInt32(off, vlo, true);
          dv.setInt32(off + 4, vhi, true);
          return;
      }
    }
    this.deviceWrite(pa, size, vlo, vhi, lo, hi);
  }

  /** Translate for a data access; handles alignment by memory type. Returns PA or -1. */
  private xlate(lo: number, hi: number, acc: number, unaligned: boolean): number {
    const tr = this.tr;
    translate(this, lo, hi, acc, tr);
    if (tr.pa < 0) return -1;
    if (unaligned && (tr.memType === MT_DEVICE || (this.sysLo(SYS.SCTLR_EL1) & 2) !== 0)) {
      if (tr.s2Device === true && (this.sysLo(SYS.SCTLR_EL1) & 2) === 0) {
        // AArch64.S2Translate: an unaligned access to memory that stage 2 (not stage 1) made Device
        // is a stage-2 Alignment fault, taken to EL2 (EC 0x24, DFSC 0x21, FAR_EL2 = VA).
        this.raise(EC_DABT_LOWER, FSC_ALIGNMENT | (acc === ACC_WRITE ? 1 << 6 : 0), 0, 2);
        this.excS2 = 1;
        this.excFarValid = 1;
        this.excFarLo = lo;
        this.excFarHi = hi;
        const ipa = tr.ipa ?? 0;
        this.excIpaLo = ipa % 4294967296 | 0;
        this.excIpaHi = Math.floor(ipa / 4294967296) | 0;
        return -1;
      }
      this.abort(acc, FSC_ALIGNMENT, lo, hi, false);
      return -1;
    }
    return tr.pa;
  }

  private deviceRead(pa: number, size: number, lo: number, hi: number): number {
    const bus = this.bus;
    bus.error = false;
    this.cycles += this.timing.deviceAccess; // uncached, through the interconnect
    let v: number;
    if (size === 8) {
      v = bus.read(pa, 4) | 0;
      this.tmpHi = bus.read(pa + 4, 4) | 0;
    } else {
      v = bus.read(pa, size);
    }
    if (bus.error) {
      this.abort(ACC_READ, FSC_SYNC_EXTERNAL, lo, hi, false);
      return 0;
    }
    return v;
  }
  private deviceWrite(pa: number, size: number, vlo: number, vhi: number, lo: number, hi: number): void {
    const bus = this.bus;
    bus.error = false;
    this.cycles += this.timing.deviceAccess;
    if (size === 8) {
      bus.write(pa, 4, vlo);
      bus.write(pa + 4, 4, vhi);
    } else {
      bus.write(pa, size, vlo);
    }
    if (bus.error) this.abort(ACC_WRITE, FSC_SYNC_EXTERNAL, lo, hi, false);
  }

  private crossPageRead(lo: number, hi: number, size: number): number {
    let vlo = 0;
    let vhi = 0;
    for (let k = 0; k < size; k++) {
      const alo = (lo + k) | 0;
      const ahi = (hi + ((alo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      const b = this.slowRead(alo, ahi, 1);
      if (this.status !== ST_OK) return 0;
      if (k < 4) vlo |= b << (8 * k);
      else vhi |= b << (8 * (k - 4));
    }
    this.tmpHi = vhi;
    return size === 4 ? vlo | 0 : size === 8 ? vlo : vlo >>> 0;
  }
  private crossPageWrite(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    // Check every byte translates before writing any, so a fault leaves memory unchanged.
    for (let k = 0; k < size; k += size - 1) {
      const alo = (lo + k) | 0;
      const ahi = (hi + ((alo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      if (this.xlate(alo, ahi, ACC_WRITE, true) < 0) return;
    }
    for (let k = 0; k < size; k++) {
      const alo = (lo + k) | 0;
      const ahi = (hi + ((alo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      const b = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
      this.slowWrite(alo, ahi, 1, b & 0xff, 0);
      if (this.status !== ST_OK) return;
    }
  }

  // ---- instruction fetch and the block cache ----
  /** Translate PC for execution. Returns the PA, or -1 with an instruction abort pending. */
  private fetchPa(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    // Folding PC[1:0] into the compare sends a misaligned PC (BR/RET/ERET) to the fault below.
    if (this.xTag[i] === (lo & (PAGE_MASK | 3)) && this.xHi[i] === hi) return this.xPa[i] + (lo & 0xfff);
    if ((lo & 3) !== 0) {
      // PC alignment fault (ARM ARM D1.3.4): EC 0x22, FAR = the misaligned PC.
      this.raise(0x22, 0, 0);
      this.excFarValid = 1;
      this.excFarLo = lo;
      this.excFarHi = hi;
      return -1;
    }
    const tr = this.tr;
    translate(this, lo, hi, ACC_FETCH, tr);
    if (tr.pa < 0) return -1;
    const off = tr.pa - this.ramBase;
    if (off < 0 || off >= this.ramSize) {
      // Executing outside RAM: no memory answers there (a synchronous external abort on fetch).
      this.abort(ACC_FETCH, FSC_SYNC_EXTERNAL, lo, hi, false);
      return -1;
    }
    this.xTag[i] = lo & PAGE_MASK;
    this.xHi[i] = hi;
    this.xPa[i] = tr.pa - (lo & 0xfff);
    return tr.pa;
  }

  private getBlock(pa: number): Block {
    const i = (pa >>> 2) & BC_MASK;
    if (this.bcPa[i] === pa) return this.bcBlock[i]!;
    let b = this.blocks.get(pa);
    if (b === undefined) b = this.decodeBlock(pa);
    this.bcPa[i] = pa;
    this.bcBlock[i] = b;
    return b;
  }

  private decodeBlock(pa: number): Block {
    const b = new Block(pa);
    const off0 = pa - this.ramBase;
    const page = off0 >>> 12;
    const end = Math.min(MAX_BLOCK, (0x1000 - (off0 & 0xfff)) >>> 2);
    let cost = 0;
    for (let k = 0; k < end; k++) {
      const raw = this.ram32[(off0 >> 2) + k];
      const ins = new Insn(execUndefined);
      this.decoder.decode(raw, ins);
      ins.cost = this.timing.cost(ins);
      b.insns.push(ins);
      cost += ins.cost;
      b.costs.push(cost);
      if (ins.flags & F_ENDS_BLOCK) break;
    }
    this.blocks.set(pa, b);
    let list = this.pageBlocks.get(page);
    if (list === undefined) {
      list = [];
      this.pageBlocks.set(page, list);
      if (!this.codePage[page]) {
        this.codePage[page] = 1;
        // A write fast-cache entry may point at this page: drop them all (rare).
        this.wTag.fill(FC_INVALID);
      }
    }
    list.push(b);
    return b;
  }

  /**
   * The PA that the load just completed at VA (lo, hi) read: from its fast-cache entry, or the
   * slow path's translation of that same access. Used to tag the exclusive monitor by PA.
   */
  lastReadPa(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & PAGE_MASK) && this.rHi[i] === hi) return this.ramBase + this.rOff[i] + (lo & 0xfff);
    return this.tr.pa;
  }

  /**
   * A bus master (DMA, through the SMMU or not) wrote [pa, pa + len): as for a CPU store, decoded
   * code on those pages is dropped, and a reservation of the exclusive monitor on those bytes is
   * cleared (ARM ARM B2.9.5: a write by another observer to the marked address clears the global
   * monitor; with one PE the local monitor stands in for both).
   */
  dmaWritten(pa: number, len: number): void {
    if (len <= 0) return;
    const first = pa - this.ramBase;
    const last = first + len - 1;
    if (last >= 0 && first < this.ramSize) {
      const p0 = Math.max(first, 0) >>> 12;
      const p1 = Math.min(last, this.ramSize - 1) >>> 12;
      for (let p = p0; p <= p1; p++) if (this.codePage[p]) this.invalidateCodePage(p);
    }
    if (this.exclValid !== 0 && this.exclPa >= 0 && pa < this.exclPa + this.exclSize && this.exclPa < pa + len) this.exclValid = 0;
  }

  /** A store hit a page with decoded code: drop its blocks (self-modifying code, loaders). */
  invalidateCodePage(page: number): void {
    const list = this.pageBlocks.get(page);
    if (list) {
      for (const b of list) {
        this.blocks.delete(b.pa);
        const i = (b.pa >>> 2) & BC_MASK;
        if (this.bcPa[i] === b.pa) {
          this.bcPa[i] = -1;
          this.bcBlock[i] = null;
        }
      }
    }
    this.pageBlocks.delete(page);
    this.codePage[page] = 0;
    this.gen++;
  }
  invalidateAllCode(): void {
    this.blocks.clear();
    this.bcPa.fill(-1);
    this.bcBlock.fill(null);
    this.pageBlocks.clear();
    this.codePage.fill(0);
    this.gen++;
  }

  /**
   * Run until `maxInsns` instructions retire or the machine halts. Returns instructions retired.
   * Interrupts and the cycle model are handled at block boundaries.
   */
  run(maxInsns: number): number {
    const start = this.instret;
    let budget = maxInsns;
    let prev: Block | null = null;
    while (budget > 0) {
      if (this.status === ST_HALT) break;
      if (this.cycles >= this.checkAt && this.asyncEvents()) {
        // Taken (to EL1, or to EL2 and back): run at least one block before sampling again.
        prev = null;
        if (this.status === ST_HALT) break;
      }
      const pcLo = this.pcLo;
      const pcHi = this.pcHi;
      let b: Block;
      if (prev !== null && prev.nextGen === this.gen && prev.nextLo === pcLo && prev.nextHi === pcHi) {
        b = prev.next!;
      } else {
        const pa = this.fetchPa(pcLo, pcHi);
        if (pa < 0) {
          if (this.status === ST_EXC) this.deliver(pcLo, pcHi, 0);
          prev = null;
          continue;
        }
        if ((this.pstateOther & PSTATE_IL) !== 0) {
          // PSTATE.IL: an Illegal Execution state exception (EC 0x0E), after PC alignment and
          // instruction aborts in priority. IL is set only by exception returns, which bump gen,
          // so checking here (never on a chained jump) costs the hot path nothing.
          this.raise(EC_ILLEGAL_STATE, 0, 0);
          this.deliver(pcLo, pcHi, 0);
          prev = null;
          continue;
        }
        b = this.getBlock(pa);
        if (prev !== null) {
          prev.next = b;
          prev.nextLo = pcLo;
          prev.nextHi = pcHi;
          prev.nextGen = this.gen;
        }
      }
      const insns = b.insns;
      let n = insns.length;
      if (n > budget) n = budget;
      const fall = (pcLo + 4 * n) | 0;
      this.npcLo = fall;
      this.npcHi = (fall >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
      let k = 0;
      if (this.tracer === null) {
        for (; k < n; k++) {
          const ins = insns[k];
          ins.exec(this, ins);
          if (this.status !== ST_OK) break;
        }
      } else {
        for (; k < n; k++) {
          const ins = insns[k];
          const lo = (pcLo + 4 * k) | 0;
          this.tracer(this, lo, (lo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi, ins);
          if (this.status !== ST_OK) break; // the debugger stopped before this instruction
          ins.exec(this, ins);
          if (this.status !== ST_OK) break;
        }
      }
      if (k === n) {
        this.instret += n;
        budget -= n;
        this.cycles += b.costs[n];
        this.pcLo = this.npcLo;
        this.pcHi = this.npcHi;
        this.excStreak = 0;
        prev = b;
        continue;
      }
      // Instruction k stopped the block.
      prev = null;
      const flo = (pcLo + 4 * k) | 0;
      const fhi = (flo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
      if (this.status === ST_EXC) {
        const retired = k + this.excRetNext;
        this.instret += retired;
        budget -= retired;
        this.cycles += b.costs[k + this.excRetNext];
        if (retired > 0) this.excStreak = 0;
        // A stage-2 data abort reports the instruction's own syndrome (ISV, SAS, SSE, SRT, SF, AR).
        if (this.excS2 && this.excTargetEl === 2) this.excISS |= insns[k].iss;
        this.deliver(flo, fhi, this.excRetNext);
      } else if (this.status === ST_DEBUG) {
        // A breakpoint or watchpoint stopped before instruction k: it has not executed (so the
        // counts are those of the k before it) and resumes from here, as if the budget had run out.
        this.status = ST_OK;
        this.instret += k;
        this.cycles += b.costs[k];
        if (k > 0) this.excStreak = 0;
        this.pcLo = flo;
        this.pcHi = fhi;
        break;
      } else if (this.status === ST_HALT) {
        // The halting instruction (semihosting exit, PSCI off) completed.
        this.instret += k + 1;
        this.cycles += b.costs[k + 1];
        this.pcLo = this.npcLo;
        this.pcHi = this.npcHi;
        break;
      } else {
        // ST_SYNC: the instruction completed and asked to leave the block.
        this.status = ST_OK;
        this.instret += k + 1;
        budget -= k + 1;
        this.cycles += b.costs[k + 1];
        this.pcLo = this.npcLo;
        this.pcHi = this.npcHi;
        this.excStreak = 0;
        if (this.yieldRequested) {
          this.yieldRequested = false;
          break;
        }
      }
    }
    return this.instret - start;
  }

  /**
   * The hypervisor completed a trapped instruction on the guest's behalf (emulated MMIO, WFI,
   * HVC handled, ELR_EL2 moved past it): it counts as retired, and as progress for the lost-guest
   * check (a guest doing many MMIO accesses in a row is not lost).
   */
  retireEmulated(): void {
    this.instret++;
    this.cycles++; // its issue cycle; the emulation itself is the hypervisor's exit charge
    this.excStreak = 0;
  }

  /** Turn the pending synchronous exception into an exception entry. */
  private deliver(pcLo: number, pcHi: number, retNext: number): void {
    this.status = ST_OK;
    let rlo = pcLo;
    let rhi = pcHi;
    if (retNext) {
      rlo = (pcLo + 4) | 0;
      if (rlo === 0) rhi = (pcHi + 1) | 0;
    }
    if (this.excStreak === 0) {
      // Remember the exception that started a possible chain: it is the one worth reporting
      // (numbers only: the message is formatted if the chain ever halts the machine).
      const f = this.streakFirst;
      f[0] = pcLo;
      f[1] = pcHi;
      f[2] = this.excEC;
      f[3] = this.excISS;
    }
    if (++this.excStreak > 8) {
      const f = this.streakFirst;
      this.halt(
        `the guest is lost: ${this.excStreak} exceptions in a row with no instruction retired; ` +
          `the first was at PC 0x${hex64(f[0], f[1])}, EC 0x${f[2].toString(16)}, ISS 0x${(f[3] >>> 0).toString(16)}, the last at PC 0x${hex64(pcLo, pcHi)} ` +
          `(EC 0x${this.excEC.toString(16)}); is VBAR_EL1 set and is the code mapped?`,
      );
      return;
    }
    this.cycles += this.timing.exceptionEntry;
    takeException(this, rlo, rhi);
  }

  /** Switch timing profile: decoded blocks carry their static costs, so they are dropped. */
  setTiming(name: string): void {
    const p = timingProfile(name);
    this.timing = new Timing(p);
    configureTlb(this, { cost: { ...p.tlb } });
    this.invalidateAllCode();
  }

  /**
   * At a block boundary with cycles >= checkAt: let a due timer change its outputs, then take
   * the highest-priority interrupt that is routed and unmasked. Returns true if one was taken.
   */
  private asyncEvents(): boolean {
    if (this.cycles >= this.timerDeadline) {
      this.runDeviceEvents();
      this.timer.changed();
    }
    if (this.checkAt !== 0) return false;
    return this.takeInterrupt();
  }

  /**
   * Asynchronous exception routing and masking (ARM ARM D1.3.6, Tables D1-11/D1-12, pseudocode
   * AArch64.TakePhysicalIRQException / AArch64.TakeVirtualIRQException; no EL3, HCR_EL2.E2H=0):
   * - a physical IRQ/FIQ with HCR_EL2.IMO/FMO (or TGE) set goes to EL2 from EL0/EL1 and is not
   *   masked by PSTATE.I/F there; otherwise it goes to EL1, masked by PSTATE.I/F;
   * - virtual IRQ/FIQ/SError (HCR_EL2.VI/VF/VSE or the GIC's virtual CPU interface) exist only
   *   at EL0/EL1 with IMO/FMO/AMO set and TGE clear, are taken to EL1 and masked by PSTATE.
   * FIQ before IRQ before SError; physical before virtual.
   */
  private takeInterrupt(): boolean {
    if (this.el >= 2) return false;
    const hcr = this.sysLo(SYS.HCR_EL2);
    const tge = (hcr & HCR_TGE) !== 0;
    if (this.fiqLine !== 0) {
      if (tge || hcr & HCR_FMO) return this.interruptToEl2(true);
      if (!(this.daif & 1)) return this.interruptToEl1(VEC_FIQ);
    }
    if (this.irqLine !== 0) {
      if (tge || hcr & HCR_IMO) return this.interruptToEl2(false);
      if (!(this.daif & 2)) return this.interruptToEl1(VEC_IRQ);
    }
    if (tge) return false;
    return this.takeVirtual(hcr);
  }

  /** The virtual interrupts (EL0/EL1 with HCR_EL2.TGE=0): see takeInterrupt. */
  private takeVirtual(hcr: number): boolean {
    if (hcr & HCR_FMO && (hcr & HCR_VF || this.vfiqLine !== 0) && !(this.daif & 1)) return this.interruptToEl1(VEC_FIQ);
    if (hcr & HCR_IMO && (hcr & HCR_VI || this.virqLine !== 0) && !(this.daif & 2)) return this.interruptToEl1(VEC_IRQ);
    if (hcr & HCR_AMO && hcr & HCR_VSE && !(this.daif & 4)) {
      // A virtual SError (D1.3.6): ESR_EL1 EC 0x2F with ISS 0 (no FEAT_RAS: VSESR_EL2 absent);
      // taking it clears HCR_EL2.VSE.
      this.setSys(SYS.HCR_EL2, hcr & ~HCR_VSE, this.sysHi(SYS.HCR_EL2));
      this.excEC = 0x2f;
      this.excIL = 1;
      this.excISS = 0;
      this.excFarValid = 0;
      this.interruptsChanged();
      return this.interruptToEl1(VEC_SERROR);
    }
    return false;
  }

  private interruptToEl1(vec: number): boolean {
    this.interruptsTaken++;
    this.cycles += this.timing.exceptionEntry;
    takeException(this, this.pcLo, this.pcHi, vec);
    return true;
  }

  private interruptToEl2(fiq: boolean): boolean {
    this.interruptsTaken++;
    this.cycles += this.timing.exceptionEntry;
    takeAsyncToEl2(this, this.pcLo, this.pcHi, fiq);
    // The hypervisor's ERET lands in the guest with whatever virtual interrupt it injected
    // pending: that is taken before the guest's next instruction (as the run loop would, but it
    // first runs one block after an interrupt, in case EL2 left its own line asserted).
    if (this.status === ST_OK && this.el < 2) {
      const hcr = this.sysLo(SYS.HCR_EL2);
      if ((hcr & HCR_TGE) === 0) this.takeVirtual(hcr);
    }
    return true;
  }
}

function hex64(lo: number, hi: number): string {
  return hi !== 0 ? (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, '0') : (lo >>> 0).toString(16);
}

/** Any encoding not implemented: UNDEFINED (ARM ARM: EC 0x00 Unknown reason, IL=1). */
export function execUndefined(cpu: Cpu, _i: Insn): void {
  cpu.raise(EC_UNKNOWN, 0, 0);
}
