// PMU event sources (ARM ARM D12.11 "The PMU event number space and common events"): each
// implemented event number maps onto a running total the model keeps anyway, read only when a
// counter is synchronised (src/cpu/pmu/pmu.ts). A total never goes backwards: statistics resets
// of the TLB lab (ROI) are carried over (Tlb.carry), so the guest's counters are not disturbed.
//
// The cycle model (caches, branch prediction, stalls) adds its events with `registerPmuEvent`,
// e.g. registerPmuEvent(0x03, 'L1D_CACHE_REFILL', (cpu) => cpu.caches.l1d.refills): PMCEID0/1
// then advertise them and PMEVTYPER<n> can select them.
import type { Cpu } from '../cpu.js';
import { pmuEvent as timedEvent } from '../timing/model.js';

/** A monotonic running total (an exact integer as a double). */
export type EventSource = (cpu: Cpu) => number;

export interface PmuEvent {
  num: number;
  name: string;
  src: EventSource;
  /** Counted on this CPU now (e.g. only with a detailed timing profile); default always. */
  available?: (cpu: Cpu) => boolean;
}

/** Architectural event numbers with special meaning to the counters themselves. */
export const EV_SW_INCR = 0x00;
export const EV_CPU_CYCLES = 0x11;
export const EV_CHAIN = 0x1e;

const events = new Map<number, PmuEvent>();

/** Make event `num` countable (and advertised in PMCEID0/1 if num < 0x40). */
export function registerPmuEvent(num: number, name: string, src: EventSource, available?: (cpu: Cpu) => boolean): void {
  events.set(num, { num, name, src, available });
}

export function pmuEvent(num: number): PmuEvent | undefined {
  return events.get(num);
}

export function pmuEvents(): PmuEvent[] {
  return [...events.values()].sort((a, b) => a.num - b.num);
}

/** PMCEID0_EL0 (events 0x00..0x1F) and PMCEID1_EL0 (0x20..0x3F): one bit per implemented event. */
export function pmceid(which: 0 | 1, cpu: Cpu): number {
  let v = 0;
  for (const e of events.values()) {
    if (e.num >> 5 === which && (e.available === undefined || e.available(cpu))) v |= 1 << (e.num & 31);
  }
  return v | 0;
}

// SW_INCR and CHAIN are counted by the PMU itself (PMSWINC writes, the even counter's overflows).
registerPmuEvent(EV_SW_INCR, 'SW_INCR', () => 0);
registerPmuEvent(EV_CHAIN, 'CHAIN', () => 0);
// Every instruction the model executes is architecturally executed: no speculation.
registerPmuEvent(0x08, 'INST_RETIRED', (c) => c.instret);
registerPmuEvent(0x1b, 'INST_SPEC', (c) => c.instret);
registerPmuEvent(EV_CPU_CYCLES, 'CPU_CYCLES', (c) => Math.floor(c.cycles));
registerPmuEvent(0x09, 'EXC_TAKEN', (c) => c.pmuExcTaken);
registerPmuEvent(0x0a, 'EXC_RETURN', (c) => c.pmuExcReturn);
// MEM_ACCESS: one per data-accessing instruction (+1 for a page-crossing access), the granularity
// of the exact L1 DTLB counts (src/mmu/tlb-exact.ts), with or without translation.
registerPmuEvent(0x13, 'MEM_ACCESS', (c) => c.exactData);
// TLB events from the TLB model's exact counters (src/mmu/README.md).
registerPmuEvent(0x02, 'L1I_TLB_REFILL', (c) => c.mmu.tlb.total('l1iMisses'));
registerPmuEvent(0x05, 'L1D_TLB_REFILL', (c) => c.mmu.tlb.total('l1dMisses'));
registerPmuEvent(0x25, 'L1D_TLB', (c) => c.mmu.tlb.total('l1dLookups'));
registerPmuEvent(0x26, 'L1I_TLB', (c) => c.mmu.tlb.total('l1iLookups'));
registerPmuEvent(0x2d, 'L2D_TLB_REFILL', (c) => c.mmu.tlb.total('l2Misses'));
registerPmuEvent(0x2f, 'L2D_TLB', (c) => c.mmu.tlb.total('l2Lookups'));
registerPmuEvent(0x34, 'DTLB_WALK', (c) => c.mmu.tlb.total('dWalks'));
registerPmuEvent(0x35, 'ITLB_WALK', (c) => c.mmu.tlb.total('iWalks'));

// The detailed cycle model's events (src/cpu/timing/model.ts pmuEvent): counted, and advertised in
// PMCEID0/1, only while a detailed timing profile (cortex-a53/a57/a72) is selected; with the simple
// profiles there are no caches or predictor to count, so the events are absent (ARM ARM D12.11:
// PMCEID says which common events are implemented).
const modelEvents: [number, string][] = [
  [0x01, 'L1I_CACHE_REFILL'],
  [0x03, 'L1D_CACHE_REFILL'],
  [0x04, 'L1D_CACHE'],
  [0x10, 'BR_MIS_PRED'],
  [0x12, 'BR_PRED'],
  [0x14, 'L1I_CACHE'],
  [0x15, 'L1D_CACHE_WB'],
  [0x16, 'L2D_CACHE'],
  [0x17, 'L2D_CACHE_REFILL'],
  [0x18, 'L2D_CACHE_WB'],
  [0x23, 'STALL_FRONTEND'],
  [0x24, 'STALL_BACKEND'],
];
for (const [num, name] of modelEvents) {
  registerPmuEvent(
    num,
    name,
    (c) => (c.timed !== null ? Math.floor(timedEvent(c.timed, num) ?? 0) : 0),
    (c) => c.timed !== null,
  );
}
