// Guests for VMs with several vCPUs (test/hyp/vcpus.test.ts, cli-vcpus.test.ts).
import { startAll, exit } from '../cpu/smp-helpers.js';

// Every vCPU increments one counter `iters` times with LDXR/ADD/STXR; vCPU 0 waits for the others
// (LDADDAL on `done`) and exits with the total. A world switch between two vCPUs clears the local
// exclusive monitor (ARM ARM B2.9: a context switch clears it), so an increment interrupted
// between its LDXR and STXR is retried, and with tiny slices the total is still exact.
export const counter = (n: number, iters: number, atomic: boolean): string => `
  ${startAll(n)}
  adr x9, counter
  mov x11, #${iters}
inc:
  ${atomic ? 'ldxr x12, [x9]' : 'ldr x12, [x9]'}
  add x12, x12, #1
  ${atomic ? 'stxr w13, x12, [x9]\n  cbnz w13, inc' : 'str x12, [x9]'}
  subs x11, x11, #1
  b.ne inc
  adr x16, done
  mov w17, #1
  .long 0xb8f10212        // LDADDAL w17, w18, [x16]
  cbnz x19, off
wait:
  ldr w18, [x16]
  cmp w18, #${n}
  b.ne wait
  ldr x0, [x9]
  ${exit('x0')}
off:
  movz x0, #2
  movk x0, #0x8400, lsl #16
  hvc #0
  b fail                  // CPU_OFF does not return
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
counter: .quad 0
done: .quad 0
`;

