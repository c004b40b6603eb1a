// PSCI CPU_SUSPEND as a real sleep (DEN0022 5.4) and the Event Register set by an exception
// return (ARM ARM D1.6.1, AArch64.ExceptionReturn's SendEventLocal), on a 2-PE board.
import { describe, it, expect } from 'vitest';
import { assemble } from '../helpers.js';
import { runSmp, exit } from './smp-helpers.js';
import type { Machine } from '../../src/machine.js';

// PE 0 starts PE 1 at `secondary`, waits for its `ready`, spins a while, sets `sent` and sends
// SGI 3 to PE 1 (GICD_SGIR target list = CPU 1), then waits for `done`. PE 1 runs `body`.
// res[0..4] are what PE 1 recorded (X0 after the call, `sent`, GICC_IAR, DAIF, CurrentEL).
const guest = (body: string, sendSgi = true): string => `
  movz x22, #0x0800, lsl #16        // GICD
  movz x23, #0x0801, lsl #16        // GICC
  mov w0, #1
  str w0, [x22]                     // GICD_CTLR.EnableGrp0
  movz x0, #3
  movk x0, #0xc400, lsl #16         // CPU_ON
  mov x1, #1
  adr x2, secondary
  mov x3, #0
  hvc #0
  cbnz x0, fail
  adr x16, ready
w_ready:
  ldr x18, [x16]
  cbz x18, w_ready
  mov x11, #3000
delay:
  subs x11, x11, #1
  b.ne delay
  adr x16, sent
  mov x0, #1
  str x0, [x16]
  ${sendSgi ? `movz w0, #3
  movk w0, #0x2, lsl #16            // target list = CPU 1, SGI 3
  str w0, [x22, #0xf00]` : ''}
  adr x16, done
w_done:
  ldr x18, [x16]
  cbz x18, w_done
  mov x0, #0
  ${exit('x0')}
secondary:
  movz x22, #0x0800, lsl #16
  movz x23, #0x0801, lsl #16
  mov w0, #1
  str w0, [x23]                     // GICC_CTLR
  mov w0, #0xff
  str w0, [x23, #4]                 // GICC_PMR
  mov w0, #8
  str w0, [x22, #0x100]             // GICD_ISENABLER0: SGI 3 (PSTATE.I stays set: masked)
  adr x20, res
  adr x16, ready
  mov x0, #1
  str x0, [x16]
  ${body}
record:
  str x0, [x20]
  adr x16, sent
  ldr x1, [x16]
  str x1, [x20, #8]
  ldr w1, [x23, #0xc]               // GICC_IAR
  str x1, [x20, #16]
  str w1, [x23, #0x10]              // GICC_EOIR
  mrs x1, daif
  str x1, [x20, #24]
  mrs x1, currentel
  str x1, [x20, #32]
  adr x16, done
  mov x0, #1
  str x0, [x16]
park:
  wfi
  b park
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
ready: .quad 0
sent: .quad 0
done: .quad 0
res: .fill 8, 8, 0
`;

const suspend = (powerState: number): string => `
  movz x0, #1
  movk x0, #0xc400, lsl #16         // CPU_SUSPEND (SMC64)
  movz x1, #${powerState & 0xffff}
  movk x1, #${powerState >>> 16}, lsl #16
  adr x2, resume
  mov x3, #0x77
  hvc #0
  b record
resume:
  add x0, x0, #0x100                // marks the entry point: X0 = context id + 0x100
`;

async function run(src: string): Promise<{ m: Machine; res: number[] }> {
  const code = await assemble(src);
  const m = await runSmp(src, 2, 100, 2_000_000);
  expect(m.firmware.stop!.code).toBe(0);
  const base = code.length - 64;
  const res = Array.from({ length: 5 }, (_, k) => Number(m.bus.dv.getBigInt64(base + 8 * k, true)));
  return { m, res };
}

describe('PSCI CPU_SUSPEND on the board (DEN0022 5.4)', () => {
  it('standby: the PE sleeps as in WFI until an interrupt (masked) arrives, then returns SUCCESS', async () => {
    const { m, res } = await run(guest(suspend(0x0000_0001)));
    // X0 = SUCCESS, returned only after PE 0 set `sent` and sent the SGI; SGI 3 from CPU 0.
    expect(res.slice(0, 3)).toEqual([0, 1, 3]);
    expect(res[3]).toBe(0x3c0); // DAIF still masked: the call returned, no exception was taken
    expect(m.pes[1].idleCycles).toBeGreaterThan(2000); // it slept while PE 0 spun
  });
  it('powerdown: on wake-up the PE enters entry_point at EL1h with DAIF masked and X0 = context id', async () => {
    const { res } = await run(guest(suspend(0x0001_0002)));
    expect(res[0]).toBe(0x177); // came through `resume` with X0 = 0x77, not back from the call
    expect(res[1]).toBe(1);
    expect(res[2]).toBe(3);
    expect(res[3]).toBe(0x3c0);
    expect(res[4]).toBe(1 << 2); // CurrentEL = EL1
  });
  it('powerdown with a wake-up event already pending returns SUCCESS at once (5.4.2)', async () => {
    const selfSgi = `
  movz w0, #3
  movk w0, #0x200, lsl #16          // filter 2: this PE only, SGI 3 (pending, masked)
  str w0, [x22, #0xf00]
  ${suspend(0x0001_0002)}`;
    const { res } = await run(guest(selfSgi, false));
    expect(res.slice(0, 3)).toEqual([0, 0, (1 << 10) | 3]); // before PE 0 set `sent`; source CPU 1
  });
  it('reserved power_state bits are INVALID_PARAMETERS', async () => {
    const { res } = await run(guest(suspend(0x0002_0000), false));
    expect(res[0]).toBe(-2);
    expect(res[2]).toBe(1023); // nothing pending: GICC_IAR reads the spurious INTID
  });
});

describe('the Event Register and exception returns (D1.6.1)', () => {
  it('ERET sets the Event Register: a WFE after returning from an SVC completes', async () => {
    // Without the event PE 1 sleeps in WFE for good (nothing sends one) and PE 0 never sees `done`.
    const body = `
  adr x1, vectors
  msr vbar_el1, x1
  sevl
  wfe                               // clears the Event Register
  svc #0
  wfe
  mov x0, #0x55
`;
    const src = guest(body, false).replace('  .balign 8\nargblk', `  .balign 0x800
vectors:
  .fill 0x200, 1, 0
  eret                              // current EL, SPx, synchronous: straight back
  .balign 8
argblk`);
    const { res } = await run(src);
    expect(res[0]).toBe(0x55);
  });
});
