// The physical address space: one RAM region (an ArrayBuffer viewed as typed arrays, little-endian
// guest on a little-endian host) and device regions looked up by 4 KiB page.

/** A memory-mapped device model. Offsets are relative to the region base; sizes 1, 2 or 4. */
export interface Device {
  readonly name: string;
  /** Returns the value (zero-extended), or -1 >>> 0 is a valid value: errors go through `fault`. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

/** A device seen through a counter of the accesses that reach it (assigned devices' statistics). */
export class CountedDevice implements Device {
  accesses = 0;
  constructor(readonly dev: Device) {}
  get name(): string {
    return this.dev.name;
  }
  read(offset: number, size: number): number {
    this.accesses++;
    return this.dev.read(offset, size);
  }
  write(offset: number, size: number, value: number): void {
    this.accesses++;
    this.dev.write(offset, size, value);
  }
}

export interface Region {
  base: number;
  size: number;
  dev: Device;
}

const PAGE_SHIFT = 12;

export class Bus {
  readonly ram: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
  readonly regions: Region[] = [];
  /** Device lookup for the low 1 GiB (where the virt board puts its devices), by page. */
  private readonly devPages = new Map<number, Region>();
  /** Set by a read or write that hit no RAM and no device (a decode error on the interconnect). */
  error = false;

  constructor(
    readonly ramBase: number,
    readonly ramSize: number,
  ) {
    if (ramSize % 4096 !== 0) throw new Error('RAM size must be a multiple of 4 KiB');
    this.ram = new ArrayBuffer(ramSize);
    this.u8 = new Uint8Array(this.ram);
    this.i32 = new Int32Array(this.ram);
    this.dv = new DataView(this.ram);
  }

  map(base: number, size: number, dev: Device): void {
    const r: Region = { base, size, dev };
    for (const o of this.regions) {
      if (base < o.base + o.size && o.base < base + size) {
        throw new Error(`device ${dev.name} at 0x${base.toString(16)} overlaps ${o.dev.name}`);
      }
    }
    this.regions.push(r);
    for (let p = base >>> PAGE_SHIFT; p < Math.ceil((base + size) / 4096); p++) this.devPages.set(p, r);
  }

  /** RAM offset for a physical address, or -1 when the address is not RAM. */
  ramOffset(pa: number): number {
    const off = pa - this.ramBase;
    return off >= 0 && off < this.ramSize ? off : -1;
  }

  region(pa: number): Region | undefined {
    return this.devPages.get(Math.floor(pa / 4096));
  }

  /** Slow-path physical read of 1, 2, 4 bytes (8 is split by the caller). Sets `error` on a hole. */
  read(pa: number, size: number): number {
    const off = this.ramOffset(pa);
    if (off >= 0 && off + size <= this.ramSize) {
      switch (size) {
        case 1:
          return this.u8[off];
        case 2:
          return this.dv.getUint16(off, true);
        default:
          return this.dv.getUint32(off, true);
      }
    }
    const r = this.region(pa);
    if (r && pa + size <= r.base + r.size) return r.dev.read(pa - r.base, size) >>> 0;
    this.error = true;
    return 0;
  }

  write(pa: number, size: number, value: number): void {
    const off = this.ramOffset(pa);
    if (off >= 0 && off + size <= this.ramSize) {
      switch (size) {
        case 1:
          this.u8[off] = value;
          return;
        case 2:
          this.dv.setUint16(off, value & 0xffff, true);
          return;
        default:
          this.dv.setUint32(off, value >>> 0, true);
          return;
      }
    }
    const r = this.region(pa);
    if (r && pa + size <= r.base + r.size) return r.dev.write(pa - r.base, size, value >>> 0);
    this.error = true;
  }

  /** Copy bytes into physical memory (loaders). RAM only; throws with a clear message otherwise. */
  load(pa: number, data: Uint8Array): void {
    const off = this.ramOffset(pa);
    if (off < 0 || off + data.length > this.ramSize) {
      throw new Error(
        `cannot load ${data.length} bytes at 0x${pa.toString(16)}: outside RAM ` +
          `0x${this.ramBase.toString(16)}-0x${(this.ramBase + this.ramSize - 1).toString(16)}`,
      );
    }
    this.u8.set(data, off);
  }

  /** Copy bytes out of physical RAM (dumps, debugger). */
  readBytes(pa: number, len: number): Uint8Array {
    const off = this.ramOffset(pa);
    if (off < 0 || off + len > this.ramSize) {
      throw new Error(`0x${pa.toString(16)}+${len} is outside RAM`);
    }
    return this.u8.slice(off, off + len);
  }
}
