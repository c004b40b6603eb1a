// One PE: the architectural state (state.ts), the memory fast and slow paths (fastmem.ts), decoded
// code (blocks.ts), and here the rest: reset, interrupt inputs and their routing, WFI, synchronous
// exception delivery, and run() which hands the PE to an engine (engine-interp.ts).
import { ST_OK, ST_HALT, ST_SYNC, SP, CpuState } from './state.js';
import type { Insn, Encoding } from './decode.js';
import { SYS, sysDefs } from './sysregs.js';
import { takeException } from './exceptions.js';
import type { Bus } from '../devices/bus.js';
import { Timing, timingProfile } from './timing.js';
import { GenericTimer } from './timer.js';
import { takeAsyncToEl2, VEC_IRQ, VEC_FIQ, VEC_SERROR } from './exceptions.js';
import { Mmu, configureTlb } from '../mmu/translate.js';
import { CpuBlocks, Block, execUndefined } from './blocks.js';
import { runBlocks } from './engine-interp.js';
import { Jit, defaultEngine, type EngineName } from './jit/engine.js';
import { SLEEP_NONE, SLEEP_WFI, SLEEP_WFE } from './smp.js';
import { debugStateChanged, ssAdvanceEmulated } from './debug/unit.js';
import { Pmu } from './pmu/pmu.js'; // pmu
import { DetailedModel } from './timing/model.js'; // cycles: detailed profiles
import { attachModel, detachModel } from './timing/attach.js';

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

/** An exception-entry observer (Cpu.excObservers). */
export type ExcObserver = (cpu: Cpu, vec: number, target: number, retLo: number, retHi: number) => void;

export class Cpu extends CpuBlocks {
  /** The MMU: TLB model and walker (src/mmu/translate.ts). */
  mmu: Mmu;
  /**
   * The engine run() uses: the interpreter (the reference) or the translating engine. Both give
   * the same instructions, cycles, statistics and exceptions; the tracer and the debugger's
   * breakpoints always interpret.
   */
  engine: EngineName = defaultEngine();
  /** The translating engine's state (compiled blocks live on the blocks themselves). */
  readonly jit: Jit = new Jit(this);
  /** A walker-only MMU (no TLB, statistics or costs) for AT, the debugger and semihosting; made on first use. */
  walkOnlyMmu: Mmu | null = null;
  firmware: Firmware | null = null;
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
  /** pmu: the PMUv3 (src/cpu/pmu). */
  readonly pmu: Pmu;
  /** Cycle count at which a timer output next changes (Infinity: none). */
  timerDeadline = Infinity;
  /**
   * The run loop looks at interrupts and timers when cycles >= checkAt: 0 while any interrupt
   * source is asserted (it may be masked: it is sampled again at every block), else the timer
   * deadline. One compare per block on the hot path.
   */
  checkAt = Infinity;
  /** Cycles skipped by WFI waiting for a timer (part of `cycles`; reported so CPI can exclude it). */
  idleCycles = 0;
  /** Asynchronous exceptions taken (IRQ, FIQ, virtual SError; to EL1 or EL2). */
  interruptsTaken = 0;
  /**
   * Observers of exception entry, told of each before it is taken (--log's src/log/cpu-log.ts, the
   * library's hooks in src/api/hooks.ts): vec is VEC_SYNC (the exc* fields hold the syndrome),
   * VEC_IRQ, VEC_FIQ or VEC_SERROR; target the EL it goes to. Exceptions are off the hot path:
   * null (no observer) costs one compare per exception. Change it with add/removeExcObserver.
   */
  excObservers: ExcObserver[] | null = null;
  /** Set by requestYield(): leave run() after the current instruction (the firmware waits for the host). */
  yieldRequested = false;
  /** Optional per-instruction trace hook (slow: --trace, debugger single-step). */
  tracer: ((cpu: Cpu, pcLo: number, pcHi: number, ins: Insn) => void) | null = null;
  /** cycles: the detailed cycle model of a detailed timing profile (src/cpu/timing/), else null. */
  timed: DetailedModel | null = null;
  /** Exception entries with no instruction retired in between: detects a guest lost in the void. */
  excStreak = 0;
  /** The exception that began the current streak: PC lo, hi, EC, ISS. */
  private readonly streakFirst = new Int32Array(4);
  // ---- several PEs (src/cpu/smp.ts; `smp` itself is on CpuBlocks) ----
  /** This PE's number: MPIDR_EL1.Aff0, the GIC CPU interface it uses. */
  index = 0;
  /** Asleep in WFI or WFE (SLEEP_*): the scheduler skips it until a wake-up event. */
  sleeping = SLEEP_NONE;
  /** The Event Register (D1.6.1): set by SEV/SEVL and by the global monitor being cleared. */
  eventRegister = 0;
  /** Reservations of this PE cleared by another PE's store (the global monitor). */
  monitorClears = 0;
  /** Broadcast TLB maintenance: TLBI ...IS from other PEs received, and entries they removed. */
  shootdownsReceived = 0;
  shootdownEntries = 0;
  /** Shootdowns received by operation (e.g. 'VAE1IS'). */
  readonly shootdownsByOp = new Map<string, number>();
  /** TLBI ...IS this PE issued, and entries they removed from other PEs' TLBs. */
  tlbiBroadcasts = 0;
  tlbiBroadcastEntries = 0;
  // ---- a64hv debug: the guest's self-hosted debug (src/cpu/debug/unit.ts) ----
  /**
   * GD_* bits: an enabled breakpoint or watchpoint (with MDSCR_EL1.MDE), or MDSCR_EL1.SS, outside
   * the OS lock. Non-zero makes the run loop interpret instruction by instruction with the debug
   * checks (both engines). Re-derived by contextChanged().
   */
  guestDebug = 0;
  /** The watchpoint hook, made once (unit.ts sets guestWatch to it while a watchpoint is enabled). */
  guestWatchHook: ((lo: number, hi: number, size: number, write: boolean) => boolean) | null = null;
  /** The last step was an instruction (ISS.ISV of the next Software Step exception) and a load-exclusive (ISS.EX). */
  dbgStepped = 0;
  dbgSteppedEx = 0;

  constructor(
    bus: Bus,
    groups: Encoding[][],
    /** ID register values of the CPU model (src/cpu/profile.ts) as [slot, lo, hi], set at reset. */
    private readonly idRegs: readonly (readonly [number, number, number])[] = [],
  ) {
    super(bus, groups);
    this.mmu = new Mmu(this);
    this.timer = new GenericTimer(this);
    this.pmu = new Pmu(this); // pmu
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
    this.dbgStepped = this.dbgSteppedEx = 0; // a64hv debug
    this.pmu.reset(); // pmu: counters and controls to their reset values
    // MPIDR_EL1 (D23.2): bit 31 RES1, Aff0 = the PE number, as QEMU's virt gives up to 8 CPUs.
    // VMPIDR_EL2 resets to the same value (what EL1 reads while EL2 does not change it).
    this.sys[2 * SYS.MPIDR_EL1] = this.sys[2 * SYS.VMPIDR_EL2] = (0x8000_0000 | this.index) | 0;
    this.sleeping = SLEEP_NONE;
    this.eventRegister = 0;
    this.invalidateAllCode();
    this.mmu.tlb.flushAll(); // TLB contents do not survive a reset (statistics are kept)
    this.contextChanged();
    // The timers' registers were reset (all disabled): their outputs drop, no deadline.
    this.timer.changed();
  }

  /** a64hv debug: a translation or debug input changed; re-derive the guest-debug state too. */
  override contextChanged(): void {
    super.contextChanged();
    debugStateChanged(this);
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

  /** [api snapshots] Forget every device event (a restored device asks again: Pl031.reschedule). */
  clearDeviceEvents(): void {
    this.deviceEvents.clear();
    this.deviceEventsChanged();
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
    if (this.smp !== null) {
      // Several PEs: this one sleeps; the scheduler (smp.ts) runs the others and wakes it.
      this.sleeping = SLEEP_WFI;
      this.requestYield();
      return;
    }
    const fw = this.firmware;
    if (this.timerDeadline !== Infinity && fw !== null && fw.idle !== undefined && fw.idle(this, this.timerDeadline)) return;
    if (this.sleepUntilTimer()) return;
    if (fw !== null && fw.wfi !== undefined) fw.wfi(this);
    else this.halt('WFI with no interrupt source');
  }

  /**
   * WFE not trapped (D1.6.2): with the Event Register set it is cleared and WFE completes;
   * otherwise, with several PEs, the PE sleeps until an event, an interrupt or the timer event
   * stream (smp.ts). With one PE nothing else can send an event: WFE completes at once, which
   * the architecture permits (a spurious wake-up).
   */
  waitForEvent(): void {
    if (this.eventRegister !== 0) {
      this.eventRegister = 0;
      return;
    }
    if (this.smp === null || this.wfiWakeup()) return;
    this.sleeping = SLEEP_WFE;
    this.requestYield();
  }

  /** A store to a page in exclPage: the global exclusive monitor (smp.ts). */
  exclStore(pa: number, size: number): void {
    this.smp!.stored(this, pa, size);
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

  /**
   * May the run loop enter compiled code now? THE single predicate for it (src/cpu/jit/engine.ts
   * explains the rule): any per-instruction observer that compiled code does not reproduce (the
   * tracer, and features others add: guest debug, per-instruction hooks, a detailed cycle model)
   * adds its condition HERE, and the CPU interprets while it holds. Checked once per block.
   */
  addExcObserver(f: ExcObserver): void {
    if (this.excObservers === null) this.excObservers = [f];
    else if (!this.excObservers.includes(f)) this.excObservers.push(f);
  }

  removeExcObserver(f: ExcObserver): void {
    const l = this.excObservers;
    if (l === null || !l.includes(f)) return;
    this.excObservers = l.length === 1 ? null : l.filter((g) => g !== f);
  }

  jitAllowed(): boolean {
    // Guest self-hosted debug (src/cpu/debug) checks every instruction, and a detailed timing
    // profile (src/cpu/timing) models every instruction: both interpret.
    return this.tracer === null && this.guestDebug === 0 && this.timed === null;
  }

  /** Leave run() after the current instruction completes (e.g. to wait for host input). */
  requestYield(): void {
    this.yieldRequested = true;
    if (this.status === ST_OK) this.status = ST_SYNC;
  }

  /**
   * Run until `maxInsns` instructions retire or the machine halts. Returns instructions retired.
   * Interrupts and the cycle model are handled at block boundaries.
   */
  run(maxInsns: number): number {
    // cycles: a detailed profile runs in the interpreter only (both engines give its counts).
    return runBlocks(this, maxInsns, this.engine === 'jit' ? this.jit : null);
  }

  /**
   * The hypervisor completed a trapped instruction on the guest's behalf (emulated MMIO, WFI,
   * HVC handled, ELR_EL2 moved past it): it counts as retired, and as progress for the lost-guest
   * check (a guest doing many MMIO accesses in a row is not lost).
   */
  retireEmulated(): void {
    if (this.guestDebug !== 0) ssAdvanceEmulated(this); // a64hv debug: the emulated instruction was stepped
    this.instret++;
    this.cycles++; // its issue cycle; the emulation itself is the hypervisor's exit charge
    this.excStreak = 0;
  }

  /** Turn the pending synchronous exception into an exception entry. */
  deliver(pcLo: number, pcHi: number, retNext: number): void {
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
    // cycles: a detailed profile gets a fresh model (cold caches and predictor) and its access hooks.
    if (p.detailed !== undefined) {
      this.timed = new DetailedModel(this, p.name, p.detailed);
      attachModel(this, this.timed);
    } else if (this.timed !== null) {
      this.timed = null;
      detachModel(this);
    }
    this.invalidateAllCode();
  }

  /**
   * At a block boundary with cycles >= checkAt: let a due timer change its outputs, then take
   * the highest-priority interrupt that is routed and unmasked. Returns true if one was taken.
   */
  asyncEvents(): boolean {
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

export { execUndefined, Block };
