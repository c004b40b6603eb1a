// ARM PrimeCell Real Time Clock (PL031, ARM DDI 0224): a 32-bit seconds counter (RTCDR) that
// counts from the value last loaded (RTCLR), a match register (RTCMR) raising the interrupt
// RTCINTR, and the PrimeCell identification registers. Time comes from the caller's clock (the
// modelled cycle count), so runs are deterministic, starting at 0 (1970-01-01) unless an epoch is
// given. On the board at 0x0901_0000 with RTCINTR on SPI 2 (INTID 34, level-high) as on QEMU's
// virt; the hypervisor assigns this same device to a VM by stage 2 and forwards its interrupt.
//
// The match (TRM 2.2, 3.3.2): RTCRIS is set when the counter reaches RTCMR, at the second it
// does, read or not: the device asks its owner (onSchedule) for an event at that second, and
// update() at that event latches RTCRIS. Reads of RTCDR have no side effect. A write of RTCMR or
// RTCLR that makes the two equal matches at once (as QEMU's virt does); reset values (both 0) are
// not a match: nothing was programmed.
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
/**
 * RTCPeriphID0-3, RTCPCellID0-3 (TRM 3.3.10-3.3.17): part number 0x031, designer 0x41 (ARM: its
 * low nibble in PeriphID1[7:4], high nibble in PeriphID2[3:0]), revision 1 in PeriphID2[7:4].
 */
const ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const TWO32 = 2 ** 32;

export class Pl031 implements Device {
  readonly name = 'pl031';
  /** Accesses that reached the model (an assigned device is reached with no exit). */
  accesses = 0;
  /** RTCINTR (RTCMIS): called with the new level whenever it changes. */
  onIrq: ((level: boolean) => void) | null = null;
  /** Asks for update() at the start of second `at` of the clock (Infinity: no match ahead). */
  onSchedule: ((at: number) => void) | null = null;
  private base = 0; // RTCDR value at `origin` seconds
  private origin = 0;
  private mr = 0;
  private imsc = 0;
  private ris = 0;
  private line = false;
  /** The second of the clock at which the counter next equals RTCMR (Infinity: none ahead). */
  private matchAt = Infinity;

  /** `seconds()` is the time source (e.g. modelled cycles / 1e9); `epoch` the initial RTCDR. */
  constructor(
    private readonly seconds: () => number,
    private readonly epoch = 0,
  ) {
    this.reset();
  }

  /**
   * Back to the power-on state (TRM 3.3: RTCMR, RTCIMSC, RTCRIS 0), the counter at the epoch
   * again: the board resets its modelled time with the CPU (cycles 0), so a counter kept across
   * the reset would jump backwards. Any match event is cancelled.
   */
  reset(): void {
    this.base = this.epoch >>> 0;
    this.origin = Math.floor(this.seconds());
    this.mr = 0;
    this.imsc = 0;
    this.ris = 0;
    this.armMatch(false);
  }

  static regName(offset: number): string {
    return offset >= 0xfe0 ? 'RTCID' : (NAMES[offset] ?? `+0x${offset.toString(16)}`);
  }

  private now(): number {
    return (this.base + Math.floor(this.seconds() - this.origin)) >>> 0;
  }

  /**
   * Find the second at which the counter next equals RTCMR: (RTCMR - RTCDR) mod 2^32 seconds
   * ahead. Equal now: a match at once if a write made them equal (`written`), else the next one
   * is a full wrap (2^32 s) away.
   */
  private armMatch(written: boolean): void {
    const delta = (this.mr - this.now()) >>> 0;
    if (delta === 0 && written) this.ris = 1;
    const at = Math.floor(this.seconds()) + (delta === 0 ? TWO32 : delta);
    // Beyond 2^53 cycles (at 1 GHz, ~104 days) the match cannot be reached by a run.
    this.matchAt = at * 1e9 < 2 ** 53 ? at : Infinity;
    this.onSchedule?.(this.matchAt);
    this.updateLine();
  }

  /** [api snapshots] Ask again for the event of the match armed now (after a restore). */
  reschedule(): void {
    this.onSchedule?.(this.matchAt);
  }

  /** The match event (or any later look): latch RTCRIS once the counter has reached RTCMR. */
  update(): void {
    if (Math.floor(this.seconds()) >= this.matchAt) {
      this.ris = 1;
      // The counter equals RTCMR again only after it wraps.
      this.matchAt = this.matchAt + TWO32;
      if (this.matchAt * 1e9 >= 2 ** 53) this.matchAt = Infinity;
      this.onSchedule?.(this.matchAt);
    } else this.onSchedule?.(this.matchAt); // an early or stale event: ask again
    this.updateLine();
  }

  /** RTCINTR = RTCMIS = RTCRIS AND RTCIMSC (TRM 3.3.6-3.3.7). */
  private updateLine(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level === this.line) return;
    this.line = level;
    this.onIrq?.(level);
  }

  read(offset: number, _size: number): number {
    this.accesses++;
    if (offset >= 0xfe0 && offset < 0x1000) return ID[(offset - 0xfe0) >>> 2];
    switch (offset) {
      case 0x000:
        return this.now();
      case 0x004:
        return this.mr;
      case 0x008:
        return this.base;
      case 0x00c:
        return 1; // RTCCR.RTCstart: the counter always runs once enabled (reads 1)
      case 0x010:
        return this.imsc;
      case 0x014:
        this.lookForMatch();
        return this.ris;
      case 0x018:
        this.lookForMatch();
        return this.ris & this.imsc;
      default:
        return 0;
    }
  }

  /** Without an owner scheduling events (a bare model in a test), a look at RTCRIS catches up. */
  private lookForMatch(): void {
    if (Math.floor(this.seconds()) >= this.matchAt) this.update();
  }

  write(offset: number, _size: number, value: number): void {
    this.accesses++;
    switch (offset) {
      case 0x004:
        this.mr = value >>> 0;
        this.armMatch(true);
        break;
      case 0x008:
        this.base = value >>> 0;
        this.origin = Math.floor(this.seconds());
        this.armMatch(true);
        break;
      case 0x010:
        this.imsc = value & 1;
        this.updateLine();
        break;
      case 0x01c:
        if (value & 1) this.ris = 0;
        this.updateLine();
        break;
    }
  }
}
