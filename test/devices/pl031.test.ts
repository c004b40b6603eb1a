// The board's PL031 real-time clock at 0x0901_0000 (ARM DDI 0224), as a guest sees it: the
// PrimeCell ID, RTCDR counting modelled seconds from 0 (deterministic), RTCLR loading it, RTCMR
// matching into RTCRIS and RTCINTR (SPI 2 of the GIC), RTCICR clearing it.
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

// Issue 15 (kvm-unit-tests pl031): identification, no match at reset, the match at the second the
// counter reaches RTCMR whether or not anyone reads it, and RTCINTR on SPI 2 (INTID 34) of the GIC.
const GIC = `movz x9, #0x0800, lsl #16
  movz x10, #0x0801, lsl #16`;
describe('PL031 match interrupt (TRM 3.3.2, 3.3.5-3.3.8)', () => {
  it('RTCPeriphID0-3 and RTCPCellID0-3 read 0x31 0x10 0x14 0x00 / 0x0d 0xf0 0x05 0xb1 (PeriphID2: revision 1, designer 0x41 high nibble)', async () => {
    const loads = Array.from({ length: 8 }, (_, k) => `ldr w${k + 2}, [x1, #0x${(0xfe0 + 4 * k).toString(16)}]`).join('\n');
    const m = await runAsm(`${RTC}\n${loads}\nhlt #1`);
    expect(Array.from({ length: 8 }, (_, k) => Number(X(m.cpu, k + 2)))).toEqual([0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });
  it('no match at reset: RTCDR and RTCMR both 0 is not a programmed match, reading RTCDR does not set RTCRIS', async () => {
    const m = await runAsm(`${RTC}\nldr w2, [x1]\nldr w3, [x1, #4]\nldr w4, [x1, #0x14]\nhlt #1`);
    expect([X(m.cpu, 2), X(m.cpu, 3), X(m.cpu, 4)]).toEqual([0n, 0n, 0n]);
  });
  it('the match fires at the cycle the counter reaches RTCMR, with nobody reading the RTC: WFI wakes on INTID 34', async () => {
    // RTCMR = 2, RTCIMSC = 1; the GIC forwards INTID 34 (GICD_ISENABLER1 bit 2); then WFI.
    const src = `${RTC}
  ${GIC}
  adr x0, vectors
  msr vbar_el1, x0
  mov w0, #1
  str w0, [x9]                  // GICD_CTLR
  str w0, [x10]                 // GICC_CTLR
  mov w0, #0xff
  str w0, [x10, #4]             // GICC_PMR
  mov w0, #4
  str w0, [x9, #0x104]          // GICD_ISENABLER1: INTID 34
  mov w0, #2
  str w0, [x1, #4]              // RTCMR = 2
  mov w0, #1
  str w0, [x1, #0x10]           // RTCIMSC
  msr daifclr, #2
wait:
  wfi
  b wait
  .balign 0x800
vectors:
  .space 0x280
  ldr w2, [x10, #0xc]           // GICC_IAR
  ldr w3, [x1]                  // RTCDR
  ldr w4, [x1, #0x18]           // RTCMIS
  str w0, [x1, #0x1c]           // RTCICR: the line drops
  ldr w5, [x9, #0x204]          // GICD_ISPENDR1: 34 no longer pending
  str w2, [x10, #0x10]          // GICC_EOIR
  hlt #1`;
    const m = await runAsm(src);
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 2)).toBe(34n);
    expect([X(m.cpu, 3), X(m.cpu, 4)]).toEqual([2n, 1n]);
    expect((X(m.cpu, 5) >> 2n) & 1n).toBe(0n);
    // Taken at the match (2 s = 2e9 cycles at 1 GHz), a few instructions after: the WFI slept to it.
    expect(m.cpu.cycles).toBeGreaterThanOrEqual(2e9);
    expect(m.cpu.cycles).toBeLessThan(2e9 + 1000);
  });
  it('RTCRIS is set once the second passes even if RTCDR is never read in it; RTCMIS and the GIC input follow RTCIMSC', async () => {
    const m = await runAsm(`${RTC}\nmov w0, #1\nstr w0, [x1, #4]\nhlt #1`);
    expect(m.rtc.read(0x14, 4)).toBe(0);
    // Two seconds pass in one step: the counter went through 1 with no access at all.
    m.cpu.cycles += 2.5e9;
    m.clearHalt();
    m.cpu.pc += 4n; // past the hlt
    m.bus.load(Number(m.cpu.pc), new Uint8Array([0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5])); // nop; nop
    m.cpu.run(2);
    const gicd = m.gic.distributor;
    expect((gicd.read(0x204, 4) >>> 2) & 1).toBe(0); // masked: RTCINTR low
    expect(m.rtc.read(0x18, 4)).toBe(0);
    m.rtc.write(0x10, 4, 1); // RTCIMSC
    expect((gicd.read(0x204, 4) >>> 2) & 1).toBe(1); // SPI 2 pending at the GIC
    expect(m.rtc.read(0x14, 4)).toBe(1);
    m.rtc.write(0x1c, 4, 1); // RTCICR
    expect((gicd.read(0x204, 4) >>> 2) & 1).toBe(0);
    // The counter equals RTCMR again only after a wrap: no new match a second later.
    m.cpu.cycles += 1e9;
    expect(m.rtc.read(0x14, 4)).toBe(0);
  });
  it('a board boot (modelled time back to 0) resets it: RTCMR, RTCIMSC, RTCRIS 0, RTCINTR low, the match event cancelled', async () => {
    const m = await runAsm(`${RTC}\nhlt #1`, { setup: (mm) => (mm.cpu.cycles = 5.2e9) });
    m.rtc.write(0x004, 4, 5); // a match at once
    m.rtc.write(0x010, 4, 1);
    m.rtc.write(0x004, 4, 9); // and one armed for second 9 (RTCRIS stays set)
    expect((m.gic.distributor.read(0x204, 4) >>> 2) & 1).toBe(1); // GICD_ISPENDR1: RTCINTR high
    expect(m.cpu.timerDeadline).toBe(9e9);
    m.boot(0x4000_0000n);
    expect([m.rtc.read(0, 4), m.rtc.read(4, 4), m.rtc.read(0x10, 4), m.rtc.read(0x14, 4)]).toEqual([0, 0, 0, 0]);
    expect(m.cpu.timerDeadline).toBe(Infinity);
    expect((m.gic.distributor.read(0x204, 4) >>> 2) & 1).toBe(0);
  });
  it('writing RTCMR equal to the counter matches at once; RTCLR reloading the counter re-arms the match', async () => {
    const m = await runAsm(`${RTC}\nhlt #1`, { setup: (mm) => (mm.cpu.cycles = 5.2e9) });
    const rtc = m.rtc;
    rtc.write(0x004, 4, 5);
    expect(rtc.read(0x14, 4)).toBe(1);
    rtc.write(0x1c, 4, 1);
    rtc.write(0x008, 4, 100); // RTCLR: counter 100, so RTCMR 5 is 2^32 - 95 s away
    m.cpu.cycles += 10e9;
    expect(rtc.read(0x14, 4)).toBe(0);
    rtc.write(0x004, 4, 112); // two seconds ahead of 110
    m.cpu.cycles += 1e9;
    expect([rtc.read(0, 4), rtc.read(0x14, 4)]).toEqual([111, 0]);
    m.cpu.cycles += 1e9;
    expect([rtc.read(0, 4), rtc.read(0x14, 4)]).toEqual([112, 1]);
  });
});
