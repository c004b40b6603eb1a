// The VM's GIC distributor (GICv2, IHI 0048B chapter 4.3), emulated by trap: the guest's GICD
// page is left unmapped in stage 2, so every access exits to the hypervisor, which keeps the
// virtual interrupts' state here. The guest's CPU interface is not emulated: its GICC IPA is the
// physical GIC's virtual CPU interface (GICV) mapped by stage 2, driven by the list registers
// that src/hyp/vgic.ts fills from this state.
//
// One vCPU: a uniprocessor GIC, so GICD_ITARGETSR are RAZ/WI and GICD_TYPER.CPUNumber = 0
// (IHI 0048B 4.3.12). Several vCPUs (`ncpu` > 1): the SGI and PPI state (INTIDs 0-31) is banked
// per vCPU interface (4.3 "banked registers"): the arrays below hold the selected vCPU's bank
// (select(), at each world switch between the VM's vCPUs) and `banks` the others'; ITARGETSR0-7
// read the accessing vCPU's own mask, SPIs' ITARGETSR are kept and route the SPI (vgic.ts), and
// GICD_SGIR sends to other vCPUs' banks by target list and filter. No Security Extensions: GICD_CTLR has EnableGrp0 and EnableGrp1, and the
// group registers are implemented (4.3.1, 4.3.4). SGIs are always enabled (ISENABLER0[15:0]
// RAO/WI, as on GIC-400) and edge-triggered (ICFGR0 read-only).
import type { Device } from '../../devices/bus.js';

export const VGIC_IRQS = 288; // QEMU virt: 256 SPIs + 32 private, GICD_TYPER.ITLinesNumber = 8
const WORDS = VGIC_IRQS / 32;

/** GIC-400's peripheral and component ID registers at 0xFD0-0xFFC (PIDR4-7, PIDR0-3, CIDR0-3). */
const ID_REGS = [0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1];
/** GICv2 has 8 CPU interfaces at most (GICD_TYPER.CPUNumber is 3 bits; ITARGETSR bytes). */
export const VGIC_MAX_CPUS = 8;
const PRIV = 32;

/** The banked (per vCPU interface) state of INTIDs 0-31 of a vCPU that is not selected. */
export interface PrivateBank {
  group: Uint8Array;
  enabled: Uint8Array;
  pending: Uint8Array;
  active: Uint8Array;
  level: Uint8Array;
  priority: Uint8Array;
  edge: Uint8Array;
  sgiSources: Uint8Array;
}
function newBank(): PrivateBank {
  const b: PrivateBank = {
    group: new Uint8Array(PRIV), enabled: new Uint8Array(PRIV), pending: new Uint8Array(PRIV), active: new Uint8Array(PRIV),
    level: new Uint8Array(PRIV), priority: new Uint8Array(PRIV), edge: new Uint8Array(PRIV), sgiSources: new Uint8Array(16),
  };
  for (let i = 0; i < 16; i++) (b.enabled[i] = 1), (b.edge[i] = 1);
  return b;
}
const BANKED = ['group', 'enabled', 'pending', 'active', 'level', 'priority', 'edge'] as const;

export class VgicDistributor implements Device {
  readonly name = 'gicd';
  ctlr = 0;
  readonly group = new Uint8Array(VGIC_IRQS);
  readonly enabled = new Uint8Array(VGIC_IRQS);
  /** Latched pending state (edge, software-set, or a level input sampled high). */
  readonly pending = new Uint8Array(VGIC_IRQS);
  readonly active = new Uint8Array(VGIC_IRQS);
  /** Input level of level-sensitive sources (virtual devices' interrupt lines). */
  readonly level = new Uint8Array(VGIC_IRQS);
  readonly priority = new Uint8Array(VGIC_IRQS);
  /** 1 = edge-triggered (GICD_ICFGR Int_config[1]). */
  readonly edge = new Uint8Array(VGIC_IRQS);
  /** For each SGI, the source CPUs with it pending (one vCPU: bit 0). */
  readonly sgiSources = new Uint8Array(16);
  /** SPI routing (GICD_ITARGETSR, one CPU mask byte per INTID; several vCPUs only). */
  readonly targets = new Uint8Array(VGIC_IRQS);
  /** The vCPU interface whose bank the arrays above hold (the vCPU on the PE, or accessing GICD). */
  cpu = 0;
  /** The other vCPUs' banks, by vCPU index (banks[cpu] is stale while selected). */
  private readonly banks: PrivateBank[];
  /** Called when anything that decides what is pending changed (the vGIC refreshes its LRs). */
  onChange: () => void = () => {};
  onLog: ((msg: string) => void) | null = null;
  private readonly warned = new Set<number>();

  constructor(readonly ncpu = 1) {
    if (!Number.isInteger(ncpu) || ncpu < 1 || ncpu > VGIC_MAX_CPUS) throw new Error(`a GICv2 has 1 to ${VGIC_MAX_CPUS} CPU interfaces, not ${ncpu}`);
    this.banks = Array.from({ length: ncpu }, newBank);
    this.reset();
  }

  /** Make vCPU `c`'s SGI/PPI bank the live one (the previous one is stored in its bank). */
  select(c: number): void {
    if (c === this.cpu) return;
    const out = this.banks[this.cpu];
    const inn = this.banks[c];
    for (const k of BANKED) {
      out[k].set(this[k].subarray(0, PRIV));
      this[k].set(inn[k]);
    }
    out.sgiSources.set(this.sgiSources);
    this.sgiSources.set(inn.sgiSources);
    this.cpu = c;
  }

  /** vCPU `c`'s SGI/PPI state: the live arrays if it is selected, else its bank (index < 32 only). */
  bank(c: number): PrivateBank {
    return c === this.cpu ? this : this.banks[c];
  }

  /** SPI `i` is routed to vCPU `c`: the lowest vCPU of its target list (one vCPU: always). */
  routedTo(i: number, c: number): boolean {
    if (this.ncpu === 1) return true;
    const t = this.targets[i] & ((1 << this.ncpu) - 1);
    return t !== 0 && (t & -t) === 1 << c;
  }

  /** Anything vCPU `c` (not necessarily selected) could take: pending, enabled, its group on (a WFI wake-up). */
  hasWorkFor(c: number): boolean {
    const b = this.bank(c);
    for (let i = 0; i < PRIV; i++) {
      const p = b.pending[i] !== 0 || (b.edge[i] === 0 && b.level[i] !== 0);
      if (p && b.enabled[i] && (this.ctlr & (b.group[i] ? 2 : 1)) !== 0) return true;
    }
    for (let i = PRIV; i < VGIC_IRQS; i++) {
      if (this.isPending(i) && this.enabled[i] && (this.ctlr & (this.group[i] ? 2 : 1)) !== 0 && this.routedTo(i, c)) return true;
    }
    return false;
  }

  reset(): void {
    this.ctlr = 0;
    for (const a of [this.group, this.enabled, this.pending, this.active, this.level, this.priority, this.edge]) a.fill(0);
    this.sgiSources.fill(0);
    this.targets.fill(0);
    for (let i = 0; i < 16; i++) {
      this.enabled[i] = 1;
      this.edge[i] = 1;
    }
    for (let c = 0; c < this.banks.length; c++) this.banks[c] = newBank();
  }

  /** Pending for the CPU interface: latched, or a level-sensitive input held high. */
  isPending(i: number): boolean {
    return this.pending[i] !== 0 || (this.edge[i] === 0 && this.level[i] !== 0);
  }

  /** A virtual device's interrupt line (a level-sensitive SPI or PPI). */
  setLevel(i: number, high: boolean): void {
    const v = high ? 1 : 0;
    if (this.level[i] === v) return;
    this.level[i] = v;
    if (high && this.edge[i] !== 0) this.pending[i] = 1; // a rising edge latches
    this.onChange();
  }

  read(offset: number, size: number): number {
    if (size !== 4 && !this.byteOk(offset)) return this.bad(offset, size, 'read');
    const w = offset >>> 2;
    if (offset === 0x000) return this.ctlr;
    if (offset === 0x004) return ((this.ncpu - 1) << 5) | (WORDS - 1); // TYPER: ITLinesNumber, CPUNumber, no SecurityExtn
    if (offset === 0x008) return 0x0200143b; // IIDR: GIC-400 r0p0... as the physical one reports
    if (offset >= 0x080 && offset < 0x080 + 4 * WORDS) return this.bits(this.group, w - 0x20);
    if (offset >= 0x100 && offset < 0x100 + 4 * WORDS) return this.bits(this.enabled, w - 0x40);
    if (offset >= 0x180 && offset < 0x180 + 4 * WORDS) return this.bits(this.enabled, w - 0x60);
    if (offset >= 0x200 && offset < 0x200 + 4 * WORDS) return this.pendingBits(w - 0x80);
    if (offset >= 0x280 && offset < 0x280 + 4 * WORDS) return this.pendingBits(w - 0xa0);
    if (offset >= 0x300 && offset < 0x300 + 4 * WORDS) return this.bits(this.active, w - 0xc0);
    if (offset >= 0x380 && offset < 0x380 + 4 * WORDS) return this.bits(this.active, w - 0xe0);
    if (offset >= 0x400 && offset < 0x400 + VGIC_IRQS) return this.bytes(this.priority, offset - 0x400, size);
    if (offset >= 0x800 && offset < 0x800 + VGIC_IRQS) {
      if (this.ncpu === 1) return 0; // ITARGETSR: RAZ/WI on a uniprocessor
      // 4.3.12: ITARGETSR0-7 (SGIs, PPIs) are read-only and read the accessing CPU's own bit.
      if (offset < 0x820) return size === 4 ? (0x0101_0101 * (1 << this.cpu)) >>> 0 : (1 << this.cpu) * (size === 2 ? 0x101 : 1);
      return this.bytes(this.targets, offset - 0x800, size);
    }
    if (offset >= 0xc00 && offset < 0xc00 + 8 * WORDS) {
      let v = 0;
      const base = (offset - 0xc00) * 4;
      for (let k = 0; k < 16; k++) if (this.edge[base + k]) v |= 2 << (2 * k);
      return v >>> 0;
    }
    if (offset >= 0xf10 && offset < 0xf30) {
      // CPENDSGIR/SPENDSGIR: one byte of source CPUs per SGI.
      return this.bytes(this.sgiSources, (offset & 0xf), size);
    }
    if (offset >= 0xfd0 && offset <= 0xffc) return (offset & 3) === 0 ? ID_REGS[(offset - 0xfd0) >>> 2] : 0;
    if (offset === 0xf00) return 0; // SGIR is write-only
    return this.unknown(offset, 'read');
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4 && !this.byteOk(offset)) {
      this.bad(offset, size, 'write');
      return;
    }
    const w = offset >>> 2;
    const v = value >>> 0;
    if (offset === 0x000) this.ctlr = v & 3;
    else if (offset >= 0x080 && offset < 0x080 + 4 * WORDS) this.setBits(this.group, w - 0x20, v, 1);
    else if (offset >= 0x100 && offset < 0x100 + 4 * WORDS) this.setBits(this.enabled, w - 0x40, w === 0x40 ? v | 0xffff : v, 1);
    else if (offset >= 0x180 && offset < 0x180 + 4 * WORDS) this.setBits(this.enabled, w - 0x60, w === 0x60 ? v & ~0xffff : v, 0);
    else if (offset >= 0x200 && offset < 0x200 + 4 * WORDS) {
      // SGIs are set pending only through GICD_SGIR / SPENDSGIR (4.3.7).
      this.setBits(this.pending, w - 0x80, w === 0x80 ? v & ~0xffff : v, 1);
    } else if (offset >= 0x280 && offset < 0x280 + 4 * WORDS) {
      this.setBits(this.pending, w - 0xa0, w === 0xa0 ? v & ~0xffff : v, 0);
    } else if (offset >= 0x300 && offset < 0x300 + 4 * WORDS) this.setBits(this.active, w - 0xc0, v, 1);
    else if (offset >= 0x380 && offset < 0x380 + 4 * WORDS) this.setBits(this.active, w - 0xe0, v, 0);
    else if (offset >= 0x400 && offset < 0x400 + VGIC_IRQS) {
      // 5 priority bits, as in the list registers (GICH_LR.Priority is priority[7:3]).
      for (let k = 0; k < size; k++) this.priority[offset - 0x400 + k] = (v >>> (8 * k)) & 0xf8;
    } else if (offset >= 0x800 && offset < 0x800 + VGIC_IRQS) {
      // ITARGETSR: RAZ/WI on a uniprocessor; SPIs' CPU targets (bits for absent CPUs ignored).
      if (this.ncpu > 1 && offset >= 0x820) {
        for (let k = 0; k < size; k++) this.targets[offset - 0x800 + k] = (v >>> (8 * k)) & ((1 << this.ncpu) - 1);
      }
    } else if (offset >= 0xc00 && offset < 0xc00 + 8 * WORDS) {
      if (offset >= 0xc04) {
        // Int_config[1] per interrupt; SGIs (ICFGR0) are read-only edge.
        const base = (offset - 0xc00) * 4;
        for (let k = 0; k < 16; k++) this.edge[base + k] = (v >>> (2 * k + 1)) & 1;
      }
    } else if (offset === 0xf00) this.sgir(v);
    else if (offset >= 0xf10 && offset < 0xf20) {
      for (let k = 0; k < size; k++) this.sgiSources[(offset & 0xf) + k] &= ~((v >>> (8 * k)) & 0xff);
      for (let i = 0; i < 16; i++) this.pending[i] = this.sgiSources[i] !== 0 ? 1 : 0;
    } else if (offset >= 0xf20 && offset < 0xf30) {
      for (let k = 0; k < size; k++) this.sgiSources[(offset & 0xf) + k] |= (v >>> (8 * k)) & ((1 << this.ncpu) - 1);
      for (let i = 0; i < 16; i++) this.pending[i] = this.sgiSources[i] !== 0 ? 1 : 0;
    } else if (offset >= 0xfd0 && offset <= 0xffc) {
      /* ID registers: read-only */
    } else {
      this.unknown(offset, 'write');
      return;
    }
    this.onChange();
  }

  /**
   * GICD_SGIR (4.3.15), written by the selected vCPU: TargetListFilter 0 = the CPUs in
   * CPUTargetList, 1 = all but the requesting CPU, 2 = the requesting CPU only, 3 reserved (no
   * effect). Each target gets SGIINTID pending from this source CPU (GICD_SPENDSGIR's bit).
   * Target bits of CPU interfaces that do not exist are ignored. `onSgi` is told the other
   * vCPUs it reached (the scheduler wakes them).
   */
  private sgir(v: number): void {
    const filter = (v >>> 24) & 3;
    const all = (1 << this.ncpu) - 1;
    const self = 1 << this.cpu;
    const mask = filter === 0 ? (v >>> 16) & all : filter === 1 ? all & ~self : filter === 2 ? self : 0;
    const id = v & 0xf;
    for (let c = 0; c < this.ncpu; c++) {
      if (((mask >>> c) & 1) === 0) continue;
      const b = this.bank(c);
      b.sgiSources[id] |= self;
      b.pending[id] = 1;
    }
    if ((mask & ~self) !== 0) this.onSgi(mask & ~self);
  }
  /** An SGI reached other vCPUs (a mask of vCPU indexes). */
  onSgi: (mask: number) => void = () => {};

  /** GICD_ISPENDR/ICPENDR read: the pending state as the CPU interface sees it. */
  private pendingBits(word: number): number {
    let v = 0;
    for (let k = 0; k < 32; k++) if (this.isPending(word * 32 + k)) v |= 1 << k;
    return v >>> 0;
  }
  private bits(a: Uint8Array, word: number): number {
    let v = 0;
    for (let k = 0; k < 32; k++) if (a[word * 32 + k]) v |= 1 << k;
    return v >>> 0;
  }
  private setBits(a: Uint8Array, word: number, v: number, to: number): void {
    for (let k = 0; k < 32; k++) if ((v >>> k) & 1) a[word * 32 + k] = to;
  }
  private bytes(a: Uint8Array, at: number, size: number): number {
    let v = 0;
    for (let k = 0; k < size; k++) v |= a[at + k] << (8 * k);
    return v >>> 0;
  }
  /** Byte-accessible registers (4.1.4): IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR. */
  private byteOk(offset: number): boolean {
    return (offset >= 0x400 && offset < 0xc00) || (offset >= 0xf10 && offset < 0xf30);
  }
  private bad(offset: number, size: number, what: string): number {
    return this.unknown(offset, `${size}-byte ${what}`);
  }
  private unknown(offset: number, what: string): number {
    if (!this.warned.has(offset)) {
      this.warned.add(offset);
      this.onLog?.(`vgic: ${what} of GICD offset 0x${offset.toString(16)} ignored (RAZ/WI)`);
    }
    return 0;
  }

  /** Register names for the exit statistics. */
  static regName(offset: number): string {
    const fixed: Record<number, string> = { 0: 'GICD_CTLR', 4: 'GICD_TYPER', 8: 'GICD_IIDR', 0xf00: 'GICD_SGIR' };
    if (fixed[offset] !== undefined) return fixed[offset];
    const ranges: [number, number, string, number][] = [
      [0x080, 0x100, 'GICD_IGROUPR', 4],
      [0x100, 0x180, 'GICD_ISENABLER', 4],
      [0x180, 0x200, 'GICD_ICENABLER', 4],
      [0x200, 0x280, 'GICD_ISPENDR', 4],
      [0x280, 0x300, 'GICD_ICPENDR', 4],
      [0x300, 0x380, 'GICD_ISACTIVER', 4],
      [0x380, 0x400, 'GICD_ICACTIVER', 4],
      [0x400, 0x800, 'GICD_IPRIORITYR', 4],
      [0x800, 0xc00, 'GICD_ITARGETSR', 4],
      [0xc00, 0xd00, 'GICD_ICFGR', 4],
      [0xf10, 0xf20, 'GICD_CPENDSGIR', 4],
      [0xf20, 0xf30, 'GICD_SPENDSGIR', 4],
    ];
    for (const [lo, hi, name, step] of ranges) if (offset >= lo && offset < hi) return `${name}${Math.floor((offset - lo) / step)}`;
    if (offset >= 0xfd0) return 'GICD_ID';
    return `+0x${offset.toString(16)}`;
  }
}
