// ARM PrimeCell UART (PL011), after the Technical Reference Manual (ARM DDI 0183, r1p5).
// Transmission is instantaneous (the TX FIFO is always empty, FR.BUSY=0, FR.TXFF=0); received
// bytes come from the host (a string or stdin) through a host-side queue that refills the RX FIFO
// whenever it has room, so no overrun is ever modelled (the host side is flow-controlled).
// Like QEMU's model, the UARTEN/TXE/RXE enables are not enforced: bare-metal guests commonly
// write UARTDR without programming UARTCR, and QEMU prints their output anyway.
import type { Device } from './bus.js';

// Register offsets (TRM 3.2, Table 3-1).
export const UARTDR = 0x000;
export const UARTRSR = 0x004; // UARTECR on write
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;

// UARTFR bits (TRM 3.3.3).
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;

// Interrupt bits, shared by IMSC/RIS/MIS/ICR (TRM 3.3.10-3.3.14).
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6; // receive timeout
const INT_ALL = 0x7ff;

const LCRH_FEN = 1 << 4;
const FIFO_DEPTH = 16;

/**
 * UARTPeriphID0-3 and UARTPCellID0-3 at 0xFE0-0xFFC (TRM 3.3.15-3.3.22): part number 0x011,
 * designer 0x41 (ARM), revision 3 (r1p5), configuration 0; PrimeCell ID 0xB105F00D.
 * (QEMU's model reports revision 1, PeriphID2 = 0x14.)
 */
export const PL011_ID = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 implements Device {
  readonly name = 'pl011';
  /** Called with each transmitted byte. */
  onTx: (byte: number) => void;
  /** Called when the interrupt output changes (for the GIC, later). */
  onIrq: ((level: boolean) => void) | null = null;
  /** Called once per unknown register offset (for a log line). */
  onUnknown: ((msg: string) => void) | null = null;

  private rxFifo: number[] = [];
  /** Bytes the host has supplied that the RX FIFO has no room for yet. */
  private hostQueue: number[] = [];
  private hostPos = 0;
  /** Receive status of the last byte read (RSR: FE, PE, BE, OE); always 0 here. */
  private rsr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private lcrh = 0;
  private cr = 0x300;
  private ifls = 0x12;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  private ilpr = 0;
  private irqLevel = false;
  private readonly warned = new Set<number>();

  constructor(onTx: (byte: number) => void = () => {}) {
    this.onTx = onTx;
  }

  /** Interrupt output UARTINTR: any unmasked raw interrupt (TRM 2.8.1). */
  get irq(): boolean {
    return (this.ris & this.imsc) !== 0;
  }

  /** Host-side input (the other end of the serial line). */
  feed(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (const b of bytes) this.hostQueue.push(b);
    this.refill();
  }
  /** Bytes waiting anywhere on the receive side (FIFO plus host queue). */
  get rxPending(): number {
    return this.rxFifo.length + this.hostQueue.length - this.hostPos;
  }
  /**
   * Take up to n received bytes for another consumer of the console input (semihosting SYS_READ
   * shares the host's stdin with the UART). FIFO first, then the host queue.
   */
  takeInput(n: number): number[] {
    const out: number[] = [];
    while (out.length < n && this.rxFifo.length > 0) out.push(this.rxFifo.shift()! & 0xff);
    while (out.length < n && this.hostPos < this.hostQueue.length) out.push(this.hostQueue[this.hostPos++]);
    this.refill();
    return out;
  }

  private depth(): number {
    // With the FIFOs disabled they act as one-byte holding registers (TRM 2.4.3).
    return this.lcrh & LCRH_FEN ? FIFO_DEPTH : 1;
  }
  /** RX FIFO trigger level from UARTIFLS.RXIFLSEL (TRM 3.3.9): 1/8, 1/4, 1/2, 3/4, 7/8 full. */
  private rxTrigger(): number {
    if (!(this.lcrh & LCRH_FEN)) return 1;
    const sel = (this.ifls >>> 3) & 7;
    return [2, 4, 8, 12, 14][sel > 4 ? 2 : sel];
  }

  private refill(): void {
    const depth = this.depth();
    while (this.rxFifo.length < depth && this.hostPos < this.hostQueue.length) {
      this.rxFifo.push(this.hostQueue[this.hostPos++]);
    }
    if (this.hostPos > 4096 && this.hostPos === this.hostQueue.length) {
      this.hostQueue = [];
      this.hostPos = 0;
    }
    this.updateRx();
  }

  /**
   * RXRIS is set while the FIFO holds at least the trigger level (TRM 2.8.2: cleared by reading
   * below the level or by UARTICR). The receive timeout (RTRIS) is modelled as immediate: it is
   * set while data below the trigger level waits, and cleared when the FIFO empties or by ICR.
   */
  private updateRx(): void {
    const n = this.rxFifo.length;
    if (n >= this.rxTrigger()) this.ris |= INT_RX;
    else if (n === 0) this.ris &= ~(INT_RX | INT_RT);
    else {
      this.ris &= ~INT_RX;
      if (this.lcrh & LCRH_FEN) this.ris |= INT_RT;
    }
    this.updateIrq();
  }
  private updateIrq(): void {
    const level = this.irq;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.onIrq?.(level);
    }
  }

  read(offset: number, size: number): number {
    let v: number;
    switch (offset) {
      case UARTDR: {
        const b = this.rxFifo.shift();
        v = b === undefined ? 0 : b;
        this.rsr = 0;
        this.refill();
        break;
      }
      case UARTRSR:
        v = this.rsr;
        break;
      case UARTFR:
        // TX is instantaneous: TXFE=1, TXFF=0, BUSY=0. CTS/DSR/DCD/RI modem inputs inactive.
        v = FR_TXFE;
        if (this.rxFifo.length === 0) v |= FR_RXFE;
        if (this.rxFifo.length >= this.depth()) v |= FR_RXFF;
        break;
      case UARTILPR:
        v = this.ilpr;
        break;
      case UARTIBRD:
        v = this.ibrd;
        break;
      case UARTFBRD:
        v = this.fbrd;
        break;
      case UARTLCR_H:
        v = this.lcrh;
        break;
      case UARTCR:
        v = this.cr;
        break;
      case UARTIFLS:
        v = this.ifls;
        break;
      case UARTIMSC:
        v = this.imsc;
        break;
      case UARTRIS:
        v = this.ris;
        break;
      case UARTMIS:
        v = this.ris & this.imsc;
        break;
      case UARTDMACR:
        v = this.dmacr;
        break;
      default:
        if (offset >= 0xfe0 && offset <= 0xffc && (offset & 3) === 0) {
          v = PL011_ID[(offset - 0xfe0) >>> 2];
          break;
        }
        // UARTICR is write-only; reserved and misaligned offsets read as zero.
        this.unknown(offset, 'read');
        return 0;
    }
    return size >= 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: number, value: number): void {
    const v = size >= 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    switch (offset) {
      case UARTDR:
        this.onTx(v & 0xff);
        // The byte leaves the (single-entry or FIFO) transmitter at once, so the FIFO drops to
        // empty, at or below any trigger level: the transmit interrupt asserts (TRM 2.8.3; it is
        // not asserted at reset, only after written data has drained).
        this.ris |= INT_TX;
        this.updateIrq();
        break;
      case UARTRSR: // UARTECR: any write clears the error flags
        this.rsr = 0;
        break;
      case UARTILPR:
        this.ilpr = v & 0xff;
        break;
      case UARTIBRD:
        this.ibrd = v & 0xffff;
        break;
      case UARTFBRD:
        this.fbrd = v & 0x3f;
        break;
      case UARTLCR_H: {
        const oldFen = this.lcrh & LCRH_FEN;
        this.lcrh = v & 0xff;
        if ((this.lcrh & LCRH_FEN) !== oldFen) {
          // Changing FEN flushes the FIFOs in real hardware only while disabled; here we keep the
          // received bytes in order by returning the FIFO's contents to the head of the host queue.
          const back = this.rxFifo.map((b) => b & 0xff);
          this.rxFifo = [];
          this.hostQueue = back.concat(this.hostQueue.slice(this.hostPos));
          this.hostPos = 0;
        }
        this.refill();
        break;
      }
      case UARTCR:
        this.cr = v & 0xff87; // bits 6:3 reserved
        break;
      case UARTIFLS:
        this.ifls = v & 0x3f;
        this.updateRx();
        break;
      case UARTIMSC:
        this.imsc = v & INT_ALL;
        this.updateIrq();
        break;
      case UARTICR:
        this.ris &= ~(v & INT_ALL);
        this.updateIrq();
        break;
      case UARTDMACR:
        this.dmacr = v & 7;
        break;
      default:
        // FR, RIS, MIS and the ID registers are read-only; writes to them are ignored.
        if (offset === UARTFR || offset === UARTRIS || offset === UARTMIS || (offset >= 0xfe0 && offset <= 0xffc)) return;
        this.unknown(offset, 'write');
    }
  }

  private unknown(offset: number, what: string): void {
    if (this.warned.has(offset)) return;
    this.warned.add(offset);
    this.onUnknown?.(`pl011: ${what} of unknown offset 0x${offset.toString(16)} ignored`);
  }
}
