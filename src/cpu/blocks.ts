// Decoded code: blocks of decoded instructions keyed by physical address, the direct-mapped cache
// in front of them, the fetch translation (through the fast cache's fetch bank) and invalidation
// when code pages are written (CPU stores, DMA) so that self-modifying code and loaders see
// their new instructions (DESIGN.md "Decode once").
import { Decoder, Insn, F_ENDS_BLOCK, type Encoding } from './decode.js';
import { EC_UNKNOWN } from './exceptions.js';
import type { Bus } from '../devices/bus.js';
import type { Cpu } from './cpu.js';
import { CpuMemory, FC_MASK, FC_INVALID, PAGE_MASK } from './fastmem.js';
import { translate, ACC_FETCH, FSC_SYNC_EXTERNAL } from '../mmu/translate.js';
import type { Smp } from './smp.js';
import { dataAccesses } from './pmu/mem-class.js';
import { startsBlock } from './pmu/sync-points.js';
import { P_GP } from '../mmu/tlb.js'; // [pauth]

/** Longest decoded block; blocks also stop at a page end and after a block-ending instruction. */
export const MAX_BLOCK = 128;
/** Direct-mapped block cache size (a power of two). */
const BC_SIZE = 1 << 14;
const BC_MASK = BC_SIZE - 1;

/** The region identity of blocks in no region (an object, so the field never changes type). */
export const NO_REGION = {};

export class Block {
  readonly insns: Insn[] = [];
  /** Prefix sums of static cycle cost: cost[k] is the cost of the first k instructions. */
  costs: number[] = [0];
  /** pmu: prefix sums of data-accessing instructions (exact L1 DTLB lookups, src/mmu/tlb-exact.ts). */
  accs: number[] = [0];
  /** Chain to the last successor, valid while gen matches (DESIGN: block chaining). */
  nextLo = 0;
  nextHi = 0;
  next: Block | null = null;
  nextGen = -1;
  /** The JIT engine's hotness counter (instructions run in whole runs of this block) and compiled code (src/cpu/jit). */
  hits = 0;
  /** The compiled region holding this block (run from here), its index in it, the region's identity. */
  code: ((cpu: Cpu, b: Block) => number) | null = null;
  ridx = 0;
  region: object = NO_REGION;
  constructor(readonly pa: number) {}
}

/** Any encoding not implemented: UNDEFINED (ARM ARM: EC 0x00 Unknown reason, IL=1). */
export function execUndefined(cpu: Cpu, _i: Insn): void {
  cpu.raise(EC_UNKNOWN, 0, 0);
}

export abstract class CpuBlocks extends CpuMemory {
  readonly decoder: Decoder;
  /** Decoded blocks by physical address, and the blocks on each RAM page (for invalidation). */
  private readonly blocks = new Map<number, Block>();
  /**
   * A direct-mapped cache in front of `blocks` (indexed by PA bits [15:2]): block lookups that
   * chaining misses (returns, indirect branches, after exceptions) cost a compare, not a Map probe.
   */
  private readonly bcPa = new Float64Array(BC_SIZE).fill(-1);
  private readonly bcBlock: (Block | null)[] = new Array<Block | null>(BC_SIZE).fill(null);
  /** The blocks decoded on each RAM page (page number = RAM offset >>> 12). */
  readonly pageBlocks = new Map<number, Block[]>();
  /** Called when the decoded code of a page (or all of it, page -1) is dropped (the JIT's code). */
  onCodeDropped: ((page: number) => void) | null = null;
  /** Called for each newly decoded block (the JIT re-attaches code compiled for the same words). */
  onBlockDecoded: ((b: Block) => void) | null = null;
  /**
   * The PEs of the machine when there are several (src/cpu/smp.ts), else null. They share
   * codePage: a store by any PE to a page another PE decoded drops that PE's blocks too.
   */
  smp: Smp | null = null;

  constructor(bus: Bus, groups: Encoding[][]) {
    super(bus);
    this.decoder = new Decoder(groups, execUndefined);
  }

  /** Translate PC for execution. Returns the PA, or -1 with an instruction abort pending. */
  fetchPa(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    // Folding PC[1:0] into the compare sends a misaligned PC (BR/RET/ERET) to the fault below.
    if (this.xTag[i] === (lo & (PAGE_MASK | 3)) && this.xHi[i] === hi) return this.xPa[i] + (lo & 0xfff);
    if ((lo & 3) !== 0) {
      // PC alignment fault (ARM ARM D1.3.4): EC 0x22, FAR = the misaligned PC.
      this.raise(0x22, 0, 0);
      this.excFarValid = 1;
      this.excFarLo = lo;
      this.excFarHi = hi;
      return -1;
    }
    const tr = this.tr;
    translate(this.self, lo, hi, ACC_FETCH, tr);
    if (tr.pa < 0) {
      this.exactFetch++; // pmu: a fetch lookup whose block never runs (src/mmu/tlb-exact.ts)
      return -1;
    }
    const off = tr.pa - this.ramBase;
    if (off < 0 || off >= this.ramSize) {
      // Executing outside RAM: no memory answers there (a synchronous external abort on fetch).
      this.abort(ACC_FETCH, FSC_SYNC_EXTERNAL, lo, hi, false);
      return -1;
    }
    this.xTag[i] = lo & PAGE_MASK;
    this.xHi[i] = hi;
    this.xPa[i] = tr.pa - (lo & 0xfff);
    this.xGp[i] = (this.self.mmu.perms & P_GP) !== 0 ? 1 : 0; // [pauth] FEAT_BTI guarded page
    return tr.pa;
  }

  getBlock(pa: number): Block {
    const i = (pa >>> 2) & BC_MASK;
    if (this.bcPa[i] === pa) return this.bcBlock[i]!;
    let b = this.blocks.get(pa);
    if (b === undefined) b = this.decodeBlock(pa);
    this.bcPa[i] = pa;
    this.bcBlock[i] = b;
    return b;
  }

  private decodeBlock(pa: number): Block {
    const b = new Block(pa);
    const off0 = pa - this.ramBase;
    const page = off0 >>> 12;
    const end = Math.min(MAX_BLOCK, (0x1000 - (off0 & 0xfff)) >>> 2);
    let cost = 0;
    let accs = 0; // pmu
    for (let k = 0; k < end; k++) {
      const raw = this.ram32[(off0 >> 2) + k];
      const ins = new Insn(execUndefined);
      this.decoder.decode(raw, ins);
      if (k > 0 && startsBlock(ins)) break; // pmu: exact counts at PMU accesses (pmu/sync-points.ts)
      ins.cost = this.timing.cost(ins);
      b.insns.push(ins);
      cost += ins.cost;
      b.costs.push(cost);
      accs += dataAccesses(ins); // pmu
      b.accs.push(accs);
      if (ins.flags & F_ENDS_BLOCK) break;
    }
    this.blocks.set(pa, b);
    let list = this.pageBlocks.get(page);
    if (list === undefined) {
      list = [];
      this.pageBlocks.set(page, list);
      if (!this.codePage[page]) {
        this.codePage[page] = 1;
        // A write fast-cache entry may point at this page: drop them all (rare), on every PE.
        if (this.smp !== null) for (const p of this.smp.pes) p.wTag.fill(FC_INVALID);
        else this.wTag.fill(FC_INVALID);
      }
    }
    list.push(b);
    if (this.onBlockDecoded !== null) this.onBlockDecoded(b);
    return b;
  }

  /**
   * A bus master (DMA, through the SMMU or not) wrote [pa, pa + len): as for a CPU store, decoded
   * code on those pages is dropped, and a reservation of the exclusive monitor on those bytes is
   * cleared (ARM ARM B2.9.5: a write by another observer to the marked address clears the global
   * monitor; with one PE the local monitor stands in for both).
   */
  dmaWritten(pa: number, len: number): void {
    if (len <= 0) return;
    const first = pa - this.ramBase;
    const last = first + len - 1;
    if (last >= 0 && first < this.ramSize) {
      const p0 = Math.max(first, 0) >>> 12;
      const p1 = Math.min(last, this.ramSize - 1) >>> 12;
      for (let p = p0; p <= p1; p++) if (this.codePage[p]) this.invalidateCodePage(p);
    }
    if (this.smp !== null) {
      for (const p of this.smp.pes) p.clearExclusiveIfOverlaps(pa, len);
      return;
    }
    this.clearExclusiveIfOverlaps(pa, len);
  }

  /** Clear this PE's reservation if it covers a byte of [pa, pa + len). Returns true if it did. */
  clearExclusiveIfOverlaps(pa: number, len: number): boolean {
    if (this.exclValid !== 0 && this.exclPa >= 0 && pa < this.exclPa + this.exclSize && this.exclPa < pa + len) {
      this.exclValid = 0;
      return true;
    }
    return false;
  }

  /**
   * A store hit a page with decoded code: drop its blocks (self-modifying code, loaders), on
   * every PE (their instruction fetches see the new bytes: B2.2.5 concurrent modification is
   * left aside, the model is always coherent, which IC IVAU + DSB + ISB would achieve).
   */
  invalidateCodePage(page: number): void {
    if (this.smp !== null) {
      // Other PEs only if they decoded the page (their chains survive otherwise).
      for (const p of this.smp.pes) if (p === this.self || p.pageBlocks.has(page)) p.dropCodePage(page);
    } else this.dropCodePage(page);
  }
  /** This PE's decoded blocks on `page` go. */
  dropCodePage(page: number): void {
    const list = this.pageBlocks.get(page);
    if (list) {
      for (const b of list) {
        this.blocks.delete(b.pa);
        const i = (b.pa >>> 2) & BC_MASK;
        if (this.bcPa[i] === b.pa) {
          this.bcPa[i] = -1;
          this.bcBlock[i] = null;
        }
      }
    }
    this.pageBlocks.delete(page);
    this.codePage[page] = 0;
    this.gen++;
    if (this.onCodeDropped !== null) this.onCodeDropped(page);
  }
  invalidateAllCode(): void {
    if (this.smp !== null) {
      for (const p of this.smp.pes) p.dropAllCode();
    } else this.dropAllCode();
  }
  /**
   * [api snapshots] Drop the decoded blocks (and the JIT's code) but keep codePage and the fast
   * cache as they are: after a snapshot restore the blocks are decoded again from the restored
   * RAM, while the pages marked as code keep their stores on the slow path exactly as before.
   */
  forgetDecodedCode(): void {
    this.blocks.clear();
    this.bcPa.fill(-1);
    this.bcBlock.fill(null);
    this.pageBlocks.clear();
    this.gen++;
    if (this.onCodeDropped !== null) this.onCodeDropped(-1);
  }
  /** This PE's decoded blocks all go. */
  dropAllCode(): void {
    this.blocks.clear();
    this.bcPa.fill(-1);
    this.bcBlock.fill(null);
    this.pageBlocks.clear();
    this.codePage.fill(0);
    this.gen++;
    if (this.onCodeDropped !== null) this.onCodeDropped(-1);
  }

}
