// kut: the PMU overflow interrupt of a VM (found by kvm-unit-tests' arm/pmu.c
// pmu-overflow-interrupt under --hyp: three FAILs, the interrupt never reached the guest).
// PMUv3's overflow interrupt request (ARM ARM, PMUv3 "Generating overflow interrupt requests")
// is a level: asserted while an enabled counter's PMOVSSET_EL0 and PMINTENSET_EL1 bits are set;
// on the virt board it is PPI 23. Under the hypervisor it must reach the VM as the timers'
// PPIs do: a hardware-mapped virtual interrupt through a GICH list register.
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X } from './hyp-helpers.js';

/** Counter 0 counts SW_INCR from 0xffffffff with its overflow interrupt enabled; one PMSWINC overflows it. */
const guest = `
  adr x1, vectors
  msr vbar_el1, x1
  isb
  movz x9, #0x0800, lsl #16
  movz x10, #0x0801, lsl #16
  mov w1, #1
  str w1, [x9]                  // GICD_CTLR.EnableGrp0
  mov w1, #0x800000
  str w1, [x9, #0x100]          // GICD_ISENABLER0: INTID 23 (PMU)
  mov w1, #1
  str w1, [x10]                 // GICC_CTLR (the guest's: GICV_CTLR)
  mov w1, #0xff
  str w1, [x10, #4]             // GICC_PMR
  msr pmevtyper0_el0, xzr       // event 0x00: SW_INCR
  mov x0, #0xffffffff
  msr pmevcntr0_el0, x0
  mov x0, #1
  msr pmintenset_el1, x0
  msr pmcntenset_el0, x0
  msr pmcr_el0, x0              // PMCR_EL0.E
  isb
  msr daifclr, #2
  msr pmswinc_el0, x0           // counter 0 wraps: PMOVSSET_EL0[0], the interrupt line rises
  isb
wait:
  cmp x20, #1
  b.ge done
  wfi
  b wait
done:
  mrs x23, pmovsclr_el0
  ${OFF}
  .balign 0x800
vectors:
  .space 0x280
  ldr w2, [x10, #0xc]           // GICC_IAR
  and w21, w2, #0x3ff
  mrs x22, pmovsclr_el0
  msr pmovsclr_el0, x22         // clear the overflow: the line drops
  isb
  add x20, x20, #1
  str w2, [x10, #0x10]          // GICC_EOIR (HW=1: deactivates the physical PPI too)
  eret`;

describe('a VM takes its PMU overflow interrupt (PPI 23) through the vGIC', () => {
  it('one overflow is one virtual PPI 23 at EL1, forwarded as a hardware interrupt', async () => {
    const r = await runVms([guest], {}, 200_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    expect(X(r, 20)).toBe(1n); // exactly one interrupt taken
    expect(X(r, 21)).toBe(23n); // INTID read from GICV_IAR
    expect(X(r, 22)).toBe(1n); // the handler saw PMOVSSET_EL0[0]
    expect(X(r, 23)).toBe(0n); // cleared, and not raised again
    expect(r.vm.stats.get('irq pmu')).toBe(1);
    expect(r.vm.vgic!.injected).toBe(1);
  });
});
