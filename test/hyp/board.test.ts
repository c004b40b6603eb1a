// The board as a whole: boot state, run results, console ordering, and a C guest end to end.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { Machine } from '../../src/machine.js';
import { loadImage } from '../../src/loader/index.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { runBoard } from './board.js';

describe('board', () => {
  it('boot() leaves the state QEMU -kernel gives a bare-metal ELF: EL1h, DAIF masked, X0..X30/SP zero, Z set', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.cpu.writeX(0, 123n);
    m.cpu.nzcv = 0xf;
    m.boot(0x4000_1000n);
    const c = m.cpu;
    expect(c.pc).toBe(0x4000_1000n);
    expect(c.el).toBe(1);
    expect(c.spsel).toBe(1);
    expect(c.daif).toBe(0xf);
    expect(c.getSpsr() & 0x3ff).toBe(0x3c5); // QEMU -d cpu: PSTATE=400003c5 -Z-- EL1h
    expect(c.nzcv).toBe(0b0100);
    for (let k = 0; k < 31; k++) expect(c.readX(k)).toBe(0n);
    expect(c.getSpEl(0)).toBe(0n);
    expect(c.getSpEl(1)).toBe(0n);
    expect(c.sysLo(SYS.SCTLR_EL1) & 1).toBe(0); // MMU off
  });

  it('run() reports limit, and after a stop reports the same stop again without running', async () => {
    const { m, r } = await runBoard('loop: b loop', { maxInsns: 10 });
    expect(r).toEqual({ reason: 'limit', exitCode: 0, instructions: 10 });
    const m2 = (await runBoard('mov x0, #0x18\nadr x1, blk\nhlt #0xf000\n.balign 8\nblk: .quad 0x20026, 5')).m;
    const again = m2.run(100);
    expect(again).toMatchObject({ reason: 'exit', exitCode: 5, instructions: 0 });
    expect(m.cpu.instret).toBe(10);
  });

  it('UART and semihosting output share one ordered console, also delivered through onOutput', async () => {
    const seen: string[] = [];
    const src = `movz x2, #0x0900, lsl #16
      mov w3, #0x41
      str w3, [x2]
      mov x0, #4
      adr x1, s
      hlt #0xf000
      mov w3, #0x43
      strb w3, [x2]
      mov x0, #0x18
      adr x1, blk
      hlt #0xf000
      .balign 8
      blk: .quad 0x20026, 0
      s: .asciz "B"`;
    const { m } = await runBoard(src, { onOutput: (t) => seen.push(t) });
    expect(m.output).toBe('ABC');
    expect(seen).toEqual(['A', 'B', 'C']);
  });

  it('an exception to EL2 other than HVC stops the run with a clear message', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.cpu.excEC = 0x24;
    m.cpu.excISS = 0x47;
    m.firmware.el2Exception(m.cpu);
    const r = m.run(1);
    expect(r.reason).toBe('error');
    expect(r.exitCode).toBe(1);
    expect(r.message).toMatch(/unhandled exception to EL2: EC 0x24, ISS 0x47/);
  });

  it('a picolibc C program prints through semihosting stdio and exits with main\'s status (as on QEMU)', async () => {
    const m = new Machine();
    const img = await loadImage(m, join(__dirname, '..', 'fixtures', 'picolibc-hello.elf'));
    m.boot(img.entry);
    const r = m.run(10_000_000);
    // qemu-system-aarch64 -M virt -cpu cortex-a57 -semihosting -kernel: "hello 5", status 3.
    expect(m.output).toBe('hello 5\n');
    expect(r).toMatchObject({ reason: 'exit', exitCode: 3 });
  });
});
