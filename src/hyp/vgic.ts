// A VM's virtual GIC (GICv2 with the Virtualization Extensions, IHI 0048B chapter 5): the
// distributor is emulated by trap (vdev/vgic-dist.ts); the CPU interface is the physical GIC's
// virtual CPU interface (GICV), which the guest reaches with no exit through stage 2, and which
// the hypervisor drives through the list registers in the GICH frame.
//
// The hypervisor keeps the distributor state authoritative between a guest's exits: at every
// exit it folds the list registers back into it (what the guest acknowledged, completed), and
// before every return to the guest it flushes the highest-priority pending and all active
// interrupts into the list registers (5.3 "GIC virtual interface control registers").
//  - Interrupts of the VM's timers are hardware-mapped (GICH_LR.HW=1, PhysicalID): the
//    hypervisor acknowledges the physical one and drops its priority (EOImode=1) but leaves it
//    active; the guest's deactivation of the virtual interrupt deactivates the physical one.
//    Their virtual pending state is the physical line, resampled at every fold and flush
//    (resampleHw): withdrawn when the line drops, never listed while the guest disables them.
//  - Level-sensitive software interrupts (a virtual device's line) get GICH_LR.EOI=1: their EOI
//    raises a maintenance interrupt, so the hypervisor resamples the line.
//  - With more pending interrupts than list registers, GICH_HCR.UIE asks for a maintenance
//    interrupt when the list registers run (nearly) empty, to refill them.
import type { Device } from '../devices/bus.js';
import { VgicDistributor, VGIC_IRQS } from './vdev/vgic-dist.js';
import { MIN_ABPR, MIN_BPR, VMCR_VMABP_SHIFT, VMCR_VMBP_SHIFT } from '../devices/gic/regs.js';
import { PMU_PPI } from '../cpu/pmu/pmu.js'; // kut

// GICH register offsets (IHI 0048B 5.3, Table 5-1).
export const GICH_HCR = 0x00;
export const GICH_VTR = 0x04;
export const GICH_VMCR = 0x08;
export const GICH_MISR = 0x10;
export const GICH_EISR0 = 0x20;
export const GICH_ELRSR0 = 0x30;
export const GICH_APR = 0xf0;
export const GICH_LR0 = 0x100;

const HCR_EN = 1 << 0;
const HCR_UIE = 1 << 1;

// GICH_LRn fields (5.3.11).
const LR_HW = 1 << 31;
const LR_GRP1 = 1 << 30;
const LR_PENDING = 1 << 28;
const LR_ACTIVE = 2 << 28;
const LR_EOI = 1 << 19;
/** GICH_VMCR at reset: the guest's GICV_CTLR and PMR 0, binary points at their minimums (5.3.4). */
const VMCR_RESET = (MIN_BPR << VMCR_VMBP_SHIFT) | (MIN_ABPR << VMCR_VMABP_SHIFT);
const GICD_ISPENDR0 = 0x200;
const GICD_ISACTIVER0 = 0x300;
const GICD_ICACTIVER0 = 0x380;

/** Physical INTIDs of the timers' PPIs on the virt board, forwarded to the VM as the same INTIDs. */
export const PPI_CNTV = 27;
export const PPI_CNTP = 30;
export const PPI_MAINTENANCE = 25;
/** kut: the PMU overflow interrupt (PPI 23 as on QEMU's virt; kvm-unit-tests' arm/pmu.c expects it). */
export const PPI_PMU = PMU_PPI;

export class Vgic {
  readonly dist = new VgicDistributor();
  /** Number of list registers (GICH_VTR.ListRegs + 1). */
  readonly nLr: number;
  /** The INTID held by each list register, or -1. */
  private readonly lrIntid: Int32Array;
  /** Hardware-mapped virtual INTIDs -> physical INTID. */
  readonly hw = new Map<number, number>([
    [PPI_CNTV, PPI_CNTV],
    [PPI_CNTP, PPI_CNTP],
    [PPI_PMU, PPI_PMU], // kut: PMUv3 overflow (level-sensitive like the timers), forwarded as a HW interrupt
  ]);
  /** Saved while another VM runs: the guest's GICV control (VMCR) and active priorities (APR). */
  private vmcr = VMCR_RESET;
  private apr = 0;
  /** Physical hardware-mapped interrupts that were active when the VM was switched out. */
  private savedPhysActive: number[] = [];
  /** Something changed since the last flush. */
  private dirty = true;
  /** Interrupts made pending in the list registers (each assertion once), for the statistics. */
  injected = 0;
  /** INTIDs whose list register was still pending at the last fold (already counted as injected). */
  private readonly listedPending = new Uint8Array(VGIC_IRQS);

  constructor(private readonly gich: Device) {
    this.nLr = (gich.read(GICH_VTR, 4) & 0x3f) + 1;
    this.lrIntid = new Int32Array(this.nLr).fill(-1);
    this.dist.onChange = () => (this.dirty = true);
  }

  /**
   * The physical distributor, set by the hypervisor: a hardware-mapped interrupt's line is read
   * from it (GICD_ISPENDR0: the pending state of a level-sensitive interrupt that nobody latched
   * is its input, IHI 0048B 4.3.7), and deactivated there when the guest no longer holds it.
   */
  gicd: Device | null = null;

  /**
   * A physical interrupt mapped to this VM fired (the hypervisor acknowledged it; it stays
   * active): the virtual interrupt's input is high. Hardware-mapped interrupts are level-
   * sensitive and their virtual pending state is the line, not a latch (resampleHw).
   */
  injectHw(intid: number): void {
    this.dist.setLevel(intid, true);
    this.dirty = true;
  }

  /**
   * Resample the hardware-mapped interrupts' lines (at every exit and before every entry): the
   * timer's output may have dropped without an exit (the guest wrote CNTV_CTL.IMASK or ENABLE),
   * and a level-sensitive interrupt is pending only while its input is asserted (IHI 0048B 1.4.2),
   * so the virtual one must stop being pending too: withdrawn from the distributor (the guest's
   * GICD_ISPENDR) and, through fold/flush, from the list registers. While the line is high the
   * physical interrupt stays active (acknowledged by the hypervisor), so it does not fire again
   * even if the guest keeps the virtual one disabled (no interrupt storm); once the line is low
   * and the guest holds no active copy, it is deactivated at the physical distributor
   * (GICD_ICACTIVER0), so the timer's next assertion reaches the hypervisor again.
   */
  private resampleHw(): void {
    const gicd = this.gicd;
    if (gicd === null) return;
    const pend = gicd.read(GICD_ISPENDR0, 4);
    for (const [vid, p] of this.hw) {
      const high = ((pend >>> p) & 1) !== 0;
      this.dist.setLevel(vid, high);
      if (!high && !this.dist.active[vid] && ((gicd.read(GICD_ISACTIVER0, 4) >>> p) & 1) !== 0) {
        gicd.write(GICD_ICACTIVER0, 4, (1 << p) >>> 0);
      }
    }
  }

  /** Any virtual interrupt pending or active (a WFI wakes; the vCPU has work). */
  hasPending(): boolean {
    const d = this.dist;
    for (let i = 0; i < VGIC_IRQS; i++) if (d.isPending(i) && d.enabled[i] && this.groupEnabled(i)) return true;
    for (let k = 0; k < this.nLr; k++) if (this.lrIntid[k] >= 0 && (this.gich.read(GICH_LR0 + 4 * k, 4) & LR_PENDING) !== 0) return true;
    return false;
  }

  private groupEnabled(i: number): boolean {
    return (this.dist.ctlr & (this.dist.group[i] ? 2 : 1)) !== 0;
  }

  /**
   * At an exit: read back what the guest did with the list registers, into the distributor
   * state, and empty them.
   */
  fold(): void {
    const d = this.dist;
    for (let k = 0; k < this.nLr; k++) {
      const id = this.lrIntid[k];
      if (id < 0) continue;
      const lr = this.gich.read(GICH_LR0 + 4 * k, 4);
      const pending = (lr & LR_PENDING) !== 0;
      const active = (lr & LR_ACTIVE) !== 0;
      this.listedPending[id] = pending ? 1 : 0;
      d.active[id] = active ? 1 : 0;
      // Acknowledged (no longer pending in the LR): the latch is consumed; an SGI's source too.
      // A level-sensitive software interrupt's pending state is its line (resampled at flush),
      // so the LR keeps a latch alive only if software had set one (GICD_ISPENDR).
      // Hardware-mapped ones are level-sensitive too: their line is resampled below.
      if (d.edge[id]) d.pending[id] = pending ? 1 : 0;
      else d.pending[id] = pending && d.pending[id] ? 1 : 0;
      if (id < 16 && !pending) d.sgiSources[id] = 0;
      this.gich.write(GICH_LR0 + 4 * k, 4, 0);
      this.lrIntid[k] = -1;
      this.dirty = true;
    }
    this.resampleHw();
  }

  /** Before returning to the guest: fill the list registers; enable the virtual interface. */
  flush(): void {
    this.resampleHw();
    if (!this.dirty) return;
    this.dirty = false;
    const d = this.dist;
    const cand: number[] = [];
    for (let i = 0; i < VGIC_IRQS; i++) {
      if (d.active[i]) cand.push(i);
      else if (d.isPending(i) && d.enabled[i] && this.groupEnabled(i)) cand.push(i);
    }
    // Active ones first (they must be in an LR to be completed), then by priority, then INTID.
    cand.sort((a, b) => d.active[b] - d.active[a] || d.priority[a] - d.priority[b] || a - b);
    const wasListed = this.listedPending.slice();
    this.listedPending.fill(0);
    const n = Math.min(cand.length, this.nLr);
    for (let k = 0; k < n; k++) {
      const id = cand[k];
      const pending = d.isPending(id) && !(d.active[id] && d.edge[id] === 0);
      let lr = id | ((d.priority[id] >>> 3) << 23) | (d.group[id] ? LR_GRP1 : 0);
      lr |= (pending ? LR_PENDING : 0) | (d.active[id] ? LR_ACTIVE : 0);
      const phys = this.hw.get(id);
      if (phys !== undefined) {
        // Pending and active together is not allowed with HW=1 (5.3.11): keep it active.
        if (d.active[id]) lr &= ~LR_PENDING;
        lr |= LR_HW | (phys << 10);
      } else if (d.edge[id] === 0) lr |= LR_EOI; // resample the line at its EOI
      // (SGIs: CPUID = 0, the only source.) An interrupt listed again at every exit until the
      // guest takes it is one injection, not one per exit.
      if (pending && !d.active[id] && !wasListed[id]) this.injected++;
      this.gich.write(GICH_LR0 + 4 * k, 4, lr >>> 0);
      this.lrIntid[k] = id;
    }
    this.gich.write(GICH_HCR, 4, HCR_EN | (cand.length > this.nLr ? HCR_UIE : 0));
  }

  /** World switch out: fold, save the guest's GICV state, park its active hardware interrupts. */
  save(gicd: Device): void {
    this.fold();
    this.vmcr = this.gich.read(GICH_VMCR, 4);
    this.apr = this.gich.read(GICH_APR, 4);
    this.gich.write(GICH_HCR, 4, 0);
    this.gich.write(GICH_APR, 4, 0);
    // A physical interrupt this VM has not completed must not block the next VM's (its timer
    // uses the same PPI): remember it and clear its active state (GICD_ICACTIVER0).
    this.savedPhysActive = this.deactivatePhys(gicd);
    this.dirty = true;
  }

  /** Clear the active state of the hardware-mapped physical interrupts; returns those that were active. */
  private deactivatePhys(gicd: Device): number[] {
    const act = gicd.read(GICD_ISACTIVER0, 4);
    const was = [...this.hw.values()].filter((p) => (act >>> p) & 1);
    for (const p of was) gicd.write(GICD_ICACTIVER0, 4, (1 << p) >>> 0);
    return was;
  }

  /**
   * The VM was reset (PSCI SYSTEM_RESET) while on the CPU: its virtual CPU interface returns to
   * its reset state (GICV_CTLR, PMR and the active priorities 0, no list register in use) and a
   * hardware interrupt it had not completed is deactivated: its source, the vCPU's timer, was
   * reset too, and left active it would block every later timer interrupt of this VM.
   */
  resetCpuInterface(gicd: Device): void {
    this.fold();
    this.gich.write(GICH_VMCR, 4, VMCR_RESET);
    this.gich.write(GICH_APR, 4, 0);
    this.deactivatePhys(gicd);
    this.savedPhysActive = [];
    this.listedPending.fill(0);
    this.dirty = true;
  }

  /** World switch in: the reverse of save (the flush happens at the return to the guest). */
  restore(gicd: Device): void {
    this.gich.write(GICH_VMCR, 4, this.vmcr);
    this.gich.write(GICH_APR, 4, this.apr);
    for (const p of this.savedPhysActive) gicd.write(GICD_ISACTIVER0, 4, (1 << p) >>> 0);
    this.savedPhysActive = [];
    this.dirty = true;
  }
}
