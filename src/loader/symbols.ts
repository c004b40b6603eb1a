// Symbol table of a loaded image: names to addresses, and addresses to the nearest `sym+off`
// (for the debugger and --trace). Off the hot path: BigInt addresses.

export interface SymbolInfo {
  name: string;
  addr: bigint;
  /** Size in bytes when known (ELF st_size), 0 for plain labels. */
  size: bigint;
}

export class SymbolTable {
  private readonly byName = new Map<string, SymbolInfo>();
  private readonly all: SymbolInfo[] = [];
  private sorted: SymbolInfo[] | null = [];

  add(name: string, addr: bigint, size = 0n): void {
    if (name === '') return;
    const s: SymbolInfo = { name, addr, size };
    // First definition wins for the name (a global and a later local of the same name are rare).
    if (!this.byName.has(name)) this.byName.set(name, s);
    this.sorted = null;
    this.all.push(s);
  }
  get size(): number {
    return this.byName.size;
  }
  lookup(name: string): bigint | undefined {
    return this.byName.get(name)?.addr;
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  merge(other: SymbolTable): void {
    for (const s of other.all) this.add(s.name, s.addr, s.size);
  }

  private order(): SymbolInfo[] {
    if (this.sorted === null) {
      // Sorted by address; at one address prefer sized symbols (functions) over labels, then names.
      this.sorted = [...this.all].sort((a, b) =>
        a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.size !== b.size ? (a.size > b.size ? -1 : 1) : a.name < b.name ? -1 : 1,
      );
    }
    return this.sorted;
  }

  /**
   * The symbol at or before `addr`. A sized symbol only covers [addr, addr+size); a label (size 0)
   * covers everything up to the next symbol.
   */
  nearest(addr: bigint): { name: string; offset: bigint } | undefined {
    const arr = this.order();
    let lo = 0;
    let hi = arr.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid].addr <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    // Several symbols may share the address: take the first of them (sized first).
    const a = arr[best].addr;
    while (best > 0 && arr[best - 1].addr === a) best--;
    const s = arr[best];
    const offset = addr - s.addr;
    if (s.size > 0n && offset >= s.size) return undefined;
    return { name: s.name, offset };
  }

  /** `sym` or `sym+0x10`, or undefined when no symbol covers the address. */
  format(addr: bigint): string | undefined {
    const n = this.nearest(addr);
    if (n === undefined) return undefined;
    return n.offset === 0n ? n.name : `${n.name}+0x${n.offset.toString(16)}`;
  }
}
