// Arm GICv2 (ARM IHI 0048B) without the Security Extensions, with the Virtualization Extensions,
// identifying as a GIC-400: Distributor (GICD), CPU interface (GICC), virtual interface control
// (GICH) and virtual CPU interface (GICV). See README.md for what is and is not modelled.
//
// State is held per "slot": INTIDs 0..31 are banked per CPU (slot cpu*32 + id), SPIs are shared
// (slot cpus*32 + id-32). Outputs are recomputed by a linear scan after every state change and
// reported through onLines only when a CPU's lines differ from what was last reported.
import type { Device } from '../bus.js';
import * as R from './regs.js';

export const LINE_IRQ = R.LINE_IRQ;
export const LINE_FIQ = R.LINE_FIQ;
export const LINE_VIRQ = R.LINE_VIRQ;
export const LINE_VFIQ = R.LINE_VFIQ;

export interface GicOptions {
  /** Number of CPU interfaces, 1..8 (default 1). */
  cpus?: number;
  /** Number of INTIDs including the 32 private ones: a multiple of 32, 64..992 (default 288). */
  irqs?: number;
  /** Called with a CPU's new output lines (LINE_* bits) whenever they change, and only then. */
  onLines: (cpu: number, lines: number) => void;
  /** Called once per frame and offset for a wrong-size or reserved access (for a log line). */
  onLog?: (msg: string) => void;
}

/** Bit index of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

export class Gic {
  readonly cpus: number;
  readonly irqs: number;
  /** Which CPU makes bus accesses to the banked registers and frames. */
  currentCpu = 0;

  readonly distributor: Device;
  readonly cpuInterface: Device;
  readonly hypInterface: Device;
  readonly virtualCpuInterface: Device;

  private readonly onLines: (cpu: number, lines: number) => void;
  private readonly onLog: ((msg: string) => void) | null;
  private readonly logged = new Set<string>();

  // Per-slot interrupt state (Distributor).
  private readonly enabled: Uint8Array;
  /** Pending latch: set by an edge, by GICD_ISPENDR; cleared by acknowledge or GICD_ICPENDR. */
  private readonly pendLatch: Uint8Array;
  /** The interrupt input line as last driven by setLevel. */
  private readonly level: Uint8Array;
  private readonly active: Uint8Array;
  private readonly group: Uint8Array;
  private readonly priority: Uint8Array;
  /** GICD_ICFGR Int_config[1]: 1 = edge-triggered, 0 = level-sensitive. */
  private readonly edge: Uint8Array;
  /** GICD_ITARGETSR for SPIs, indexed by INTID. */
  private readonly targets: Uint8Array;
  /** SGI pending state per target CPU and SGI: a bit per source CPU (cpu*16 + sgi). */
  private readonly sgiSources: Uint8Array;
  private gicdCtlr = 0;

  // Per-CPU interface state.
  private readonly cCtlr: Int32Array;
  private readonly cPmr: Int32Array;
  private readonly cBpr: Int32Array;
  private readonly cAbpr: Int32Array;
  /** Active priorities (GICC_APR0 for Group 0, GICC_NSAPR0 for Group 1): bit n = priority n<<3. */
  private readonly apr: Int32Array;
  private readonly nsapr: Int32Array;

  // Per-CPU virtual interface state.
  private readonly hcr: Int32Array;
  private readonly vmcr: Int32Array;
  private readonly hapr: Int32Array;
  private readonly lr: Int32Array;

  /** Lines last reported per CPU. */
  private readonly out: Uint8Array;

  constructor(opts: GicOptions) {
    const cpus = opts.cpus ?? 1;
    const irqs = opts.irqs ?? 288;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) {
      throw new Error(`GIC: cpus must be 1..8, not ${cpus}`);
    }
    if (!Number.isInteger(irqs) || irqs < 64 || irqs > 992 || irqs % 32 !== 0) {
      throw new Error(`GIC: irqs must be a multiple of 32 in 64..992, not ${irqs}`);
    }
    this.cpus = cpus;
    this.irqs = irqs;
    this.onLines = opts.onLines;
    this.onLog = opts.onLog ?? null;
    const slots = cpus * 32 + (irqs - 32);
    this.enabled = new Uint8Array(slots);
    this.pendLatch = new Uint8Array(slots);
    this.level = new Uint8Array(slots);
    this.active = new Uint8Array(slots);
    this.group = new Uint8Array(slots);
    this.priority = new Uint8Array(slots);
    this.edge = new Uint8Array(slots);
    this.targets = new Uint8Array(irqs);
    this.sgiSources = new Uint8Array(cpus * 16);
    this.cCtlr = new Int32Array(cpus);
    this.cPmr = new Int32Array(cpus);
    this.cBpr = new Int32Array(cpus);
    this.cAbpr = new Int32Array(cpus);
    this.apr = new Int32Array(cpus);
    this.nsapr = new Int32Array(cpus);
    this.hcr = new Int32Array(cpus);
    this.vmcr = new Int32Array(cpus);
    this.hapr = new Int32Array(cpus);
    this.lr = new Int32Array(cpus * R.NUM_LRS);
    this.out = new Uint8Array(cpus);
    this.resetState();

    this.distributor = {
      name: 'gicd',
      read: (off, size) => this.distRead(off, size),
      write: (off, size, v) => this.distWrite(off, size, v),
    };
    this.cpuInterface = {
      name: 'gicc',
      read: (off, size) => this.cpuRead(off, size),
      write: (off, size, v) => this.cpuWrite(off, size, v),
    };
    this.hypInterface = {
      name: 'gich',
      read: (off, size) => this.hypRead(off, size),
      write: (off, size, v) => this.hypWrite(off, size, v),
    };
    this.virtualCpuInterface = {
      name: 'gicv',
      read: (off, size) => this.vcpuRead(off, size),
      write: (off, size, v) => this.vcpuWrite(off, size, v),
    };
  }

  /** Current output lines of a CPU (LINE_* bits). */
  lines(cpu: number): number {
    return this.out[cpu];
  }

  /**
   * Drive an interrupt input: PPIs (16..31) of `cpu`, or SPIs (32..irqs-1). A level-sensitive
   * interrupt is pending while its input is high; an edge-triggered one latches pending on a
   * rising edge (IHI 0048B 1.4.2, 3.2.4).
   */
  setLevel(intid: number, level: boolean, cpu = 0): void {
    if (!Number.isInteger(intid) || intid < 16 || intid >= this.irqs) {
      throw new Error(`GIC: setLevel: INTID ${intid} is not a PPI or SPI (16..${this.irqs - 1})`);
    }
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) {
      throw new Error(`GIC: setLevel: no CPU ${cpu}`);
    }
    if (this.setInput(cpu, intid, level ? 1 : 0)) this.update();
  }

  reset(): void {
    this.resetState();
    this.update();
  }

  /** Human-readable state of one CPU's view (for a debugger or log): no side effects. */
  dump(cpu = 0): string[] {
    const hex = (v: number) => '0x' + (v >>> 0).toString(16);
    const ids = (pred: (id: number) => boolean) => {
      const out: number[] = [];
      for (let id = 0; id < this.irqs; id++) if (pred(id)) out.push(id);
      return out.join(' ') || '-';
    };
    const s = (id: number) => this.slot(cpu, id);
    const run = this.running(cpu);
    const vrun = this.vRunning(cpu);
    const lines: string[] = [
      `GICD_CTLR=${hex(this.gicdCtlr)} GICC_CTLR=${hex(this.cCtlr[cpu])} PMR=${hex(this.cPmr[cpu])} ` +
        `BPR=${this.cBpr[cpu]} ABPR=${this.cAbpr[cpu]} RPR=${hex(run === 0x100 ? 0xff : run)} ` +
        `APR0=${hex(this.apr[cpu])} NSAPR0=${hex(this.nsapr[cpu])} lines=${hex(this.out[cpu])}`,
      `enabled: ${ids((id) => id >= 16 && this.enabled[s(id)] === 1)}`,
      `pending: ${ids((id) => this.isPending(cpu, id) && this.targetsCpu(cpu, id))}`,
      `active:  ${ids((id) => this.active[s(id)] === 1)}`,
      `GICH_HCR=${hex(this.hcr[cpu])} VMCR=${hex(this.vmcr[cpu])} MISR=${hex(this.misr(cpu))} ` +
        `APR=${hex(this.hapr[cpu])} vRPR=${hex(vrun === 0x100 ? 0xff : vrun)}`,
    ];
    for (let i = 0; i < R.NUM_LRS; i++) {
      const lr = this.lr[cpu * R.NUM_LRS + i];
      if (lr === 0) continue;
      const st = ['invalid', 'pending', 'active', 'pending+active'][this.lrState(lr)];
      const hw = lr & R.LR_HW ? ` HW pINTID=${(lr >>> 10) & 0x3ff}` : lr & R.LR_EOI ? ' EOI' : '';
      lines.push(
        `LR${i}=${hex(lr)}: vINTID=${lr & 0x3ff} ${st} prio=${hex(this.lrPriority(lr))} ` +
          `grp${lr & R.LR_GRP1 ? 1 : 0}${hw}`,
      );
    }
    return lines;
  }

  // ---------------------------------------------------------------------------------------------
  // Interrupt state helpers

  private slot(cpu: number, id: number): number {
    return id < 32 ? cpu * 32 + id : this.cpus * 32 + id - 32;
  }

  /** Returns true when the state changed. */
  private setInput(cpu: number, id: number, lvl: number): boolean {
    const s = this.slot(cpu, id);
    if (this.level[s] === lvl) return false;
    if (lvl && this.edge[s]) this.pendLatch[s] = 1;
    this.level[s] = lvl;
    return true;
  }

  private isPending(cpu: number, id: number): boolean {
    if (id < 16) return this.sgiSources[cpu * 16 + id] !== 0;
    const s = this.slot(cpu, id);
    return this.pendLatch[s] !== 0 || (this.edge[s] === 0 && this.level[s] !== 0);
  }

  private targetsCpu(cpu: number, id: number): boolean {
    return id < 32 || this.cpus === 1 || ((this.targets[id] >> cpu) & 1) !== 0;
  }

  private resetState(): void {
    this.enabled.fill(0);
    this.pendLatch.fill(0);
    this.level.fill(0);
    this.active.fill(0);
    this.group.fill(0);
    this.priority.fill(0);
    this.edge.fill(0);
    this.targets.fill(0);
    this.sgiSources.fill(0);
    for (let c = 0; c < this.cpus; c++) {
      for (let id = 0; id < 16; id++) {
        // SGIs: permanently enabled (GICD_ISENABLER0[15:0] RAO/WI, an IMPLEMENTATION DEFINED
        // choice, 4.3.5) and edge-triggered (GICD_ICFGR0 read-only, 4.3.13).
        this.enabled[c * 32 + id] = 1;
        this.edge[c * 32 + id] = 1;
      }
    }
    this.gicdCtlr = 0;
    this.cCtlr.fill(0);
    this.cPmr.fill(0);
    this.cBpr.fill(R.MIN_BPR);
    this.cAbpr.fill(R.MIN_ABPR);
    this.apr.fill(0);
    this.nsapr.fill(0);
    this.hcr.fill(0);
    // GICH_VMCR resets with VMBP and VMABP at their minimums (as GIC-400: 0x004C0000).
    this.vmcr.fill((R.MIN_BPR << R.VMCR_VMBP_SHIFT) | (R.MIN_ABPR << R.VMCR_VMABP_SHIFT));
    this.hapr.fill(0);
    this.lr.fill(0);
  }

  private log(frame: string, off: number, what: string): void {
    const key = `${frame}:${off}:${what}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.onLog?.(`${frame}+0x${off.toString(16)}: ${what}`);
  }

  /** Recompute maintenance inputs and output lines of every CPU; report changes. */
  private update(): void {
    for (let c = 0; c < this.cpus; c++) {
      // 5.3.5/5.1: the maintenance interrupt is asserted while GICH_HCR.En=1 and GICH_MISR != 0.
      const m = (this.hcr[c] & R.HCR_EN) !== 0 && this.misr(c) !== 0 ? 1 : 0;
      this.setInput(c, R.INTID_MAINTENANCE, m);
    }
    for (let c = 0; c < this.cpus; c++) {
      const lines = this.physLines(c) | this.virtLines(c);
      if (lines !== this.out[c]) {
        this.out[c] = lines;
        this.onLines(c, lines);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // CPU interface logic (IHI 0048B 3.2, 3.3)

  /** Groups enabled in both the Distributor and this CPU interface (bit 0 = Group 0, bit 1 = Group 1). */
  private groupMask(cpu: number): number {
    return this.gicdCtlr & this.cCtlr[cpu] & 3;
  }

  /**
   * Highest priority pending interrupt for `cpu` among enabled, inactive interrupts of the
   * groups in `groups` that target it; ties go to the lowest INTID (3.3.1). 1023 if none.
   */
  private hppi(cpu: number, groups: number): number {
    let best = R.INTID_SPURIOUS;
    let bestPrio = 0x100;
    for (let id = 0; id < this.irqs; id++) {
      const s = this.slot(cpu, id);
      if (!this.enabled[s] || this.active[s]) continue;
      if (((groups >> this.group[s]) & 1) === 0) continue;
      const p = this.priority[s];
      if (p >= bestPrio) continue;
      if (!this.isPending(cpu, id) || !this.targetsCpu(cpu, id)) continue;
      best = id;
      bestPrio = p;
    }
    return best;
  }

  /** Group priority of a priority value (3.3.3): GICC_BPR for Group 0 (and Group 1 with CBPR=1), else GICC_ABPR. */
  private groupPriority(cpu: number, prio: number, grp1: boolean): number {
    const mask =
      grp1 && (this.cCtlr[cpu] & R.GICC_CTLR_CBPR) === 0 ? 0xff << this.cAbpr[cpu] : 0xff << (this.cBpr[cpu] + 1);
    return prio & mask & 0xff;
  }

  /** Running priority (3.3.4): the highest active group priority, 0x100 when idle. */
  private running(cpu: number): number {
    const a = this.apr[cpu] | this.nsapr[cpu];
    return a === 0 ? 0x100 : lowestBit(a) << 3;
  }

  /** Whether interrupt `id` has sufficient priority to be signalled: above PMR and preempting (3.3.1, 3.3.2). */
  private canSignal(cpu: number, id: number): boolean {
    const s = this.slot(cpu, id);
    const p = this.priority[s];
    return p < this.cPmr[cpu] && this.groupPriority(cpu, p, this.group[s] === 1) < this.running(cpu);
  }

  private physLines(cpu: number): number {
    const id = this.hppi(cpu, this.groupMask(cpu));
    if (id === R.INTID_SPURIOUS || !this.canSignal(cpu, id)) return 0;
    // Group 0 is signalled as FIQ when FIQEn=1 (3.6.1); Group 1 is always IRQ.
    const grp0 = this.group[this.slot(cpu, id)] === 0;
    return grp0 && (this.cCtlr[cpu] & R.GICC_CTLR_FIQEN) !== 0 ? LINE_FIQ : LINE_IRQ;
  }

  /** Lowest source CPU of a pending SGI (the one GICC_IAR reports). */
  private sgiSource(cpu: number, id: number): number {
    const m = this.sgiSources[cpu * 16 + id];
    return m === 0 ? 0 : lowestBit(m);
  }

  /** GICC_HPPIR/GICC_AHPPIR value (4.4.8, 4.4.12). */
  private hppir(cpu: number, alias: boolean): number {
    const id = this.hppi(cpu, this.groupMask(cpu));
    if (id === R.INTID_SPURIOUS) return id;
    const grp1 = this.group[this.slot(cpu, id)] === 1;
    if (alias && !grp1) return R.INTID_SPURIOUS;
    if (!alias && grp1 && (this.cCtlr[cpu] & R.GICC_CTLR_ACKCTL) === 0) return R.INTID_SPURIOUS_GRP1;
    return id < 16 ? id | (this.sgiSource(cpu, id) << 10) : id;
  }

  /** Read of GICC_IAR (alias=false) or GICC_AIAR (alias=true): acknowledge (3.2.4, 4.4.4, 4.4.10). */
  private acknowledge(cpu: number, alias: boolean): number {
    const id = this.hppi(cpu, this.groupMask(cpu));
    if (id === R.INTID_SPURIOUS || !this.canSignal(cpu, id)) return R.INTID_SPURIOUS;
    const s = this.slot(cpu, id);
    const grp1 = this.group[s] === 1;
    if (alias && !grp1) return R.INTID_SPURIOUS;
    // A Group 1 interrupt read through GICC_IAR with AckCtl=0 is not acknowledged: 1022.
    if (!alias && grp1 && (this.cCtlr[cpu] & R.GICC_CTLR_ACKCTL) === 0) return R.INTID_SPURIOUS_GRP1;
    let src = 0;
    if (id < 16) {
      // Each source of an SGI is pending independently; acknowledging takes one (3.2.4).
      src = this.sgiSource(cpu, id);
      this.sgiSources[cpu * 16 + id] &= ~(1 << src);
    } else {
      // A level-sensitive interrupt whose input is still high stays pending: active and pending.
      this.pendLatch[s] = 0;
    }
    this.active[s] = 1;
    const bit = 1 << (this.groupPriority(cpu, this.priority[s], grp1) >> 3);
    if (grp1) this.nsapr[cpu] |= bit;
    else this.apr[cpu] |= bit;
    this.update();
    return id | (src << 10);
  }

  /** GICC_EOIR/GICC_AEOIR write: priority drop, and deactivation when EOImode=0 (3.2.4, 4.4.5). */
  private endOfInterrupt(cpu: number, value: number): void {
    const id = value & 0x3ff;
    if (id >= 1020 || id >= this.irqs) return; // special INTIDs: ignored
    // Priority drop: clear the highest priority active bit (correct nesting assumed, 3.3.5).
    const all = this.apr[cpu] | this.nsapr[cpu];
    if (all !== 0) {
      const bit = 1 << lowestBit(all);
      const inApr = (this.apr[cpu] & bit) !== 0;
      const inNsapr = (this.nsapr[cpu] & bit) !== 0;
      // The bit is in one map; if in both, the one of this interrupt's group.
      const grp1 = inApr && inNsapr ? this.group[this.slot(cpu, id)] === 1 : inNsapr;
      if (grp1) this.nsapr[cpu] &= ~bit;
      else this.apr[cpu] &= ~bit;
    }
    if ((this.cCtlr[cpu] & R.GICC_CTLR_EOIMODE) === 0) this.active[this.slot(cpu, id)] = 0;
    this.update();
  }

  /** GICC_DIR write: deactivation when EOImode=1 (4.4.15); UNPREDICTABLE otherwise, ignored here. */
  private deactivateWrite(cpu: number, value: number): void {
    const id = value & 0x3ff;
    if (id >= this.irqs || (this.cCtlr[cpu] & R.GICC_CTLR_EOIMODE) === 0) return;
    this.active[this.slot(cpu, id)] = 0;
    this.update();
  }

  // ---------------------------------------------------------------------------------------------
  // Virtual CPU interface logic (IHI 0048B chapter 5)

  private lrState(lr: number): number {
    return (lr >>> R.LR_STATE_SHIFT) & 3;
  }

  private lrPriority(lr: number): number {
    return ((lr >>> R.LR_PRIORITY_SHIFT) & 0x1f) << 3;
  }

  private vGroupPriority(cpu: number, prio: number, grp1: boolean): number {
    const v = this.vmcr[cpu];
    const bp = (v >>> R.VMCR_VMBP_SHIFT) & 7;
    const abp = (v >>> R.VMCR_VMABP_SHIFT) & 7;
    const mask = grp1 && (v & R.GICC_CTLR_CBPR) === 0 ? 0xff << abp : 0xff << (bp + 1);
    return prio & mask & 0xff;
  }

  private vRunning(cpu: number): number {
    const a = this.hapr[cpu];
    return a === 0 ? 0x100 : lowestBit(a) << 3;
  }

  /** Highest priority List register in the pending state of an enabled virtual group; -1 if none. */
  private vHppiLr(cpu: number): number {
    const groups = this.vmcr[cpu] & 3;
    let best = -1;
    let bestPrio = 0x100;
    for (let i = 0; i < R.NUM_LRS; i++) {
      const lr = this.lr[cpu * R.NUM_LRS + i];
      if (this.lrState(lr) !== R.LR_STATE_PENDING) continue;
      if (((groups >> ((lr & R.LR_GRP1) !== 0 ? 1 : 0)) & 1) === 0) continue;
      const p = this.lrPriority(lr);
      if (p < bestPrio) {
        best = i;
        bestPrio = p;
      }
    }
    return best;
  }

  private vCanSignal(cpu: number, lr: number): boolean {
    const p = this.lrPriority(lr);
    const pmr = (this.vmcr[cpu] >>> R.VMCR_VMPRIMASK_SHIFT) << 3;
    return p < pmr && this.vGroupPriority(cpu, p, (lr & R.LR_GRP1) !== 0) < this.vRunning(cpu);
  }

  private virtLines(cpu: number): number {
    if ((this.hcr[cpu] & R.HCR_EN) === 0) return 0;
    const i = this.vHppiLr(cpu);
    if (i < 0) return 0;
    const lr = this.lr[cpu * R.NUM_LRS + i];
    if (!this.vCanSignal(cpu, lr)) return 0;
    const grp0 = (lr & R.LR_GRP1) === 0;
    return grp0 && (this.vmcr[cpu] & R.GICC_CTLR_FIQEN) !== 0 ? LINE_VFIQ : LINE_VIRQ;
  }

  /** The INTID the VM sees for an LR: VirtualID, plus the source CPUID for a software SGI. */
  private lrIntid(lr: number): number {
    const vid = lr & R.LR_VIRTUALID_MASK;
    if (vid < 16 && (lr & R.LR_HW) === 0) return vid | (((lr >>> R.LR_CPUID_SHIFT) & 7) << 10);
    return vid;
  }

  private vHppir(cpu: number, alias: boolean): number {
    const i = this.vHppiLr(cpu);
    if (i < 0) return R.INTID_SPURIOUS;
    const lr = this.lr[cpu * R.NUM_LRS + i];
    const grp1 = (lr & R.LR_GRP1) !== 0;
    if (alias && !grp1) return R.INTID_SPURIOUS;
    if (!alias && grp1 && (this.vmcr[cpu] & R.GICC_CTLR_ACKCTL) === 0) return R.INTID_SPURIOUS_GRP1;
    return this.lrIntid(lr);
  }

  /** GICV_IAR/GICV_AIAR: the LR goes pending -> active, its group priority into GICH_APR (5.4.1). */
  private vAcknowledge(cpu: number, alias: boolean): number {
    if ((this.hcr[cpu] & R.HCR_EN) === 0) return R.INTID_SPURIOUS;
    const i = this.vHppiLr(cpu);
    if (i < 0) return R.INTID_SPURIOUS;
    const n = cpu * R.NUM_LRS + i;
    const lr = this.lr[n];
    if (!this.vCanSignal(cpu, lr)) return R.INTID_SPURIOUS;
    const grp1 = (lr & R.LR_GRP1) !== 0;
    if (alias && !grp1) return R.INTID_SPURIOUS;
    if (!alias && grp1 && (this.vmcr[cpu] & R.GICC_CTLR_ACKCTL) === 0) return R.INTID_SPURIOUS_GRP1;
    this.lr[n] = (lr & ~(3 << R.LR_STATE_SHIFT)) | (R.LR_STATE_ACTIVE << R.LR_STATE_SHIFT);
    this.hapr[cpu] |= 1 << (this.vGroupPriority(cpu, this.lrPriority(lr), grp1) >> 3);
    this.update();
    return this.lrIntid(lr);
  }

  /** Increment GICH_HCR.EOICount (5 bits, wraps). */
  private bumpEoiCount(cpu: number): void {
    const h = this.hcr[cpu];
    const count = ((h >>> R.HCR_EOICOUNT_SHIFT) + 1) & 0x1f;
    this.hcr[cpu] = (h & ~(0x1f << R.HCR_EOICOUNT_SHIFT)) | (count << R.HCR_EOICOUNT_SHIFT);
  }

  /**
   * Virtual deactivation (5.4.2): find the active LR for the INTID (and source CPU for an SGI);
   * clear its active state. HW=1: deactivate PhysicalID in the Distributor. No LR: EOICount++.
   */
  private vDeactivate(cpu: number, value: number): void {
    const vid = value & R.LR_VIRTUALID_MASK;
    const cpuid = (value >>> 10) & 7;
    for (let i = 0; i < R.NUM_LRS; i++) {
      const n = cpu * R.NUM_LRS + i;
      const lr = this.lr[n];
      if ((this.lrState(lr) & R.LR_STATE_ACTIVE) === 0 || (lr & R.LR_VIRTUALID_MASK) !== vid) continue;
      const hw = (lr & R.LR_HW) !== 0;
      if (vid < 16 && !hw && ((lr >>> R.LR_CPUID_SHIFT) & 7) !== cpuid) continue;
      this.lr[n] = lr & ~(R.LR_STATE_ACTIVE << R.LR_STATE_SHIFT);
      if (hw) {
        const pid = (lr >>> R.LR_PHYSICALID_SHIFT) & 0x3ff;
        if (pid >= 16 && pid < this.irqs) this.active[this.slot(cpu, pid)] = 0;
      }
      return;
    }
    this.bumpEoiCount(cpu);
  }

  /** GICV_EOIR/GICV_AEOIR: virtual priority drop, and deactivation when VMEOIMode=0. */
  private vEndOfInterrupt(cpu: number, value: number): void {
    const vid = value & R.LR_VIRTUALID_MASK;
    if (vid >= 1020) return;
    const a = this.hapr[cpu];
    this.hapr[cpu] = a & (a - 1); // clear the highest priority active bit
    if ((this.vmcr[cpu] & R.GICC_CTLR_EOIMODE) === 0) {
      // An EOI that drops no priority does not count (GICH_HCR.EOICount, 5.3.2).
      if (a !== 0) this.vDeactivate(cpu, value);
    }
    this.update();
  }

  private vDeactivateWrite(cpu: number, value: number): void {
    if ((this.vmcr[cpu] & R.GICC_CTLR_EOIMODE) === 0) return; // UNPREDICTABLE: ignored
    if ((value & R.LR_VIRTUALID_MASK) >= 1020) return;
    this.vDeactivate(cpu, value);
    this.update();
  }

  /** GICH_EISR0: LRs with State=invalid, HW=0 and EOI=1 (5.3.6). */
  eisr(cpu: number): number {
    let m = 0;
    for (let i = 0; i < R.NUM_LRS; i++) {
      const lr = this.lr[cpu * R.NUM_LRS + i];
      if (this.lrState(lr) === 0 && (lr & R.LR_HW) === 0 && (lr & R.LR_EOI) !== 0) m |= 1 << i;
    }
    return m;
  }

  /** GICH_ELRSR0: LRs that hold no interrupt: State=invalid and no EOI maintenance due (5.3.7). */
  elrsr(cpu: number): number {
    let m = 0;
    for (let i = 0; i < R.NUM_LRS; i++) {
      const lr = this.lr[cpu * R.NUM_LRS + i];
      if (this.lrState(lr) === 0 && ((lr & R.LR_HW) !== 0 || (lr & R.LR_EOI) === 0)) m |= 1 << i;
    }
    return m;
  }

  /** GICH_MISR (5.3.5). */
  misr(cpu: number): number {
    const h = this.hcr[cpu];
    const v = this.vmcr[cpu];
    let valid = 0;
    let pending = 0;
    for (let i = 0; i < R.NUM_LRS; i++) {
      const st = this.lrState(this.lr[cpu * R.NUM_LRS + i]);
      if (st !== 0) valid++;
      if (st & R.LR_STATE_PENDING) pending++;
    }
    let m = 0;
    if (this.eisr(cpu) !== 0) m |= R.MISR_EOI;
    if (h & R.HCR_UIE && valid <= 1) m |= R.MISR_U;
    if (h & R.HCR_LRENPIE && h >>> R.HCR_EOICOUNT_SHIFT !== 0) m |= R.MISR_LRENP;
    if (h & R.HCR_NPIE && pending === 0) m |= R.MISR_NP;
    if (h & R.HCR_VGRP0EIE && v & 1) m |= R.MISR_VGRP0E;
    if (h & R.HCR_VGRP0DIE && !(v & 1)) m |= R.MISR_VGRP0D;
    if (h & R.HCR_VGRP1EIE && v & 2) m |= R.MISR_VGRP1E;
    if (h & R.HCR_VGRP1DIE && !(v & 2)) m |= R.MISR_VGRP1D;
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // GICD frame

  private isByteDistReg(off: number): boolean {
    return (
      (off >= R.GICD_IPRIORITYR && off < R.GICD_ICFGR) || (off >= R.GICD_CPENDSGIR && off < R.GICD_SPENDSGIR + 16)
    );
  }

  /** Bit-per-interrupt register: INTID range of word n, or -1 when beyond the implemented INTIDs. */
  private bitRegBase(off: number, base: number): number {
    const first = ((off - base) >> 2) * 32;
    return first < this.irqs ? first : -1;
  }

  private distRead(off: number, size: number): number {
    const cpu = this.currentCpu;
    if (this.isByteDistReg(off)) {
      if (off % size !== 0) {
        this.log('GICD', off, `unaligned ${size}-byte read`);
        return 0;
      }
      let v = 0;
      for (let k = 0; k < size; k++) v |= this.distReadByte(cpu, off + k) << (8 * k);
      return v >>> 0;
    }
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICD', off, `${size}-byte read of a word-only register (RAZ)`);
      return 0;
    }
    if (off === R.GICD_CTLR) return this.gicdCtlr;
    if (off === R.GICD_TYPER) return (this.irqs / 32 - 1) | ((this.cpus - 1) << 5);
    if (off === R.GICD_IIDR) return R.GICD_IIDR_VALUE;
    if (off >= R.GICD_IGROUPR && off < R.GICD_ICACTIVER + 0x80) {
      const kind = (off - R.GICD_IGROUPR) >> 7; // 0 IGROUPR, 1/2 ENABLER, 3/4 PENDR, 5/6 ACTIVER
      const first = this.bitRegBase(off & 0x7f, 0);
      if (first < 0) return 0;
      let v = 0;
      for (let b = 0; b < 32; b++) {
        const id = first + b;
        const s = this.slot(cpu, id);
        let bit: number;
        if (kind === 0) bit = this.group[s];
        else if (kind <= 2) bit = this.enabled[s];
        else if (kind <= 4) bit = this.isPending(cpu, id) ? 1 : 0;
        else bit = this.active[s];
        v |= bit << b;
      }
      return v >>> 0;
    }
    if (off >= R.GICD_ICFGR && off < R.GICD_ICFGR + 0x100) {
      const first = ((off - R.GICD_ICFGR) >> 2) * 16;
      if (first >= this.irqs) return 0;
      let v = 0;
      for (let k = 0; k < 16; k++) v |= this.edge[this.slot(cpu, first + k)] << (2 * k + 1);
      return v >>> 0;
    }
    if (off === R.GICD_SGIR) return 0; // write-only
    if (off >= R.GICD_PIDR4 && off <= R.GICD_CIDR0 + 12) return R.GICD_ID_REGS[(off - R.GICD_PIDR4) >> 2];
    if (off >= 0xd00 && off < 0xd80) return 0; // GIC-400 PPISR/SPISR status: not modelled, RAZ
    this.log('GICD', off, 'reserved register read (RAZ)');
    return 0;
  }

  private distReadByte(cpu: number, off: number): number {
    if (off >= R.GICD_IPRIORITYR && off < R.GICD_ITARGETSR) {
      const id = off - R.GICD_IPRIORITYR;
      return id < this.irqs ? this.priority[this.slot(cpu, id)] : 0;
    }
    if (off >= R.GICD_ITARGETSR && off < R.GICD_ICFGR) {
      const id = off - R.GICD_ITARGETSR;
      // A uniprocessor GIC has GICD_ITARGETSR RAZ/WI (4.3.12).
      if (this.cpus === 1 || id >= this.irqs) return 0;
      return id < 32 ? 1 << cpu : this.targets[id];
    }
    // GICD_CPENDSGIR/GICD_SPENDSGIR: one byte per SGI, one bit per source CPU (4.3.16, 4.3.17).
    const sgi = (off - R.GICD_CPENDSGIR) & 15;
    return this.sgiSources[cpu * 16 + sgi];
  }

  private distWriteByte(cpu: number, off: number, v: number): void {
    if (off >= R.GICD_IPRIORITYR && off < R.GICD_ITARGETSR) {
      const id = off - R.GICD_IPRIORITYR;
      if (id < this.irqs) this.priority[this.slot(cpu, id)] = v & R.PRIORITY_MASK;
      return;
    }
    if (off >= R.GICD_ITARGETSR && off < R.GICD_ICFGR) {
      const id = off - R.GICD_ITARGETSR;
      if (this.cpus > 1 && id >= 32 && id < this.irqs) this.targets[id] = v & ((1 << this.cpus) - 1);
      return;
    }
    const sgi = (off - R.GICD_CPENDSGIR) & 15;
    const src = v & ((1 << this.cpus) - 1);
    if (off < R.GICD_SPENDSGIR) this.sgiSources[cpu * 16 + sgi] &= ~src;
    else this.sgiSources[cpu * 16 + sgi] |= src;
  }

  private distWrite(off: number, size: number, value: number): void {
    const cpu = this.currentCpu;
    if (this.isByteDistReg(off)) {
      if (off % size !== 0) {
        this.log('GICD', off, `unaligned ${size}-byte write`);
        return;
      }
      for (let k = 0; k < size; k++) this.distWriteByte(cpu, off + k, (value >>> (8 * k)) & 0xff);
      this.update();
      return;
    }
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICD', off, `${size}-byte write of a word-only register (ignored)`);
      return;
    }
    value >>>= 0;
    if (off === R.GICD_CTLR) {
      this.gicdCtlr = value & 3;
    } else if (off >= R.GICD_IGROUPR && off < R.GICD_ICACTIVER + 0x80) {
      const kind = (off - R.GICD_IGROUPR) >> 7;
      const first = this.bitRegBase(off & 0x7f, 0);
      if (first < 0) return;
      for (let b = 0; b < 32; b++) {
        const bit = (value >>> b) & 1;
        const id = first + b;
        const s = this.slot(cpu, id);
        if (kind === 0) {
          this.group[s] = bit;
          continue;
        }
        if (!bit) continue;
        switch (kind) {
          case 1: // GICD_ISENABLER
          case 2: // GICD_ICENABLER: SGI enables are RAO/WI
            if (id >= 16) this.enabled[s] = kind === 1 ? 1 : 0;
            break;
          case 3: // GICD_ISPENDR: SGI bits WI, use GICD_SPENDSGIR (4.3.7)
            if (id >= 16) this.pendLatch[s] = 1;
            break;
          case 4: // GICD_ICPENDR: a level input still high keeps the interrupt pending (4.3.8)
            if (id >= 16) this.pendLatch[s] = 0;
            break;
          case 5:
            this.active[s] = 1;
            break;
          case 6:
            this.active[s] = 0;
            break;
        }
      }
    } else if (off >= R.GICD_ICFGR && off < R.GICD_ICFGR + 0x100) {
      const first = ((off - R.GICD_ICFGR) >> 2) * 16;
      // SGIs are read-only edge; PPIs and SPIs programmable (PPIs: IMPLEMENTATION DEFINED, 4.3.13).
      for (let k = 0; k < 16; k++) {
        const id = first + k;
        if (id < 16 || id >= this.irqs) continue;
        const s = this.slot(cpu, id);
        const e = (value >>> (2 * k + 1)) & 1;
        // Becoming edge-triggered with the input high does not make a new edge.
        this.edge[s] = e;
      }
    } else if (off === R.GICD_SGIR) {
      this.sendSgi(cpu, value);
    } else if (
      off === R.GICD_TYPER ||
      off === R.GICD_IIDR ||
      (off >= R.GICD_PIDR4 && off <= R.GICD_CIDR0 + 12) ||
      (off >= 0xd00 && off < 0xd80)
    ) {
      return; // read-only
    } else {
      this.log('GICD', off, 'reserved register write (ignored)');
      return;
    }
    this.update();
  }

  /** GICD_SGIR (4.3.15): TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]. */
  private sendSgi(cpu: number, value: number): void {
    const filter = (value >>> 24) & 3;
    const all = (1 << this.cpus) - 1;
    let targets: number;
    if (filter === 0) targets = (value >>> 16) & all;
    else if (filter === 1) targets = all & ~(1 << cpu);
    else if (filter === 2) targets = 1 << cpu;
    else return; // reserved
    const sgi = value & 15;
    for (let t = 0; t < this.cpus; t++) if ((targets >> t) & 1) this.sgiSources[t * 16 + sgi] |= 1 << cpu;
  }

  // ---------------------------------------------------------------------------------------------
  // GICC frame

  private cpuRead(off: number, size: number): number {
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICC', off, `${size}-byte read of a word-only register (RAZ)`);
      return 0;
    }
    const cpu = this.currentCpu;
    switch (off) {
      case R.GICC_CTLR:
        return this.cCtlr[cpu];
      case R.GICC_PMR:
        return this.cPmr[cpu];
      case R.GICC_BPR:
        return this.cBpr[cpu];
      case R.GICC_ABPR:
        return this.cAbpr[cpu];
      case R.GICC_IAR:
        return this.acknowledge(cpu, false);
      case R.GICC_AIAR:
        return this.acknowledge(cpu, true);
      case R.GICC_RPR: {
        const r = this.running(cpu);
        return r === 0x100 ? 0xff : r;
      }
      case R.GICC_HPPIR:
        return this.hppir(cpu, false);
      case R.GICC_AHPPIR:
        return this.hppir(cpu, true);
      case R.GICC_APR0:
        return this.apr[cpu] >>> 0;
      case R.GICC_NSAPR0:
        return this.nsapr[cpu] >>> 0;
      case R.GICC_IIDR:
        return R.GICC_IIDR_VALUE;
      case R.GICC_EOIR:
      case R.GICC_AEOIR:
      case R.GICC_DIR:
        return 0; // write-only
    }
    if ((off > R.GICC_APR0 && off < R.GICC_APR0 + 16) || (off > R.GICC_NSAPR0 && off < R.GICC_NSAPR0 + 16)) return 0;
    this.log('GICC', off, 'reserved register read (RAZ)');
    return 0;
  }

  private cpuWrite(off: number, size: number, value: number): void {
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICC', off, `${size}-byte write of a word-only register (ignored)`);
      return;
    }
    const cpu = this.currentCpu;
    value >>>= 0;
    switch (off) {
      case R.GICC_CTLR:
        this.cCtlr[cpu] = value & R.GICC_CTLR_MASK;
        break;
      case R.GICC_PMR:
        this.cPmr[cpu] = value & R.PRIORITY_MASK;
        break;
      case R.GICC_BPR:
        this.cBpr[cpu] = Math.max(value & 7, R.MIN_BPR);
        break;
      case R.GICC_ABPR:
        this.cAbpr[cpu] = Math.max(value & 7, R.MIN_ABPR);
        break;
      case R.GICC_EOIR:
      case R.GICC_AEOIR:
        this.endOfInterrupt(cpu, value);
        return;
      case R.GICC_DIR:
        this.deactivateWrite(cpu, value);
        return;
      case R.GICC_APR0:
        this.apr[cpu] = value;
        break;
      case R.GICC_NSAPR0:
        this.nsapr[cpu] = value;
        break;
      case R.GICC_IAR:
      case R.GICC_AIAR:
      case R.GICC_RPR:
      case R.GICC_HPPIR:
      case R.GICC_AHPPIR:
      case R.GICC_IIDR:
        return; // read-only
      default:
        if ((off > R.GICC_APR0 && off < R.GICC_APR0 + 16) || (off > R.GICC_NSAPR0 && off < R.GICC_NSAPR0 + 16)) return;
        this.log('GICC', off, 'reserved register write (ignored)');
        return;
    }
    this.update();
  }

  // ---------------------------------------------------------------------------------------------
  // GICH frame

  private hypRead(off: number, size: number): number {
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICH', off, `${size}-byte read of a word-only register (RAZ)`);
      return 0;
    }
    const cpu = this.currentCpu;
    switch (off) {
      case R.GICH_HCR:
        return this.hcr[cpu] >>> 0;
      case R.GICH_VTR:
        return R.GICH_VTR_VALUE >>> 0;
      case R.GICH_VMCR:
        return this.vmcr[cpu] >>> 0;
      case R.GICH_MISR:
        return this.misr(cpu);
      case R.GICH_EISR0:
        return this.eisr(cpu);
      case R.GICH_ELRSR0:
        return this.elrsr(cpu);
      case R.GICH_EISR1:
      case R.GICH_ELRSR1:
        return 0; // only 4 List registers
      case R.GICH_APR:
        return this.hapr[cpu] >>> 0;
    }
    if (off >= R.GICH_LR0 && off < R.GICH_LR0 + 0x100) {
      const i = (off - R.GICH_LR0) >> 2;
      return i < R.NUM_LRS ? this.lr[cpu * R.NUM_LRS + i] >>> 0 : 0;
    }
    this.log('GICH', off, 'reserved register read (RAZ)');
    return 0;
  }

  private hypWrite(off: number, size: number, value: number): void {
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICH', off, `${size}-byte write of a word-only register (ignored)`);
      return;
    }
    const cpu = this.currentCpu;
    value >>>= 0;
    switch (off) {
      case R.GICH_HCR:
        this.hcr[cpu] = value & R.HCR_MASK;
        break;
      case R.GICH_VMCR:
        this.vmcr[cpu] = this.clampVmcr(value & R.VMCR_MASK);
        break;
      case R.GICH_APR:
        this.hapr[cpu] = value;
        break;
      case R.GICH_VTR:
      case R.GICH_MISR:
      case R.GICH_EISR0:
      case R.GICH_EISR1:
      case R.GICH_ELRSR0:
      case R.GICH_ELRSR1:
        return; // read-only
      default:
        if (off >= R.GICH_LR0 && off < R.GICH_LR0 + 0x100) {
          const i = (off - R.GICH_LR0) >> 2;
          if (i < R.NUM_LRS) this.lr[cpu * R.NUM_LRS + i] = value & R.LR_MASK;
          break;
        }
        this.log('GICH', off, 'reserved register write (ignored)');
        return;
    }
    this.update();
  }

  /** Binary points below the minimum read back as the minimum (3.3.3), for GICV_BPR/ABPR via VMCR too. */
  private clampVmcr(v: number): number {
    const bp = (v >>> R.VMCR_VMBP_SHIFT) & 7;
    const abp = (v >>> R.VMCR_VMABP_SHIFT) & 7;
    v &= ~((7 << R.VMCR_VMBP_SHIFT) | (7 << R.VMCR_VMABP_SHIFT));
    return (v | (Math.max(bp, R.MIN_BPR) << R.VMCR_VMBP_SHIFT) | (Math.max(abp, R.MIN_ABPR) << R.VMCR_VMABP_SHIFT)) | 0;
  }

  // ---------------------------------------------------------------------------------------------
  // GICV frame: the GICC layout, backed by GICH_VMCR, GICH_APR and the List registers (5.3, 5.4)

  private vcpuRead(off: number, size: number): number {
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICV', off, `${size}-byte read of a word-only register (RAZ)`);
      return 0;
    }
    const cpu = this.currentCpu;
    const v = this.vmcr[cpu];
    switch (off) {
      case R.GICC_CTLR:
        return v & R.VMCR_CTLR_MASK;
      case R.GICC_PMR:
        return (v >>> R.VMCR_VMPRIMASK_SHIFT) << 3;
      case R.GICC_BPR:
        return (v >>> R.VMCR_VMBP_SHIFT) & 7;
      case R.GICC_ABPR:
        return (v >>> R.VMCR_VMABP_SHIFT) & 7;
      case R.GICC_IAR:
        return this.vAcknowledge(cpu, false);
      case R.GICC_AIAR:
        return this.vAcknowledge(cpu, true);
      case R.GICC_RPR: {
        const r = this.vRunning(cpu);
        return r === 0x100 ? 0xff : r;
      }
      case R.GICC_HPPIR:
        return this.vHppir(cpu, false);
      case R.GICC_AHPPIR:
        return this.vHppir(cpu, true);
      case R.GICC_APR0:
        return this.hapr[cpu] >>> 0;
      case R.GICC_IIDR:
        return R.GICC_IIDR_VALUE;
      case R.GICC_EOIR:
      case R.GICC_AEOIR:
      case R.GICC_DIR:
        return 0;
    }
    if ((off > R.GICC_APR0 && off < R.GICC_APR0 + 16) || (off >= R.GICC_NSAPR0 && off < R.GICC_NSAPR0 + 16)) return 0;
    this.log('GICV', off, 'reserved register read (RAZ)');
    return 0;
  }

  private vcpuWrite(off: number, size: number, value: number): void {
    if (size !== 4 || off % 4 !== 0) {
      this.log('GICV', off, `${size}-byte write of a word-only register (ignored)`);
      return;
    }
    const cpu = this.currentCpu;
    value >>>= 0;
    const v = this.vmcr[cpu];
    switch (off) {
      case R.GICC_CTLR:
        this.vmcr[cpu] = (v & ~R.VMCR_CTLR_MASK) | (value & R.VMCR_CTLR_MASK);
        break;
      case R.GICC_PMR:
        this.vmcr[cpu] = (v & ~(0x1f << R.VMCR_VMPRIMASK_SHIFT)) | (((value >>> 3) & 0x1f) << R.VMCR_VMPRIMASK_SHIFT);
        break;
      case R.GICC_BPR:
        this.vmcr[cpu] = this.clampVmcr((v & ~(7 << R.VMCR_VMBP_SHIFT)) | ((value & 7) << R.VMCR_VMBP_SHIFT));
        break;
      case R.GICC_ABPR:
        this.vmcr[cpu] = this.clampVmcr((v & ~(7 << R.VMCR_VMABP_SHIFT)) | ((value & 7) << R.VMCR_VMABP_SHIFT));
        break;
      case R.GICC_EOIR:
      case R.GICC_AEOIR:
        this.vEndOfInterrupt(cpu, value);
        return;
      case R.GICC_DIR:
        this.vDeactivateWrite(cpu, value);
        return;
      case R.GICC_APR0:
        this.hapr[cpu] = value;
        break;
      case R.GICC_IAR:
      case R.GICC_AIAR:
      case R.GICC_RPR:
      case R.GICC_HPPIR:
      case R.GICC_AHPPIR:
      case R.GICC_IIDR:
        return;
      default:
        if ((off > R.GICC_APR0 && off < R.GICC_APR0 + 16) || (off >= R.GICC_NSAPR0 && off < R.GICC_NSAPR0 + 16)) return;
        this.log('GICV', off, 'reserved register write (ignored)');
        return;
    }
    this.update();
  }
}
