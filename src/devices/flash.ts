// The virt board's flash at physical address 0 (QEMU: two 64 MiB CFI banks, 0x0000_0000 and
// 0x0400_0000), modelled as read-only memory for data reads: bank 0 holds the -bios image, the
// rest reads as zero (what QEMU's unbacked pflash reads). There is no CFI command set: writes are
// ignored (and logged), so the board's device tree does not describe it as "cfi-flash". U-Boot
// for QEMU reads its environment at 0x0400_0000 before relocating (a bad CRC there makes it use
// its default environment). Code runs from RAM: instruction fetches from a device region abort.
import type { Device } from './bus.js';

/** One QEMU virt flash bank. */
export const FLASH_BANK_SIZE = 64 * 1024 * 1024;

export class FlashRom implements Device {
  readonly name = 'flash';
  onUnknown: ((msg: string) => void) | null = null;
  private readonly image: Uint8Array;

  /** `image` is the content from offset 0 (at most `size` bytes); the rest reads as zero. */
  constructor(
    image: Uint8Array,
    readonly size: number = 2 * FLASH_BANK_SIZE,
  ) {
    if (image.length > size) throw new Error(`flash image of ${image.length} bytes exceeds ${size}`);
    this.image = image;
  }

  read(offset: number, size: number): number {
    // Little-endian, like RAM; bytes past the image are zero.
    const img = this.image;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const o = offset + i;
      v = (v * 256 + (o < img.length ? img[o] : 0)) >>> 0;
    }
    return v;
  }

  write(offset: number, size: number, value: number): void {
    this.onUnknown?.(`flash: ${size}-byte write of 0x${(value >>> 0).toString(16)} at 0x${offset.toString(16)} ignored (read-only, no CFI commands)`);
  }
}
