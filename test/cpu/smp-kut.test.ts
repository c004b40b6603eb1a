// What kvm-unit-tests' arm/psci.c, arm/gic.c (ipi) and arm/selftest.c (smp) check, asked of our
// board by bare-metal guests of our own (facts from reading those tests; no code from them):
// - psci: an unknown function is NOT_SUPPORTED; AFFINITY_INFO of CPU 0 is ON and of CPU 1
//   (never started) OFF; several CPUs racing CPU_ON for the same CPU: exactly one SUCCESS, every
//   other caller ALREADY_ON (DEN0022 5.6.2).
// - selftest smp: every CPU comes up and its MPIDR_EL1 names its own logical number; the device
//   tree's PSCI method is hvc.
// - gic ipi (GICv2): CPU 1 sends SGI 1 to itself (GICD_SGIR filter 2), to a target list (the
//   CPUs of the other parity), and to all but itself (filter 1); each target acknowledges exactly
//   once, nobody else; GICC_IAR gives INTID 1 and the sender's CPU number in CPUID [12:10]
//   (IHI 0048B 4.4.4).
import { describe, it, expect } from 'vitest';
import { assemble } from '../helpers.js';
import { runSmp, exit } from './smp-helpers.js';

const LDADDAL_W17_W18_X16 = '.long 0xb8f10212';
const LDADDAL_W27_W28_X26 = '.long 0xb8fb035c';

const cpuOn = (target: string, entry: string, ctx: string): string => `
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, ${target}
  adr x2, ${entry}
  mov x3, ${ctx}
  hvc #0`;

// CPU 0 checks the PSCI answers, starts CPUs 2..N-1, and once all are ready every one of them
// (CPU 0 too) calls CPU_ON for CPU 1 at the same moment. rets[cpu] = each caller's result;
// valid = a bit per CPU whose MPIDR_EL1.Aff0 equals its logical number.
const psciGuest = (n: number): string => `
  mov x19, #0
  adr x20, res
  movz x0, #1337
  hvc #0
  str x0, [x20]                     // res[0]: function 1337
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #0
  mov x2, #0
  hvc #0
  str x0, [x20, #8]                 // res[1]: AFFINITY_INFO CPU 0
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0
  str x0, [x20, #16]                // res[2]: AFFINITY_INFO CPU 1
  mov x21, #2
start_loop:
  cmp x21, #${n}
  b.ge all_started
  ${cpuOn('x21', 'racer', 'x21')}
  cbnz x0, fail
  add x21, x21, #1
  b start_loop
all_started:
  bl check_mpidr
  adr x16, ready
wait_ready:
  ldr w18, [x16]
  cmp w18, #${n - 2}
  b.ne wait_ready
  adr x16, go
  mov x0, #1
  str x0, [x16]
  bl race
  adr x16, done
wait_done:
  ldr w18, [x16]
  cmp w18, #${n - 1}
  b.ne wait_done
  adr x16, valid
wait_valid:                         // CPU 1 too has come up at the entry the winner gave it
  ldr x18, [x16]
  cmp x18, #${2 ** n - 1}
  b.ne wait_valid
  mov x0, #0
  ${exit('x0')}
racer:
  mov x19, x0
  bl check_mpidr
  adr x16, ready
  mov w17, #1
  ${LDADDAL_W17_W18_X16}
  adr x16, go
wait_go:
  ldr x0, [x16]
  cbz x0, wait_go
  bl race
park:
  wfi
  b park
race:
  mov x22, x30
  ${cpuOn('#1', 'cpu1_entry', '#0')}
  adr x20, rets
  str x0, [x20, x19, lsl #3]
  adr x16, done
  mov w17, #1
  ${LDADDAL_W17_W18_X16}
  ret x22
check_mpidr:
  mrs x0, mpidr_el1
  and x0, x0, #0xff
  cmp x0, x19
  b.ne mpidr_bad
  mov w17, #1
  lsl w17, w17, w19
  adr x16, valid
  ${LDADDAL_W17_W18_X16}
mpidr_bad:
  ret
cpu1_entry:
  mov x19, #1
  bl check_mpidr
cpu1_park:
  wfi
  b cpu1_park
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 8
argblk: .quad 0, 0
ready: .quad 0
go: .quad 0
done: .quad 0
valid: .quad 0
res: .fill 3, 8, 0
rets: .fill 8, 8, 0
`;

describe('kvm-unit-tests psci and selftest smp checks, on our board', () => {
  for (const [n, q] of [[2, 1000], [4, 1], [4, 3], [4, 50], [8, 7]] as const) {
    it(`${n} PEs, quantum ${q}: NOT_SUPPORTED, AFFINITY_INFO ON/OFF, CPU_ON race gives one SUCCESS, MPIDRs`, async () => {
      const src = psciGuest(n);
      const code = await assemble(src);
      const m = await runSmp(src, n, q);
      expect(m.firmware.stop!.code).toBe(0);
      const q64 = (off: number): number => Number(m.bus.dv.getBigInt64(off, true));
      const rets = code.length - 64;
      const res = rets - 24;
      expect([q64(res), q64(res + 8), q64(res + 16)]).toEqual([-1, 0, 1]);
      const callers = Array.from({ length: n }, (_, c) => c).filter((c) => c !== 1);
      const got = callers.map((c) => q64(rets + 8 * c));
      expect(got.filter((r) => r === 0)).toHaveLength(1); // exactly one SUCCESS
      expect(got.filter((r) => r === -4)).toHaveLength(callers.length - 1); // the rest ALREADY_ON
      expect(q64(res - 8)).toBe(2 ** n - 1); // every CPU's MPIDR_EL1.Aff0 is its number
    });
  }
  it('the device tree names hvc as the PSCI conduit (selftest checks the method)', async () => {
    const { readFdt, fdtFind, propStrings } = await import('../../src/loader/fdt.js');
    const { virtBoardDtb } = await import('../../src/loader/virt-dt.js');
    const root = readFdt(virtBoardDtb({ ramBase: 0x4000_0000, ramSize: 1 << 20, cpus: 2 })).root;
    expect(propStrings(fdtFind(root, '/psci')!, 'method')).toEqual(['hvc']);
  });
});

// Every CPU enables its CPU interface and SGIs and waits in WFI with IRQs unmasked; CPU 1 sends
// SGI 1 three ways and after each lets the IPIs settle, then copies acked[] to out[phase][] and
// clears it. The IRQ handler (VBAR_EL1 + 0x280) uses only x24..x28 and x26's LDADDAL.
const ipiGuest = (n: number, targetMask: number): string => `
  movz x22, #0x0800, lsl #16
  mov w0, #1
  str w0, [x22]                     // GICD_CTLR
  mov x21, #1
on_loop:
  cmp x21, #${n}
  b.ge on_done
  ${cpuOn('x21', 'secondary', 'x21')}
  cbnz x0, fail
  add x21, x21, #1
  b on_loop
on_done:
  mov x19, #0
  b common
secondary:
  mov x19, x0
common:
  movz x22, #0x0800, lsl #16        // GICD
  movz x23, #0x0801, lsl #16        // GICC
  adr x0, vectors
  msr vbar_el1, x0
  mov w0, #1
  str w0, [x23]                     // GICC_CTLR
  mov w0, #0xff
  str w0, [x23, #4]                 // GICC_PMR
  mov w0, #0xffff
  str w0, [x22, #0x100]             // GICD_ISENABLER0: this CPU's SGIs
  adr x16, ready
  mov w17, #1
  ${LDADDAL_W17_W18_X16}
  msr daifclr, #2
  cmp x19, #1
  b.eq sender
recv:
  wfi
  b recv
sender:
  adr x16, ready
w_ready:
  ldr w18, [x16]
  cmp w18, #${n}
  b.ne w_ready
  adr x20, out
  movz w0, #1
  movk w0, #0x200, lsl #16          // filter 2: this CPU only, SGI 1
  str w0, [x22, #0xf00]
  bl settle
  movz w0, #1
  movk w0, #${targetMask}, lsl #16  // filter 0, target list
  str w0, [x22, #0xf00]
  bl settle
  movz w0, #1
  movk w0, #0x100, lsl #16          // filter 1: every CPU but this one
  str w0, [x22, #0xf00]
  bl settle
  mov x0, #0
  ${exit('x0')}
settle:
  mov x11, #20000
settle_loop:
  subs x11, x11, #1
  b.ne settle_loop
  adr x12, acked
  mov x13, #0
copy:
  ldr w14, [x12, x13, lsl #2]
  str w14, [x20], #4
  str wzr, [x12, x13, lsl #2]
  add x13, x13, #1
  cmp x13, #${n}
  b.ne copy
  ret
fail:
  mov x0, #0xbad
  ${exit('x0')}
  .balign 0x800
vectors:
  .fill 0x280, 1, 0
  ldr w24, [x23, #0xc]              // GICC_IAR
  and w25, w24, #0x3ff
  cmp w25, #1023
  b.eq spurious
  str w24, [x23, #0x10]             // GICC_EOIR
  adr x26, acked
  add x26, x26, x19, lsl #2
  mov w27, #1
  ${LDADDAL_W27_W28_X26}
  ubfx w24, w24, #10, #3            // CPUID: the sender
  cmp w24, #1
  b.eq sender_ok
  adr x26, bad_sender
  ${LDADDAL_W27_W28_X26}
sender_ok:
  cmp w25, #1
  b.eq irq_ok
  adr x26, bad_irq
  ${LDADDAL_W27_W28_X26}
irq_ok:
  eret
spurious:
  adr x26, spurious_count
  mov w27, #1
  ${LDADDAL_W27_W28_X26}
  eret
  .balign 8
argblk: .quad 0, 0
ready: .quad 0
bad_sender: .word 0
bad_irq: .word 0
spurious_count: .word 0
  .balign 8
acked: .fill 8, 4, 0
out: .fill 24, 4, 0
`;

describe('kvm-unit-tests gic ipi checks (GICv2), on our board', () => {
  for (const [n, q] of [[2, 1000], [4, 5], [4, 1000], [8, 13]] as const) {
    it(`${n} PEs, quantum ${q}: self, target list, broadcast; INTID 1 from CPU 1, each target once`, async () => {
      // kvm-unit-tests' target list from CPU 1: the CPUs of the other parity (0, 2, 4...).
      let mask = 0;
      for (let c = 0; c < n; c += 2) mask |= 1 << c;
      const src = ipiGuest(n, mask);
      const code = await assemble(src);
      const m = await runSmp(src, n, q);
      expect(m.firmware.stop!.code).toBe(0);
      const out = code.length - 96;
      const u32 = (off: number): number => m.bus.dv.getUint32(off, true);
      const phase = (p: number): number[] => Array.from({ length: n }, (_, c) => u32(out + 4 * (p * n + c)));
      const want = (f: (c: number) => boolean): number[] => Array.from({ length: n }, (_, c) => (f(c) ? 1 : 0));
      expect(phase(0)).toEqual(want((c) => c === 1));
      expect(phase(1)).toEqual(want((c) => ((mask >> c) & 1) === 1));
      expect(phase(2)).toEqual(want((c) => c !== 1));
      const flags = code.length - 96 - 32 - 16; // bad_sender, bad_irq, spurious (words)
      expect([u32(flags), u32(flags + 4), u32(flags + 8)]).toEqual([0, 0, 0]);
    });
  }
});

// gic "active": the handler ends the SGI by clearing its active state in the distributor
// (GICD_ICACTIVER0, IHI 0048B 4.3.6) instead of writing GICC_EOIR; a self IPI is still taken
// exactly once (inactive afterwards, not pending again).
const activeGuest = `
  movz x22, #0x0800, lsl #16
  movz x23, #0x0801, lsl #16
  mov w0, #1
  str w0, [x22]
  adr x0, vectors
  msr vbar_el1, x0
  mov w0, #1
  str w0, [x23]
  mov w0, #0xff
  str w0, [x23, #4]
  mov w0, #2
  str w0, [x22, #0x100]             // GICD_ISENABLER0: SGI 1
  msr daifclr, #2
  movz w0, #1
  movk w0, #0x200, lsl #16          // filter 2: self, SGI 1
  str w0, [x22, #0xf00]
  mov x11, #5000
settle:
  subs x11, x11, #1
  b.ne settle
  adr x1, acked
  ldr w0, [x1]
  ldr w2, [x22, #0x300]             // GICD_ISACTIVER0: nothing active now
  add w0, w0, w2
  ${exit('x0')}
  .balign 0x800
vectors:
  .fill 0x280, 1, 0
  ldr w24, [x23, #0xc]              // GICC_IAR
  and w25, w24, #0x3ff
  cmp w25, #1023
  b.eq done_irq
  mov w26, #1
  lsl w26, w26, w25
  str w26, [x22, #0x380]            // GICD_ICACTIVER0: deactivate, no EOI
  adr x26, acked
  ldr w27, [x26]
  add w27, w27, #1
  str w27, [x26]
done_irq:
  eret
  .balign 8
argblk: .quad 0, 0
acked: .word 0
`;

describe('kvm-unit-tests gic active check, on our board', () => {
  it('an SGI deactivated through GICD_ICACTIVER is taken exactly once and left inactive', async () => {
    const m = await runSmp(activeGuest, 2, 1000);
    expect(m.firmware.stop!.code).toBe(1); // acked = 1, GICD_ISACTIVER0 = 0
    expect(m.pes[0].interruptsTaken).toBe(1);
  });
});
