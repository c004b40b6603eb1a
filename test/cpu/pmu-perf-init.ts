// The /init program of the Linux PMU tests (test/cpu/pmu-linux.test.ts on the board,
// test/cpu/pmu-linux-vm.test.ts in a VM): it counts its own instructions with perf_event_open(2)
// and prints "perf instructions: N"; its initramfs.
import { gzipSync } from 'node:zlib';
import { assembleSource } from '../../src/loader/asm.js';
import { cpioNewc } from '../loader/linux-initramfs.js';

export const LOOP = 1000;

// /init: perf_event_open (241) for PERF_TYPE_HARDWARE/PERF_COUNT_HW_INSTRUCTIONS with
// exclude_kernel (flags bit 5) and exclude_hv (bit 6), enabled at once; a loop of LOOP x (SUBS,
// B.NE); read (63) the count; write (64) it in decimal; reboot (142) to power off. Counted at EL0:
// MOV x19, MOV x9, 2 x LOOP, then MOV, SUB, MOV, MOV and the SVC of read: 2 x LOOP + 7.
const INIT = `
_start:
  adr x0, attr
  mov x1, #0
  mov x2, #-1
  mov x3, #-1
  mov x4, #0
  mov x8, #241
  svc #0
  mov x19, x0
  mov x9, #${LOOP}
loop:
  subs x9, x9, #1
  b.ne loop
  mov x0, x19
  sub x1, sp, #64
  mov x2, #8
  mov x8, #63
  svc #0
  sub x1, sp, #64
  ldr x10, [x1]
  cmp x0, #8
  b.eq have
  mov x10, #0
have:
  sub x11, sp, #1
  mov w12, #10
  strb w12, [x11]
  mov x13, #10
digit:
  udiv x14, x10, x13
  msub x15, x14, x13, x10
  add x15, x15, #48
  sub x11, x11, #1
  strb w15, [x11]
  mov x10, x14
  cbnz x10, digit
  mov x0, #1
  adr x1, prefix
  mov x2, #19
  mov x8, #64
  svc #0
  mov x0, #1
  mov x1, x11
  mov x2, sp
  sub x2, x2, x11
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
prefix:
  .ascii "perf instructions: "
  .balign 8
attr:
  .word 0
  .word 128
  .quad 1
  .quad 0
  .quad 0
  .quad 0
  .quad 0x60
  .skip 80
`;

/** A static ELF64 executable: one PT_LOAD (R+X) of the whole file at 0x400000. */
export async function elf(): Promise<Uint8Array> {
  const base = 0x40_0000;
  const hdr = 64 + 56;
  const code = (await assembleSource(INIT, 'perf-init.S', BigInt(base + hdr))).code;
  const f = new Uint8Array(hdr + code.length);
  const v = new DataView(f.buffer);
  f.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 183, true); // EM_AARCH64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(base + hdr), true); // e_entry
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  v.setUint32(68, 5, true); // R | X
  v.setBigUint64(64 + 16, BigInt(base), true);
  v.setBigUint64(64 + 24, BigInt(base), true);
  v.setBigUint64(64 + 32, BigInt(f.length), true);
  v.setBigUint64(64 + 40, BigInt(f.length), true);
  v.setBigUint64(64 + 48, 0x1000n, true);
  f.set(code, hdr);
  return f;
}

/** The gzipped newc initramfs: /dev/console and /init = elf(). */
export async function perfInitramfs(): Promise<Uint8Array> {
  return new Uint8Array(
    gzipSync(
      cpioNewc([
        { name: 'dev', mode: 0o040755 },
        { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
        { name: 'init', mode: 0o100755, data: await elf() },
      ]),
    ),
  );
}
