// The Generic Timer of one PE (ARM ARM D11, "The Generic Timer in AArch64 state"): the system
// counter and three timers, the EL1 physical timer (CNTP_*), the virtual timer (CNTV_*, counting
// CNTVCT = CNTPCT - CNTVOFF_EL2) and the EL2 physical timer (CNTHP_*).
//
// The counter derives from modelled cycles (a 1 GHz core, CNTFRQ_EL0 = 62.5 MHz: 16 cycles a
// tick), so it is deterministic. Each timer's output is level-sensitive: asserted while
// ENABLE=1, IMASK=0 and its condition (count >= CVAL) holds (D11.2.4 "Operation of the
// CompareValue views of the timers"); the outputs drive GIC PPIs (the board wires them).
// A timer's condition can only become true by time passing, so the run loop compares the cycle
// count with one deadline (the earliest cycle at which any enabled timer fires) at block
// boundaries, the way DESIGN.md asks for interrupts and timers.
//
// Counts are kept exact without BigInt: 64-bit values are (lo, hi) int32 pairs in the CPU's
// system-register file; the physical count is a double (exact below 2^53 ticks, 285 years).
import type { Cpu } from './cpu.js';
import { SYS } from './sysregs.js';

export const TIMER_PHYS = 0;
export const TIMER_VIRT = 1;
export const TIMER_HYP = 2;
export const TIMER_NAMES = ['CNTP', 'CNTV', 'CNTHP'] as const;

/** CNTx_CTL bits (D13.8 CNTP_CTL_EL0). */
export const CTL_ENABLE = 1;
export const CTL_IMASK = 2;
export const CTL_ISTATUS = 4;

/** Modelled core cycles per millisecond (the core runs at a modelled 1 GHz). */
export const CYCLES_PER_MS = 1_000_000;
/** Modelled core cycles per counter tick (1 GHz / 62.5 MHz). */
export const CYCLES_PER_TICK = 16;
export const COUNTER_HZ = 62_500_000;

const TWO32 = 4294967296;

export class GenericTimer {
  /** Output level per timer (TIMER_*). */
  readonly level = [false, false, false];
  /** Called when a timer's output changes (the board: a GIC PPI). */
  onOutput: ((timer: number, level: boolean) => void) | null = null;
  private readonly ctlSlot: number[];
  private readonly cvalSlot: number[];

  constructor(private readonly cpu: Cpu) {
    this.ctlSlot = [SYS.CNTP_CTL_EL0, SYS.CNTV_CTL_EL0, SYS.CNTHP_CTL_EL2];
    this.cvalSlot = [SYS.CNTP_CVAL_EL0, SYS.CNTV_CVAL_EL0, SYS.CNTHP_CVAL_EL2];
  }

  /** The physical count (CNTPCT_EL0) now, as an exact double. */
  physicalCount(): number {
    return Math.floor(this.cpu.cycles / CYCLES_PER_TICK);
  }

  /**
   * The count timer `t` compares against, as an int32 pair (returns lo, sets cpu.tmpHi): CNTPCT
   * for the physical timers, CNTPCT - CNTVOFF_EL2 (modulo 2^64) for the virtual one.
   */
  countOf(t: number): number {
    const cpu = this.cpu;
    const p = this.physicalCount();
    let lo = p % TWO32 | 0;
    let hi = Math.floor(p / TWO32) | 0;
    if (t === TIMER_VIRT) {
      const olo = cpu.sysLo(SYS.CNTVOFF_EL2);
      const ohi = cpu.sysHi(SYS.CNTVOFF_EL2);
      const nlo = (lo - olo) | 0;
      hi = (hi - ohi - ((lo >>> 0) < (olo >>> 0) ? 1 : 0)) | 0;
      lo = nlo;
    }
    cpu.tmpHi = hi;
    return lo;
  }

  /** TimerConditionMet: count >= CVAL, unsigned 64-bit (D11.2.4). */
  private conditionMet(t: number): boolean {
    const cpu = this.cpu;
    const lo = this.countOf(t) >>> 0;
    const hi = cpu.tmpHi >>> 0;
    const clo = cpu.sysLo(this.cvalSlot[t]) >>> 0;
    const chi = cpu.sysHi(this.cvalSlot[t]) >>> 0;
    return hi > chi || (hi === chi && lo >= clo);
  }

  /** CNTx_CTL as read: ISTATUS is the condition while enabled (UNKNOWN when disabled: 0 here). */
  readCtl(t: number): number {
    const ctl = this.cpu.sysLo(this.ctlSlot[t]) & (CTL_ENABLE | CTL_IMASK);
    this.cpu.tmpHi = 0;
    return (ctl & CTL_ENABLE) !== 0 && this.conditionMet(t) ? ctl | CTL_ISTATUS : ctl;
  }
  writeCtl(t: number, v: number): void {
    this.cpu.setSys(this.ctlSlot[t], v & (CTL_ENABLE | CTL_IMASK), 0);
    this.changed();
  }
  writeCval(t: number, lo: number, hi: number): void {
    this.cpu.setSys(this.cvalSlot[t], lo, hi);
    this.changed();
  }

  /** CNTx_TVAL read: (CVAL - count)[31:0], sign-extended (D13.8 CNTP_TVAL_EL0: TimerValue). */
  readTval(t: number): number {
    const cpu = this.cpu;
    const lo = (cpu.sysLo(this.cvalSlot[t]) - this.countOf(t)) | 0;
    cpu.tmpHi = lo >> 31;
    return lo;
  }
  /** CNTx_TVAL write: CVAL = count + SignExtend(TVAL[31:0]). */
  writeTval(t: number, v: number): void {
    const cpu = this.cpu;
    const clo = this.countOf(t);
    const chi = cpu.tmpHi;
    const lo = (clo + v) | 0;
    const carry = (lo >>> 0) < (clo >>> 0) ? 1 : 0;
    const hi = (chi + (v >> 31) + carry) | 0;
    this.writeCval(t, lo, hi);
  }

  /**
   * Re-evaluate the outputs and the CPU's timer deadline: after a CTL/CVAL/CNTVOFF write, a
   * world switch, or when the deadline passed. Cheap enough for those (three timers).
   */
  changed(): void {
    const cpu = this.cpu;
    let deadline = Infinity;
    for (let t = 0; t < 3; t++) {
      const ctl = cpu.sysLo(this.ctlSlot[t]);
      let out = false;
      if ((ctl & CTL_ENABLE) !== 0) {
        if (this.conditionMet(t)) out = (ctl & CTL_IMASK) === 0;
        else {
          // Ticks until count reaches CVAL: the exact 64-bit difference (CVAL > count here).
          const lo = this.countOf(t);
          const hi = cpu.tmpHi;
          const clo = cpu.sysLo(this.cvalSlot[t]);
          const chi = cpu.sysHi(this.cvalSlot[t]);
          const dlo = (clo - lo) >>> 0;
          const dhi = (chi - hi - ((clo >>> 0) < (lo >>> 0) ? 1 : 0)) >>> 0;
          const ticks = dhi * TWO32 + dlo;
          // The condition becomes true (ISTATUS) at that tick even when IMASK hides the output;
          // nothing observes that instant, so only unmasked timers need a deadline.
          if ((ctl & CTL_IMASK) === 0 && ticks < 2 ** 52) {
            const at = (this.physicalCount() + ticks) * CYCLES_PER_TICK;
            if (at < deadline) deadline = at;
          }
        }
      }
      if (out !== this.level[t]) {
        this.level[t] = out;
        this.onOutput?.(t, out);
      }
    }
    cpu.setTimerDeadline(deadline);
  }

  /** The earliest cycle count at which an unmasked enabled timer fires (Infinity: none). */
  nextDeadline(): number {
    return this.cpu.timerDeadline;
  }
}
