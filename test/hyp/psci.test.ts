// PSCI over HVC on the board firmware (Arm DEN0022 PSCI 1.1; SMCCC DEN0028 register usage).
// Every result below is the value qemu-system-aarch64 7.2 -M virt returns for the same call.
import { describe, it, expect } from 'vitest';
import { runBoard, mov32 } from './board.js';
import { SYS } from '../../src/cpu/sysregs.js';

/** Call PSCI function `fid` with X1..X3 set up by `args`; the result is copied to X20. */
function call(fid: number, args: string[] = []): string {
  // Tests stop the run with maxInsns right after the `mov x20, x0`.
  return [mov32('x0', fid), ...args, 'hvc #0', 'mov x20, x0', 'b done', 'done: nop'].join('\n');
}

describe('PSCI over HVC', () => {
  it('PSCI_VERSION returns 1.1 (0x10001) in X0 and returns to the instruction after the HVC', async () => {
    const { m } = await runBoard(call(0x8400_0000), { maxInsns: 5 });
    expect(m.cpu.readX(20)).toBe(0x10001n);
    expect(m.cpu.pc).toBe(0x4000_0014n); // movz, movk, hvc, mov, b -> at 'done'
  });

  it('SYSTEM_OFF halts with exit code 0 and does not return', async () => {
    const { r, m } = await runBoard(call(0x8400_0008) + '\nnop', { maxInsns: 100 });
    expect(r.reason).toBe('halt');
    expect(r.exitCode).toBe(0);
    expect(r.message).toMatch(/SYSTEM_OFF/);
    expect(r.instructions).toBe(3);
    expect(m.cpu.readX(20)).toBe(0n);
  });

  it('SYSTEM_RESET halts the run with a reset message', async () => {
    const { r } = await runBoard(call(0x8400_0009), { maxInsns: 100 });
    expect(r.reason).toBe('halt');
    expect(r.message).toMatch(/reset/);
  });

  it('an unknown function ID returns NOT_SUPPORTED (-1) sign-extended to 64 bits', async () => {
    const { m } = await runBoard(call(0x8400_001f), { maxInsns: 5 });
    expect(m.cpu.readX(20)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('PSCI_FEATURES: SUCCESS for implemented functions, NOT_SUPPORTED for others', async () => {
    const a = await runBoard(call(0x8400_000a, [mov32('x1', 0x8400_0008)]), { maxInsns: 7 });
    expect(a.m.cpu.readX(20)).toBe(0n);
    const b = await runBoard(call(0x8400_000a, [mov32('x1', 0x8400_0012)]), { maxInsns: 7 });
    expect(b.m.cpu.readX(20)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('CPU_ON of CPU 0 (the caller) is ALREADY_ON (-4); of a missing CPU INVALID_PARAMETERS (-2)', async () => {
    const a = await runBoard(call(0xc400_0003, ['mov x1, #0', 'mov x2, #0x1000', 'mov x3, #0']), { maxInsns: 8 });
    expect(a.m.cpu.readX(20)).toBe(BigInt.asUintN(64, -4n));
    const b = await runBoard(call(0xc400_0003, ['mov x1, #1', 'mov x2, #0x1000', 'mov x3, #0']), { maxInsns: 8 });
    expect(b.m.cpu.readX(20)).toBe(BigInt.asUintN(64, -2n));
  });

  it('AFFINITY_INFO: CPU 0 is ON (0); other CPUs are INVALID_PARAMETERS; level 1 ignores Aff0', async () => {
    const on = await runBoard(call(0xc400_0004, ['mov x1, #0', 'mov x2, #0']), { maxInsns: 7 });
    expect(on.m.cpu.readX(20)).toBe(0n);
    const other = await runBoard(call(0xc400_0004, ['mov x1, #2', 'mov x2, #0']), { maxInsns: 7 });
    expect(other.m.cpu.readX(20)).toBe(BigInt.asUintN(64, -2n));
    const lvl1 = await runBoard(call(0xc400_0004, ['mov x1, #2', 'mov x2, #1']), { maxInsns: 7 });
    expect(lvl1.m.cpu.readX(20)).toBe(0n);
  });

  it('CPU_OFF of the only CPU ends the run', async () => {
    const { r } = await runBoard(call(0x8400_0002), { maxInsns: 100 });
    expect(r.reason).toBe('halt');
    expect(r.message).toMatch(/CPU_OFF/);
  });

  it('MIGRATE_INFO_TYPE is 2 (no Trusted OS needing migration); CPU_SUSPEND returns SUCCESS', async () => {
    const a = await runBoard(call(0x8400_0006), { maxInsns: 5 });
    expect(a.m.cpu.readX(20)).toBe(2n);
    const b = await runBoard(call(0xc400_0001, ['mov x1, #0']), { maxInsns: 6 });
    expect(b.m.cpu.readX(20)).toBe(0n);
  });

  it('CPU_SUSPEND standby with one PE sleeps until the armed timer fires (WFI-like, DEN0022 5.4)', async () => {
    const arm = ['mov x6, #50000', 'msr cntv_tval_el0, x6', 'mov x6, #1', 'msr cntv_ctl_el0, x6'];
    const { m } = await runBoard([...arm, call(0xc400_0001, ['mov x1, #0'])].join('\n'), { maxInsns: 10 });
    expect(m.cpu.readX(20)).toBe(0n);
    expect(m.cpu.idleCycles).toBeGreaterThan(100_000); // 50 000 ticks of 62.5 MHz = 0.8 ms
  });

  it('HVC leaves the guest at EL1 with PSTATE restored and ESR_EL2 recording EC 0x16', async () => {
    const { m } = await runBoard(['msr nzcv, x5', call(0x8400_0000)].join('\n'), {
      maxInsns: 6,
      setup: (mm) => mm.cpu.writeX(5, 0x6000_0000n),
    });
    expect(m.cpu.el).toBe(1);
    expect(m.cpu.nzcv).toBe(0b0110);
    expect(Number(m.cpu.sys64(SYS.ESR_EL2) >> 26n)).toBe(0x16);
  });

  it('SMC is UNDEFINED (no EL3; the virt board uses the HVC conduit)', async () => {
    const { m } = await runBoard(['smc #0', '.balign 0x800', '.space 0x200', 'mov x21, #7'].join('\n'), {
      maxInsns: 2,
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(Number(m.cpu.sys64(SYS.ESR_EL1) >> 26n)).toBe(0);
    expect(m.cpu.readX(21)).toBe(7n);
  });
});
