// A virtio-mmio identification block (Virtual I/O Device (VIRTIO) 1.1, 4.2.2 "MMIO Device Register
// Layout"): the registers a driver reads to probe a slot. DeviceID 0 means "no device here" (the
// spec reserves 0), so a driver finds a well-formed but empty slot: this shows a second register
// interface behind the trap (read-only identity, a feature window selected by a write, a status
// register that a write of 0 resets) without a virtqueue implementation.
import type { Device } from '../../devices/bus.js';
import { nameFrom } from './vdev.js';

export const VIRTIO_MAGIC = 0x74726976; // "virt" little-endian
export const VIRTIO_VERSION = 2; // non-legacy
/** Our vendor ID: "A6HV" as a little-endian word (any value is allowed for the vendor). */
export const A64HV_VENDOR = 0x56483641;

const NAMES: Record<number, string> = {
  0x000: 'MagicValue',
  0x004: 'Version',
  0x008: 'DeviceID',
  0x00c: 'VendorID',
  0x010: 'DeviceFeatures',
  0x014: 'DeviceFeaturesSel',
  0x020: 'DriverFeatures',
  0x024: 'DriverFeaturesSel',
  0x070: 'Status',
  0x0fc: 'ConfigGeneration',
};

export class VirtioMmioId implements Device {
  readonly name = 'virtio-mmio';
  status = 0;
  private featuresSel = 0;
  constructor(readonly deviceId = 0) {}

  static regName(offset: number): string {
    return nameFrom(NAMES, offset);
  }

  read(offset: number, size: number): number {
    // The spec requires 32-bit accesses to these registers; other sizes read as zero here.
    if (size !== 4) return 0;
    switch (offset) {
      case 0x000:
        return VIRTIO_MAGIC;
      case 0x004:
        return VIRTIO_VERSION;
      case 0x008:
        return this.deviceId;
      case 0x00c:
        return A64HV_VENDOR;
      case 0x010:
        // Feature bits 32..63 include VIRTIO_F_VERSION_1 (bit 32), required of a non-legacy device.
        return this.featuresSel === 1 ? 1 : 0;
      case 0x070:
        return this.status;
      default:
        return 0; // ConfigGeneration and unimplemented registers read 0
    }
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) return;
    if (offset === 0x014) this.featuresSel = value >>> 0;
    else if (offset === 0x070) this.status = value === 0 ? 0 : (this.status | value) & 0xff; // 0 resets
  }
}
