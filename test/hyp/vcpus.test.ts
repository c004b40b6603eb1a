// VMs with several vCPUs on the one PE: PSCI CPU_ON/CPU_OFF/AFFINITY_INFO for vCPUs (entry point,
// context id), VMPIDR_EL2 per vCPU, SGIs between vCPUs through the trapped GICD_SGIR (target lists,
// filters 00/01/10, the source in GICV_IAR), the exclusive monitor across vCPU switches, the
// device tree's cpus, and a uniprocessor VM unchanged.
import { describe, it, expect } from 'vitest';
import { runVms, OFF, SCRATCH_IPA } from './hyp-helpers.js';
import { counter } from './vcpu-guests.js';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { vmDtb } from '../../src/hyp/vm-dt.js';
import { VgicDistributor } from '../../src/hyp/vdev/vgic-dist.js';
import { readFdt, fdtFind, propCells, propStrings } from '../../src/loader/fdt.js';

const x = (r: Int32Array, n: number): number => r[2 * n] >>> 0;
const xs = (r: Int32Array, n: number): number => r[2 * n] | 0;

describe('a VM with several vCPUs on one PE', () => {
  for (const [n, slice] of [[2, 7], [4, 13], [2, 1000]] as const) {
    it(`${n} vCPUs, slice ${slice}: CPU_ON with context ids, MPIDR_EL1.Aff0 = vCPU index, LDXR/STXR counter exact`, async () => {
      const r = await runVms([counter(n, 300, true)], { vms: [{ ramSize: 32 << 20, vcpus: n }], slice }, 5_000_000);
      expect(r.vm.stop).toEqual({ kind: 'exit', code: n * 300, message: expect.stringContaining('exit') });
      // Every vCPU ran (startAll checks MPIDR_EL1.Aff0 == its context id, else exits 0xbad).
      for (const v of r.vm.vcpus) expect(v.instructions).toBeGreaterThan(300 * 4);
      expect(r.vm.vcpus.slice(1).every((v) => v.powerOns === 1 && !v.on)).toBe(true);
      expect(r.vm.stats.get('hvc psci')).toBe(2 * (n - 1)); // CPU_ON and CPU_OFF of each secondary
      expect(r.hv.switches).toBeGreaterThan(300 / slice);
    });
  }

  it('the interleaving is real: the same counter without exclusives loses updates with small slices', async () => {
    const r = await runVms([counter(2, 300, false)], { vms: [{ ramSize: 32 << 20, vcpus: 2 }], slice: 7 }, 5_000_000);
    expect(r.vm.stop?.kind).toBe('exit');
    expect(r.vm.stop!.code).toBeLessThan(600);
    expect(r.vm.stop!.code).toBeGreaterThanOrEqual(300);
  });

  it('is deterministic: same instructions, cycles and switches twice', async () => {
    const one = async () => {
      const r = await runVms([counter(3, 100, true)], { vms: [{ ramSize: 32 << 20, vcpus: 3 }], slice: 11 }, 5_000_000);
      return [r.hv.cpu.instret, r.hv.cpu.cycles, r.hv.switches, ...r.vm.vcpus.map((v) => v.instructions)];
    };
    expect(await one()).toEqual(await one());
  });
});

// vCPU 0 powers vCPU 1 on; they exchange SGIs through GICD_SGIR (trapped), each taken at EL1 by
// GICV_IAR (source CPUID in bits [12:10]); vCPU 1 powers itself off; vCPU 0 polls AFFINITY_INFO.
const SGI_GUEST = `
  movz x9, #0x0800, lsl #16     // GICD (trapped)
  movz x10, #0x0801, lsl #16    // GICC = GICV (stage 2)
  adr x1, vectors
  msr vbar_el1, x1
  isb
  mov w1, #1
  str w1, [x9]                  // GICD_CTLR.EnableGrp0
  str w1, [x10]                 // GICC_CTLR (vCPU 0's interface)
  mov w1, #0xff
  str w1, [x10, #4]             // GICC_PMR
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0                        // AFFINITY_INFO(vCPU 1, level 0): OFF
  mov x27, x0
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #0
  adr x2, sec
  mov x3, #0
  hvc #0                        // CPU_ON(vCPU 0): ALREADY_ON
  mov x25, x0
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #2
  adr x2, sec
  hvc #0                        // CPU_ON(vCPU 2) of a 2-vCPU VM: INVALID_PARAMETERS
  mov x26, x0
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, sec
  mov x3, #0x77
  hvc #0                        // CPU_ON(vCPU 1, sec, context id 0x77)
  cbnz x0, fail
  msr daifclr, #2
  adr x5, ready
pw1:
  ldr w6, [x5]
  cbz w6, pw1
  movz w1, #0x0002, lsl #16     // TargetListFilter 0, CPUTargetList = vCPU 1
  add w1, w1, #5
  str w1, [x9, #0xf00]          // GICD_SGIR: SGI 5 to vCPU 1
  movz w1, #0x000c, lsl #16     // CPUTargetList = CPUs 2, 3: none exists
  add w1, w1, #9
  str w1, [x9, #0xf00]
pw2:
  cbnz x18, pw3
  wfi
  b pw2
pw3:
  mov x22, x21                  // vCPU 1's SGI 7, by filter 1
  movz w1, #0x0200, lsl #16     // TargetListFilter 2: the requesting CPU only
  add w1, w1, #3
  str w1, [x9, #0xf00]
pw4:
  cmp x18, #2
  b.eq pw5
  wfi
  b pw4
pw5:
  mov x23, x21
pw6:
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0                        // AFFINITY_INFO(vCPU 1) until OFF
  cmp x0, #1
  b.ne pw6
  mov x24, x0
  ${OFF}
sec:
  mov x19, x0                   // context id
  mrs x20, mpidr_el1
  movz x9, #0x0800, lsl #16
  movz x10, #0x0801, lsl #16
  adr x1, vectors
  msr vbar_el1, x1
  isb
  mov w1, #1
  str w1, [x10]                 // vCPU 1's own GICC_CTLR
  mov w1, #0xff
  str w1, [x10, #4]
  msr daifclr, #2
  adr x5, ready
  mov w6, #1
  str w6, [x5]
sw1:
  cbnz x18, sw2
  wfi
  b sw1
sw2:
  mov x22, x21
  movz w1, #0x0100, lsl #16     // TargetListFilter 1: every CPU but me
  add w1, w1, #7
  str w1, [x9, #0xf00]
  mov x0, #2000
sw3:
  subs x0, x0, #1               // time for a stray SGI 9 to show up (it must not)
  b.ne sw3
  movz x0, #2
  movk x0, #0x8400, lsl #16
  hvc #0                        // CPU_OFF
fail:
  mov x0, #0xbad
  b fail
  .balign 8
ready: .quad 0
  .balign 0x800
vectors:
  .space 0x280
  ldr w2, [x10, #0xc]           // GICV_IAR
  str w2, [x10, #0x10]          // GICV_EOIR (with the same CPUID)
  mov x21, x2
  add x18, x18, #1
  eret
`;

describe('SGIs and PSCI between the vCPUs of a VM', () => {
  it('GICD_SGIR target list / all-but-self / self, the source vCPU in GICV_IAR; CPU_ON errors; CPU_OFF; AFFINITY_INFO', async () => {
    const r = await runVms([SGI_GUEST], { vms: [{ ramSize: 32 << 20, vcpus: 2 }], slice: 500 }, 2_000_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    const v0 = r.vm.vcpus[0].ctx.r;
    const v1 = r.vm.vcpus[1].ctx.r;
    expect(xs(v0, 27)).toBe(1); // AFFINITY_INFO: OFF before CPU_ON
    expect(xs(v0, 25)).toBe(-4); // ALREADY_ON
    expect(xs(v0, 26)).toBe(-2); // INVALID_PARAMETERS
    expect(x(v1, 19)).toBe(0x77); // X0 = context id at the entry point
    expect(x(v1, 20)).toBe(0x8000_0001); // MPIDR_EL1 = VMPIDR_EL2: Aff0 = 1
    expect(x(v1, 22)).toBe(5); // SGI 5 from CPU 0
    expect(x(v1, 18)).toBe(1); // and nothing else (SGI 9 went to CPUs that do not exist)
    expect(x(v0, 22)).toBe((1 << 10) | 7); // SGI 7 from CPU 1, by "all but self"
    expect(x(v0, 23)).toBe(3); // SGI 3 to itself
    expect(x(v0, 18)).toBe(2);
    expect(xs(v0, 24)).toBe(1); // AFFINITY_INFO: OFF after CPU_OFF
    expect(r.vm.vcpus[1].on).toBe(false);
    expect(r.vm.stats.get('mmio-write gicd GICD_SGIR')).toBe(4);
  });
});

// vCPU 1 asks for SYSTEM_RESET: the VM restarts on vCPU 0 with vCPU 1 off (the scratch device,
// outside RAM, remembers the first boot).
const RESET_GUEST = `
  movz x9, #${SCRATCH_IPA >>> 16}, lsl #16
  ldr w1, [x9]
  cbnz w1, again
  mov w1, #1
  str w1, [x9]
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, sec
  mov x3, #0
  hvc #0                        // CPU_ON(vCPU 1)
spin:
  b spin
sec:
  movz x0, #9
  movk x0, #0x8400, lsl #16
  hvc #0                        // SYSTEM_RESET from vCPU 1
again:
  mrs x20, mpidr_el1
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0                        // AFFINITY_INFO(vCPU 1): OFF after the reset
  mov x21, x0
  ${OFF}
`;

describe('PSCI SYSTEM_RESET from a secondary vCPU', () => {
  it('restarts the VM on vCPU 0 with the other vCPUs off', async () => {
    const r = await runVms([RESET_GUEST], { vms: [{ ramSize: 32 << 20, vcpus: 2 }], slice: 300 }, 200_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    expect(r.vm.resets).toBe(1);
    expect(x(r.vm.vcpus[0].ctx.r, 20)).toBe(0x8000_0000);
    expect(xs(r.vm.vcpus[0].ctx.r, 21)).toBe(1);
    expect(r.vm.vcpus[1].on).toBe(false);
  });
});

// Both vCPUs wait in WFI with no timer armed (vCPU 1 started by CPU_ON): nothing can wake them but
// the UART's receive interrupt.
const IDLE_GUEST = `
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, idle
  mov x3, #0
  hvc #0
idle:
  wfi
  b idle
`;

describe('an interactive VM whose vCPUs are all idle', () => {
  it('leaves run() to wait for host input (idleForInput) instead of passing the PE between idle vCPUs', async () => {
    const r = await runVms([IDLE_GUEST], { vms: [{ ramSize: 32 << 20, vcpus: 2 }] }, 0, (run) => (run.hv.hostInputOpen = true));
    const res = r.hv.run(1_000_000);
    expect(r.hv.idleForInput).toBe(true);
    expect(r.hv.idleDeadline).toBe(Infinity);
    expect(res.instructions).toBeLessThan(100);
    expect(r.vm.stats.get('wfi')).toBe(2);
    // Without host input nothing can wake the two idle vCPUs (no timer): after each has been
    // resumed twice in a row only to wait again, the VM stops as a lone WFI does (hypervisor next()).
    const q = await runVms([IDLE_GUEST], { vms: [{ ramSize: 32 << 20, vcpus: 2 }] }, 1_000_000);
    expect(q.hv.idleForInput).toBe(false);
    expect(q.vm.stop).toEqual({ kind: 'error', code: 1, message: 'WFI with no interrupt source' });
    expect(q.vm.stats.get('wfi')).toBeLessThan(10);
  });
});

// SPI 33 (the virtual UART's receive interrupt) routed to vCPU 1 by GICD_ITARGETSR: vCPU 1 takes
// it, vCPU 0 (interrupts unmasked, waiting) never does. Then routed to vCPU 0 for a second byte.
const SPI_GUEST = `
  movz x9, #0x0800, lsl #16
  movz x10, #0x0801, lsl #16
  movz x11, #0x0900, lsl #16
  adr x1, vectors
  msr vbar_el1, x1
  isb
  mov w1, #1
  str w1, [x9]                  // GICD_CTLR
  str w1, [x10]                 // vCPU 0's GICC_CTLR
  mov w1, #0xff
  str w1, [x10, #4]
  mov w1, #2
  strb w1, [x9, #0x821]         // GICD_ITARGETSR8 byte 1: SPI 33 -> CPU 1
  mov w1, #2
  str w1, [x9, #0x104]          // GICD_ISENABLER1: INTID 33
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, sec
  mov x3, #0
  hvc #0
  msr daifclr, #2
  mov w1, #0x10
  str w1, [x11, #0x38]          // UARTIMSC.RXIM: the pending byte raises SPI 33
  adr x5, flag
pw0:
  ldr w6, [x5]
  cbz w6, pw0                   // until vCPU 1 took it
  mov x23, x18                  // vCPU 0's interrupts so far: none
  mov w1, #1
  strb w1, [x9, #0x821]         // SPI 33 -> CPU 0 now
  mov w1, #0x10
  str w1, [x11, #0x38]          // the second byte raises it again
pw1:
  cbnz x18, pw2
  wfi
  b pw1
pw2:
  mov x24, x21
  ${OFF}
sec:
  movz x10, #0x0801, lsl #16
  movz x11, #0x0900, lsl #16
  adr x1, vectors
  msr vbar_el1, x1
  isb
  mov w1, #1
  str w1, [x10]
  mov w1, #0xff
  str w1, [x10, #4]
  msr daifclr, #2
sw0:
  cbnz x18, sw1
  wfi
  b sw0
sw1:
  adr x5, flag
  mov w6, #1
  str w6, [x5]
sw2:
  wfi
  b sw2
  .balign 8
flag: .quad 0
  .balign 0x800
vectors:
  .space 0x280
  ldr w2, [x10, #0xc]           // GICV_IAR
  mov x21, x2
  ldr w3, [x11]                 // UARTDR: the byte (the line drops)
  str wzr, [x11, #0x38]         // UARTIMSC: off until asked again
  add x22, x22, x3
  str w2, [x10, #0x10]
  add x18, x18, #1
  eret
`;

describe('SPIs routed by GICD_ITARGETSR', () => {
  it('the UART\'s SPI 33 reaches only the vCPU its target list names', async () => {
    const r = await runVms([SPI_GUEST], { vms: [{ ramSize: 32 << 20, vcpus: 2, uartInput: 'AB' }], slice: 200 }, 1_000_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    const v0 = r.vm.vcpus[0].ctx.r;
    const v1 = r.vm.vcpus[1].ctx.r;
    expect(x(v1, 18)).toBe(1);
    expect(x(v1, 21)).toBe(33);
    expect(x(v1, 22)).toBe(0x41); // 'A' read by vCPU 1
    expect(x(v0, 23)).toBe(0); // vCPU 0 took nothing while SPI 33 targeted CPU 1
    expect(x(v0, 18)).toBe(1);
    expect(x(v0, 24)).toBe(33);
    expect(x(v0, 22)).toBe(0x42); // 'B' read by vCPU 0 once retargeted
  });
});

describe('the virtual distributor with several CPU interfaces', () => {
  it('banks SGI/PPI state per vCPU, reads ITARGETSR0-7 as the accessing CPU, routes SPIs by ITARGETSR', () => {
    const d = new VgicDistributor(2);
    expect(d.read(0x004, 4) >>> 5).toBe(1); // GICD_TYPER.CPUNumber = 2 - 1
    d.write(0x100, 4, 1 << 27); // vCPU 0 enables PPI 27
    expect(d.read(0x800, 4)).toBe(0x0101_0101);
    d.select(1);
    expect(d.read(0x800, 4)).toBe(0x0202_0202);
    expect(d.read(0x81c, 1)).toBe(2);
    expect(d.enabled[27]).toBe(0); // vCPU 1's bank
    d.write(0x100, 4, 1 << 30);
    d.select(0);
    expect(d.enabled[27]).toBe(1);
    expect(d.enabled[30]).toBe(0);
    expect(d.bank(1).enabled[30]).toBe(1);
    // SPI 40 targeted at vCPU 1 (the bits of CPUs that do not exist are dropped).
    d.write(0x800 + 40, 1, 0xfe);
    expect(d.read(0x800 + 40, 1)).toBe(2);
    expect(d.routedTo(40, 1)).toBe(true);
    expect(d.routedTo(40, 0)).toBe(false);
    d.write(0x000, 4, 1);
    d.write(0x104, 4, 1 << 8);
    d.write(0x204, 4, 1 << 8); // pending
    expect(d.hasWorkFor(1)).toBe(true);
    expect(d.hasWorkFor(0)).toBe(false);
    // An SGI from vCPU 0 to vCPU 1: vCPU 1's bank, source bit 0 in its GICD_SPENDSGIR.
    let woken = 0;
    d.onSgi = (m) => (woken = m);
    d.write(0xf00, 4, (0 << 24) | (2 << 16) | 4);
    expect(woken).toBe(2);
    expect(d.bank(1).sgiSources[4]).toBe(1);
    expect(d.pending[4]).toBe(0);
    d.select(1);
    expect(d.read(0xf14, 1)).toBe(1); // SPENDSGIR1 byte 0: SGI 4 from CPU 0
    // Filter 3 is reserved: nothing happens.
    d.write(0xf00, 4, (3 << 24) | 6);
    expect(d.pending[6]).toBe(0);
  });

  it('one CPU interface keeps the uniprocessor behaviour: ITARGETSR RAZ/WI, CPUNumber 0', () => {
    const d = new VgicDistributor();
    expect(d.read(0x004, 4) >>> 5).toBe(0);
    d.write(0x820, 4, 0x01010101);
    expect(d.read(0x800, 4)).toBe(0);
    expect(d.read(0x820, 4)).toBe(0);
    expect(() => new VgicDistributor(9)).toThrow(/1 to 8/);
  });
});

describe('configuration and device tree', () => {
  it('the VM device tree has one cpu@i per vCPU with enable-method psci', () => {
    const hv = new Hypervisor({ vms: [{ ramSize: 16 << 20, vcpus: 3 }, { ramSize: 16 << 20 }] });
    const t = readFdt(vmDtb(hv.vms[0])).root;
    for (let i = 0; i < 3; i++) {
      const c = fdtFind(t, `/cpus/cpu@${i}`)!;
      expect(propCells(c, 'reg')).toEqual([i]);
      expect(propStrings(c, 'enable-method')).toEqual(['psci']);
    }
    expect(fdtFind(t, '/cpus/cpu@3')).toBeUndefined();
    const t1 = readFdt(vmDtb(hv.vms[1])).root;
    expect(fdtFind(t1, '/cpus/cpu@0')).toBeDefined();
    expect(fdtFind(t1, '/cpus/cpu@1')).toBeUndefined();
    expect(hv.vcpus.length).toBe(4);
    expect(hv.vms[0].vcpus[2].vmpidr).toBe(0x8000_0002);
  });

  it('refuses a vCPU count a GICv2 cannot have', () => {
    expect(() => new Hypervisor({ vms: [{ ramSize: 16 << 20, vcpus: 9 }] })).toThrow(/vcpus must be 1 to 8/);
    expect(() => new Hypervisor({ vms: [{ ramSize: 16 << 20, vcpus: 0 }] })).toThrow(/vcpus must be 1 to 8/);
  });
});
