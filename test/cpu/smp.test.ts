// Several PEs (src/cpu/smp.ts): PSCI CPU_ON/CPU_OFF/AFFINITY_INFO, the global exclusive monitor,
// WFE/SEV, SGIs between PEs through GICD_SGIR, and deterministic interleaving.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { assemble, CODE_BASE } from '../helpers.js';

/** Boot PE 0 at CODE_BASE on an N-PE machine; the guest ends with semihosting exit(code). */
async function runSmp(src: string, n: number, quantum: number, maxInsns = 5_000_000): Promise<Machine> {
  const code = await assemble(src);
  const m = new Machine({ smp: n, smpQuantum: quantum, ramSize: 1 << 20 });
  m.bus.load(CODE_BASE, code);
  m.noteLoaded(CODE_BASE + code.length);
  m.boot(BigInt(CODE_BASE));
  const r = m.run(maxInsns);
  expect(r.reason, r.message).toBe('exit');
  return m;
}

const exit = (reg: string): string => `
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
const startAll = (n: number): string => `
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

// A counter incremented by every PE through a LDXR/ADD/STXR loop (no lock): only a monitor that
// clears a PE's reservation when another PE stores gives the exact total with tiny quanta.
const atomicCounter = (n: number, iters: number): string => `
  ${startAll(n)}
  adr x9, counter
  mov x11, #${iters}
inc:
  ldxr x12, [x9]
  add x12, x12, #1
  stxr w13, x12, [x9]
  cbnz w13, inc
  subs x11, x11, #1
  b.ne inc
  adr x16, done
  mov w17, #1
  .long 0xb8f10212        // LDADDAL w17, w18, [x16] (keystone lacks LSE)
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

// A spinlock (LDAXR/STXR with WFE, released with STLR) around a plain load/add/store.
const spinlockCounter = (n: number, iters: number): string => `
  ${startAll(n)}
  adr x9, lock
  adr x10, counter
  mov x11, #${iters}
again:
  sevl
spin:
  wfe
  ldaxr w12, [x9]
  cbnz w12, spin
  mov w13, #1
  stxr w14, w13, [x9]
  cbnz w14, spin
  ldr x15, [x10]
  add x15, x15, #1
  str x15, [x10]
  stlr wzr, [x9]
  subs x11, x11, #1
  b.ne again
  adr x16, done
  mov w17, #1
  .long 0xb8f10212        // LDADDAL w17, w18, [x16] (keystone lacks LSE)
  cbnz x19, off
wait:
  ldr w18, [x16]
  cmp w18, #${n}
  b.ne wait
  ldr x0, [x10]
  ${exit('x0')}
off:
  movz x0, #2
  movk x0, #0x8400, lsl #16
  hvc #0
  b fail
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
lock: .quad 0
counter: .quad 0
done: .quad 0
`;

describe('SMP: exclusive monitor across PEs', () => {
  for (const n of [2, 4]) {
    for (const q of [1, 3, 7, 1000]) {
      it(`LDXR/STXR counter, ${n} PEs, quantum ${q}: exact total`, async () => {
        const m = await runSmp(atomicCounter(n, 300), n, q);
        expect(m.firmware.stop!.code).toBe(n * 300);
      });
    }
  }
  it('a reservation cleared by another PE\'s store fails STXR (B2.9.5) and counts it', async () => {
    const m = await runSmp(atomicCounter(2, 300), 2, 3);
    expect(m.pes[0].monitorClears + m.pes[1].monitorClears).toBeGreaterThan(0);
  });
  for (const n of [2, 3, 8]) {
    it(`spinlock with WFE, ${n} PEs, quantum 5: exact total`, async () => {
      const m = await runSmp(spinlockCounter(n, 200), n, 5);
      expect(m.firmware.stop!.code).toBe(n * 200);
    });
  }
  it('same guest, same counts on every run (deterministic interleaving)', async () => {
    const a = await runSmp(spinlockCounter(4, 100), 4, 13);
    const b = await runSmp(spinlockCounter(4, 100), 4, 13);
    expect(a.pes.map((p) => [p.instret, p.cycles])).toEqual(b.pes.map((p) => [p.instret, p.cycles]));
    expect(a.pes.every((p) => p.instret > 0)).toBe(true);
  });
});

// Every PE turns its stage-1 MMU on (one 1 GiB identity block at 0x4000_0000, T0SZ=25, 4K
// granule), then PE 0 issues R broadcast (or local) TLB invalidations while the others load.
const shootdown = (n: number, op: string, rounds: number): string => `
  ${startAll(n)}
  adr x0, ttable
  msr ttbr0_el1, x0
  mov x0, #0xff
  msr mair_el1, x0
  movz x0, #0x3519
  movk x0, #0x80, lsl #16  // T0SZ=25, IRGN0/ORGN0 WB, SH0 inner, EPD1
  msr tcr_el1, x0
  isb
  mrs x0, sctlr_el1
  orr x0, x0, #1
  orr x0, x0, #4
  orr x0, x0, #0x1000
  msr sctlr_el1, x0
  isb
  adr x16, ready
  mov w17, #1
  .long 0xb8f10212        // LDADDAL w17, w18, [x16]
  adr x9, stop
  cbnz x19, load_loop
wait_ready:
  ldr w18, [x16]
  cmp w18, #${n}
  b.ne wait_ready
  mov x11, #${rounds}
  lsr x13, x9, #12         // Xt[43:0] = VA[55:12] for the by-VA forms
shoot:
  tlbi ${op}
  dsb ish
  isb
  ldr x12, [x9]
  subs x11, x11, #1
  b.ne shoot
  mov x12, #1
  str x12, [x9]
  mov x0, #0
  ${exit('x0')}
load_loop:
  ldr x12, [x9]
  cbz x12, load_loop
parked:
  wfi                     // nothing wakes it: PE 0 ends the run
  b parked
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
ready: .quad 0
stop: .quad 0
  .balign 4096
ttable:
  .quad 0
  .quad 0x40000701        // 1 GiB block at 0x4000_0000: AF, inner shareable, AttrIndx 0
  .fill 510, 8, 0
`;

describe('SMP: broadcast TLB maintenance', () => {
  it('TLBI VMALLE1IS reaches every PE and is counted there; pinned counts', async () => {
    const m = await runSmp(shootdown(4, 'vmalle1is', 50), 4, 20);
    expect(m.firmware.stop!.code).toBe(0);
    const [p0, ...others] = m.pes;
    expect(p0.tlbiBroadcasts).toBe(50);
    expect(p0.shootdownsReceived).toBe(0);
    for (const p of others) {
      expect(p.shootdownsReceived).toBe(50);
      expect(p.shootdownsByOp.get('VMALLE1IS')).toBe(50);
      // each loader holds its code and data block entries again between two shootdowns
      expect(p.shootdownEntries).toBeGreaterThan(0);
    }
    expect(p0.tlbiBroadcastEntries).toBe(others.reduce((s, p) => s + p.shootdownEntries, 0));
    // Pinned: the interleaving (quantum 20) and so every count is the same on every run.
    expect(m.pes.map((p) => [p.instret, p.shootdownEntries])).toMatchInlineSnapshot(`
      [
        [
          381,
          0,
        ],
        [
          363,
          48,
        ],
        [
          343,
          48,
        ],
        [
          343,
          48,
        ],
      ]
    `);
  });
  it('TLBI VMALLE1 (not IS) stays on the PE that executes it', async () => {
    const m = await runSmp(shootdown(3, 'vmalle1', 20), 3, 20);
    expect(m.pes[0].tlbiBroadcasts).toBe(0);
    for (const p of m.pes) expect(p.shootdownsReceived).toBe(0);
  });
  it('TLBI VAE1IS removes the VA\'s entries on other PEs', async () => {
    const m = await runSmp(shootdown(2, 'vae1is, x13', 10), 2, 20);
    expect(m.pes[1].shootdownsByOp.get('VAE1IS')).toBe(10);
    expect(m.pes[1].shootdownEntries).toBeGreaterThan(0);
  });
});
