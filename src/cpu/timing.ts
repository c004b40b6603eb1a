// Timing profiles: the static cycle cost of each instruction (summed per block when it is decoded,
// so the run loop adds one number per block) and the charges for events on the slow path.
//
// The model is an in-order issue approximation: one cycle per instruction, plus the extra latency
// of the long-latency operations that dominate real programs. The figures for the "a57" profile are
// the execution latencies published in the Cortex-A57 Software Optimization Guide (ARM UAN 0015),
// taking the middle of a range where the guide gives one (division is data dependent); exception
// entry is charged as a pipeline refill. TLB-miss and walk charges are the MMU's (src/mmu/README.md).
import { compilePattern, type Insn } from './decode.js';
import { DETAILED, type DetailedProfile } from './timing/profiles.js';

export interface TimingProfile {
  name: string;
  description: string;
  /** [pattern, cycles]: the first pattern matching the instruction word wins; default 1. */
  costs: [string, number][];
  /** Cycles charged for taking an exception (to EL1 in the guest or to EL2). */
  exceptionEntry: number;
  /**
   * Cycles for an access to a device region (MMIO): uncached, a round trip over the interconnect.
   * An assumption (no published figure for QEMU's virt devices). Device-type accesses to RAM (as
   * with the MMU off) are not charged: there is no cache model yet.
   */
  deviceAccess: number;
  /** MMU slow-path charges (an L1 TLB miss that hits the L2; each descriptor read of a walk). */
  tlb: { l2Hit: number; descRead: number };
  /** The hypervisor's charges: an exit to EL2 and back, and a world switch (src/hyp/stats.ts says why). */
  hypExit: number;
  worldSwitch: number;
  /**
   * With several PEs: cycles a TLBI ...IS costs its issuer per other PE it reaches (the broadcast
   * and each PE's acknowledgement over the interconnect, which DSB waits for). An assumption of
   * the same order as a device round trip, not a published figure.
   */
  tlbiBroadcast?: number;
  /**
   * A detailed profile (src/cpu/timing/): the per-instruction model of that core replaces the
   * static costs (which are then 0), and the PE runs in the interpreter while it is selected.
   */
  detailed?: DetailedProfile;
}

export const PROFILES: Record<string, TimingProfile> = {
  a57: {
    name: 'a57',
    description: 'Cortex-A57-like latencies for multiply, divide, FP divide/sqrt; 1 cycle otherwise',
    costs: [
      ['0 0 0 11010110 xxxxx 00001 x xxxxx xxxxx', 12], // UDIV/SDIV (W): 4-20
      ['1 0 0 11010110 xxxxx 00001 x xxxxx xxxxx', 20], // UDIV/SDIV (X): 4-36
      ['1 00 11011 x10 xxxxx 0 xxxxx xxxxx xxxxx', 6], // SMULH/UMULH
      ['1 00 11011 xxx xxxxx x xxxxx xxxxx xxxxx', 5], // MADD/MSUB (X), *MADDL/*MSUBL
      ['0 00 11011 xxx xxxxx x xxxxx xxxxx xxxxx', 3], // MADD/MSUB (W)
      ['0 0 0 11110 00 1 xxxxx 0001 10 xxxxx xxxxx', 10], // FDIV (S): 7-17
      ['0 0 0 11110 01 1 xxxxx 0001 10 xxxxx xxxxx', 17], // FDIV (D): 7-32
      ['0 0 0 11110 00 1 000011 10000 xxxxx xxxxx', 10], // FSQRT (S)
      ['0 0 0 11110 01 1 000011 10000 xxxxx xxxxx', 17], // FSQRT (D)
      ['x 0 x 11111 xxxxxxxxxxxxxxxxxxxxxxxx', 4], // FMADD/FMSUB/FNMADD/FNMSUB (fused)
    ],
    exceptionEntry: 12,
    deviceAccess: 40,
    tlb: { l2Hit: 3, descRead: 20 },
    hypExit: 600,
    worldSwitch: 1500,
    tlbiBroadcast: 40,
  },
  functional: {
    name: 'functional',
    description: 'every instruction one cycle, no event charges (cycles = instructions)',
    costs: [],
    exceptionEntry: 0,
    deviceAccess: 0,
    tlb: { l2Hit: 0, descRead: 0 },
    hypExit: 0,
    worldSwitch: 0,
  },
};

// cycles: the detailed profiles (src/cpu/timing/profiles.ts), selected like the others. Event
// charges outside the pipeline (exception entry, device round trip, hypervisor exits) are those of
// the a57 profile; descriptor reads are replaced by reads through the modelled L2.
for (const [name, d] of Object.entries(DETAILED)) {
  PROFILES[name] = {
    name,
    description: `${d.core}: ${d.kind === 'ooo' ? 'out-of-order' : 'in-order'} ${d.width}-wide pipeline model, caches, branch prediction (interpreter only)`,
    costs: [],
    exceptionEntry: PROFILES.a57.exceptionEntry,
    deviceAccess: PROFILES.a57.deviceAccess,
    tlb: { l2Hit: PROFILES.a57.tlb.l2Hit, descRead: 0 },
    hypExit: PROFILES.a57.hypExit,
    worldSwitch: PROFILES.a57.worldSwitch,
    tlbiBroadcast: PROFILES.a57.tlbiBroadcast,
    detailed: d,
  };
}

export const DEFAULT_PROFILE = 'a57';

/** A profile compiled for decode-time lookups. */
export class Timing {
  private readonly table: { mask: number; match: number; cycles: number }[];
  readonly exceptionEntry: number;
  readonly deviceAccess: number;
  readonly hypExit: number;
  readonly worldSwitch: number;
  /** The cost of an instruction no pattern matches: 1, or 0 under a detailed profile (the model counts). */
  private readonly base: number;
  constructor(readonly profile: TimingProfile) {
    this.base = profile.detailed !== undefined ? 0 : 1;
    this.hypExit = profile.hypExit;
    this.worldSwitch = profile.worldSwitch;
    this.table = profile.costs.map(([p, cycles]) => ({ ...compilePattern(p), cycles }));
    this.exceptionEntry = profile.exceptionEntry;
    this.deviceAccess = profile.deviceAccess;
  }
  /** Static cost of a decoded instruction (called once per instruction, at decode). */
  cost(ins: Insn): number {
    const w = ins.raw >>> 0;
    for (const t of this.table) if (((w & t.mask) >>> 0) === t.match) return t.cycles;
    return this.base;
  }
}

export function timingProfile(name: string): TimingProfile {
  const p = PROFILES[name];
  if (p === undefined) {
    throw new Error(`unknown timing profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  }
  return p;
}
