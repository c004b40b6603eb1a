// Isolation (an access outside everything a VM owns is a synchronous external abort injected at
// EL1), first-touch RAM, the hypercall interface and the exit statistics.
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X } from './hyp-helpers.js';
import { EXIT_COST_CYCLES } from '../../src/hyp/stats.js';
import { HYP_BASE } from '../../src/hyp/hypervisor.js';

/** Vector table: a synchronous exception at EL1h counts in x23, records ESR/FAR in x20/x21, skips the instruction. */
const VECTORS = `
  .balign 0x800
vectors:
  .space 0x200
  add x23, x23, #1
  mrs x20, esr_el1
  mrs x21, far_el1
  mrs x1, elr_el1
  add x1, x1, #4
  msr elr_el1, x1
  eret`;
const withVectors = (body: string): string => `adr x1, vectors\nmsr vbar_el1, x1\nisb\n${body}\n${OFF}\n.ltorg\n${VECTORS}`;

/**
 * Stage 1 on with TTBR0 tables at IPA 0x4010_0000: L1[1] an identity RAM block, L1[2] (VA
 * 0x8000_0000) a table descriptor pointing at IPA `tableHi` << 16; x9 = VA 0x8000_0000.
 */
const walkTo = (tableHi: number): string => `
      movz x1, #0x4010, lsl #16
      movz x2, #0x0705
      movk x2, #0x4000, lsl #16
      str x2, [x1, #8]
      movz x2, #0x0003
      movk x2, #0x${tableHi.toString(16)}, lsl #16
      str x2, [x1, #16]
      movz x2, #0xff00
      msr mair_el1, x2
      movz x2, #0x3519
      movk x2, #0x0080, lsl #16
      movk x2, #0x0002, lsl #32
      msr tcr_el1, x2
      msr ttbr0_el1, x1
      isb
      mrs x2, sctlr_el1
      orr x2, x2, #1
      msr sctlr_el1, x2
      isb
      movz x9, #0x8000, lsl #16
`;

describe('isolation', () => {
  it("another VM's RAM (named by its PA), holes and the physical devices abort in the guest; the other VM is untouched", async () => {
    // VM0 has 32 MiB at PA 0x4100_0000; VM1's RAM is at PA 0x4300_0000. From VM0, IPA 0x4300_0000
    // is outside its IPA space: stage 2 has no mapping, the hypervisor injects an abort.
    const r = await runVms(
      [
        withVectors(`
          movz x9, #0x4300, lsl #16
          mov x7, #0x55
          str x7, [x9]
          mov x24, x20
          ldr x5, [x9]
          mov x25, x20
          movz x9, #0x0803, lsl #16
          ldr w5, [x9]
          mov x26, x21`),
        `movz x9, #0x4300, lsl #16\nldr x5, [x9]\n${OFF}`,
      ],
      { slice: 1_000_000 },
      100_000,
    );
    // Registers of VM0 are no longer on the CPU (VM1 ran after it): read them from its context.
    const v0 = r.hv.vms[0].vcpu;
    const x = (n: number): bigint => (BigInt(v0.r[2 * n + 1] >>> 0) << 32n) | BigInt(v0.r[2 * n] >>> 0);
    expect(r.hv.vms[0].stop?.message).toBe('PSCI SYSTEM_OFF');
    expect(x(23)).toBe(3n);
    expect(x(24)).toBe(0x9600_0050n); // EC 0x25, IL, WnR, FSC 0x10 synchronous external abort
    expect(x(25)).toBe(0x9600_0010n);
    expect(x(26)).toBe(0x0803_0000n); // FAR_EL1 = the VA (the hypervisor's GICH frame)
    expect(r.hv.vms[0].stats.get('isolation-abort')).toBe(3);
    // VM1's memory at its IPA 0x4300_0000 did not receive VM0's store.
    expect(r.hv.machine.bus.read(r.hv.vms[1].ramPa + 0x300_0000, 4)).toBe(0);
  });
  it("the hypervisor's memory cannot be named: the IPA of the stage-2 root is the VM's own RAM", async () => {
    let root = 0;
    let before: Uint8Array = new Uint8Array();
    const r = await runVms([withVectors('ldr x9, =0x40000000\nmov x7, #0x77\nstr x7, [x9, x10]\nldr x5, [x9, x10]')], {}, 10_000, (run) => {
      root = run.vm.s2.root;
      before = run.hv.machine.bus.readBytes(root, 64);
      // x10 = the root table's offset from 0x4000_0000 (its PA is in hypervisor memory).
      run.vm.vcpu.r[20] = root - HYP_BASE;
    });
    expect(root >= HYP_BASE && root < r.vm.ramPa).toBe(true);
    expect(X(r, 5)).toBe(0x77n);
    expect(X(r, 23)).toBe(0n);
    expect(r.hv.machine.bus.readBytes(root, 64)).toEqual(before);
  });
  it('an instruction fetch outside the VM: instruction abort (EC 0x21, FSC 0x10) at EL1', async () => {
    const r = await runVms(
      [`adr x1, vectors\nmsr vbar_el1, x1\nisb\nmovz x9, #0x0800, lsl #16\nbr x9\n.balign 0x800\nvectors:\n.space 0x200\nmrs x20, esr_el1\nmrs x21, far_el1\n${OFF}`],
      {},
      10_000,
    );
    expect(X(r, 20)).toBe(0x8600_0010n);
    expect(X(r, 21)).toBe(0x0800_0000n);
  });
});

describe('RAM mapped on first touch', () => {
  it('each new page is one stage-2 fault; the access is retried, not skipped', async () => {
    const body = `
      movz x9, #0x4100, lsl #16
      mov x7, #5
    next:
      str x7, [x9]
      ldr x5, [x9]
      add x11, x11, x5
      add x9, x9, #0x1000
      subs x7, x7, #1
      b.ne next`;
    const r = await runVms([`${body}\n${OFF}`], { vms: [{ ramSize: 32 << 20, ram: 'lazy' }] }, 10_000);
    expect(X(r, 11)).toBe(15n); // 5+4+3+2+1: every store and load happened once
    expect(r.vm.stats.get('s2-ram-fault')).toBe(5);
    expect(r.vm.pagesMapped).toBe(6); // the loaded code page + 5
  });
  it('a stage-1 table walk reaching an untouched page (S1PTW) maps it; the walk then sees zeros: a stage-1 fault at EL1', async () => {
    // L1[1]: RAM block (identity); L1[2] (VA 0x8000_0000): a table at IPA 0x4180_0000 never touched.
    const src = withVectors(`${walkTo(0x4180)}
      ldr x5, [x9]`);
    const r = await runVms([src], { vms: [{ ramSize: 32 << 20, ram: 'lazy' }] }, 10_000);
    const walk = r.exits.find((e) => (e.esr & (1 << 7)) !== 0)!; // S1PTW
    expect(walk.hpfar).toBe((0x4180_0000n >> 12n) << 4n);
    expect(X(r, 20)).toBe(0x9600_0006n); // EC 0x25, IL, translation fault level 2 (stage 1)
    expect(X(r, 23)).toBe(1n);
  });
  it('a stage-1 walk reading outside the VM is an external abort on the walk at EL1: FSC 0b0101LL with the stage-1 level', async () => {
    // L1[2] (VA 0x8000_0000) points at a level-2 table at IPA 0x2000_0000, which the VM does not
    // own: the level-2 descriptor read takes a stage-2 fault (S1PTW); the hypervisor answers it as
    // an external abort on that read: ESR_EL1 EC 0x25, IL, FSC 0x16 (level 2), FAR_EL1 = the VA.
    const src = withVectors(`${walkTo(0x2000)}
      add x9, x9, #0x48
      str x5, [x9]`);
    const r = await runVms([src], { vms: [{ ramSize: 32 << 20, ram: 'eager' }] }, 10_000);
    const walk = r.exits.find((e) => (e.esr & (1 << 7)) !== 0)!; // S1PTW
    expect(walk.hpfar).toBe((0x2000_0000n >> 12n) << 4n);
    expect(X(r, 20)).toBe(0x9600_0016n); // EC 0x25, IL, FSC 0x16: external abort on the level-2 walk (WnR 0: the walk reads)
    expect(X(r, 21)).toBe(0x8000_0048n);
    expect(X(r, 23)).toBe(1n);
  });
  it('eager RAM takes no stage-2 faults', async () => {
    const r = await runVms([`movz x9, #0x4100, lsl #16\nstr x9, [x9]\n${OFF}`], {}, 10_000);
    expect(r.vm.stats.get('s2-ram-fault')).toBe(0);
  });
  it('semihosting reaching an untouched page maps it and completes (SYS_WRITE0 from a fresh page)', async () => {
    // Copy "hi\\n" to an untouched page via the hypervisor's loader-free path: the guest writes it
    // (one fault), then SYS_WRITE0 reads it; a second buffer on another page is read only by
    // semihosting (SYS_WRITEC of a zero byte from an untouched page: the call must still succeed).
    const src = `
      movz x9, #0x4180, lsl #16
      movz w2, #0x6968
      movk w2, #0x000a, lsl #16
      str w2, [x9]
      mov x1, x9
      mov x0, #4
      hlt #0xf000
      movz x1, #0x4190, lsl #16
      mov x0, #0x13
      hlt #0xf000
      mov x12, x0
      ${OFF}`;
    const r = await runVms([src], { vms: [{ ramSize: 32 << 20, ram: 'lazy' }] }, 10_000);
    expect(r.vm.output).toBe('hi\n');
    expect(r.vm.stats.get('s2-ram-fault')).toBe(1);
  });
});

describe('hypercalls (HVC #0)', () => {
  it('PSCI and the a64hv calls', async () => {
    const call = (fid: string, out: number): string => `ldr x0, =${fid}\nhvc #0\nmov x${out}, x0`;
    const r = await runVms(
      [
        [
          call('0x84000000', 10), // PSCI_VERSION
          'ldr x1, =0x84000008\n' + call('0x8400000a', 11), // PSCI_FEATURES(SYSTEM_OFF)
          call('0xc6000000', 12), // A64HV_VERSION
          call('0xc6000001', 13) + '\nmov x14, x1', // A64HV_VM_INFO
          'mov x1, #0x41\n' + call('0xc6000002', 15), // A64HV_PUTC 'A'
          call('0xc6000004', 16), // A64HV_EXIT_COUNT
          call('0xc60000ff', 17), // unknown in the range
          call('0xc5000000', 18), // another service
          OFF,
          '.ltorg',
        ].join('\n'),
      ],
      {},
      10_000,
    );
    expect(X(r, 10)).toBe(0x10001n);
    expect(X(r, 11)).toBe(0n);
    expect(X(r, 12)).toBe(0x10000n);
    expect([X(r, 13), X(r, 14)]).toEqual([1n, 1n]);
    expect(r.vm.output).toBe('A');
    expect(X(r, 16)).toBe(5n); // five HVCs before it
    expect(X(r, 17)).toBe(0xffff_ffff_ffff_ffffn);
    expect(X(r, 18)).toBe(0xffff_ffff_ffff_ffffn);
    expect(r.vm.stats.get('hvc psci')).toBe(3);
    expect(r.vm.stats.get('hvc a64hv')).toBe(5);
  });
});

describe('exit statistics', () => {
  it('count exits per device and register, and charge each one to the cycle model', async () => {
    const r = await runVms(
      [`movz x9, #0x0900, lsl #16\nmov w1, #0x41\nldr w2, [x9, #0x18]\nstr w1, [x9]\nldr w2, [x9, #0x18]\nstr w1, [x9]\nldr w3, [x9, #0xfe0]\n${OFF}`],
      {},
      10_000,
    );
    const s = r.vm.stats;
    expect(s.toJSON().byCause).toEqual({
      'hvc psci': 1,
      'mmio-read pl011 UARTFR': 2,
      'mmio-read pl011 UARTPeriphID': 1,
      'mmio-write pl011 UARTDR': 2,
    });
    expect(s.total).toBe(6);
    expect(s.cycles).toBe(6 * EXIT_COST_CYCLES);
    expect(X(r, 3)).toBe(0x11n); // UARTPeriphID0
    expect(r.vm.output).toBe('AA');
  });
  it('an emulated instruction retires: twenty MMIO loads in a row are progress, not a guest lost in exceptions', async () => {
    const r = await runVms([`movz x9, #0x0900, lsl #16\n${'ldr w1, [x9, #0x18]\n'.repeat(20)}${OFF}`], {}, 10_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    expect(r.vm.stats.get('mmio-read pl011 UARTFR')).toBe(20);
    expect(r.hv.cpu.instret).toBe(1 + 20 + 3); // the trapped loads count as retired instructions
  });
});

describe('stage-2 table pool', () => {
  it('sized from the VM RAM: a 1000 MiB lazily mapped VM can first-touch every 2 MiB of it (one level-3 table each)', async () => {
    const { Hypervisor, s2PoolSize } = await import('../../src/hyp/hypervisor.js');
    // RAM / 512 bytes of level-3 tables (8 bytes per 4 KiB page) plus room for the upper levels.
    expect(s2PoolSize(1000 << 20)).toBeGreaterThanOrEqual((1000 << 20) / 512 + 4 * 4096);
    const hv = new Hypervisor({ vms: [{ ramSize: 1000 << 20, ram: 'lazy' }] });
    const vm = hv.vms[0];
    // Before pools were sized from RAM this ran out ("translation table pool exhausted") past ~500 MiB.
    for (let ipa = 0x4000_0000; ipa < 0x4000_0000 + (1000 << 20); ipa += 0x20_0000) expect(vm.mapRamPage(ipa + 0x1000)).toBe(true);
    expect(vm.pagesMapped).toBe(500);
    expect(vm.isMapped(0x4000_0000 + (1000 << 20) - 0x20_0000 + 0x1000)).toBe(true);
  });
});
