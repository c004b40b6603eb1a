// PL011 UART register model (ARM DDI 0183, PrimeCell UART TRM r1p5).
import { describe, it, expect } from 'vitest';
import {
  Pl011,
  UARTDR,
  UARTRSR,
  UARTFR,
  UARTIBRD,
  UARTFBRD,
  UARTLCR_H,
  UARTCR,
  UARTIFLS,
  UARTIMSC,
  UARTRIS,
  UARTMIS,
  UARTICR,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  FR_TXFF,
  FR_BUSY,
  INT_RX,
  INT_TX,
  INT_RT,
  PL011_ID,
} from '../../src/devices/pl011.js';
import { Machine, VIRT } from '../../src/machine.js';

function uart(): { u: Pl011; tx: number[] } {
  const tx: number[] = [];
  return { u: new Pl011((b) => tx.push(b)), tx };
}

describe('PL011 registers', () => {
  it('resets UARTCR to 0x300 (TXE, RXE) and UARTIFLS to 0x12 (both FIFOs half full), TRM 3.3.8/3.3.9', () => {
    const { u } = uart();
    expect(u.read(UARTCR, 4)).toBe(0x300);
    expect(u.read(UARTIFLS, 4)).toBe(0x12);
    expect(u.read(UARTIMSC, 4)).toBe(0);
    expect(u.read(UARTRIS, 4)).toBe(0);
  });

  it('FR: TX always empty and never full or busy; RXFE until data arrives (TRM 3.3.3)', () => {
    const { u } = uart();
    const fr = u.read(UARTFR, 4);
    expect(fr & FR_TXFE).toBe(FR_TXFE);
    expect(fr & (FR_TXFF | FR_BUSY)).toBe(0);
    expect(fr & FR_RXFE).toBe(FR_RXFE);
    u.feed('a');
    expect(u.read(UARTFR, 4) & FR_RXFE).toBe(0);
  });

  it('DR write transmits the low byte; DR read pops the RX FIFO in order and then sets RXFE', () => {
    const { u, tx } = uart();
    u.write(UARTDR, 4, 0x1234_5641);
    expect(tx).toEqual([0x41]);
    u.write(UARTLCR_H, 4, 0x70); // FEN=1, 8 bits
    u.feed('xyz');
    expect(u.read(UARTDR, 1)).toBe(0x78);
    expect(u.read(UARTDR, 4)).toBe(0x79);
    expect(u.read(UARTDR, 2)).toBe(0x7a);
    expect(u.read(UARTFR, 4) & FR_RXFE).toBe(FR_RXFE);
    expect(u.read(UARTDR, 4)).toBe(0); // empty FIFO reads as 0
  });

  it('with FIFOs disabled the receiver holds one byte: RXFF set at one byte, the rest wait (TRM 2.4.3)', () => {
    const { u } = uart();
    u.feed('ab');
    expect(u.read(UARTFR, 4) & FR_RXFF).toBe(FR_RXFF);
    expect(u.read(UARTDR, 4)).toBe(0x61);
    expect(u.read(UARTDR, 4)).toBe(0x62);
  });

  it('with FIFOs enabled RXFF sets at 16 bytes', () => {
    const { u } = uart();
    u.write(UARTLCR_H, 4, 0x10);
    u.feed('0123456789abcde');
    expect(u.read(UARTFR, 4) & FR_RXFF).toBe(0);
    u.feed('fg');
    expect(u.read(UARTFR, 4) & FR_RXFF).toBe(FR_RXFF);
    let s = '';
    for (let k = 0; k < 17; k++) s += String.fromCharCode(u.read(UARTDR, 4));
    expect(s).toBe('0123456789abcdefg');
  });

  it('toggling LCR_H.FEN keeps received bytes in order (none lost, none duplicated)', () => {
    const { u } = uart();
    u.write(UARTLCR_H, 4, 0x10);
    u.feed('abc');
    u.write(UARTLCR_H, 4, 0x00); // FIFO off: one byte held, the rest wait on the line
    expect(u.read(UARTDR, 4)).toBe(0x61);
    u.write(UARTLCR_H, 4, 0x10);
    expect(u.read(UARTDR, 4)).toBe(0x62);
    expect(u.read(UARTDR, 4)).toBe(0x63);
    expect(u.read(UARTFR, 4) & FR_RXFE).toBe(FR_RXFE);
  });

  it('RXRIS is set when data arrives and cleared by reading the byte (FIFO disabled, TRM 2.8.2)', () => {
    const { u } = uart();
    u.feed('q');
    expect(u.read(UARTRIS, 4) & INT_RX).toBe(INT_RX);
    u.read(UARTDR, 4);
    expect(u.read(UARTRIS, 4) & INT_RX).toBe(0);
  });

  it('RXRIS follows the IFLS trigger level with FIFOs on; below it the receive timeout (RTRIS) asserts', () => {
    const { u } = uart();
    u.write(UARTLCR_H, 4, 0x10);
    u.write(UARTIFLS, 4, 0 << 3); // RX trigger at 1/8 full = 2 bytes
    u.feed('a');
    expect(u.read(UARTRIS, 4) & (INT_RX | INT_RT)).toBe(INT_RT);
    u.feed('b');
    expect(u.read(UARTRIS, 4) & INT_RX).toBe(INT_RX);
    u.read(UARTDR, 4);
    expect(u.read(UARTRIS, 4) & (INT_RX | INT_RT)).toBe(INT_RT);
    u.read(UARTDR, 4);
    expect(u.read(UARTRIS, 4) & (INT_RX | INT_RT)).toBe(0);
  });

  it('ICR clears RIS bits; MIS = RIS & IMSC; irq follows MIS', () => {
    const { u } = uart();
    const levels: boolean[] = [];
    u.onIrq = (l) => levels.push(l);
    u.feed('z');
    expect(u.read(UARTMIS, 4)).toBe(0);
    expect(u.irq).toBe(false);
    u.write(UARTIMSC, 4, INT_RX);
    expect(u.read(UARTMIS, 4)).toBe(INT_RX);
    expect(u.irq).toBe(true);
    u.write(UARTICR, 4, INT_RX);
    expect(u.read(UARTRIS, 4) & INT_RX).toBe(0);
    expect(u.irq).toBe(false);
    expect(levels).toEqual([true, false]);
  });

  it('TXRIS is clear at reset and set once written data has left the transmitter (TRM 2.8.3)', () => {
    const { u } = uart();
    expect(u.read(UARTRIS, 4) & INT_TX).toBe(0);
    u.write(UARTDR, 4, 0x41);
    expect(u.read(UARTRIS, 4) & INT_TX).toBe(INT_TX);
    u.write(UARTICR, 4, INT_TX);
    expect(u.read(UARTRIS, 4) & INT_TX).toBe(0);
  });

  it('baud-rate and control registers keep only their implemented bits', () => {
    const { u } = uart();
    u.write(UARTIBRD, 4, 0xffff_ffff);
    u.write(UARTFBRD, 4, 0xffff_ffff);
    u.write(UARTLCR_H, 4, 0xffff_ffff);
    expect(u.read(UARTIBRD, 4)).toBe(0xffff);
    expect(u.read(UARTFBRD, 4)).toBe(0x3f);
    expect(u.read(UARTLCR_H, 4)).toBe(0xff);
  });

  it('RSR reads 0 (no receive errors) and a write (ECR) is accepted', () => {
    const { u } = uart();
    u.write(UARTRSR, 4, 0xff);
    expect(u.read(UARTRSR, 4)).toBe(0);
  });

  it('peripheral and PrimeCell ID registers read the TRM values (0x011 part, ARM designer, 0xB105F00D)', () => {
    const { u } = uart();
    const got = [];
    for (let o = 0xfe0; o <= 0xffc; o += 4) got.push(u.read(o, 4));
    expect(got).toEqual(PL011_ID);
    expect(got.slice(4)).toEqual([0x0d, 0xf0, 0x05, 0xb1]);
    expect(got[0] | ((got[1] & 0xf) << 8)).toBe(0x011); // PartNumber
    expect(((got[1] >> 4) | ((got[2] & 0xf) << 4)) & 0xff).toBe(0x41); // Designer = ARM
    u.write(0xfe0, 4, 0); // read-only: ignored
    expect(u.read(0xfe0, 4)).toBe(0x11);
  });

  it('unknown and misaligned offsets read 0, writes are ignored, and each is logged once', () => {
    const { u } = uart();
    const log: string[] = [];
    u.onUnknown = (m) => log.push(m);
    expect(u.read(0x800, 4)).toBe(0);
    expect(u.read(0x800, 4)).toBe(0);
    u.write(0x804, 4, 1);
    expect(u.read(UARTDR + 1, 1)).toBe(0);
    expect(log.length).toBe(3);
    expect(log[0]).toMatch(/unknown offset 0x800/);
  });

  it('is mapped at 0x09000000 on the machine; byte reads of DR through the bus pop input', () => {
    const m = new Machine({ uartInput: 'hi' });
    expect(m.bus.read(VIRT.UART0 + UARTFR, 4) & FR_RXFE).toBe(0);
    expect(m.bus.read(VIRT.UART0, 1)).toBe(0x68);
    expect(m.bus.read(VIRT.UART0, 1)).toBe(0x69);
    m.bus.write(VIRT.UART0, 1, 0x21);
    expect(m.output).toBe('!');
  });

  it('keeps multi-byte UTF-8 intact when written one byte at a time', () => {
    const m = new Machine();
    for (const b of new TextEncoder().encode('é→')) m.bus.write(VIRT.UART0, 4, b);
    expect(m.output).toBe('é→');
  });
});
