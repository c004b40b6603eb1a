// A translation table builder for stage 1 and stage 2 (VMSAv8-64 descriptors, 4K/16K/64K granules),
// writing straight into physical memory through the bus. Used by tests and by the hypervisor to
// build stage-2 tables. Not on any per-access path.
import type { Bus } from '../devices/bus.js';
import { blockAllowed, levelShift } from './walk.js';

/** Attribute bits of a leaf descriptor (everything except the output address and type bits). */
export interface LeafBits {
  lo: number;
  hi: number;
}

/** Stage-1 block/page attributes (ARM ARM D8.3.2): AttrIndx[4:2], AP[7:6], SH[9:8], AF[10], nG[11], PXN[53], UXN[54]. */
export function s1Leaf(o: { attrIndx?: number; ap?: number; sh?: number; af?: boolean; ng?: boolean; pxn?: boolean; uxn?: boolean } = {}): LeafBits {
  const lo =
    ((o.attrIndx ?? 0) << 2) | ((o.ap ?? 0) << 6) | ((o.sh ?? 3) << 8) | ((o.af ?? true) ? 1 << 10 : 0) | (o.ng ? 1 << 11 : 0);
  const hi = (o.pxn ? 1 << 21 : 0) | (o.uxn ? 1 << 22 : 0);
  return { lo, hi };
}

/** Stage-2 block/page attributes (ARM ARM D8.4): MemAttr[5:2], S2AP[7:6], SH[9:8], AF[10], XN[54]. */
export function s2Leaf(o: { memAttr?: number; s2ap?: number; sh?: number; af?: boolean; xn?: boolean } = {}): LeafBits {
  const lo = ((o.memAttr ?? 0xf) << 2) | ((o.s2ap ?? 3) << 6) | ((o.sh ?? 3) << 8) | ((o.af ?? true) ? 1 << 10 : 0);
  const hi = o.xn ? 1 << 22 : 0;
  return { lo, hi };
}

/** TCR_EL1.TG0 / VTCR_EL2.TG0 encoding of a granule size in bytes. */
export function tg0(granule: number): number {
  return granule === 65536 ? 1 : granule === 16384 ? 2 : 0;
}
/** TCR_EL1.TG1 encoding (note: different from TG0). */
export function tg1(granule: number): number {
  return granule === 65536 ? 3 : granule === 16384 ? 1 : 2;
}

export interface TableBuilderOptions {
  /** Granule size in bytes: 4096 (default), 16384 or 65536. */
  granule?: number;
  /** Input address size in bits (64 - TxSZ). */
  inputSize: number;
  /** Start level; default the one stage 1 would use. For stage 2 a lower level number uses fewer,
   *  a higher one concatenated initial tables (up to 16). */
  startLevel?: number;
  /** Physical memory for tables: [base, end). Tables are allocated upward, aligned to their size. */
  poolBase: number;
  poolEnd?: number;
  /** Extra bits for new table descriptors' upper word (APTable/UXNTable/PXNTable). */
  tableHi?: number;
}

export class TableBuilder {
  readonly g: number;
  readonly stride: number;
  readonly startLevel: number;
  readonly startBits: number;
  readonly root: number;
  private next: number;
  private readonly end: number;
  private readonly tableHi: number;
  readonly inputSize: number;

  constructor(
    readonly bus: Bus,
    o: TableBuilderOptions,
  ) {
    const granule = o.granule ?? 4096;
    this.g = Math.log2(granule);
    if (![12, 14, 16].includes(this.g)) throw new Error(`granule ${granule} is not 4K, 16K or 64K`);
    this.stride = this.g - 3;
    this.inputSize = o.inputSize;
    this.startLevel = o.startLevel ?? 4 - Math.ceil((o.inputSize - this.g) / this.stride);
    this.startBits = o.inputSize - levelShift(this.g, this.startLevel);
    if (this.startBits < 1 || this.startBits > this.stride + 4) {
      throw new Error(`start level ${this.startLevel} cannot resolve a ${o.inputSize}-bit input address`);
    }
    this.next = o.poolBase;
    this.end = o.poolEnd ?? Infinity;
    this.tableHi = o.tableHi ?? 0;
    this.root = this.alloc(Math.max(8 * 2 ** this.startBits, 8));
  }

  /** VTCR_EL2.SL0 for this builder's start level. */
  get sl0(): number {
    return this.g === 12 ? 2 - this.startLevel : 3 - this.startLevel;
  }
  /** 64 - inputSize, for TCR_EL1.TnSZ / VTCR_EL2.T0SZ. */
  get txsz(): number {
    return 64 - this.inputSize;
  }
  /**
   * VTCR_EL2 for these tables as a stage 2: T0SZ, SL0, TG0, PS (default 44 bits, the PARange),
   * VS=1 (16-bit VMIDs), inner/outer Write-Back walks, Inner Shareable.
   */
  vtcr(ps = 4): number {
    return this.txsz | (this.sl0 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (tg0(2 ** this.g) << 14) | (ps << 16) | (1 << 19);
  }
  /** VTTBR_EL2 words [lo, hi] for these tables with a VMID. */
  vttbr(vmid: number): [number, number] {
    return [this.root % 2 ** 32 | 0, (Math.floor(this.root / 2 ** 32) | (vmid << 16)) | 0];
  }

  private alloc(bytes: number): number {
    const size = Math.max(bytes, 64);
    const a = Math.ceil(this.next / size) * size;
    if (a + size > this.end) throw new Error('translation table pool exhausted');
    this.next = a + size;
    for (let k = 0; k < size; k += 4) this.bus.write(a + k, 4, 0);
    return a;
  }

  private read(pa: number): [number, number] {
    return [this.bus.read(pa, 4) | 0, this.bus.read(pa + 4, 4) | 0];
  }
  write(pa: number, lo: number, hi: number): void {
    this.bus.write(pa, 4, lo >>> 0);
    this.bus.write(pa + 4, 4, hi >>> 0);
  }

  /**
   * Address of the descriptor for `ia` at `level`, creating intermediate tables as needed
   * (create=false: returns -1 when a table is missing).
   */
  descAddr(ia: number, level: number, create = true): number {
    let table = this.root;
    let bits = this.startBits;
    for (let l = this.startLevel; ; l++) {
      const shift = levelShift(this.g, l);
      const idx = Math.floor(ia / 2 ** shift) % 2 ** bits;
      const da = table + idx * 8;
      if (l === level) return da;
      const [lo, hi] = this.read(da);
      if ((lo & 3) === 3) {
        table = (hi & 0xffff) * 2 ** 32 + ((lo >>> 0) - ((lo >>> 0) % 2 ** this.g));
      } else {
        if (!create) return -1;
        if ((lo & 1) !== 0) throw new Error(`0x${ia.toString(16)} is already mapped by a block at level ${l}`);
        const t = this.alloc(2 ** this.g);
        this.write(da, (t % 2 ** 32) | 3, Math.floor(t / 2 ** 32) | this.tableHi);
        table = t;
      }
      bits = this.stride;
    }
  }

  /**
   * Map [ia, ia + size) to [oa, ...) with leaf attributes `leaf`. With `level` given, every leaf is at
   * that level (a block, or a page at level 3); otherwise the largest aligned blocks are used.
   */
  map(ia: number, oa: number, size: number, leaf: LeafBits, level?: number): void {
    let off = 0;
    while (off < size) {
      let l = level ?? this.bestLevel(ia + off, oa + off, size - off);
      if (l < this.startLevel) l = this.startLevel;
      const s = 2 ** levelShift(this.g, l);
      if ((ia + off) % s !== 0 || (oa + off) % s !== 0) throw new Error(`level ${l} mapping of 0x${(ia + off).toString(16)} is misaligned`);
      if (l !== 3 && !blockAllowed(this.g, l)) throw new Error(`no block descriptors at level ${l} with this granule`);
      const da = this.descAddr(ia + off, l);
      const a = oa + off;
      this.write(da, ((a % 2 ** 32) | leaf.lo | (l === 3 ? 3 : 1)) | 0, (Math.floor(a / 2 ** 32) | leaf.hi) | 0);
      off += s;
    }
  }

  private bestLevel(ia: number, oa: number, size: number): number {
    for (let l = Math.max(this.startLevel, 1); l < 3; l++) {
      const s = 2 ** levelShift(this.g, l);
      if (blockAllowed(this.g, l) && ia % s === 0 && oa % s === 0 && size >= s) return l;
    }
    return 3;
  }

  /** Overwrite the leaf for `ia` at `level` with an invalid descriptor. */
  unmap(ia: number, level = 3): void {
    const da = this.descAddr(ia, level, false);
    if (da >= 0) this.write(da, 0, 0);
  }

  /** The raw descriptor for `ia` at `level` as [lo, hi], or null if the tables do not reach it. */
  desc(ia: number, level: number): [number, number] | null {
    const da = this.descAddr(ia, level, false);
    return da < 0 ? null : this.read(da);
  }
}
