import { describe, it, expect } from 'vitest';
import { runAsm, X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';

describe('run loop', () => {
  it('retires exactly --max-insns instructions, mid-block', async () => {
    const m = await runAsm('add x0, x0, #1\nadd x0, x0, #1\nadd x0, x0, #1\nhlt #1', { maxInsns: 2 });
    expect(m.cpu.instret).toBe(2);
    expect(X(m.cpu, 0)).toBe(2n);
    expect(m.cpu.pc).toBe(0x4000_0008n);
  });
  it('runs a counted loop with chained blocks', async () => {
    const m = await runAsm('loop: add x0, x0, #1\nsubs x1, x0, #100\nb.ne loop\nhlt #1');
    expect(X(m.cpu, 0)).toBe(100n);
    expect(m.cpu.instret).toBe(301); // 3 x 100 + the HLT
  });
  it('an unallocated encoding takes an Undefined exception to VBAR_EL1 + 0x200 (EC 0)', async () => {
    // VBAR_EL1 = 0x40000800; the current-EL/SPx synchronous vector (+0x200) stops the run.
    const m = await runAsm('.long 0\n.balign 0x800\n.space 0x200\nhlt #1', {
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    // ESR_EL1: EC=0 (unknown reason), IL=1 (ARM ARM D17.2.37); ELR = the faulting instruction.
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_0000n);
    expect(m.cpu.pc).toBe(0x4000_0a04n);
    expect(m.cpu.instret).toBe(1); // the UNDEF does not retire; the HLT does
  });
});

describe('a guest lost in the void', () => {
  it('stops with a message naming the first exception of the chain', async () => {
    // An UNDEF with VBAR_EL1 = 0 (not RAM): every vector fetch aborts again.
    const m = await runAsm('.long 0\nhlt #1');
    expect(m.cpu.status).toBe(2);
    expect(m.cpu.haltReason).toMatch(/the first was at PC 0x40000000, EC 0x0, ISS 0x0/);
    expect(m.cpu.haltReason).toMatch(/the last at PC 0x200 \(EC 0x21\)/);
  });
});
