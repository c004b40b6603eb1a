// Regions of interest: the guest resets and dumps the statistics around the code it measures (as
// gem5's m5 resetstats / dumpstats), with semihosting operations in the range the semihosting
// specification (2.0, "Semihosting operation numbers") reserves for user applications:
//   0x100 A64HV_STATS_RESET  X1 = a region number: zero every counter, start counting here
//   0x101 A64HV_STATS_DUMP   X1 = a region number: record the counters since the last reset
// Both return 0 in X0. The header guests/include/a64hv-roi.h gives C functions and assembly macros.
// The run loop adds a block's instructions and cycles when the block ends, so the call asks the
// CPU to leave its loop (requestYield) and the counters are read in `settle`, after run() returned:
// both marks include their own HLT instruction, deterministically.
import type { Cpu } from '../cpu/cpu.js';
import { mmuOf } from '../mmu/translate.js';

export const A64HV_STATS_RESET = 0x100;
export const A64HV_STATS_DUMP = 0x101;

/** Counters of one region (or of the whole run). */
export interface StatsSample {
  /** "roi N" for a guest dump, "reset" for a REPL/GDB dump, "end" for the end of the run (since the last reset, as gem5 counts). */
  label: string;
  instructions: number;
  cycles: number;
  tlb: ReturnType<ReturnType<typeof mmuOf>['tlb']['snapshot']>;
}

export class RegionStats {
  /** Samples dumped so far, in order. */
  readonly regions: StatsSample[] = [];
  private baseInsns = 0;
  private baseCycles = 0;
  private pending: { op: number; id: number }[] = [];
  /** Bounded: a guest dumping in a loop cannot grow the list without limit. */
  static readonly MAX_REGIONS = 10_000;
  dropped = 0;

  constructor(private readonly cpu: Cpu) {}

  /** The semihosting vendor hook (Semihosting.vendor). */
  readonly handler = (cpu: Cpu, op: number, arg: bigint): bigint | null => {
    if (op !== A64HV_STATS_RESET && op !== A64HV_STATS_DUMP) return null;
    this.pending.push({ op, id: Number(arg & 0xffffffffn) });
    cpu.requestYield();
    return 0n;
  };

  /** Apply marks made during the last run() (call after every run()). */
  settle(): void {
    if (this.pending.length === 0) return;
    for (const p of this.pending) {
      if (p.op === A64HV_STATS_RESET) this.reset();
      else this.dump(`roi ${p.id}`);
    }
    this.pending = [];
  }

  /** Zero the TLB counters and start the instruction and cycle counts from here. */
  reset(): void {
    mmuOf(this.cpu).tlb.resetStats();
    this.baseInsns = this.cpu.instret;
    this.baseCycles = this.cpu.cycles;
  }

  /** The counters since the last reset. */
  sample(label: string): StatsSample {
    return {
      label,
      instructions: this.cpu.instret - this.baseInsns,
      cycles: this.cpu.cycles - this.baseCycles,
      tlb: mmuOf(this.cpu).tlb.snapshot(),
    };
  }

  dump(label: string): StatsSample {
    const s = this.sample(label);
    if (this.regions.length < RegionStats.MAX_REGIONS) this.regions.push(s);
    else this.dropped++;
    return s;
  }
}
