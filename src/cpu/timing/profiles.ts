// The detailed core profiles: what the pipeline model (model.ts), the caches (cache.ts) and the
// branch predictor (bpred.ts) need to know about one core. Every figure says where it comes from,
// or says "unverified" (no source could be checked) or "assumption" (not published):
//   [LLVM-A57] LLVM's Cortex-A57 scheduling model, llvm/llvm-project
//              llvm/lib/Target/AArch64/AArch64SchedA57.td (IssueWidth, MicroOpBufferSize,
//              LoadLatency, MispredictPenalty, per-instruction latencies; its comments cite the
//              Cortex-A57 Software Optimization Guide, ARM UAN 0015, by section)
//   [LLVM-A53] LLVM's Cortex-A53 model, llvm/lib/Target/AArch64/AArch64SchedA53.td (its
//              mispredict penalty cites Arm's "Cortex-A53 Software Optimisation Specification -
//              Instruction Timings")
//   [OSACA-A72] the OSACA analyser's Cortex-A72 machine model, RRZE-HPC/OSACA osaca/data/a72.yml
//   [A53-TRM]  Cortex-A53 TRM, ARM DDI 0500, 2.1.7 "L2 memory system"
//              (developer.arm.com/docs/ddi0500/g/functional-description/about-the-cortex-a53-processor-functions/l2-memory-system)
//   [A72-TRM]  Cortex-A72 TRM, ARM 100095, 6.4 "L1 data memory system" (64-byte lines) and 6.5
//              "Program flow prediction" (infocenter.arm.com com.arm.doc.100095_0002_03/04)
//   [DT-A53]   Linux arch/arm64/boot/dts/exynos/exynos5433.dtsi, Cortex-A53 nodes: I 32 KiB 256
//              sets, D 32 KiB 128 sets, 64-byte lines (so I 2-way, D 4-way)
//   [DT-A57]   Linux arch/arm64/boot/dts/amd/amd-seattle-cpus.dtsi, Cortex-A57 nodes: I 48 KiB
//              256 sets, D 32 KiB 256 sets, 64-byte lines (so I 3-way, D 2-way)
//   [WP]       Wikipedia "ARM Cortex-A57" / "ARM Cortex-A72" (feature lists: L1 and L2 sizes and
//              ways) and the French "ARM Cortex-A53" (predictor sizes), read from mirrors
//   [C&C-A72]  chipsandcheese.com/2023/11/10/arms-cortex-a72-aarch64-for-the-masses ("3-wide")
//   [Bastian]  T. Bastian, PhD thesis, chapter on the Cortex-A72 (git.tobast.fr/tobast/phd-thesis,
//              40_A72-frontend/20_cortex_a72.tex), citing the A72 Software Optimization Guide:
//              decode 3 instructions and dispatch 3 micro-ops per cycle, eight issue ports
//   [Toms-A72] tomshardware.com/reviews/arm-cortex-a72-architecture,4424-2.html: 3-way decode
//              into macro-ops, dispatch of up to 5 micro-ops per cycle (3 on the A57)
// Checked in issue 13's review: the Software Optimization Guides themselves (UAN 0015, UAN 0016)
// and the 7-cpu.com / chipsandcheese latency graphs could not be opened from the search index
// (only their title pages), so the SOG figures are taken through LLVM's A57/A53 models and
// OSACA's A72 model, which state them as data; the L2 and DRAM latencies, which only those
// measurement pages give, are marked "unverified". Nothing the A72 profile takes from the A57
// (mispredict penalty, ROB) is confirmed for the A72.

import type { PrefetchConfig } from './prefetch.js';

/** Instruction classes the operand decoder (operands.ts) assigns; latencies are per class. */
export const enum Cls {
  ALU = 0, // integer ALU, moves, logical, add/sub (unshifted), ADR, conditional select
  ALU_SHIFT, // integer ALU with a shifted/extended register operand
  MUL_W, // MADD/MSUB etc. on W registers
  MUL_X, // MADD/MSUB on X registers, long multiplies
  MULH, // SMULH/UMULH
  DIV_W,
  DIV_X,
  LOAD,
  STORE,
  BRANCH, // B, BL, B.cond, CBZ, TBZ
  BRANCH_REG, // BR, BLR, RET, ERET
  FP_ALU, // FADD/FSUB/FCMP/FCVT/FMOV/... scalar FP
  FP_MUL,
  FP_FMA,
  FP_DIV_S,
  FP_DIV_D,
  SIMD, // Advanced SIMD (vector) integer and FP
  SYS, // system instructions (MRS/MSR/barriers/hints/exception generation)
  COUNT,
}

/** Execution pipes: the A53's dual-issue pairing rules are stated on pipes. */
export const enum Pipe {
  INT = 1,
  MUL = 2,
  DIV = 4,
  LS = 8,
  BR = 16,
  FP = 32,
  SYS = 64,
}

export interface CacheGeometry {
  /** Total bytes, associativity, line bytes. */
  size: number;
  ways: number;
  line: number;
}

export interface DetailedProfile {
  core: string;
  /** 'inorder': issue in program order, stall on use (A53); 'ooo': dispatch in order, dataflow issue, ROB (A57/A72). */
  kind: 'inorder' | 'ooo';
  /** Instructions issued (in-order) or dispatched/retired (ooo) per cycle. */
  width: number;
  /** Reorder buffer entries (ooo only). */
  rob: number;
  /** Result latency per class (Cls order); loads: the L1 hit load-to-use latency. */
  latency: number[];
  /** Pipes per class (Pipe bits) and the pipes that exist only once (two of them cannot pair). */
  pipe: number[];
  singlePipes: number;
  /** Classes that issue alone (in-order: nothing pairs with them). */
  issueAlone: number[];
  /** Unpipelined dividers: a divide blocks the next divide until it completes. */
  divBlocking: boolean;
  /** Cycles lost when a branch is mispredicted (from resolution to the first correct instruction). */
  mispredictPenalty: number;
  /** Fetch bubble after a correctly predicted taken branch. */
  takenBubble: number;
  /** Conditional predictor: 2^bits two-bit counters indexed by PC xor global history (gshare). */
  predictorBits: number;
  historyBits: number;
  /** Return stack entries; indirect target table entries (2^bits). */
  returnStack: number;
  indirectBits: number;
  l1i: CacheGeometry;
  l1d: CacheGeometry;
  l2: CacheGeometry;
  /** The L1D stride prefetcher (prefetch.ts), or null for none. */
  prefetch: PrefetchConfig | null;
  /** Load-to-use latency in cycles when the line is in L2 / comes from DRAM (whole latency, not extra). */
  l2Latency: number;
  dramLatency: number;
  /** The clock assumed to turn DRAM nanoseconds into cycles (MHz), for the calibration table. */
  mhz: number;
  /** Published CoreMark/MHz and IPC figures this profile is compared with (docs/cycle-model.md). */
  published: { coremarkPerMhz: number; source: string };
}

const KiB = 1024;

function perClass(v: Partial<Record<Cls, number>>, dflt: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < Cls.COUNT; c++) out.push(v[c as Cls] ?? dflt);
  return out;
}

/** The pipes of each class, shared by the three cores ([LLVM-A57]/[LLVM-A53] units, [OSACA-A72] ports). */
const PIPES = perClass(
  {
    [Cls.ALU]: Pipe.INT,
    [Cls.ALU_SHIFT]: Pipe.INT,
    [Cls.MUL_W]: Pipe.MUL,
    [Cls.MUL_X]: Pipe.MUL,
    [Cls.MULH]: Pipe.MUL,
    [Cls.DIV_W]: Pipe.DIV,
    [Cls.DIV_X]: Pipe.DIV,
    [Cls.LOAD]: Pipe.LS,
    [Cls.STORE]: Pipe.LS,
    [Cls.BRANCH]: Pipe.BR,
    [Cls.BRANCH_REG]: Pipe.BR,
    [Cls.FP_ALU]: Pipe.FP,
    [Cls.FP_MUL]: Pipe.FP,
    [Cls.FP_FMA]: Pipe.FP,
    [Cls.FP_DIV_S]: Pipe.FP | Pipe.DIV,
    [Cls.FP_DIV_D]: Pipe.FP | Pipe.DIV,
    [Cls.SIMD]: Pipe.FP,
    [Cls.SYS]: Pipe.SYS,
  },
  Pipe.INT,
);

export const DETAILED: Record<string, DetailedProfile> = {
  'cortex-a53': {
    core: 'Cortex-A53',
    kind: 'inorder',
    width: 2, // [LLVM-A53] IssueWidth 2 (in-order dual issue)
    rob: 0,
    latency: perClass(
      {
        // [LLVM-A53] ALU results are written at 3 but forwarded: a normal operand is read 2
        // cycles late (effective 1), a shifted/extended one 1 cycle late (effective 2).
        [Cls.ALU]: 1,
        [Cls.ALU_SHIFT]: 2,
        // [LLVM-A53] WriteIM32 / WriteIM64: 4 for every multiply (SMULH/UMULH are WriteIM64);
        // was 3 / 4 / 5 before the check.
        [Cls.MUL_W]: 4,
        [Cls.MUL_X]: 4,
        [Cls.MULH]: 4,
        [Cls.DIV_W]: 12, // unverified: data-dependent divider; LLVM's 4 is a placeholder, no range found
        [Cls.DIV_X]: 20, // unverified (as DIV_W)
        [Cls.LOAD]: 3, // [LLVM-A53] LoadLatency 3 (L1D load-to-use)
        [Cls.STORE]: 1,
        [Cls.BRANCH]: 1,
        [Cls.BRANCH_REG]: 1,
        [Cls.FP_ALU]: 4, // [LLVM-A53] WriteF 4 (scalar FP arithmetic and conversion)
        [Cls.FP_MUL]: 4, // [LLVM-A53] WriteFMul 4
        [Cls.FP_FMA]: 8, // [LLVM-A53] A53WriteFMAC 8 (the addend forwards, not modelled here)
        [Cls.FP_DIV_S]: 18, // [LLVM-A53] A53WriteFDivSP latency 18 (14 was its divider occupancy)
        [Cls.FP_DIV_D]: 33, // [LLVM-A53] A53WriteFDivDP latency 33 (29 was its divider occupancy)
        // [LLVM-A53] 4 for vector FP arithmetic and integer vector multiply (A53WriteVecD_4);
        // simple integer vector ALU ops are 2-3 there, which this one class does not separate.
        [Cls.SIMD]: 4,
        [Cls.SYS]: 1,
      },
      1,
    ),
    pipe: PIPES,
    // [LLVM-A53] units: ALU x2 and one each of MAC, divide, load/store, branch, FP ALU and FP
    // multiply/divide: two instructions of one single unit do not pair. (LLVM has separate FP
    // ALU and FP multiply units; this model has one FP pipe, so an FP add and an FP multiply do
    // not pair here.)
    singlePipes: Pipe.MUL | Pipe.DIV | Pipe.LS | Pipe.BR | Pipe.FP | Pipe.SYS,
    issueAlone: [Cls.SYS, Cls.DIV_W, Cls.DIV_X, Cls.FP_DIV_S, Cls.FP_DIV_D], // assumption
    divBlocking: true, // [LLVM-A53] FP divides hold their unit (ReleaseAtCycles 14/29); integer: assumption
    mispredictPenalty: 9, // [LLVM-A53] MispredictPenalty 9, from Arm's A53 instruction-timing specification
    takenBubble: 0, // unverified (assumption: hot taken branches need no refetch)
    predictorBits: 12, // assumption (4096 two-bit counters; [WP] "ARM Cortex-A53": "4 KiB conditional predictor", unit unclear)
    historyBits: 8, // assumption
    returnStack: 4, // assumption (depth not found)
    indirectBits: 8, // [WP] "ARM Cortex-A53": 256-entry indirect branch predictor
    l1i: { size: 32 * KiB, ways: 2, line: 64 }, // [DT-A53]: 32 KiB, 2-way, 64-byte lines (the size is a build option)
    l1d: { size: 32 * KiB, ways: 4, line: 64 }, // [DT-A53]: 32 KiB, 4-way, 64-byte lines
    l2: { size: 512 * KiB, ways: 16, line: 64 }, // [A53-TRM] 2.1.7: 128 KiB-2 MiB, 16-way, 64-byte lines (512 KiB chosen)
    // unverified (the TRMs' "Data prefetching" as recalled, not re-read): strides within 4 lines
    // either way; up to 5 outstanding prefetches (CPUACTLR_EL1.L1PCTL reset); streams: assumption.
    prefetch: { streams: 4, window: 4, distance: 5 },
    l2Latency: 15, // unverified (recalled from 7-cpu.com's Cortex-A53 page, which could not be read)
    dramLatency: 15 + 180, // unverified (recalled: L2 + ~130 ns at 1.4 GHz)
    mhz: 1400,
    published: { coremarkPerMhz: 3.2, source: 'issue 13 / Arm Cortex-A53 product page (CoreMark/MHz per core; unverified)' },
  },
  'cortex-a57': {
    core: 'Cortex-A57',
    kind: 'ooo',
    width: 3, // [LLVM-A57] IssueWidth 3 (3-way decode and dispatch)
    rob: 128, // [LLVM-A57] MicroOpBufferSize 128 (re-order buffer)
    latency: perClass(
      {
        [Cls.ALU]: 1, // [LLVM-A57] WriteI 1
        [Cls.ALU_SHIFT]: 2, // [LLVM-A57] WriteISReg / WriteIEReg 2 on the M pipe (shift 0 is 1)
        [Cls.MUL_W]: 3, // [LLVM-A57] WriteIM32 3
        [Cls.MUL_X]: 5, // [LLVM-A57] WriteIM64 5
        [Cls.MULH]: 6, // [LLVM-A57] SMULH/UMULH 6
        // unverified: a data-dependent divider; LLVM gives the worst case, 19 (W) and 35 (X);
        // the "4-20 / 4-36" ranges these mid-points came from could not be checked.
        [Cls.DIV_W]: 12,
        [Cls.DIV_X]: 20,
        [Cls.LOAD]: 4, // [LLVM-A57] LoadLatency 4, WriteLD 4 (L1D load-to-use)
        [Cls.STORE]: 1, // [LLVM-A57] WriteST 1
        [Cls.BRANCH]: 1, // [LLVM-A57] WriteBr 1
        [Cls.BRANCH_REG]: 1, // [LLVM-A57] WriteBrReg 1
        [Cls.FP_ALU]: 5, // [LLVM-A57] FADD/FSUB (scalar) 5
        [Cls.FP_MUL]: 5, // [LLVM-A57] WriteFMul 5
        [Cls.FP_FMA]: 9, // [LLVM-A57] FMADD/FMSUB 9 (SOG 3.10)
        [Cls.FP_DIV_S]: 17, // [LLVM-A57] FDIVSrr 17 (was 12)
        [Cls.FP_DIV_D]: 32, // [LLVM-A57] FDIVDrr 32 (was 20)
        [Cls.SIMD]: 3, // [LLVM-A57] WriteVd / WriteVq 3 (basic ASIMD)
        [Cls.SYS]: 1,
      },
      1,
    ),
    pipe: PIPES,
    singlePipes: Pipe.MUL | Pipe.DIV | Pipe.BR | Pipe.SYS, // [LLVM-A57] one M and one B unit (two I)
    issueAlone: [Cls.SYS],
    divBlocking: true, // assumption (divides on the single M unit)
    mispredictPenalty: 14, // [LLVM-A57] MispredictPenalty 14 ("fetch + decode/rename/dispatch + branch")
    takenBubble: 1, // unverified (recalled from the SOG's branch section)
    predictorBits: 13, // assumption ([WP]: "2-level dynamic predictor" with BTB, sizes not published)
    historyBits: 10, // assumption
    returnStack: 8, // assumption ([WP]: a return stack, depth not given)
    indirectBits: 9, // assumption
    l1i: { size: 48 * KiB, ways: 3, line: 64 }, // [DT-A57], [WP]: 48 KiB, 3-way, 64-byte lines
    l1d: { size: 32 * KiB, ways: 2, line: 64 }, // [DT-A57], [WP]: 32 KiB, 2-way, 64-byte lines
    l2: { size: 2048 * KiB, ways: 16, line: 64 }, // [WP]: 512 KiB, 1 or 2 MiB, 16-way (2 MiB chosen; 64-byte line: assumption, as the L1s)
    // unverified (the A57 TRM's "Data prefetching" as recalled: misses at a fixed stride within
    // 4 lines either way); distance and streams: assumptions.
    prefetch: { streams: 4, window: 4, distance: 4 },
    l2Latency: 19, // unverified (recalled from 7-cpu.com's Cortex-A57 page, which could not be read)
    dramLatency: 19 + 190, // unverified (recalled: L2 + ~100 ns at 1.9 GHz)
    mhz: 1900,
    published: { coremarkPerMhz: 3.9, source: 'issue 13 (published ~3.9 CoreMark/MHz for Cortex-A57; unverified)' },
  },
  'cortex-a72': {
    core: 'Cortex-A72',
    kind: 'ooo',
    // [C&C-A72] "3-wide"; [Bastian], [Toms-A72]: 3-way decode. Dispatch: [Toms-A72] up to 5
    // micro-ops, [Bastian] 3; the model has one width (instructions), so 3.
    width: 3,
    rob: 128, // unverified (taken from the A57; [C&C-A72]'s text gives no number)
    latency: perClass(
      {
        [Cls.ALU]: 1, // [OSACA-A72] ADD/AND/... (X) 1
        [Cls.ALU_SHIFT]: 1, // unverified ("1 for LSL #0-4" recalled from the SOG)
        [Cls.MUL_W]: 3, // unverified (OSACA lists only X-form multiplies; the A57's is 3)
        [Cls.MUL_X]: 5, // [OSACA-A72] MUL/MADD/MSUB (X) 5
        [Cls.MULH]: 6, // [OSACA-A72] SMULH/UMULH 6
        // unverified: [OSACA-A72] gives SDIV/UDIV (X) 4, the fast case of a data-dependent
        // divider; the recalled upper bounds (12 W, 20 X) could not be checked.
        [Cls.DIV_W]: 12,
        [Cls.DIV_X]: 20,
        [Cls.LOAD]: 4, // [OSACA-A72] load_latency x 4 (LDR/LDUR/LDP X: 4)
        [Cls.STORE]: 1, // [OSACA-A72] STR (X) 1
        [Cls.BRANCH]: 1, // [OSACA-A72] B, B.cond 1
        [Cls.BRANCH_REG]: 1, // [OSACA-A72] BR, RET, BLR 1
        [Cls.FP_ALU]: 3, // [OSACA-A72] FADD/FSUB 3 (its note: measured 4, can be 3)
        [Cls.FP_MUL]: 4, // [OSACA-A72] FMUL/FNMUL 4 (was 3)
        [Cls.FP_FMA]: 7, // [OSACA-A72] FMADD/FMSUB/FNMADD 7
        // unverified: [OSACA-A72] gives FDIV 6 (S and D), the fast case; the recalled upper
        // bounds (S 6-11, D 6-18) these come from could not be checked.
        [Cls.FP_DIV_S]: 10,
        [Cls.FP_DIV_D]: 17,
        [Cls.SIMD]: 3, // [OSACA-A72] ASIMD integer ADD/SUB/CMxx/AND 3
        [Cls.SYS]: 1,
      },
      1,
    ),
    pipe: PIPES,
    singlePipes: Pipe.MUL | Pipe.DIV | Pipe.BR | Pipe.SYS, // [OSACA-A72], [Bastian]: one M (multi-cycle) port, one branch port
    issueAlone: [Cls.SYS],
    divBlocking: true, // assumption (divides on the single M port)
    // unverified: the A57's figure; LLVM schedules the A72 with its A57 model (ARM.td:
    // ProcessorModel<"cortex-a72", CortexA57Model>), which is a compiler's choice, not a measurement.
    mispredictPenalty: 14,
    takenBubble: 0, // unverified (recalled from the SOG's branch section)
    predictorBits: 14, // assumption ([A72-TRM] 6.5: 2-level global-history direction predictor, sizes not given)
    historyBits: 12, // assumption
    returnStack: 8, // assumption ([A72-TRM] 6.5: a return stack, depth not given)
    indirectBits: 10, // assumption ([A72-TRM] 6.5: an indirect predictor, size not given)
    l1i: { size: 48 * KiB, ways: 3, line: 64 }, // [WP]: 48 KiB 3-way; [A72-TRM] 6.4: 64-byte lines
    l1d: { size: 32 * KiB, ways: 2, line: 64 }, // [WP]: 32 KiB 2-way; [A72-TRM] 6.4: 64-byte lines
    l2: { size: 1024 * KiB, ways: 16, line: 64 }, // [WP]: 512 KiB-4 MiB, 16-way (1 MiB: Raspberry Pi 4 class)
    // unverified (the A72 TRM's load/store prefetcher as recalled: strides within 32 lines either
    // way); distance and streams: assumptions.
    prefetch: { streams: 8, window: 32, distance: 4 },
    l2Latency: 21, // unverified (recalled from [C&C-A72]'s latency graph: ~9 ns at 2.3 GHz)
    dramLatency: 21 + 230, // unverified (recalled: ~100 ns beyond L2 at 2.3 GHz)
    mhz: 2300,
    published: { coremarkPerMhz: 5.5, source: 'issue 13 (published ~5.5 CoreMark/MHz for Cortex-A72; unverified)' },
  },
};
