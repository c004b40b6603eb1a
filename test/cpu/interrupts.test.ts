// Asynchronous exception routing and masking (ARM ARM D1.3.6, AArch64.TakePhysicalIRQException,
// AArch64.TakeVirtualIRQException): HCR_EL2.IMO/FMO/AMO send physical interrupts to EL2 and
// enable the virtual ones (HCR_EL2.VI/VF/VSE or the GIC's virtual CPU interface) at EL1.
import { describe, it, expect } from 'vitest';
import { X } from '../helpers.js';
import { runVec } from './vec-helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { LINE_FIQ, LINE_IRQ, LINE_VIRQ, type Cpu } from '../../src/cpu/cpu.js';

const HCR_FMO = 1 << 3;
const HCR_IMO = 1 << 4;
const HCR_AMO = 1 << 5;
const HCR_VF = 1 << 6;
const HCR_VI = 1 << 7;
const HCR_VSE = 1 << 8;
const hcr = (c: Cpu, v: number): void => {
  c.setSys(SYS.HCR_EL2, v, 0);
  c.interruptsChanged();
};

describe('physical interrupts', () => {
  it('IMO=0: an IRQ goes to EL1 and waits for PSTATE.I to clear', async () => {
    const m = await runVec('add x1, x1, #1\nmsr daifclr, #2\nadd x1, x1, #1\nhlt #1', { setup: (mm) => mm.cpu.setInterruptLines(LINE_IRQ) });
    expect(m.cpu.haltReason).toBe('vector 0x280');
    expect(X(m.cpu, 1)).toBe(1n); // taken right after the DAIFClr, before the second add
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_0008n);
  });
  it('FIQ is taken before IRQ when both are pending and unmasked', async () => {
    const m = await runVec('msr daifclr, #3\nhlt #1', { setup: (mm) => mm.cpu.setInterruptLines(LINE_IRQ | LINE_FIQ) });
    expect(m.cpu.haltReason).toBe('vector 0x300');
  });
  it('IMO=1: an IRQ at EL1 goes to EL2 even with PSTATE.I set; SPSR_EL2/ELR_EL2 hold the interrupted context', async () => {
    const seen: { fiq: boolean; elr: bigint; spsr: bigint }[] = [];
    const m = await runVec('add x1, x1, #1\nadd x1, x1, #1\nhlt #1', {
      setup: (mm) => {
        hcr(mm.cpu, HCR_IMO);
        mm.cpu.setInterruptLines(LINE_IRQ);
      },
      fw: {
        el2Interrupt: (c, fiq) => {
          seen.push({ fiq, elr: c.sys64(SYS.ELR_EL2), spsr: c.sys64(SYS.SPSR_EL2) });
          c.setInterruptLines(0); // the hypervisor acknowledged its GIC
        },
      },
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(seen).toEqual([{ fiq: false, elr: 0x4000_0000n, spsr: 0x3c5n }]); // EL1h, DAIF all set
    expect(X(m.cpu, 1)).toBe(2n); // the ERET resumed where it left off
  });
  it('FMO=1 routes FIQ to EL2 and leaves IRQ (IMO=0) at EL1', async () => {
    const seen: boolean[] = [];
    const m = await runVec('msr daifclr, #3\nnop\nhlt #1', {
      setup: (mm) => {
        hcr(mm.cpu, HCR_FMO);
        mm.cpu.setInterruptLines(LINE_IRQ | LINE_FIQ);
      },
      fw: { el2Interrupt: (c, fiq) => (seen.push(fiq), c.setInterruptLines(LINE_IRQ)) },
    });
    expect(seen).toEqual([true]);
    expect(m.cpu.haltReason).toBe('vector 0x280');
  });
  it('an IRQ routed to EL2 with no hypervisor stops the machine with the reason', async () => {
    const m = await runVec('nop\nhlt #1', {
      setup: (mm) => {
        hcr(mm.cpu, HCR_IMO);
        mm.cpu.setInterruptLines(LINE_IRQ);
      },
    });
    expect(m.cpu.haltReason).toMatch(/physical IRQ routed to EL2 \(HCR_EL2.IMO\) with no hypervisor/);
  });
});

describe('virtual interrupts', () => {
  it('HCR_EL2.VI with IMO=1 is a virtual IRQ taken at EL1 once PSTATE.I clears', async () => {
    const m = await runVec('add x1, x1, #1\nmsr daifclr, #2\nadd x1, x1, #1\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_IMO | HCR_VI) });
    expect(m.cpu.haltReason).toBe('vector 0x280');
    expect(X(m.cpu, 1)).toBe(1n);
  });
  it('HCR_EL2.VI without IMO is not signalled', async () => {
    const m = await runVec('msr daifclr, #2\nnop\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_VI) });
    expect(m.cpu.haltReason).toBe('done');
  });
  it("the GIC's virtual IRQ line acts like VI (IMO=1), and is ignored with IMO=0", async () => {
    const on = await runVec('msr daifclr, #2\nnop\nhlt #1', {
      setup: (mm) => {
        hcr(mm.cpu, HCR_IMO);
        mm.cpu.setInterruptLines(LINE_VIRQ);
      },
    });
    expect(on.cpu.haltReason).toBe('vector 0x280');
    const off = await runVec('msr daifclr, #2\nnop\nhlt #1', { setup: (mm) => mm.cpu.setInterruptLines(LINE_VIRQ) });
    expect(off.cpu.haltReason).toBe('done');
  });
  it('HCR_EL2.VF with FMO=1 is a virtual FIQ at EL1 (vector +0x100)', async () => {
    const m = await runVec('msr daifclr, #1\nnop\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_FMO | HCR_VF) });
    expect(m.cpu.haltReason).toBe('vector 0x300');
  });
  it('HCR_EL2.VSE with AMO=1: a virtual SError at EL1, ESR_EL1.EC 0x2F, and VSE is cleared', async () => {
    const m = await runVec('msr daifclr, #4\nnop\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_AMO | HCR_VSE) });
    expect(m.cpu.haltReason).toBe('vector 0x380');
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe((0x2fn << 26n) | (1n << 25n));
    expect(m.cpu.sysLo(SYS.HCR_EL2) & HCR_VSE).toBe(0);
  });
  it('ISR_EL1 shows the virtual I bit when IMO=1, the physical one otherwise', async () => {
    const v = await runVec('mrs x0, isr_el1\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_IMO | HCR_VI) });
    expect(X(v.cpu, 0)).toBe(0x80n);
    const p = await runVec('mrs x0, isr_el1\nhlt #1', { setup: (mm) => mm.cpu.setInterruptLines(LINE_IRQ) });
    expect(X(p.cpu, 0)).toBe(0x80n);
    const hidden = await runVec('mrs x0, isr_el1\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_VI) });
    expect(X(hidden.cpu, 0)).toBe(0n);
  });
  it('a masked virtual IRQ still wakes WFI (D1.6.2), which then completes', async () => {
    const m = await runVec('wfi\nadd x1, x1, #1\nhlt #1', { setup: (mm) => hcr(mm.cpu, HCR_IMO | HCR_VI) });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe(1n);
  });
});
