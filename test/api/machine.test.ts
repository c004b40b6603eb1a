// The embeddable Machine (src/api/machine.ts): configuration, memory (physical and virtual),
// loading, registers by name, run/step/until, statistics as plain data; bad arguments are
// one-line ApiErrors.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine, ApiError } from '../../src/api/index.js';

/** PSCI SYSTEM_OFF over HVC (the board's firmware): the run ends with reason 'halt'. */
const EXIT = `
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0`;

const RAM = 0x4000_0000n;

describe('Machine: configuration', () => {
  it('applies RAM size, timing, CPU model, PEs and TLB geometry', () => {
    const m = new Machine({ ramSize: 4 << 20, timing: 'functional', cpu: 'max', smp: 2, tlb: { l1d: { entries: 16, ways: 16 } } });
    expect(m.ramSize).toBe(4 << 20);
    expect(m.ramBase).toBe(RAM);
    const s = m.stats();
    expect(s.timing).toBe('functional');
    expect(s.pes).toHaveLength(2);
    expect((s.tlb.l1d as { entries: number }).entries).toBe(16);
    expect((s.pes[1].tlb.l1d as { entries: number }).entries).toBe(16);
    // The 'max' CPU model advertises PAuth-era features: ID_AA64ISAR0_EL1 differs from a57's.
    expect(m.reg('ID_AA64ISAR0_EL1')).not.toBe(new Machine({ ramSize: 1 << 20 }).reg('ID_AA64ISAR0_EL1'));
  });

  it('rejects bad configurations with one-line errors', () => {
    expect(() => new Machine({ ramSize: 12345 })).toThrow(ApiError);
    expect(() => new Machine({ ramSize: 2 ** 31 })).toThrow(/between 64 KiB and 1 GiB/);
    expect(() => new Machine({ smp: 9 })).toThrow(/1\.\.8/);
    expect(() => new Machine({ timing: 'fast' })).toThrow(ApiError);
    expect(() => new Machine({ cpu: 'm1' })).toThrow(/unknown CPU model/);
    expect(() => new Machine({ engine: 'turbo' as 'jit' })).toThrow(/interp or jit/);
  });
});

describe('Machine: memory', () => {
  it('reads and writes physical RAM, refusing addresses outside it', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.writePhys(RAM + 0x100n, new Uint8Array([1, 2, 3, 4]));
    expect([...m.readPhys(RAM + 0x100n, 4)]).toEqual([1, 2, 3, 4]);
    m.writeU64(RAM + 0x200n, 0x1122_3344_5566_7788n);
    expect(m.readU64(RAM + 0x200n)).toBe(0x1122_3344_5566_7788n);
    expect(() => m.readPhys(RAM - 1n, 2)).toThrow(/outside RAM/);
    expect(() => m.writePhys(RAM + 0xf_fffen, new Uint8Array(4))).toThrow(/outside RAM/);
    expect(() => m.readPhys(RAM, -1)).toThrow(/bad length/);
    expect(() => m.readPhys(-5, 1)).toThrow(/not an address/);
  });

  it('writing over code the CPU has decoded takes effect (decoded code is dropped)', async () => {
    for (const engine of ['interp', 'jit'] as const) {
      const m = new Machine({ ramSize: 1 << 20, engine });
      const p = await m.assemble(`_start:\n mov x0, #1\n${EXIT}`, RAM);
      m.start(p.entry);
      m.step();
      expect(m.reg('x0')).toBe(1n);
      // mov x0, #2 (MOVZ X0, #2: 0xd2800040) over the first instruction, then run it again.
      m.writePhys(RAM, new Uint8Array([0x40, 0x00, 0x80, 0xd2]));
      m.pc = RAM;
      m.step();
      expect(m.reg('x0')).toBe(2n);
    }
  });

  it('reads and writes through the current translation, and names the fault when there is none', async () => {
    const m = new Machine({ ramSize: 4 << 20 });
    const p = await m.assemble(`_start:\n${EXIT}`, RAM);
    m.start(p.entry);
    // RAM at VA = PA + 1 TiB (the CLI's --mmu-offset), devices identity-mapped.
    m.enableMmu({ offset: 2 ** 40 });
    const va = RAM + (1n << 40n) + 0x20_3000n; // above the translation tables
    expect(m.translate(va)).toBe(RAM + 0x20_3000n);
    m.writeVirt(va - 2n, new Uint8Array([9, 8, 7, 6])); // crosses a page boundary
    expect([...m.readPhys(RAM + 0x20_2ffen, 4)]).toEqual([9, 8, 7, 6]);
    expect([...m.readVirt(va - 2n, 4)]).toEqual([9, 8, 7, 6]);
    expect(() => m.readVirt(RAM + 0x3000n + (2n << 40n), 4)).toThrow(/: stage 1 translation fault, level [0-3]$/);
  });
});

describe('Machine: registers by name', () => {
  it('X, W, SP, PC, NZCV, V, FPCR/FPSR and system registers', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.setReg('x5', 0xffff_ffff_0000_0001n);
    expect(m.reg('X5')).toBe(0xffff_ffff_0000_0001n);
    expect(m.reg('w5')).toBe(1n);
    m.setReg('w5', 0xffff_ffffn); // a W write zeroes the upper half
    expect(m.reg('x5')).toBe(0xffff_ffffn);
    m.setReg('sp', 0x4008_0000n);
    expect(m.reg('sp')).toBe(0x4008_0000n);
    m.setReg('nzcv', 0x6000_0000n); // Z and C
    expect(m.cpu.z).toBe(1);
    expect(m.cpu.c).toBe(1);
    expect(m.reg('nzcv')).toBe(0x6000_0000n);
    const q = (0x0123_4567_89ab_cdefn << 64n) | 0xfedc_ba98_7654_3210n;
    m.setReg('v7', q);
    expect(m.reg('q7')).toBe(q);
    m.setReg('fpcr', 0x0200_0000n);
    expect(m.reg('FPCR')).toBe(0x0200_0000n);
    m.setReg('VBAR_EL1', 0x4000_0800n);
    expect(m.reg('vbar_el1')).toBe(0x4000_0800n);
    // MIDR_EL1 is read-only; an accessor register (CurrentEL) computes its value: EL1 after reset.
    expect(() => m.setReg('MIDR_EL1', 0n)).toThrow(/read-only/);
    expect(m.reg('CurrentEL')).toBe(1n << 2n);
  });

  it('rejects unknown names and values that do not fit', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(() => m.reg('x31')).toThrow(/unknown register 'x31'/);
    expect(() => m.reg('FOO_EL1')).toThrow(/unknown register/);
    expect(() => m.setReg('w0', 1n << 32n)).toThrow(/does not fit in 32 bits/);
    expect(() => m.setReg('x0', -1n)).toThrow(/does not fit/);
    expect(() => m.setReg('x0', 5 as unknown as bigint)).toThrow(/must be a bigint/);
    expect(() => m.reg('x0', 3)).toThrow(/PE 3: the machine has 1/);
  });
});

describe('Machine: loading and running', () => {
  it('assembles a snippet, runs to exit, and reports the counts', async () => {
    for (const engine of ['interp', 'jit'] as const) {
      const m = new Machine({ ramSize: 1 << 20, engine });
      const p = await m.assemble(`_start:\n mov x2, #0\nloop:\n add x2, x2, #3\n cmp x2, #300\n b.ne loop\n${EXIT}`, RAM);
      expect(p.symbols.loop).toBe(RAM + 4n);
      m.start(p.entry);
      const r = m.run();
      expect(r).toMatchObject({ reason: 'halt', exitCode: 0, instructions: 1 + 300 + 3 });
      expect(m.reg('x2')).toBe(300n);
      expect(m.halted).toBe(true);
      const s = m.stats();
      expect(s.instructions).toBe(304);
      expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain data
    }
  });

  it('step, run with a budget, run until an address', async () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const p = await m.assemble(`_start:\n mov x0, #1\n mov x1, #2\n mov x2, #3\ntarget:\n mov x3, #4\n${EXIT}`, RAM);
    m.start(p.entry);
    expect(m.step()).toMatchObject({ reason: 'limit', instructions: 1 });
    expect(m.pc).toBe(RAM + 4n);
    expect(m.run({ until: p.symbols.target })).toMatchObject({ reason: 'until', instructions: 2 });
    expect(m.pc).toBe(p.symbols.target);
    expect(m.reg('x3')).toBe(0n); // stopped before it
    // Resuming executes the instruction at the stop address.
    expect(m.run({ until: p.symbols.target, maxInstructions: 1 })).toMatchObject({ reason: 'limit', instructions: 1 });
    expect(m.reg('x3')).toBe(4n);
    expect(m.run()).toMatchObject({ reason: 'halt' });
    expect(() => m.run({ maxInstructions: -1 })).toThrow(/not a non-negative integer/);
  });

  it('loads an ELF (and a file as the CLI does), refusing what is not one', async () => {
    const elf = new Uint8Array(readFileSync(new URL('../../guests/build/hello.elf', import.meta.url)));
    const m = new Machine({ ramSize: 16 << 20 });
    const p = m.loadElf(elf, 'hello.elf');
    expect(p.symbols._start).toBe(p.entry);
    m.start(p.entry);
    expect(m.run({ maxInstructions: 1_000_000 }).reason).toBe('halt');
    expect(m.output).toContain('Hello');
    expect(() => m.loadElf(new Uint8Array([1, 2, 3]))).toThrow(/not an ELF/);
    const f = new Machine({ ramSize: 16 << 20 });
    await f.loadFile(new URL('../../guests/build/hello.elf', import.meta.url).pathname);
    expect(f.run({ maxInstructions: 1_000_000 }).reason).toBe('halt');
    await expect(f.loadFile('/nonexistent/x.elf')).rejects.toThrow(ApiError);
    await expect(f.assemble('_start:\n frobnicate x0\n')).rejects.toThrow(/snippet\.S:2/);
  });
});
