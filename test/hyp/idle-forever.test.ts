// Every VM waiting in WFI with nothing that could ever wake it (no timer, no interrupt, no host
// input): the hypervisor stops them as the board stops such a PE ("WFI with no interrupt source"),
// instead of handing the PE from one sleeper to the other until the instruction budget runs out.
import { describe, it, expect } from 'vitest';
import { runVms } from './hyp-helpers.js';

const SLEEP_FOREVER = 'msr daifset, #0xf\nl: wfi\nb l';

describe('VMs idle forever', () => {
  it('two VMs in WFI with no timer stop with an error at once, not at the budget', async () => {
    const r = await runVms([SLEEP_FOREVER, SLEEP_FOREVER], {}, 50_000_000);
    for (const v of r.hv.vms) expect(v.stop).toEqual({ kind: 'error', code: 1, message: 'WFI with no interrupt source' });
    expect(r.hv.cpu.instret).toBeLessThan(100);
  });
  it('a VM with its timer armed is not stopped: the other sleeper waits for it', async () => {
    // VM 0 arms its virtual timer 4,096 ticks ahead (CNTV_CTL enabled, interrupts masked), waits
    // for ISTATUS, then powers off; VM 1 sleeps forever and is stopped only once VM 0 is gone.
    const TIMER = `
      mrs x1, cntvct_el0
      add x1, x1, #0x1000
      msr cntv_cval_el0, x1
      mov x1, #1
      msr cntv_ctl_el0, x1
      msr daifset, #0xf
    w: wfi
      mrs x1, cntv_ctl_el0
      tbz x1, #2, w
      movz x0, #0x0008
      movk x0, #0x8400, lsl #16
      hvc #0`;
    const r = await runVms([TIMER, SLEEP_FOREVER], {}, 50_000_000);
    expect(r.hv.vms[0].stop?.kind).toBe('halt'); // PSCI SYSTEM_OFF after its timer fired
    expect(r.hv.vms[1].stop).toEqual({ kind: 'error', code: 1, message: 'WFI with no interrupt source' });
  });
});
