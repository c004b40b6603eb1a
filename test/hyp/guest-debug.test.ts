// Debug exceptions routed to EL2 by MDCR_EL2.TDE under the hypervisor (src/hyp/guest-debug.ts):
// a guest-debug event reported to HypervisorOptions.onGuestDebug, which resumes or stops the VM;
// with no handler the VM stops with the event (no longer "unexpected exception to EL2").
// AArch64.SoftwareBreakpoint: BRK from EL1 goes to EL2 too when TDE is set.
import { describe, it, expect } from 'vitest';
import { assembleSource } from '../../src/loader/asm.js';
import { Hypervisor, type ExitRecord } from '../../src/hyp/hypervisor.js';
import type { GuestDebugEvent, GuestDebugAction } from '../../src/hyp/guest-debug.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const BASE = 0x4000_0000;
const SRC = `
  mov x1, #1
  movz x2, #0x4010, lsl #16
  nop
  add x1, x1, #1        // BASE + 0xc: the breakpoint
  brk #0x42             // BASE + 0x10
  add x1, x1, #10
  str x1, [x2, #8]      // BASE + 0x18: the watched store
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0
`;
const MDSCR_MDE = 1 << 15;
/** The hypervisor's CPU, for the handlers (set before the VM runs). */
let live: Cpu;
const MDCR_TDE = 1 << 8;
const BCR_EL1_ADDR = 1 | (3 << 1) | (0xf << 5); // E, PMC = EL1 and EL0, BAS (RES1)
const WCR_STORE_DW = 1 | (3 << 1) | (2 << 3) | (0xff << 5); // E, PAC = EL1 and EL0, LSC = store, BAS = all 8 bytes

async function run(o: { bp?: boolean; wp?: boolean; onGuestDebug?: (e: GuestDebugEvent) => GuestDebugAction }) {
  const exits: ExitRecord[] = [];
  const hv = new Hypervisor({ vms: [{ ramSize: 32 << 20 }], onExit: (e) => exits.push(e), onGuestDebug: o.onGuestDebug });
  const vm = hv.vms[0];
  const img = await assembleSource(SRC, 'dbg.S');
  vm.load(Number(img.base), img.code);
  hv.boot(vm, Number(img.entry));
  hv.run(1); // the VM is entered: program its debug state as a host-side debugger would
  const cpu = hv.cpu;
  cpu.setSys(SYS.OSLSR_EL1, 0x8, 0); // OS lock clear
  cpu.setSys(SYS.MDSCR_EL1, MDSCR_MDE, 0);
  if (o.bp) {
    cpu.setSys(SYS.DBGBVR0_EL1, BASE + 0xc, 0);
    cpu.setSys(SYS.DBGBCR0_EL1, BCR_EL1_ADDR, 0);
  }
  if (o.wp) {
    cpu.setSys(SYS.DBGWVR0_EL1, 0x4010_0008, 0);
    cpu.setSys(SYS.DBGWCR0_EL1, WCR_STORE_DW, 0);
  }
  cpu.setSys(SYS.MDCR_EL2, MDCR_TDE, 0);
  cpu.contextChanged();
  live = cpu;
  hv.run(10_000);
  return { hv, vm, cpu, exits };
}

describe('debug exceptions routed to EL2 by MDCR_EL2.TDE', () => {
  it('with no handler, a breakpoint stops the VM with the event as its message (and is an exit "debug: breakpoint")', async () => {
    const { vm, cpu, exits } = await run({ bp: true });
    expect(vm.stop?.message).toBe(`vm0: guest-debug event (MDCR_EL2.TDE): breakpoint at pc 0x${(BASE + 0xc).toString(16)}`);
    expect(exits.map((e) => [e.ec, e.cause])).toEqual([[0x30, 'debug: breakpoint']]);
    expect(cpu.readX(1)).toBe(1n); // the ADD was not executed
  });

  it('a handler sees each event, disarms or steps over it, and resumes: breakpoint, BRK, watchpoint', async () => {
    const seen: string[] = [];
    const { vm, cpu, exits } = await run({
      bp: true,
      wp: true,
      onGuestDebug: (e) => {
        seen.push(`${e.kind} pc=${e.pc.toString(16)} addr=${e.address.toString(16)} w=${e.write} imm=${e.imm}`);
        const c = live;
        if (e.kind === 'breakpoint') c.setSys(SYS.DBGBCR0_EL1, 0, 0);
        if (e.kind === 'watchpoint') c.setSys(SYS.DBGWCR0_EL1, 0, 0);
        if (e.kind === 'brk') c.setSys(SYS.ELR_EL2, Number(e.pc) + 4, 0); // step over the BRK
        c.contextChanged();
        return 'resume';
      },
    });
    expect(seen).toEqual([
      `breakpoint pc=${(BASE + 0xc).toString(16)} addr=${(BASE + 0xc).toString(16)} w=false imm=0`,
      `brk pc=${(BASE + 0x10).toString(16)} addr=${(BASE + 0x10).toString(16)} w=false imm=66`,
      `watchpoint pc=${(BASE + 0x18).toString(16)} addr=40100008 w=true imm=0`,
    ]);
    expect([vm.stop?.kind, vm.stop?.code]).toEqual(['halt', 0]); // PSCI SYSTEM_OFF at the end
    expect(cpu.readX(1)).toBe(12n);
    expect(exits.filter((e) => e.cause.startsWith('debug:')).map((e) => e.cause)).toEqual(['debug: breakpoint', 'debug: brk', 'debug: watchpoint']);
  });

  it('without TDE, BRK stays with the guest: EC 0x3C to its EL1 vector, no exit', async () => {
    const exits: ExitRecord[] = [];
    const hv = new Hypervisor({ vms: [{ ramSize: 32 << 20 }], onExit: (e) => exits.push(e) });
    const vm = hv.vms[0];
    const src = `
  adr x0, vec
  msr vbar_el1, x0
  brk #0x42
.balign 0x800
vec:
  .skip 0x200
  mrs x5, esr_el1
  mrs x6, elr_el1
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0
`;
    const img = await assembleSource(src, 'brk.S');
    vm.load(Number(img.base), img.code);
    hv.boot(vm, Number(img.entry));
    hv.run(100);
    expect(exits.map((e) => e.ec)).toEqual([0x16]); // only the PSCI HVC
    expect([hv.cpu.readX(5), hv.cpu.readX(6)]).toEqual([BigInt(((0x3c << 26) | (1 << 25) | 0x42) >>> 0), BigInt(BASE + 8)]);
  });
});
