// Shared by the SMP tests: boot a bare-metal guest on N PEs, semihosting exit, PSCI CPU_ON of all.
import { expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { assemble, CODE_BASE } from '../helpers.js';

/** Boot PE 0 at CODE_BASE on an N-PE machine; the guest ends with semihosting exit(code). */
export async function runSmp(src: string, n: number, quantum: number, maxInsns = 5_000_000): Promise<Machine> {
  const code = await assemble(src);
  const m = new Machine({ smp: n, smpQuantum: quantum, ramSize: 1 << 20 });
  m.bus.load(CODE_BASE, code);
  m.noteLoaded(CODE_BASE + code.length);
  m.boot(BigInt(CODE_BASE));
  const r = m.run(maxInsns);
  expect(r.reason, r.message).toBe('exit');
  return m;
}

export const exit = (reg: string): string => `
  mov x1, ${reg}
  adr x2, argblk
  mov x3, #0x26
  movk x3, #2, lsl #16
  str x3, [x2]
  str x1, [x2, #8]
  mov x1, x2
  mov x0, #0x18
  hlt #0xf000
`;

/** PE 0 starts PEs 1..N-1 at `worker` with context id = their number, then joins as worker 0. */
export const startAll = (n: number): string => `
  mrs x19, mpidr_el1
  and x19, x19, #0xff
  cbnz x19, fail
  mov x20, #1
on_loop:
  cmp x20, #${n}
  b.ge worker_entry0
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, x20
  adr x2, worker
  mov x3, x20
  hvc #0
  cbnz x0, fail
  add x20, x20, #1
  b on_loop
worker_entry0:
  mov x0, #0
worker:
  mov x19, x0            // context id = PE number
  mrs x21, mpidr_el1
  and x21, x21, #0xff
  cmp x21, x19
  b.ne fail               // MPIDR_EL1.Aff0 is the PE number
`;

