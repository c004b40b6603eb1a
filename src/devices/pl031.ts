// ARM PrimeCell Real Time Clock (PL031, ARM DDI 0224): a 32-bit seconds counter (RTCDR) that
// counts from the value last loaded (RTCLR), a match register raising an interrupt, and the
// PrimeCell identification registers. Time comes from the caller's clock (the modelled cycle
// count), so runs are deterministic, starting at 0 (1970-01-01) unless an epoch is given. On the
// board at 0x0901_0000 as on QEMU's virt; the hypervisor assigns this same device to a VM by stage 2.
// The match interrupt (RTCINTR, SPI 34 on virt) is not wired: RTCRIS is only seen by polling.
import type { Device } from './bus.js';

const NAMES: Record<number, string> = {
  0x000: 'RTCDR',
  0x004: 'RTCMR',
  0x008: 'RTCLR',
  0x00c: 'RTCCR',
  0x010: 'RTCIMSC',
  0x014: 'RTCRIS',
  0x018: 'RTCMIS',
  0x01c: 'RTCICR',
};
/** RTCPeriphID0-3, RTCPCellID0-3 (TRM 3.3.10-3.3.17): part 0x031, designer ARM, revision 0. */
const ID = [0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl031 implements Device {
  readonly name = 'pl031';
  /** Accesses that reached the model (an assigned device is reached with no exit). */
  accesses = 0;
  private base = 0; // RTCDR value at `origin` seconds
  private origin = 0;
  private mr = 0;
  private imsc = 0;
  private ris = 0;

  /** `seconds()` is the time source (e.g. modelled cycles / 1e9); `epoch` the initial RTCDR. */
  constructor(
    private readonly seconds: () => number,
    epoch = 0,
  ) {
    this.base = epoch;
  }

  static regName(offset: number): string {
    return offset >= 0xfe0 ? 'RTCID' : (NAMES[offset] ?? `+0x${offset.toString(16)}`);
  }

  private now(): number {
    return (this.base + Math.floor(this.seconds() - this.origin)) >>> 0;
  }

  read(offset: number, _size: number): number {
    this.accesses++;
    if (offset >= 0xfe0 && offset < 0x1000) return ID[(offset - 0xfe0) >>> 2];
    switch (offset) {
      case 0x000: {
        const t = this.now();
        if (t === this.mr) this.ris = 1;
        return t;
      }
      case 0x004:
        return this.mr;
      case 0x008:
        return this.base;
      case 0x00c:
        return 1; // RTCCR.RTCstart: the counter always runs once enabled (reads 1)
      case 0x010:
        return this.imsc;
      case 0x014:
        return this.ris;
      case 0x018:
        return this.ris & this.imsc;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    this.accesses++;
    switch (offset) {
      case 0x004:
        this.mr = value >>> 0;
        break;
      case 0x008:
        this.base = value >>> 0;
        this.origin = Math.floor(this.seconds());
        break;
      case 0x010:
        this.imsc = value & 1;
        break;
      case 0x01c:
        if (value & 1) this.ris = 0;
        break;
    }
  }
}
