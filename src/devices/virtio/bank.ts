// The 32 virtio-mmio slots of the virt board as one bus device (0x0a00_0000, 0x200 bytes each):
// the bus looks devices up by 4 KiB page and eight slots share a page. A populated slot forwards
// to its transport; an empty slot answers as a transport with DeviceID 0 (Virtual I/O Device
// (VIRTIO) 1.1, 4.2.2: "a device with Device ID 0 ... the driver MUST ignore", so a probing
// driver skips it, as QEMU's empty slots behave) and ignores writes.
import type { Device } from '../bus.js';
import { VIRTIO_MMIO, VIRTIO_MMIO_MAGIC, VIRTIO_MMIO_SIZE, VIRTIO_MMIO_VERSION, VIRTIO_VENDOR, type VirtioMmio } from './mmio.js';

export class VirtioBank implements Device {
  readonly name = 'virtio-mmio';
  readonly slots: (VirtioMmio | null)[];

  constructor(readonly count: number) {
    this.slots = new Array<VirtioMmio | null>(count).fill(null);
  }

  get size(): number {
    return this.count * VIRTIO_MMIO_SIZE;
  }

  read(offset: number, size: number): number {
    const dev = this.slots[Math.floor(offset / VIRTIO_MMIO_SIZE)];
    const off = offset % VIRTIO_MMIO_SIZE;
    if (dev) return dev.read(off, size);
    if (size !== 4) return 0;
    switch (off) {
      case VIRTIO_MMIO.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case VIRTIO_MMIO.Version:
        return VIRTIO_MMIO_VERSION;
      case VIRTIO_MMIO.VendorID:
        return VIRTIO_VENDOR;
      default:
        return 0; // DeviceID 0: no device
    }
  }

  write(offset: number, size: number, value: number): void {
    this.slots[Math.floor(offset / VIRTIO_MMIO_SIZE)]?.write(offset % VIRTIO_MMIO_SIZE, size, value);
  }
}
