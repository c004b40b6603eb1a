// The disk image for the Linux virtio-blk tests, built from deterministic bytes so the guest's
// sha256 can be compared with the host's. Layout:
//   [0, ROMFS_SIZE)            a romfs file system (Debian builds romfs as a module; ext4 would
//                              need three more) holding /payload.bin and /hello.txt
//   [RAW_OFFSET, DISK_SIZE)    raw pseudo-random bytes the guest reads with dd from /dev/vda
// romfs format (Linux Documentation/filesystems/romfs.rst): every word is big-endian; the
// superblock is "-rom1fs-", the full size, a checksum, the volume name (NUL-terminated, padded
// to 16); then file headers, each 16-byte aligned: next (offset of the next header in the same
// directory | type in bits 0-2 | executable in bit 3), spec.info (directories: the offset of
// their first entry; hard links: the linked header), size, checksum, the name (NUL-terminated,
// padded to 16), the data (padded to 16). A checksum makes the 32-bit big-endian word sum of what
// it covers zero: the first 512 bytes for the superblock, the header and name for a file.

import { busyboxInitramfs } from './linux-initramfs.js';

const ALIGN = 16;
const TYPE_HARDLINK = 0;
const TYPE_DIRECTORY = 1;
const TYPE_REGULAR = 2;

export const PAYLOAD_SIZE = 512 * 1024;
export const HELLO = 'romfs on virtio-blk, read by Linux on a64hv\n';
export const RAW_OFFSET = 1024 * 1024;
export const RAW_SIZE = 1024 * 1024;
export const DISK_SIZE = RAW_OFFSET + RAW_SIZE;

/** Deterministic bytes: xorshift32 from `seed`, little-endian words. */
export function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  let x = seed >>> 0 || 1;
  for (let k = 0; k < n; k += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if (k + 4 <= n) v.setUint32(k, x, true);
    else for (let b = 0; k + b < n; b++) out[k + b] = (x >>> (8 * b)) & 0xff;
  }
  return out;
}

const pad16 = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

/** The 32-bit big-endian word sum of out[start, start+len) (len a multiple of 4), as uint32. */
function wordSum(out: DataView, start: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k += 4) s = (s + out.getUint32(start + k, false)) >>> 0;
  return s;
}

/** The name field: NUL-terminated, padded with zeros to a multiple of 16 bytes. */
function nameBytes(name: string): Uint8Array {
  const b = new TextEncoder().encode(name);
  const f = new Uint8Array(pad16(b.length + 1));
  f.set(b);
  return f;
}

export interface RomfsFile {
  name: string;
  data: Uint8Array;
}

/** A romfs image of one root directory ("." and ".." first, as mkfs tools write them) holding `files`. */
export function romfsImage(volume: string, files: RomfsFile[]): Uint8Array {
  const vol = nameBytes(volume);
  const rootAt = 16 + vol.length;
  const dot = nameBytes('.');
  const dotdot = nameBytes('..');
  // Header offsets, in directory order.
  const entries: { name: Uint8Array; type: number; spec: number; data: Uint8Array; at: number }[] = [];
  let at = rootAt;
  const add = (name: Uint8Array, type: number, spec: number, data: Uint8Array): void => {
    entries.push({ name, type, spec, data, at });
    at += 16 + name.length + pad16(data.length);
  };
  add(dot, TYPE_DIRECTORY, rootAt, new Uint8Array(0)); // the root directory: its entries start at itself
  add(dotdot, TYPE_HARDLINK, rootAt, new Uint8Array(0)); // the root's parent is the root
  for (const f of files) add(nameBytes(f.name), TYPE_REGULAR, 0, f.data);
  const size = at; // the last file's data padded to 16 too: the image ends aligned
  const img = new Uint8Array(Math.max(size, 512));
  const v = new DataView(img.buffer);
  img.set(new TextEncoder().encode('-rom1fs-'), 0);
  v.setUint32(8, size, false);
  img.set(vol, 16);
  entries.forEach((e, k) => {
    const next = k + 1 < entries.length ? entries[k + 1].at : 0;
    v.setUint32(e.at, (next | e.type) >>> 0, false);
    v.setUint32(e.at + 4, e.spec, false);
    v.setUint32(e.at + 8, e.data.length, false);
    img.set(e.name, e.at + 16);
    v.setUint32(e.at + 12, (-wordSum(v, e.at, 16 + e.name.length)) >>> 0, false);
    img.set(e.data, e.at + 16 + e.name.length);
  });
  v.setUint32(12, (-wordSum(v, 0, Math.min(size, 512) & ~3)) >>> 0, false);
  return img.subarray(0, pad16(size));
}

export interface TestDisk {
  image: Uint8Array;
  payload: Uint8Array;
  raw: Uint8Array;
}

/** The test disk: the romfs at 0, the raw region at RAW_OFFSET; DISK_SIZE bytes (a whole number of 512-byte sectors). */
export function testDisk(): TestDisk {
  const payload = pseudoRandomBytes(PAYLOAD_SIZE, 0x5eed_0001);
  const raw = pseudoRandomBytes(RAW_SIZE, 0x5eed_0002);
  const fs = romfsImage('a64hv', [
    { name: 'hello.txt', data: new TextEncoder().encode(HELLO) },
    { name: 'payload.bin', data: payload },
  ]);
  if (fs.length > RAW_OFFSET) throw new Error(`romfs of ${fs.length} bytes overlaps the raw region at ${RAW_OFFSET}`);
  const image = new Uint8Array(DISK_SIZE);
  image.set(fs, 0);
  image.set(raw, RAW_OFFSET);
  return { image, payload, raw };
}

/**
 * /init for the disk boot. It loads the modules in `order` (from /lib/modules), finds /dev/vda,
 * reports its IOMMU group (the virtio-mmio platform device's iommu_group link, present when an
 * IOMMU driver attached it to a domain), reads RAW_SIZE bytes at RAW_OFFSET raw with dd, mounts
 * the romfs and hashes its files, prints the kernel's SMMU/IOMMU lines, and powers off. Every
 * result is one `name: value` line the test looks for.
 */
export function diskScript(order: string[]): string {
  const bs = 64 * 1024;
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${order.join(' ')}; do insmod /lib/modules/$m.ko || echo "insmod-failed: $m"; done
n=0; while [ ! -b /dev/vda ] && [ $n -lt 10 ]; do sleep 1; n=$((n + 1)); done
echo "vda-sectors: $(cat /sys/block/vda/size)"
dev=$(readlink -f /sys/block/vda/device/..)
if [ -e $dev/iommu_group ]; then echo "iommu-group: $(basename $(readlink $dev/iommu_group)) $(ls $dev/iommu_group/devices)"; else echo "iommu-group: none"; fi
echo "raw: $(dd if=/dev/vda bs=${bs} skip=${RAW_OFFSET / bs} count=${RAW_SIZE / bs} 2>/dev/null | sha256sum)"
mkdir -p /mnt
mount -t romfs -o ro /dev/vda /mnt && echo "mounted: $(ls /mnt | tr '\\n' ' ')"
echo "hello: $(cat /mnt/hello.txt)"
echo "file: $(sha256sum /mnt/payload.bin)"
umount /mnt
dmesg | grep -i -e smmu -e iommu | sed 's/^\\[[ 0-9.]*\\] /dmesg: /'
echo "done"
poweroff -f
`;
}

/**
 * The initramfs of the disk boot: busybox, /init = diskScript, and each module `<name>.ko` under
 * /lib/modules; an uncompressed cpio (gunzip would cost the guest ~7% of this boot).
 */
export function diskInitramfs(busybox: Uint8Array, modules: { name: string; data: Uint8Array }[]): Uint8Array {
  return busyboxInitramfs(busybox, diskScript(modules.map((m) => m.name)), [
    { name: 'sys', mode: 0o040755 },
    { name: 'lib', mode: 0o040755 },
    { name: 'lib/modules', mode: 0o040755 },
    ...modules.map((m) => ({ name: `lib/modules/${m.name}.ko`, mode: 0o100644, data: m.data })),
  ], false);
}
