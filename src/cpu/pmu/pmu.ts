// The Performance Monitors Extension, PMUv3 for Armv8.0 (ARM ARM D11 "The Performance Monitors
// Extension", registers in D23.9/D13.4): 6 event counters and the cycle counter, as a Cortex-A57.
//
// Counters are lazy: a counter holds its value at the last synchronisation and the value of its
// event source (events.ts: running totals the model keeps anyway) at that moment. It is brought up
// to date when the guest reads or reconfigures the PMU, when the exception level changes (event
// filtering is per EL), and at a scheduled device event placed where the nearest overflow can
// happen (cpu.scheduleDeviceEvent). The execution engines pay nothing, PMU on or off.
//
// Counting rules (D11.4, D11.6):
// * PMEVCNTR<n> counts while PMCNTENSET[n] and, for n < MDCR_EL2.HPMN, PMCR_EL0.E (for n >= HPMN,
//   MDCR_EL2.HPME), subject to PMEVTYPER<n>'s filter for the EL: P (EL1), U (EL0), NSH (EL2). EL3
//   is not implemented, so NSK/NSU hold their value but do not filter (no Secure state).
// * PMCCNTR counts CPU_CYCLES under PMCR_EL0.E, PMCNTENSET[31] and PMCCFILTR_EL0, every 64th
//   cycle with PMCR_EL0.D; 64 bits wide. PMCR_EL0.LC is RES1 (no AArch32 at any EL), so it
//   overflows at bit 63 only (the LC=0 path is kept for a PE with AArch32).
// * Event counters are 32 bits (PMUv3 before v3p5: PMCR_EL0.LP is RES0). An overflow sets
//   PMOVSSET[n]; an even counter's overflow is the CHAIN event (0x1E) of counter n+1.
// * The overflow interrupt request (PPI 23 on this board, as on QEMU's virt) is the OR over n of
//   PMOVSSET[n] & PMINTENSET[n] & (PMCR_EL0.E, or MDCR_EL2.HPME for n >= HPMN); level-sensitive.
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';
import { EV_CHAIN, EV_CPU_CYCLES, EV_SW_INCR, pmuEvent, pmceid } from './events.js';

export { PMU_COUNTERS, PMU_PPI, PMCR_ID, CCNT_BIT, MDCR_HPMN_MASK, MDCR_TPMCR, MDCR_TPM, MDCR_HPME } from './consts.js';
import { PMU_COUNTERS, PMCR_ID, CCNT_BIT, MDCR_HPMN_MASK, MDCR_HPME } from './consts.js';

export const PMCR_E = 1 << 0;
export const PMCR_P = 1 << 1;
export const PMCR_C = 1 << 2;
export const PMCR_D = 1 << 3;
export const PMCR_X = 1 << 4;
export const PMCR_DP = 1 << 5;
export const PMCR_LC = 1 << 6;
const PMCR_WRITABLE = PMCR_E | PMCR_D | PMCR_X | PMCR_DP;

/** PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 filter bits. */
export const FILT_P = 1 << 31;
export const FILT_U = 1 << 30;
export const FILT_NSK = 1 << 29;
export const FILT_NSU = 1 << 28;
export const FILT_NSH = 1 << 27;
export const FILT_M = 1 << 26;
/** Writable: the filter bits and evtCount[9:0] (PMUv3 for Armv8.0). */
const EVTYPER_MASK = (0x3f << 26) | 0x3ff;
const CCFILTR_MASK = 0x3f << 26;

const CC = PMU_COUNTERS;
const TWO32 = 4294967296;

/** The PMU state a hypervisor saves and restores per VM (src/hyp: world switch). */
export interface PmuState {
  pmcr: number;
  cnten: number;
  inten: number;
  ovs: number;
  selr: number;
  userenr: number;
  evtyper: number[];
  /** Counter values as [lo, hi] uint32 pairs; the cycle counter last. */
  counters: [number, number][];
}

/** The state after reset (a VM's PMU before it first runs). */
export function pmuResetState(): PmuState {
  const counters: [number, number][] = [];
  for (let n = 0; n <= PMU_COUNTERS; n++) counters.push([0, 0]);
  return { pmcr: PMCR_LC, cnten: 0, inten: 0, ovs: 0, selr: 0, userenr: 0, evtyper: new Array<number>(PMU_COUNTERS + 1).fill(0), counters };
}

export class Pmu {
  /** PMCR_EL0 bits E, D, X, DP, and LC (RES1) (the rest are constants or write-only). */
  pmcr = PMCR_LC;
  cnten = 0;
  inten = 0;
  ovs = 0;
  selr = 0;
  userenr = 0;
  readonly evtyper = new Int32Array(PMU_COUNTERS + 1);
  /** Counter values, uint32 halves (index CC: the cycle counter). */
  private readonly lo = new Float64Array(PMU_COUNTERS + 1);
  private readonly hi = new Float64Array(PMU_COUNTERS + 1);
  /** Each counter's event source at the last synchronisation. */
  private readonly base = new Float64Array(PMU_COUNTERS + 1);
  /** The EL the events since the last synchronisation were counted at. */
  private lastEl = 1;
  /** The interrupt request level last signalled. */
  private irq = false;
  /** Drives the GIC PPI (the board sets it). */
  onIrq: ((level: boolean) => void) | null = null;
  /** Overflows signalled so far (tests and statistics). */
  overflows = 0;

  constructor(private readonly cpu: Cpu) {}

  reset(): void {
    this.cnten = this.inten = this.ovs = this.selr = this.userenr = 0;
    this.pmcr = PMCR_LC;
    this.evtyper.fill(0);
    this.lo.fill(0);
    this.hi.fill(0);
    this.lastEl = this.cpu.el;
    this.rebase();
    this.cpu.pmuElHook = null;
    this.cpu.scheduleDeviceEvent('pmu', Infinity, () => {});
    this.setIrq(false);
  }

  // ---- MDCR_EL2 partitioning (D11.10 "Counter access and partitioning") ----
  private mdcr(): number {
    return this.cpu.sysLo(SYS.MDCR_EL2);
  }
  /** MDCR_EL2.HPMN (a value above N acts as N). */
  hpmn(): number {
    const h = this.mdcr() & MDCR_HPMN_MASK;
    return h > PMU_COUNTERS ? PMU_COUNTERS : h;
  }
  /** Counters the current EL may access: all at EL2, the first HPMN at EL0/EL1. */
  private visible(): number {
    return this.cpu.el >= 2 ? PMU_COUNTERS : this.hpmn();
  }
  /** Bit mask of the counters visible at this EL, with the cycle counter. */
  private visibleMask(): number {
    return (((1 << this.visible()) - 1) | (1 << CCNT_BIT)) | 0;
  }

  // ---- counting ----
  private enabled(n: number): boolean {
    if (n === CC) return (this.pmcr & PMCR_E) !== 0 && (this.cnten >>> CCNT_BIT) !== 0;
    if (((this.cnten >>> n) & 1) === 0) return false;
    return n < this.hpmn() ? (this.pmcr & PMCR_E) !== 0 : (this.mdcr() & MDCR_HPME) !== 0;
  }
  /** The event filter of PMEVTYPER<n>/PMCCFILTR for `el` (no EL3: NSK/NSU do not apply). */
  private counts(n: number, el: number): boolean {
    const t = this.evtyper[n];
    if (el === 0) return (t & FILT_U) === 0;
    if (el === 1) return (t & FILT_P) === 0;
    return (t & FILT_NSH) !== 0;
  }
  private eventOf(n: number): number {
    return n === CC ? EV_CPU_CYCLES : this.evtyper[n] & 0x3ff;
  }
  /** The current value of counter n's event source. */
  private source(n: number): number {
    const ev = this.eventOf(n);
    if (ev === EV_SW_INCR || ev === EV_CHAIN) return 0;
    const e = pmuEvent(ev);
    if (e === undefined) return 0;
    const v = e.src(this.cpu);
    return n === CC && (this.pmcr & PMCR_D) !== 0 ? Math.floor(v / 64) : v;
  }
  /** The event sources were replaced (a new TLB): take their current totals as the base. */
  sourcesChanged(): void {
    this.rebase();
  }
  private rebase(): void {
    for (let n = 0; n <= CC; n++) this.base[n] = this.source(n);
  }

  /** Bring every counter up to date (events since the last call counted at lastEl). */
  sync(): void {
    const el = this.lastEl;
    for (let n = 0; n <= CC; n++) {
      const now = this.source(n);
      const d = now - this.base[n];
      if (d < 0) continue; // counted ahead (retireAhead): the totals catch up at the block's end
      this.base[n] = now;
      if (d > 0 && this.enabled(n) && this.counts(n, el)) this.add(n, d);
    }
    this.lastEl = this.cpu.el;
    this.update();
  }

  /**
   * An instruction that changes the EL as it executes (ERET) is added to the running totals only
   * when its block ends, after the change: count it now, at the EL it executes at (sync with the
   * totals it will add), so that the EL it returns to does not count it.
   */
  retireAhead(cost: number): void {
    const c = this.cpu;
    c.instret += 1;
    c.cycles += cost;
    c.exactFetch += 1;
    this.sync();
    c.instret -= 1;
    c.cycles -= cost;
    c.exactFetch -= 1;
  }

  /** Add d to counter n; overflows set PMOVSSET and feed a CHAIN counter. */
  private add(n: number, d: number): void {
    let lo = this.lo[n] + d;
    let wraps = 0;
    if (lo >= TWO32) {
      wraps = Math.floor(lo / TWO32);
      lo -= wraps * TWO32;
    }
    this.lo[n] = lo;
    if (wraps === 0) return;
    if (n === CC) {
      const h = this.hi[n] + wraps;
      const wraps64 = Math.floor(h / TWO32);
      this.hi[n] = h - wraps64 * TWO32;
      // LC=1: overflow at bit 63; LC=0: at bit 31 (the upper half still counts).
      if ((this.pmcr & PMCR_LC) === 0 || wraps64 > 0) this.overflow(n);
      return;
    }
    this.overflow(n);
    // The odd counter of a pair counts its even neighbour's overflows (CHAIN, D11.5.3).
    const m = n + 1;
    if ((n & 1) === 0 && m < PMU_COUNTERS && (this.evtyper[m] & 0x3ff) === EV_CHAIN && this.enabled(m) && this.counts(m, this.lastEl)) {
      this.add(m, wraps);
    }
  }
  private overflow(n: number): void {
    this.ovs |= 1 << (n === CC ? CCNT_BIT : n);
    this.overflows++;
  }

  /** Recompute the interrupt request, the EL hook and the next overflow check. */
  private update(): void {
    const lowE = (this.pmcr & PMCR_E) !== 0;
    const hpme = (this.mdcr() & MDCR_HPME) !== 0;
    const low = ((1 << this.hpmn()) - 1) | (1 << CCNT_BIT);
    const pend = this.ovs & this.inten;
    this.setIrq((lowE && (pend & low) !== 0) || (hpme && (pend & ~low) !== 0));
    // Any counter counting: follow EL changes and schedule the nearest possible overflow.
    let next = Infinity;
    let active = false;
    const cycles = this.cpu.cycles;
    for (let n = 0; n <= CC; n++) {
      if (!this.enabled(n)) continue;
      const ev = this.eventOf(n);
      if (ev === EV_SW_INCR || ev === EV_CHAIN || pmuEvent(ev) === undefined) continue;
      active = true;
      const left = TWO32 - this.lo[n];
      let at: number;
      if (ev === EV_CPU_CYCLES) at = cycles + (n === CC && (this.pmcr & PMCR_D) !== 0 ? left * 64 : left);
      // Other events: at most a few per cycle; check again (and again) as the distance shrinks.
      else at = cycles + Math.max(1, Math.floor(left / 4));
      if (at < next) next = at;
    }
    this.cpu.pmuElHook = active ? this.elHook : null;
    this.cpu.scheduleDeviceEvent('pmu', next, this.onEvent);
  }
  private readonly elHook = (): void => this.sync();
  private readonly onEvent = (): void => this.sync();

  private setIrq(level: boolean): void {
    if (level === this.irq) return;
    this.irq = level;
    if (this.onIrq !== null) this.onIrq(level);
  }

  // ---- register views (called by the sysreg hooks in regs.ts) ----
  readPmcr(): number {
    this.sync();
    const n = this.visible();
    return ((PMCR_ID & ~(0x1f << 11)) | (n << 11) | this.pmcr) | 0;
  }
  writePmcr(v: number): void {
    this.sync();
    this.pmcr = (v & PMCR_WRITABLE) | PMCR_LC;
    // P resets the event counters the current EL sees (all of them at EL2); C the cycle counter.
    if (v & PMCR_P) for (let n = 0; n < this.visible(); n++) this.lo[n] = this.hi[n] = 0;
    if (v & PMCR_C) this.lo[CC] = this.hi[CC] = 0;
    this.rebase();
    this.update();
  }
  readSet(which: 'cnten' | 'inten' | 'ovs'): number {
    this.sync();
    return this[which] & this.visibleMask();
  }
  writeSet(which: 'cnten' | 'inten' | 'ovs', v: number, set: boolean): void {
    this.sync();
    const m = v & this.visibleMask();
    this[which] = set ? this[which] | m : this[which] & ~m;
    this.rebase();
    this.update();
  }
  /** PMSWINC_EL0: an SW_INCR event on each counter n with bit n set (D11.6.3). */
  swinc(v: number): void {
    this.sync();
    const m = v & ((1 << this.visible()) - 1);
    for (let n = 0; n < PMU_COUNTERS; n++) {
      if (((m >>> n) & 1) === 0 || (this.evtyper[n] & 0x3ff) !== EV_SW_INCR) continue;
      if (this.enabled(n) && this.counts(n, this.cpu.el)) this.add(n, 1);
    }
    this.update();
  }
  /** Is event counter n accessible at this EL? (n >= N, or >= HPMN at EL0/EL1: UNDEFINED.) */
  accessible(n: number): boolean {
    return n < this.visible();
  }
  readCounter(n: number): [number, number] {
    this.sync();
    return n === CC ? [this.lo[n] | 0, this.hi[n] | 0] : [this.lo[n] | 0, 0];
  }
  writeCounter(n: number, lo: number, hi: number): void {
    this.sync();
    this.lo[n] = lo >>> 0;
    this.hi[n] = n === CC ? hi >>> 0 : 0;
    this.rebase();
    this.update();
  }
  readType(n: number): number {
    return this.evtyper[n];
  }
  writeType(n: number, v: number): void {
    this.sync();
    this.evtyper[n] = v & (n === CC ? CCFILTR_MASK : EVTYPER_MASK);
    this.rebase();
    this.update();
  }
  ceid(which: 0 | 1): number {
    return pmceid(which, this.cpu);
  }
  /** MDCR_EL2 changed (partition, HPME): count up to now under the old settings. */
  mdcrChanged(): void {
    this.sync();
  }

  // ---- per-VM view for a hypervisor ----
  save(): PmuState {
    this.sync();
    const counters: [number, number][] = [];
    for (let n = 0; n <= CC; n++) counters.push([this.lo[n], this.hi[n]]);
    return { pmcr: this.pmcr, cnten: this.cnten, inten: this.inten, ovs: this.ovs, selr: this.selr, userenr: this.userenr, evtyper: [...this.evtyper], counters };
  }
  restore(s: PmuState): void {
    this.sync();
    this.pmcr = s.pmcr;
    this.cnten = s.cnten;
    this.inten = s.inten;
    this.ovs = s.ovs;
    this.selr = s.selr;
    this.userenr = s.userenr;
    this.evtyper.set(s.evtyper);
    s.counters.forEach(([l, h], n) => {
      this.lo[n] = l;
      this.hi[n] = h;
    });
    this.rebase();
    this.update();
  }
}
