// The interpreter: the reference engine. Blocks of decoded instructions run one `exec` call per
// instruction; the run loop does the per-block bookkeeping that every engine must reproduce
// exactly (DESIGN.md "Two speeds, one truth"): interrupts and timers sampled when cycles >=
// checkAt at each block boundary, the block's static cost added once, chaining to the last
// successor while `gen` is unchanged, and the stop of an instruction (exception, debugger, halt,
// context change) turned into the same counts and PC.
import { ST_OK, ST_EXC, ST_HALT, ST_DEBUG } from './state.js';
import { EC_ILLEGAL_STATE, PSTATE_IL } from './exceptions.js';
import type { Block } from './blocks.js';
import { PSTATE_BTYPE, btiCheck } from './isa/bti.js'; // [pauth]
import type { Cpu } from './cpu.js';
import { guestDebugBefore, guestDebugAfter, checkSoftwareStep } from './debug/unit.js';

/**
 * Run until `maxInsns` instructions retire or the machine halts. Returns instructions retired.
 * Interrupts and the cycle model are handled at block boundaries.
 */
export function runInterp(cpu: Cpu, maxInsns: number): number {
  return runBlocks(cpu, maxInsns, null);
}

/** What the run loop needs from a translating engine (src/cpu/jit/engine.ts). */
export interface BlockCompiler {
  /** Instructions run (in whole runs) by a block before it is compiled. */
  readonly threshold: number;
  /** Compile the region of `b` (setting b.code) and return its code, or null when it declines (for now). */
  compile(b: Block): ((cpu: Cpu, b: Block) => number) | null;
  /** Exchanged with the compiled code: the remaining budget, the block that ran last. */
  budget: number;
  cur: Block | null;
}

/**
 * The run loop shared by the engines: with `jit` null every instruction is interpreted; with a
 * compiler, whole blocks that the budget allows run as compiled code once hot. The bookkeeping
 * around a block is the same code either way, which is what keeps the counts identical.
 */
export function runBlocks(cpu: Cpu, maxInsns: number, jit: BlockCompiler | null): number {
  const start = cpu.instret;
  let budget = maxInsns;
  let prev: Block | null = null;
  while (budget > 0) {
    if (cpu.status === ST_HALT) break;
    if (cpu.cycles >= cpu.checkAt && cpu.asyncEvents()) {
      // Taken (to EL1, or to EL2 and back): run at least one block before sampling again.
      prev = null;
      if (cpu.status === ST_HALT) break;
    }
    let pcLo = cpu.pcLo;
    let pcHi = cpu.pcHi;
    let b: Block;
    if (prev !== null && prev.nextGen === cpu.gen && prev.nextLo === pcLo && prev.nextHi === pcHi) {
      b = prev.next!;
    } else {
      const pa = cpu.fetchPa(pcLo, pcHi);
      if (pa < 0) {
        // a64hv debug: a pending Software Step exception comes before the fetch's abort.
        if (cpu.status === ST_EXC && (cpu.guestDebug & 4) !== 0) checkSoftwareStep(cpu);
        if (cpu.status === ST_EXC) cpu.deliver(pcLo, pcHi, 0);
        prev = null;
        continue;
      }
      if ((cpu.pstateOther & PSTATE_IL) !== 0) {
        // PSTATE.IL: an Illegal Execution state exception (EC 0x0E), after PC alignment and
        // instruction aborts in priority. IL is set only by exception returns, which bump gen,
        // so checking here (never on a chained jump) costs the hot path nothing.
        // a64hv debug: Software Step and Breakpoint exceptions come first.
        if (cpu.guestDebug === 0 || !guestDebugBefore(cpu, pcLo, pcHi)) cpu.raise(EC_ILLEGAL_STATE, 0, 0);
        cpu.deliver(pcLo, pcHi, 0);
        prev = null;
        continue;
      }
      b = cpu.getBlock(pa);
      // [pauth] FEAT_BTI: after a BTYPE-setting branch (which ends its block with ST_SYNC, so the
      // target is always looked up here), check the target's first instruction (isa/bti.ts).
      if ((cpu.pstateOther & PSTATE_BTYPE) !== 0 && btiCheck(cpu, b.insns[0].raw, pcLo, pcHi)) {
        cpu.deliver(pcLo, pcHi, 0);
        prev = null;
        continue;
      }
      if (prev !== null) {
        prev.next = b;
        prev.nextLo = pcLo;
        prev.nextHi = pcHi;
        prev.nextGen = cpu.gen;
      }
    }
    let insns = b.insns;
    let n = insns.length;
    if (n > budget) n = budget;
    const fall = (pcLo + 4 * n) | 0;
    cpu.npcLo = fall;
    cpu.npcHi = (fall >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
    let k = 0;
    if (jit !== null && n === insns.length && cpu.jitAllowed()) {
      // The translating engine: a hot block's region runs it and the blocks after it that stay in
      // the region, doing this loop's bookkeeping for each; it returns -1 when it left at a block
      // boundary (jit.cur completed last) or k when instruction k of block jit.cur stopped.
      let code = b.code;
      // [jitboot] hits counts instructions (whole runs), so the threshold is work done, not runs.
      if (code === null && (b.hits += n) >= jit.threshold) code = jit.compile(b);
      if (code !== null) {
        jit.budget = budget;
        k = code(cpu, b);
        budget = jit.budget;
        if (k < 0) {
          prev = jit.cur;
          continue;
        }
        b = jit.cur!;
        insns = b.insns;
        n = insns.length;
        pcLo = cpu.pcLo;
        pcHi = cpu.pcHi;
      } else {
        for (; k < n; k++) {
          const ins = insns[k];
          ins.exec(cpu, ins);
          if (cpu.status !== ST_OK) break;
        }
      }
    } else if (cpu.timed !== null && cpu.guestDebug === 0) {
      // cycles: a detailed profile's model sees each instruction (and calls the tracer itself).
      // (With guest self-hosted debug active the per-instruction path below runs instead and the
      // detailed model is bypassed for those blocks: src/cpu/timing/README or docs say so.)
      k = cpu.timed.runBlock(b, n, pcLo, pcHi);
    } else if (cpu.tracer === null && cpu.guestDebug === 0) {
      for (; k < n; k++) {
        const ins = insns[k];
        ins.exec(cpu, ins);
        if (cpu.status !== ST_OK) break;
      }
    } else {
      for (; k < n; k++) {
        const ins = insns[k];
        const lo = (pcLo + 4 * k) | 0;
        const hi = (lo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
        if (cpu.tracer !== null) {
          cpu.tracer(cpu, lo, hi, ins);
          if (cpu.status !== ST_OK) break; // the debugger stopped before this instruction
        }
        // a64hv debug: the guest's step and breakpoint checks (after the debugger's, which the
        // guest never sees), then SSAdvance once the instruction ran.
        const gd = cpu.guestDebug;
        if (gd !== 0 && guestDebugBefore(cpu, lo, hi)) break;
        ins.exec(cpu, ins);
        if (gd !== 0) guestDebugAfter(cpu, ins.raw);
        if (cpu.status !== ST_OK) break;
      }
    }
    if (k === n) {
      cpu.instret += n;
      budget -= n;
      cpu.cycles += b.costs[n];
      cpu.exactData += b.accs[n]; // pmu: exact L1 TLB lookups (src/mmu/tlb-exact.ts)
      cpu.exactFetch += n;
      cpu.pcLo = cpu.npcLo;
      cpu.pcHi = cpu.npcHi;
      cpu.excStreak = 0;
      prev = b;
      continue;
    }
    // Instruction k stopped the block.
    prev = null;
    const flo = (pcLo + 4 * k) | 0;
    const fhi = (flo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
    if (cpu.status === ST_EXC) {
      const retired = k + cpu.excRetNext;
      cpu.instret += retired;
      budget -= retired;
      cpu.cycles += b.costs[k + cpu.excRetNext];
      cpu.exactData += b.accs[k + 1]; // pmu: the excepting instruction was fetched, looked its address up
      cpu.exactFetch += k + 1;
      if (retired > 0) cpu.excStreak = 0;
      // A stage-2 data abort reports the instruction's own syndrome (ISV, SAS, SSE, SRT, SF, AR).
      if (cpu.excS2 && cpu.excTargetEl === 2) cpu.excISS |= insns[k].iss;
      cpu.deliver(flo, fhi, cpu.excRetNext);
      // SMP: the firmware may stop this PE while handling the exception (PSCI CPU_OFF over HVC).
      if (cpu.yieldRequested) {
        cpu.yieldRequested = false;
        cpu.status = ST_OK;
        break;
      }
    } else if (cpu.status === ST_DEBUG) {
      // A breakpoint or watchpoint stopped before instruction k: it has not executed (so the
      // counts are those of the k before it) and resumes from here, as if the budget had run out.
      cpu.status = ST_OK;
      cpu.instret += k;
      cpu.cycles += b.costs[k];
      cpu.exactData += b.accs[k]; // pmu
      cpu.exactFetch += k;
      if (k > 0) cpu.excStreak = 0;
      cpu.pcLo = flo;
      cpu.pcHi = fhi;
      break;
    } else if (cpu.status === ST_HALT) {
      // The halting instruction (semihosting exit, PSCI off) completed.
      cpu.instret += k + 1;
      cpu.cycles += b.costs[k + 1];
      cpu.exactData += b.accs[k + 1]; // pmu
      cpu.exactFetch += k + 1;
      cpu.pcLo = cpu.npcLo;
      cpu.pcHi = cpu.npcHi;
      break;
    } else {
      // ST_SYNC: the instruction completed and asked to leave the block.
      cpu.status = ST_OK;
      cpu.instret += k + 1;
      budget -= k + 1;
      cpu.cycles += b.costs[k + 1];
      cpu.exactData += b.accs[k + 1]; // pmu
      cpu.exactFetch += k + 1;
      cpu.pcLo = cpu.npcLo;
      cpu.pcHi = cpu.npcHi;
      cpu.excStreak = 0;
      if (cpu.yieldRequested) {
        cpu.yieldRequested = false;
        break;
      }
    }
  }
  return cpu.instret - start;
}
