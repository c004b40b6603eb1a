// The Generic Timer (ARM ARM D11; src/cpu/timer.ts): counter views, CVAL/TVAL, ISTATUS and
// IMASK, the output line and WFI skipping to the next timer event, and the EL0/EL2 access traps.
import { describe, it, expect } from 'vitest';
import { X } from '../helpers.js';
import { runVec } from './vec-helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Machine } from '../../src/machine.js';
import { CYCLES_PER_TICK, TIMER_VIRT } from '../../src/cpu/timer.js';

/** Wire the timer outputs straight to the CPU's IRQ line (the board puts a GIC in between). */
function directIrq(m: Machine): void {
  m.cpu.timer.onOutput = () => m.cpu.setInterruptLines(m.cpu.timer.level.some((l) => l) ? 1 : 0);
}
const count = (m: Machine): bigint => BigInt(Math.floor(m.cpu.cycles / CYCLES_PER_TICK));

describe('counter views', () => {
  it('CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2, modulo 2^64 (D11.2.2)', async () => {
    const m = await runVec('mrs x0, cntpct_el0\nmrs x1, cntvct_el0\nhlt #1', {
      setup: (mm) => {
        mm.cpu.cycles = 16 * 1000;
        mm.cpu.setSys(SYS.CNTVOFF_EL2, 1001, 0); // more than the count: the virtual count wraps
      },
    });
    expect(X(m.cpu, 0)).toBe(1000n);
    expect(X(m.cpu, 1)).toBe(0xffff_ffff_ffff_ffffn);
  });
  it('CNTFRQ_EL0 reads 62.5 MHz; the count advances one tick per 16 modelled cycles', async () => {
    const m = await runVec('mrs x0, cntfrq_el0\nmrs x1, cntpct_el0\nhlt #1', { setup: (mm) => (mm.cpu.cycles = 16 * 77 + 10) });
    expect(X(m.cpu, 0)).toBe(62_500_000n);
    expect(X(m.cpu, 1)).toBe(77n);
  });
});

describe('CompareValue and TimerValue views (D11.2.4)', () => {
  it('a TVAL write sets CVAL = count + SignExtend(TVAL); a TVAL read is (CVAL - count)[31:0] sign-extended', async () => {
    const m = await runVec(
      'mov x0, #-5\nmsr cntv_tval_el0, x0\nmrs x1, cntv_cval_el0\nmrs x2, cntvct_el0\nmrs x3, cntv_tval_el0\nhlt #1',
      { setup: (mm) => (mm.cpu.cycles = 16 * 100) },
    );
    expect(X(m.cpu, 1)).toBe(95n); // 100 - 5: no block boundary between the reads, time stands still
    expect(X(m.cpu, 2)).toBe(100n);
    expect(X(m.cpu, 3)).toBe(0xffff_ffff_ffff_fffbn); // -5
  });
  it('CTL.ISTATUS reads 1 while enabled and count >= CVAL, and is read-only', async () => {
    const m = await runVec(
      'mov x0, #50\nmsr cntv_cval_el0, x0\nmov x0, #5\nmsr cntv_ctl_el0, x0\nmrs x1, cntv_ctl_el0\n' + // ISTATUS written: ignored
        'mov x0, #200\nmsr cntv_cval_el0, x0\nmrs x2, cntv_ctl_el0\nmsr cntv_ctl_el0, xzr\nmrs x3, cntv_ctl_el0\nhlt #1',
      { setup: (mm) => (mm.cpu.cycles = 16 * 100) },
    );
    expect(X(m.cpu, 1)).toBe(5n); // ENABLE | ISTATUS
    expect(X(m.cpu, 2)).toBe(1n); // CVAL in the future
    expect(X(m.cpu, 3)).toBe(0n); // disabled: ISTATUS reads 0
  });
  it('the output is asserted only while ENABLE=1, IMASK=0 and the condition holds', async () => {
    const m = await runVec('mov x0, #3\nmsr cntv_ctl_el0, x0\nhlt #1', { setup: (mm) => directIrq(mm) }); // CVAL 0: met, masked
    expect(m.cpu.timer.level[TIMER_VIRT]).toBe(false);
    expect(m.cpu.irqLine).toBe(0);
    const m2 = await runVec('mov x0, #1\nmsr cntv_ctl_el0, x0\nnop\nhlt #1', { setup: (mm) => directIrq(mm) });
    expect(m2.cpu.timer.level[TIMER_VIRT]).toBe(true);
    expect(m2.cpu.irqLine).not.toBe(0);
  });
  it('a CVAL beyond 2^52 ticks never fires (no deadline), but compares unsigned', async () => {
    const m = await runVec('mov x0, #1\nlsl x0, x0, #63\nmsr cntv_cval_el0, x0\nmov x0, #1\nmsr cntv_ctl_el0, x0\nmrs x1, cntv_ctl_el0\nhlt #1');
    expect(X(m.cpu, 1)).toBe(1n);
    expect(m.cpu.timerDeadline).toBe(Infinity);
  });
});

describe('timer interrupts', () => {
  // Arm the virtual timer 1000 ticks ahead, unmask IRQs and wait: WFI skips modelled time to the
  // deadline, the output rises, the IRQ is taken at the current-EL SPx vector (0x280).
  const WAIT =
    'mov x0, #1000\nmsr cntv_tval_el0, x0\nmov x0, #1\nmsr cntv_ctl_el0, x0\nmsr daifclr, #2\nwait: wfi\nb wait\n';
  it('WFI sleeps until the timer fires; the IRQ is taken with count >= CVAL and the idle time counted', async () => {
    const m = await runVec(WAIT, { setup: (mm) => directIrq(mm) });
    expect(m.cpu.haltReason).toBe('vector 0x280');
    const cval = m.cpu.sys64(SYS.CNTV_CVAL_EL0);
    expect(count(m)).toBeGreaterThanOrEqual(cval);
    expect(m.cpu.idleCycles).toBeGreaterThan(15_000); // most of the 1000 ticks were spent asleep
    expect(m.cpu.timer.readCtl(TIMER_VIRT)).toBe(5); // ENABLE | ISTATUS
  });
  it('without WFI the interrupt arrives at the first block boundary after the deadline', async () => {
    const m = await runVec('mov x0, #10\nmsr cntv_tval_el0, x0\nmov x0, #1\nmsr cntv_ctl_el0, x0\nmsr daifclr, #2\nspin: add x1, x1, #1\nb spin\n', {
      setup: (mm) => directIrq(mm),
    });
    expect(m.cpu.haltReason).toBe('vector 0x280');
    expect(m.cpu.idleCycles).toBe(0);
    expect(X(m.cpu, 1)).toBeGreaterThan(10n); // the loop ran until then
  });
  it('a deterministic run: the same program gives the same cycles and instructions', async () => {
    const a = await runVec(WAIT, { setup: (mm) => directIrq(mm) });
    const b = await runVec(WAIT, { setup: (mm) => directIrq(mm) });
    expect([a.cpu.cycles, a.cpu.instret]).toEqual([b.cpu.cycles, b.cpu.instret]);
  });
  it('WFI with no timer armed and no interrupt pending stops the machine with a clear reason', async () => {
    const m = await runVec('wfi\nhlt #1');
    expect(m.cpu.haltReason).toBe('WFI with no interrupt source');
  });
});

describe('access controls', () => {
  it('EL0: CNTKCTL_EL1.EL0VTEN=0 traps CNTV_CTL_EL0 to EL1 (EC 0x18); EL0VCTEN gates CNTVCT and CNTFRQ', async () => {
    const m = await runVec('mrs x0, cntv_ctl_el0\nhlt #1', { el: 0 });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    expect(Number(m.cpu.sys64(SYS.ESR_EL1) >> 26n)).toBe(0x18);
    const m2 = await runVec('mrs x0, cntfrq_el0\nmrs x1, cntvct_el0\nhlt #1', {
      el: 0,
      setup: (mm) => mm.cpu.setSys(SYS.CNTKCTL_EL1, 2, 0), // EL0VCTEN
    });
    expect(m2.cpu.haltReason).toBe('done');
    expect(X(m2.cpu, 0)).toBe(62_500_000n);
  });
  it('EL0 cannot write CNTFRQ_EL0: MSR is UNDEFINED (EC 0x00) even where EL0 may read it; EL1 writes it', async () => {
    const m = await runVec('mov x0, #1000\nmsr cntfrq_el0, x0\nhlt #1', { el: 0, setup: (mm) => mm.cpu.setSys(SYS.CNTKCTL_EL1, 3, 0) });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
    expect(m.cpu.sys64(SYS.CNTFRQ_EL0)).toBe(62_500_000n);
    const m1 = await runVec('mov x0, #1000\nmsr cntfrq_el0, x0\nmrs x1, cntfrq_el0\nhlt #1');
    expect(X(m1.cpu, 1)).toBe(1000n);
  });
  it('CNTHCTL_EL2.EL1PCEN=0 traps EL1 physical timer accesses to EL2; the virtual timer is not trapped', async () => {
    const trapped = await runVec('mrs x0, cntv_ctl_el0\nmrs x0, cntp_ctl_el0\nhlt #1', {
      setup: (mm) => mm.cpu.setSys(SYS.CNTHCTL_EL2, 1, 0), // EL1PCTEN=1, EL1PCEN=0
    });
    expect(trapped.cpu.haltReason).toBe('EL2 EC 0x18');
    expect(trapped.cpu.sys64(SYS.ELR_EL2)).toBe(0x4000_0004n);
  });
  it('CNTHCTL_EL2.EL1PCTEN=0 traps CNTPCT_EL0 to EL2, not CNTVCT_EL0', async () => {
    const m = await runVec('mrs x0, cntvct_el0\nmrs x1, cntpct_el0\nhlt #1', { setup: (mm) => mm.cpu.setSys(SYS.CNTHCTL_EL2, 2, 0) });
    expect(m.cpu.haltReason).toBe('EL2 EC 0x18');
    expect(m.cpu.sys64(SYS.ELR_EL2)).toBe(0x4000_0004n);
  });
  it('the EL2 timer (CNTHP_*) is not accessible from EL1: UNDEFINED', async () => {
    const m = await runVec('mrs x0, cnthp_ctl_el2\nhlt #1');
    expect(m.cpu.haltReason).toBe('vector 0x200');
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
  });
});

// Cpu.scheduleDeviceEvent: a board device's deadline (the PL031's match) seen by the run loop and
// by WFI through timerDeadline, with the Generic Timer's own deadline kept apart.
describe('device events at a cycle count', () => {
  it('fire at the first block boundary with cycles >= at, once; the Generic Timer deadline is unchanged', async () => {
    const fired: number[] = [];
    const m = await runVec('loop:\nadd x1, x1, #1\ncmp x1, #2000\nb.ne loop\nhlt #1', {
      setup: (mm: Machine) => mm.cpu.scheduleDeviceEvent('t', 500, () => fired.push(mm.cpu.cycles)),
    });
    expect(X(m.cpu, 1)).toBe(2000n);
    expect(fired.length).toBe(1);
    expect(fired[0]).toBeGreaterThanOrEqual(500);
    expect(fired[0]).toBeLessThan(520); // a loop iteration is a few cycles
    expect(m.cpu.timerDeadline).toBe(Infinity);
  });
  it('WFI sleeps until the earliest event; Infinity cancels; an event may schedule itself again', async () => {
    const fired: number[] = [];
    const m = await runVec('wfi\nwfi\nhlt #1', {
      setup: (mm: Machine) => {
        const cpu = mm.cpu;
        cpu.scheduleDeviceEvent('gone', 1000, () => fired.push(-1));
        cpu.scheduleDeviceEvent('gone', Infinity, () => fired.push(-1));
        cpu.scheduleDeviceEvent('a', 50_000, () => {
          fired.push(cpu.cycles);
          if (fired.length === 1) cpu.scheduleDeviceEvent('a', 90_000, () => fired.push(cpu.cycles));
        });
      },
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(fired.length).toBe(2);
    // Each WFI skipped modelled time to the event; it ran at the next block boundary.
    expect(fired[0] - 50_000).toBeGreaterThanOrEqual(0);
    expect(fired[0] - 50_000).toBeLessThan(10);
    expect(fired[1] - 90_000).toBeGreaterThanOrEqual(0);
    expect(fired[1] - 90_000).toBeLessThan(10);
    expect(m.cpu.idleCycles).toBeGreaterThan(89_000);
  });
});
