// The detailed cycle model: per retired instruction, a dependency scoreboard (the cycle each
// register's value is ready), issue (in-order dual issue with pairing rules for the A53; in-order
// dispatch, dataflow issue and in-order retirement through a reorder buffer for the A57/A72, an
// interval-style out-of-order model), branch prediction with the misprediction penalty and the
// taken-branch bubble, and L1I/L1D/L2 caches with DRAM behind them. Loads take the latency of the
// level that served them; translation-table walks read their descriptors through the L2.
//
// It runs only in the interpreter (Cpu.run falls back to it while a detailed profile is set, so
// both engines give the same counts) and sees every memory access through hooks installed on the
// PE (attach.ts) that leave the fast translation cache and so the TLB statistics untouched.
// Deterministic: its state depends only on the instructions and addresses the guest produced.
import { ST_OK, ST_EXC, ST_HALT, ST_SYNC } from '../state.js';
import type { Block } from '../blocks.js';
import type { Cpu } from '../cpu.js';
import type { Insn } from '../decode.js';
import { CacheHierarchy, HIT_L1, HIT_L2 } from './cache.js';
import { BranchPredictor } from './bpred.js';
import { StridePrefetcher } from './prefetch.js';
import { clusterL2 } from './cluster.js';
import { Cls, type DetailedProfile } from './profiles.js';
import {
  classify,
  NREGS,
  BR_NONE,
  BR_DIRECT,
  BR_CALL,
  BR_COND,
  BR_INDIRECT,
  BR_CALL_INDIRECT,
  BR_RET,
  BR_ERET,
  type OpInfo,
} from './operands.js';

/** The model's counters (also what the PMU reads: see pmuEvent). */
export interface CycleModelCounts {
  profile: string;
  instructions: number;
  cycles: number;
  l1iAccesses: number;
  l1iRefills: number;
  l1dAccesses: number;
  l1dRefills: number;
  l1dWritebacks: number;
  l2Accesses: number;
  l2Refills: number;
  l2Writebacks: number;
  dramWrites: number;
  uncachedAccesses: number;
  walkDescReads: number;
  /** Linefills made by the L1D prefetcher (prefetch.ts). */
  l1dPrefetches: number;
  branchesPredicted: number;
  branchesMispredicted: number;
  stallFrontend: number;
  stallBackend: number;
  dualIssued: number;
}

export class DetailedModel {
  readonly caches: CacheHierarchy;
  readonly bp: BranchPredictor;
  readonly prefetcher: StridePrefetcher | null;
  private readonly ready = new Float64Array(NREGS);
  private readonly infos = new Map<number, OpInfo>();
  /** The operand decode of each decoded block's instructions (one lookup per block, not per instruction). */
  private readonly blockInfo = new WeakMap<Block, OpInfo[]>();
  private readonly lat: number[];
  private readonly pipe: number[];
  private readonly alone: boolean[];
  private readonly ooo: boolean;
  private readonly width: number;
  // Pipeline state (cycles since the model started).
  private cycle = 0; // in-order: issue cycle of the last instruction; ooo: its dispatch cycle
  private slots = 0; // instructions issued/dispatched in `cycle`
  private pipes = 0; // pipes used in `cycle` (in-order pairing)
  private frontend = 0; // earliest cycle the next instruction can issue/dispatch
  private lastRetire = 0;
  private retireSlots = 0;
  private readonly rob: Float64Array;
  private robPos = 0;
  private divFree = 0;
  private fetchLine = -1;
  /** Model cycles already added to cpu.cycles. */
  private reported = 0;
  // What the current instruction's memory accesses cost (set by the hooks during exec).
  memLat = 0;
  private walkLat = 0;
  /** >0 while a wrapped access calls another wrapped access (ldQ -> ld64): count once. */
  nest = 0;
  private readonly walkCharge: (c: number) => void;
  // Statistics.
  instructions = 0;
  uncached = 0;
  walkReads = 0;
  stallFrontend = 0;
  stallBackend = 0;
  dualIssued = 0;

  constructor(
    readonly cpu: Cpu,
    readonly name: string,
    readonly p: DetailedProfile,
  ) {
    // The cluster's shared L2 (cluster.ts); a model without a PE (unit tests) has its own.
    const pe = cpu as Cpu | null;
    this.caches = new CacheHierarchy(p.l1i, p.l1d, pe === null ? p.l2 : clusterL2(pe.bus, pe.index, name, p.l2));
    this.bp = new BranchPredictor(p.predictorBits, p.historyBits, p.returnStack, p.indirectBits);
    this.prefetcher = p.prefetch === null ? null : new StridePrefetcher(p.prefetch, p.l1d.line);
    this.lat = p.latency.slice();
    this.pipe = p.pipe.slice();
    this.alone = p.latency.map((_, c) => p.issueAlone.includes(c));
    this.ooo = p.kind === 'ooo';
    this.width = p.width;
    this.rob = new Float64Array(Math.max(p.rob, 1));
    this.walkCharge = () => this.walkRead(this.cpu.mmu.walker.lastDescPa);
  }

  /** Latency of a load served at `level` (HIT_*). */
  levelLatency(level: number): number {
    return level === HIT_L1 ? this.lat[Cls.LOAD] : level === HIT_L2 ? this.p.l2Latency : this.p.dramLatency;
  }

  /**
   * A data access of the current instruction at physical address `pa`: through L1D and L2 when
   * the memory is Normal (cacheable), straight to memory otherwise (Device memory bypasses the
   * caches). Accesses outside RAM are devices, already charged by the memory path.
   */
  data(pa: number, write: boolean, cached: boolean, inRam: boolean): void {
    if (!inRam) return;
    if (!cached) {
      this.uncached++;
      if (!write && this.p.dramLatency > this.memLat) this.memLat = this.p.dramLatency;
      return;
    }
    const l1d = this.caches.l1d;
    const level = this.caches.access(l1d, pa, write);
    // Stores retire into the store buffer: their misses allocate the line but do not stall.
    if (!write) {
      let l = this.levelLatency(level);
      if (this.prefetcher !== null) {
        // A miss, or the first use of a prefetched line (a miss the prefetch hid, which waits for
        // the linefill if it is still on its way), trains the prefetcher.
        if (level !== HIT_L1) this.prefetchAfter(l1d.line(pa));
        else if (l1d.pfHit) {
          const wait = l1d.pfReadyAt - this.cycle;
          if (wait > l) l = wait;
          this.prefetchAfter(l1d.line(pa));
        }
      }
      if (l > this.memLat) this.memLat = l;
    }
  }

  /** Train the L1D prefetcher with a demand miss at `line` and make the linefills it asks for. */
  private prefetchAfter(line: number): void {
    const pf = this.prefetcher!;
    pf.train(line);
    for (let k = 0; k < pf.count; k++) {
      if (this.caches.prefetch(this.caches.l1d, pf.out[k], this.cycle, this.p.l2Latency, this.p.dramLatency)) pf.issued++;
    }
  }

  /** A translation-table descriptor read at `pa` (through the L2, as the walkers do). */
  walkRead(pa: number): void {
    this.walkReads++;
    const level = this.caches.l2Read(this.caches.l2.line(pa));
    this.walkLat += level === HIT_L2 ? this.p.l2Latency : this.p.dramLatency;
  }

  /**
   * Run instructions [0, n) of block `b` (at VA pcLo/pcHi) as the interpreter does, feeding each
   * one that completes to the model. Returns the index of the instruction that stopped (or n).
   */
  runBlock(b: Block, n: number, pcLo: number, pcHi: number): number {
    const cpu = this.cpu;
    // The walker is replaced when the TLB is reconfigured: keep its descriptor reads in the model.
    const w = cpu.mmu.walker;
    if (w.charge !== this.walkCharge) w.charge = this.walkCharge;
    const insns = b.insns;
    let infos = this.blockInfo.get(b);
    if (infos === undefined) {
      infos = insns.map((i) => this.info(i.raw));
      this.blockInfo.set(b, infos);
    }
    let k = 0;
    for (; k < n; k++) {
      const ins = insns[k];
      const lo = (pcLo + 4 * k) | 0;
      if (cpu.tracer !== null) {
        cpu.tracer(cpu, lo, (lo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi, ins);
        if (cpu.status !== ST_OK) break;
      }
      this.memLat = 0;
      ins.exec(cpu, ins);
      const st = cpu.status;
      if (st === ST_OK || st === ST_SYNC || st === ST_HALT || (st === ST_EXC && cpu.excRetNext !== 0)) {
        this.retireInfo(infos[k], lo, b.pa + 4 * k, k === insns.length - 1 ? cpu.npcLo : (lo + 4) | 0);
      }
      if (st !== ST_OK) break;
    }
    const now = this.now();
    if (now > this.reported) {
      cpu.cycles += now - this.reported;
      this.reported = now;
    }
    return k;
  }

  /** One completed instruction at VA `pc` (low word), PA `pa`; `next` is the low word of the next PC. */
  retire(ins: Insn, pc: number, pa: number, next: number): void {
    this.retireInfo(this.info(ins.raw), pc, pa, next);
  }

  private info(raw: number): OpInfo {
    let info = this.infos.get(raw);
    if (info === undefined) {
      info = classify(raw);
      this.infos.set(raw, info);
    }
    return info;
  }

  retireInfo(info: OpInfo, pc: number, pa: number, next: number): void {
    this.instructions++;
    const caches = this.caches;
    // Fetch: a new I-cache line is looked up; a miss delays the front end by the refill.
    const line = caches.l1i.line(pa);
    if (line !== this.fetchLine) {
      this.fetchLine = line;
      const level = caches.access(caches.l1i, pa, false);
      if (level !== HIT_L1) {
        const miss = level === HIT_L2 ? this.p.l2Latency : this.p.dramLatency;
        this.frontend = Math.max(this.frontend, this.cycle) + miss;
      }
    }
    const cls = info.cls;
    let lat = this.lat[cls];
    if (this.walkLat !== 0) {
      // A table walk for this instruction: a data walk delays its result, a fetch walk the front end.
      if (cls === Cls.LOAD || cls === Cls.STORE) this.memLat += this.walkLat;
      else this.frontend = Math.max(this.frontend, this.cycle) + this.walkLat;
      this.walkLat = 0;
    }
    if (cls === Cls.LOAD && this.memLat > lat) lat = this.memLat;
    const ready = this.ready;
    const src = info.src;
    let done: number; // cycle the instruction's result is available / it resolves
    let issue: number;
    if (!this.ooo) {
      // In-order issue (A53): an instruction issues when its operands are ready (stall on use),
      // in the cycle of the previous one if a slot is free and its pipe is not taken (pairing).
      let t = this.frontend > this.cycle ? this.frontend : this.cycle;
      const fe = t;
      for (let i = 0; i < src.length; i++) if (ready[src[i]] > t) t = ready[src[i]];
      if (cls === Cls.DIV_W || cls === Cls.DIV_X || cls === Cls.FP_DIV_S || cls === Cls.FP_DIV_D) {
        if (this.divFree > t) t = this.divFree;
      }
      const pipe = this.pipe[cls];
      if (t > this.cycle) {
        if (fe > this.cycle) this.stallFrontend += fe - this.cycle - 1 > 0 ? fe - this.cycle - 1 : 0;
        if (t > fe) this.stallBackend += t - fe;
        this.cycle = t;
        this.slots = 0;
        this.pipes = 0;
      } else if (this.slots >= this.width || (pipe & this.pipes & this.p.singlePipes) !== 0 || this.alone[cls]) {
        this.cycle++;
        this.slots = 0;
        this.pipes = 0;
      } else if (this.slots > 0) this.dualIssued++;
      issue = this.cycle;
      this.slots = this.alone[cls] ? this.width : this.slots + 1;
      this.pipes |= pipe;
      done = issue + lat;
    } else {
      // Out of order (A57/A72): dispatch in order (width per cycle, bounded by the ROB), issue
      // when the operands are ready, retire in order (width per cycle).
      let d = this.frontend > this.cycle ? this.frontend : this.cycle;
      if (d === this.cycle && this.slots >= this.width) d++;
      const oldest = this.rob[this.robPos];
      if (oldest > d) {
        this.stallBackend += oldest - d;
        d = oldest;
      } else if (this.frontend > this.cycle && this.frontend - this.cycle > 1) this.stallFrontend += this.frontend - this.cycle - 1;
      if (d > this.cycle) {
        this.cycle = d;
        this.slots = 0;
      }
      this.slots++;
      let t = d;
      for (let i = 0; i < src.length; i++) if (ready[src[i]] > t) t = ready[src[i]];
      if (this.alone[cls] && this.lastRetire > t) t = this.lastRetire; // serialising (system) instructions
      if (cls === Cls.DIV_W || cls === Cls.DIV_X || cls === Cls.FP_DIV_S || cls === Cls.FP_DIV_D) {
        if (this.divFree > t) t = this.divFree;
      }
      issue = t;
      done = t + lat;
      let r = done > this.lastRetire ? done : this.lastRetire;
      if (r === this.lastRetire) {
        if (this.retireSlots >= this.width) {
          r++;
          this.retireSlots = 1;
        } else this.retireSlots++;
      } else this.retireSlots = 1;
      this.lastRetire = r;
      this.rob[this.robPos] = r;
      this.robPos = this.robPos + 1 === this.rob.length ? 0 : this.robPos + 1;
    }
    if (cls === Cls.DIV_W || cls === Cls.DIV_X || cls === Cls.FP_DIV_S || cls === Cls.FP_DIV_D) {
      if (this.p.divBlocking) this.divFree = done;
    }
    const dst = info.dst;
    for (let i = 0; i < dst.length; i++) ready[dst[i]] = done;
    // A taken branch delays the next fetch from the cycle it went through the front end (its
    // issue in order, its dispatch out of order); a mispredict from when it resolved.
    if (info.br !== BR_NONE) this.branch(info.br, pc, next, this.ooo ? this.cycle : issue, done);
  }

  /** Branch outcome: predictor update, the misprediction penalty from resolution, the taken bubble. */
  private branch(kind: number, pc: number, next: number, fetched: number, resolve: number): void {
    const bp = this.bp;
    const taken = next !== ((pc + 4) | 0);
    let miss = false;
    switch (kind) {
      case BR_COND:
        miss = bp.conditional(pc, taken);
        break;
      case BR_CALL:
        bp.call((pc + 4) | 0);
        break;
      case BR_CALL_INDIRECT:
        miss = bp.indirect(pc, next);
        bp.call((pc + 4) | 0);
        break;
      case BR_INDIRECT:
        miss = bp.indirect(pc, next);
        break;
      case BR_RET:
        miss = bp.ret(next);
        break;
      case BR_ERET:
        miss = true; // a context synchronisation: the pipeline refetches
        break;
      case BR_DIRECT:
      default:
        break;
    }
    if (miss) {
      const f = resolve + this.p.mispredictPenalty;
      if (f > this.frontend) this.frontend = f;
    } else if (taken) {
      const f = fetched + 1 + this.p.takenBubble;
      if (f > this.frontend) this.frontend = f;
    }
  }

  /** The model's elapsed cycles so far (the last retirement out of order, the last issue + 1 in order). */
  now(): number {
    return this.ooo ? this.lastRetire : this.instructions > 0 ? this.cycle + 1 : 0;
  }

  counts(): CycleModelCounts {
    const c = this.caches;
    return {
      profile: this.name,
      instructions: this.instructions,
      cycles: this.reported,
      l1iAccesses: c.l1i.accesses,
      l1iRefills: c.l1i.misses,
      l1dAccesses: c.l1d.accesses,
      l1dRefills: c.l1d.misses,
      l1dWritebacks: c.l1d.writebacks,
      l2Accesses: c.l2Accesses,
      l2Refills: c.l2Misses,
      l2Writebacks: c.l2Writebacks,
      dramWrites: c.dramWrites,
      uncachedAccesses: this.uncached,
      walkDescReads: this.walkReads,
      l1dPrefetches: this.prefetcher?.issued ?? 0,
      branchesPredicted: this.bp.predicted,
      branchesMispredicted: this.bp.mispredicted,
      stallFrontend: this.stallFrontend,
      stallBackend: this.stallBackend,
      dualIssued: this.dualIssued,
    };
  }
}

/**
 * PMUv3 common event numbers (ARM ARM D11.11 / Table D11-x "common architectural and
 * microarchitectural events") that the model counts, for the PMU to read: the event's count, or
 * undefined when the model does not count it.
 */
export function pmuEvent(m: DetailedModel, event: number): number | undefined {
  const c = m.caches;
  switch (event) {
    case 0x01: // L1I_CACHE_REFILL
      return c.l1i.misses;
    case 0x03: // L1D_CACHE_REFILL
      return c.l1d.misses;
    case 0x04: // L1D_CACHE
      return c.l1d.accesses;
    case 0x10: // BR_MIS_PRED
      return m.bp.mispredicted;
    case 0x12: // BR_PRED
      return m.bp.predicted;
    case 0x14: // L1I_CACHE
      return c.l1i.accesses;
    case 0x15: // L1D_CACHE_WB
      return c.l1d.writebacks;
    case 0x16: // L2D_CACHE (this PE's accesses to its cluster's L2)
      return c.l2Accesses;
    case 0x17: // L2D_CACHE_REFILL
      return c.l2Misses;
    case 0x18: // L2D_CACHE_WB
      return c.l2Writebacks;
    case 0x23: // STALL_FRONTEND
      return m.stallFrontend;
    case 0x24: // STALL_BACKEND
      return m.stallBackend;
    default:
      return undefined;
  }
}
