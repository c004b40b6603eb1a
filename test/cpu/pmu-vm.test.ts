// The VM's PMU (src/hyp/vpmu.ts): a VM under the hypervisor programs the PMU directly (no exits:
// MDCR_EL2.TPM/TPMCR stay 0, the state is switched with the vCPU) and takes the overflow
// interrupt as its virtual PPI 23 through the vGIC (physical PPI 23 hardware-mapped, GICH_LR.HW=1),
// as the board's PMU interrupt (ARM ARM D11.9: request = PMOVSSET & PMINTENSET & PMCR_EL0.E).
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X } from '../hyp/hyp-helpers.js';
import { vmDtb } from '../../src/hyp/vm-dt.js';
import { Hypervisor } from '../../src/hyp/hypervisor.js';

/** GICD (trapped) in x9, GICC (= GICV) in x10; enable PPI 23 and the CPU interface. */
const GIC_INIT = `
  movz x9, #0x0800, lsl #16
  movz x10, #0x0801, lsl #16
  mov w1, #1
  str w1, [x9]                  // GICD_CTLR.EnableGrp0
  movz w1, #0x80, lsl #16
  str w1, [x9, #0x100]          // GICD_ISENABLER0: INTID 23 (PMU)
  mov w1, #1
  str w1, [x10]                 // GICC_CTLR (GICV_CTLR)
  mov w1, #0xff
  str w1, [x10, #4]             // GICC_PMR`;

/**
 * Counter 0 counts INST_RETIRED from 2^32 - ${'`'}left${'`'}, with its overflow interrupt enabled; the
 * handler records the INTID (x21) and PMOVSCLR (x22), clears the overflow (the line drops) and
 * completes the interrupt; `n` overflows are taken (the counter is re-armed each time).
 */
function overflowGuest(n: number, left: number, vmMark = 0): string {
  return `
  adr x1, vectors
  msr vbar_el1, x1
  isb
  ${GIC_INIT}
  mov x19, #${vmMark}
  mov x1, #8                    // INST_RETIRED
  msr pmevtyper0_el0, x1
  mov x1, #-${left}
  msr pmevcntr0_el0, x1
  mov x1, #1
  msr pmintenset_el1, x1        // counter 0's overflow interrupt
  msr pmcntenset_el0, x1
  msr daifclr, #2
  msr pmcr_el0, x1              // E: counting starts
wait:
  add x23, x23, #1              // instructions until the interrupt is taken
  cmp x20, #${n}
  b.lt wait
  mrs x24, pmcr_el0
  ${OFF}
  .balign 0x800
vectors:
  .space 0x280
  ldr w2, [x10, #0xc]           // GICC_IAR (GICV: no exit)
  and w21, w2, #0x3ff
  mrs x22, pmovsclr_el0
  msr pmovsclr_el0, x22         // clear the overflow: the request (the physical PPI 23) drops
  mov x1, #-${left}
  msr pmevcntr0_el0, x1         // re-arm
  add x20, x20, #1
  str w2, [x10, #0x10]          // GICC_EOIR: drop and deactivate (HW=1: the physical one too)
  eret`;
}

describe('a VM takes its PMU overflow interrupt through the vGIC', () => {
  it('virtual PPI 23, PMOVSCLR bit 0, one physical IRQ exit per overflow, no exit for any PMU register', async () => {
    const r = await runVms([overflowGuest(3, 200)], {}, 200_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    expect(X(r, 20)).toBe(3n);
    expect(X(r, 21)).toBe(23n);
    expect(X(r, 22)).toBe(1n);
    // PMCR_EL0 as the guest reads it: N = HPMN = 6 (MDCR_EL2 left at reset), E set.
    expect(Number(X(r, 24)) >>> 0).toBe(0x41013041);
    const s = r.vm.stats;
    expect(s.get('irq pmu')).toBe(3);
    expect(r.vm.vgic!.injected).toBe(3);
    expect(s.sum('sysreg')).toBe(0); // MDCR_EL2.TPM/TPMCR = 0: the PMU registers never trap
    // 200 instructions from arming to each overflow: the wait loop is 3 instructions and the
    // handler runs 3 after re-arming, so about (200 - 3) / 3 = 65 iterations per interrupt; the
    // interrupt is taken a few instructions after the wrap (src/cpu/pmu/README.md), not a slice later.
    expect(Number(X(r, 23))).toBeGreaterThanOrEqual(3 * 60);
    expect(Number(X(r, 23))).toBeLessThanOrEqual(3 * 67);
  });

  it('two time-sliced VMs: each takes only its own overflows (the line follows the running VM)', async () => {
    // VM 0 overflows every 300 instructions, 4 times; VM 1 enables the interrupt too but its
    // counter never reaches the wrap (2^31 left): it must take none.
    const quiet = overflowGuest(1, 300).replace('mov x1, #-300\n  msr pmevcntr0_el0, x1\n  mov x1, #1\n  msr pmintenset_el1', 'mov x1, #0\n  msr pmevcntr0_el0, x1\n  mov x1, #1\n  msr pmintenset_el1').replace('cmp x20, #1', 'cmp x23, #3000');
    expect(quiet).not.toEqual(overflowGuest(1, 300));
    const r = await runVms([overflowGuest(4, 300), quiet], { slice: 250 }, 400_000);
    expect(r.hv.vms.map((v) => v.stop?.message)).toEqual(['PSCI SYSTEM_OFF', 'PSCI SYSTEM_OFF']);
    expect(r.hv.switches).toBeGreaterThan(4);
    expect(r.hv.vms[0].stats.get('irq pmu')).toBe(4);
    expect(r.hv.vms[1].stats.get('irq pmu')).toBe(0);
    expect(r.hv.vms[1].vgic!.injected).toBe(0);
  });

  it("the VM's device tree has the PMU node: arm,armv8-pmuv3, PPI 23 (GIC_PPI 7, level high)", () => {
    const hv = new Hypervisor({ vms: [{ ramSize: 32 << 20 }] });
    const dtb = Buffer.from(vmDtb(hv.vms[0]));
    // The node name, its compatible string and interrupts = <1 7 0x104> (PPI, 23 - 16, CPU0 | level high).
    expect(dtb.includes(Buffer.from('pmu\0'))).toBe(true);
    expect(dtb.includes(Buffer.from('arm,armv8-pmuv3\0'))).toBe(true);
    const cells = Buffer.alloc(12);
    cells.writeUInt32BE(1, 0);
    cells.writeUInt32BE(7, 4);
    cells.writeUInt32BE(0x104, 8);
    expect(dtb.includes(cells)).toBe(true);
  });
});
