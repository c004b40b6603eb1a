// Several PEs on one board (--smp N): each PE is a whole Cpu (registers, system registers, TLB
// model, fast caches, decoded blocks, generic timer); RAM, devices and the GIC are shared. This
// file holds what only exists between PEs:
// - the deterministic scheduler: PEs run round-robin, each for a quantum of retired instructions,
//   so every run of the same guest gives the same interleaving and counts;
// - sleeping PEs (WFI/WFE, ARM ARM D1.6): skipped until a wake-up event, their modelled time kept
//   level with the running PEs' (counted as idle cycles);
// - power state for PSCI CPU_ON/CPU_OFF/AFFINITY_INFO (DEN0022 5.6-5.9);
// - the global exclusive monitor (ARM ARM B2.9.5): a store by one PE to an address another PE
//   has marked clears that PE's reservation and generates an event for it (D1.6.1).
// PEs run one at a time, so LSE atomics and barriers are atomic and ordered across PEs as is.
import type { Cpu } from './cpu.js';
import { ST_HALT } from './state.js';
import { FC_INVALID } from './fastmem.js';
import { SYS } from './sysregs.js';

/** Instructions a PE runs before the next PE's turn (--smp-quantum). */
export const DEFAULT_QUANTUM = 1000;
export const MAX_PES = 8;

/** Why a PE is asleep: not, in WFI, in WFE. */
export const SLEEP_NONE = 0;
export const SLEEP_WFI = 1;
export const SLEEP_WFE = 2;

// CNTKCTL_EL1.EVNTEN (bit 2): the timer's event stream, a periodic WFE wake-up.
const CNTKCTL_EVNTEN = 1 << 2;

export interface SmpHooks {
  /** PE `i` is about to run (the GIC's banked registers follow it). */
  onSwitch(i: number): void;
  /**
   * Every powered PE sleeps with no timer armed: nothing in the machine can wake one. Return
   * true to leave run() (the host may bring input), false to stop the machine.
   */
  allAsleep(): boolean;
  /**
   * Every powered PE sleeps until cycle `deadline` (a timer). Return true to leave run() so the
   * host lets that time pass in real time (interactive runs: it advances PE 0's cycles, which
   * the others catch up with); false skips modelled time to the deadline at once.
   */
  idle(deadline: number): boolean;
}

export class Smp {
  /** Powered on (1) or off (0), by PE (PSCI). PE 0 starts on, the others off. */
  readonly on: Uint8Array;
  /**
   * RAM pages where some PE marked an address exclusive (a superset: a page leaves only when a
   * store there finds no reservation left). Shared with every PE as CpuMemory.exclPage.
   */
  readonly exclPage: Uint8Array;
  /** Bumped when a page enters exclPage; a PE whose write fast cache is older flushes it. */
  private exclEpoch = 0;
  private readonly seenEpoch: Int32Array;
  /** The PE whose turn is next (the rotation continues across run() calls). */
  private next = 0;
  /** The PE that ran last (the debugger's and statistics' current PE). */
  current = 0;
  /** Modelled time of the machine: the highest cycle count a running PE has reached. */
  private now = 0;
  /**
   * Set by the debugger's hooks when they stop the running PE before an instruction: run() returns
   * after that PE's turn, and that PE's turn comes first when the machine resumes (so the stopped
   * instruction is the next one to execute).
   */
  debugStop = false;

  constructor(
    readonly pes: Cpu[],
    public quantum: number,
    private readonly hooks: SmpHooks,
  ) {
    if (!Number.isInteger(quantum) || quantum < 1) throw new Error(`SMP quantum must be a positive integer, not ${quantum}`);
    this.on = new Uint8Array(pes.length);
    this.seenEpoch = new Int32Array(pes.length);
    const bus = pes[0].bus;
    this.exclPage = new Uint8Array(bus.ramSize >>> 12);
    for (let i = 0; i < pes.length; i++) {
      const p = pes[i];
      p.index = i;
      p.smp = this;
      p.exclPage = this.exclPage;
      p.codePage = pes[0].codePage; // "some PE decoded this page": stores there drop it everywhere
    }
    this.reset();
  }

  /** Board reset: PE 0 on, the others off (their CPU_ON comes from the guest). */
  reset(): void {
    this.on.fill(0);
    this.on[0] = 1;
    this.exclPage.fill(0);
    this.next = 0;
    this.current = 0;
    this.now = 0;
    for (const p of this.pes) p.sleeping = SLEEP_NONE;
  }

  // ---- the global exclusive monitor ----

  /** `cpu` marked physical address `pa` exclusive (AArch64.SetExclusiveMonitors). */
  marked(pa: number): void {
    const off = pa - this.pes[0].ramBase;
    if (off < 0 || off >= this.pes[0].ramSize) return;
    const page = off >>> 12;
    if (this.exclPage[page] === 0) {
      this.exclPage[page] = 1;
      this.exclEpoch++;
    }
  }

  /**
   * `cpu` stored to [pa, pa + size) on a page in exclPage: every other PE's reservation on those
   * bytes is cleared (B2.9.5), which is a WFE wake-up event for it (D1.6.1); the page leaves
   * exclPage when no reservation is left on it.
   */
  stored(cpu: Cpu, pa: number, size: number): void {
    const base = cpu.ramBase;
    const page = (pa - base) >>> 12;
    let still = 0;
    for (const p of this.pes) {
      if (p !== cpu && p.clearExclusiveIfOverlaps(pa, size)) {
        p.eventRegister = 1;
        p.monitorClears++;
      }
      if (p.exclValid !== 0 && p.exclPa >= 0 && (p.exclPa - base) >>> 12 === page) still = 1;
    }
    this.exclPage[page] = still;
  }

  // ---- events ----

  /** SEV: an event for every PE (D1.6.1). */
  sendEvent(): void {
    for (const p of this.pes) p.eventRegister = 1;
  }

  // ---- power (PSCI) ----

  /**
   * CPU_ON (DEN0022 6.4.3): PE `i` starts at `entry` in the caller's Exception level (EL1h here,
   * AArch64), MMU and caches off, DAIF masked, X0 = context id. Counters survive (statistics).
   */
  cpuOn(caller: Cpu, i: number, entryLo: number, entryHi: number, ctxLo: number, ctxHi: number): void {
    const p = this.pes[i];
    const keep = [p.instret, p.cycles, p.idleCycles, p.interruptsTaken];
    p.reset();
    [p.instret, p.cycles, p.idleCycles, p.interruptsTaken] = keep;
    if (p.cycles < caller.cycles) p.idleFor(caller.cycles - p.cycles); // it was off until now
    p.timer.changed();
    p.setElSpsel(caller.el, 1);
    p.daif = 0xf;
    p.pcLo = entryLo;
    p.pcHi = entryHi;
    p.r[0] = ctxLo;
    p.r[1] = ctxHi;
    p.sleeping = SLEEP_NONE;
    this.on[i] = 1;
  }

  /** CPU_OFF (DEN0022 5.5.2): the caller stops. Returns false if it is the last PE on. */
  cpuOff(cpu: Cpu): boolean {
    let others = 0;
    for (let i = 0; i < this.pes.length; i++) if (i !== cpu.index) others += this.on[i];
    if (others === 0) return false;
    this.on[cpu.index] = 0;
    cpu.exclValid = 0;
    cpu.requestYield();
    return true;
  }

  // ---- the scheduler ----

  /** A sleeping PE wakes if a wake-up event is pending; its time first catches up with `now`. */
  private tryWake(p: Cpu): boolean {
    if (p.cycles < this.now) p.idleFor(this.now - p.cycles);
    if (p.cycles >= p.timerDeadline) p.timer.changed();
    if (p.sleeping === SLEEP_WFE) {
      // WFE (D1.6.2): the event register, an interrupt, or the timer's event stream.
      if (p.eventRegister !== 0) {
        p.eventRegister = 0;
      } else if (!p.wfiWakeup() && (p.sysLo(SYS.CNTKCTL_EL1) & CNTKCTL_EVNTEN) === 0) return false;
    } else if (!p.wfiWakeup()) return false;
    p.sleeping = SLEEP_NONE;
    return true;
  }

  /**
   * Everything powered sleeps: skip modelled time to the earliest timer event, or let the host
   * pace it. Returns 'none' if no timer is armed, 'host' to leave run().
   */
  private skipToTimer(): 'skipped' | 'host' | 'none' {
    let t = Infinity;
    for (let i = 0; i < this.pes.length; i++) if (this.on[i] && this.pes[i].timerDeadline < t) t = this.pes[i].timerDeadline;
    if (t === Infinity) return 'none';
    if (t > this.now && this.hooks.idle(t)) return 'host';
    if (t > this.now) this.now = t;
    return 'skipped';
  }

  private switchTo(i: number): void {
    const p = this.pes[i];
    this.current = i;
    if (this.seenEpoch[i] !== this.exclEpoch) {
      // Pages entered exclPage while this PE did not run: its fast write entries for them go, so
      // its stores there reach stored().
      this.seenEpoch[i] = this.exclEpoch;
      p.wTag.fill(FC_INVALID);
    }
    this.hooks.onSwitch(i);
  }

  /**
   * The debugger steps PE `i` alone while the others stay stopped (QEMU's all-stop stepping).
   * A PE that is off, or asleep with no wake-up event, retires nothing. Returns instructions.
   */
  runOne(i: number, n: number): number {
    const p = this.pes[i];
    if (this.on[i] === 0 || (p.sleeping !== SLEEP_NONE && !this.tryWake(p))) return 0;
    this.switchTo(i);
    const done = p.run(n);
    if (p.cycles > this.now) this.now = p.cycles;
    this.debugStop = false;
    return done;
  }

  /** 'off', 'WFI', 'WFE' or 'running': PE `i` as the debugger's `info cpus` shows it. */
  state(i: number): string {
    if (this.on[i] === 0) return 'off';
    const s = this.pes[i].sleeping;
    return s === SLEEP_WFI ? 'WFI' : s === SLEEP_WFE ? 'WFE' : 'running';
  }

  /** A PE stopped the machine (exit, power off, error), or null. */
  halted(): Cpu | null {
    for (const p of this.pes) if (p.status === ST_HALT) return p;
    return null;
  }

  /**
   * Run the PEs round-robin until `maxInsns` instructions (all PEs together) retire or the
   * machine stops. Returns instructions retired.
   */
  run(maxInsns: number): number {
    let done = 0;
    const n = this.pes.length;
    // Time the host let pass between calls (PE 0 idled in real time) is the machine's too.
    for (let i = 0; i < n; i++) if (this.on[i] && this.pes[i].cycles > this.now) this.now = this.pes[i].cycles;
    while (done < maxInsns) {
      if (this.halted() !== null) break;
      let ran = false;
      for (let k = 0; k < n && done < maxInsns; k++) {
        const i = this.next;
        this.next = i + 1 === n ? 0 : i + 1;
        const p = this.pes[i];
        if (this.on[i] === 0) continue;
        if (p.sleeping !== SLEEP_NONE && !this.tryWake(p)) continue;
        this.switchTo(i);
        done += p.run(Math.min(this.quantum, maxInsns - done));
        ran = true;
        if (p.cycles > this.now) this.now = p.cycles;
        if (p.status === ST_HALT) return done;
        if (this.debugStop) {
          this.debugStop = false;
          this.next = i;
          return done;
        }
      }
      if (!ran) {
        const how = this.skipToTimer();
        if (how === 'host') break;
        if (how === 'none') {
          if (this.hooks.allAsleep()) break;
          this.pes[this.current].halt('WFI with no interrupt source (every PE asleep)');
          break;
        }
      }
    }
    return done;
  }
}
