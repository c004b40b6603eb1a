// The arm64 Linux boot protocol (the kernel's Documentation/arm64/booting.rst): an Image — raw, or
// gzip-compressed as distributions ship vmlinuz — is copied to a 2 MiB-aligned base + text_offset,
// an initrd and the device tree blob are placed in RAM beside it, and the kernel is entered at its
// first byte with x0 = the DTB's physical address, x1..x3 = 0, MMU and D-cache off, DAIF masked.
//
// The 64-byte Image header (all fields little-endian):
//   0x00 code0/code1 (branch to stext)  0x08 text_offset (u64)  0x10 image_size (u64)
//   0x18 flags (u64): bit 0 big-endian, bits 2:1 page size, bit 3 placement anywhere
//   0x20..0x37 reserved   0x38 magic "ARM\x64"   0x3c PE header offset (EFI stub)
import { gunzipSync, constants } from 'node:zlib';
import { UserError, hex } from '../errors.js';
import { initrdBase, DTB_ALIGN } from './kernel-layout.js';

export const ARM64_MAGIC = 0x644d5241; // "ARM\x64" at offset 0x38
const HEADER_SIZE = 64;
const MiB = 1024 * 1024;
/** booting.rst: the Image must be placed text_offset bytes from a 2 MiB aligned base address. */
const IMAGE_ALIGN = 2 * MiB;
/** booting.rst: the DTB must be 8-byte aligned and not exceed 2 MiB. */
export const DTB_MAX = 2 * MiB;

export interface ImageHeader {
  textOffset: number;
  /** Bytes from the start of the image the kernel uses, BSS included (0 in pre-3.17 kernels). */
  imageSize: number;
  flags: number;
  /** The decompressed Image. */
  image: Uint8Array;
}

function isGzip(d: Uint8Array): boolean {
  return d.length >= 2 && d[0] === 0x1f && d[1] === 0x8b;
}

/** True for an arm64 Image, raw or gzip-compressed (decompressing only the header's worth). */
export function isArm64Image(data: Uint8Array): boolean {
  let d = data;
  if (isGzip(d)) {
    try {
      // Inflate only the start (a sync flush returns what a truncated stream has): the whole
      // kernel is inflated later, once.
      d = gunzipSync(d.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, HEADER_SIZE);
    } catch {
      return false;
    }
  }
  return d.length >= HEADER_SIZE && new DataView(d.buffer, d.byteOffset, HEADER_SIZE).getUint32(0x38, true) === ARM64_MAGIC;
}

/** Parse (and if needed decompress) an arm64 Image; a one-line UserError when it is not one. */
export function parseImage(data: Uint8Array, name: string, maxSize = 1024 ** 3): ImageHeader {
  let image = data;
  if (isGzip(data)) {
    try {
      // The inflated kernel must fit in RAM: stop inflating there (a small gzip can expand to
      // gigabytes, and would have been inflated whole before the size check).
      image = new Uint8Array(gunzipSync(data, { maxOutputLength: maxSize }));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UserError(`${name}: the decompressed Image is larger than RAM (${maxSize} bytes)`);
      }
      throw new UserError(`${name}: gzip data is corrupt (${(e as Error).message})`);
    }
  }
  if (image.length < HEADER_SIZE) throw new UserError(`${name}: too short for an arm64 Image header (${image.length} bytes)`);
  const v = new DataView(image.buffer, image.byteOffset, image.length);
  if (v.getUint32(0x38, true) !== ARM64_MAGIC) {
    throw new UserError(`${name}: not an arm64 Linux Image (no "ARM\\x64" magic at offset 0x38)`);
  }
  const u64 = (off: number): number => {
    if (v.getUint32(off + 4, true) !== 0) throw new UserError(`${name}: Image header field at 0x${off.toString(16)} is implausibly large`);
    return v.getUint32(off, true);
  };
  const textOffset = u64(0x08);
  let imageSize = u64(0x10);
  const flags = u64(0x18);
  if (flags & 1) throw new UserError(`${name}: big-endian kernel (Image flags bit 0); this machine is little-endian`);
  const pageSize = (flags >>> 1) & 3;
  if (pageSize !== 0 && pageSize !== 1) {
    // booting.rst: 0 unspecified, 1 4K, 2 16K, 3 64K. The MMU implements 4K (and 16K) granules;
    // refusing 64K here is clearer than a kernel that dies before its console is up.
    if (pageSize === 3) throw new UserError(`${name}: kernel built for 64K pages (Image flags), which this CPU does not implement`);
  }
  // booting.rst: image_size 0 means an old kernel with text_offset 0x80000 and unknown size.
  if (imageSize === 0) imageSize = image.length;
  if (imageSize < image.length) imageSize = image.length;
  return { textOffset, imageSize, flags, image };
}

export interface LinuxLayout {
  kernel: number;
  kernelEnd: number;
  initrdStart: number;
  initrdEnd: number;
  dtb: number;
}

export interface LinuxRam {
  ramBase: number;
  ramSize: number;
  load(pa: number, data: Uint8Array): void;
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/**
 * Where the pieces go: the kernel at the first 2 MiB boundary above the start of RAM (+ text_offset;
 * the first 2 MiB stay free as booting.rst recommends for older kernels); the initrd and the DTB
 * where QEMU's virt puts them (kernel-layout.ts): the initrd at RAM + min(RAM/2, 128 MiB) or
 * above the kernel's image_size (its BSS) if that is higher, the DTB on the next 2 MiB boundary.
 */
export function planLayout(hdr: ImageHeader, initrdLen: number, dtbMax: number, ram: { ramBase: number; ramSize: number }, name: string): LinuxLayout {
  const base = alignUp(ram.ramBase + IMAGE_ALIGN, IMAGE_ALIGN);
  const kernel = base + hdr.textOffset;
  const kernelEnd = kernel + hdr.imageSize;
  const initrdStart = initrdBase(ram, kernelEnd);
  const initrdEnd = initrdStart + initrdLen;
  const dtb = alignUp(initrdEnd, DTB_ALIGN);
  const need = dtb + dtbMax;
  const ramEnd = ram.ramBase + ram.ramSize;
  if (need > ramEnd) {
    throw new UserError(
      `${name}: kernel (${hdr.imageSize} bytes with BSS)${initrdLen ? `, initrd (${initrdLen} bytes)` : ''} and device tree need RAM up to ${hex(need)}; ` +
        `RAM ends at ${hex(ramEnd)} (use a larger --ram)`,
    );
  }
  return { kernel, kernelEnd, initrdStart, initrdEnd, dtb };
}

/** Copy the kernel and initrd to RAM at the planned addresses (the caller writes the DTB). */
export function placeLinux(ram: LinuxRam, hdr: ImageHeader, initrd: Uint8Array | null, lay: LinuxLayout): void {
  ram.load(lay.kernel, hdr.image);
  if (initrd !== null && initrd.length > 0) ram.load(lay.initrdStart, initrd);
}

/** What the kernel finds in the device tree's /chosen node. */
export interface LinuxChosen {
  bootargs: string;
  /** Physical range of the initrd, or null without one (linux,initrd-start / linux,initrd-end). */
  initrd: { start: number; end: number } | null;
}

export interface LinuxBoot {
  /** The kernel's first instruction (booting.rst: jump to the first byte of the Image). */
  entry: number;
  /** x0 at entry: the DTB's physical address (x1..x3 must be zero). */
  dtb: number;
  layout: LinuxLayout;
  /** End of everything placed (exclusive). */
  end: number;
}

/**
 * Place a kernel, its initrd and a device tree built for them. `makeDtb` receives /chosen and
 * returns the blob (at most 2 MiB, booting.rst), which goes to layout.dtb.
 */
export function loadLinux(
  ram: LinuxRam,
  data: Uint8Array,
  name: string,
  opts: { initrd?: Uint8Array; append?: string },
  makeDtb: (chosen: LinuxChosen) => Uint8Array,
): LinuxBoot {
  const hdr = parseImage(data, name, ram.ramSize);
  const initrd = opts.initrd ?? null;
  const lay = planLayout(hdr, initrd?.length ?? 0, DTB_MAX, ram, name);
  placeLinux(ram, hdr, initrd, lay);
  const dtb = makeDtb({
    bootargs: opts.append ?? '',
    initrd: initrd !== null && initrd.length > 0 ? { start: lay.initrdStart, end: lay.initrdEnd } : null,
  });
  if (dtb.length > DTB_MAX) throw new UserError(`${name}: device tree of ${dtb.length} bytes exceeds the 2 MiB booting.rst allows`);
  ram.load(lay.dtb, dtb);
  return { entry: lay.kernel, dtb: lay.dtb, layout: lay, end: lay.dtb + dtb.length };
}
