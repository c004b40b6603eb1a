// Exit statistics: every exception the hypervisor handles is one exit, counted by cause (MMIO read
// or write per device and register, HVC, WFI, stage-2 RAM faults, injected aborts...) with its
// modelled cost in cycles.

import { PROFILES } from '../cpu/timing.js';
/**
 * Modelled cost of one exit, in cycles: exception entry to EL2, the save of the guest's
 * general-purpose registers, the handler's dispatch, and the ERET. An assumption in the range
 * published for Armv8.0 cores without VHE (a null hypercall round trip of roughly 1,000-1,500
 * cycles including the host kernel's save/restore; a TypeScript hypervisor has no host kernel, so
 * we charge the architectural part only). Emulation work itself is not charged separately.
 */
export const EXIT_COST_CYCLES = PROFILES.a57.hypExit;
/** A world switch (EL1 system registers, VTTBR_EL2, FP/SIMD registers): an assumption too. */
export const SWITCH_COST_CYCLES = PROFILES.a57.worldSwitch;

export class ExitStats {
  /** Exits by cause, e.g. "mmio-read pl011 UARTFR", "hvc psci", "wfi", "s2-ram-fault". */
  readonly byCause = new Map<string, number>();
  total = 0;
  cycles = 0;
  /** World switches into this VM. */
  switchesIn = 0;

  count(cause: string, cost = EXIT_COST_CYCLES): void {
    this.byCause.set(cause, (this.byCause.get(cause) ?? 0) + 1);
    this.total++;
    this.cycles += cost;
  }
  get(cause: string): number {
    return this.byCause.get(cause) ?? 0;
  }
  /** Causes starting with a prefix, summed (e.g. "mmio-read pl011"). */
  sum(prefix: string): number {
    let n = 0;
    for (const [k, v] of this.byCause) if (k.startsWith(prefix)) n += v;
    return n;
  }
  toJSON(): { total: number; cycles: number; switchesIn: number; byCause: Record<string, number> } {
    const byCause: Record<string, number> = {};
    for (const k of [...this.byCause.keys()].sort()) byCause[k] = this.byCause.get(k)!;
    return { total: this.total, cycles: this.cycles, switchesIn: this.switchesIn, byCause };
  }
}
