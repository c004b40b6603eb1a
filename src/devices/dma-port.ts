// A bus master's port onto the physical address space: how the DMA engine and the virtio devices
// reach memory. Either direct (the address is a PA) or through an IOMMU (the SMMU) with the
// master's StreamID, page by page (4 KiB pages of the IOVA).
//
// Rules this port keeps (documented in src/devices/README-dma.md):
// - A transaction is all or nothing: every page is translated and checked before any byte moves;
//   if one page aborts (translation returned -1: the SMMU has recorded an event) or lands outside
//   RAM, nothing is read or written and the call returns false.
// - Only RAM is reachable: a PA in a device region or a hole aborts the transaction (no MMIO
//   peer-to-peer on this interconnect).
// - Writes to RAM call `onWrite(pa, len)` (the machine passes Cpu.dmaWritten: decoded code on
//   those pages is dropped and a matching exclusive reservation is cleared, as a CPU store would).
// - Addresses are exact JS numbers: a 64-bit address field at or above 2^53 is read as 2^53
//   (readU64), which no translation and no RAM accepts, so it aborts.
import type { Bus } from './bus.js';

/** What a DmaPort needs of an IOMMU (src/smmu/smmu.ts's Smmu has this method). */
export interface DmaTranslator {
  /** PA of `iova` for the master `streamId`, or -1: the transaction aborts. */
  translate(streamId: number, iova: number, write: boolean): number;
}

export interface DmaStats {
  bytesRead: number;
  bytesWritten: number;
  /** Transactions (read or write calls) that completed. */
  reads: number;
  writes: number;
  /** Transactions refused: translation aborted or the PA was not RAM. */
  aborts: number;
}

const PAGE = 4096;
/** Returned by readU64 for values >= 2^53 (unreachable by any translation or RAM). */
export const ADDR_TOO_HIGH = 2 ** 53;

export class DmaPort {
  readonly stats: DmaStats = { bytesRead: 0, bytesWritten: 0, reads: 0, writes: 0, aborts: 0 };
  /** RAM offsets and lengths of the pieces of the current transaction (reused, no allocation per call). */
  private pieceOff: number[] = [];
  private pieceLen: number[] = [];
  private readonly scratch = new Uint8Array(8);
  private readonly scratchDv = new DataView(this.scratch.buffer);

  /**
   * `translator` null: direct (addresses are PAs). `onWrite` is told of every RAM range written.
   */
  constructor(
    private readonly bus: Bus,
    readonly name: string,
    private translator: DmaTranslator | null = null,
    readonly streamId = 0,
    private readonly onWrite: ((pa: number, len: number) => void) | null = null,
  ) {}

  /** Put an IOMMU in front of this master (or remove it with null). */
  setTranslator(t: DmaTranslator | null): void {
    this.translator = t;
  }
  get translated(): boolean {
    return this.translator !== null;
  }

  /**
   * Resolve [addr, addr+len) into RAM pieces (pieceOff/pieceLen); false if any page aborts.
   * Every page is translated before the caller moves a byte.
   */
  private resolve(addr: number, len: number, write: boolean): boolean {
    this.pieceOff.length = 0;
    this.pieceLen.length = 0;
    if (!(addr >= 0) || addr + len > ADDR_TOO_HIGH || !Number.isInteger(addr)) return false;
    const bus = this.bus;
    let a = addr;
    let left = len;
    while (left > 0) {
      const n = Math.min(left, PAGE - (a % PAGE));
      const pa = this.translator === null ? a : this.translator.translate(this.streamId, a, write);
      if (pa < 0) return false;
      const off = bus.ramOffset(pa);
      // The whole piece must be RAM (a translated page stays within one page of PA space).
      if (off < 0 || off + n > bus.ramSize) return false;
      const last = this.pieceOff.length - 1;
      if (last >= 0 && this.pieceOff[last] + this.pieceLen[last] === off) this.pieceLen[last] += n;
      else {
        this.pieceOff.push(off);
        this.pieceLen.push(n);
      }
      a += n;
      left -= n;
    }
    return true;
  }

  /** RAM offset of [addr, addr+len) for a direct master, or -1 (not all RAM): one piece, no page loop. */
  private direct(addr: number, len: number): number {
    const off = this.bus.ramOffset(addr);
    return off >= 0 && off + len <= this.bus.ramSize && Number.isInteger(addr) ? off : -1;
  }

  /** Read dst.length bytes at `addr` into dst. False (dst untouched) if the transaction aborts. */
  read(addr: number, dst: Uint8Array): boolean {
    if (this.translator === null) {
      const off = this.direct(addr, dst.length);
      if (off < 0) {
        this.stats.aborts++;
        return false;
      }
      copyIn(dst, 0, this.bus.u8, off, dst.length);
      this.stats.reads++;
      this.stats.bytesRead += dst.length;
      return true;
    }
    if (!this.resolve(addr, dst.length, false)) {
      this.stats.aborts++;
      return false;
    }
    const u8 = this.bus.u8;
    let d = 0;
    for (let k = 0; k < this.pieceOff.length; k++) {
      const off = this.pieceOff[k];
      const n = this.pieceLen[k];
      copyIn(dst, d, u8, off, n);
      d += n;
    }
    this.stats.reads++;
    this.stats.bytesRead += dst.length;
    return true;
  }

  /** Write src at `addr`. False (nothing written) if the transaction aborts. */
  write(addr: number, src: Uint8Array): boolean {
    if (this.translator === null) {
      const off = this.direct(addr, src.length);
      if (off < 0) {
        this.stats.aborts++;
        return false;
      }
      copyIn(this.bus.u8, off, src, 0, src.length);
      this.onWrite?.(addr, src.length);
      this.stats.writes++;
      this.stats.bytesWritten += src.length;
      return true;
    }
    if (!this.resolve(addr, src.length, true)) {
      this.stats.aborts++;
      return false;
    }
    const u8 = this.bus.u8;
    const base = this.bus.ramBase;
    let s = 0;
    for (let k = 0; k < this.pieceOff.length; k++) {
      const off = this.pieceOff[k];
      const n = this.pieceLen[k];
      copyIn(u8, off, src, s, n);
      s += n;
      this.onWrite?.(base + off, n);
    }
    this.stats.writes++;
    this.stats.bytesWritten += src.length;
    return true;
  }

  // Little-endian fields (virtqueue descriptors and rings). Reads return -1 on abort.
  readU8(addr: number): number {
    return this.read(addr, this.scratch.subarray(0, 1)) ? this.scratch[0] : -1;
  }
  readU16(addr: number): number {
    return this.read(addr, this.scratch.subarray(0, 2)) ? this.scratchDv.getUint16(0, true) : -1;
  }
  readU32(addr: number): number {
    return this.read(addr, this.scratch.subarray(0, 4)) ? this.scratchDv.getUint32(0, true) : -1;
  }
  /** A 64-bit field as an exact number; values >= 2^53 read as ADDR_TOO_HIGH. -1 on abort. */
  readU64(addr: number): number {
    if (!this.read(addr, this.scratch)) return -1;
    const hi = this.scratchDv.getUint32(4, true);
    if (hi >= 0x20_0000) return ADDR_TOO_HIGH;
    return hi * 2 ** 32 + this.scratchDv.getUint32(0, true);
  }
  writeU8(addr: number, v: number): boolean {
    this.scratch[0] = v;
    return this.write(addr, this.scratch.subarray(0, 1));
  }
  writeU16(addr: number, v: number): boolean {
    this.scratchDv.setUint16(0, v & 0xffff, true);
    return this.write(addr, this.scratch.subarray(0, 2));
  }
  writeU32(addr: number, v: number): boolean {
    this.scratchDv.setUint32(0, v >>> 0, true);
    return this.write(addr, this.scratch.subarray(0, 4));
  }
}

/** dst[d..d+n) = src[s..s+n): a plain loop for short copies (no subarray allocated), set() for long ones. */
function copyIn(dst: Uint8Array, d: number, src: Uint8Array, s: number, n: number): void {
  if (n <= 64) for (let k = 0; k < n; k++) dst[d + k] = src[s + k];
  else dst.set(src.subarray(s, s + n), d);
}
