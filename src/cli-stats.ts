// The figures every --stats-json carries, whether the guest ran on the board or as VMs under
// --hyp (the hypervisor adds its "hyp" object, the plain run its DMA/config/regions): one shape, so
// a script reading cpi or idleCycles works for both.
import type { Cpu } from './cpu/cpu.js';
import { mmuOf } from './mmu/translate.js';

export interface RunFigures {
  instructions: number;
  cycles: number;
  /** Cycles per instruction, idle WFI cycles included (3 decimals). */
  cpi: number;
  /** Cycles spent asleep in WFI until a timer fired (included in cycles and CPI). */
  idleCycles: number;
  interrupts: number;
  timing: string;
  wallMs: number;
  /** Of wallMs, the time the run waited (the guest asleep in WFI for its timer or host input: src/cli-progress.ts). */
  idleWallMs: number;
  /** Millions of instructions per second of the time not idle (wallMs - idleWallMs). */
  mips: number;
  exitReason: string;
  exitCode: number;
  tlb: ReturnType<ReturnType<typeof mmuOf>['tlb']['snapshot']>;
  /** Present with a detailed timing profile only. */
  cycleModel?: ReturnType<NonNullable<Cpu['timed']>['counts']>;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The common figures of a run on `cpu` (PE 0, or the physical CPU under the hypervisor). */
export function runFigures(cpu: Cpu, instructions: number, wallMs: number, exitReason: string, exitCode: number, idleWallMs = 0): RunFigures {
  const idle = Math.min(Math.max(0, idleWallMs), wallMs);
  const busy = wallMs - idle;
  return {
    instructions,
    cycles: cpu.cycles,
    cpi: instructions > 0 ? r3(cpu.cycles / instructions) : 0,
    idleCycles: cpu.idleCycles,
    interrupts: cpu.interruptsTaken,
    timing: cpu.timing.profile.name,
    wallMs: r3(wallMs),
    idleWallMs: r3(idle),
    mips: busy > 0 ? r3(instructions / 1000 / busy) : 0,
    exitReason,
    exitCode,
    // The TLB model's counters (src/mmu/README.md says what each one means).
    tlb: mmuOf(cpu).tlb.snapshot(),
    // A detailed profile's caches, branch prediction and stalls (src/cpu/timing/).
    ...(cpu.timed !== null ? { cycleModel: cpu.timed.counts() } : {}),
  };
}
