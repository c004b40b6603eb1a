// GICv2 Virtualization Extensions: GICH (virtual interface control) and GICV (virtual CPU
// interface), ARM IHI 0048B chapter 5.
import { describe, it, expect } from 'vitest';
import * as R from '../../../src/devices/gic/regs.js';
import { rig, openCpu, enable, setPending, type Rig } from './helpers.js';

const H = (r: Rig) => r.g.hypInterface;
const V = (r: Rig) => r.g.virtualCpuInterface;

/** A GICH_LR value. */
function lr(o: { vid: number; state?: number; prio?: number; grp1?: boolean; hw?: boolean; pid?: number; eoi?: boolean; cpuid?: number }): number {
  let v = o.vid | ((o.state ?? 1) << 28) | (((o.prio ?? 0xa0) >> 3) << 23);
  if (o.grp1) v |= R.LR_GRP1;
  if (o.hw) v |= R.LR_HW | ((o.pid ?? 0) << 10);
  else {
    if (o.eoi) v |= R.LR_EOI;
    v |= (o.cpuid ?? 0) << 10;
  }
  return v >>> 0;
}

/** GICH_HCR.En=1; the VM enables Group 0 and opens PMR through GICV. */
function vmOn(r: Rig, hcr = R.HCR_EN): void {
  r.wr(H(r), R.GICH_HCR, hcr);
  r.wr(V(r), R.GICC_CTLR, 1);
  r.wr(V(r), R.GICC_PMR, 0xf8);
}

describe('GICH identification and reset', () => {
  it('GICH_VTR: 4 List registers, 5 priority and 5 preemption bits (5.3.3)', () => {
    const r = rig();
    const vtr = r.rd(H(r), R.GICH_VTR) >>> 0;
    expect(vtr & 0x3f).toBe(3);
    expect((vtr >>> 26) & 7).toBe(4);
    expect((vtr >>> 29) & 7).toBe(4);
  });

  it('GICV_IIDR is 0x0202143B; GICH_VMCR resets with VMBP=2, VMABP=3', () => {
    const r = rig();
    expect(r.rd(V(r), R.GICC_IIDR)).toBe(0x0202143b);
    expect(r.rd(H(r), R.GICH_VMCR)).toBe(0x004c0000);
    expect(r.rd(V(r), R.GICC_BPR)).toBe(2);
    expect(r.rd(V(r), R.GICC_ABPR)).toBe(3);
  });

  it('List registers beyond the 4 implemented are RAZ/WI; reserved LR bits [22:20] RAZ', () => {
    const r = rig();
    r.wr(H(r), R.GICH_LR0 + 16, 0xffffffff);
    expect(r.rd(H(r), R.GICH_LR0 + 16)).toBe(0);
    r.wr(H(r), R.GICH_LR0, 0xffffffff);
    expect(r.rd(H(r), R.GICH_LR0) >>> 0).toBe(0xff8fffff);
  });

  it('GICH_HCR keeps En, the interrupt enables and EOICount (5.3.2)', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, 0xffffffff);
    expect(r.rd(H(r), R.GICH_HCR) >>> 0).toBe(0xf80000ff);
  });

  it('GICH registers are word-only: other sizes RAZ/WI, logged', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, 1, 2);
    expect(r.rd(H(r), R.GICH_HCR)).toBe(0);
    expect(r.logs[0]).toMatch(/GICH\+0x0: 2-byte write/);
  });
});

describe('GICH_VMCR is the VM view of GICV_CTLR/PMR/BPR/ABPR (5.3.4)', () => {
  it('GICV writes show in GICH_VMCR fields', () => {
    const r = rig();
    r.wr(V(r), R.GICC_CTLR, 0x21f | 0xfffff000);
    r.wr(V(r), R.GICC_PMR, 0xa8);
    r.wr(V(r), R.GICC_BPR, 4);
    r.wr(V(r), R.GICC_ABPR, 6);
    const vmcr = r.rd(H(r), R.GICH_VMCR) >>> 0;
    expect(vmcr & 0x3ff).toBe(0x21f);
    expect(vmcr >>> 27).toBe(0xa8 >> 3);
    expect((vmcr >>> 21) & 7).toBe(4);
    expect((vmcr >>> 18) & 7).toBe(6);
  });

  it('GICH_VMCR writes show in the GICV registers', () => {
    const r = rig();
    r.wr(H(r), R.GICH_VMCR, (0x1f << 27) | (3 << 21) | (5 << 18) | (1 << 9) | 3);
    expect(r.rd(V(r), R.GICC_PMR)).toBe(0xf8);
    expect(r.rd(V(r), R.GICC_BPR)).toBe(3);
    expect(r.rd(V(r), R.GICC_ABPR)).toBe(5);
    expect(r.rd(V(r), R.GICC_CTLR)).toBe(0x203);
  });
});

describe('virtual interrupts from the List registers (5.1, 5.4)', () => {
  it('a pending LR raises VIRQ only with GICH_HCR.En=1, the group enabled and priority above PMR', () => {
    const r = rig();
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40, prio: 0xa0 }));
    expect(r.g.lines(0)).toBe(0);
    r.wr(H(r), R.GICH_HCR, R.HCR_EN);
    expect(r.g.lines(0)).toBe(0); // VM group 0 disabled
    r.wr(V(r), R.GICC_CTLR, 1);
    expect(r.g.lines(0)).toBe(0); // VM PMR 0
    r.wr(V(r), R.GICC_PMR, 0xa0);
    expect(r.g.lines(0)).toBe(0); // equal to PMR: masked
    r.wr(V(r), R.GICC_PMR, 0xa8);
    expect(r.g.lines(0)).toBe(R.LINE_VIRQ);
    expect(r.calls.at(-1)).toEqual([0, R.LINE_VIRQ]);
    r.wr(H(r), R.GICH_HCR, 0);
    expect(r.g.lines(0)).toBe(0);
  });

  it('a Group 0 LR is VFIQ when the VM sets FIQEn; Group 1 is VIRQ', () => {
    const r = rig();
    vmOn(r);
    r.wr(V(r), R.GICC_CTLR, 3 | R.GICC_CTLR_FIQEN);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    expect(r.g.lines(0)).toBe(R.LINE_VFIQ);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40, grp1: true }));
    expect(r.g.lines(0)).toBe(R.LINE_VIRQ);
  });

  it('GICV_IAR acknowledges the highest priority LR: pending -> active, GICH_APR and GICV_RPR', () => {
    const r = rig();
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40, prio: 0xa0 }));
    r.wr(H(r), R.GICH_LR0 + 4, lr({ vid: 41, prio: 0x90 }));
    expect(r.rd(V(r), R.GICC_HPPIR)).toBe(41);
    expect(r.rd(V(r), R.GICC_IAR)).toBe(41);
    expect((r.rd(H(r), R.GICH_LR0 + 4) >>> 28) & 3).toBe(2);
    expect(r.rd(H(r), R.GICH_APR)).toBe(1 << (0x90 >> 3));
    expect(r.rd(V(r), R.GICC_APR0)).toBe(1 << (0x90 >> 3));
    expect(r.rd(V(r), R.GICC_RPR)).toBe(0x90);
    expect(r.g.lines(0)).toBe(0); // 0xa0 does not preempt 0x90
    expect(r.rd(V(r), R.GICC_IAR)).toBe(1023);
  });

  it('GICV_IAR of a software SGI returns VirtualID | CPUID << 10', () => {
    const r = rig();
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 3, cpuid: 5 }));
    expect(r.rd(V(r), R.GICC_IAR)).toBe(3 | (5 << 10));
    // EOI with the same CPUID finds the LR.
    r.wr(V(r), R.GICC_EOIR, 3 | (5 << 10));
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(0);
    expect(r.rd(H(r), R.GICH_HCR) >>> 27).toBe(0);
  });

  it('GICV_EOIR with EOImode=0 drops priority and deactivates the LR (state -> invalid)', () => {
    const r = rig();
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    expect(r.rd(V(r), R.GICC_IAR)).toBe(40);
    r.wr(V(r), R.GICC_EOIR, 40);
    expect(r.rd(H(r), R.GICH_APR)).toBe(0);
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(0);
    expect(r.rd(H(r), R.GICH_ELRSR0)).toBe(0xf);
  });

  it('VMEOIMode=1: GICV_EOIR only drops priority; GICV_DIR deactivates', () => {
    const r = rig();
    vmOn(r);
    r.wr(V(r), R.GICC_CTLR, 1 | R.GICC_CTLR_EOIMODE);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    r.rd(V(r), R.GICC_IAR);
    r.wr(V(r), R.GICC_EOIR, 40);
    expect(r.rd(H(r), R.GICH_APR)).toBe(0);
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(2);
    r.wr(V(r), R.GICC_DIR, 40);
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(0);
  });

  it('VMEOIMode=0: GICV_DIR is ignored (UNPREDICTABLE)', () => {
    const r = rig();
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    r.rd(V(r), R.GICC_IAR);
    r.wr(V(r), R.GICC_DIR, 40);
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(2);
  });

  it('HW=1: deactivating the virtual interrupt deactivates PhysicalID in the Distributor (5.4.2)', () => {
    const r = rig();
    openCpu(r);
    r.wr(r.g.cpuInterface, R.GICC_CTLR, 3 | R.GICC_CTLR_EOIMODE);
    enable(r, 27); // the virtual timer PPI
    r.g.setLevel(27, true);
    // The hypervisor takes the physical interrupt, drops priority, forwards it with HW=1.
    expect(r.rd(r.g.cpuInterface, R.GICC_IAR)).toBe(27);
    r.wr(r.g.cpuInterface, R.GICC_EOIR, 27);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER)).toBe(1 << 27);
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 27, hw: true, pid: 27 }));
    expect(r.g.lines(0)).toBe(R.LINE_VIRQ);
    expect(r.rd(V(r), R.GICC_IAR)).toBe(27);
    r.g.setLevel(27, false); // the guest handler quiets the timer
    r.wr(V(r), R.GICC_EOIR, 27);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER)).toBe(0);
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(0);
    expect(r.g.lines(0)).toBe(0);
  });

  it('HW=1 with the physical input still asserted: after deactivation the physical IRQ is signalled again', () => {
    const r = rig();
    openCpu(r);
    r.wr(r.g.cpuInterface, R.GICC_CTLR, 3 | R.GICC_CTLR_EOIMODE);
    enable(r, 27);
    r.g.setLevel(27, true);
    r.rd(r.g.cpuInterface, R.GICC_IAR);
    r.wr(r.g.cpuInterface, R.GICC_EOIR, 27);
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 27, hw: true, pid: 27 }));
    r.rd(V(r), R.GICC_IAR);
    r.wr(V(r), R.GICC_EOIR, 27);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
  });

  it('an EOI that finds no List register increments GICH_HCR.EOICount (5.3.2)', () => {
    const r = rig();
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    r.rd(V(r), R.GICC_IAR);
    // The hypervisor evicts the active LR (e.g. to make room) before the VM EOIs it.
    r.wr(H(r), R.GICH_LR0, 0);
    r.wr(V(r), R.GICC_EOIR, 40);
    expect(r.rd(H(r), R.GICH_HCR) >>> 27).toBe(1);
    expect(r.rd(H(r), R.GICH_APR)).toBe(0);
  });

  it('an EOI that clears no GICH_APR bit does not increment EOICount (5.3.2)', () => {
    const r = rig();
    vmOn(r);
    r.wr(V(r), R.GICC_EOIR, 40); // nothing active, no priority to drop
    expect(r.rd(H(r), R.GICH_HCR) >>> 27).toBe(0);
  });

  it('VMEOIMode=1: a GICV_DIR that finds no List register increments EOICount', () => {
    const r = rig();
    vmOn(r);
    r.wr(V(r), R.GICC_CTLR, 1 | R.GICC_CTLR_EOIMODE);
    r.wr(V(r), R.GICC_DIR, 40);
    expect(r.rd(H(r), R.GICH_HCR) >>> 27).toBe(1);
  });

  it('GICV_AIAR acknowledges only Group 1; GICV_IAR with AckCtl=0 gives 1022 for Group 1', () => {
    const r = rig();
    vmOn(r);
    r.wr(V(r), R.GICC_CTLR, 3);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 50, grp1: true }));
    expect(r.rd(V(r), R.GICC_HPPIR)).toBe(1022);
    expect(r.rd(V(r), R.GICC_IAR)).toBe(1022);
    expect(r.rd(V(r), R.GICC_AHPPIR)).toBe(50);
    expect(r.rd(V(r), R.GICC_AIAR)).toBe(50);
    r.wr(V(r), R.GICC_AEOIR, 50);
    expect((r.rd(H(r), R.GICH_LR0) >>> 28) & 3).toBe(0);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 51 }));
    expect(r.rd(V(r), R.GICC_AIAR)).toBe(1023);
  });

  it('GICV accesses act on the CPU interface of currentCpu (GICH banked too)', () => {
    const r = rig({ cpus: 2 });
    r.g.currentCpu = 1;
    vmOn(r);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    expect(r.g.lines(1)).toBe(R.LINE_VIRQ);
    expect(r.g.lines(0)).toBe(0);
    r.g.currentCpu = 0;
    expect(r.rd(H(r), R.GICH_LR0)).toBe(0);
    expect(r.rd(V(r), R.GICC_IAR)).toBe(1023);
  });
});

describe('maintenance interrupt (5.3.5, GICH_MISR; PPI 25)', () => {
  function maintPending(r: Rig): boolean {
    return ((r.rd(r.g.distributor, R.GICD_ISPENDR) >>> R.INTID_MAINTENANCE) & 1) === 1;
  }

  it('EOI: an LR with HW=0, EOI=1 deactivated by the VM sets GICH_EISR and MISR.EOI, asserting PPI 25', () => {
    const r = rig();
    vmOn(r);
    r.wr(H(r), R.GICH_LR0 + 8, lr({ vid: 40, eoi: true }));
    expect(r.rd(H(r), R.GICH_EISR0)).toBe(0);
    expect(r.rd(H(r), R.GICH_ELRSR0)).toBe(0b1011);
    r.rd(V(r), R.GICC_IAR);
    r.wr(V(r), R.GICC_EOIR, 40);
    expect(r.rd(H(r), R.GICH_EISR0)).toBe(0b100);
    expect(r.rd(H(r), R.GICH_ELRSR0)).toBe(0b1011); // still not empty: EOI maintenance due
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_EOI);
    expect(maintPending(r)).toBe(true);
    // The hypervisor clears the LR: EISR, MISR and the maintenance interrupt go away.
    r.wr(H(r), R.GICH_LR0 + 8, 0);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(0);
    expect(r.rd(H(r), R.GICH_ELRSR0)).toBe(0xf);
    expect(maintPending(r)).toBe(false);
  });

  it('the maintenance interrupt reaches the hypervisor as an IRQ when enabled', () => {
    const r = rig();
    openCpu(r);
    enable(r, R.INTID_MAINTENANCE);
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_UIE);
    expect(r.g.lines(0) & R.LINE_IRQ).toBe(R.LINE_IRQ);
    expect(r.rd(r.g.cpuInterface, R.GICC_IAR)).toBe(25);
  });

  it('U: UIE=1 and at most one valid LR', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_UIE);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_U);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40 }));
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_U);
    r.wr(H(r), R.GICH_LR0 + 4, lr({ vid: 41, state: 2 }));
    expect(r.rd(H(r), R.GICH_MISR)).toBe(0);
    expect(maintPending(r)).toBe(false);
  });

  it('MISR needs GICH_HCR.En=1 to assert the maintenance interrupt', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, R.HCR_UIE);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_U);
    expect(maintPending(r)).toBe(false);
    r.wr(H(r), R.GICH_HCR, R.HCR_UIE | R.HCR_EN);
    expect(maintPending(r)).toBe(true);
  });

  it('NP: NPIE=1 and no LR in the pending state', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_NPIE);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40, state: 2 }));
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_NP);
    r.wr(H(r), R.GICH_LR0 + 4, lr({ vid: 41, state: 1 }));
    expect(r.rd(H(r), R.GICH_MISR)).toBe(0);
  });

  it('NP: an LR in the active and pending state (0b11) counts as pending (choice, see README)', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_NPIE);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40, state: 3 }));
    expect(r.rd(H(r), R.GICH_MISR)).toBe(0);
  });

  it('LRENP: LRENPIE=1 and EOICount non-zero', () => {
    const r = rig();
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_LRENPIE);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(0);
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_LRENPIE | (1 << 27));
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_LRENP);
  });

  it('VGrp0E/VGrp0D/VGrp1E/VGrp1D follow the VM group enables', () => {
    const r = rig();
    const all = R.HCR_VGRP0EIE | R.HCR_VGRP0DIE | R.HCR_VGRP1EIE | R.HCR_VGRP1DIE;
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | all);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_VGRP0D | R.MISR_VGRP1D);
    r.wr(V(r), R.GICC_CTLR, 1);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_VGRP0E | R.MISR_VGRP1D);
    r.wr(V(r), R.GICC_CTLR, 2);
    expect(r.rd(H(r), R.GICH_MISR)).toBe(R.MISR_VGRP0D | R.MISR_VGRP1E);
  });

  it('onLines follows the maintenance interrupt on and off', () => {
    const r = rig();
    openCpu(r);
    enable(r, R.INTID_MAINTENANCE);
    r.wr(H(r), R.GICH_HCR, R.HCR_EN | R.HCR_NPIE);
    r.wr(H(r), R.GICH_LR0, lr({ vid: 40, prio: 0xf0 })); // pending: NP clears
    expect(r.calls).toEqual([
      [0, R.LINE_IRQ],
      [0, 0],
    ]);
  });
});
