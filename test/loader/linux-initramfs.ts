// A tiny initramfs for Linux boot tests, built here so only the kernel has to come from outside:
// /init is a static AArch64 ELF of a few instructions that write(1, msg) and then
// reboot(LINUX_REBOOT_CMD_POWER_OFF), packed in a cpio "newc" archive (the format the kernel's
// initramfs unpacker reads: Documentation/driver-api/early-userspace/buffer-format.rst).
import { gzipSync } from 'node:zlib';
import { assembleSource } from '../../src/loader/asm.js';

export const INIT_MESSAGE = 'Hello from /init on a64hv';

const EHDR = 64;
const PHDR = 56;
const VBASE = 0x40_0000;

/** The init program: Linux AArch64 syscalls write (64) and reboot (142), numbers in x8. */
async function initCode(base: number, msg: string): Promise<Uint8Array> {
  const src = `
_start:
  mov x0, #1
  adr x1, msg
  mov x2, #${msg.length + 1}
  mov x8, #64
  svc #0
  movz x0, #0xfee1, lsl #16
  movk x0, #0xdead
  movz x1, #0x2812, lsl #16
  movk x1, #0x1969
  movz x2, #0x4321, lsl #16
  movk x2, #0xfedc
  mov x8, #142
  svc #0
hang:
  b hang
msg:
  .ascii "${msg}\\n"
`;
  return (await assembleSource(src, 'init.S', BigInt(base))).code;
}

/** A minimal ELF64 executable: header, one PT_LOAD (R+X) mapping the whole file at VBASE. */
export async function initElf(msg = INIT_MESSAGE): Promise<Uint8Array> {
  const code = await initCode(VBASE + EHDR + PHDR, msg);
  const f = new Uint8Array(EHDR + PHDR + code.length);
  const v = new DataView(f.buffer);
  f.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELFCLASS64, little-endian, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 183, true); // EM_AARCH64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(VBASE + EHDR + PHDR), true); // e_entry
  v.setBigUint64(32, BigInt(EHDR), true); // e_phoff
  v.setUint16(52, EHDR, true);
  v.setUint16(54, PHDR, true);
  v.setUint16(56, 1, true); // e_phnum
  v.setUint32(EHDR + 0, 1, true); // PT_LOAD
  v.setUint32(EHDR + 4, 5, true); // PF_R | PF_X
  v.setBigUint64(EHDR + 16, BigInt(VBASE), true); // p_vaddr
  v.setBigUint64(EHDR + 24, BigInt(VBASE), true); // p_paddr
  v.setBigUint64(EHDR + 32, BigInt(f.length), true); // p_filesz
  v.setBigUint64(EHDR + 40, BigInt(f.length), true); // p_memsz
  v.setBigUint64(EHDR + 48, 0x1000n, true); // p_align
  f.set(code, EHDR + PHDR);
  return f;
}

/** A cpio entry: a directory (mode 0o040xxx), a regular file (0o100xxx, with data) or a device node. */
export type CpioEntry = { name: string; mode: number; data?: Uint8Array; rdev?: [number, number] };

/** cpio newc: "070701", then 13 eight-digit hex fields, the name (NUL-terminated), data; 4-byte padding. */
export function cpioNewc(entries: CpioEntry[]): Uint8Array {
  const parts: number[] = [];
  const pad = (): void => {
    while (parts.length % 4) parts.push(0);
  };
  let ino = 1;
  const all = [...entries, { name: 'TRAILER!!!', mode: 0 }];
  for (const e of all) {
    const data: Uint8Array = 'data' in e && e.data ? e.data : new Uint8Array(0);
    const [maj, min] = 'rdev' in e && e.rdev ? e.rdev : [0, 0];
    const name = new TextEncoder().encode(e.name + '\0');
    // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    const fields = [ino++, e.mode, 0, 0, 1, 0, data.length, 0, 0, maj, min, name.length, 0];
    const hdr = '070701' + fields.map((x) => x.toString(16).toUpperCase().padStart(8, '0')).join('');
    for (const c of hdr) parts.push(c.charCodeAt(0));
    parts.push(...name);
    pad();
    for (let k = 0; k < data.length; k++) parts.push(data[k]); // (spread overflows the stack for MBs)
    pad();
  }
  return new Uint8Array(parts);
}

/** The gzip-compressed initramfs: /dev, /dev/console (char 5:1) and /init. */
export async function buildInitramfs(msg = INIT_MESSAGE): Promise<Uint8Array> {
  const cpio = cpioNewc([
    { name: 'dev', mode: 0o040755 },
    { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
    { name: 'init', mode: 0o100755, data: await initElf(msg) },
  ]);
  return new Uint8Array(gzipSync(cpio));
}

/**
 * The gzip-compressed initramfs of a busybox system: /bin/busybox (a static binary), /dev/console,
 * /proc, and /init = `script` (a `#!/bin/busybox sh` script); `extra` entries (directories before
 * the files in them) are added after those. `gzip` false leaves the archive uncompressed (the
 * kernel takes both; unpacking a gzip'ed one costs the guest about 60 M cycles per 2 MB).
 */
export function busyboxInitramfs(busybox: Uint8Array, script: string, extra: CpioEntry[] = [], gzip = true): Uint8Array {
  const cpio = cpioNewc([
    { name: 'bin', mode: 0o040755 },
    { name: 'bin/busybox', mode: 0o100755, data: busybox },
    { name: 'dev', mode: 0o040755 },
    { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
    { name: 'proc', mode: 0o040755 },
    { name: 'init', mode: 0o100755, data: new TextEncoder().encode(script) },
    ...extra,
  ]);
  return gzip ? new Uint8Array(gzipSync(cpio)) : cpio;
}
