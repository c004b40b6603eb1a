// Per-PE figures for --stats-json and the figures table (several PEs only; one PE keeps today's
// output). Totals are sums over PEs, except cycles, where each PE has its own count.
import type { Cpu } from './cpu.js';

export interface PeStats {
  pe: number;
  instructions: number;
  cycles: number;
  idleCycles: number;
  interrupts: number;
  /** Reservations cleared by another PE's store (the global exclusive monitor). */
  monitorClears: number;
  /** TLBI ...IS received from other PEs, by operation, and the entries they removed here. */
  shootdownsReceived: number;
  shootdownsByOp: Record<string, number>;
  shootdownEntries: number;
  /** TLBI ...IS issued by this PE, and the entries they removed from the other PEs. */
  tlbiBroadcasts: number;
  tlbiBroadcastEntries: number;
  tlb: Record<string, unknown>;
}

export function peStats(c: Cpu): PeStats {
  return {
    pe: c.index,
    instructions: c.instret,
    cycles: c.cycles,
    idleCycles: c.idleCycles,
    interrupts: c.interruptsTaken,
    monitorClears: c.monitorClears,
    shootdownsReceived: c.shootdownsReceived,
    shootdownsByOp: Object.fromEntries([...c.shootdownsByOp].sort()),
    shootdownEntries: c.shootdownEntries,
    tlbiBroadcasts: c.tlbiBroadcasts,
    tlbiBroadcastEntries: c.tlbiBroadcastEntries,
    tlb: c.mmu.tlb.snapshot(),
  };
}

/** Sums over PEs of the counters that add up (the machine's totals). */
export function peTotals(pes: readonly Cpu[]): Record<string, number> {
  const t = { instructions: 0, maxCycles: 0, idleCycles: 0, interrupts: 0, monitorClears: 0, shootdownsReceived: 0, shootdownEntries: 0, tlbiBroadcasts: 0 };
  for (const c of pes) {
    t.instructions += c.instret;
    t.maxCycles = Math.max(t.maxCycles, c.cycles);
    t.idleCycles += c.idleCycles;
    t.interrupts += c.interruptsTaken;
    t.monitorClears += c.monitorClears;
    t.shootdownsReceived += c.shootdownsReceived;
    t.shootdownEntries += c.shootdownEntries;
    t.tlbiBroadcasts += c.tlbiBroadcasts;
  }
  return t;
}

/** One line per PE for the figures table. */
export function peRow(c: Cpu): [string, string] {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  return [
    `PE ${c.index}`,
    `${n(c.instret)} insns, ${n(c.cycles)} cycles (${n(c.idleCycles)} asleep), ${c.interruptsTaken} interrupts, ` +
      `${c.shootdownsReceived} shootdowns received (${c.shootdownEntries} entries), ${c.tlbiBroadcasts} TLBI IS sent, ${c.monitorClears} monitor clears`,
  ];
}
