// Circular queues in memory (IHI 0070 3.5 "Command and Event queues", 6.3.20-6.3.27): a base
// register (ADDR[51:5], LOG2SIZE[4:0]) and PROD/CONS registers whose low LOG2SIZE bits are the
// index and bit LOG2SIZE the wrap bit. Empty: the indices and the wrap bits are equal. Full: the
// indices are equal and the wrap bits differ.

/** One queue: base register words, PROD and CONS register values (with their extra flag bits). */
export class Queue {
  baseLo = 0;
  baseHi = 0;
  prod = 0;
  cons = 0;

  constructor(
    /** Bytes per entry: 16 for commands, 32 for events. */
    readonly entryBytes: number,
    /** The IDR1 maximum of LOG2SIZE. */
    readonly maxLog2: number,
  ) {}

  /** Effective LOG2SIZE: a value above the IDR1 maximum is treated as the maximum (permitted). */
  get log2(): number {
    return Math.min(this.baseLo & 31, this.maxLog2);
  }

  /** Entry-index-plus-wrap mask: bits [LOG2SIZE:0]. */
  get ptrMask(): number {
    return (2 << this.log2) - 1;
  }

  /**
   * Queue base: ADDR[51:5]; the low bits below the queue's size are treated as zero (the base
   * must be aligned to the queue size: IHI 0070 6.3.20, "ADDR ... aligned").
   */
  get base(): number {
    const a = (this.baseHi & 0xfffff) * 4294967296 + ((this.baseLo & ~31) >>> 0);
    const size = this.entryBytes * 2 ** this.log2;
    return a - (a % size);
  }

  /** Address of the entry at pointer value `ptr` (its index bits). */
  entryAddr(ptr: number): number {
    return this.base + (ptr & ((1 << this.log2) - 1)) * this.entryBytes;
  }

  /** The pointer after `ptr` (index+1, wrap bit toggled on wrap-around), flag bits dropped. */
  next(ptr: number): number {
    return ((ptr & this.ptrMask) + 1) & this.ptrMask;
  }

  empty(): boolean {
    return (this.prod & this.ptrMask) === (this.cons & this.ptrMask);
  }

  full(): boolean {
    const m = this.ptrMask;
    return ((this.prod ^ this.cons) & m) === 1 << this.log2;
  }

  /** Number of entries between CONS and PROD. */
  used(): number {
    const n = 1 << this.log2;
    const p = this.prod & this.ptrMask;
    const c = this.cons & this.ptrMask;
    return (p - c + 2 * n) % (2 * n);
  }
}
