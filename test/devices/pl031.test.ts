// The board's PL031 real-time clock at 0x0901_0000 (ARM DDI 0224), as a guest sees it: the
// PrimeCell ID, RTCDR counting modelled seconds from 0 (deterministic), RTCLR loading it, RTCMR
// matching into RTCRIS (polled: the interrupt line is not wired), RTCICR clearing it.
import { describe, it, expect } from 'vitest';
import { runAsm, X } from '../helpers.js';

const RTC = `movz x1, #0x0901, lsl #16`;

describe('PL031 on the board', () => {
  it('identifies as a PrimeCell PL031 (RTCPeriphID0 0x31, RTCPCellID0 0x0d)', async () => {
    const m = await runAsm(`${RTC}\nldr w2, [x1, #0xfe0]\nldr w3, [x1, #0xff0]\nhlt #1`);
    expect([X(m.cpu, 2), X(m.cpu, 3)]).toEqual([0x31n, 0x0dn]);
  });
  it('RTCDR counts modelled seconds (1 GHz) from 0; RTCLR loads the counter, which goes on from there', async () => {
    const m = await runAsm(`${RTC}\nldr w2, [x1]\nmov w4, #1000\nstr w4, [x1, #8]\nldr w3, [x1]\nhlt #1`, {
      setup: (mm) => (mm.cpu.cycles = 3.5e9),
    });
    expect(X(m.cpu, 2)).toBe(3n);
    expect(X(m.cpu, 3)).toBe(1000n);
    expect(m.rtc.read(0, 4)).toBe(1000);
    m.cpu.cycles += 2e9;
    expect(m.rtc.read(0, 4)).toBe(1002);
  });
  it('RTCMR equal to the count sets RTCRIS; RTCMIS follows RTCIMSC; RTCICR clears it', async () => {
    const m = await runAsm(
      `${RTC}\nmov w4, #7\nstr w4, [x1, #4]\nldr w2, [x1]\nldr w5, [x1, #0x14]\nmov w4, #1\nstr w4, [x1, #0x10]\nldr w6, [x1, #0x18]\nstr w4, [x1, #0x1c]\nldr w7, [x1, #0x14]\nhlt #1`,
      { setup: (mm) => (mm.cpu.cycles = 7.2e9) },
    );
    expect(X(m.cpu, 2)).toBe(7n);
    expect([X(m.cpu, 5), X(m.cpu, 6), X(m.cpu, 7)]).toEqual([1n, 1n, 0n]);
  });
});
