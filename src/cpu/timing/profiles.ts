// The detailed core profiles: what the pipeline model (model.ts), the caches (cache.ts) and the
// branch predictor (bpred.ts) need to know about one core. Every figure says where it comes from:
//   [A57-SOG] Cortex-A57 Software Optimization Guide, ARM UAN 0015B (section 3: pipeline and
//             instruction latencies; 4.x: load-to-use, branch handling)
//   [A72-SOG] Cortex-A72 Software Optimization Guide, ARM UAN 0016A (same layout)
//   [A57-TRM] Cortex-A57 MPCore TRM, ARM DDI 0488 (6.1 L1 caches, 7.1 L2), [A72-TRM] Cortex-A72
//             MPCore TRM, ARM 100095 (6.1, 7.1), [A53-TRM] Cortex-A53 MPCore TRM,
//             ARM DDI 0500 (6.1 L1, 7.1 L2, 1.1 "in-order, dual-issue, 8-stage pipeline")
//   [7cpu]    7-cpu.com measured latencies (Cortex-A53, Cortex-A57 pages: lat_mem_rd-style pointer
//             chases, L1/L2/RAM latency in cycles and ns)
//   [C&C-A72] chipsandcheese.com "ARM's Cortex A72: aarch64 for the masses" (2023, Graviton 2.3 GHz)
// There is no public Software Optimization Guide for the Cortex-A53: its figures come from the TRM
// and published measurements, as said per figure. Figures marked "assumption" are not published
// (predictor table sizes, return stack depths); they are stated so a reader can change them.
// The SOG and measurement pages could not be re-read from the machine this was written on: the
// figures are those documents' as recalled, cross-checked against LLVM's scheduling models where
// those state them (A57 width 3, ROB 128, load latency 4, mispredict 14; A53 mispredict 9).
// Figures marked "(to verify)" are the least certain.

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

/** The pipes of each class, shared by the three cores (the SOGs' pipeline tables, section 3). */
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
    width: 2, // [A53-TRM] 1.1: "in-order, dual-issue"
    rob: 0,
    latency: perClass(
      {
        [Cls.ALU]: 1,
        [Cls.ALU_SHIFT]: 2, // shifted/extended operand: one more cycle (to verify)
        [Cls.MUL_W]: 3, // MUL 3 cycles, as the A57 (to verify)
        [Cls.MUL_X]: 4,
        [Cls.MULH]: 5,
        [Cls.DIV_W]: 12, // iterative divider: 4-20 (W), mid-range taken as for the a57 profile
        [Cls.DIV_X]: 20,
        [Cls.LOAD]: 3, // L1D load-to-use 3 cycles ([7cpu] A53: "L1 Data Cache Latency = 3 cycles")
        [Cls.STORE]: 1,
        [Cls.BRANCH]: 1,
        [Cls.BRANCH_REG]: 1,
        [Cls.FP_ALU]: 4, // FP add 4 (to verify)
        [Cls.FP_MUL]: 4,
        [Cls.FP_FMA]: 8, // fused multiply-add: multiply then add, 4 + 4 (to verify)
        [Cls.FP_DIV_S]: 14,
        [Cls.FP_DIV_D]: 29,
        [Cls.SIMD]: 4,
        [Cls.SYS]: 1,
      },
      1,
    ),
    pipe: PIPES,
    // The A53 has two integer ALUs but one multiply/divide, one load/store, one branch and one
    // 64-bit FP/NEON issue path: two instructions of those classes do not pair ([A53-TRM] 1.1
    // block diagram: "Integer execute: 2 ALU, MAC, divide; load/store; NEON/FP").
    singlePipes: Pipe.MUL | Pipe.DIV | Pipe.LS | Pipe.BR | Pipe.FP | Pipe.SYS,
    issueAlone: [Cls.SYS, Cls.DIV_W, Cls.DIV_X, Cls.FP_DIV_S, Cls.FP_DIV_D],
    divBlocking: true,
    mispredictPenalty: 9, // Arm's "Cortex-A53 Software Optimisation Specification - Instruction Timings" (9), as cited by LLVM's A53 scheduling model
    takenBubble: 0, // [A53-TRM] 6.5: the BTAC/branch target instruction cache removes taken bubbles for hot branches
    predictorBits: 12, // assumption (4096 two-bit counters)
    historyBits: 8, // assumption
    returnStack: 4, // assumption ([A53-TRM] 6.5: "return stack", depth not given)
    indirectBits: 8, // assumption
    l1i: { size: 32 * KiB, ways: 2, line: 64 }, // [A53-TRM] 6.1: I-cache 8-64 KiB, 2-way, 64-byte lines (32 KiB as in most SoCs)
    l1d: { size: 32 * KiB, ways: 4, line: 64 }, // [A53-TRM] 6.1: D-cache 8-64 KiB, 4-way, 64-byte lines
    l2: { size: 512 * KiB, ways: 16, line: 64 }, // [A53-TRM] 7.1: 128 KiB-2 MiB, 16-way, 64-byte lines
    l2Latency: 15, // [7cpu] A53: L2 latency about 15 cycles (pointer chase within L2)
    dramLatency: 15 + 180, // [7cpu] A53: RAM latency = L2 + ~130 ns at 1.4 GHz (~180 cycles)
    mhz: 1400,
    published: { coremarkPerMhz: 3.2, source: 'issue 13 / Arm Cortex-A53 product page (CoreMark/MHz per core)' },
  },
  'cortex-a57': {
    core: 'Cortex-A57',
    kind: 'ooo',
    width: 3, // [A57-SOG] 2.1: decode/dispatch up to three instructions per cycle
    rob: 128, // [A57-SOG] 2.1: 128-entry reorder buffer (also LLVM's A57 MicroOpBufferSize)
    latency: perClass(
      {
        [Cls.ALU]: 1, // [A57-SOG] 3.3 "ALU, basic": 1
        [Cls.ALU_SHIFT]: 2, // [A57-SOG] 3.3 "ALU, shift by immed / extend": 2 (M pipe)
        [Cls.MUL_W]: 3, // [A57-SOG] 3.5 MUL/MADD W: 3
        [Cls.MUL_X]: 5, // [A57-SOG] 3.5 MUL/MADD X: 5
        [Cls.MULH]: 6, // [A57-SOG] 3.5 SMULH/UMULH: 6
        [Cls.DIV_W]: 12, // [A57-SOG] 3.4 SDIV/UDIV W: 4-20 (middle)
        [Cls.DIV_X]: 20, // [A57-SOG] 3.4 SDIV/UDIV X: 4-36
        [Cls.LOAD]: 4, // [A57-SOG] 3.7 load, immed offset: 4 (load-to-use)
        [Cls.STORE]: 1,
        [Cls.BRANCH]: 1, // [A57-SOG] 3.2
        [Cls.BRANCH_REG]: 1,
        [Cls.FP_ALU]: 5, // [A57-SOG] 3.10 FADD/FSUB: 5
        [Cls.FP_MUL]: 5, // [A57-SOG] 3.10 FMUL: 5
        [Cls.FP_FMA]: 9, // [A57-SOG] 3.10 FMADD: 9
        [Cls.FP_DIV_S]: 12, // [A57-SOG] 3.10 FDIV S: 6-11 (+ issue), middle
        [Cls.FP_DIV_D]: 20, // [A57-SOG] 3.10 FDIV D: 6-18 (+ issue), middle
        [Cls.SIMD]: 3, // [A57-SOG] 3.14 ASIMD integer basic: 3
        [Cls.SYS]: 1,
      },
      1,
    ),
    pipe: PIPES,
    singlePipes: Pipe.MUL | Pipe.DIV | Pipe.BR | Pipe.SYS, // [A57-SOG] 2.1: one M, one B pipe
    issueAlone: [Cls.SYS],
    divBlocking: true, // [A57-SOG] 3.4: divides are not pipelined
    mispredictPenalty: 14, // fetch + decode/rename/dispatch + branch stages ([A57-SOG] 2.1; 14 in LLVM's A57 model)
    takenBubble: 1, // [A57-SOG] 4.1: taken branches cost a fetch bubble (one cycle)
    predictorBits: 13, // assumption (Arm: "2-level dynamic predictor", sizes not published)
    historyBits: 10, // assumption
    returnStack: 8, // assumption ([A57-TRM] 6.5: "return stack", depth not given)
    indirectBits: 9, // assumption
    l1i: { size: 48 * KiB, ways: 3, line: 64 }, // [A57-TRM] 6.1: 48 KiB, 3-way, 64-byte lines
    l1d: { size: 32 * KiB, ways: 2, line: 64 }, // [A57-TRM] 6.1: 32 KiB, 2-way, 64-byte lines
    l2: { size: 2048 * KiB, ways: 16, line: 64 }, // [A57-TRM] 7.1: 512 KiB-2 MiB, 16-way, 64-byte lines
    l2Latency: 19, // [7cpu] A57: L2 about 19 cycles (Exynos 5433-class)
    dramLatency: 19 + 190, // [7cpu] A57: RAM = L2 + ~100 ns at 1.9 GHz
    mhz: 1900,
    published: { coremarkPerMhz: 3.9, source: 'issue 13 (published ~3.9 CoreMark/MHz for Cortex-A57)' },
  },
  'cortex-a72': {
    core: 'Cortex-A72',
    kind: 'ooo',
    width: 3, // [A72-SOG] 2.1: decode up to 3 instructions per cycle; dispatch up to 5 micro-ops
    rob: 128, // [A72-SOG] 2.1 / [C&C-A72]: 128-entry ROB
    latency: perClass(
      {
        [Cls.ALU]: 1, // [A72-SOG] 3.3
        [Cls.ALU_SHIFT]: 1, // [A72-SOG] 3.3: "ALU, shift by immed" 1 for LSL #0-4 (the common case)
        [Cls.MUL_W]: 3, // [A72-SOG] 3.5
        [Cls.MUL_X]: 5,
        [Cls.MULH]: 6,
        [Cls.DIV_W]: 12, // [A72-SOG] 3.4: 4-12 (W): upper end taken (data-dependent)
        [Cls.DIV_X]: 20, // [A72-SOG] 3.4: 4-20 (X)
        [Cls.LOAD]: 4, // [A72-SOG] 3.7 / [C&C-A72]: 4-cycle L1D load-to-use
        [Cls.STORE]: 1,
        [Cls.BRANCH]: 1,
        [Cls.BRANCH_REG]: 1,
        [Cls.FP_ALU]: 3, // [A72-SOG] 3.10 FADD: 3 (to verify)
        [Cls.FP_MUL]: 3, // [A72-SOG] 3.10 FMUL: 3
        [Cls.FP_FMA]: 7, // [A72-SOG] 3.10 FMADD: 7
        [Cls.FP_DIV_S]: 10, // [A72-SOG] 3.10 FDIV S: 6-11
        [Cls.FP_DIV_D]: 17, // [A72-SOG] 3.10 FDIV D: 6-18
        [Cls.SIMD]: 3,
        [Cls.SYS]: 1,
      },
      1,
    ),
    pipe: PIPES,
    singlePipes: Pipe.MUL | Pipe.DIV | Pipe.BR | Pipe.SYS,
    issueAlone: [Cls.SYS],
    divBlocking: true,
    mispredictPenalty: 14, // [A72-SOG] 2.1: the A57's front-end depth (LLVM schedules the A72 with the A57 model)
    takenBubble: 0, // [A72-SOG] 4.1: zero-bubble taken branches for hot branches (improved over A57)
    predictorBits: 14, // assumption
    historyBits: 12, // assumption
    returnStack: 8, // assumption
    indirectBits: 10, // assumption
    l1i: { size: 48 * KiB, ways: 3, line: 64 }, // [A72-TRM] 6.1: 48 KiB 3-way
    l1d: { size: 32 * KiB, ways: 2, line: 64 }, // [A72-TRM] 6.1: 32 KiB 2-way
    l2: { size: 1024 * KiB, ways: 16, line: 64 }, // [A72-TRM] 7.1: 512 KiB-4 MiB 16-way (1 MiB: RPi 4 class)
    l2Latency: 21, // [C&C-A72]: L2 about 9 ns at 2.3 GHz (~21 cycles)
    dramLatency: 21 + 230, // [C&C-A72]: DRAM about 100 ns beyond L2 at 2.3 GHz
    mhz: 2300,
    published: { coremarkPerMhz: 5.5, source: 'issue 13 (published ~5.5 CoreMark/MHz for Cortex-A72)' },
  },
};
