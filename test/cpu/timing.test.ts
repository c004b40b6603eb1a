// Timing profiles (src/cpu/timing.ts): static costs by instruction, summed per block, and the
// exception-entry charge; the functional profile makes cycles equal instructions.
import { describe, it, expect } from 'vitest';
import { runAsm } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { PROFILES } from '../../src/cpu/timing.js';

const fpOn = { setup: (m: import('../../src/machine.js').Machine) => m.cpu.setSys(SYS.CPACR_EL1, 3 << 20, 0) };

describe('timing profile a57 (the default)', () => {
  const cases: [string, number][] = [
    ['add x0, x1, x2', 1],
    ['udiv w0, w1, w2', 12],
    ['sdiv x0, x1, x2', 20],
    ['madd w0, w1, w2, w3', 3],
    ['madd x0, x1, x2, x3', 5],
    ['umulh x0, x1, x2', 6],
    ['fdiv s0, s1, s2', 10],
    ['fdiv d0, d1, d2', 17],
    ['fsqrt d0, d1', 17],
    ['fmadd d0, d1, d2, d3', 4],
    ['fadd d0, d1, d2', 1],
  ];
  for (const [insn, cycles] of cases) {
    it(`${insn} costs ${cycles}`, async () => {
      const m = await runAsm(`${insn}\nhlt #1`, fpOn);
      expect(m.cpu.haltReason).toBe('done');
      expect(m.cpu.instret).toBe(2);
      expect(m.cpu.cycles).toBe(cycles + 1); // + the HLT
    });
  }
  it('taking an exception is charged exceptionEntry cycles', async () => {
    const m = await runAsm('svc #0\n.balign 0x800\n.space 0x200\nhlt #1', {
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.instret).toBe(2);
    expect(m.cpu.cycles).toBe(2 + PROFILES.a57.exceptionEntry);
  });
  it('an access to a device region (the PL011) is charged deviceAccess cycles; RAM is not', async () => {
    const m = await runAsm('ldr w1, [x0, #0x18]\nldr w2, [x3]\nhlt #1', { x: { 0: 0x0900_0000n, 3: 0x4010_0000n } });
    expect(m.cpu.haltReason).toBe('done');
    expect(m.cpu.cycles).toBe(3 + PROFILES.a57.deviceAccess);
  });
  it('the same program gives the same cycles on every run (determinism)', async () => {
    const src = 'mov x1, #100\nloop: udiv x2, x1, x1\nsubs x1, x1, #1\nb.ne loop\nhlt #1';
    const a = await runAsm(src);
    const b = await runAsm(src);
    expect(a.cpu.cycles).toBe(b.cpu.cycles);
    expect(a.cpu.cycles).toBe(1 + 100 * (20 + 1 + 1) + 1);
  });
});

describe('timing profile functional', () => {
  it('cycles equal instructions, exceptions included', async () => {
    const m = await runAsm('udiv x0, x1, x2\nsvc #0\n.balign 0x800\n.space 0x200\nhlt #1', {
      setup: (mm) => {
        mm.cpu.setTiming('functional');
        mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
      },
    });
    expect(m.cpu.instret).toBe(3);
    expect(m.cpu.cycles).toBe(3);
  });
  it('an unknown profile is a clear error', async () => {
    const m = await runAsm('hlt #1');
    expect(() => m.cpu.setTiming('m1')).toThrow(/unknown timing profile 'm1' \(known: a57, functional, cortex-a53, cortex-a57, cortex-a72\)/);
  });
});
