// The virtio-mmio transport, version 2 (Virtual I/O Device (VIRTIO) 1.1, 4.2 "Virtio Over MMIO"),
// in front of one device backend (blk, rng, console). It owns the register file (4.2.2), the
// device status and feature negotiation (2.1, 3.1.1), the split virtqueues (virtqueue.ts) and the
// used-buffer / configuration-change interrupt (InterruptStatus bits 0/1, 4.2.2; the SPI is high
// while InterruptStatus is non-zero, so an edge-configured GIC input sees one rising edge per
// batch, as the driver acknowledges with InterruptACK before looking at the rings).
// Requests are processed synchronously when the driver writes QueueNotify.
import type { Device } from '../bus.js';
import type { DmaPort } from '../dma-port.js';
import { Virtqueue, VIRTQ_MAX_SIZE } from './virtqueue.js';

export const VIRTIO_MMIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_MMIO_VERSION = 2;
/** Our VendorID: "A6HV" as a little-endian word (4.2.2: any value). */
export const VIRTIO_VENDOR = 0x56483641;
export const VIRTIO_MMIO_SIZE = 0x200;

/** 4.2.2 register offsets. */
export const VIRTIO_MMIO = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceID: 0x008,
  VendorID: 0x00c,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  QueueReady: 0x044,
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptACK: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
  SHMSel: 0x0ac,
  SHMLenLow: 0x0b0,
  SHMLenHigh: 0x0b4,
  SHMBaseLow: 0x0b8,
  SHMBaseHigh: 0x0bc,
  ConfigGeneration: 0x0fc,
  Config: 0x100,
} as const;

/** 2.1 Device Status Field bits. */
export const STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  DEVICE_NEEDS_RESET: 64,
  FAILED: 128,
} as const;
/** 4.2.2 InterruptStatus bits. */
export const INT_USED_BUFFER = 1;
export const INT_CONFIG_CHANGE = 2;

/** 6 Reserved Feature Bits (bit numbers). */
export const VIRTIO_F_VERSION_1 = 32;
export const VIRTIO_F_ACCESS_PLATFORM = 33;

/** What a device type supplies to the transport. */
export interface VirtioBackend {
  /** 5 Device Types: 2 block, 3 console, 4 entropy. */
  readonly deviceId: number;
  /** Device-type feature bits it offers (bit numbers below 24, 6). */
  readonly featureBits: number[];
  /** QueueNumMax of each virtqueue. */
  readonly queueMax: number[];
  /** The device configuration space (read by the driver at 0x100+, little-endian). */
  readonly config: Uint8Array;
  /** The driver notified `vq` (already checked to be ready and the device DRIVER_OK). */
  notify(vq: Virtqueue): void;
  /** Device reset (status written 0). */
  reset(): void;
  /** Bind the queues once (for devices that fill buffers later, e.g. console input). */
  attach?(queues: Virtqueue[]): void;
}

const bit = (n: number): [number, number] => (n < 32 ? [1 << n >>> 0, 0] : [0, (1 << (n - 32)) >>> 0]);

export interface VirtioMmioStats {
  notifies: number;
  usedBuffers: number;
  interrupts: number;
  errors: number;
}

export class VirtioMmio implements Device {
  readonly name: string;
  readonly stats: VirtioMmioStats = { notifies: 0, usedBuffers: 0, interrupts: 0, errors: 0 };
  /** Offered features as two 32-bit words (bits 0..31, 32..63). */
  readonly deviceFeatures: [number, number] = [0, 0];
  readonly driverFeatures: [number, number] = [0, 0];
  status = 0;
  interruptStatus = 0;
  readonly queues: Virtqueue[];
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private queueSel = 0;
  private irqLevel = false;
  /** A log line (unknown register, guest error); default: ignored. */
  onLog: (msg: string) => void = () => {};

  constructor(
    readonly backend: VirtioBackend,
    readonly port: DmaPort,
    private readonly setIrq: (level: boolean) => void,
  ) {
    this.name = `virtio-mmio(${port.name})`;
    const offered = [...backend.featureBits, VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM];
    for (const b of offered) {
      const [lo, hi] = bit(b);
      this.deviceFeatures[0] = (this.deviceFeatures[0] | lo) >>> 0;
      this.deviceFeatures[1] = (this.deviceFeatures[1] | hi) >>> 0;
    }
    this.queues = backend.queueMax.map(
      (max, i) =>
        new Virtqueue(
          i,
          Math.min(max, VIRTQ_MAX_SIZE),
          port,
          (msg) => this.deviceError(msg),
          () => this.raise(INT_USED_BUFFER),
        ),
    );
    backend.attach?.(this.queues);
  }

  /** Driver accepted feature bit n (after FEATURES_OK). */
  negotiated(n: number): boolean {
    const [lo, hi] = bit(n);
    return ((this.driverFeatures[0] & lo) | (this.driverFeatures[1] & hi)) !== 0;
  }

  private raise(bits: number): void {
    if (bits & INT_USED_BUFFER) this.stats.usedBuffers++;
    this.interruptStatus |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    const level = this.interruptStatus !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      if (level) this.stats.interrupts++;
      this.setIrq(level);
    }
  }

  /** 2.1.2: on an error the device sets DEVICE_NEEDS_RESET and sends a configuration change notification. */
  private deviceError(msg: string): void {
    this.stats.errors++;
    this.onLog(`${this.name}: ${msg}; device needs reset`);
    if (this.status & STATUS.DEVICE_NEEDS_RESET) return;
    this.status |= STATUS.DEVICE_NEEDS_RESET;
    if (this.status & STATUS.DRIVER_OK) this.raise(INT_CONFIG_CHANGE);
  }

  /** Device reset (4.2.3.1: the driver writes 0 to Status; also a board reset). */
  reset(): void {
    this.status = 0;
    this.interruptStatus = 0;
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0;
    this.driverFeatures[0] = this.driverFeatures[1] = 0;
    for (const q of this.queues) q.reset();
    this.backend.reset();
    this.updateIrq();
  }

  private get queue(): Virtqueue | undefined {
    return this.queues[this.queueSel];
  }

  read(offset: number, size: number): number {
    if (offset >= VIRTIO_MMIO.Config) return this.readConfig(offset - VIRTIO_MMIO.Config, size);
    // 4.2.2.2: the driver MUST use 32-bit accesses for the registers before the config space.
    if (size !== 4) {
      this.onLog(`${this.name}: ${size}-byte read at +0x${offset.toString(16)} (registers are 32-bit)`);
      return 0;
    }
    const q = this.queue;
    switch (offset) {
      case VIRTIO_MMIO.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case VIRTIO_MMIO.Version:
        return VIRTIO_MMIO_VERSION;
      case VIRTIO_MMIO.DeviceID:
        return this.backend.deviceId;
      case VIRTIO_MMIO.VendorID:
        return VIRTIO_VENDOR;
      case VIRTIO_MMIO.DeviceFeatures:
        return this.deviceFeaturesSel < 2 ? this.deviceFeatures[this.deviceFeaturesSel] : 0;
      case VIRTIO_MMIO.QueueNumMax:
        // 0: the queue is not available (4.2.3.2).
        return q ? q.maxSize : 0;
      case VIRTIO_MMIO.QueueReady:
        return q?.ready ? 1 : 0;
      case VIRTIO_MMIO.InterruptStatus:
        return this.interruptStatus;
      case VIRTIO_MMIO.Status:
        return this.status;
      case VIRTIO_MMIO.QueueDescLow:
        return q ? q.descAddr % 2 ** 32 : 0;
      case VIRTIO_MMIO.QueueDescHigh:
        return q ? Math.floor(q.descAddr / 2 ** 32) : 0;
      case VIRTIO_MMIO.QueueDriverLow:
        return q ? q.driverAddr % 2 ** 32 : 0;
      case VIRTIO_MMIO.QueueDriverHigh:
        return q ? Math.floor(q.driverAddr / 2 ** 32) : 0;
      case VIRTIO_MMIO.QueueDeviceLow:
        return q ? q.deviceAddr % 2 ** 32 : 0;
      case VIRTIO_MMIO.QueueDeviceHigh:
        return q ? Math.floor(q.deviceAddr / 2 ** 32) : 0;
      case VIRTIO_MMIO.SHMLenLow:
      case VIRTIO_MMIO.SHMLenHigh:
      case VIRTIO_MMIO.SHMBaseLow:
      case VIRTIO_MMIO.SHMBaseHigh:
        // 4.2.2 (1.2): a length of all ones means the selected shared memory region does not exist.
        return 0xffffffff;
      case VIRTIO_MMIO.ConfigGeneration:
        return 0; // the configuration space never changes after reset
      default:
        this.onLog(`${this.name}: read of write-only or unknown register +0x${offset.toString(16)}`);
        return 0;
    }
  }

  write(offset: number, size: number, value: number): void {
    if (offset >= VIRTIO_MMIO.Config) {
      this.onLog(`${this.name}: write to configuration space +0x${(offset - VIRTIO_MMIO.Config).toString(16)} ignored`);
      return;
    }
    if (size !== 4) {
      this.onLog(`${this.name}: ${size}-byte write at +0x${offset.toString(16)} ignored (registers are 32-bit)`);
      return;
    }
    const v = value >>> 0;
    const q = this.queue;
    switch (offset) {
      case VIRTIO_MMIO.DeviceFeaturesSel:
        this.deviceFeaturesSel = v;
        return;
      case VIRTIO_MMIO.DriverFeatures:
        // 3.1.1: features are written before FEATURES_OK; later writes are ignored.
        if (this.driverFeaturesSel < 2 && !(this.status & STATUS.FEATURES_OK)) this.driverFeatures[this.driverFeaturesSel] = v;
        return;
      case VIRTIO_MMIO.DriverFeaturesSel:
        this.driverFeaturesSel = v;
        return;
      case VIRTIO_MMIO.QueueSel:
        this.queueSel = v;
        return;
      case VIRTIO_MMIO.QueueNum:
        if (q && !q.ready) q.size = v;
        return;
      case VIRTIO_MMIO.QueueReady:
        if (q) this.setReady(q, (v & 1) !== 0);
        return;
      case VIRTIO_MMIO.QueueNotify:
        this.notify(v);
        return;
      case VIRTIO_MMIO.InterruptACK:
        this.interruptStatus &= ~v;
        this.updateIrq();
        return;
      case VIRTIO_MMIO.Status:
        this.writeStatus(v & 0xff);
        return;
      case VIRTIO_MMIO.QueueDescLow:
      case VIRTIO_MMIO.QueueDescHigh:
      case VIRTIO_MMIO.QueueDriverLow:
      case VIRTIO_MMIO.QueueDriverHigh:
      case VIRTIO_MMIO.QueueDeviceLow:
      case VIRTIO_MMIO.QueueDeviceHigh:
        if (q && !q.ready) this.setQueueAddr(q, offset, v);
        return;
      case VIRTIO_MMIO.SHMSel:
        return;
      default:
        this.onLog(`${this.name}: write to read-only or unknown register +0x${offset.toString(16)} ignored`);
    }
  }

  private setQueueAddr(q: Virtqueue, offset: number, v: number): void {
    const high = (offset & 4) !== 0;
    const set = (old: number): number =>
      // Exact numbers: a high word of 2^21 or more makes an address no DMA can reach (DmaPort aborts).
      high ? Math.min(v, 0x20_0000) * 2 ** 32 + (old % 2 ** 32) : Math.floor(old / 2 ** 32) * 2 ** 32 + v;
    if (offset < VIRTIO_MMIO.QueueDriverLow) q.descAddr = set(q.descAddr);
    else if (offset < VIRTIO_MMIO.QueueDeviceLow) q.driverAddr = set(q.driverAddr);
    else q.deviceAddr = set(q.deviceAddr);
  }

  private setReady(q: Virtqueue, ready: boolean): void {
    if (!ready) {
      q.ready = false;
      return;
    }
    // 2.6: Queue Size is a power of 2 no larger than QueueNumMax (4.2.3.2).
    if (q.size === 0 || q.size > q.maxSize || (q.size & (q.size - 1)) !== 0) {
      this.deviceError(`queue ${q.index}: QueueNum ${q.size} is not a power of 2 in 1..${q.maxSize}`);
      return;
    }
    q.lastAvail = q.usedIdx = 0;
    q.broken = false;
    q.ready = true;
  }

  private writeStatus(v: number): void {
    if (v === 0) {
      this.reset(); // 4.2.3.1: writing 0 resets the device
      return;
    }
    let s = v;
    if (s & STATUS.FEATURES_OK && !(this.status & STATUS.FEATURES_OK)) {
      // 3.1.1 / 2.2.2: the device refuses FEATURES_OK (it reads back clear) if the driver accepted
      // a feature it did not offer, or (a non-legacy device) did not accept VIRTIO_F_VERSION_1.
      // Behind an IOMMU the device cannot reach the driver's physical addresses untranslated, so
      // it also refuses a driver that does not accept VIRTIO_F_ACCESS_PLATFORM (6.1: "A device MAY
      // fail to operate further if VIRTIO_F_ACCESS_PLATFORM is not accepted").
      const extra = (this.driverFeatures[0] & ~this.deviceFeatures[0]) | (this.driverFeatures[1] & ~this.deviceFeatures[1]);
      if (extra !== 0 || !this.negotiated(VIRTIO_F_VERSION_1) || (this.port.translated && !this.negotiated(VIRTIO_F_ACCESS_PLATFORM))) {
        this.onLog(`${this.name}: FEATURES_OK refused (driver features 0x${this.driverFeatures[1].toString(16)}_${this.driverFeatures[0].toString(16).padStart(8, '0')})`);
        s &= ~STATUS.FEATURES_OK;
      }
    }
    // DEVICE_NEEDS_RESET is the device's to set; the driver cannot clear it except by reset.
    this.status = (s & ~STATUS.DEVICE_NEEDS_RESET) | (this.status & STATUS.DEVICE_NEEDS_RESET);
  }

  private notify(index: number): void {
    this.stats.notifies++;
    const q = this.queues[index];
    if (q === undefined || !q.ready || q.broken) return;
    if (!(this.status & STATUS.DRIVER_OK) || this.status & STATUS.DEVICE_NEEDS_RESET) return;
    this.backend.notify(q);
  }

  private readConfig(off: number, size: number): number {
    const c = this.backend.config;
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = v * 256 + (off + k < c.length ? c[off + k] : 0);
    return v >>> 0;
  }
}
