// Several PEs (src/cpu/smp.ts): PSCI CPU_ON/CPU_OFF/AFFINITY_INFO, the global exclusive monitor,
// WFE/SEV, SGIs between PEs through GICD_SGIR, and deterministic interleaving.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { assemble, CODE_BASE } from '../helpers.js';
import { runSmp, exit, startAll } from './smp-helpers.js';

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
  it('a broadcast costs its issuer tlbiBroadcast cycles per other PE (a57: 40); the streams are the same', async () => {
    const is = await runSmp(shootdown(4, 'vmalle1is', 50), 4, 20);
    const local = await runSmp(shootdown(4, 'vmalle1', 50), 4, 20);
    expect(is.pes.map((p) => p.instret)).toEqual(local.pes.map((p) => p.instret));
    expect(is.pes[0].cycles - local.pes[0].cycles).toBe(50 * 3 * 40);
  });
  it('TLBI VAE1IS removes the VA\'s entries on other PEs', async () => {
    const m = await runSmp(shootdown(2, 'vae1is, x13', 10), 2, 20);
    expect(m.pes[1].shootdownsByOp.get('VAE1IS')).toBe(10);
    expect(m.pes[1].shootdownEntries).toBeGreaterThan(0);
  });
});

// SGIs between PEs through GICD_SGIR (IHI 0048B 4.3.15): a target list, "all but me", "me only";
// GICC_IAR reports the source CPU in bits [12:10].
const sgis = (n: number): string => `
  movz x22, #0x0800, lsl #16        // GICD
  movz x23, #0x0801, lsl #16        // GICC
  mov w0, #1
  str w0, [x22]                     // GICD_CTLR.EnableGrp0
  ${startAll(n).replace('adr x2, worker', 'adr x2, secondary')}
  adr x16, ready
w_ready:
  ldr w18, [x16]
  cmp w18, #${n - 1}
  b.ne w_ready
  movz w0, #5
  movk w0, #0x2, lsl #16            // filter 0, target list = PE 1, SGI 5
  str w0, [x22, #0xf00]
  adr x16, cnt
wait5:
  ldr w18, [x16, #20]
  cbz w18, wait5
  movz w0, #6
  movk w0, #0x100, lsl #16          // filter 1 = every PE but this one, SGI 6
  str w0, [x22, #0xf00]
wait6:
  ldr w18, [x16, #24]
  cmp w18, #${n - 1}
  b.ne wait6
  mov w0, #1
  str w0, [x23]                     // GICC_CTLR
  mov w0, #0xff
  str w0, [x23, #4]                 // GICC_PMR
  mov w0, #0xffff
  str w0, [x22, #0x100]             // GICD_ISENABLER0 (banked: PE 0's SGIs)
  movz w0, #7
  movk w0, #0x200, lsl #16          // filter 2 = this PE only, SGI 7
  str w0, [x22, #0xf00]
  ldr w0, [x23, #0xc]               // GICC_IAR, read by hand with IRQs masked
  str w0, [x23, #0x10]              // GICC_EOIR
  adr x16, self
  str w0, [x16]
  mov x0, #0
  ${exit('x0')}
secondary:
  mov x19, x0
  movz x22, #0x0800, lsl #16
  movz x23, #0x0801, lsl #16
  adr x0, vectors
  msr vbar_el1, x0
  mov w0, #1
  str w0, [x23]
  mov w0, #0xff
  str w0, [x23, #4]
  mov w0, #0xffff
  str w0, [x22, #0x100]
  adr x16, ready
  mov w17, #1
  .long 0xb8f10212        // LDADDAL w17, w18, [x16]
  msr daifclr, #2
idle:
  wfi
  b idle
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
ready: .quad 0
self: .quad 0
cnt: .fill 16, 4, 0
src: .fill 16, 4, 0
  .balign 0x800
vectors:
  .fill 0x280, 1, 0
  ldr w0, [x23, #0xc]               // GICC_IAR
  str w0, [x23, #0x10]              // GICC_EOIR
  and w1, w0, #0x3ff
  adr x2, cnt
  add x2, x2, x1, lsl #2
  mov w17, #1
  .long 0xb8f10052        // LDADDAL w17, w18, [x2]
  adr x2, src
  add x2, x2, x19, lsl #2
  str w0, [x2]
  eret
`;

describe('SMP: SGIs between PEs', () => {
  it('GICD_SGIR target list, all-but-self and self filters reach the right CPU interfaces', async () => {
    const code = await assemble(sgis(3));
    const m = new Machine({ smp: 3, smpQuantum: 50, ramSize: 1 << 20 });
    m.bus.load(CODE_BASE, code);
    m.noteLoaded(CODE_BASE + code.length);
    m.boot(BigInt(CODE_BASE));
    const r = m.run(2_000_000);
    expect(r.reason, r.message).toBe('exit');
    expect(m.firmware.stop!.code).toBe(0);
    const u32 = (a: number): number => m.bus.dv.getUint32(a - CODE_BASE, true);
    // The counters: find `cnt` by the SGI 6 count (N-1 = 2) next to SGI 5's (1).
    let cnt = -1;
    for (let a = CODE_BASE; a < CODE_BASE + code.length - 28; a += 4) if (u32(a + 20) === 1 && u32(a + 24) === 2 && u32(a + 28) === 0) cnt = a;
    expect(cnt).toBeGreaterThan(0);
    // src[pe]: the last IAR each secondary read: SGI 6 from CPU 0 (source in bits [12:10] = 0).
    expect(u32(cnt + 64 + 4)).toBe(6);
    expect(u32(cnt + 64 + 8)).toBe(6);
    // PE 0's own SGI 7, acknowledged with its source CPU 0; it went to nobody else.
    expect(u32(cnt - 8)).toBe(7);
    expect(u32(cnt + 28)).toBe(0);
    expect(m.pes[1].interruptsTaken).toBe(2);
    expect(m.pes[2].interruptsTaken).toBe(1);
  });
});

// Code written by one PE reaches the others' decoded blocks (shared codePage): PE 1 calls `f`
// until it returns 2; PE 0 patches f's MOV, then IC IVAU + DSB + ISB as the ARM ARM asks
// (B2.2.5). Stale decoded code on PE 1 would spin until the instruction limit.
const patch = `
  ${startAll(2)}
  adr x9, flag
  cbnz x19, callf
  mov x11, #2000
delay:
  subs x11, x11, #1
  b.ne delay
  adr x10, f
  movz w12, #0x0040
  movk w12, #0xd280, lsl #16   // MOV x0, #2
  str w12, [x10]
  dc cvau, x10
  dsb ish
  ic ivau, x10
  dsb ish
  isb
waitf:
  ldr x12, [x9]
  cbz x12, waitf
  mov x0, #0
  ${exit('x0')}
callf:
  bl f
  cmp x0, #2
  b.ne callf
  str x0, [x9]
parked:
  wfi
  b parked
f:
  mov x0, #1
  ret
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
flag: .quad 0
`;

describe('SMP: code modified by another PE', () => {
  it('a store by PE 0 to code PE 1 has decoded drops PE 1\'s blocks too', async () => {
    const m = await runSmp(patch, 2, 100, 1_000_000);
    expect(m.firmware.stop!.code).toBe(0);
    expect(m.pes[1].instret).toBeGreaterThan(1000);
  });
});

describe('SMP: every PE asleep', () => {
  // PE 0 arms its virtual timer 1 ms ahead (its PPI stays disabled in the GIC, so nothing wakes
  // it), starts PE 1, and both WFI.
  const sleepers = `
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, sleep
  mov x3, #0
  hvc #0
  movz x6, #62500 & 0xffff
  msr cntv_tval_el0, x6
  mov x6, #1
  msr cntv_ctl_el0, x6
sleep:
  wfi
  b sleep
`;
  async function boot(): Promise<Machine> {
    const code = await assemble(sleepers);
    const m = new Machine({ smp: 2, ramSize: 1 << 20 });
    m.bus.load(CODE_BASE, code);
    m.noteLoaded(CODE_BASE + code.length);
    m.boot(BigInt(CODE_BASE));
    return m;
  }
  it('skips modelled time to the earliest timer, then stops: nothing can wake them', async () => {
    const m = await boot();
    const r = m.run(1_000_000);
    expect(r.reason).toBe('error');
    expect(r.message).toMatch(/every PE asleep/);
    expect(m.pes[0].idleCycles).toBeGreaterThan(900_000); // 1 ms = 1e6 cycles at 1 GHz
    expect(m.pes[1].idleCycles).toBeGreaterThan(900_000); // PE 1 slept through the same time
  });
  it('interactive: leaves run() for the host to pace the idle time, then waits for input', async () => {
    const m = await boot();
    m.firmware.hostInputOpen = true;
    const r = m.run(1_000_000);
    expect(r.reason).toBe('limit');
    const d = m.firmware.idleDeadline;
    expect(d).toBeGreaterThan(m.cpu.cycles);
    m.cpu.idleFor(d - m.cpu.cycles); // what paceIdle does once the time has passed
    m.firmware.idleDeadline = -1;
    const r2 = m.run(1_000_000);
    expect(r2.reason).toBe('limit');
    expect(m.firmware.idleForInput).toBe(true);
    expect(m.pes[1].cycles).toBeGreaterThanOrEqual(d); // PE 1 caught up with the machine's time
  });
});

describe('SMP: PSCI edge cases and the device tree', () => {
  // Results of each call stored in order: CPU_ON PE 5 (no such CPU), CPU_ON self, AFFINITY_INFO
  // PE 1 (off), CPU_ON PE 1, CPU_ON PE 1 again, AFFINITY_INFO PE 1 (on), AFFINITY_INFO PE 9.
  const calls = `
  adr x20, res
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #5
  adr x2, idle
  hvc #0
  str x0, [x20], #8
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #0
  adr x2, idle
  hvc #0
  str x0, [x20], #8
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0
  str x0, [x20], #8
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, idle
  hvc #0
  str x0, [x20], #8
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, idle
  hvc #0
  str x0, [x20], #8
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0
  str x0, [x20], #8
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #9
  mov x2, #0
  hvc #0
  str x0, [x20], #8
  mov x0, #0
  ${exit('x0')}
idle:
  wfi
  b idle
  .balign 8
argblk: .quad 0, 0
res: .fill 8, 8, 0
`;
  it('CPU_ON: INVALID_PARAMETERS, ALREADY_ON, SUCCESS; AFFINITY_INFO OFF then ON (DEN0022 5.6, 5.7)', async () => {
    const code = await assemble(calls);
    const m = await runSmp(calls, 2, 1000);
    const res = code.length - 64;
    const got = Array.from({ length: 7 }, (_, k) => Number(m.bus.dv.getBigInt64(res + 8 * k, true)));
    expect(got).toEqual([-2, -4, 1, 0, -4, 0, -2]);
  });
  it('the device tree has N cpu nodes with enable-method psci and the timer PPIs for N CPUs', async () => {
    const { readFdt, fdtFind, propCells, propStrings } = await import('../../src/loader/fdt.js');
    const { virtBoardDtb } = await import('../../src/loader/virt-dt.js');
    const root = readFdt(virtBoardDtb({ ramBase: 0x4000_0000, ramSize: 1 << 20, cpus: 4 })).root;
    for (let i = 0; i < 4; i++) {
      const c = fdtFind(root, `/cpus/cpu@${i}`)!;
      expect(propCells(c, 'reg')).toEqual([i]);
      expect(propStrings(c, 'enable-method')).toEqual(['psci']);
    }
    expect(fdtFind(root, '/cpus/cpu@4')).toBeFalsy();
    // arm,gic binding: PPI flags carry the CPU mask in bits [15:8] (0xf for 4 CPUs), level-high 4.
    expect(propCells(fdtFind(root, '/timer')!, 'interrupts')![2]).toBe(0xf04);
  });
});
